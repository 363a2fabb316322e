"""The business-matching scheduler: one-to-one meetings between cities and partners at an event, solved
exactly with SciPy's MILP solver (HiGHS). Pure NumPy/SciPy, no Django, so it can be tested and benchmarked
alone; the partnerships app turns a session's records into a `SchedulingProblem` and stores the `Schedule`.

The model: a binary variable per (candidate pair, slot) that both sides are available in, maximising the
summed match score, with each pair meeting at most once (exactly once when pinned), each participant in at
most one meeting per slot and at most as many meetings in a slot as it has tables. Tables are numbered
afterwards, slot by slot.

To stay small at the scale of an event (300 participants, 16 slots), the solver starts from each
participant's `top_k` best pairs and proves afterwards, with the duals of the linear relaxation, that no
pair it left out could make the schedule better (see `solve`); pairs that could are added and the model is
solved again. The pruning therefore never changes the optimum: it only makes the model smaller.

Every input problem is refused with `SchedulingError`, whose `problems` are (field, message) pairs with
translatable messages (the project's translator hook).
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from ascn.core.translator import gettext as _

Side = Literal["city", "partner"]
ParticipantId = str | int
SlotId = str | int
Status = Literal["optimal", "time_limit"]

SIDES: tuple[Side, ...] = ("city", "partner")
DEFAULT_TOP_K = 8  # pairs kept per participant before the duals bring back any pair that could still pay
DEFAULT_TIME_LIMIT = 10.0  # seconds for the whole solve
DEFAULT_MIP_REL_GAP = 1e-4  # HiGHS stops when its relative gap is at most this
MAX_PARTICIPANTS = 5_000
MAX_SLOTS = 500
MAX_TABLES = 10_000
MAX_CANDIDATES = 2_000_000
# HiGHS's MILP presolve spends seconds probing the small, symmetric models left after the relaxation (slots
# are interchangeable for many pairs) and gains nothing there: measured 1.7 s without it and 5.2 s with it on
# the benchmark's slowest session, about the same on the others.
MILP_PRESOLVE = False
SIMPLEX_SHARE = 0.2  # of the time limit the dual simplex may take on the relaxation before interior point does
TINY = 1e-9  # the gap's denominator floor, and the tolerance of reduced costs and bounds
ROUNDING = 1e-7  # relative slack when comparing a bound with a score (solver tolerances)


class SchedulingError(ValueError):
    """A session that cannot be scheduled as given; `problems` are (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))


@dataclass(frozen=True)
class Participant:
    """A city or a partner at the event; `available` holds the slots it can meet in (None: every slot)."""

    id: ParticipantId
    side: Side
    available: Collection[SlotId] | None = None


@dataclass(frozen=True)
class Candidate:
    """A pair that may meet, with its match score (zero or more; higher is better)."""

    city: ParticipantId
    partner: ParticipantId
    score: float


@dataclass(frozen=True)
class Pin:
    """A pair the organisers want to meet, in `slot` or, when None, in any slot both are available."""

    city: ParticipantId
    partner: ParticipantId
    slot: SlotId | None = None


@dataclass(frozen=True)
class SchedulingProblem:
    """What to schedule. `slots` are in time order; `tables` is the number of tables in every slot, or one
    number per slot in the same order. `forbidden` holds (city, partner) pairs that must never meet."""

    participants: Sequence[Participant]
    slots: Sequence[SlotId]
    tables: int | Sequence[int]
    candidates: Sequence[Candidate]
    pins: Sequence[Pin] = ()
    forbidden: Collection[tuple[ParticipantId, ParticipantId]] = ()


@dataclass(frozen=True)
class Meeting:
    """One meeting of the schedule: the pair, its slot, its table (numbered from 1 in each slot), its score."""

    city: ParticipantId
    partner: ParticipantId
    slot: SlotId
    table: int
    score: float
    pinned: bool = False


