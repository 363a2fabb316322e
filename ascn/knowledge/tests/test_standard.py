"""The standard tests of case studies (ascn.core.testing.bases): drafts are for the Secretariat only in the
permission layer, the list page and the detail page; 20 to a page; the list's queries do not grow with the
case studies shown, each made with a city, a project and one focus area, instrument and partner, the
relations the page lists."""

import itertools

import pytest

from ascn.core.testing.bases import FOREIGN, OWN, OWN_DRAFT, ListPage, ModelCase, Scope, every_role, standard_tests
from ascn.finance.models import FinancingInstrument
from ascn.framework.models import FrameworkNode
from ascn.knowledge.actions import set_case_study_links
from ascn.knowledge.models import CaseStudy
from ascn.network.models import City, Partner
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count()


def make_case_study(scope: Scope, n: int) -> CaseStudy:
    """A new case study of the scope's city (and its first project), published as the scope says."""
    number = next(NUMBERS)
    city = City.objects.get(slug=scope.city)
    case = CaseStudy.objects.create(slug=f"zeta-{number}", title=f"Zeta {number}", summary="What the sources say.",
                                    source="S8", city=city, project=Project.objects.filter(city=city).first(),
                                    is_published=scope.published)
    set_case_study_links(None, case, [FrameworkNode.objects.get(code="civic_social")],
                         [FinancingInstrument.objects.get(slug="grant-trust-fund")], [Partner.objects.get(slug="jica")],
                         via="test")
    return case


EVERY_CASE = {"own", "own_draft", "foreign"}

CASE_STUDY = ModelCase(
    name="case_study", model=CaseStudy, key="slug", make=make_case_study, scopes=(OWN, OWN_DRAFT, FOREIGN),
    visible={**every_role("own", "foreign"), "secretariat": EVERY_CASE}, editable={"secretariat": EVERY_CASE},
    list_page=ListPage("/knowledge/case-studies/", per_page=20, max_queries=8),
    detail_page=lambda case: f"/knowledge/case-studies/{case.slug}/",
)
globals().update(standard_tests(CASE_STUDY))
