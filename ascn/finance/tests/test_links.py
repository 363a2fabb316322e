"""Every link a finance page shows, its reader may follow: the "Readiness" button of a published business case,
its list of scenarios and its project's Financing section appear only for a reader the readiness page answers,
as decided by the one definition the page uses (`queries.readiness.readiness_readable`), and every other link of
those pages opens for that reader."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ascn.finance.actions import business_cases as case_actions
from ascn.finance.actions import readiness as actions
from ascn.finance.models import ReadinessAssessment
from ascn.finance.queries.readiness import readiness_readable
from ascn.plans.models import Project

from .test_business_cases import INPUTS

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "none", "partner", "nr", "csco", "secretariat")
# Who may read Da Nang's project's readiness, by the state of its assessment: its editors (the city's officers and
# the Secretariat) always; Viet Nam's NR once there is an assessment (its country's, published or not); anyone once
# it is published.
READERS = {
    "none": {"csco", "secretariat"},
    "draft": {"csco", "secretariat", "nr"},
    "published": set(ROLES),
}
HREF = re.compile(r'href="([^"#]*)"')


@pytest.fixture
def published_case(csco_danang):
    project = Project.objects.get(reference="A111")
    assert project.is_published and project.city.slug == "da-nang"
    return case_actions.create_business_case(csco_danang, project, {
        "scenario": "Base case", "inputs": INPUTS, "is_published": True})


def set_state(state: str, csco, project: Project) -> None:
    if state == "none":
        return
    assessment = actions.assessment_for(csco, project)
    actions.answer_criterion(csco, assessment, "concept.institutional.sponsor", {"status": "met"})
    if state == "published":
        actions.update_assessment(csco, assessment, {"is_published": True})
    assert ReadinessAssessment.objects.get(project=project).is_published is (state == "published")


def client_for(role: str, accounts) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(accounts[role])
    return client


def links(html: str) -> list[str]:
    """The page's own links inside <main> (not the layout's navigation, not anchors or other sites)."""
    main = html[html.index("<main"):html.index("</main>")]
    return [href.replace("&amp;", "&") for href in HREF.findall(main) if href.startswith("/")]


@pytest.mark.parametrize("state", READERS)
@pytest.mark.parametrize("role", ROLES)
def test_the_readiness_button_shows_only_for_readers_the_page_answers(role, state, accounts, published_case):
    project = published_case.project
    set_state(state, accounts["csco"], project)
    user = accounts.get(role)
    expected = role in READERS[state]
    assert readiness_readable(user, project) is expected
    client = client_for(role, accounts)
    readiness_url = f"/financing/projects/{project.pk}/readiness/"
    assert client.get(readiness_url).status_code == (200 if expected else 404)
    for page in (f"/financing/business-cases/{published_case.pk}/", f"/financing/projects/{project.pk}/business-cases/",
                 f"/projects/{project.pk}/"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert (readiness_url in links(response.content.decode())) is expected, (page, role, state)


@pytest.mark.parametrize("role", ROLES)
def test_every_link_of_a_finance_page_opens_for_its_reader(role, accounts, published_case):
    """With an assessment in draft (the case of the dead button), follow each link of the business case's pages
    and its project's Financing section: none is refused or missing. The exports are fetched elsewhere."""
    project = published_case.project
    set_state("draft", accounts["csco"], project)
    client = client_for(role, accounts)
    followed = set()
    for page in (f"/financing/business-cases/{published_case.pk}/", f"/financing/projects/{project.pk}/business-cases/",
                 f"/financing/projects/{project.pk}/readiness/", f"/projects/{project.pk}/"):
        response = client.get(page)
        if response.status_code == 404:  # the readiness page of a reader it does not answer: not linked (above)
            assert role not in READERS["draft"] and "readiness" in page
            continue
        for href in links(response.content.decode()):
            if "/export." in href or href in followed or not href.startswith(("/financing/", "/projects/")):
                continue
            followed.add(href)
            assert client.get(href).status_code == 200, (page, href, role)
    assert f"/financing/business-cases/{published_case.pk}/" in followed
