"""API v1 of projects, progress updates and action plans: reads, filters, writes, permissions, errors."""

import pytest

from ascn.core.models import AuditEntry
from ascn.plans.models import ActionPlan, Project

from .helpers import project, state

pytestmark = pytest.mark.django_db

LIST_FIELDS = {
    "id", "reference", "title", "city", "city_name", "country", "objective", "description", "focus_area",
    "project_type", "status", "stage", "start_date", "end_date", "currency", "cost_estimate", "funding_secured",
    "funding_gap", "support", "support_notes", "is_published", "source", "updated_at",
}
DETAIL_FIELDS = LIST_FIELDS | {"partners", "secondary_tags", "links", "documents"}
A112_SOURCE = "S8 Appendix A; on-going per S8 Exhibit 2 (coloured icon)"


def without_volatile(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in ("id", "updated_at")}


# --- Reads ----------------------------------------------------------------------------------------


def test_projects_list_is_paginated_with_items_and_count(api):
    body = api.get("/projects").json()
    assert set(body) == {"items", "count"}
    assert body["count"] == 136
    assert len(body["items"]) == 50
    assert set(body["items"][0]) == LIST_FIELDS
    page = api.get("/projects?sort=reference&limit=3&offset=0").json()
    assert [p["reference"] for p in page["items"]] == ["A1", "A10", "A100"]
    assert page["count"] == 136
    last = api.get("/projects?sort=reference&limit=3&offset=135").json()
    assert [p["reference"] for p in last["items"]] == ["SCAP18-HN2"]


def test_projects_list_default_order_is_by_title_as_documented(api):
    """docs/api.md: `sort` is `title` (default) — the same order as the pipeline page."""
    default = [p["id"] for p in api.get("/projects?limit=500").json()["items"]]
    assert default == [p["id"] for p in api.get("/projects?limit=500&sort=title").json()["items"]]


def test_projects_list_filters(api):
    def refs(query):
        body = api.get(f"/projects?limit=500&{query}").json()
        assert body["count"] == len(body["items"])
        return {p["reference"] for p in body["items"]}

    assert refs("country=VNM") == {"A111", "A112", "A113", "A114", "A115", "A116", "SCAP18-DN1", "SCAP18-HN2"}
    assert refs("city=da-nang") == {"A111", "A112", "SCAP18-DN1"}
    assert refs("country=VNM&status=planning") == {"A113", "A116", "SCAP18-DN1", "SCAP18-HN2"}
    assert len(refs("status=completed")) == 18
    assert len(refs("focus_area=health_wellbeing")) == 8
    assert refs("project_type=built_infrastructure.mobility_transportation") == {"SCAP18-DN1", "SCAP18-HN2"}
    assert refs("q=water&country=VNM") == {"A112"}
    assert refs("q=%C4%90%C3%A0%20N%E1%BA%B5ng") == {"SCAP18-DN1"}  # "Đà Nẵng" finds "… Action Plan of Da Nang"
    assert refs("stage=concept") == set()
    assert refs("support=financial") == set()
    assert [p["reference"] for p in api.get("/projects?city=ha-noi&sort=title").json()["items"]] == [
        "A113", "SCAP18-HN2", "A114"]


def test_projects_list_rejects_bad_filters_in_the_common_format(api):
    bad = api.get("/projects?status=finished")
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_input"
    assert [e["field"] for e in bad.json()["errors"]] == ["status"]
    assert [e["field"] for e in api.get("/projects?sort=bogus").json()["errors"]] == ["sort"]


