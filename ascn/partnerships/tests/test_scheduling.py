"""The business-matching scheduler (pure: no database): hand-solved sessions, a brute-force check on random
tiny sessions (with and without pruning), the constraints, pins and forbidden pairs, every refusal."""

import itertools
import math

import numpy as np
import pytest

from ascn.core import translator
from ascn.partnerships import scheduling as s


def session(scores, *, cities=None, partners=None, slots=("9:00", "9:30"), tables=1, available=None, pins=(),
            forbidden=()):
    """A problem from {(city, partner): score}; participants in the order they first appear unless given."""
    cities = cities or list(dict.fromkeys(c for c, _p in scores))
    partners = partners or list(dict.fromkeys(p for _c, p in scores))
    available = available or {}
    people = [s.Participant(c, "city", available.get(c)) for c in cities]
    people += [s.Participant(p, "partner", available.get(p)) for p in partners]
    return s.SchedulingProblem(people, list(slots), tables, [s.Candidate(c, p, v) for (c, p), v in scores.items()],
                               pins=list(pins), forbidden=list(forbidden))


def rows(meetings):
    return [(m.city, m.partner, m.slot, m.table) for m in meetings]


def assert_valid(problem, schedule_meetings, *, pins=True):
    """Every rule of a schedule: each pair once, nobody twice in a slot, availability, tables, forbids and
    (unless `pins` is false: the greedy baseline may miss a pin) the pins."""
    slots = list(problem.slots)
    tables = problem.tables if isinstance(problem.tables, list) else [problem.tables] * len(slots)
    available = {(p.side, p.id): set(slots if p.available is None else p.available) for p in problem.participants}
    pairs = [(m.city, m.partner) for m in schedule_meetings]
    assert len(pairs) == len(set(pairs))
    for slot, capacity in zip(slots, tables, strict=True):
        here = [m for m in schedule_meetings if m.slot == slot]
        assert sorted(m.table for m in here) == list(range(1, len(here) + 1))
        assert len(here) <= capacity
        assert len({m.city for m in here}) == len(here) and len({m.partner for m in here}) == len(here)
    for m in schedule_meetings:
        assert m.slot in available["city", m.city] and m.slot in available["partner", m.partner]
        assert (m.city, m.partner) not in set(problem.forbidden)
    met = {(m.city, m.partner): m.slot for m in schedule_meetings}
    for pin in problem.pins if pins else ():
        assert (pin.city, pin.partner) in met
        assert pin.slot is None or met[pin.city, pin.partner] == pin.slot


def brute_force(problem):
    """The best total score over every assignment of each pair to one of its slots or to none."""
    slots = list(problem.slots)
    tables = problem.tables if isinstance(problem.tables, list) else [problem.tables] * len(slots)
    available = {(p.side, p.id): set(slots if p.available is None else p.available) for p in problem.participants}
    forbidden = set(problem.forbidden)
    scores = {(c.city, c.partner): c.score for c in problem.candidates if (c.city, c.partner) not in forbidden}
    pins = {(p.city, p.partner): p.slot for p in problem.pins}
    for pair in pins:
        scores.setdefault(pair, 0.0)
    pairs = list(scores)
    options = []
    for city, partner in pairs:
        shared = [x for x in slots if x in available["city", city] and x in available["partner", partner]]
        if (city, partner) in pins and pins[city, partner] is not None:
            shared = [pins[city, partner]]
        options.append(shared if (city, partner) in pins else [None, *shared])
    best = -math.inf
    for choice in itertools.product(*options):
        used = [(pair, slot) for pair, slot in zip(pairs, choice, strict=True) if slot is not None]
        cities = [(pair[0], slot) for pair, slot in used]
        partners = [(pair[1], slot) for pair, slot in used]
        if len(set(cities)) < len(cities) or len(set(partners)) < len(partners):
            continue
        if any(sum(1 for _pair, slot in used if slot == x) > t for x, t in zip(slots, tables, strict=True)):
            continue
        best = max(best, sum(scores[pair] for pair, _slot in used))
    return best


