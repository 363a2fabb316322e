"""Matchmaking on the platform's records (`queries.matching`): the needs and offers a user may see, the
Secretariat's weights, the pair scores a business-matching session schedules by."""

from decimal import Decimal

import pytest

from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Country, Partner
from ascn.partnerships import matching
from ascn.partnerships.actions import offers as actions
from ascn.partnerships.models import MatchWeights
from ascn.partnerships.queries import matching as board
from ascn.partnerships.queries import offers as queries

pytestmark = pytest.mark.django_db


def focus(code_prefix: str) -> FrameworkNode:
    return FrameworkNode.objects.filter(kind="focus_area").order_by("code")[int(code_prefix)]


@pytest.fixture
def world(secretariat):
    """Two published needs (Da Nang: mobility, Bangkok: health) and two published offers of JICA (one for
    Viet Nam only, about mobility; one for everyone, about health) and one of ADB (training)."""
    mobility, health = focus("0"), focus("1")
    da_nang, bangkok = City.objects.get(slug="da-nang"), City.objects.get(slug="bangkok")
    jica, adb = Partner.objects.get(slug="jica"), Partner.objects.get(slug="adb")
    needs = {
        "dn": actions.create_need(secretariat, da_nang, {"title": "Traffic signal control", "kind": "technical",
                                                          "description": "adaptive traffic signals downtown"},
                                  tags=[mobility], publish=True),
        "bk": actions.create_need(secretariat, bangkok, {"title": "Clinic records", "kind": "financial",
                                                          "amount": Decimal(2_000_000), "currency": "USD"},
                                  tags=[health], publish=True),
    }
    offers = {
        "vn": actions.create_offer(secretariat, jica, {"title": "Adaptive traffic signals", "kind":
                                                       "technical_assistance", "description": "traffic signals"},
                                   countries=[Country.objects.get(iso3="VNM")], tags=[mobility], publish=True),
        "all": actions.create_offer(secretariat, jica, {"title": "Health records loans", "kind": "financing",
                                                        "ticket_min": Decimal(1_000_000),
                                                        "ticket_max": Decimal(5_000_000), "currency": "USD",
                                                        "instruments": ["loan"]}, tags=[health], publish=True),
        "adb": actions.create_offer(secretariat, adb, {"title": "Training", "kind": "capacity_building"},
                                    publish=True),
    }
    return needs, offers


def test_an_offer_ranks_the_needs_it_may_serve(world):
    needs, offers = world
    ranked = board.needs_for_offer(None, offers["vn"])
    assert [m.row.key for m in ranked] == [needs["dn"].key]   # Bangkok is outside the offer's countries
    assert [c.name for c in ranked[0].match.components] == list(matching.COMPONENTS)
    assert ranked[0].match.score == pytest.approx(sum(c.contribution for c in ranked[0].match.components))


def test_the_missing_pair_says_why(world):
    needs, offers = world
    row = queries.need(None, needs["bk"].key)
    reason = board.explain(None, offers["vn"], row)
    assert isinstance(reason, matching.Ineligibility)
    assert reason.code == "outside_countries"


def test_the_secretariats_weights_rerank(world):
    needs, offers = world
    row = queries.need(None, needs["bk"].key)
    default = [m.offer.pk for m in board.offers_for_need(None, row)]
    assert default[0] == offers["all"].pk
    MatchWeights.objects.create(framework=0, ticket=0, kind=0, stage_readiness=0, text=1)
    only_text = board.offers_for_need(None, row)
    assert only_text[0].match.components[-1].weight == 1.0
    assert {m.offer.pk for m in only_text} == {offers["all"].pk, offers["adb"].pk}


def test_pair_scores_keep_the_best_eligible_pair_per_city_and_partner(world):
    needs, offers = world
    rows = queries.needs(None)
    scores = board.pair_scores(rows, list(offers.values()))
    da_nang, bangkok = City.objects.get(slug="da-nang").pk, City.objects.get(slug="bangkok").pk
    jica, adb = Partner.objects.get(slug="jica").pk, Partner.objects.get(slug="adb").pk
    assert {key for key in scores if key[0] in (da_nang, bangkok)} == {
        (da_nang, jica), (da_nang, adb), (bangkok, jica), (bangkok, adb)}
    b = board.board(None, need_rows=rows, offers=list(offers.values()))
    dn = next(i for i, r in enumerate(rows) if r.key == needs["dn"].key)
    best_dn_jica = max(matching.explain(b.features, dn, offers[k].pk, b.weights).score  # type: ignore[union-attr]
                       for k in ("vn", "all"))
    assert scores[(da_nang, jica)] == pytest.approx(best_dn_jica)


def test_a_pair_scores_the_same_on_the_offers_page_and_on_the_needs_page(world):
    needs, offers = world
    row = queries.need(None, needs["bk"].key)
    from_need = {m.offer.pk: m.match.score for m in board.offers_for_need(None, row)}
    from_offer = {m.row.key: m.match.score for m in board.needs_for_offer(None, offers["all"])}
    assert from_need[offers["all"].pk] == from_offer[needs["bk"].key]


def test_the_text_similarity_does_not_depend_on_the_other_texts_prepared_beside_it():
    need = matching.Need(id=1, country_id=1, city_id=1, text="adaptive traffic signals")
    offer = matching.Offer(id=1, text="traffic signal control")
    other = matching.Offer(id=2, text="smart water meters and leak detection")
    corpus = [need.text, offer.text, other.text, "flood early warning"]
    alone = matching.explain(matching.prepare([need], [offer], corpus=corpus), 1, 1)
    beside = matching.explain(matching.prepare([need], [offer, other], corpus=corpus), 1, 1)
    assert isinstance(alone, matching.Match) and isinstance(beside, matching.Match)
    assert alone.components[matching.TEXT].value == pytest.approx(beside.components[matching.TEXT].value)
    assert 0 < alone.components[matching.TEXT].value < 1
