"""Reads of the pipeline (queries.py): filters, sorts, facets, and constant query counts."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ascn.plans import actions
from ascn.plans.models import Project
from ascn.plans.queries import ProjectFilters, facets, projects

from .helpers import city, node, project, refs

pytestmark = pytest.mark.django_db

VIETNAM = {"A111", "A112", "A113", "A114", "A115", "A116", "SCAP18-DN1", "SCAP18-HN2"}
WATER = {"A1", "A112", "A85", "B12", "A50", "A69", "A68", "A40"}


def found(user=None, **filters) -> list[str]:
    return refs(projects(user or AnonymousUser(), ProjectFilters(**filters)))


@pytest.fixture
def with_support(secretariat):
    """Support needs on three projects, set the way the workspace sets them."""
    actions.update_project(secretariat, project("A112"), {}, support={"financial": "Loan", "technical": ""})
    actions.update_project(secretariat, project("A1"), {}, support={"financial": ""})
    actions.update_project(secretariat, project("A113"), {}, support={"training": "Operators"})


def test_pipeline_filters():
    assert set(found(country="VNM")) == VIETNAM
    assert set(found(country="vnm")) == VIETNAM
    assert set(found(city="da-nang")) == {"A111", "A112", "SCAP18-DN1"}
    assert len(found(focus_area="health_wellbeing")) == 8
    assert len(found(focus_area="built_infrastructure")) == 34
    assert set(found(project_type="built_infrastructure.mobility_transportation")) == {"SCAP18-DN1", "SCAP18-HN2"}
    assert len(found(status="completed")) == 18
    assert len(found(status="ongoing")) == 108
    assert len(found(status="planning")) == 10
    assert found(status="cancelled") == []
    assert set(found(country="VNM", status="planning")) == {"A113", "A116", "SCAP18-DN1", "SCAP18-HN2"}
    assert set(found(country="VNM", focus_area="safety_security", status="ongoing")) == {"A111"}
    assert found(country="SGP", city="da-nang") == []


def test_stage_and_support_filters(with_support):
    Project.objects.filter(reference__in=["A112", "A5"]).update(stage="implementation")
    assert set(found(stage="implementation")) == {"A112", "A5"}
    assert found(stage="concept") == []
    assert set(found(support="financial")) == {"A1", "A112"}
    assert found(support="technical") == ["A112"]
    assert found(support="training", country="VNM") == ["A113"]
    assert found(support="advisory") == []


def test_search_folds_accents_and_case(csco_danang):
    created = actions.create_project(csco_danang, {
        "city": city("da-nang"), "title": "Hệ thống cấp nước thông minh", "focus_area": node("quality_environment"),
        "objective": "Giảm thất thoát nước ở Hải Châu", "is_published": True})
    for text in ("he thong cap nuoc", "Hệ Thống", "CẤP NƯỚC", "hai chau", "HẢI CHÂU", "  thất   thoát "):
        assert [p.pk for p in projects(AnonymousUser(), ProjectFilters(q=text))] == [created.pk]
    assert set(found(q="water")) == WATER
    assert set(found(q="WATER", country="VNM")) == {"A112"}
    assert found(q="a112") == ["A112"]
    assert found(q="scap18-dn1") == ["SCAP18-DN1"]
    assert len(found(q="   ")) == 137
    assert found(q="atlantis") == []


def test_drafts_are_found_only_by_those_who_may_see_them(csco_danang, nr_vietnam, nr_thailand, draft):
    assert draft.pk not in [p.pk for p in projects(AnonymousUser(), ProjectFilters(city="da-nang"))]
    assert draft.pk not in [p.pk for p in projects(nr_thailand, ProjectFilters(city="da-nang"))]
    for user in (csco_danang, nr_vietnam):
        assert sorted(p.title for p in projects(user, ProjectFilters(city="da-nang"))) == [
            "Intelligent Operation Centre", "Intelligent Traffic Control System", "Smart Water Management System",
            "Smart parking pilot (draft)"]
    assert [p.pk for p in projects(csco_danang, ProjectFilters(q="smart parking pilot"))] == [draft.pk]
    assert found(q="smart parking pilot") == []


def test_pipeline_sorts(secretariat):
    assert found(country="VNM", sort="reference") == [
        "A111", "A112", "A113", "A114", "A115", "A116", "SCAP18-DN1", "SCAP18-HN2"]
    assert found(country="VNM", sort="city")[:6] == ["A111", "SCAP18-DN1", "A112", "A113", "SCAP18-HN2", "A114"]
    assert found(city="ha-noi", sort="title") == ["A113", "SCAP18-HN2", "A114"]
    assert found(country="VNM", sort="status") == [
        "A115", "A111", "A112", "A114", "A116", "A113", "SCAP18-DN1", "SCAP18-HN2"]
    for reference, cost in (("A113", "500"), ("A112", "2500000"), ("A111", "75000.50")):
        actions.update_project(secretariat, project(reference), {"cost_estimate": Decimal(cost)})
    assert found(country="VNM", sort="cost")[:4] == ["A112", "A111", "A113", "A114"]
    actions.update_project(secretariat, project("A115"), {"objective": "Integrated operations"})
    assert found(country="VNM", sort="updated")[:2] == ["A115", "A111"]
    assert found(city="ha-noi", sort="no-such-sort") == found(city="ha-noi")


def as_counts(values):
    return {v.value: v.count for v in values}


def test_facets_count_the_vietnam_projects_exactly():
    result = facets(AnonymousUser(), ProjectFilters(country="VNM"))
    assert result.total == 8
    assert as_counts(result.groups["status"]) == {"ongoing": 4, "planning": 4}
    assert {v.value: v.label for v in result.groups["status"]} == {"ongoing": "Ongoing", "planning": "Planning"}
    assert as_counts(result.groups["city"]) == {"da-nang": 3, "ha-noi": 3, "ho-chi-minh-city": 2}
    assert {v.value: v.label for v in result.groups["city"]} == {
        "da-nang": "Da Nang", "ha-noi": "Ha Noi", "ho-chi-minh-city": "Ho Chi Minh City"}
    assert as_counts(result.groups["focus_area"]) == {
        "safety_security": 3, "built_infrastructure": 3, "quality_environment": 1, "civic_social": 1}
    assert as_counts(result.groups["project_type"]) == {"built_infrastructure.mobility_transportation": 2}
    assert result.groups["stage"] == []
    assert result.groups["support"] == []
    vietnam = [v for v in result.groups["country"] if v.value == "VNM"]
    assert [(v.label, v.count, v.selected) for v in vietnam] == [("Viet Nam", 8, True)]
    assert [v.selected for v in result.groups["status"]] == [False, False]


def test_facets_of_the_whole_pipeline():
    result = facets(AnonymousUser())
    assert result.total == 136
    assert as_counts(result.groups["status"]) == {"ongoing": 108, "planning": 10, "completed": 18}
    assert as_counts(result.groups["country"]) == {
        "BRN": 7, "IDN": 18, "KHM": 17, "LAO": 9, "MMR": 14, "MYS": 29, "PHL": 8, "SGP": 6, "THA": 20, "VNM": 8}
    assert as_counts(result.groups["focus_area"]) == {
        "built_infrastructure": 34, "civic_social": 34, "health_wellbeing": 8, "industry_innovation": 16,
        "quality_environment": 25, "safety_security": 19}
    assert sum(v.count for v in result.groups["city"]) == 136


def test_facets_count_support_and_mark_the_selected_value(with_support):
    result = facets(AnonymousUser(), ProjectFilters(country="VNM", status="ongoing"))
    assert result.total == 4
    assert as_counts(result.groups["support"]) == {"financial": 1, "technical": 1}
    selected = [(v.value, v.count) for v in result.groups["status"] if v.selected]
    assert selected == [("ongoing", 4)]
    everywhere = facets(AnonymousUser(), ProjectFilters(support="financial"))
    assert everywhere.total == 2
    assert [(v.value, v.count, v.selected) for v in everywhere.groups["support"] if v.value == "financial"] == [
        ("financial", 2, True)]


def test_facets_include_drafts_for_those_who_see_them(csco_danang, draft):
    assert facets(AnonymousUser(), ProjectFilters(city="da-nang")).total == 3
    mine = facets(csco_danang, ProjectFilters(city="da-nang"))
    assert mine.total == 4
    assert as_counts(mine.groups["status"]) == {"ongoing": 2, "planning": 2}


@pytest.mark.parametrize("filters", [
    {}, {"country": "VNM"}, {"status": "ongoing"}, {"support": "financial"}, {"q": "smart"},
    {"focus_area": "built_infrastructure", "status": "ongoing"},
])
def test_every_facet_count_equals_the_count_of_that_drill_down(with_support, csco_danang, draft, filters):
    """Each facet value's count is what choosing that value would list (drafts included for their city)."""
    for user in (AnonymousUser(), csco_danang):
        result = facets(user, ProjectFilters(**filters))
        assert result.total == projects(user, ProjectFilters(**filters)).count()
        for name, values in result.groups.items():
            for value in values:
                narrowed = ProjectFilters(**{**filters, name: value.value})
                assert value.count == projects(user, narrowed).count(), (filters, name, value.value)


