"""The matchmaking pages: an offer's ranked needs and a need's ranked offers with every component's value, weight
and contribution; "why is this one missing?"; interest from the match rows; the Secretariat's weights (saving
re-ranks at once); the interest page; the dashboard panels. Every denied write changes nothing.

The world: Da Nang and Ha Noi state published needs about traffic signals and Bangkok one about clinic records;
JICA publishes an offer for Viet Nam only (traffic signals) and ADB one for everyone (training); JICA keeps a
draft."""

from decimal import Decimal

import pytest
from django.core import mail

import ascn.partnerships.panels_matching  # noqa: F401 - registers the dashboard panels
from ascn.core.choices import Role
from ascn.core.models import AuditEntry
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Country, Partner
from ascn.partnerships.actions import matching as actions
from ascn.partnerships.actions import offers as offer_actions
from ascn.partnerships.models import CooperationRecord, Interest, MatchWeights
from conftest import make_user

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
        "bk": offer_actions.create_need(secretariat, city["bangkok"], {
            "title": "Clinic records", "kind": "financial", "amount": Decimal(2_000_000), "currency": "USD"},
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
            list(MatchWeights.objects.values()), AuditEntry.objects.count(), len(mail.outbox))


def html(response) -> str:
    return response.content.decode()


# --- An offer's needs -----------------------------------------------------------------------------------


def test_an_offers_page_ranks_the_eligible_needs_with_their_breakdown(world, client):
    response = client.get(f"/partnerships/offers/{world['vn'].pk}/matches/")
    assert response.status_code == 200
    matches = response.context["items"]
    assert [item.row.key for item in matches] == [world["dn"].key, world["hn"].key]  # Bangkok: outside Viet Nam
    assert [item.match.rank for item in matches] == [1, 2]
    first = matches[0].match
    assert [c.name for c in first.components] == ["framework", "ticket", "kind", "stage_readiness", "text"]
    assert [c.weight for c in first.components] == pytest.approx([0.30, 0.20, 0.15, 0.10, 0.25])
    assert first.components[0].value == 1.0   # the same framework tag on both sides
    assert first.score == pytest.approx(sum(c.contribution for c in first.components))
    content = html(response)
    assert "Clinic records" not in content
    assert content.count('data-testid="breakdown"') == 2
    assert "Framework overlap" in content and "Contribution" in content
    assert response.context["count"] == 2


def test_why_a_need_is_missing(world, client):
    url = f"/partnerships/offers/{world['vn'].pk}/matches/"
    outside = client.get(url, {"need": world["bk"].key}).context["explanation"]
    assert (outside["code"], outside["message"]) == ("outside_countries", "The city is outside the offer's countries.")
    assert "The city is outside the offer&#x27;s countries." in html(client.get(url, {"need": world["bk"].key}))
    listed = client.get(url, {"need": world["hn"].key}).context["explanation"]
    assert listed["rank"] == 2
    assert [p.label for p in listed["parts"]] == ["Framework overlap", "Ticket size fit", "Instrument and kind fit",
                                                  "Stage and readiness", "Text similarity"]
    hidden = client.get(url, {"need": world["dn_draft"].key}).context["explanation"]
    assert hidden == {"message": f"No need you may see has the key “{world['dn_draft'].key}”."}


def test_a_draft_need_the_user_sees_is_explained_as_unpublished(world, client, csco_danang):
    client.force_login(csco_danang)
    explanation = client.get(f"/partnerships/offers/{world['vn'].pk}/matches/",
                             {"need": world["dn_draft"].key}).context["explanation"]
    assert explanation["message"] == "This need is not published: only published needs are matched."


def test_an_unpublished_offers_page_says_so_and_a_hidden_one_is_not_found(world, client, partner_jica):
    assert client.get(f"/partnerships/offers/{world['draft'].pk}/matches/").status_code == 404
    client.force_login(partner_jica)
    response = client.get(f"/partnerships/offers/{world['draft'].pk}/matches/")
    assert response.status_code == 200
    assert 'data-testid="unpublished"' in html(response)


