"""The matchmaking API: ranked matches with their components, "explain", the weights (PUT by the Secretariat
only) and interest (the same permissions as the pages); every refusal changes nothing; OpenAPI documented.

The world: Da Nang and Ha Noi state published needs about traffic signals and Bangkok one about clinic records;
JICA publishes an offer for Viet Nam only and ADB one for everyone; JICA keeps a draft."""

import pytest
from django.core import mail

from ascn.core.models import AuditEntry
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Country, Partner
from ascn.partnerships.actions import matching as actions
from ascn.partnerships.actions import offers as offer_actions
from ascn.partnerships.models import CooperationRecord, Interest, MatchWeights

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(secretariat):
    mobility = FrameworkNode.objects.get(code="built_infrastructure")
    city = {slug: City.objects.get(slug=slug) for slug in ("da-nang", "ha-noi", "bangkok")}
    return {
        "dn": offer_actions.create_need(secretariat, city["da-nang"], {
            "title": "Traffic signal control", "kind": "technical", "description": "adaptive traffic signals"},
            tags=[mobility], publish=True),
        "hn": offer_actions.create_need(secretariat, city["ha-noi"], {
            "title": "Bus priority lanes", "kind": "technical", "description": "bus lanes"}, publish=True),
        "bk": offer_actions.create_need(secretariat, city["bangkok"], {"title": "Clinic records", "kind": "financial"},
                                        publish=True),
        "dn_draft": offer_actions.create_need(secretariat, city["da-nang"], {"title": "Kiosks", "kind": "technical"}),
        "vn": offer_actions.create_offer(secretariat, Partner.objects.get(slug="jica"), {
            "title": "Adaptive traffic signals", "kind": "technical_assistance", "description": "traffic signals"},
            countries=[Country.objects.get(iso3="VNM")], tags=[mobility], publish=True),
        "adb": offer_actions.create_offer(secretariat, Partner.objects.get(slug="adb"), {
            "title": "Training", "kind": "capacity_building"}, publish=True),
        "draft": offer_actions.create_offer(secretariat, Partner.objects.get(slug="jica"), {
            "title": "Draft help", "kind": "technical_assistance"}),
    }


def state() -> tuple:
    return (list(Interest.objects.values()), list(CooperationRecord.objects.values()),
            list(MatchWeights.objects.values()), AuditEntry.objects.filter(via="api").count(), len(mail.outbox))


def test_an_offers_matches_come_with_their_components(world, api):
    body = api.get(f"/partnerships/offers/{world['vn'].pk}/matches").json()
    assert body["count"] == 2
    assert [(i["rank"], i["need"], i["city"]) for i in body["items"]] == [
        (1, world["dn"].key, "da-nang"), (2, world["hn"].key, "ha-noi")]
    first = body["items"][0]
    assert [c["name"] for c in first["components"]] == ["framework", "ticket", "kind", "stage_readiness", "text"]
    assert [c["weight"] for c in first["components"]] == pytest.approx([0.30, 0.20, 0.15, 0.10, 0.25])
    assert first["score"] == pytest.approx(sum(c["contribution"] for c in first["components"]))
    assert first["interest"] == {"city": False, "partner": False, "record": None}
    assert api.get(f"/partnerships/offers/{world['vn'].pk}/matches?limit=1&offset=1").json()["items"][0]["need"] == \
        world["hn"].key


def test_a_needs_matches_and_the_refusals_of_hidden_or_unpublished_rows(world, api, api_as, partner_jica):
    body = api.get(f"/partnerships/needs/{world['bk'].key}/matches").json()
    assert [(i["offer"], i["partner"]) for i in body["items"]] == [(world["adb"].pk, "adb")]
    assert api.get(f"/partnerships/offers/{world['draft'].pk}/matches").status_code == 404
    own = api_as(partner_jica).get(f"/partnerships/offers/{world['draft'].pk}/matches")
    assert (own.status_code, own.json()["errors"]) == (
        422, [{"field": "offer", "message": "This offer is not published: it is matched once it is."}])
    assert api.get(f"/partnerships/needs/{world['dn_draft'].key}/matches").status_code == 404