# --- Query counts ---------------------------------------------------------------------------------


def count_queries(client, path: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, path
    return len(captured)


def test_pipeline_page_uses_a_constant_number_of_queries(client, csco_danang, with_support):
    paths = ["/projects/", "/projects/?page=2", "/projects/?page=6", "/projects/?country=VNM",
             "/projects/?status=completed&sort=cost", "/projects/?support=financial&q=water"]
    public = [count_queries(client, path) for path in paths]
    assert len(set(public)) == 1, public
    assert public[0] <= 12
    client.force_login(csco_danang)
    logged_in = [count_queries(client, path) for path in paths]
    assert len(set(logged_in)) == 1, logged_in
    htmx = [count_queries(client, path, headers={"HX-Request": "true"}) for path in paths[:3]]
    assert len(set(htmx)) == 1, htmx


def test_projects_api_uses_a_constant_number_of_queries(api, with_support):
    counts = [count_queries(api.client, f"/api/v1/projects?limit={limit}") for limit in (1, 5, 50, 136, 500)]
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 4
    facet_counts = [count_queries(api.client, f"/api/v1/projects/facets{query}")
                    for query in ("", "?country=VNM", "?country=VNM&status=ongoing&support=financial")]
    assert len(set(facet_counts)) == 1, facet_counts
    detail = [count_queries(api.client, f"/api/v1/projects/{project(ref).pk}") for ref in ("A111", "A112")]
    assert detail[0] == detail[1], detail