def random_session(rng):
    """2-3 cities, 2-3 partners, 1-3 slots, 1-2 tables, availability about 70 %, up to 7 candidate pairs with
    whole scores (ties happen), sometimes a pin or a forbidden pair."""
    cities = [f"C{i}" for i in range(int(rng.integers(2, 4)))]
    partners = [f"P{i}" for i in range(int(rng.integers(2, 4)))]
    slots = [f"S{i}" for i in range(int(rng.integers(1, 4)))]
    tables = [int(t) for t in rng.integers(1, 3, len(slots))] if rng.random() < 0.5 else int(rng.integers(1, 3))
    available = {who: [x for x in slots if rng.random() < 0.7] for who in cities + partners}
    pairs = [(c, p) for c in cities for p in partners]
    chosen = rng.permutation(len(pairs))[:int(rng.integers(2, 8))]
    scores = {pairs[i]: float(rng.integers(0, 10)) for i in sorted(chosen)}
    pins, forbidden = [], []
    if rng.random() < 0.3:
        c, p = pairs[int(rng.integers(len(pairs)))]
        slot = slots[int(rng.integers(len(slots)))] if rng.random() < 0.5 else None
        pins.append(s.Pin(c, p, slot))
    if rng.random() < 0.3:
        forbidden.append(pairs[int(rng.integers(len(pairs)))])
    return session(scores, cities=cities, partners=partners, slots=slots, tables=tables, available=available,
                   pins=pins, forbidden=forbidden)


# --- Hand-solved sessions ----------------------------------------------------------------------------------


def test_availability_makes_the_greedy_order_lose_and_the_solver_finds_the_better_schedule():
    # A can meet only at 9:00. Greedy seats the best pair B-X at 9:00 first, and A is left without a meeting.
    problem = session({("B", "X"): 3.0, ("A", "X"): 2.0}, cities=["A", "B"], available={"A": ["9:00"]})
    schedule = s.solve(problem)
    assert rows(schedule.meetings) == [("A", "X", "9:00", 1), ("B", "X", "9:30", 1)]
    assert (schedule.score, schedule.bound, schedule.gap, schedule.status) == (5.0, 5.0, 0.0, "optimal")
    assert rows(schedule.greedy_meetings) == [("B", "X", "9:00", 1)]
    assert schedule.greedy_score == 3.0
    assert schedule.ratio_to_greedy == 5.0 / 3.0
    assert rows(s.greedy(problem)) == [("B", "X", "9:00", 1)]


def test_one_slot_two_tables_the_solver_trades_the_best_pair_for_two_good_ones():
    problem = session({("A", "X"): 3.0, ("A", "Y"): 2.0, ("B", "X"): 2.5, ("B", "Y"): 0.5}, slots=["10:00"],
                      tables=2)
    schedule = s.solve(problem)
    assert rows(schedule.meetings) == [("A", "Y", "10:00", 1), ("B", "X", "10:00", 2)]
    assert schedule.score == 4.5
    assert rows(schedule.greedy_meetings) == [("A", "X", "10:00", 1), ("B", "Y", "10:00", 2)]
    assert schedule.greedy_score == 3.5


def test_tables_are_numbered_from_one_in_each_slot_in_the_participants_order():
    scores = {(c, p): 1.0 for c, p in [("A", "X"), ("B", "Y"), ("C", "Z")]}
    schedule = s.solve(session(scores, cities=["C", "A", "B"], slots=["9:00"], tables=3))
    assert rows(schedule.meetings) == [("C", "Z", "9:00", 1), ("A", "X", "9:00", 2), ("B", "Y", "9:00", 3)]
    assert schedule.agenda("city", "A") == (s.Meeting("A", "X", "9:00", 2, 1.0),)
    assert schedule.agenda("partner", "Z") == (s.Meeting("C", "Z", "9:00", 1, 1.0),)


def test_tables_per_slot_and_a_slot_without_tables():
    problem = session({("A", "X"): 2.0, ("B", "Y"): 1.0, ("A", "Y"): 1.5}, slots=["9:00", "9:30"], tables=[0, 2])
    schedule = s.solve(problem)
    assert rows(schedule.meetings) == [("A", "X", "9:30", 1), ("B", "Y", "9:30", 2)]
    assert schedule.score == 3.0


def test_capacity_binds_the_best_meetings_across_slots():
    # Three slots with one table: the three best pairs that fit, each pair once, nobody twice in a slot.
    scores = {("A", "X"): 5.0, ("A", "Y"): 4.0, ("B", "X"): 3.0, ("B", "Y"): 1.0}
    problem = session(scores, slots=["1", "2", "3"])
    schedule = s.solve(problem)
    # Any order of the three meetings over the three slots is optimal: the pairs and one per slot are what count.
    assert sorted((m.city, m.partner) for m in schedule.meetings) == [("A", "X"), ("A", "Y"), ("B", "X")]
    assert [m.slot for m in schedule.meetings] == ["1", "2", "3"]
    assert schedule.score == 12.0
    assert_valid(problem, schedule.meetings)


