"""API v1 of the network registry: seeded reads, filters, contact data, validation and the error format (the
standard list, detail and write tests of each model are declared in test_standard.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ascn.network.models import City, Country, RoleTerm

pytestmark = pytest.mark.django_db


def test_cities_list_is_paginated_with_items_and_count(api):
    response = api.get("/cities?limit=5&offset=5")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    assert body["count"] == 38
    assert [c["slug"] for c in body["items"]] == ["cebu-city", "chiang-mai", "chonburi", "da-nang", "davao-city"]


def test_cities_filters(api):
    assert api.get("/cities?as_of=2020-01-01").json()["count"] == 26
    assert api.get("/cities?as_of=2026-01-31").json()["count"] == 38
    vietnam = api.get("/cities?country=VNM").json()
    assert [c["slug"] for c in vietnam["items"]] == ["da-nang", "ha-noi", "ho-chi-minh-city"]
    assert api.get("/cities?country=vnm").json()["count"] == 3
    assert [c["slug"] for c in api.get("/cities?joined_year=2023").json()["items"]] == ["chiang-mai", "khon-kaen", "rayong"]
    assert api.get("/cities?country=IDN&as_of=2024-12-31").json()["count"] == 4
    assert [c["slug"] for c in api.get("/cities?q=%C4%90%C3%A0%20N%E1%BA%B5ng").json()["items"]] == ["da-nang"]


def test_city_detail(api):
    body = api.get("/cities/da-nang").json()
    assert body["name"] == "Da Nang"
    assert body["local_name"] == "Đà Nẵng"
    assert body["aliases"] == ["Danang"]
    assert body["country"] == "VNM"
    assert body["latitude"] == "16.0544"
    assert body["joined_on"] == "2018-04-28"
    assert body["member_today"] is True
    assert [(m["joined_on"], m["left_on"]) for m in body["memberships"]] == [("2018-04-28", None)]
    assert [(o["role"], o["agency"]) for o in body["offices"]] == [("csco", "People's Committee of Da Nang City")]


def test_countries_and_framework_and_chairs(api):
    countries = api.get("/countries").json()
    assert countries["count"] == 11
    vietnam = next(c for c in countries["items"] if c["iso3"] == "VNM")
    assert (vietnam["name"], vietnam["city_count"], vietnam["nr_agency"]) == ("Viet Nam", 3, "Ministry of Construction")
    assert api.get("/countries?as_of=2025-12-31").json()["count"] == 10
    assert api.get("/countries/tls").json()["joined_on"] == "2026-01-01"
    framework = api.get("/framework?limit=100").json()
    assert framework["count"] == 32
    kinds = [n["kind"] for n in framework["items"]]
    assert (kinds.count("outcome"), kinds.count("urban_system"), kinds.count("focus_area"), kinds.count("enabler"),
            kinds.count("project_type")) == (3, 2, 6, 2, 19)
    assert api.get("/framework?kind=enabler").json()["count"] == 2
    chairs = api.get("/chairs").json()
    assert [(c["year"], c["chair"], c["shepherd"]) for c in chairs["items"]][-3:] == [
        (2024, "LAO", "IDN"), (2025, "MYS", "IDN"), (2026, "PHL", "IDN")]
    assert [t["renews_previous"] for t in api.get("/shepherd-terms").json()["items"]] == [False, True, False, True]


def test_roles_hide_contact_data_from_the_public_and_partners(api, api_as, secretariat, partner_jica, csco_danang):
    term = RoleTerm.objects.get(role="csco", city__slug="da-nang")
    term.person.email = "office@example.invalid"
    term.person.save()
    public = api.get("/roles?city=da-nang").json()["items"][0]
    assert (public["email"], public["phone"]) == (None, None)
    assert api_as(partner_jica).get("/roles?city=da-nang").json()["items"][0]["email"] is None
    assert api_as(csco_danang).get("/roles?city=da-nang").json()["items"][0]["email"] == "office@example.invalid"
    assert api.get("/roles?country=VNM").json()["count"] == 4
    assert api.get("/roles?role=nr").json()["count"] == 11


def test_city_detail_query_count_is_constant(api):
    with CaptureQueriesContext(connection) as one_office:
        api.get("/cities/da-nang")
    with CaptureQueriesContext(connection) as two_offices:
        api.get("/cities/bandar-seri-begawan")
    assert len(one_office) == len(two_offices) <= 4


def test_failures_share_one_body_format(api, api_as, nr_vietnam):
    assert api.get("/cities/atlantis").json() == {"detail": "No city with the slug “atlantis”.", "code": "not_found"}
    bad = api.get("/cities?as_of=yesterday")
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_input"
    assert bad.json()["errors"][0]["field"] == "as_of"
    assert api.get("/cities?limit=0").status_code == 422
    unauth = api.post("/cities", {"name": "X"})
    assert (unauth.status_code, unauth.json()["code"]) == (401, "not_authenticated")
    forged = api.__class__("ascn_forged").get("/cities")
    assert (forged.status_code, forged.json()["code"]) == (401, "not_authenticated")
    denied = api_as(nr_vietnam).post("/countries", {"iso3": "XYZ", "name": "X", "joined_on": "2030-01-01"})
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    assert api.get("/no-such-endpoint").json() == {"detail": "No such API endpoint.", "code": "not_found"}
    wrong_method = api._call("put", "/cities", {})
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")
    assert wrong_method.json()["detail"].startswith("PUT is not allowed here; allowed: ")
    assert set(wrong_method["Allow"].split(", ")) == {"GET", "POST"}


def test_invalid_city_input_is_a_422_naming_fields(api_as, secretariat):
    client = api_as(secretariat)
    response = client.post("/cities", {"name": "", "country": "Vietnam", "latitude": "91", "longitude": "0"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"name", "country", "latitude"}
    duplicate = client.post("/cities", {"name": "Da Nang", "country": "VNM", "latitude": "1", "longitude": "1"})
    assert duplicate.status_code == 422
    assert duplicate.json()["code"] == "invalid_record"
    assert {e["field"] for e in duplicate.json()["errors"]} == {"slug", "__all__"}
    unknown = client.post("/cities", {"name": "X", "country": "ZZZ", "latitude": "1", "longitude": "1"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [{"field": "country", "message": "Unknown country code “ZZZ”."}]
    assert client.patch("/countries/ZZZ", {"name": "X"}).json()["code"] == "not_found"
    assert client.post("/roles", {"role": "csco", "city": "atlantis", "agency": "X"}).json()["errors"] == [
        {"field": "city", "message": "Unknown city “atlantis”."}]
    assert City.objects.count() == 38


def test_deleting_a_country_in_use_is_a_409_and_keeps_it(api_as, secretariat):
    in_use = api_as(secretariat).delete("/countries/VNM")
    assert (in_use.status_code, in_use.json()["code"]) == (409, "in_use")
    assert Country.objects.filter(iso3="VNM").exists()


def test_a_term_ending_before_it_starts_is_a_422_naming_the_field(api_as, nr_vietnam):
    created = api_as(nr_vietnam).post("/roles", {"role": "csco_alternate", "city": "ho-chi-minh-city",
                                                 "agency": "Department of Science and Technology",
                                                 "starts_on": "2026-03-01"})
    assert created.status_code == 201, created.json()
    patched = api_as(nr_vietnam).patch(f"/roles/{created.json()['id']}", {"ends_on": "2026-02-01"})
    assert patched.status_code == 422
    assert patched.json()["errors"] == [{"field": "ends_on", "message": "The end must be after the start."}]
    assert RoleTerm.objects.get(pk=created.json()["id"]).ends_on is None


def test_openapi_and_docs_are_served(api):
    schema = api.get("/openapi.json").json()
    assert schema["info"]["title"] == "ASCN Platform API"
    for path in ["/api/v1/countries", "/api/v1/cities", "/api/v1/cities/{slug}", "/api/v1/framework", "/api/v1/chairs",
                 "/api/v1/roles"]:
        assert path in schema["paths"], path
    assert "BearerAuth" in str(schema["components"]) or "TokenAuth" in str(schema["components"])
    docs = api.client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_malformed_json_is_a_clear_400_or_422(api_as, secretariat):
    client = api_as(secretariat)
    response = client.client.post("/api/v1/cities", data="{not json", content_type="application/json",
                                  headers=client.headers)
    assert response.status_code in (400, 422)
    assert set(response.json()) >= {"detail", "code"}
