"""The matching module (pure): eligibility, each score component, the weights, the rankings and their ties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ascn.core.translator import using
from ascn.partnerships.matching import (
    COMPONENTS,
    NEUTRAL,
    Ineligibility,
    Match,
    Need,
    Offer,
    Weights,
    WeightsError,
    eligible_matrix,
    explain,
    ineligibility,
    normalise_text,
    prepare,
    rank,
)

DEFAULT_WEIGHTS = {"framework": 0.30, "ticket": 0.20, "kind": 0.15, "stage_readiness": 0.10, "text": 0.25}


def values(match: Match) -> dict[str, float]:
    return {c.name: c.value for c in match.components}


def pair(need: Need, offer: Offer, weights: Weights | None = None) -> Match:
    result = explain(prepare([need], [offer]), need.id, offer.id, weights)
    assert isinstance(result, Match)
    return result


NEED = Need(id=1, country_id=10, city_id=100)
OFFER = Offer(id=1)


# --- Components, by hand -----------------------------------------------------------------------------------


def test_framework_overlap_is_the_jaccard_index_of_the_tags():
    match = pair(Need(1, 10, 100, tag_ids=frozenset({1, 2, 3})), Offer(1, tag_ids=frozenset({2, 3, 4, 5})))
    assert values(match)["framework"] == 2 / 5


def test_framework_overlap_without_tags_on_one_side_is_neutral():
    assert values(pair(Need(1, 10, 100, tag_ids=frozenset({1})), Offer(1)))["framework"] == NEUTRAL
    assert values(pair(Need(1, 10, 100), Offer(1, tag_ids=frozenset({1}))))["framework"] == NEUTRAL


@pytest.mark.parametrize(("gap", "minimum", "maximum", "expected"), [
    (50.0, 10.0, 100.0, 1.0),                    # inside the range
    (10.0, 10.0, 100.0, 1.0),                    # on a bound
    (5.0, 10.0, 100.0, 1 - math.log10(2)),       # half the minimum: 1 - log10(10 / 5)
    (500.0, 10.0, 100.0, 1 - math.log10(5)),     # five times the maximum
    (1000.0, 10.0, 100.0, 0.0),                  # ten times the maximum: the last eligible gap
    (1e9, 10.0, None, 1.0),                      # above a minimum with no maximum
    (1.0, None, 100.0, 1.0),                     # below a maximum with no minimum
    (50.0, None, None, NEUTRAL),                 # no range
    (None, 10.0, 100.0, NEUTRAL),                # no gap
])
def test_ticket_fit_falls_in_log_scale_outside_the_range(gap, minimum, maximum, expected):
    match = pair(Need(1, 10, 100, funding_gap=gap), Offer(1, min_ticket=minimum, max_ticket=maximum))
    assert values(match)["ticket"] == pytest.approx(expected, abs=1e-12)


def test_kind_fit_is_the_share_of_the_kinds_asked_that_the_offer_gives():
    need = Need(1, 10, 100, kinds=frozenset({"financial", "technical"}))
    assert values(pair(need, Offer(1, kinds=frozenset({"financial", "training"}))))["kind"] == 0.5
    assert values(pair(need, Offer(1, kinds=frozenset({"technical", "financial", "loan"}))))["kind"] == 1.0
    assert values(pair(need, Offer(1, kinds=frozenset({"training"}))))["kind"] == 0.0
    assert values(pair(need, Offer(1)))["kind"] == NEUTRAL
    assert values(pair(NEED, Offer(1, kinds=frozenset({"loan"}))))["kind"] == NEUTRAL


def test_stage_and_readiness():
    ready = Need(1, 10, 100, stage="feasibility", readiness=80.0)
    named = Offer(1, stages=frozenset({"feasibility", "procurement"}))
    assert values(pair(ready, named))["stage_readiness"] == pytest.approx((1.0 + 0.8) / 2)
    assert values(pair(ready, OFFER))["stage_readiness"] == pytest.approx((NEUTRAL + 0.8) / 2)
    assert values(pair(Need(1, 10, 100, readiness=20.0), named))["stage_readiness"] == pytest.approx((NEUTRAL + 0.2) / 2)
    assert values(pair(NEED, OFFER))["stage_readiness"] == NEUTRAL


def test_text_similarity_is_the_cosine_of_the_tfidf_vectors():
    same = pair(Need(1, 10, 100, text="Smart street lighting"), Offer(1, text="smart STREET lighting"))
    assert values(same)["text"] == pytest.approx(1.0)
    apart = pair(Need(1, 10, 100, text="street lighting"), Offer(1, text="ไฟส่องสว่างถนน"))
    assert values(apart)["text"] == 0.0
    assert values(pair(Need(1, 10, 100, text="street lighting"), OFFER))["text"] == NEUTRAL


def test_the_total_is_the_sum_of_the_weighted_components():
    need = Need(1, 10, 100, tag_ids=frozenset({1, 2}), stage="concept", readiness=40.0, funding_gap=5.0,
                kinds=frozenset({"grant"}), text="flood warning")
    offer = Offer(1, tag_ids=frozenset({2}), min_ticket=10.0, max_ticket=100.0, kinds=frozenset({"grant", "loan"}),
                  text="ไฟส่องสว่างถนน")
    match = pair(need, offer)
    expected = {"framework": 0.5, "ticket": 1 - math.log10(2), "kind": 1.0, "stage_readiness": (NEUTRAL + 0.4) / 2,
                "text": 0.0}
    assert values(match) == pytest.approx(expected)
    assert [c.weight for c in match.components] == pytest.approx([DEFAULT_WEIGHTS[n] for n in COMPONENTS])
    assert [c.contribution for c in match.components] == pytest.approx(
        [expected[n] * DEFAULT_WEIGHTS[n] for n in COMPONENTS])
    assert match.score == pytest.approx(0.3 * 0.5 + 0.2 * (1 - math.log10(2)) + 0.15 * 1.0 + 0.1 * 0.45 + 0.0)
    assert match.score == pytest.approx(sum(c.contribution for c in match.components), abs=1e-15)


# --- Weights -------------------------------------------------------------------------------------------------


def test_weights_are_normalised():
    assert list(Weights(2, 0, 0, 0, 2).normalised()) == [0.5, 0, 0, 0, 0.5]
    assert Weights().normalised().sum() == pytest.approx(1.0)


def test_a_negative_weight_is_refused():
    with pytest.raises(WeightsError) as error:
        Weights(ticket=-0.1)
    assert str(error.value) == "The weight of “ticket” is negative (-0.1); weights must be zero or more."
    with pytest.raises(WeightsError, match=r"At least one weight must be above zero\."):
        Weights(0, 0, 0, 0, 0)
    with pytest.raises(WeightsError, match="must be a finite number"):
        Weights(text=math.nan)


def test_weights_change_the_order():
    need = Need(1, 10, 100, tag_ids=frozenset({1, 2}), text="flood early warning system")
    by_tags = Offer(1, tag_ids=frozenset({1, 2}), text="ไฟส่องสว่างถนน")
    by_text = Offer(2, tag_ids=frozenset({3}), text="flood early warning")
    features = prepare([need], [by_tags, by_text])
    tags_first = rank(features, Weights(framework=1, ticket=0, kind=0, stage_readiness=0, text=0))
    text_first = rank(features, Weights(framework=0, ticket=0, kind=0, stage_readiness=0, text=1))
    assert [m.offer_id for m in tags_first.offers_for_needs.matches(1)] == [1, 2]
    assert [m.offer_id for m in text_first.offers_for_needs.matches(1)] == [2, 1]
    assert [m.need_id for m in text_first.needs_for_offers.matches(2)] == [1]


# --- Eligibility ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("need", "offer", "code", "message"), [
    (NEED, Offer(1, country_ids=frozenset({11, 12})), "outside_countries",
     "The city is outside the offer's countries."),
    (NEED, Offer(1, country_ids=frozenset({10}), city_ids=frozenset({101})), "outside_cities",
     "The city is not one of the offer's cities."),
    (Need(1, 10, 100, stage="concept"), Offer(1, stages=frozenset({"procurement"})), "stage_not_served",
     "The offer does not serve projects at the “concept” stage."),
    (Need(1, 10, 100, funding_gap=99_999.0), Offer(1, min_ticket=1_000_000.0), "gap_far_below_ticket",
     "The offer's minimum ticket (1,000,000) is more than 10 times the funding gap (99,999)."),
    (Need(1, 10, 100, funding_gap=10_000_001.0), Offer(1, max_ticket=1_000_000.0), "gap_far_above_ticket",
     "The funding gap (10,000,001) is more than 10 times the offer's maximum ticket (1,000,000)."),
])
def test_an_ineligible_pair_is_never_ranked_and_says_why(need, offer, code, message):
    assert ineligibility(need, offer) == Ineligibility(code, message)
    features = prepare([need], [offer])
    assert explain(features, need.id, offer.id) == Ineligibility(code, message)
    rankings = rank(features)
    assert rankings.offers_for_needs.matches(need.id) == []
    assert rankings.needs_for_offers.matches(offer.id) == []


@pytest.mark.parametrize(("need", "offer"), [
    (NEED, Offer(1, country_ids=frozenset({10}), city_ids=frozenset({100}))),
    (NEED, Offer(1, stages=frozenset({"procurement"}))),                     # stage unknown: not excluded
    (Need(1, 10, 100, funding_gap=100_000.0), Offer(1, min_ticket=1_000_000.0)),   # exactly ten times smaller
    (Need(1, 10, 100, funding_gap=10_000_000.0), Offer(1, max_ticket=1_000_000.0)),
    (NEED, Offer(1, min_ticket=1e9, max_ticket=1e10)),                     # gap unknown: not excluded
])
def test_missing_facts_and_the_boundary_do_not_exclude(need, offer):
    assert ineligibility(need, offer) is None
    assert [m.offer_id for m in rank(prepare([need], [offer])).offers_for_needs.matches(need.id)] == [offer.id]


def test_the_reasons_are_translated():
    with using(lambda message: "[vi] " + message):
        assert ineligibility(NEED, Offer(1, country_ids=frozenset({11}))) == Ineligibility(
            "outside_countries", "[vi] The city is outside the offer's countries.")


# --- Ranking -------------------------------------------------------------------------------------------------


def test_ties_break_by_text_similarity_then_the_lower_id():
    need = Need(1, 10, 100, tag_ids=frozenset({1}), text="water supply network")
    offers = [Offer(7, tag_ids=frozenset({1}), text="water supply"),     # same score, closer text
              Offer(3, tag_ids=frozenset({1}), text="street lights"),    # same score and text as 5: lower id first
              Offer(5, tag_ids=frozenset({1}), text="street lights"),
              Offer(9, tag_ids=frozenset({2}), text="water supply network")]
    only_tags = Weights(framework=1, ticket=0, kind=0, stage_readiness=0, text=0)
    ranked = rank(prepare([need], offers), only_tags).offers_for_needs.matches(1)
    assert [(m.offer_id, m.rank, m.score) for m in ranked] == [(7, 1, 1.0), (3, 2, 1.0), (5, 3, 1.0), (9, 4, 0.0)]


def test_needs_for_an_offer_break_ties_by_the_lower_need_id():
    needs = [Need(i, 10, 100, tag_ids=frozenset({1})) for i in (8, 2, 5)]
    rankings = rank(prepare(needs, [Offer(1, tag_ids=frozenset({1}))]), needs_per_offer=2)
    assert [m.need_id for m in rankings.needs_for_offers.matches(1)] == [2, 5]


def test_vietnamese_and_thai_texts_match_their_own_language():
    offers = [Offer(1, text="Flood early warning system with river sensors"),
              Offer(2, text="Hệ thống cảnh báo sớm lũ lụt với cảm biến trên sông"),
              Offer(3, text="ระบบเตือนภัยน้ำท่วมล่วงหน้าพร้อมเซ็นเซอร์ในแม่น้ำ")]
    needs = [Need(1, 10, 100, text="cảnh báo lũ lụt cho thành phố"),
             Need(2, 10, 100, text="ระบบเตือนภัยน้ำท่วมสำหรับเมือง"),
             Need(3, 10, 100, text="canh bao lu lut"),                    # Vietnamese typed without diacritics
             Need(4, 10, 100, text="a flood warning for the city")]
    text_only = Weights(framework=0, ticket=0, kind=0, stage_readiness=0, text=1)
    ranking = rank(prepare(needs, offers), text_only).offers_for_needs
    assert [ranking.matches(need.id)[0].offer_id for need in needs] == [2, 3, 2, 1]


def test_normalised_text():
    assert normalise_text("Giao Thông Đô Thị") == "giao thong do thi"
    assert normalise_text("ระบบเตือนภัย") == "ระบบเตือนภัย"   # Thai marks are kept


def synthetic(n_needs: int, n_offers: int, seed: int) -> tuple[list[Need], list[Offer]]:
    rng = np.random.default_rng(seed)
    words = ["water", "flood", "nước", "lũ", "giao thông", "ไฟ", "ถนน", "น้ำท่วม", "bus", "data", "xe buýt"]
    stages = ["", "concept", "feasibility", "procurement"]
    kinds = ["financial", "technical", "loan", "grant"]

    def subset(pool, most: int) -> frozenset:
        return frozenset(rng.choice(pool, size=int(rng.integers(0, most + 1)), replace=False).tolist())

    def maybe(value: float) -> float | None:
        return None if rng.random() < 0.3 else value

    needs = [Need(int(i), int(rng.integers(3)), int(rng.integers(6)), subset(range(6), 3),
                  stages[int(rng.integers(4))], maybe(float(rng.integers(101))),
                  maybe(float(rng.choice([0.0, 1e3, 5e4, 1e5, 2e6]))), subset(kinds, 2),
                  " ".join(rng.choice(words, size=int(rng.integers(0, 4))).tolist()))
             for i in rng.permutation(n_needs * 3)[:n_needs] + 1]
    offers = [Offer(int(j), subset(range(3), 2), subset(range(6), 2) if rng.random() < 0.2 else frozenset(),
                    subset(range(6), 3), subset(stages[1:], 2), maybe(float(rng.choice([1e3, 1e4, 1e5]))),
                    maybe(float(rng.choice([1e5, 1e6]))), subset(kinds, 3),
                    " ".join(rng.choice(words, size=int(rng.integers(0, 4))).tolist()))
              for j in rng.permutation(n_offers * 3)[:n_offers] + 1]
    return needs, offers


def test_chunks_and_threads_give_the_same_result_as_one_chunk():
    features = prepare(*synthetic(120, 40, seed=3))
    whole = rank(features, offers_per_need=5, needs_per_offer=7, chunk_size=1000, workers=1)
    for chunk_size, workers in ((1, 1), (7, 2), (64, 2), (None, None)):
        chunked = rank(features, offers_per_need=5, needs_per_offer=7, chunk_size=chunk_size, workers=workers)
        for a, b in ((whole.offers_for_needs, chunked.offers_for_needs), (whole.needs_for_offers, chunked.needs_for_offers)):
            assert np.array_equal(a.ids, b.ids)
            assert np.array_equal(a.scores, b.scores, equal_nan=True)
            assert np.array_equal(a.values, b.values, equal_nan=True)


def test_every_ranked_match_carries_the_breakdown_that_explain_gives():
    needs, offers = synthetic(30, 20, seed=5)
    features = prepare(needs, offers)
    weights = Weights(1, 2, 3, 4, 5)
    rankings = rank(features, weights, offers_per_need=3, needs_per_offer=3)
    for ranking in (rankings.offers_for_needs, rankings.needs_for_offers):
        for row_id in ranking.row_ids:
            for match in ranking.matches(int(row_id)):
                explained = explain(features, match.need_id, match.offer_id, weights)
                assert isinstance(explained, Match)
                assert (explained.score, explained.components) == (match.score, match.components)


def brute_force(features, weights: Weights, k: int, by_need: bool) -> dict[int, list[tuple[int, float]]]:
    """Score every pair one at a time with `explain` and sort with Python: the reference for `rank`."""
    scored: dict[int, list[tuple[float, float, int]]] = {}
    for need in features.needs:
        for offer in features.offers:
            match = explain(features, need.id, offer.id, weights)
            if isinstance(match, Match):
                row, other = (need.id, offer.id) if by_need else (offer.id, need.id)
                scored.setdefault(row, []).append((-match.score, -match.components[-1].value, other))
    return {row: [(other, -score) for score, _text, other in sorted(cells)[:k]] for row, cells in scored.items()}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_needs=st.integers(1, 12), n_offers=st.integers(1, 12),
       k=st.integers(1, 5), chunk_size=st.integers(1, 5),
       weights=st.tuples(*[st.sampled_from([0.0, 0.5, 1.0, 3.0])] * 4, st.sampled_from([0.5, 1.0])))
def test_top_k_equals_a_brute_force_sort(seed, n_needs, n_offers, k, chunk_size, weights):
    features = prepare(*synthetic(n_needs, n_offers, seed))
    w = Weights(*weights)
    rankings = rank(features, w, offers_per_need=k, needs_per_offer=k, chunk_size=chunk_size)
    for ranking, by_need in ((rankings.offers_for_needs, True), (rankings.needs_for_offers, False)):
        expected = brute_force(features, w, k, by_need)
        for row_id in ranking.row_ids:
            got = [(m.offer_id if by_need else m.need_id, m.score) for m in ranking.matches(int(row_id))]
            assert got == expected.get(int(row_id), [])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_the_eligibility_matrix_agrees_with_the_explanations(seed):
    features = prepare(*synthetic(15, 15, seed))
    matrix = eligible_matrix(features, slice(0, len(features.needs)))
    expected = [[ineligibility(n, o) is None for o in features.offers] for n in features.needs]
    assert matrix.tolist() == expected


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match=r"Two offers have the id 1\."):
        prepare([NEED], [Offer(1), Offer(1)])


def test_no_offers_or_fewer_eligible_than_k():
    empty = rank(prepare([NEED], []))
    assert empty.offers_for_needs.matches(1) == []
    rankings = rank(prepare([NEED], [Offer(1), Offer(2, country_ids=frozenset({99}))]), offers_per_need=10)
    assert rankings.offers_for_needs.count(1) == 1
    assert rankings.offers_for_needs.ids[0].tolist() == [1] + [-1] * 9


def test_the_dense_sparse_product_equals_scipys_public_product():
    from scipy import sparse

    from ascn.partnerships import matching

    features = prepare(*synthetic(40, 30, seed=11))
    left, right = features.need_text, features.offer_text_t
    assert left.nnz and right.nnz
    expected = (left @ right).toarray()
    assert np.array_equal(matching.sparse_product_dense(left, right), expected)
    assert np.array_equal(matching.sparse_product_dense(left[3:9], right), expected[3:9])
    empty = sparse.csr_matrix((2, right.shape[0]))
    assert np.array_equal(matching.sparse_product_dense(empty, right), np.zeros((2, right.shape[1])))