def test_the_offer_and_need_pages_link_to_their_matches(world, client):
    assert f'href="/partnerships/offers/{world["vn"].pk}/matches/"' in html(
        client.get(f"/partnerships/offers/{world['vn'].pk}/"))
    assert f'href="/partnerships/needs/{world["dn"].key}/matches/"' in html(
        client.get(f"/partnerships/needs/{world['dn'].key}/"))


def test_the_offers_page_is_paginated_in_a_bounded_number_of_queries(world, client, secretariat,
                                                                    django_assert_max_num_queries):
    da_nang = City.objects.get(slug="da-nang")
    for n in range(25):
        offer_actions.create_need(secretariat, da_nang, {"title": f"Signal study {n}", "kind": "technical"},
                                  publish=True)
    with django_assert_max_num_queries(15):  # 3 of them: the text corpus (queries.matching.text_corpus)
        response = client.get(f"/partnerships/offers/{world['vn'].pk}/matches/")
    assert response.context["count"] == 27
    assert len(response.context["items"]) == 20
    assert len(client.get(f"/partnerships/offers/{world['vn'].pk}/matches/", {"page": 2}).context["items"]) == 7


# --- A need's offers ------------------------------------------------------------------------------------


def test_a_needs_page_ranks_the_eligible_offers(world, client):
    response = client.get(f"/partnerships/needs/{world['bk'].key}/matches/")
    assert [item.offer.pk for item in response.context["items"]] == [world["adb"].pk]
    missing = client.get(f"/partnerships/needs/{world['bk'].key}/matches/", {"offer": world["vn"].pk})
    assert missing.context["explanation"]["code"] == "outside_countries"
    hidden = client.get(f"/partnerships/needs/{world['bk'].key}/matches/", {"offer": world["draft"].pk})
    assert hidden.context["explanation"] == {"message": f"No offer you may see has the id “{world['draft'].pk}”."}
    bad = client.get(f"/partnerships/needs/{world['bk'].key}/matches/", {"offer": "abc"})
    assert bad.context["explanation"] == {"message": "No offer you may see has the id “abc”."}
    assert client.get("/partnerships/needs/n999999/matches/").status_code == 404


def test_the_secretariat_is_told_a_draft_offer_is_not_matched(world, client, secretariat):
    client.force_login(secretariat)
    explanation = client.get(f"/partnerships/needs/{world['dn'].key}/matches/",
                             {"offer": world["draft"].pk}).context["explanation"]
    assert explanation["message"] == "This offer is not published: only published offers are matched."


# --- Interest from the match rows -----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "sides"), [("anonymous", []), ("none", []), ("nr", []), ("partner", ["partner"]),
                                             ("csco", ["city"]), ("secretariat", ["city", "partner"])])
def test_each_user_sees_the_interest_buttons_of_its_own_side(world, client, accounts, role, sides):
    if role != "anonymous":
        client.force_login(accounts[role])
    items = client.get(f"/partnerships/offers/{world['vn'].pk}/matches/").context["items"]
    da_nang = next(item for item in items if item.row.key == world["dn"].key)
    assert [side for side, _label in da_nang.sides] == sides


def test_a_partner_and_a_city_express_interest_from_the_pages(world, client, partner_jica, csco_danang,
                                                              django_capture_on_commit_callbacks):
    page = f"/partnerships/offers/{world['vn'].pk}/matches/"
    client.force_login(partner_jica)
    response = client.post("/workspace/interest/express/", {"offer": world["vn"].pk, "need": world["dn"].key,
                                                            "side": "partner", "note": "We can help.", "next": page})
    assert (response.status_code, response["Location"]) == (302, page)
    assert list(Interest.objects.values_list("side", "note")) == [("partner", "We can help.")]
    assert [s for s, _l in client.get(page).context["items"][0].sides] == []  # sent: no second button
    client.force_login(csco_danang)
    need_page = f"/partnerships/needs/{world['dn'].key}/matches/"
    assert 'data-testid="partner-interest"' in html(client.get(need_page))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/workspace/interest/express/", {"offer": world["vn"].pk, "need": world["dn"].key,
                                                     "side": "city", "note": "Welcome.", "next": need_page})
    record = CooperationRecord.objects.get()
    assert set(Interest.objects.values_list("record_id", flat=True)) == {record.pk}
    assert f'href="/workspace/cooperation/{record.pk}/"' in html(client.get(need_page))
    assert len(mail.outbox) == 2


