"""The pipeline's filters are one definition (queries.ProjectFilters): the page, the API and the downloads
accept the same filters, list the same projects in the same order, and refuse a bad value with the same
message naming the field."""

import csv
import io
import json
from dataclasses import fields

import pytest

from ascn.plans import actions
from ascn.plans.choices import ProjectSort, ProjectStage, ProjectStatus, SupportKind
from ascn.plans.models import Project
from ascn.plans.queries import ProjectFilters

from .helpers import project, state

pytestmark = pytest.mark.django_db

VIETNAM = ["A111", "A112", "A113", "A114", "A115", "A116", "SCAP18-DN1", "SCAP18-HN2"]


@pytest.fixture
def varied(secretariat):
    """Support needs and stages on a few projects, so that every filter finds something."""
    actions.update_project(secretariat, project("A112"), {}, support={"financial": "Loan", "technical": ""})
    actions.update_project(secretariat, project("A1"), {}, support={"financial": ""})
    actions.update_project(secretariat, project("A113"), {}, support={"training": "Operators"})
    Project.objects.filter(reference__in=["A112", "A5"]).update(stage=ProjectStage.IMPLEMENTATION)


def page_refs(client, query: str) -> list[str]:
    response = client.get(f"/projects/?{query}")
    assert response.status_code == 200, response.content.decode()[:500]
    page = response.context["page"]
    assert page.paginator.count == response.context["facets"].total
    return [p.reference for p in page.paginator.object_list]


def api_refs(api, query: str) -> list[str]:
    response = api.get(f"/projects?limit=500&{query}")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["items"])
    facets = api.get(f"/projects/facets?{query}")
    assert facets.status_code == 200 and facets.json()["total"] == body["count"]
    return [p["reference"] for p in body["items"]]


def download_refs(client, query: str) -> dict[str, list[str]]:
    found = {}
    csv_body = client.get(f"/projects/export.csv?{query}")
    assert csv_body.status_code == 200
    found["csv"] = [row[0] for row in csv.reader(io.StringIO(csv_body.content.decode("utf-8-sig")))][1:]
    json_body = client.get(f"/projects/export.json?{query}")
    assert json_body.status_code == 200
    found["json"] = [item["reference"] for item in json.loads(json_body.content)["items"]]
    xlsx_body = client.get(f"/projects/export.xlsx?{query}")
    assert xlsx_body.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx_body.content), read_only=True)["projects"]
    found["xlsx"] = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    return found


# One query per filter (each finds projects), then blanks, spaces, lower case and a combination.
QUERIES = {
    "country": ("country=VNM", 8),
    "city": ("city=da-nang", 3),
    "focus_area": ("focus_area=health_wellbeing", 8),
    "project_type": ("project_type=built_infrastructure.mobility_transportation", 2),
    "status": ("status=completed", 18),
    "stage": ("stage=implementation", 2),
    "support": ("support=financial", 2),
    "q": ("q=water", 8),
    "sort": ("sort=reference", 136),
}
EXTRA = [
    ("every filter blank", "country=&city=&focus_area=&project_type=&status=&stage=&support=&q=&sort=", 136),
    ("spaces around values", "country=+VNM+&status=planning+&sort=+reference", 4),
    ("lower-case country", "country=vnm&sort=cost", 8),
    ("several filters", "country=VNM&status=planning&sort=reference", 4),
    ("search and support", "support=financial&q=water&sort=reference", 2),
]


def test_every_filter_of_the_definition_has_a_query_here():
    assert set(QUERIES) == {f.name for f in fields(ProjectFilters)}


@pytest.mark.parametrize(("query", "count"), [*QUERIES.values(), *((q, n) for _name, q, n in EXTRA)],
                         ids=[*QUERIES, *(name for name, _q, _n in EXTRA)])
def test_page_api_and_downloads_give_the_same_projects_in_the_same_order(client, api, varied, query, count):
    listed = page_refs(client, query)
    assert len(listed) == count
    assert api_refs(api, query) == listed
    assert download_refs(client, query) == {"csv": listed, "json": listed, "xlsx": listed}


def test_the_same_for_a_city_officer_who_also_sees_the_drafts(client, api_as, csco_danang, draft, varied):
    client.force_login(csco_danang)
    api = api_as(csco_danang)
    for query, count in (("city=da-nang&sort=title", 4), ("q=parking", 3), ("country=VNM&sort=updated", 9)):
        listed = page_refs(client, query)
        assert len(listed) == count
        assert api_refs(api, query) == listed
        assert download_refs(client, query)["csv"] == listed
    assert draft.reference in page_refs(client, "q=smart+parking+pilot")