def test_projects_facets(api):
    body = api.get("/projects/facets?country=VNM").json()
    assert body["total"] == 8
    groups = {name: {v["value"]: v["count"] for v in values} for name, values in body["groups"].items()}
    assert groups["status"] == {"ongoing": 4, "planning": 4}
    assert groups["city"] == {"da-nang": 3, "ha-noi": 3, "ho-chi-minh-city": 2}
    assert groups["focus_area"] == {"safety_security": 3, "built_infrastructure": 3, "quality_environment": 1,
                                    "civic_social": 1}
    assert groups["project_type"] == {"built_infrastructure.mobility_transportation": 2}
    assert groups["stage"] == groups["support"] == {}
    assert groups["country"]["VNM"] == 8
    assert {v["value"]: v["label"] for v in body["groups"]["status"]} == {"ongoing": "Ongoing", "planning": "Planning"}
    assert api.get("/projects/facets").json()["total"] == 136


def test_project_detail(api):
    a112 = project("A112")
    body = api.get(f"/projects/{a112.pk}").json()
    assert set(body) == DETAIL_FIELDS
    assert body["id"] == a112.pk
    assert without_volatile(body) == {
        "reference": "A112", "title": "Smart Water Management System", "city": "da-nang", "city_name": "Da Nang",
        "country": "VNM", "objective": "", "description": "", "focus_area": "quality_environment",
        "project_type": None, "status": "ongoing", "stage": "", "start_date": None, "end_date": None,
        "currency": "USD", "cost_estimate": None, "funding_secured": None, "funding_gap": None, "support": [],
        "support_notes": "", "is_published": True, "source": A112_SOURCE, "partners": [], "secondary_tags": [],
        "links": [], "documents": [],
    }


