"""Case studies: the seeded set, their pages and the links that tie them to financing (who sees which case
study, pagination and query counts are declared in test_standard.py)."""

import re
import shutil

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import escape

from ascn.core.actions import seed_modules
from ascn.core.choices import Role
from ascn.core.models import AuditEntry, User
from ascn.core.seeding import SeedError
from ascn.finance.models import FinancingInstrument
from ascn.framework.models import FrameworkNode
from ascn.knowledge import queries
from ascn.knowledge.actions import set_case_study_links
from ascn.knowledge.models import CaseStudy
from ascn.knowledge.seed import LOADERS
from ascn.network.models import City, Partner
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db

SEEDED = ["battambang-solid-liquid-waste-management", "iskandar-malaysia-analytics-centre",
          "phnom-penh-ecocity-transition-labs", "siem-reap-smart-city-data-platform"]
LIST = "/knowledge/case-studies/"


def slugs_in(html: str) -> list[str]:
    return re.findall(r'href="/knowledge/case-studies/([a-z0-9-]+)/"', html)


def links(case: CaseStudy) -> tuple:
    return (case.city.slug if case.city else None, case.project.reference if case.project else None,
            sorted(n.code for n in case.focus_areas.all()), sorted(i.slug for i in case.instruments.all()),
            sorted(p.slug for p in case.partners.all()), case.year, case.source)


def test_the_case_studies_are_seeded_with_their_links_and_reseeding_changes_nothing():
    assert seed_modules().index("ascn.knowledge.seed") > seed_modules().index("ascn.finance.seed")
    assert list(CaseStudy.objects.values_list("slug", "title")) == [
        ("battambang-solid-liquid-waste-management", "Battambang solid and liquid waste management"),
        ("iskandar-malaysia-analytics-centre", "Iskandar Malaysia Analytics Centre (IMAC): partner-funded design work"),
        ("phnom-penh-ecocity-transition-labs", "Phnom Penh Ecocity Transition Labs and Build4People"),
        ("siem-reap-smart-city-data-platform", "Siem Reap Smart City Data Platform (SSDaP)"),
    ]
    by_slug = {c.slug: links(c) for c in CaseStudy.objects.all()}
    assert by_slug == {
        "battambang-solid-liquid-waste-management": (
            "battambang", "A6", ["quality_environment"], [], ["adb"], None, "S8"),
        "iskandar-malaysia-analytics-centre": (
            "johor-bahru", "A46", ["civic_social"], ["grant-trust-fund"], ["undp", "ustda"], None, "S8"),
        "phnom-penh-ecocity-transition-labs": (
            "phnom-penh", "A10", ["industry_innovation"], [], ["germany-bmbf"], None, "S8"),
        "siem-reap-smart-city-data-platform": (
            "siem-reap", "A13", ["civic_social"], [], ["jica"], 2024, "S8"),
    }
    assert Project.objects.get(reference="A46").title == "Iskandar Malaysia Analytics Centre"
    assert all(c.is_published and c.lessons.startswith("The platform's reading: ") for c in CaseStudy.objects.all())
    entries = AuditEntry.objects.count()
    assert [(c.created, c.updated, c.unchanged) for c in (loader.load() for loader in LOADERS)] == [(0, 0, 4)]
    assert AuditEntry.objects.count() == entries


def test_seeding_restores_an_edited_link_and_records_it():
    imac = CaseStudy.objects.get(slug="iskandar-malaysia-analytics-centre")
    imac.instruments.clear()
    assert [(c.created, c.updated, c.unchanged) for c in (loader.load() for loader in LOADERS)] == [(0, 1, 3)]
    assert [i.slug for i in imac.instruments.all()] == ["grant-trust-fund"]
    entry = AuditEntry.objects.filter(via="seed").latest("id")
    assert (entry.object_id, entry.action, entry.changes) == (
        str(imac.pk), "update", {"instruments": [[], ["grant-trust-fund"]]})


def test_a_bad_project_reference_stops_the_seed_and_changes_nothing(tmp_path, monkeypatch):
    loader = LOADERS[0]
    target = tmp_path / "case_studies.csv"
    shutil.copy(loader.path, target)
    target.write_text(target.read_text(encoding="utf-8").replace(",battambang,A6,", ",battambang,A7,"), encoding="utf-8")
    monkeypatch.setattr(loader, "path", target)
    entries = AuditEntry.objects.count()
    with pytest.raises(SeedError) as excinfo:
        loader.load()
    assert str(excinfo.value).endswith("case_studies.csv, line 2: unknown project 'A7' of battambang in project")
    assert CaseStudy.objects.get(slug="battambang-solid-liquid-waste-management").project.reference == "A6"
    assert AuditEntry.objects.count() == entries