def test_concrete_values(client, api, varied):
    assert page_refs(client, "country=VNM&sort=reference") == VIETNAM
    assert api_refs(api, "stage=implementation&sort=reference") == ["A112", "A5"]
    assert download_refs(client, "support=financial&sort=reference")["csv"] == ["A1", "A112"]


# --- Bad values -------------------------------------------------------------------------------------------

BAD = {
    "status": ("status=finished", "'finished' is not one of planning, ongoing, completed, cancelled"),
    "stage": ("stage=built", "'built' is not one of concept, pre_feasibility, feasibility, procurement, "
                             "implementation, operation"),
    "support": ("support=money", "'money' is not one of financial, technical, advisory, partner, training"),
    "sort": ("sort=bogus", "'bogus' is not one of title, city, status, cost, updated, reference"),
    "q": ("q=" + "x" * 101, "is longer than 100 characters"),
}


def test_the_vocabularies_are_the_models_choices():
    assert BAD["status"][1].endswith(", ".join(ProjectStatus.values))
    assert BAD["stage"][1].endswith(", ".join(ProjectStage.values))
    assert BAD["support"][1].endswith(", ".join(SupportKind.values))
    assert BAD["sort"][1].endswith(", ".join(ProjectSort.values))


@pytest.mark.parametrize(("query", "message"), BAD.values(), ids=BAD.keys())
def test_the_page_names_the_bad_field_and_lists_nothing(client, query, message):
    field = query.split("=")[0]
    before = state()
    response = client.get(f"/projects/?country=VNM&{query}")
    assert response.status_code == 422
    assert response.context["errors"] == [{"field": field, "message": message}]
    html = response.content.decode()
    assert "The results will show once these are corrected:" in html
    assert f"<li>{field}: {message}</li>".replace("'", "&#x27;") in html
    assert "result-count" not in html
    partial = client.get(f"/projects/?{query}", headers={"HX-Request": "true"})
    assert partial.status_code == 422
    assert partial.content.decode().lstrip().startswith('<div id="results" class="pipeline">')
    assert state() == before


@pytest.mark.parametrize(("query", "message"), BAD.values(), ids=BAD.keys())
def test_the_api_names_the_bad_field_in_the_common_format(api, query, message):
    field = query.split("=")[0]
    for path in ("/projects", "/projects/facets"):
        response = api.get(f"{path}?country=VNM&{query}")
        assert response.status_code == 422
        assert response.json() == {"detail": f"{field}: {message}", "code": "invalid_input",
                                   "errors": [{"field": field, "message": message}]}


@pytest.mark.parametrize(("query", "message"), BAD.values(), ids=BAD.keys())
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_download_names_the_bad_field_and_sends_no_file(client, query, message, fmt):
    field = query.split("=")[0]
    response = client.get(f"/projects/export.{fmt}?country=VNM&{query}")
    assert response.status_code == 422
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Disposition" not in response
    assert response.content.decode() == f"{field}: {message}"


def test_every_bad_field_is_named_at_once(client, api):
    query = "status=finished&sort=bogus&stage=built"
    expected = [{"field": "status", "message": BAD["status"][1]}, {"field": "stage", "message": BAD["stage"][1]},
                {"field": "sort", "message": BAD["sort"][1]}]
    assert client.get(f"/projects/?{query}").context["errors"] == expected
    assert api.get(f"/projects?{query}").json()["errors"] == expected
    assert client.get(f"/projects/export.csv?{query}").content.decode().splitlines() == [
        f"{e['field']}: {e['message']}" for e in expected]


def test_the_page_says_it_in_the_page_language(client):
    page = client.get("/vi/projects/?status=finished")
    assert page.context["errors"] == [
        {"field": "status", "message": "'finished' không thuộc các giá trị planning, ongoing, completed, cancelled"}]
    assert client.get("/vi/projects/export.csv?q=" + "x" * 101).content.decode() == "q: dài hơn 100 ký tự"


def test_codes_and_slugs_are_not_refused_they_find_nothing(client, api):
    for query in ("country=Atlantis", "city=nowhere", "focus_area=space", "project_type=rockets"):
        assert page_refs(client, query) == []
        assert api_refs(api, query) == []
        assert download_refs(client, query)["csv"] == []


def test_the_api_documents_the_same_parameters(api):
    operation = api.client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/projects"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {f.name for f in fields(ProjectFilters)} | {"limit", "offset"}
    assert parameters["q"]["schema"]["anyOf"] == [{"maxLength": 100, "type": "string"}, {"type": "null"}]
    assert parameters["country"]["description"] == "ISO3"
    schemas = api.client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["ProjectStatus"]["enum"] == ProjectStatus.values
    assert schemas["ProjectSort"]["enum"] == ProjectSort.values