def test_project_detail_lists_its_documents_with_their_download_address(api, csco_danang, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ascn.plans.actions import attach_document

    a112 = project("A112")
    document = attach_document(csco_danang, a112, "Tender notice", SimpleUploadedFile("notice.pdf", b"%PDF-1.4"))
    [listed] = api.get(f"/projects/{a112.pk}").json()["documents"]
    assert (listed["id"], listed["title"]) == (document.pk, "Tender notice")
    assert listed["url"] == f"/projects/{a112.pk}/documents/{document.pk}/"
    assert api.client.get(listed["url"]).status_code == 200


def test_unknown_project_is_a_404_in_the_common_format(api):
    response = api.get("/projects/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No project with the id 999999.", "code": "not_found"}
    assert api.get("/projects/999999/updates").json() == {"detail": "No project with the id 999999.",
                                                          "code": "not_found"}


def test_a_draft_is_visible_to_its_city_officer_and_nr_only(api, api_as, csco_danang, nr_vietnam, nr_thailand,
                                                             partner_jica, draft):
    path = f"/projects/{draft.pk}"
    assert api.get(path).json() == {"detail": f"No project with the id {draft.pk}.", "code": "not_found"}
    assert api_as(nr_thailand).get(path).status_code == 404
    assert api_as(partner_jica).get(path).status_code == 404
    assert api_as(csco_danang).get(path).json()["is_published"] is False
    assert api_as(nr_vietnam).get(path).json()["title"] == "Smart parking pilot (draft)"
    assert api.get("/projects").json()["count"] == 136
    assert api_as(csco_danang).get("/projects").json()["count"] == 137
    assert api_as(csco_danang).get("/projects/facets?city=da-nang").json()["total"] == 4


# --- Writes ---------------------------------------------------------------------------------------

NEW_PROJECT = {
    "city": "da-nang", "title": "Smart parking pilot", "reference": "DN-2027-01", "focus_area": "built_infrastructure",
    "project_type": "built_infrastructure.mobility_transportation", "stage": "feasibility",
    "start_date": "2027-01-01", "end_date": "2028-12-31", "currency": "USD", "cost_estimate": "1500000",
    "funding_secured": "250000", "support": {"technical": "Sensor specifications", "financial": "Loan"},
    "support_notes": "Financing structure", "partners": ["jica", "adb"],
    "secondary_tags": ["technological_digital_solutions", "partnership_funding"],
    "links": [{"label": "Concept note", "url": "https://example.invalid/concept.pdf"}], "is_published": True,
    "source": "City submission",
}


def test_city_officer_creates_a_project(api_as, csco_danang):
    client = api_as(csco_danang)
    audit_before = AuditEntry.objects.count()
    response = client.post("/projects", NEW_PROJECT)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == DETAIL_FIELDS
    assert {**without_volatile(body), "secondary_tags": sorted(body["secondary_tags"])} == {
        "reference": "DN-2027-01", "title": "Smart parking pilot", "city": "da-nang", "city_name": "Da Nang",
        "country": "VNM", "objective": "", "description": "", "focus_area": "built_infrastructure",
        "project_type": "built_infrastructure.mobility_transportation", "status": "planning", "stage": "feasibility",
        "start_date": "2027-01-01", "end_date": "2028-12-31", "currency": "USD", "cost_estimate": "1500000.00",
        "funding_secured": "250000.00", "funding_gap": "1250000.00",
        "support": [{"kind": "financial", "details": "Loan"}, {"kind": "technical", "details": "Sensor specifications"}],
        "support_notes": "Financing structure", "is_published": True, "source": "City submission",
        "partners": ["adb", "jica"], "secondary_tags": ["partnership_funding", "technological_digital_solutions"],
        "links": [{"label": "Concept note", "url": "https://example.invalid/concept.pdf"}], "documents": [],
    }
    created = Project.objects.get(pk=body["id"])
    assert (created.city.slug, created.reference, created.status) == ("da-nang", "DN-2027-01", "planning")
    entries = AuditEntry.objects.filter(content_type__model="project", object_id=str(created.pk)).order_by("id")
    assert [(e.action, e.via, e.actor) for e in entries] == [
        ("create", "api", csco_danang), ("update", "api", csco_danang), ("update", "api", csco_danang),
        ("update", "api", csco_danang)]
    assert AuditEntry.objects.count() == audit_before + 4
    assert [e.changes for e in entries[1:]] == [
        {"support": [{}, {"financial": "Loan", "technical": "Sensor specifications"}]},
        {"partners": [[], ["adb", "jica"]]},
        {"framework_secondary": [[], ["partnership_funding", "technological_digital_solutions"]]},
    ]


@pytest.mark.parametrize(("role", "city"), [("nr", "da-nang"), ("partner", "da-nang"), ("csco", "ha-noi"),
                                            ("none", "da-nang")])
def test_denied_project_creation_is_a_403_and_changes_nothing(api_as, accounts, role, city):
    client = api_as(accounts[role])
    before = state()
    response = client.post("/projects", {**NEW_PROJECT, "city": city})
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not create this record here.", "code": "permission_denied"}
    assert state() == before


def test_writes_need_a_token(api, draft):
    before = state()
    for response in (api.post("/projects", NEW_PROJECT), api.patch(f"/projects/{draft.pk}", {"title": "X"}),
                     api.delete(f"/projects/{draft.pk}"),
                     api.post(f"/projects/{draft.pk}/updates", {"date": "2026-01-01", "status": "ongoing"})):
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    assert state() == before


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"focus_area": "smart_stuff"}, "focus_area", "Unknown code “smart_stuff”."),
    ({"project_type": "civic_social"}, "project_type", "Unknown code “civic_social”."),
    ({"city": "atlantis"}, "city", "Unknown value “atlantis”."),
    ({"partners": ["jica", "acme"]}, "partners", "Unknown partners: acme."),
    ({"secondary_tags": ["no_such_node"]}, "secondary_tags", "Unknown code “no_such_node”."),
    ({"project_type": "built_infrastructure.utilities", "focus_area": "civic_social"}, "project_type",
     "This project type belongs to another focus area."),
    ({"funding_secured": "2000000"}, "funding_secured", "Funding secured cannot exceed the cost estimate."),
    ({"end_date": "2026-01-01"}, "end_date", "The end must not be before the start."),
])
def test_invalid_project_is_a_422_naming_the_field_and_changes_nothing(api_as, csco_danang, change, field, message):
    client = api_as(csco_danang)
    before = state()
    response = client.post("/projects", {**NEW_PROJECT, **change})
    assert response.status_code == 422
    assert response.json() == {"detail": f"{field}: {message}", "code": "invalid_record",
                               "errors": [{"field": field, "message": message}]}
    assert state() == before