def test_an_ineligible_interest_from_a_page_is_refused_with_the_reason(world, client, secretariat):
    client.force_login(secretariat)
    before = state()
    response = client.post("/workspace/interest/express/", {"offer": world["vn"].pk, "need": world["bk"].key,
                                                            "side": "partner"}, follow=True)
    assert "The city is outside the offer&#x27;s countries." in html(response)
    assert state() == before


@pytest.mark.parametrize(("role", "side", "status"), [("anonymous", "partner", 302), ("none", "city", 403),
                                                      ("nr", "city", 403), ("csco", "partner", 403),
                                                      ("partner", "city", 403)])
def test_a_denied_interest_from_a_page_changes_nothing(world, client, accounts, role, side, status):
    if role != "anonymous":
        client.force_login(accounts[role])
    before = state()
    response = client.post("/workspace/interest/express/", {"offer": world["vn"].pk, "need": world["dn"].key,
                                                            "side": side, "note": "Hello"})
    assert response.status_code == status
    assert state() == before


def test_the_interest_page_lists_sent_and_received_and_withdraws(world, client, partner_jica, csco_danang):
    interest = actions.express_interest(partner_jica, world["vn"], world["dn"].key, "partner", "We can help.")
    client.force_login(csco_danang)
    response = client.get("/workspace/interest/")
    assert [r.interest.pk for r in response.context["received"]] == [interest.pk]
    assert response.context["sent"] == []
    assert [r.title for r in response.context["received"]] == ["Traffic signal control"]
    assert response.context["received"][0].may_withdraw is False
    before = state()
    assert client.post(f"/workspace/interest/{interest.pk}/withdraw/").status_code == 403
    assert state() == before
    client.force_login(partner_jica)
    listed = client.get("/workspace/interest/").context["sent"]
    assert [(r.interest.pk, r.may_withdraw) for r in listed] == [(interest.pk, True)]
    assert client.post(f"/workspace/interest/{interest.pk}/withdraw/").status_code == 302
    assert Interest.objects.count() == 0


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("none", 403)])
def test_the_interest_page_is_for_the_sides_nr_and_secretariat(client, accounts, role, status):
    if role != "anonymous":
        client.force_login(accounts[role])
    assert client.get("/workspace/interest/").status_code == status


def test_the_nr_reads_its_countrys_interest_in_bounded_queries(world, client, nr_vietnam, secretariat,
                                                              django_assert_max_num_queries):
    da_nang = City.objects.get(slug="da-nang")
    for n in range(22):
        need = offer_actions.create_need(secretariat, da_nang, {"title": f"Study {n}", "kind": "technical"},
                                         publish=True)
        actions.express_interest(secretariat, world["vn"], need.key, "partner")
    actions.express_interest(secretariat, world["adb"], world["bk"].key, "partner")  # Thailand: not the NR's
    client.force_login(nr_vietnam)
    with django_assert_max_num_queries(10):
        response = client.get("/workspace/interest/")
    assert response.context["page"].paginator.count == 22
    assert len(response.context["all"]) == 20
    assert not any(r.may_withdraw for r in response.context["all"])


# --- The Secretariat's weights --------------------------------------------------------------------------


def test_the_secretariat_saves_the_weights_and_the_pages_rerank_at_once(world, client, secretariat):
    client.force_login(secretariat)
    assert client.get("/workspace/matching/").context["row"] is None
    form = {"framework": "0", "ticket": "0", "kind": "0", "stage_readiness": "0", "text": "1", "save": "1"}
    response = client.post("/workspace/matching/", form)
    assert (response.status_code, response["Location"]) == (302, "/workspace/matching/")
    row = MatchWeights.objects.get()
    assert (row.framework, row.text, row.updated_by) == (0.0, 1.0, secretariat)
    first = client.get(f"/partnerships/offers/{world['vn'].pk}/matches/").context["items"][0].match
    assert [c.weight for c in first.components] == [0.0, 0.0, 0.0, 0.0, 1.0]
    page = client.get("/workspace/matching/")
    assert page.context["row"] == row
    assert "Set on" in html(page) and "by sec" in html(page)