@dataclass(frozen=True)
class SolveStats:
    """How big the model became: the candidate pairs, those the solver kept, and its variables."""

    candidate_pairs: int
    pairs_kept: int
    variables: int
    constraints: int
    refinements: int
    linear_bound: float


@dataclass(frozen=True)
class Schedule:
    """The solver's schedule and how good it is.

    `bound` is an upper bound on the best total score any schedule of this problem can reach (from the
    MILP's dual bound, made valid for the whole problem by the reduced costs of the pairs left out), so
    `gap` = (bound - score) / max(|bound|, tiny) says how far from optimal the schedule can be at most.
    `greedy_score` is the baseline of `greedy`; `ratio_to_greedy` is score ÷ greedy score (None when the
    greedy baseline scores nothing)."""

    meetings: tuple[Meeting, ...]
    score: float
    status: Status
    bound: float
    gap: float
    greedy_meetings: tuple[Meeting, ...]
    greedy_score: float
    ratio_to_greedy: float | None
    seconds: float
    stats: SolveStats

    def agenda(self, side: Side, participant: ParticipantId) -> tuple[Meeting, ...]:
        """The meetings of one participant, in slot order."""
        return tuple(m for m in self.meetings if (m.city if side == "city" else m.partner) == participant)


# --- Validation -------------------------------------------------------------------------------------------