def test_a_duplicate_reference_is_a_422_naming_the_reference(api_as, csco_danang):
    client = api_as(csco_danang)
    before = state()
    response = client.post("/projects", {**NEW_PROJECT, "reference": "A112"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_record"
    assert [e["field"] for e in response.json()["errors"]] == ["reference"]
    assert state() == before


def test_malformed_body_is_a_422_naming_the_field(api_as, csco_danang):
    client = api_as(csco_danang)
    before = state()
    for change, field in (({"support": {"loans": "x"}}, "support.loans.[key]"), ({"currency": "usd"}, "currency"),
                          ({"cost_estimate": "-5"}, "cost_estimate"), ({"stage": "dreaming"}, "stage"),
                          ({"links": [{"url": "ftp://x"}]}, "links.0.url")):
        response = client.post("/projects", {**NEW_PROJECT, **change})
        assert response.status_code == 422, change
        assert response.json()["code"] == "invalid_input"
        assert [e["field"] for e in response.json()["errors"]] == [field], change
    assert state() == before


def test_city_officer_patches_a_project(api_as, csco_danang):
    a112 = project("A112")
    client = api_as(csco_danang)
    response = client.patch(f"/projects/{a112.pk}", {
        "title": "Smart Water Management System, phase 2", "cost_estimate": "1000000", "funding_secured": "400000",
        "support": {"advisory": "Tariff design"}, "partners": ["undp"]})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["cost_estimate"], body["funding_secured"], body["funding_gap"]) == (
        "Smart Water Management System, phase 2", "1000000.00", "400000.00", "600000.00")
    assert (body["support"], body["partners"], body["status"]) == (
        [{"kind": "advisory", "details": "Tariff design"}], ["undp"], "ongoing")
    entries = AuditEntry.objects.filter(content_type__model="project", object_id=str(a112.pk), via="api")
    assert [e.changes for e in entries.order_by("id")] == [
        {"title": ["Smart Water Management System", "Smart Water Management System, phase 2"],
         "cost_estimate": [None, "1000000"], "funding_secured": [None, "400000"]},
        {"support": [{}, {"advisory": "Tariff design"}]},
        {"partners": [[], ["undp"]]},
    ]
    audit_before = AuditEntry.objects.count()
    assert client.patch(f"/projects/{a112.pk}", {"cost_estimate": "1000000.00"}).status_code == 200
    assert AuditEntry.objects.count() == audit_before


def test_patching_the_status_does_not_change_it(api_as, csco_danang):
    """The status changes only through progress updates (docs/api.md)."""
    client = api_as(csco_danang)
    a112 = project("A112")
    before = state()
    response = client.patch(f"/projects/{a112.pk}", {"status": "completed"})
    assert response.status_code in (200, 422)
    assert project("A112").status == "ongoing"
    assert state() == before


def test_denied_or_invalid_patches_change_nothing(api_as, csco_danang, nr_vietnam, partner_jica, draft):
    nr, partner, csco = api_as(nr_vietnam), api_as(partner_jica), api_as(csco_danang)
    before = state()
    a112, a113 = project("A112"), project("A113")
    assert nr.patch(f"/projects/{a112.pk}", {"title": "X"}).json() == {
        "detail": "You may not change this record.", "code": "permission_denied"}
    assert partner.patch(f"/projects/{a112.pk}", {"title": "X"}).status_code == 403
    assert csco.patch(f"/projects/{a113.pk}", {"title": "X"}).status_code == 403
    assert partner.patch(f"/projects/{draft.pk}", {"title": "X"}).status_code == 404
    invalid = csco.patch(f"/projects/{a112.pk}", {"cost_estimate": "100", "funding_secured": "200"})
    assert invalid.status_code == 422
    assert invalid.json()["errors"] == [{"field": "funding_secured",
                                         "message": "Funding secured cannot exceed the cost estimate."}]
    assert state() == before


def test_delete_a_project(api_as, csco_danang, nr_vietnam, draft):
    nr, csco = api_as(nr_vietnam), api_as(csco_danang)
    before = state()
    a113 = project("A113")
    assert nr.delete(f"/projects/{draft.pk}").status_code == 403
    assert csco.delete(f"/projects/{a113.pk}").status_code == 403
    assert csco.delete("/projects/999999").status_code == 404
    assert state() == before
    response = csco.delete(f"/projects/{draft.pk}")
    assert response.status_code == 204
    assert not Project.objects.filter(pk=draft.pk).exists()
    entry = AuditEntry.objects.filter(content_type__model="project", object_id=str(draft.pk)).latest("id")
    assert (entry.action, entry.via, entry.actor) == ("delete", "api", csco_danang)


# --- Progress updates -----------------------------------------------------------------------------


def test_progress_updates_list_and_status_follows_the_latest(api, api_as, csco_danang):
    a112 = project("A112")
    listed = api.get(f"/projects/{a112.pk}/updates").json()
    assert listed["count"] == 1
    assert without_volatile(listed["items"][0]) == {
        "date": "2025-09-30", "status": "ongoing", "percent_complete": None, "milestones": "", "progress": "",
        "partner_support": "", "challenges": "", "source": A112_SOURCE}
    client = api_as(csco_danang)
    created = client.post(f"/projects/{a112.pk}/updates", {
        "date": "2026-03-01", "status": "completed", "percent_complete": 100, "progress": "In operation"})
    assert created.status_code == 201, created.json()
    assert without_volatile(created.json()) == {
        "date": "2026-03-01", "status": "completed", "percent_complete": 100, "milestones": "",
        "progress": "In operation", "partner_support": "", "challenges": "", "source": ""}
    assert api.get(f"/projects/{a112.pk}").json()["status"] == "completed"
    older = client.post(f"/projects/{a112.pk}/updates", {"date": "2026-01-10", "status": "ongoing",
                                                          "percent_complete": 90})
    assert older.status_code == 201
    assert api.get(f"/projects/{a112.pk}").json()["status"] == "completed"
    assert [(u["date"], u["status"]) for u in api.get(f"/projects/{a112.pk}/updates").json()["items"]] == [
        ("2026-03-01", "completed"), ("2026-01-10", "ongoing"), ("2025-09-30", "ongoing")]
    assert api.get("/projects?status=completed").json()["count"] == 19


def test_invalid_or_denied_progress_updates_change_nothing(api, api_as, csco_danang, nr_vietnam, draft):
    a112 = project("A112")
    client, nr = api_as(csco_danang), api_as(nr_vietnam)
    before = state()
    too_far = client.post(f"/projects/{a112.pk}/updates", {"date": "2026-03-01", "status": "ongoing",
                                                            "percent_complete": 101})
    assert (too_far.status_code, too_far.json()["code"]) == (422, "invalid_input")
    assert [e["field"] for e in too_far.json()["errors"]] == ["percent_complete"]
    half_done = client.post(f"/projects/{a112.pk}/updates", {"date": "2026-03-01", "status": "completed",
                                                              "percent_complete": 40})
    assert half_done.json() == {"detail": "percent_complete: A completed project is 100 percent complete.",
                                "code": "invalid_record",
                                "errors": [{"field": "percent_complete",
                                            "message": "A completed project is 100 percent complete."}]}
    denied = nr.post(f"/projects/{a112.pk}/updates", {"date": "2026-03-01", "status": "completed"})
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    assert api.get(f"/projects/{draft.pk}/updates").status_code == 404
    assert state() == before


# --- Action plans ---------------------------------------------------------------------------------


def test_action_plan_of_battambang_with_its_six_targets(api):
    body = api.get("/action-plans?city=battambang").json()
    assert body["count"] == 1
    plan = body["items"][0]
    assert plan["id"] == ActionPlan.objects.get(city__slug="battambang").pk
    assert sorted(plan["priority_projects"]) == sorted([project("A5").pk, project("A6").pk])
    assert {k: v for k, v in plan.items() if k not in ("id", "priority_projects")} == {
        "city": "battambang", "year": 2018,
        "vision": "Targets by 2025 for youth skills, formal retail, wastewater treatment, sewer connections and "
                  "paved roads (summary of the SCAP)",
        "horizon_year": 2025, "focus_areas": [], "is_published": True,
        "source": "S3 (ASCN Consolidated SCAPs, 8 Jul 2018)",
        "targets": [
            {"statement": "At least 2800 young people with specific job skills",
             "metric": "Young people trained in specific job skills", "unit": "people", "baseline_value": None,
             "baseline_year": None, "target_value": "2800.0000", "target_year": 2025},
            {"statement": "Half of the street vendors move to formal retail", "metric": "Street vendors in formal retail",
             "unit": "%", "baseline_value": None, "baseline_year": None, "target_value": "50.0000", "target_year": 2025},
            {"statement": "Two wastewater treatment plants", "metric": "Wastewater treatment plants", "unit": "plants",
             "baseline_value": None, "baseline_year": None, "target_value": "2.0000", "target_year": 2025},
            {"statement": "85 % of settlements connected to sewers", "metric": "Settlements connected to sewers",
             "unit": "%", "baseline_value": None, "baseline_year": None, "target_value": "85.0000",
             "target_year": 2025},
            {"statement": "Asphalted roads up to 30 % by 2022", "metric": "Asphalted roads", "unit": "%",
             "baseline_value": "17.0000", "baseline_year": 2016, "target_value": "30.0000", "target_year": 2022},
            {"statement": "Asphalted roads up to 40 % by 2025", "metric": "Asphalted roads", "unit": "%",
             "baseline_value": "17.0000", "baseline_year": 2016, "target_value": "40.0000", "target_year": 2025},
        ],
    }


def test_action_plans_current_keeps_the_newest_version_per_city(api):
    everything = api.get("/action-plans").json()
    assert [(p["city"], p["year"]) for p in everything["items"]] == [
        ("battambang", 2018), ("da-nang", 2018), ("ha-noi", 2018), ("ho-chi-minh-city", 2018)]
    plan = ActionPlan.objects.get(city__slug="da-nang")
    plan.pk = None
    plan.year, plan._state.adding = 2024, True
    plan.save()
    current = api.get("/action-plans?current=true").json()
    assert [(p["city"], p["year"]) for p in current["items"]] == [
        ("battambang", 2018), ("da-nang", 2024), ("ha-noi", 2018), ("ho-chi-minh-city", 2018)]
    assert [(p["city"], p["year"]) for p in api.get("/action-plans?city=da-nang").json()["items"]] == [
        ("da-nang", 2024), ("da-nang", 2018)]


def test_current_plan_for_the_public_is_the_newest_published_version(api, api_as, csco_danang, draft_plan):
    """A draft next version must not hide the published plan from those who cannot see the draft."""
    public = api.get("/action-plans?current=true").json()
    assert [(p["city"], p["year"]) for p in public["items"]] == [
        ("battambang", 2018), ("da-nang", 2018), ("ha-noi", 2018), ("ho-chi-minh-city", 2018)]
    mine = api_as(csco_danang).get("/action-plans?current=true&city=da-nang").json()
    assert [(p["city"], p["year"], p["is_published"]) for p in mine["items"]] == [("da-nang", 2026, False)]
    assert api_as(csco_danang).get("/action-plans").json()["count"] == 5
    assert api.get("/action-plans").json()["count"] == 4
