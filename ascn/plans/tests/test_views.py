"""Pages of the pipeline, projects and action plans, and the workspace forms for them."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest

from ascn.core.models import AuditEntry
from ascn.plans.models import ActionPlan, Comment, Project, StrategicTarget

from .helpers import node, partner, project, refs, state

pytestmark = pytest.mark.django_db


def field_errors(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<small class="field-error" role="alert">(.*?)</small>', html)]


def facet_counts(response, name):
    return {v.value: v.count for v in response.context["facets"].groups[name]}


# --- Pipeline -------------------------------------------------------------------------------------


def test_pipeline_page_shows_results_and_facets(client):
    response = client.get("/projects/")
    assert response.status_code == 200
    assert response.context["facets"].total == 136
    assert facet_counts(response, "status") == {"ongoing": 108, "planning": 10, "completed": 18}
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (136, 25, 6)
    html = response.content.decode()
    assert 'data-testid="result-count">136 projects<' in html
    assert "<html" in html
    last = client.get("/projects/?page=6").context["page"]
    assert len(last.object_list) == 11


def test_the_pipelines_filters_name_those_in_use_in_the_readers_language(client):
    chosen = client.get("/vi/projects/?country=VNM&status=planning&q=smart").context["chosen"]
    assert chosen == ["Việt Nam", "Đang lập kế hoạch"]  # the text search has its own box
    # A filter no project matches keeps its name: the choice's label, else the value as given.
    assert client.get("/projects/?country=VNM&status=cancelled").context["chosen"] == ["VNM", "Cancelled"]
    assert client.get("/projects/").context["chosen"] == []


def test_pipeline_page_filters(client):
    response = client.get("/projects/?country=VNM&status=planning")
    assert response.context["facets"].total == 4
    assert set(refs(response.context["page"].object_list)) == {"A113", "A116", "SCAP18-DN1", "SCAP18-HN2"}
    assert facet_counts(response, "city") == {"da-nang": 1, "ha-noi": 2, "ho-chi-minh-city": 1}
    assert 'data-testid="result-count">4 projects<' in response.content.decode()
    vietnam = client.get("/projects/?country=VNM")
    assert facet_counts(vietnam, "status") == {"ongoing": 4, "planning": 4}
    assert [p["slug"] for p in sorted(vietnam.context["map_points"], key=lambda p: p["slug"])] == [
        "da-nang", "ha-noi", "ho-chi-minh-city"]
    assert {p["slug"]: p["count"] for p in vietnam.context["map_points"]} == {
        "da-nang": 3, "ha-noi": 3, "ho-chi-minh-city": 2}
    assert refs(client.get("/projects/?city=ha-noi&sort=title").context["page"]) == ["A113", "SCAP18-HN2", "A114"]
    empty = client.get("/projects/?q=atlantis")
    assert empty.context["page"].paginator.count == 0
    assert "No project matches these filters." in empty.content.decode()


def test_pipeline_page_one_is_the_same_with_or_without_parameters(client):
    """Pagination links add ?page=…: page 1 must list the same projects in the same order as /projects/."""
    plain = [p.pk for p in client.get("/projects/").context["page"]]
    assert [p.pk for p in client.get("/projects/?page=1").context["page"]] == plain
    assert [p.pk for p in client.get("/projects/?q=").context["page"]] == plain
    second = [p.pk for p in client.get("/projects/?page=2").context["page"]]
    assert not set(plain) & set(second)


def test_pipeline_htmx_request_returns_only_the_results(client):
    response = client.get("/projects/?country=VNM", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results" class="pipeline">')
    assert "<html" not in html
    assert "Smart Water Management System" in html
    assert "Kampong Ayer" not in html
    assert 'data-testid="result-count">8 projects<' in html


def test_pipeline_shows_drafts_to_their_city_officer_only(client, csco_danang, draft):
    assert client.get("/projects/?city=da-nang").context["facets"].total == 3
    client.force_login(csco_danang)
    response = client.get("/projects/?city=da-nang")
    assert response.context["facets"].total == 4
    assert response.context["can_create"] is True
    assert "Smart parking pilot (draft)" in response.content.decode()


# --- Project page and history ---------------------------------------------------------------------


def test_project_page_for_the_public(client):
    a112 = project("A112")
    response = client.get(f"/projects/{a112.pk}/")
    assert response.status_code == 200
    assert response.context["project"] == a112
    assert (response.context["can_edit"], response.context["can_comment"], response.context["can_see_history"]) == (
        False, False, False)
    html = response.content.decode()
    assert "<h1>Smart Water Management System</h1>" in html
    assert "M&amp;E no. A112" in html
    assert "Smart City Action Plan of Da Nang (2018)" in html
    assert "Edit project" not in html
    assert "Change history" not in html
    assert client.get("/projects/999999/").status_code == 404


def test_project_page_for_the_city_officer_and_the_nr(client, csco_danang, nr_vietnam):
    a112 = project("A112")
    client.force_login(csco_danang)
    response = client.get(f"/projects/{a112.pk}/")
    assert (response.context["can_edit"], response.context["can_comment"]) == (True, True)
    html = response.content.decode()
    assert f'href="/projects/{a112.pk}/edit/"' in html
    assert f'href="/projects/{a112.pk}/updates/new/"' in html
    client.force_login(nr_vietnam)
    response = client.get(f"/projects/{a112.pk}/")
    assert (response.context["can_edit"], response.context["can_comment"]) == (False, True)
    assert "Edit project" not in response.content.decode()


def test_draft_project_page_is_for_its_scope_only(client, draft, csco_danang, nr_vietnam, nr_thailand, partner_jica):
    path = f"/projects/{draft.pk}/"
    assert client.get(path).status_code == 404
    for user, status in ((partner_jica, 404), (nr_thailand, 404), (nr_vietnam, 200), (csco_danang, 200)):
        client.force_login(user)
        assert client.get(path).status_code == status


def test_history_page_is_for_network_members(client, csco_danang, nr_vietnam, partner_jica, no_role_user):
    from ascn.plans.actions import update_project

    a112 = project("A112")
    update_project(csco_danang, a112, {"title": "Smart Water Management System, phase 2"})
    path = f"/projects/{a112.pk}/history/"
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"
    for user in (partner_jica, no_role_user):
        client.force_login(user)
        assert client.get(path).status_code == 403
    client.force_login(nr_vietnam)
    response = client.get(path)
    assert response.status_code == 200
    items = response.context["items"]
    recorded = AuditEntry.objects.filter(content_type__model="project", object_id=str(a112.pk)).count()
    updates = AuditEntry.objects.filter(content_type__model="progressupdate",
                                        object_id__in=[str(pk) for pk in a112.updates.values_list("pk", flat=True)])
    assert len(items) == response.context["page"].paginator.count == recorded + updates.count()
    assert (items[0].kind, items[0].via, items[0].actor, items[0].title) == ("update", "web", csco_danang,
                                                                             "Project changed")
    assert [(line.label, line.old.text, line.new.text) for line in items[0].lines] == [
        ("Title", "Smart Water Management System", "Smart Water Management System, phase 2")]
    assert (items[-1].kind, items[-1].via, items[-1].actor, items[-1].who) == ("create", "seed", None, "reference data")
    html = response.content.decode()
    assert "csco-dn" in html
    assert ('<strong>Title</strong>: <span class="history-value">Smart Water Management System</span> → '
            '<span class="history-value">Smart Water Management System, phase 2</span>') in html


# --- Comments -------------------------------------------------------------------------------------


def test_nr_comments_on_a_project_page(client, nr_vietnam):
    a112 = project("A112")
    client.force_login(nr_vietnam)
    response = client.post(f"/projects/{a112.pk}/comments/", {"body": "Please add the cost estimate."})
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{a112.pk}/"
    assert list(Comment.objects.values_list("project__reference", "author__username", "body")) == [
        ("A112", "nr-vn", "Please add the cost estimate.")]
    assert "Please add the cost estimate." in client.get(f"/projects/{a112.pk}/").content.decode()
    client.post(f"/projects/{a112.pk}/comments/", {"body": ""})
    assert Comment.objects.count() == 1


def test_the_comment_form_is_offered_only_where_the_user_may_comment(client, nr_vietnam, nr_thailand, csco_danang,
                                                                    secretariat):
    a112, a113 = project("A112"), project("A113")
    for user, target, expected in ((nr_vietnam, a112, True), (secretariat, a112, True), (csco_danang, a112, True),
                                   (nr_thailand, a112, False), (csco_danang, a113, False)):
        client.force_login(user)
        response = client.get(f"/projects/{target.pk}/")
        assert response.context["can_comment"] is expected, (user.username, target.reference)
        assert (f'action="/projects/{target.pk}/comments/"' in response.content.decode()) is expected


def test_partners_and_the_public_cannot_comment_on_a_project_page(client, partner_jica, no_role_user):
    a112 = project("A112")
    before = state()
    response = client.post(f"/projects/{a112.pk}/comments/", {"body": "Hello"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    for user in (partner_jica, no_role_user):
        client.force_login(user)
        assert client.post(f"/projects/{a112.pk}/comments/", {"body": "Hello"}).status_code == 403
    assert state() == before


# --- Action plan pages ----------------------------------------------------------------------------


BATTAMBANG_TARGETS = [
    "At least 2800 young people with specific job skills", "Half of the street vendors move to formal retail",
    "Two wastewater treatment plants", "85 % of settlements connected to sewers", "Asphalted roads up to 30 % by 2022",
    "Asphalted roads up to 40 % by 2025",
]


def test_city_plan_page_of_battambang(client):
    response = client.get("/cities/battambang/plan/")
    assert response.status_code == 200
    current = response.context["current"]
    assert (current.city.slug, current.year, current.horizon_year) == ("battambang", 2018, 2025)
    assert [t.statement for t in current.targets.all()] == BATTAMBANG_TARGETS
    assert [(plan.year, changes) for plan, changes in response.context["versions"]] == [(2018, [])]
    assert response.context["can_create"] is False
    html = response.content.decode()
    for statement in BATTAMBANG_TARGETS:
        assert statement in html
    assert "17 % (2016)" in html
    assert "Urban Street and Public Space Management" in html
    assert "Solid and Liquid Waste Management" in html
    assert client.get("/cities/atlantis/plan/").status_code == 404


def test_city_plan_page_of_a_city_without_a_plan(client):
    response = client.get("/cities/singapore/plan/")
    assert response.status_code == 200
    assert response.context["current"] is None
    assert response.context["versions"] == []
    assert "No action plan is published for this city yet." in response.content.decode()


def test_city_officer_starts_a_new_version_and_the_page_shows_what_changed(client, csco_danang):
    client.force_login(csco_danang)
    assert client.get("/cities/da-nang/plan/").context["can_create"] is True
    response = client.post("/cities/da-nang/plan/new/", {"year": "2026"})
    new = ActionPlan.objects.get(city__slug="da-nang", year=2026)
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{new.pk}/edit/"
    assert new.targets.count() == 3
    edit = client.post(f"/plans/{new.pk}/edit/", {
        "vision": "A smart, green city by 2035", "horizon_year": "2035",
        "focus_areas": [node("quality_environment").pk], "priority_projects": [project("A112").pk]})
    assert edit.status_code == 302
    page = client.get("/cities/da-nang/plan/")
    assert [plan.year for plan, _changes in page.context["versions"]] == [2026, 2018]
    html = page.content.decode()
    assert "Versions and what changed" in html
    assert "Vision changed" in html and "A smart, green city by 2035" in html
    assert "Horizon moved from 2030 to 2035" in html
    assert "Focus area added: Quality Environment" in html
    assert "Priority project removed: Intelligent Traffic Control System" in html
    # The new version is a draft: the public still sees 2018 as the current plan.
    client.logout()
    public = client.get("/cities/da-nang/plan/")
    assert public.context["current"].year == 2018
    assert [plan.year for plan, _changes in public.context["versions"]] == [2018]


def test_next_version_of_a_plan_whose_horizon_has_passed(client, secretariat):
    client.force_login(secretariat)
    response = client.post("/cities/ho-chi-minh-city/plan/new/", {"year": "2026"})
    new = ActionPlan.objects.filter(city__slug="ho-chi-minh-city", year=2026).first()
    assert new is not None, [str(m) for m in client.get("/cities/ho-chi-minh-city/plan/").context["messages"]]
    assert response["Location"] == f"/plans/{new.pk}/edit/"
    assert new.targets.count() == 4


def test_others_cannot_start_or_edit_a_plan(client, nr_vietnam, csco_danang):
    plan = ActionPlan.objects.get(city__slug="da-nang")
    target = plan.targets.get(position=1)
    hanoi = ActionPlan.objects.get(city__slug="ha-noi")
    before = state()
    client.force_login(nr_vietnam)
    assert client.post("/cities/da-nang/plan/new/", {"year": "2026"}).status_code == 403
    assert client.get(f"/plans/{plan.pk}/edit/").status_code == 404
    assert client.post(f"/plans/{plan.pk}/edit/", {"vision": "x"}).status_code == 404
    assert client.post(f"/plans/{plan.pk}/targets/", {"target-statement": "x"}).status_code == 404
    assert client.post(f"/targets/{target.pk}/delete/").status_code == 403
    client.force_login(csco_danang)
    assert client.post("/cities/ha-noi/plan/new/", {"year": "2026"}).status_code == 403
    assert client.get(f"/plans/{hanoi.pk}/edit/").status_code == 404
    assert client.post(f"/targets/{hanoi.targets.first().pk}/delete/").status_code == 403
    client.logout()
    assert client.post("/cities/da-nang/plan/new/", {"year": "2026"}).status_code == 302
    assert state() == before


def test_plan_edit_form(client, csco_danang):
    plan = ActionPlan.objects.get(city__slug="da-nang")
    client.force_login(csco_danang)
    page = client.get(f"/plans/{plan.pk}/edit/")
    assert page.status_code == 200
    assert [t.statement for t in page.context["targets"]] == [
        "Smart ICT infrastructure and key databases in place", "Smart applications in 16 key domains",
        "An innovative ecosystem"]
    before = state()
    invalid = client.post(f"/plans/{plan.pk}/edit/", {"vision": "x", "horizon_year": "2010"})
    assert invalid.status_code == 422
    assert invalid.context["form"].errors == {"horizon_year": [
        "Ensure this value is greater than or equal to 2018.", "The horizon cannot be before the plan's year."]}
    assert state() == before
    saved = client.post(f"/plans/{plan.pk}/edit/", {
        "vision": plan.vision, "horizon_year": "2030", "is_published": "on",
        "focus_areas": [node("built_infrastructure").pk, node("safety_security").pk],
        "priority_projects": [project("A112").pk, project("SCAP18-DN1").pk, project("A111").pk]})
    assert saved.status_code == 302
    entry = AuditEntry.objects.filter(content_type__model="actionplan", object_id=str(plan.pk)).latest("id")
    assert entry.changes == {
        "focus_areas": [[], ["built_infrastructure", "safety_security"]],
        "priority_projects": [sorted([project("A112").pk, project("SCAP18-DN1").pk]),
                              sorted([project("A112").pk, project("SCAP18-DN1").pk, project("A111").pk])],
    }
    assert entry.via == "web"


def test_plan_targets_are_added_and_removed_in_the_form(client, csco_danang):
    plan = ActionPlan.objects.get(city__slug="da-nang")
    client.force_login(csco_danang)
    before = state()
    invalid = client.post(f"/plans/{plan.pk}/targets/", {"target-statement": "Electric buses",
                                                         "target-baseline_value": "10"})
    assert invalid.status_code == 422
    assert invalid.context["target_form"].errors == {
        "baseline_year": ["Give the baseline value and its year together."]}
    assert state() == before
    added = client.post(f"/plans/{plan.pk}/targets/", {
        "target-statement": "Half of the buses electric", "target-metric": "Electric buses", "target-unit": "%",
        "target-baseline_value": "10", "target-baseline_year": "2024", "target-target_value": "50",
        "target-target_year": "2030"})
    assert added.status_code == 302
    assert added["Location"] == f"/plans/{plan.pk}/edit/"
    target = plan.targets.get(position=4)
    assert (target.statement, target.baseline_value, target.baseline_year, target.target_value, target.target_year) == (
        "Half of the buses electric", Decimal("10"), 2024, Decimal("50"), 2030)
    removed = client.post(f"/targets/{target.pk}/delete/")
    assert removed.status_code == 302
    assert not StrategicTarget.objects.filter(pk=target.pk).exists()
    assert plan.targets.count() == 3
    assert [e.changes for e in AuditEntry.objects.filter(content_type__model="actionplan",
                                                         object_id=str(plan.pk)).order_by("id")][-2:] == [
        {"targets": [None, "Half of the buses electric"]}, {"targets": ["Half of the buses electric", None]}]


def test_city_profile_shows_its_projects_and_plan(client, csco_danang, draft):
    html = client.get("/cities/da-nang/").content.decode()
    for title in ("Intelligent Operation Centre", "Intelligent Traffic Control System",
                  "Smart Water Management System"):
        assert title in html
    assert "Smart parking pilot (draft)" not in html
    assert "Ongoing: 2</a>" in html
    assert "Planning: 1</a>" in html
    assert "Current version: 2018" in html
    client.force_login(csco_danang)
    mine = client.get("/cities/da-nang/").content.decode()
    assert "Smart parking pilot (draft)" in mine
    assert "Planning: 2</a>" in mine
    singapore = client.get("/cities/singapore/").content.decode()
    assert "No action plan is published for this city yet." in singapore


# --- Workspace: project forms ---------------------------------------------------------------------


def project_form_data(**overrides):
    return {
        "city": "da-nang", "title": "Smart parking pilot", "reference": "", "objective": "Fewer cars searching",
        "description": "", "focus_area": node("built_infrastructure").pk,
        "project_type": node("built_infrastructure.mobility_transportation").pk, "stage": "feasibility",
        "start_date": "2027-01-01", "end_date": "2028-12-31", "currency": "USD", "cost_estimate": "1500000",
        "funding_secured": "250000", "support_notes": "", "is_published": "on", "support": ["financial", "technical"],
        "partners": [partner("jica").pk], "secondary_tags": [node("technological_digital_solutions").pk],
        **overrides,
    }


def test_city_officer_records_a_project(client, csco_danang):
    client.force_login(csco_danang)
    form_page = client.get("/projects/new/")
    assert form_page.status_code == 200
    assert form_page.context["city"].slug == "da-nang"
    response = client.post("/projects/new/", project_form_data())
    created = Project.objects.get(title="Smart parking pilot")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{created.pk}/"
    assert (created.city.slug, created.status, created.stage, created.is_published) == (
        "da-nang", "planning", "feasibility", True)
    assert (created.start_date, created.end_date, created.cost_estimate, created.funding_gap) == (
        dt.date(2027, 1, 1), dt.date(2028, 12, 31), Decimal("1500000"), Decimal("1250000"))
    assert list(created.support_needs.values_list("kind", flat=True)) == ["financial", "technical"]
    assert list(created.partners.values_list("slug", flat=True)) == ["jica"]
    assert [n.code for n in created.secondary_nodes] == ["technological_digital_solutions"]
    assert AuditEntry.objects.filter(content_type__model="project", object_id=str(created.pk), actor=csco_danang,
                                     via="web").count() == 4


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"funding_secured": "2000000"}, {"funding_secured": ["Funding secured cannot exceed the cost estimate."]}),
    ({"end_date": "2026-01-01"}, {"end_date": ["The end must not be before the start."]}),
    ({"title": ""}, {"title": ["This field is required."]}),
])
def test_project_form_names_the_invalid_field_and_writes_nothing(client, csco_danang, overrides, expected):
    client.force_login(csco_danang)
    before = state()
    response = client.post("/projects/new/", project_form_data(**overrides))
    assert response.status_code == 422
    assert response.context["form"].errors == expected
    message = next(iter(expected.values()))[0]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert state() == before


def test_new_project_form_checks_inline_only_the_fields_filled_in(client, csco_danang):
    """HTMX posts the form while it is filled in: errors of the filled fields, none for the empty ones."""
    client.force_login(csco_danang)
    before = state()
    response = client.post("/projects/new/", {"city": "da-nang", "title": "Parking", "currency": "XYZ",
                                              "_validate": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="project-form"')  # only the form, swapped in place
    assert field_errors(html) == ["“XYZ” is not an ISO 4217 currency code."]
    fine = client.post("/projects/new/", {**project_form_data(), "_validate": "1"}, headers={"HX-Request": "true"})
    assert (fine.status_code, field_errors(fine.content.decode())) == (200, [])
    assert state() == before  # checking never saves


def test_plan_and_target_forms_check_inline_and_write_nothing(client, csco_danang):
    plan = ActionPlan.objects.get(city__slug="da-nang")
    client.force_login(csco_danang)
    before = state()
    plan_check = client.post(f"/plans/{plan.pk}/edit/", {"vision": "", "horizon_year": "2010", "_validate": "1"},
                             headers={"HX-Request": "true"})
    assert plan_check.status_code == 422
    assert plan_check.content.decode().lstrip().startswith('<form id="plan-form"')
    assert field_errors(plan_check.content.decode()) == [
        "Ensure this value is greater than or equal to 2018.", "The horizon cannot be before the plan's year."]
    target_check = client.post(f"/plans/{plan.pk}/targets/", {"target-statement": "Electric buses",
                                                              "target-baseline_value": "10", "_validate": "1"},
                               headers={"HX-Request": "true"})
    assert target_check.status_code == 422
    assert target_check.content.decode().lstrip().startswith('<form id="target-form"')
    assert field_errors(target_check.content.decode()) == ["Give the baseline value and its year together."]
    assert state() == before


def test_project_type_of_another_focus_area_is_refused_in_the_form(client, csco_danang):
    client.force_login(csco_danang)
    before = state()
    response = client.post("/projects/new/", project_form_data(focus_area=node("civic_social").pk))
    assert response.status_code == 422
    assert response.context["form"].errors == {"project_type": ["This project type belongs to another focus area."]}
    assert state() == before


def test_who_may_open_the_project_form(client, nr_vietnam, partner_jica, secretariat):
    assert client.get("/projects/new/").status_code == 302
    for user in (nr_vietnam, partner_jica):
        client.force_login(user)
        assert client.get("/projects/new/").status_code == 403
    client.force_login(secretariat)
    choose = client.get("/projects/new/")
    assert choose.status_code == 200
    assert choose.templates[0].name == "plans/choose_city.html"
    assert client.get("/projects/new/?city=ha-noi").context["city"].slug == "ha-noi"


def test_city_officer_edits_a_project(client, csco_danang):
    a112 = project("A112")
    client.force_login(csco_danang)
    page = client.get(f"/projects/{a112.pk}/edit/")
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert (initial["title"], initial["support"], initial["partners"]) == ("Smart Water Management System", [], [])
    data = {"title": "Smart Water Management System, phase 2", "reference": "A112", "objective": "", "description": "",
            "focus_area": node("quality_environment").pk, "project_type": "", "stage": "implementation",
            "start_date": "", "end_date": "", "currency": "USD", "cost_estimate": "", "funding_secured": "",
            "support_notes": "", "is_published": "on", "support": ["advisory"]}
    response = client.post(f"/projects/{a112.pk}/edit/", data)
    assert response.status_code == 302
    a112.refresh_from_db()
    assert (a112.title, a112.stage, a112.status) == ("Smart Water Management System, phase 2", "implementation",
                                                     "ongoing")
    assert list(a112.support_needs.values_list("kind", flat=True)) == ["advisory"]
    changes = [e.changes for e in AuditEntry.objects.filter(content_type__model="project", object_id=str(a112.pk),
                                                            via="web").order_by("id")]
    assert changes == [
        {"title": ["Smart Water Management System", "Smart Water Management System, phase 2"],
         "stage": ["", "implementation"]},
        {"support": [{}, {"advisory": ""}]},
    ]
    before = state()
    invalid = client.post(f"/projects/{a112.pk}/edit/", {**data, "start_date": "2027-01-01",
                                                          "end_date": "2026-01-01"})
    assert invalid.status_code == 422
    assert invalid.context["form"].errors == {"end_date": ["The end must not be before the start."]}
    inline = client.post(f"/projects/{a112.pk}/edit/", {**data, "title": "Renamed", "_validate": "1"},
                         headers={"HX-Request": "true"})
    assert inline.status_code == 200
    assert inline.content.decode().lstrip().startswith('<form id="project-form"')
    assert state() == before


def test_others_cannot_edit_a_project_in_the_workspace(client, csco_danang, nr_vietnam):
    a112, a113 = project("A112"), project("A113")
    before = state()
    client.force_login(nr_vietnam)
    assert client.get(f"/projects/{a112.pk}/edit/").status_code == 404
    assert client.post(f"/projects/{a112.pk}/edit/", {"title": "X"}).status_code == 404
    assert client.post(f"/projects/{a112.pk}/updates/new/", {"date": "2026-01-01", "status": "completed"}
                       ).status_code == 404
    client.force_login(csco_danang)
    assert client.post(f"/projects/{a113.pk}/edit/", {"title": "X"}).status_code == 404
    client.logout()
    assert client.post(f"/projects/{a112.pk}/edit/", {"title": "X"}).status_code == 302
    assert state() == before


def test_progress_update_form(client, csco_danang):
    a112 = project("A112")
    client.force_login(csco_danang)
    page = client.get(f"/projects/{a112.pk}/updates/new/")
    assert page.status_code == 200
    assert page.context["form"].initial == {"status": "ongoing"}
    before = state()
    invalid = client.post(f"/projects/{a112.pk}/updates/new/", {"date": "2026-03-01", "status": "completed",
                                                                "percent_complete": "40"})
    assert invalid.status_code == 422
    assert invalid.context["form"].errors == {"percent_complete": ["A completed project is 100 percent complete."]}
    assert state() == before
    response = client.post(f"/projects/{a112.pk}/updates/new/", {"date": "2026-03-01", "status": "completed",
                                                                 "percent_complete": "100", "progress": "In operation"})
    assert response.status_code == 302
    a112.refresh_from_db()
    assert a112.status == "completed"
    assert list(a112.updates.values_list("date", "status", "percent_complete", "author__username")) == [
        (dt.date(2026, 3, 1), "completed", 100, "csco-dn"), (dt.date(2025, 9, 30), "ongoing", None, None)]