def test_a_pin_is_met_in_its_slot_even_with_a_low_score_and_a_forbidden_pair_never():
    scores = {("A", "X"): 9.0, ("A", "Y"): 1.0, ("B", "X"): 8.0, ("B", "Y"): 2.0}
    problem = session(scores, slots=["9:00"], tables=2, pins=[s.Pin("A", "Y", "9:00")], forbidden=[("B", "X")])
    schedule = s.solve(problem)
    assert schedule.meetings == (s.Meeting("A", "Y", "9:00", 1, 1.0, pinned=True),)
    assert schedule.score == 1.0
    assert_valid(problem, schedule.meetings)


def test_a_pin_outside_the_candidates_meets_with_score_zero_in_any_shared_slot():
    problem = session({("A", "X"): 4.0}, cities=["A", "B"], partners=["X", "Y"], pins=[s.Pin("B", "Y")],
                      available={"B": ["9:30"]})
    schedule = s.solve(problem)
    assert schedule.meetings == (s.Meeting("A", "X", "9:00", 1, 4.0), s.Meeting("B", "Y", "9:30", 1, 0.0, True))
    assert schedule.greedy_meetings == schedule.meetings


def test_no_candidates_gives_an_empty_optimal_schedule():
    schedule = s.solve(session({}, cities=["A"], partners=["X"]))
    assert (schedule.meetings, schedule.score, schedule.status, schedule.gap) == ((), 0.0, "optimal", 0.0)
    assert schedule.ratio_to_greedy is None


# --- Random tiny sessions against brute force ---------------------------------------------------------------


def test_random_tiny_sessions_match_brute_force_with_and_without_pruning():
    rng = np.random.default_rng(20261205)
    solved = improved = pruning_mattered = 0
    for _ in range(300):
        problem = random_session(rng)
        if s.validate(problem):
            continue
        expected = brute_force(problem)
        if expected == -math.inf:  # the pins cannot all be placed: refused
            with pytest.raises(s.SchedulingError):
                s.solve(problem)
            continue
        schedules = [s.solve(problem), s.solve(problem, top_k=1), s.solve(problem, top_k=None)]
        for schedule in schedules:
            assert schedule.score == expected
            assert (schedule.status, schedule.gap, schedule.bound) == ("optimal", 0.0, expected)
            assert_valid(problem, schedule.meetings)
            assert schedule.score >= schedule.greedy_score
        assert_valid(problem, schedules[0].greedy_meetings, pins=False)
        solved += 1
        improved += schedules[0].score > schedules[0].greedy_score
        # Did the optimum need a pair outside every participant's best one (what top_k=1 keeps at first)?
        arrays = s._arrays(problem)
        kept = s.top_pairs(arrays.city, arrays.partner, arrays.score, 1) | arrays.pinned
        kept_pairs = {(arrays.cities[arrays.city[k]], arrays.partners[arrays.partner[k]]) for k in np.flatnonzero(kept)}
        pruning_mattered += any((m.city, m.partner) not in kept_pairs for m in schedules[1].meetings)
    assert solved >= 150
    assert improved >= 10  # the greedy baseline is beaten on some sessions
    assert pruning_mattered >= 10  # and the duals brought back pairs that pruning had left out


def test_pruning_that_does_not_bind_leaves_the_optimum_and_the_model_smaller():
    rng = np.random.default_rng(7)
    cities, partners, slots = [f"C{i}" for i in range(12)], [f"P{i}" for i in range(12)], [f"S{i}" for i in range(4)]
    scores = {(c, p): float(rng.integers(1, 100)) for c in cities for p in partners if rng.random() < 0.6}
    problem = session(scores, cities=cities, partners=partners, slots=slots, tables=3,
                      available={who: [x for x in slots if rng.random() < 0.7] for who in cities + partners})
    full, pruned = s.solve(problem, top_k=None), s.solve(problem, top_k=3)
    assert pruned.meetings == full.meetings
    assert pruned.score == full.score
    assert (pruned.status, pruned.gap, full.gap) == ("optimal", 0.0, 0.0)
    assert full.stats.candidate_pairs == pruned.stats.candidate_pairs == len(scores)
    assert pruned.stats.pairs_kept < full.stats.pairs_kept  # every pair with a shared slot
    assert_valid(problem, pruned.meetings)