def test_explain_says_why_a_pair_is_missing_or_how_it_scores(world, api):
    missing = api.get(f"/partnerships/matches/explain?offer={world['vn'].pk}&need={world['bk'].key}").json()
    assert missing == {"offer": world["vn"].pk, "need": world["bk"].key, "eligible": False,
                       "code": "outside_countries", "message": "The city is outside the offer's countries.",
                       "rank": None, "score": None, "components": []}
    listed = api.get(f"/partnerships/matches/explain?offer={world['vn'].pk}&need={world['hn'].key}").json()
    assert (listed["eligible"], listed["rank"], len(listed["components"])) == (True, 2, 5)
    ranked = api.get(f"/partnerships/offers/{world['vn'].pk}/matches").json()["items"][1]
    assert listed["score"] == pytest.approx(ranked["score"])


def test_the_weights_are_public_and_only_the_secretariat_puts_them(world, api, api_as, accounts):
    assert api.get("/partnerships/match-weights").json() == {
        "framework": 0.3, "ticket": 0.2, "kind": 0.15, "stage_readiness": 0.1, "text": 0.25,
        "normalised": {"framework": 0.3, "ticket": 0.2, "kind": 0.15, "stage_readiness": 0.1, "text": 0.25},
        "updated_at": None}
    data = {"framework": 0, "ticket": 0, "kind": 0, "stage_readiness": 0, "text": 3}
    before = state()
    assert api.put("/partnerships/match-weights", data).status_code == 401
    for role in ("none", "partner", "csco", "nr"):
        assert api_as(accounts[role]).put("/partnerships/match-weights", data).status_code == 403
    assert state() == before
    response = api_as(accounts["secretariat"]).put("/partnerships/match-weights", data)
    assert response.status_code == 200
    assert response.json()["normalised"] == {"framework": 0.0, "ticket": 0.0, "kind": 0.0, "stage_readiness": 0.0,
                                             "text": 1.0}
    first = api.get(f"/partnerships/offers/{world['vn'].pk}/matches").json()["items"][0]
    assert [c["weight"] for c in first["components"]] == [0.0, 0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize(("data", "field"), [
    ({"framework": 0, "ticket": 0, "kind": 0, "stage_readiness": 0, "text": 0}, "__all__"),
    ({"framework": -1, "ticket": 0, "kind": 0, "stage_readiness": 0, "text": 1}, "framework"),
    ({"ticket": 0, "kind": 0, "stage_readiness": 0, "text": 1}, "framework"),
])
def test_bad_weights_are_refused_by_field_and_change_nothing(api_as, secretariat, data, field):
    before = state()
    response = api_as(secretariat).put("/partnerships/match-weights", data)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert state() == before


def test_both_sides_express_interest_and_a_record_opens(world, api_as, partner_jica, csco_danang,
                                                        django_capture_on_commit_callbacks):
    partner, city = api_as(partner_jica), api_as(csco_danang)
    response = partner.post("/partnerships/interests", {"offer": world["vn"].pk, "need": world["dn"].key,
                                                        "side": "partner", "note": "We can help."})
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("offer", "need", "city", "side", "note", "record")} == {
        "offer": world["vn"].pk, "need": world["dn"].key, "city": "da-nang", "side": "partner",
        "note": "We can help.", "record": None}
    assert [i["id"] for i in city.get("/partnerships/interests?side=partner").json()["items"]] == [body["id"]]
    with django_capture_on_commit_callbacks(execute=True):
        answer = city.post("/partnerships/interests", {"offer": world["vn"].pk, "need": world["dn"].key,
                                                       "side": "city", "note": "Welcome."}).json()
    record = CooperationRecord.objects.get()
    assert answer["record"] == record.pk
    assert len(mail.outbox) == 2
    matches = city.get(f"/partnerships/needs/{world['dn'].key}/matches").json()["items"]
    assert matches[0]["interest"] == {"city": True, "partner": True, "record": record.pk}
    refused = partner.delete(f"/partnerships/interests/{body['id']}")
    assert refused.status_code == 422
    assert Interest.objects.count() == 2


