"""The partnerships API's answers and refusals (status codes and payloads) and the Secretariat's rate table."""

import datetime as dt
from decimal import Decimal

import pytest

from ascn.core.models import AuditEntry, ExchangeRate
from ascn.network.models import Partner
from ascn.partnerships.actions import offers as actions
from ascn.partnerships.models import Offer

pytestmark = pytest.mark.django_db


def test_programmes_endpoint(api):
    answer = api.get("/partnerships/programmes?limit=2")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["count"], [item["slug"] for item in body["items"]]) == (
        12, ["ascn-twinning-2018", "aasctf"])
    jbic = api.get("/partnerships/programmes/smart-jamp-jbic").json()
    assert {k: jbic[k] for k in ("kind", "amount", "currency", "amount_note", "instruments", "partners")} == {
        "kind": "financing", "amount": "200000000000.00", "currency": "JPY", "amount_note": "up to JPY 200 billion",
        "instruments": ["loan"], "partners": ["jbic", "smart-jamp"]}
    missing = api.get("/partnerships/programmes/nothing")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_an_offer_through_the_api(api_as, partner_jica):
    caller = api_as(partner_jica)
    created = caller.post("/partnerships/offers", {
        "title": "Mobility studies", "kind": "technical_assistance", "ticket_min": "1000000", "ticket_max": "5000000",
        "currency": "jpy", "countries": ["VNM"], "cities": ["bangkok"], "tags": ["built_infrastructure"],
        "instruments": ["grant"], "stages": ["feasibility"], "contact_role": "Urban Development Department"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {k: body[k] for k in ("partner", "state", "currency", "ticket_min", "countries", "cities", "tags",
                                 "instruments", "stages", "programme")} == {
        "partner": "jica", "state": "draft", "currency": "JPY", "ticket_min": "1000000.00", "countries": ["VNM"],
        "cities": ["bangkok"], "tags": ["built_infrastructure"], "instruments": ["grant"], "stages": ["feasibility"],
        "programme": None}
    pk = body["id"]
    published = caller.patch(f"/partnerships/offers/{pk}/state", {"state": "published"})
    assert (published.status_code, published.json()["state"]) == (200, "published")
    listed = caller.get("/partnerships/offers?partner=jica").json()
    assert (listed["count"], listed["items"][0]["id"]) == (1, pk)


@pytest.mark.parametrize(("payload", "field", "message"), [
    ({"ticket_min": "10", "ticket_max": "5", "currency": "JPY"}, "ticket_min", "The smallest ticket is above the largest."),
    ({"currency": "XYZ", "ticket_min": "5"}, "currency", "“XYZ” is not an ISO 4217 currency code."),
    ({"programme": "smart-jamp-jbic"}, "programme", "Choose one of the partner's own programmes."),
    ({"countries": ["ATL"]}, "countries", "Unknown: ATL."),
])
def test_bad_offers_are_refused_with_the_field_named(api_as, partner_jica, payload, field, message):
    caller = api_as(partner_jica)
    before = (Offer.objects.count(), AuditEntry.objects.count())
    answer = caller.post("/partnerships/offers", {"title": "X", "kind": "financing", **payload})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": field, "message": message}]
    assert (Offer.objects.count(), AuditEntry.objects.count()) == before


def test_a_partner_may_not_write_for_another(api_as, api, partner_jica, csco_danang):
    partner, officer = api_as(partner_jica), api_as(csco_danang)
    before = (Offer.objects.count(), AuditEntry.objects.count())
    assert partner.post("/partnerships/offers", {"partner": "adb", "title": "X", "kind": "financing"}).status_code == 403
    assert officer.post("/partnerships/offers", {"title": "X", "kind": "financing"}).status_code == 422
    assert api.post("/partnerships/offers", {"title": "X", "kind": "financing"}).status_code == 401
    assert (Offer.objects.count(), AuditEntry.objects.count()) == before


def test_an_offer_does_not_go_back_to_draft(api_as, secretariat):
    offer = actions.create_offer(secretariat, Partner.objects.get(slug="adb"), {"title": "X", "kind": "financing"},
                                 publish=True)
    answer = api_as(secretariat).patch(f"/partnerships/offers/{offer.pk}/state", {"state": "draft"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "state", "message": "An offer does not go back to draft: close it instead."}]


def test_the_openapi_document_lists_the_endpoints(api):
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/api/v1/partnerships/programmes", "/api/v1/partnerships/programmes/{slug}", "/api/v1/partnerships/offers",
            "/api/v1/partnerships/offers/{pk}", "/api/v1/partnerships/offers/{pk}/state",
            "/api/v1/partnerships/rates"} <= set(paths)


# --- The rate table -------------------------------------------------------------------------------------


def test_the_secretariat_records_a_rate(client, secretariat):
    client.force_login(secretariat)
    assert "No rate is recorded yet." in client.get("/workspace/rates/").content.decode()
    answer = client.post("/workspace/rates/", {"currency": "jpy", "units_per_usd": "150.25", "as_of": "2026-01-05",
                                               "source": "Central bank reference rate"})
    assert answer.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.units_per_usd, rate.as_of) == ("JPY", Decimal("150.25"), dt.date(2026, 1, 5))
    entry = AuditEntry.objects.filter(content_type__model="exchangerate").get()
    assert (entry.actor_id, entry.action, entry.changes["units_per_usd"]) == (secretariat.pk, "create", [None, "150.25"])
    page = client.get("/workspace/rates/").content.decode()
    assert "150.25" in page and "2026-01-05" in page
    again = client.post("/workspace/rates/", {"currency": "JPY", "units_per_usd": "151", "as_of": "2026-01-05",
                                              "source": "x"})
    assert again.status_code == 422
    assert ExchangeRate.objects.count() == 1
    assert api_rates(client) == [{"currency": "JPY", "units_per_usd": "150.25000000", "as_of": "2026-01-05",
                                  "source": "Central bank reference rate"}]


def api_rates(client):
    return client.get("/api/v1/partnerships/rates").json()["items"]


@pytest.mark.parametrize("role", ["partner", "csco", "nr", "none"])
def test_only_the_secretariat_keeps_rates(client, accounts, role):
    client.force_login(accounts[role])
    assert client.get("/workspace/rates/").status_code == 403
    assert client.post("/workspace/rates/", {"currency": "JPY", "units_per_usd": "1", "as_of": "2026-01-05",
                                             "source": "x"}).status_code == 403
    assert ExchangeRate.objects.count() == 0


def test_the_public_is_sent_to_log_in(client):
    answer = client.get("/workspace/rates/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