def test_a_medium_session_is_valid_optimal_and_reports_its_gap():
    rng = np.random.default_rng(11)
    cities, partners = [f"C{i}" for i in range(20)], [f"P{i}" for i in range(30)]
    slots = [f"S{i}" for i in range(6)]
    scores = {(c, p): round(float(rng.random()), 3) for c in cities for p in partners if rng.random() < 0.5}
    pins = [s.Pin("C0", "P0", "S1"), s.Pin("C1", "P1")]
    problem = session(scores, cities=cities, partners=partners, slots=slots, tables=[4, 4, 2, 4, 4, 3],
                      available={who: [x for x in slots if rng.random() < 0.7] or slots for who in cities[2:] + partners[2:]},
                      pins=pins, forbidden=[("C2", "P2"), ("C3", "P3")])
    if s.validate(problem):
        pytest.fail(str(s.validate(problem)))
    schedule = s.solve(problem)
    assert_valid(problem, schedule.meetings)
    assert len(schedule.meetings) == 21  # every table is taken
    assert schedule.status == "optimal"
    assert schedule.gap == (schedule.bound - schedule.score) / max(abs(schedule.bound), s.TINY)
    assert 0 <= schedule.gap <= s.DEFAULT_MIP_REL_GAP
    assert schedule.score >= schedule.greedy_score
    assert schedule.score == math.fsum(m.score for m in schedule.meetings)
    assert schedule.stats.linear_bound >= schedule.bound - 1e-9
    assert s.solve(problem, top_k=None).score == schedule.score


# --- Refusals -------------------------------------------------------------------------------------------------


def refusal(problem, **options):
    """The problems `solve` refuses `problem` with (and nothing else happens)."""
    with pytest.raises(s.SchedulingError) as error:
        s.solve(problem, **options)
    return error.value.problems


def test_a_pin_that_is_forbidden_is_refused():
    problem = session({("A", "X"): 1.0}, pins=[s.Pin("A", "X")], forbidden=[("A", "X")])
    assert refusal(problem) == [("pins[0]", "the pair of A and X is pinned and forbidden at once")]


def test_a_pin_whose_participants_share_no_slot_is_refused():
    problem = session({("A", "X"): 1.0}, pins=[s.Pin("A", "X")], available={"A": ["9:00"], "X": ["9:30"]})
    assert refusal(problem) == [("pins[0]", "A and X share no available slot")]


def test_a_pin_in_a_slot_one_side_cannot_attend_is_refused():
    problem = session({("A", "X"): 1.0}, pins=[s.Pin("A", "X", "9:30")], available={"X": ["9:00"]})
    assert refusal(problem) == [("pins[0].slot", "X is not available in slot “9:30”")]
    problem = session({("A", "X"): 1.0}, pins=[s.Pin("A", "X", "9:30")], available={"A": [], "X": ["9:00"]})
    assert refusal(problem) == [("pins[0].slot", "A and X is not available in slot “9:30”")]
    problem = session({("A", "X"): 1.0}, pins=[s.Pin("A", "X", "noon")])
    assert refusal(problem) == [("pins[0].slot", "names an unknown slot “noon”")]


def test_more_pinned_meetings_than_slots_or_tables_allow_are_refused():
    scores = {("A", "X"): 1.0, ("A", "Y"): 1.0, ("A", "Z"): 1.0, ("B", "X"): 1.0}
    three = session(scores, pins=[s.Pin("A", "X"), s.Pin("A", "Y"), s.Pin("A", "Z")], tables=2)
    assert refusal(three) == [("pins", "A has 3 pinned meetings but is available in 2 slots")]
    same_slot = session(scores, pins=[s.Pin("A", "X", "9:00"), s.Pin("A", "Y", "9:00")], tables=2)
    assert refusal(same_slot) == [("pins", "A is pinned to two meetings in slot “9:00”")]
    full_slot = session(scores, pins=[s.Pin("A", "X", "9:00"), s.Pin("B", "Y", "9:00")], tables=[1, 1])
    assert refusal(full_slot) == [("pins", "2 meetings are pinned to slot “9:00”, which has 1 tables")]
    few_tables = session({**scores, ("B", "Y"): 1.0, ("C", "Z"): 1.0}, slots=["9:00"], tables=2,
                         pins=[s.Pin("A", "X"), s.Pin("B", "Y"), s.Pin("C", "Z")])
    assert refusal(few_tables) == [("pins", "3 meetings are pinned but the session has 2 tables in all its slots")]