def _is_count(value: object, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum


def _pair_name(city: ParticipantId, partner: ParticipantId) -> dict[str, object]:
    return {"city": city, "partner": partner}


def validate(problem: SchedulingProblem) -> list[tuple[str, str]]:
    """Every problem with the input, as (field, message) pairs; empty when the session can be solved
    (except for pins that no placement of tables and slots can honour together, which `solve` finds)."""
    problems: list[tuple[str, str]] = []
    slots = list(problem.slots)
    if not slots:
        problems.append(("slots", _("give at least one slot")))
    if len(slots) > MAX_SLOTS:
        problems.append(("slots", _("at most %(maximum)s slots") % {"maximum": MAX_SLOTS}))
    slot_set: set[SlotId] = set()
    for slot in slots:
        if slot in slot_set:
            problems.append(("slots", _("slot “%(slot)s” is listed twice") % {"slot": slot}))
        slot_set.add(slot)
    tables = _tables(problem)
    if tables is None:
        if isinstance(problem.tables, int | bool):
            problems.append(("tables", _("must be a whole number of tables from 0 to %(maximum)s")
                             % {"maximum": MAX_TABLES}))
        else:
            problems.append(("tables", _("give one whole number of tables from 0 to %(maximum)s for each of the "
                                         "%(slots)s slots") % {"maximum": MAX_TABLES, "slots": len(slots)}))
    if len(problem.participants) > MAX_PARTICIPANTS:
        problems.append(("participants", _("at most %(maximum)s participants") % {"maximum": MAX_PARTICIPANTS}))
    available: dict[tuple[Side, ParticipantId], set[SlotId]] = {}
    for i, person in enumerate(problem.participants):
        where = f"participants[{i}]"
        if person.side not in SIDES:
            problems.append((f"{where}.side", _("must be “city” or “partner”")))
            continue
        if (person.side, person.id) in available:
            problems.append((f"{where}.id", _("“%(id)s” is listed twice") % {"id": person.id}))
            continue
        own = slot_set if person.available is None else set(person.available)
        for slot in sorted(own - slot_set, key=str):
            problems.append((f"{where}.available", _("names an unknown slot “%(slot)s”") % {"slot": slot}))
        available[person.side, person.id] = own & slot_set

    def unknown(where: str, city: ParticipantId, partner: ParticipantId) -> bool:
        missing = False
        if ("city", city) not in available:
            problems.append((f"{where}.city", _("“%(id)s” is not a city of this session") % {"id": city}))
            missing = True
        if ("partner", partner) not in available:
            problems.append((f"{where}.partner", _("“%(id)s” is not a partner of this session") % {"id": partner}))
            missing = True
        return missing

    if len(problem.candidates) > MAX_CANDIDATES:
        problems.append(("candidates", _("at most %(maximum)s candidate pairs") % {"maximum": MAX_CANDIDATES}))
    seen: set[tuple[ParticipantId, ParticipantId]] = set()
    for i, candidate in enumerate(problem.candidates):
        where = f"candidates[{i}]"
        unknown(where, candidate.city, candidate.partner)
        score = candidate.score
        if isinstance(score, bool) or not isinstance(score, numbers.Real) or not math.isfinite(score) or score < 0:
            problems.append((f"{where}.score", _("must be a finite number, zero or more")))
        pair = (candidate.city, candidate.partner)
        if pair in seen:
            problems.append((where, _("the pair of %(city)s and %(partner)s is listed twice") % _pair_name(*pair)))
        seen.add(pair)
    forbidden = set()
    for i, (city, partner) in enumerate(problem.forbidden):
        unknown(f"forbidden[{i}]", city, partner)
        forbidden.add((city, partner))
    pinned: set[tuple[ParticipantId, ParticipantId]] = set()
    pins_of: dict[tuple[Side, ParticipantId], list[Pin]] = {}
    for i, pin in enumerate(problem.pins):
        where = f"pins[{i}]"
        if unknown(where, pin.city, pin.partner):
            continue
        pair = (pin.city, pin.partner)
        if pair in pinned:
            problems.append((where, _("the pair of %(city)s and %(partner)s is pinned twice") % _pair_name(*pair)))
            continue
        pinned.add(pair)
        if pair in forbidden:
            problems.append((where, _("the pair of %(city)s and %(partner)s is pinned and forbidden at once")
                             % _pair_name(*pair)))
            continue
        shared = available["city", pin.city] & available["partner", pin.partner]
        if pin.slot is not None:
            if pin.slot not in slot_set:
                problems.append((f"{where}.slot", _("names an unknown slot “%(slot)s”") % {"slot": pin.slot}))
                continue
            absent = [who for who, own in ((pin.city, available["city", pin.city]),
                                           (pin.partner, available["partner", pin.partner])) if pin.slot not in own]
            if absent:
                problems.append((f"{where}.slot", _("%(id)s is not available in slot “%(slot)s”")
                                 % {"id": " and ".join(str(who) for who in absent), "slot": pin.slot}))
                continue
        elif not shared:
            problems.append((where, _("%(city)s and %(partner)s share no available slot") % _pair_name(*pair)))
            continue
        pins_of.setdefault(("city", pin.city), []).append(pin)
        pins_of.setdefault(("partner", pin.partner), []).append(pin)
    if problems:
        return problems
    assert tables is not None
    for (side, who), pins in pins_of.items():
        if len(pins) > len(available[side, who]):
            problems.append(("pins", _("%(id)s has %(pins)s pinned meetings but is available in %(slots)s slots")
                             % {"id": who, "pins": len(pins), "slots": len(available[side, who])}))
        fixed = [pin.slot for pin in pins if pin.slot is not None]
        for slot in sorted({s for s in fixed if fixed.count(s) > 1}, key=slots.index):
            problems.append(("pins", _("%(id)s is pinned to two meetings in slot “%(slot)s”")
                             % {"id": who, "slot": slot}))
    per_slot = {slot: 0 for slot in slots}
    for pin in problem.pins:
        if pin.slot is not None:
            per_slot[pin.slot] += 1
    for slot, count in zip(slots, tables, strict=True):
        if per_slot[slot] > count:
            problems.append(("pins", _("%(count)s meetings are pinned to slot “%(slot)s”, which has %(tables)s "
                                       "tables") % {"count": per_slot[slot], "slot": slot, "tables": count}))
    if len(problem.pins) > sum(tables):
        problems.append(("pins", _("%(count)s meetings are pinned but the session has %(tables)s tables in all "
                                   "its slots") % {"count": len(problem.pins), "tables": sum(tables)}))
    return problems


def _tables(problem: SchedulingProblem) -> list[int] | None:
    """The tables of each slot, or None when `tables` is not valid."""
    if isinstance(problem.tables, int) and not isinstance(problem.tables, bool):
        return [problem.tables] * len(problem.slots) if _is_count(problem.tables, MAX_TABLES) else None
    if isinstance(problem.tables, bool | str | bytes):
        return None
    tables = list(problem.tables)
    if len(tables) != len(problem.slots) or not all(_is_count(t, MAX_TABLES) for t in tables):
        return None
    return tables


# --- The problem as arrays -------------------------------------------------------------------------------


@dataclass
class _Arrays:
    """The validated problem indexed by position: cities, partners and slots in input order; one row per
    pair (the candidates that are not forbidden, then the pins that are not candidates, with score 0)."""

    cities: list[ParticipantId]
    partners: list[ParticipantId]
    slots: list[SlotId]
    tables: np.ndarray  # per slot
    city_available: np.ndarray  # bool, cities x slots
    partner_available: np.ndarray  # bool, partners x slots
    city: np.ndarray  # per pair: the city's index
    partner: np.ndarray  # per pair: the partner's index
    score: np.ndarray  # per pair
    pinned: np.ndarray  # bool per pair
    feasible: np.ndarray = field(init=False)  # bool, pairs x slots: may meet in that slot

    def __post_init__(self) -> None:
        self.feasible = self.city_available[self.city] & self.partner_available[self.partner]


def _arrays(problem: SchedulingProblem) -> _Arrays:
    slots = list(problem.slots)
    slot_index = {slot: s for s, slot in enumerate(slots)}
    people = {side: [p for p in problem.participants if p.side == side] for side in SIDES}
    index = {side: {p.id: i for i, p in enumerate(people[side])} for side in SIDES}

    def availability(side: Side) -> np.ndarray:
        grid = np.zeros((len(people[side]), len(slots)), dtype=bool)
        for i, person in enumerate(people[side]):
            grid[i, [slot_index[s] for s in (slots if person.available is None else person.available)]] = True
        return grid

    forbidden = set(problem.forbidden)
    pins = {(pin.city, pin.partner): pin for pin in problem.pins}
    pairs = [(c.city, c.partner, float(c.score)) for c in problem.candidates if (c.city, c.partner) not in forbidden]
    listed = {(city, partner) for city, partner, _score in pairs}
    pairs += [(city, partner, 0.0) for city, partner in pins if (city, partner) not in listed]
    arrays = _Arrays(
        cities=[p.id for p in people["city"]], partners=[p.id for p in people["partner"]], slots=slots,
        tables=np.asarray(_tables(problem), dtype=float),
        city_available=availability("city"), partner_available=availability("partner"),
        city=np.asarray([index["city"][c] for c, _p, _s in pairs], dtype=np.int64),
        partner=np.asarray([index["partner"][p] for _c, p, _s in pairs], dtype=np.int64),
        score=np.asarray([s for _c, _p, s in pairs], dtype=float),
        pinned=np.asarray([(c, p) in pins for c, p, _s in pairs], dtype=bool),
    )
    for k, (city, partner, _score) in enumerate(pairs):  # a pin with a slot may meet in that slot only
        pin = pins.get((city, partner))
        if pin is not None and pin.slot is not None:
            arrays.feasible[k] = False
            arrays.feasible[k, slot_index[pin.slot]] = True
    return arrays


# --- Greedy baseline ---------------------------------------------------------------------------------------


def _greedy(a: _Arrays) -> tuple[np.ndarray, np.ndarray]:
    """Pins first (those with a slot, then the others), then every pair by score, highest first (ties in input
    order): each in the first slot where both sides are free and a table is left. (pair, slot) arrays."""
    n_slots = len(a.slots)
    city_busy = ~a.city_available
    partner_busy = ~a.partner_available
    used = np.zeros(n_slots)
    fixed = a.pinned & (a.feasible.sum(axis=1) == 1)
    order = np.lexsort((np.arange(len(a.score)), -a.score, ~(a.pinned & ~fixed), ~fixed))
    pairs: list[int] = []
    chosen: list[int] = []
    for k in order.tolist():
        c, p = int(a.city[k]), int(a.partner[k])
        free = a.feasible[k] & ~city_busy[c] & ~partner_busy[p] & (used < a.tables)
        if free.any():
            s = int(np.argmax(free))
            city_busy[c, s] = partner_busy[p, s] = True
            used[s] += 1
            pairs.append(k)
            chosen.append(s)
    return np.asarray(pairs, dtype=np.int64), np.asarray(chosen, dtype=np.int64)


def greedy(problem: SchedulingProblem) -> tuple[Meeting, ...]:
    """The greedy baseline: pins first, then the pairs by score, highest first, each in the first slot where
    both are free and a table is left. A pin it cannot place is left out (it is a baseline, not a solver)."""
    _check(validate(problem))
    a = _arrays(problem)
    return _meetings(a, *_greedy(a))


# --- Meetings and tables ---------------------------------------------------------------------------------


def _meetings(a: _Arrays, pairs: np.ndarray, slots: np.ndarray) -> tuple[Meeting, ...]:
    """The meetings in slot order, tables numbered from 1 in each slot by city, then partner, in input order."""
    order = np.lexsort((a.partner[pairs], a.city[pairs], slots))
    meetings: list[Meeting] = []
    table = 0
    previous = -1
    for i in order.tolist():
        k, s = int(pairs[i]), int(slots[i])
        table = table + 1 if s == previous else 1
        previous = s
        meetings.append(Meeting(a.cities[a.city[k]], a.partners[a.partner[k]], a.slots[s], table,
                                float(a.score[k]), bool(a.pinned[k])))
    return tuple(meetings)


def _total(meetings: Sequence[Meeting]) -> float:
    return float(math.fsum(m.score for m in meetings))


# --- The model ---------------------------------------------------------------------------------------------


def top_pairs(city: np.ndarray, partner: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Bool per pair: among the `k` best of its city's pairs or of its partner's (by score, ties in input
    order)."""
    keep = np.zeros(len(score), dtype=bool)
    for owner in (city, partner):
        order = np.lexsort((np.arange(len(score)), -score, owner))
        grouped = owner[order]
        starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        keep[order[rank < k]] = True
    return keep


@dataclass
class _Model:
    """The chosen (pair, slot) variables and their constraints: one row per pair that has a variable (≤ 1, or
    = 1 when pinned), one per city and slot, one per partner and slot (≤ 1), one per slot (≤ its tables)."""

    pairs: np.ndarray  # the pairs with a variable
    column_pair: np.ndarray  # per variable: its pair's index
    column_slot: np.ndarray  # per variable: its slot
    matrix: sparse.csr_array  # only the rows with a variable
    upper: np.ndarray
    lower: np.ndarray
    row_ids: np.ndarray  # per row: its place among all the rows, empty ones included (see `_duals`)
    n_rows: int  # all the rows, empty ones included


def _model(a: _Arrays, columns: np.ndarray) -> _Model:
    """The model of the variables marked in `columns` (bool, pairs x slots)."""
    column_pair, column_slot = np.nonzero(columns)
    pairs, row_of_pair = np.unique(column_pair, return_inverse=True)
    n_pairs, n_cities, n_partners, n_slots = len(pairs), len(a.cities), len(a.partners), len(a.slots)
    city_rows = n_pairs + a.city[column_pair] * n_slots + column_slot
    partner_rows = n_pairs + n_cities * n_slots + a.partner[column_pair] * n_slots + column_slot
    slot_rows = n_pairs + (n_cities + n_partners) * n_slots + column_slot
    n_rows = n_pairs + (n_cities + n_partners + 1) * n_slots
    n_columns = len(column_pair)
    row_ids, rows = np.unique(np.concatenate([row_of_pair, city_rows, partner_rows, slot_rows]),
                              return_inverse=True)
    matrix = sparse.csr_array((np.ones(4 * n_columns), (rows, np.tile(np.arange(n_columns), 4))),
                              shape=(len(row_ids), n_columns))
    upper = np.concatenate([np.ones(n_rows - n_slots), a.tables])[row_ids]
    lower = np.full(n_rows, -np.inf)
    lower[:n_pairs][a.pinned[pairs]] = 1.0
    return _Model(pairs, column_pair, column_slot, matrix, upper, lower[row_ids], row_ids, n_rows)


@dataclass
class _Duals:
    """A feasible solution of the dual of the linear relaxation over every (pair, slot), and its value
    `bound`: an upper bound on the score of any schedule. `reduced` holds each variable's reduced cost
    (≤ 0; -inf where the pair may not meet in that slot): a schedule that uses the variable scores at most
    `bound` + its reduced cost."""

    bound: float
    reduced: np.ndarray  # pairs x slots


def _duals(a: _Arrays, model: _Model, time_limit: float, method: str) -> _Duals | None:
    """Solve the linear relaxation of `model` and extend its duals to every pair; None if it found no answer
    in time. Raises SchedulingError if the pins alone cannot be placed."""
    ineq = np.isinf(model.lower)
    has_eq = bool((~ineq).any())
    used = np.zeros(model.matrix.shape[0])
    if len(model.column_pair):
        result = linprog(-a.score[model.column_pair], A_ub=model.matrix[ineq], b_ub=model.upper[ineq],
                         A_eq=model.matrix[~ineq] if has_eq else None, b_eq=model.upper[~ineq] if has_eq else None,
                         bounds=(0, None), method=method, options={"time_limit": max(time_limit, 0.01)})
        if result.status == 2:
            _refuse_pins()
        if result.status != 0:
            return None
        used[ineq] = np.maximum(-np.asarray(result.ineqlin.marginals), 0.0)  # ≤ rows of a maximisation: ≥ 0
        if has_eq:
            used[~ineq] = -np.asarray(result.eqlin.marginals)
    row = np.zeros(model.n_rows)  # an empty row's dual is 0
    row[model.row_ids] = used
    n_pairs, n_slots, n_cities = len(model.pairs), len(a.slots), len(a.cities)
    city_dual = row[n_pairs:n_pairs + n_cities * n_slots].reshape(n_cities, n_slots)
    partner_dual = row[n_pairs + n_cities * n_slots:-n_slots].reshape(len(a.partners), n_slots)
    slot_dual = row[-n_slots:]
    pair_dual = np.zeros(len(a.score))
    pair_dual[model.pairs] = row[:n_pairs]
    # Reduced costs of every (pair, slot); each pair's dual is raised by its largest positive one, so that the
    # duals are feasible for the relaxation over all pairs (a pair without a variable starts from a dual of 0).
    reduced = a.score[:, None] - pair_dual[:, None] - city_dual[a.city] - partner_dual[a.partner] - slot_dual
    reduced = np.where(a.feasible, reduced, -np.inf)
    raise_by = np.maximum(reduced.max(axis=1, initial=-np.inf), 0.0)
    pair_dual += raise_by
    reduced -= raise_by[:, None]
    bound = float(math.fsum(pair_dual) + city_dual.sum() + partner_dual.sum() + slot_dual @ a.tables)
    return _Duals(bound, reduced)


def _refuse_pins() -> None:
    raise SchedulingError([("pins", _("the pinned meetings cannot all be placed in the slots and tables "
                                      "available; unpin some meetings or add slots or tables"))])


def _check(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise SchedulingError(problems)


def _check_options(time_limit: float, mip_rel_gap: float, top_k: int | None) -> None:
    problems = []
    if not (isinstance(time_limit, int | float) and math.isfinite(time_limit) and 0 < time_limit <= 3600):
        problems.append(("time_limit", _("must be a number of seconds above 0 and at most 3,600")))
    if not (isinstance(mip_rel_gap, int | float) and 0 <= mip_rel_gap < 1):
        problems.append(("mip_rel_gap", _("must be a number from 0 to below 1")))
    if top_k is not None and (not _is_count(top_k, MAX_PARTICIPANTS) or top_k == 0):
        problems.append(("top_k", _("must be a whole number of pairs, at least 1, or none")))
    _check(problems)


def _tolerance(score: float, mip_rel_gap: float = 0.0) -> float:
    """How much a bound must exceed `score` to count as room for a better schedule (solver tolerances)."""
    return max(mip_rel_gap, ROUNDING) * max(abs(score), 1.0)


def solve(problem: SchedulingProblem, *, time_limit: float = DEFAULT_TIME_LIMIT,
          mip_rel_gap: float = DEFAULT_MIP_REL_GAP, top_k: int | None = DEFAULT_TOP_K) -> Schedule:
    """The schedule that maximises the total score, with its bound, its gap and the greedy baseline.

    `time_limit` bounds the whole solve in seconds, `mip_rel_gap` is the relative gap at which HiGHS may
    stop, `top_k` the pairs per participant the linear relaxation starts from (None: every pair).

    Steps, each exact:
    1. The greedy baseline (`greedy`); when it places every pin, its score is a schedule to beat.
    2. The linear relaxation of the `top_k` best pairs of each participant (and the pins) is solved; its
       duals, extended to every pair (a pair's own dual raised by its largest positive reduced cost), bound
       the score of any schedule, and of any schedule that uses a given (pair, slot) by that bound plus the
       variable's reduced cost. The pairs with a positive reduced cost are added and the relaxation solved
       again until there are none (column generation).
    3. The MILP starts from the variables the relaxation's optimum rests on (reduced cost 0) and the pins'.
       When the relaxation's optimum has an integral point, as it mostly has, this small MILP finds it and
       its score meets the bound: proven optimal.
    4. Otherwise the variables left out whose bound still exceeds the best schedule so far (the MILP's, or
       the greedy one when it places every pin) by more than `mip_rel_gap` are added and the MILP solved
       again, while time is left (reduced-cost fixing: a schedule using any other variable scores less).
    The reported bound is the larger of the MILP's dual bound and the best bound of a variable left out, so it
    holds for the whole problem; when the MILP finds nothing better in time, the greedy schedule is returned
    (status "time_limit") if it places every pin.
    """
    started = time.perf_counter()
    _check_options(time_limit, mip_rel_gap, top_k)
    _check(validate(problem))
    a = _arrays(problem)
    greedy_pairs, greedy_slots = _greedy(a)
    greedy_meetings = _meetings(a, greedy_pairs, greedy_slots)
    greedy_score = _total(greedy_meetings)
    greedy_complete = bool(a.pinned[greedy_pairs].sum() == a.pinned.sum())
    may_meet = np.asarray(a.feasible.any(axis=1), dtype=bool)

    def remaining() -> float:
        return time_limit - (time.perf_counter() - started)

    def finish(meetings: tuple[Meeting, ...], optimal: bool, bound: float, stats: SolveStats) -> Schedule:
        score = _total(meetings)
        bound = max(bound, score)
        gap = (bound - score) / max(abs(bound), TINY)
        status: Status = "optimal" if optimal and gap <= mip_rel_gap + ROUNDING else "time_limit"
        return Schedule(meetings, score, status, bound, gap, greedy_meetings, greedy_score,
                        score / greedy_score if greedy_score > 0 else None, time.perf_counter() - started, stats)

    if not may_meet.any():
        return finish((), True, 0.0, SolveStats(len(a.score), 0, 0, 0, 0, 0.0))
    # 2. Column generation on the relaxation.
    keep = may_meet.copy()
    if top_k:
        keep[may_meet] = a.pinned[may_meet] | top_pairs(a.city[may_meet], a.partner[may_meet], a.score[may_meet], top_k)
    # The dual simplex is fastest on most sessions; on a degenerate one (many tables per slot) it stalls, and
    # the interior point method (with crossover, for exact duals) takes over.
    duals: _Duals | None = None
    method = "highs-ds"
    while True:
        model = _model(a, a.feasible & keep[:, None])
        limit = min(remaining(), SIMPLEX_SHARE * time_limit) if method == "highs-ds" else remaining()
        duals = _duals(a, model, limit, method)
        if duals is None and method == "highs-ds" and remaining() > 0:
            method = "highs-ipm"
            continue
        if duals is None:
            break
        wanted = may_meet & ~keep & (duals.reduced.max(axis=1, initial=-np.inf) > -TINY)
        if not wanted.any() or remaining() <= 0:
            break
        keep |= wanted
    linear_bound = duals.bound if duals is not None else math.inf
    # 3. The MILP's first variables: those the relaxation's optimum rests on (reduced cost 0) and the pins'.
    if duals is not None:
        columns = a.feasible & (duals.reduced >= -_tolerance(duals.bound))
        columns |= a.feasible & a.pinned[:, None]
    if duals is None or not columns.any():
        columns = a.feasible & keep[:, None]
    best: tuple[Meeting, ...] | None = greedy_meetings if greedy_complete else None
    solved = np.zeros_like(columns)  # the variables of the last MILP solved
    milp_bound = math.inf
    solved_optimal = False
    refinements = 0
    variables = constraints = 0
    while remaining() > 0:
        model = _model(a, columns)
        variables, constraints = len(model.column_pair), model.matrix.shape[0]
        result = milp(-a.score[model.column_pair], integrality=np.ones(variables), bounds=Bounds(0, 1),
                      constraints=LinearConstraint(model.matrix, model.lower, model.upper),
                      options={"time_limit": max(remaining(), 0.01), "mip_rel_gap": mip_rel_gap, "disp": False,
                               "presolve": MILP_PRESOLVE})
        if result.status == 2:
            _refuse_pins()
        if result.x is None:
            break
        chosen = np.flatnonzero(result.x > 0.5)
        found = _meetings(a, model.column_pair[chosen], model.column_slot[chosen])
        if best is None or _total(found) >= _total(best):
            best = found
        solved = columns.copy()
        milp_bound = -float(result.mip_dual_bound) if result.mip_dual_bound is not None else math.inf
        solved_optimal = result.status == 0
        if duals is None:
            break
        # 4. Variables left out that could still beat the best schedule by more than the gap allowed.
        score = _total(best)
        promising = a.feasible & ~columns & (duals.bound + duals.reduced > score + _tolerance(score, mip_rel_gap))
        if not promising.any():
            break
        columns |= promising
        refinements += 1
    stats = SolveStats(len(a.score), int(keep.sum()), variables, constraints, refinements, linear_bound)
    # Upper bounds that hold for the whole problem; the smallest is reported.
    bounds = [_simple_bound(a, may_meet), linear_bound]
    left_out = a.feasible & ~solved
    if not left_out.any():
        bounds.append(milp_bound)
    elif duals is not None:  # the best a schedule using a variable left out could reach
        bounds.append(max(milp_bound, duals.bound + float(duals.reduced[left_out].max())))
    if best is None:
        raise SchedulingError([("time_limit", _("no schedule honouring every pin was found within %(seconds)s "
                                                "seconds; allow more time") % {"seconds": time_limit})])
    return finish(best, solved_optimal, min(bounds), stats)


def _simple_bound(a: _Arrays, may_meet: np.ndarray) -> float:
    """The best scores summed over as many pairs as there are tables in all the slots: a bound that needs no
    solver (each pair meets at most once, each meeting takes a table)."""
    scores = np.sort(a.score[may_meet])[::-1]
    return float(math.fsum(scores[:int(a.tables.sum())]))