def test_list_page_shows_filters_and_empty_state(client):
    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert slugs_in(html) == SEEDED
    assert "4 case studies" in html
    assert '<a href="/knowledge/case-studies/">Case studies</a>' in html  # the main navigation
    assert slugs_in(client.get(LIST, {"instrument": "grant-trust-fund"}).content.decode()) == [
        "iskandar-malaysia-analytics-centre"]
    assert slugs_in(client.get(LIST, {"focus_area": "civic_social"}).content.decode()) == [
        "iskandar-malaysia-analytics-centre", "siem-reap-smart-city-data-platform"]
    assert slugs_in(client.get(LIST, {"focus_area": "civic_social", "instrument": "grant-trust-fund"})
                    .content.decode()) == ["iskandar-malaysia-analytics-centre"]
    assert slugs_in(client.get(LIST, {"q": "ssdap"}).content.decode()) == ["siem-reap-smart-city-data-platform"]
    partial = client.get(LIST, {"focus_area": "health_wellbeing"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="results">')
    assert "No case study matches these filters." in partial and slugs_in(partial) == []
    assert slugs_in(client.get(LIST, {"instrument": "municipal-bond"}).content.decode()) == []
    assert client.get("/vi/knowledge/case-studies/").status_code == 200


def test_list_page_without_any_case_study_says_so(client):
    CaseStudy.objects.update(is_published=False)
    html = client.get(LIST).content.decode()
    assert "No case studies have been published yet." in html and slugs_in(html) == []


def test_list_page_says_which_page_it_shows(client):
    for n in range(17):
        CaseStudy.objects.create(slug=f"extra-{n:02d}", title=f"Extra {n:02d}", summary="x", source="S8")
    html = client.get(LIST).content.decode()
    assert "21 case studies" in html and "Page 1 of 2" in html
    assert "Page 2 of 2" in client.get(LIST, {"page": 2}).content.decode()


def test_detail_page_shows_the_case_and_its_links(client):
    imac = CaseStudy.objects.get(slug="iskandar-malaysia-analytics-centre")
    project = Project.objects.get(reference="A46")
    page = client.get("/knowledge/case-studies/iskandar-malaysia-analytics-centre/")
    assert page.status_code == 200
    html = page.content.decode()
    assert escape(imac.summary) in html and escape(imac.lessons) in html
    assert 'href="/cities/johor-bahru/"' in html
    assert f'href="/projects/{project.pk}/"' in html
    assert '<a href="/financing/instruments/grant-trust-fund/">Grants and trust funds</a>' in html
    assert "U.S. Trade and Development Agency (USTDA)" in html
    assert "United Nations Development Programme (UNDP)" in html
    assert '<dd class="source" data-testid="sources">S8</dd>' in html
    bmbf = client.get("/knowledge/case-studies/phnom-penh-ecocity-transition-labs/").content.decode()
    assert "The sources do not say which instrument was used." in bmbf
    assert client.get("/knowledge/case-studies/no-such-case/").status_code == 404


def test_sources_that_are_urls_are_links():
    case = CaseStudy(source="S8; https://example.org/report")
    assert case.sources == [("S8", ""), ("https://example.org/report", "https://example.org/report")]


def test_detail_page_links_url_sources(client):
    CaseStudy.objects.filter(slug="siem-reap-smart-city-data-platform").update(source="S8; https://example.org/ssdap")
    html = client.get("/knowledge/case-studies/siem-reap-smart-city-data-platform/").content.decode()
    assert ('<dd class="source" data-testid="sources">S8; '
            '<a href="https://example.org/ssdap" rel="noopener">https://example.org/ssdap</a></dd>') in html


def test_the_secretariat_sees_drafts_marked_in_the_list(client, secretariat):
    CaseStudy.objects.filter(slug="battambang-solid-liquid-waste-management").update(is_published=False)
    client.force_login(secretariat)
    html = client.get(LIST).content.decode()
    assert slugs_in(html) == SEEDED
    assert html.count('<span class="tag">draft</span>') == 1


def test_project_link_is_shown_only_to_those_who_may_see_the_project(client, secretariat):
    project = Project.objects.get(reference="A46")
    Project.objects.filter(pk=project.pk).update(is_published=False)
    url = "/knowledge/case-studies/iskandar-malaysia-analytics-centre/"
    link = f'href="/projects/{project.pk}/"'
    public = client.get(url).content.decode()
    assert link not in public and "Iskandar Malaysia Analytics Centre</a>" not in public
    client.force_login(User.objects.create(username="csco-jb", role=Role.CITY_OFFICER,
                                           city=City.objects.get(slug="johor-bahru")))
    assert link in client.get(url).content.decode()
    client.force_login(secretariat)
    assert link in client.get(url).content.decode()


def test_case_studies_for_instrument(secretariat):
    grant = FinancingInstrument.objects.get(slug="grant-trust-fund")
    assert [c.slug for c in queries.case_studies_for_instrument(None, grant)] == ["iskandar-malaysia-analytics-centre"]
    bond = FinancingInstrument.objects.get(slug="municipal-bond")
    assert list(queries.case_studies_for_instrument(None, bond)) == []
    assert [c.slug for c in grant.case_studies.all()] == ["iskandar-malaysia-analytics-centre"]
    CaseStudy.objects.filter(slug="iskandar-malaysia-analytics-centre").update(is_published=False)
    assert list(queries.case_studies_for_instrument(None, grant)) == []
    assert list(queries.case_studies_for_instrument(secretariat, grant)) == []


def test_secretariat_sets_links_and_others_are_denied_without_changing_anything(secretariat, csco_danang,
                                                                                 partner_jica):
    case = CaseStudy.objects.get(slug="siem-reap-smart-city-data-platform")
    grant = FinancingInstrument.objects.get(slug="grant-trust-fund")
    civic = FrameworkNode.objects.get(code="civic_social")
    jica = Partner.objects.get(slug="jica")
    entries = AuditEntry.objects.count()
    for user in (csco_danang, partner_jica):
        with pytest.raises(PermissionDenied):
            set_case_study_links(user, case, [civic], [grant], [jica])
    with pytest.raises(ValidationError) as excinfo:
        set_case_study_links(secretariat, case, [FrameworkNode.objects.filter(kind="enabler").first()], [], [])
    assert excinfo.value.message_dict == {"focus_areas": ["Choose among the six focus areas."]}
    assert links(case)[2:5] == (["civic_social"], [], ["jica"])
    assert AuditEntry.objects.count() == entries
    assert set_case_study_links(secretariat, case, [civic], [grant], [jica]) == {
        "instruments": [[], ["grant-trust-fund"]]}
    entry = AuditEntry.objects.latest("id")
    assert (entry.actor, entry.action, entry.via) == (secretariat, "update", "web")
    assert set_case_study_links(secretariat, case, [civic], [grant], [jica]) == {}
    assert AuditEntry.objects.count() == entries + 1


def test_the_project_must_be_of_the_case_study_city():
    case = CaseStudy.objects.get(slug="siem-reap-smart-city-data-platform")
    case.project = Project.objects.get(reference="A6")  # Battambang's
    with pytest.raises(ValidationError) as excinfo:
        case.full_clean()
    assert excinfo.value.message_dict == {"project": ["The project must belong to the case study's city."]}


def test_secretariat_edits_case_studies_in_the_back_office(client, secretariat, nr_vietnam):
    client.force_login(nr_vietnam)
    assert client.get("/admin/knowledge/casestudy/").status_code == 302
    client.force_login(secretariat)
    page = client.get("/admin/knowledge/casestudy/")
    assert page.status_code == 200
    assert [c.slug for c in page.context["cl"].result_list] == SEEDED
    assert client.get("/admin/knowledge/casestudy/add/").status_code == 200
    case = CaseStudy.objects.get(slug="battambang-solid-liquid-waste-management")
    form = client.get(f"/admin/knowledge/casestudy/{case.pk}/change/").context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    grant = FinancingInstrument.objects.get(slug="grant-trust-fund")
    data.update({"focus_areas": [n.pk for n in case.focus_areas.all()], "partners": [p.pk for p in case.partners.all()],
                 "instruments": [grant.pk], "year": "2025", "is_published": "", "i18n": "{}", "initial-i18n": "{}"})
    response = client.post(f"/admin/knowledge/casestudy/{case.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    case.refresh_from_db()
    assert (case.year, case.is_published, [i.slug for i in case.instruments.all()]) == (2025, False, ["grant-trust-fund"])
    entry = AuditEntry.objects.filter(via="admin").latest("id")
    assert (entry.actor, entry.action, entry.changes) == (
        secretariat, "update", {"year": [None, 2025], "is_published": [True, False], "instruments": [[], [grant.pk]]})


@pytest.mark.parametrize(("lang", "name"), [("en", "Da Nang"), ("vi", "Đà Nẵng")])
def test_the_list_and_the_page_name_the_city_in_the_readers_language(client, lang, name):
    CaseStudy.objects.filter(slug="siem-reap-smart-city-data-platform").update(city=City.objects.get(slug="da-nang"))
    prefix = "" if lang == "en" else f"/{lang}"
    link = f'<a href="{prefix}/cities/da-nang/">{name}</a>'
    assert link in client.get(f"{prefix}{LIST}").content.decode()
    assert link in client.get(f"{prefix}{LIST}siem-reap-smart-city-data-platform/").content.decode()