def test_pins_that_cannot_be_placed_together_are_refused_by_the_solver():
    # Each check alone passes, but X and Y can both meet only at 9:00, and A cannot be at two tables at once.
    problem = session({("A", "X"): 1.0, ("A", "Y"): 1.0}, tables=2, pins=[s.Pin("A", "X"), s.Pin("A", "Y")],
                      available={"X": ["9:00"], "Y": ["9:00"]})
    assert s.validate(problem) == []
    assert refusal(problem) == [("pins", "the pinned meetings cannot all be placed in the slots and tables "
                                         "available; unpin some meetings or add slots or tables")]


def test_unknown_ids_are_refused_wherever_they_appear():
    problem = s.SchedulingProblem(
        [s.Participant("A", "city"), s.Participant("X", "partner")], ["9:00"], 1,
        [s.Candidate("A", "Q", 1.0), s.Candidate("X", "A", 1.0)], pins=[s.Pin("B", "X")], forbidden=[("A", "Z")])
    assert refusal(problem) == [
        ("candidates[0].partner", "“Q” is not a partner of this session"),
        ("candidates[1].city", "“X” is not a city of this session"),
        ("candidates[1].partner", "“A” is not a partner of this session"),
        ("forbidden[0].partner", "“Z” is not a partner of this session"),
        ("pins[0].city", "“B” is not a city of this session"),
    ]


def test_negative_or_not_finite_scores_and_repeated_pairs_are_refused():
    problem = s.SchedulingProblem(
        [s.Participant("A", "city"), s.Participant("X", "partner"), s.Participant("Y", "partner")], ["9:00"], 1,
        [s.Candidate("A", "X", -0.5), s.Candidate("A", "Y", math.nan), s.Candidate("A", "X", 1.0)])
    assert refusal(problem) == [
        ("candidates[0].score", "must be a finite number, zero or more"),
        ("candidates[1].score", "must be a finite number, zero or more"),
        ("candidates[2]", "the pair of A and X is listed twice"),
    ]


def test_bad_participants_slots_and_tables_are_refused():
    problem = s.SchedulingProblem(
        [s.Participant("A", "city", ["9:00", "noon"]), s.Participant("A", "city"), s.Participant("X", "guest")],
        ["9:00", "9:00"], [1], [])
    assert refusal(problem) == [
        ("slots", "slot “9:00” is listed twice"),
        ("tables", "give one whole number of tables from 0 to 10000 for each of the 2 slots"),
        ("participants[0].available", "names an unknown slot “noon”"),
        ("participants[1].id", "“A” is listed twice"),
        ("participants[2].side", "must be “city” or “partner”"),
    ]
    assert refusal(s.SchedulingProblem([], [], -1, [])) == [
        ("slots", "give at least one slot"), ("tables", "must be a whole number of tables from 0 to 10000")]


def test_validate_lists_what_solve_refuses_and_greedy_refuses_it_too():
    problem = session({("A", "X"): -1.0}, pins=[s.Pin("A", "Y")])
    expected = [("candidates[0].score", "must be a finite number, zero or more"),
                ("pins[0].partner", "“Y” is not a partner of this session")]
    assert s.validate(problem) == refusal(problem) == expected
    with pytest.raises(s.SchedulingError) as error:
        s.greedy(problem)
    assert error.value.problems == expected
    assert str(error.value) == "candidates[0].score: must be a finite number, zero or more; pins[0].partner: “Y” is " \
        "not a partner of this session"


def test_bad_options_are_refused():
    problem = session({("A", "X"): 1.0})
    assert refusal(problem, time_limit=0, mip_rel_gap=1, top_k=0) == [
        ("time_limit", "must be a number of seconds above 0 and at most 3,600"),
        ("mip_rel_gap", "must be a number from 0 to below 1"),
        ("top_k", "must be a whole number of pairs, at least 1, or none"),
    ]


def test_refusals_come_through_the_translator_hook():
    problem = session({("A", "X"): 1.0}, pins=[s.Pin("A", "X")], forbidden=[("A", "X")])
    catalogue = {"the pair of %(city)s and %(partner)s is pinned and forbidden at once":
                 "cặp %(city)s và %(partner)s vừa được ghim vừa bị cấm"}
    with translator.using(lambda message: catalogue.get(message, message)):
        assert refusal(problem) == [("pins[0]", "cặp A và X vừa được ghim vừa bị cấm")]
        assert s.validate(problem) == [("pins[0]", "cặp A và X vừa được ghim vừa bị cấm")]
    assert refusal(problem) == [("pins[0]", "the pair of A and X is pinned and forbidden at once")]