def test_a_preview_saves_nothing_and_shows_both_rankings(world, client, secretariat):
    client.force_login(secretariat)
    before = state()
    response = client.post("/workspace/matching/", {"framework": "0", "ticket": "0", "kind": "1",
                                                    "stage_readiness": "0", "text": "0", "need": world["bk"].key,
                                                    "preview": "1"})
    assert response.status_code == 200
    assert state() == before
    preview = response.context["preview"]
    assert [offer.pk for offer, _m in preview["current"]] == [world["adb"].pk]
    assert [m.components[2].weight for _o, m in preview["proposed"]] == [1.0]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"ticket": "-1"}, "ticket", "Ensure this value is greater than or equal to 0."),
    ({"framework": "0", "ticket": "0", "kind": "0", "stage_readiness": "0", "text": "0"}, "__all__",
     "At least one weight must be above zero."),
])
def test_bad_weights_are_refused_on_the_page_and_change_nothing(client, secretariat, data, field, message):
    client.force_login(secretariat)
    form = {"framework": "0.3", "ticket": "0.2", "kind": "0.15", "stage_readiness": "0.1", "text": "0.25", "save": "1"}
    before = state()
    response = client.post("/workspace/matching/", {**form, **data})
    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert state() == before


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("none", 403), ("partner", 403), ("csco", 403),
                                              ("nr", 403)])
def test_only_the_secretariat_reaches_the_weights(client, accounts, role, status):
    if role != "anonymous":
        client.force_login(accounts[role])
    before = state()
    assert client.get("/workspace/matching/").status_code == status
    response = client.post("/workspace/matching/", {"framework": "1", "ticket": "0", "kind": "0",
                                                    "stage_readiness": "0", "text": "0", "save": "1"})
    assert response.status_code == status
    assert state() == before


# --- The dashboard --------------------------------------------------------------------------------------


def test_a_partners_dashboard_shows_its_best_matches_and_interest_received(world, client, partner_jica, csco_danang):
    actions.express_interest(csco_danang, world["vn"], world["dn"].key, "city", "Please call us.")
    client.force_login(partner_jica)
    content = html(client.get("/workspace/"))
    assert 'id="partner-matches"' in content
    best = content[content.index('data-testid="best-matches"'):]
    assert best.index("Traffic signal control") < best.index("Bus priority lanes")
    assert "Clinic records" not in best[:best.index("</ol>")]
    received = content[content.index('data-testid="interest-received"'):]
    assert "Please call us." in received[:received.index("</ul>")]


def test_a_city_officers_dashboard_shows_interest_received_and_its_best_matches(world, client, partner_jica,
                                                                               csco_danang):
    actions.express_interest(partner_jica, world["vn"], world["dn"].key, "partner", "We can help.")
    client.force_login(csco_danang)
    content = html(client.get("/workspace/"))
    assert 'id="city-matches"' in content and 'id="partner-matches"' not in content
    received = content[content.index('data-testid="interest-received"'):]
    assert "We can help." in received[:received.index("</ul>")]
    best = content[content.index('data-testid="best-matches"'):]
    best = best[:best.index("</ol>")]
    assert "Adaptive traffic signals" in best and "Bus priority lanes" not in best  # Ha Noi's need: not its city


def test_other_roles_see_no_matching_panel(world, client, nr_vietnam):
    make_user("plain-2", Role.NATIONAL_REP, country="THA")
    client.force_login(nr_vietnam)
    content = html(client.get("/workspace/"))
    assert 'id="city-matches"' not in content and 'id="partner-matches"' not in content


@pytest.mark.parametrize("language", ["vi", "th"])
def test_the_match_pages_answer_in_every_language(world, client, language):
    response = client.get(f"/{language}/partnerships/offers/{world['vn'].pk}/matches/", {"need": world["bk"].key})
    assert response.status_code == 200
    assert f'lang="{language}"' in html(response)
    assert response.context["explanation"]["code"] == "outside_countries"
    assert client.get(f"/{language}/partnerships/needs/{world['dn'].key}/matches/").status_code == 200