@pytest.mark.parametrize(("role", "side", "status"), [("none", "city", 403), ("nr", "city", 403),
                                                      ("csco", "partner", 403), ("partner", "city", 403)])
def test_a_denied_interest_changes_nothing(world, api, api_as, accounts, role, side, status):
    data = {"offer": world["vn"].pk, "need": world["dn"].key, "side": side, "note": "Hello"}
    client = api_as(accounts[role])
    before = state()
    assert api.post("/partnerships/interests", data).status_code == 401
    assert client.post("/partnerships/interests", data).status_code == status
    assert state() == before


def test_an_ineligible_or_repeated_interest_is_refused_with_the_field(world, api_as, secretariat):
    client = api_as(secretariat)
    before = state()
    response = client.post("/partnerships/interests", {"offer": world["vn"].pk, "need": world["bk"].key,
                                                       "side": "partner"})
    assert (response.status_code, response.json()["errors"]) == (
        422, [{"field": "need", "message": "The city is outside the offer's countries."}])
    assert state() == before
    assert client.post("/partnerships/interests", {"offer": world["vn"].pk, "need": world["dn"].key,
                                                   "side": "partner"}).status_code == 201
    again = client.post("/partnerships/interests", {"offer": world["vn"].pk, "need": world["dn"].key,
                                                    "side": "partner"})
    assert again.json()["errors"] == [{"field": "side",
                                       "message": "This side has already expressed interest in this match."}]


def test_withdrawing_is_for_the_sides_own_users(world, api_as, partner_jica, csco_danang):
    interest = actions.express_interest(partner_jica, world["vn"], world["dn"].key, "partner")
    before = state()
    assert api_as(csco_danang).delete(f"/partnerships/interests/{interest.pk}").status_code == 403
    assert state() == before
    assert api_as(partner_jica).delete(f"/partnerships/interests/{interest.pk}").status_code == 204
    assert Interest.objects.count() == 0


def test_the_interest_list_is_scoped_paginated_and_bounded(world, api_as, secretariat, nr_vietnam, partner_jica,
                                                           django_assert_max_num_queries):
    da_nang = City.objects.get(slug="da-nang")
    for n in range(12):
        need = offer_actions.create_need(secretariat, da_nang, {"title": f"Study {n}", "kind": "technical"},
                                         publish=True)
        actions.express_interest(secretariat, world["vn"], need.key, "partner")
    actions.express_interest(secretariat, world["adb"], world["bk"].key, "partner")
    nr = api_as(nr_vietnam)
    with django_assert_max_num_queries(6):
        body = nr.get("/partnerships/interests?limit=5").json()
    assert (body["count"], len(body["items"])) == (12, 5)
    assert api_as(secretariat).get("/partnerships/interests").json()["count"] == 13
    assert api_as(partner_jica).get("/partnerships/interests").json()["count"] == 12
    assert api_as(secretariat).get(f"/partnerships/interests?offer={world['adb'].pk}").json()["count"] == 1


def test_the_endpoints_are_in_the_openapi_document(api):
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/partnerships/offers/{pk}/matches", "/api/v1/partnerships/needs/{key}/matches",
                 "/api/v1/partnerships/matches/explain", "/api/v1/partnerships/match-weights",
                 "/api/v1/partnerships/interests", "/api/v1/partnerships/interests/{pk}"):
        assert path in paths
    assert set(paths["/api/v1/partnerships/match-weights"]) == {"get", "put"}
    assert set(paths["/api/v1/partnerships/interests"]) == {"get", "post"}
