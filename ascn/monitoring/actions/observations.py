"""Every write to baselines, targets and observations: permission, validation, transaction, audit.

Observations are written by one path whatever their origin (the entry form, an uploaded file, the
bulk API): a `Batch` of rows is checked as a whole (importing, validation and the database rules:
known city and indicator, the indicator assigned to the city and its unit set, the period open; values in
the indicator's unit, computed from numerator and denominator with its multiplier), planned against the
existing rows (loaded once, matched on city, indicator and period) and, with `commit` and no error,
written in one transaction with bulk statements. Importing the same rows twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ascn.core import actions as core
from ascn.core import audit, bulk, periods
from ascn.core.bulk import insert_values
from ascn.core.choices import AuditAction
from ascn.core.imports import (
    MAX_LISTED_ROWS,
    ImportSummary,
    as_text,
    check_then_commit,
    commit_kept,
    keep_upload,
    row_entry,
)
from ascn.core.imports import listed as listed_rows
from ascn.core.models import AuditEntry, User
from ascn.core.permissions import can_create, require_create, require_edit
from ascn.core.tabular import FileProblem
from ascn.network.models import City

from .. import importing, validation
from ..choices import IndicatorFamily, IndicatorLevel, ReportState, Verification
from ..models import CityIndicator, CityReport, Indicator, Observation, ObservationImport, ReportingRound, Target
from ..queries import observations as observation_rules
from ..queries import reports as report_rules

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

MAX_LISTED = 1000          # errors and flags kept in a summary (their totals are always exact)
INSERT_CHUNK = 100_000     # new rows built per chunk, so PostgreSQL stores one while the next is built
REBUILD_INDEX_MIN_ROWS = bulk.REBUILD_INDEX_MIN_ROWS  # see core.bulk.index_rebuilt
CITY_SHIFT, INDICATOR_SHIFT = 2 ** 38, 2 ** 18
VALUE_FIELDS = ("value", "numerator", "denominator")
TEXT_FIELDS = ("source", "method", "evidence_url", "comment")
ASSIGNMENT_FIELDS = {"baseline_value", "baseline_year", "notes"}
_NO_FLAGS: list = []  # one shared, never mutated value: the bulk insert converts it once


def _user(actor: Actor | None) -> User | None:
    """The account recorded as the author: None for the public and for the system (commands, benchmarks)."""
    return actor if isinstance(actor, User) else None


# --- Open periods -------------------------------------------------------------------------------------


def period_states(cities: dict[int, str], years: set[int], today: dt.date | None = None) -> dict[tuple, str]:
    """Why each (city id, year) is closed to writes; pairs that are open are absent.

    Open: the year's reporting round exists, lists the city, has opened (or has no opening date), the city's
    deadline has not passed (its extension, else the round's closing date; none: no limit), the Secretariat
    has not closed the round (or the city's extension still runs), and the city's report for it is not
    locked (submitted, endorsed or accepted). `cities` maps ids to names for the messages.
    """
    today = today or report_rules.today()
    rounds = {r.year: r for r in ReportingRound.objects.filter(year__in=years)}
    members = set(ReportingRound.cities.through.objects.filter(reportinground__year__in=years, city_id__in=cities)
                  .values_list("reportinground__year", "city_id"))
    reports = {(year, city_id): (state, due_on) for year, city_id, state, due_on in CityReport.objects.filter(
        round__year__in=years, city_id__in=cities).values_list("round__year", "city_id", "state", "due_on")}
    closed: dict[tuple, str] = {}
    for city_id, name in cities.items():
        for year in years:
            state, due_on = reports.get((year, city_id), (None, None))
            reason = _closed_reason(rounds.get(year), (year, city_id) in members, state, name, year, today, due_on)
            if reason:
                closed[(city_id, year)] = reason
    return closed


def _closed_reason(reporting_round: ReportingRound | None, member: bool, state: str | None, city: str, year: int,
                   today: dt.date, due_on: dt.date | None = None) -> str:
    if reporting_round is None:
        return _("there is no %(year)d reporting round; the Secretariat opens rounds") % {"year": year}
    if not member:
        return _("%(city)s does not report in the %(year)d round") % {"city": city, "year": year}
    if reporting_round.opens_on and today < reporting_round.opens_on:
        return _("the %(year)d round opens on %(date)s") % {"year": year, "date": reporting_round.opens_on.isoformat()}
    if report_rules.is_closed_to_city(reporting_round, due_on, today):
        closed_on = timezone.localdate(reporting_round.closed_at) if reporting_round.closed_at else today
        return _("the Secretariat closed the %(year)d round on %(date)s") % {"year": year,
                                                                              "date": closed_on.isoformat()}
    last_day = report_rules.deadline(reporting_round, due_on)
    if last_day and today > last_day:
        if due_on is not None and last_day == due_on:
            return _("the extension of %(city)s in the %(year)d round ended on %(date)s") % {
                "city": city, "year": year, "date": last_day.isoformat()}
        return _("the %(year)d round closed on %(date)s") % {"year": year, "date": last_day.isoformat()}
    if state == ReportState.ACCEPTED:
        return _("%(city)s's %(year)d report is accepted; the Secretariat must reopen it first") % {
            "city": city, "year": year}
    if state in (ReportState.SUBMITTED, ReportState.ENDORSED):
        return _("%(city)s's %(year)d report is %(state)s; it must be returned to the city before its figures "
                 "change") % {"city": city, "year": year, "state": str(ReportState(state).label).lower()}
    return ""


def open_years(city: City, today: dt.date | None = None) -> list[int]:
    """The years whose period is open to the city's writes, oldest first."""
    years = set(ReportingRound.objects.filter(cities=city).values_list("year", flat=True))
    closed = period_states({city.pk: city.name}, years, today)
    return sorted(y for y in years if (city.pk, y) not in closed)


# --- Checking and writing a batch ------------------------------------------------------------------------


@dataclass
class LoadSummary(ImportSummary):
    """The import summary with the rows read, the blank rows skipped, the total of errors (only the first
    MAX_LISTED are listed) and the findings flagged for review."""
    rows: int = 0
    blank: int = 0
    error_count: int = 0
    flags: list[dict[str, Any]] = field(default_factory=list)
    flag_count: int = 0
    flag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def error_total(self) -> int:
        return self.error_count


@dataclass
class _Plan:
    """What a checked batch would do: positions (in the batch) to create and to update, with flags."""
    batch: importing.Batch
    city_ids: np.ndarray
    indicator_ids: np.ndarray
    years: np.ndarray
    values: np.ndarray
    create: np.ndarray
    update: np.ndarray
    update_ids: np.ndarray
    previous: dict[int, tuple]                      # batch position -> the existing row's values
    flags: dict[int, list[dict]]
    names: dict[int, str]                           # city id -> name
    codes: dict[int, str]                           # indicator id -> code


def load_batch(actor: Actor | None, batch: importing.Batch, *, commit: bool, via: str = "web", name: str = "",
               as_system: bool = False, synthetic: bool = False) -> LoadSummary:
    """Check a batch and, with `commit` and no error, write it atomically. `as_system` (commands and
    benchmarks) may write every city.

    `synthetic` is the demo's load (`manage.py demo_data`, as the system): its rows are written flagged
    synthetic, whatever the periods' rounds say (the demo fills past years whose rounds are closed), and a
    row whose city, indicator and period already has a value is refused, so the demo never changes a real
    value. A real load that replaces a synthetic value makes it real."""
    if synthetic and not as_system:
        raise PermissionDenied(_("Only the demo command writes synthetic values."))
    summary = LoadSummary(rows=len(batch), blank=batch.blank)

    def write(plan: _Plan | None) -> None:
        if plan is not None:
            _apply(actor, plan, name or via, via, synthetic)

    return check_then_commit(summary, lambda: _check(actor, batch, summary, as_system, synthetic), write,
                             commit=commit, writing=lambda: _large_cache(len(batch)))


def _large_cache(rows: int) -> AbstractContextManager[None]:
    """The database's session settings for a load of `rows` observations (on SQLite a page cache large
    enough for the indexes a bulk write touches), restored afterwards."""
    return bulk.tuned_for_load(Observation, rows)


def _check(actor: Actor | None, batch: importing.Batch, summary: LoadSummary, as_system: bool,
           synthetic: bool = False) -> _Plan | None:
    n = len(batch)
    problems = list(batch.problems)
    cities = _cities(actor, batch, problems, as_system)
    city_ids = _mapped(batch.city, cities[0], -1)
    indicators = {code: (pk, unit, multiplier, name) for pk, code, unit, multiplier, name in
                  Indicator.objects.filter(code__in=set(batch.indicator_code))
                  .values_list("id", "code", "unit", "multiplier", "name")}
    indicator_ids = _mapped(batch.indicator_code, {c: d[0] for c, d in indicators.items()}, -1)
    for i in np.flatnonzero(indicator_ids < 0):
        if batch.indicator_code[i]:
            problems.append(validation.Problem(int(i), "indicator_code", "unknown_indicator",
                                               _('"%(code)s" is not an indicator code of the catalogue')
                                               % {"code": batch.indicator_code[i]}))
    _check_assigned(batch, city_ids, indicator_ids, cities[1], problems)
    parsed = periods.columns(batch.period)
    for i in np.flatnonzero(~parsed.valid):
        if batch.period[i]:  # an empty period is reported as empty
            problems.append(validation.Problem(int(i), "period", "period_malformed",
                                               periods.error_message(batch.period[i])))
    if not synthetic:
        _check_open(batch, city_ids, parsed.year, cities[1], problems)
    without_unit = _check_units(indicator_ids, indicators, problems)
    values, value_problems, value_flags = _check_values(batch, indicator_ids, indicators)
    skipped = {p.index for p in batch.problems if p.code == "not_a_number"} | without_unit
    problems += [p for p in value_problems if p.index not in skipped]
    keys = city_ids * CITY_SHIFT + indicator_ids * INDICATOR_SHIFT + parsed.code
    bad = np.zeros(n, dtype=bool)
    bad[np.array([p.index for p in problems], dtype=np.intp)] = True
    _check_duplicates(batch, keys, bad, problems)
    bad[np.array([p.index for p in problems], dtype=np.intp)] = True
    summary.error_count = len(problems)
    order = {c: i for i, c in enumerate(importing.COLUMNS)}
    problems.sort(key=lambda p: (p.index, order.get(p.column, 99)))
    summary.errors = [{"row": int(batch.rows[p.index]), "column": p.column, "code": p.code, "reason": p.reason}
                      for p in problems[:MAX_LISTED]]
    good = ~bad
    if not good.any():
        return None
    plan = _plan(batch, good, keys, city_ids, indicator_ids, parsed, values, value_flags)
    if synthetic and len(plan.create) < int(good.sum()):
        _refuse_stored(batch, good, plan, summary)
        return None
    plan.names = {pk: nm for pk, nm in cities[1].items()}
    plan.codes = {d[0]: code for code, d in indicators.items()}
    summary.created, summary.updated = len(plan.create), len(plan.update)
    summary.unchanged = int(good.sum()) - summary.created - summary.updated
    _list_rows(plan, summary)
    written = np.concatenate([plan.create, plan.update])
    counts: Counter[str] = Counter()
    listed: list[dict[str, Any]] = []
    for row in sorted(int(i) for i in written if int(i) in plan.flags):
        for item in plan.flags[row]:
            counts[item["code"]] += 1
            if len(listed) < MAX_LISTED:
                listed.append({"row": int(batch.rows[row]), "city": batch.city[row],
                               "indicator": batch.indicator_code[row], "period": batch.period[row],
                               "code": item["code"], "detail": validation.flag_text(item)})
    summary.flags, summary.flag_count, summary.flag_counts = listed, sum(counts.values()), dict(sorted(counts.items()))
    return plan


def _refuse_stored(batch: importing.Batch, good: np.ndarray, plan: _Plan, summary: LoadSummary) -> None:
    """A synthetic load's rows whose city, indicator and period already has a value: errors, nothing written."""
    stored = np.setdiff1d(np.flatnonzero(good), plan.create)
    summary.error_count += len(stored)
    summary.errors += [{"row": int(batch.rows[i]), "column": "period", "code": "stored",
                        "reason": _("a value is already stored for this city, indicator and period; synthetic "
                                    "values are added only where there is none")}
                       for i in stored[:max(0, MAX_LISTED - len(summary.errors))].tolist()]


def _list_rows(plan: _Plan, summary: LoadSummary) -> None:
    """The first rows the load creates and updates, for the summary (at most MAX_LISTED_ROWS of each, so a
    million rows cost no more: the stored texts of the rows listed are read in one query)."""
    batch = plan.batch

    def key(pos: int) -> str:
        city = plan.names.get(int(plan.city_ids[pos]), batch.city[pos])
        return f"{city} · {batch.indicator_code[pos]} · {batch.period[pos]}"

    summary.created_rows = listed_rows(plan.create[:MAX_LISTED_ROWS].tolist(),
                                       lambda pos: row_entry(batch.rows[pos], key(pos)))
    shown = list(zip(plan.update[:MAX_LISTED_ROWS].tolist(), plan.update_ids[:MAX_LISTED_ROWS].tolist(), strict=True))
    texts = {pk: tuple(rest) for pk, *rest in
             Observation.objects.filter(id__in=[pk for _pos, pk in shown]).values_list("id", *TEXT_FIELDS)}

    def describe(item: tuple[int, int]) -> dict[str, Any]:
        pos, pk = item
        old = (*plan.previous[pos][:3], *texts.get(pk, ("",) * len(TEXT_FIELDS)))
        new = (float(plan.values[pos]), float(batch.numerator[pos]), float(batch.denominator[pos]),
               *(getattr(batch, name)[pos] for name in TEXT_FIELDS))
        return row_entry(batch.rows[pos], key(pos), {name: (o, n) for name, o, n in zip(
            (*VALUE_FIELDS, *TEXT_FIELDS), old, new, strict=True) if as_text(o) != as_text(n)})

    summary.updated_rows = listed_rows(shown, describe)


def _check_units(indicator_ids: np.ndarray, indicators: dict[str, tuple], problems: list) -> set[int]:
    """Rows of indicators whose unit is not set are refused, naming the indicator: a value without a unit
    cannot be computed, checked or compared. Returns their positions."""
    missing = {pk: (code, name) for code, (pk, unit, _multiplier, name) in indicators.items() if not unit}
    if not missing:
        return set()
    rows = np.flatnonzero(np.isin(indicator_ids, np.fromiter(missing, dtype=np.int64, count=len(missing))))
    for i in rows.tolist():
        code, name = missing[int(indicator_ids[i])]
        problems.append(validation.Problem(i, "indicator_code", "unit_missing", _(
            "%(code)s %(name)s has no unit yet: the ASEAN Secretariat must set its unit on the indicator's page "
            "before values can be recorded") % {"code": code, "name": name}))
    return set(rows.tolist())


def _check_values(batch: importing.Batch, indicator_ids: np.ndarray, indicators: dict[str, tuple]
                  ) -> tuple[np.ndarray, list[validation.Problem], dict[int, list[dict]]]:
    """The value rules of each row by its indicator's unit and multiplier (`validation.check_values`): the
    values with those computed from numerator and denominator filled in, the errors, the range flags."""
    rules = {pk: (validation.scale_for(unit, multiplier), validation.is_percentage(unit),
                  validation.may_be_negative(unit)) for pk, unit, multiplier, _name in indicators.values()}
    ids = indicator_ids.tolist()
    scale = _mapped(ids, {pk: r[0] for pk, r in rules.items()}, 1.0, np.float64)
    percent = _mapped(ids, {pk: r[1] for pk, r in rules.items()}, False, bool)
    signed = _mapped(ids, {pk: r[2] for pk, r in rules.items()}, False, bool)
    return validation.check_values(batch.value, batch.numerator, batch.denominator, scale, percent, signed)


def _cities(actor: Actor | None, batch: importing.Batch, problems: list, as_system: bool) -> tuple[dict, dict]:
    """({slug: id} of the cities the actor may write, {id: name}); unknown or forbidden cities are errors."""
    slugs = set(batch.city) - {""}
    found = {slug: (pk, nm) for pk, slug, nm in City.objects.filter(slug__in=slugs).values_list("id", "slug", "name")}
    allowed = {slug: pk for slug, (pk, _nm) in found.items()
               if as_system or can_create(actor, Observation, city_id=pk)}
    reasons = {}
    for slug in slugs - set(allowed):
        reasons[slug] = (_('"%(city)s" is not a city of the network (use its slug, for example da-nang)')
                         % {"city": slug}) if slug not in found else (
            _("you may not record figures for %(city)s") % {"city": found[slug][1]})
    if reasons:
        problems += [validation.Problem(i, "city", "city", reasons[s]) for i, s in enumerate(batch.city)
                     if s in reasons]
    return allowed, {pk: nm for pk, nm in found.values()}


def _check_assigned(batch: importing.Batch, city_ids: np.ndarray, indicator_ids: np.ndarray, names: dict,
                    problems: list) -> None:
    known = (city_ids >= 0) & (indicator_ids >= 0)
    if not known.any():
        return
    pairs = CityIndicator.objects.filter(city_id__in=set(city_ids[known].tolist()),
                                         indicator_id__in=set(indicator_ids[known].tolist()))
    assigned = np.array([c * INDICATOR_SHIFT * 4 + i for c, i in pairs.values_list("city_id", "indicator_id")],
                        dtype=np.int64)
    wanted = city_ids * INDICATOR_SHIFT * 4 + indicator_ids
    missing = known & ~np.isin(wanted, assigned)
    for i in np.flatnonzero(missing):
        problems.append(validation.Problem(int(i), "indicator_code", "not_assigned",
                                           _('"%(code)s" is not assigned to %(city)s; assign it on the city\'s data '
                                             'page first') % {"code": batch.indicator_code[i],
                                                              "city": names.get(int(city_ids[i]), "")}))


def _check_open(batch: importing.Batch, city_ids: np.ndarray, years: np.ndarray, names: dict,
                problems: list) -> None:
    known = (city_ids >= 0) & (years > 0)
    if not known.any():
        return
    pair_keys = city_ids * 10_000 + years
    distinct = np.unique(pair_keys[known])
    closed = period_states({c: names[c] for c in set((distinct // 10_000).tolist())},
                           set((distinct % 10_000).tolist()))
    if not closed:
        return
    closed_keys = np.array([c * 10_000 + y for c, y in closed], dtype=np.int64)
    for i in np.flatnonzero(known & np.isin(pair_keys, closed_keys)):
        reason = closed[(int(city_ids[i]), int(years[i]))]
        problems.append(validation.Problem(int(i), "period", "period_closed",
                                           _("%(period)s is not open: %(reason)s") % {"period": batch.period[i],
                                                                                        "reason": reason}))


def _check_duplicates(batch: importing.Batch, keys: np.ndarray, bad: np.ndarray, problems: list) -> None:
    """A city, indicator and period given twice: the later rows are errors naming the first."""
    candidates = np.flatnonzero(~bad)
    if len(candidates) < 2:
        return
    order = candidates[np.argsort(keys[candidates], kind="stable")]
    same = keys[order][1:] == keys[order][:-1]
    if not same.any():
        return
    first: dict[int, int] = {}
    for a, b in zip(order[:-1][same].tolist(), order[1:][same].tolist(), strict=True):
        origin = first.get(a, a)
        first[b] = origin
        problems.append(validation.Problem(b, "period", "duplicate",
                                           _("duplicate of row %(row)d (same city, indicator and period)")
                                           % {"row": int(batch.rows[origin])}))


def _mapped(column: list, mapping: dict, default: Any, dtype: Any = np.int64) -> np.ndarray:
    """`column` mapped through `mapping` (each distinct value looked up once) as an array."""
    lookup = {value: mapping.get(value, default) for value in set(column)}
    return np.fromiter(map(lookup.__getitem__, column), dtype=dtype, count=len(column))


def _existing(city_ids: set[int], indicator_ids: set[int], period_texts: set[str]) -> dict[str, list[Any]]:
    """The stored rows that matter to a batch: the same cities' series of its indicators (history and
    matches) and other cities' values for its indicators and periods (peers)."""
    rows = Observation.objects.filter(
        Q(indicator_id__in=indicator_ids) & (Q(city_id__in=city_ids) | Q(period__in=period_texts))
    ).values_list("id", "city_id", "indicator_id", "period", "value", "numerator", "denominator", *TEXT_FIELDS,
                  "verification")
    names = ("id", "city_id", "indicator_id", "period", "value", "numerator", "denominator", *TEXT_FIELDS,
             "verification")
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:  # plain tuples: no per-row ORM work on a million rows
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    columns = list(zip(*fetched, strict=True)) if fetched else [()] * len(names)
    return dict(zip(names, (list(c) for c in columns), strict=True))


def _nan(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _plan(batch: importing.Batch, good: np.ndarray, keys: np.ndarray, city_ids: np.ndarray,
          indicator_ids: np.ndarray, parsed: periods.PeriodColumns, values: np.ndarray,
          value_flags: dict[int, list[dict[str, Any]]]) -> _Plan:
    """What the batch's good rows would do against the stored rows; `parsed` holds the batch's periods."""
    positions = np.flatnonzero(good)
    codes = parsed.code
    existing = _existing(set(city_ids[positions].tolist()), set(indicator_ids[positions].tolist()),
                         {batch.period[i] for i in positions.tolist()})
    m = len(existing["id"])
    e_periods = periods.columns(existing["period"])
    e_code, e_kind, e_ord = e_periods.code, e_periods.kind, e_periods.ordinal
    e_city = np.array(existing["city_id"], dtype=np.int64)
    e_ind = np.array(existing["indicator_id"], dtype=np.int64)
    e_keys = e_city * CITY_SHIFT + e_ind * INDICATOR_SHIFT + e_code
    e_values = _nan(existing["value"])
    # Match the batch's good rows with stored rows.
    sorter = np.argsort(e_keys)
    found_at = np.searchsorted(e_keys, keys[positions], sorter=sorter) if m else np.zeros(len(positions), int)
    found_at = np.minimum(found_at, max(m - 1, 0))
    match = sorter[found_at] if m else np.full(len(positions), -1)
    matched = (e_keys[match] == keys[positions]) if m else np.zeros(len(positions), dtype=bool)
    # Outliers over stored rows not replaced by the batch, plus the batch's good rows.
    replaced = np.zeros(m, dtype=bool)
    replaced[match[matched]] = True
    kept = np.flatnonzero(~replaced)
    b_kind, b_ord = parsed.kind[positions], parsed.ordinal[positions]
    series = np.concatenate([e_city[kept] * 2 ** 22 + e_ind[kept] * 4 + e_kind[kept],
                             city_ids[positions] * 2 ** 22 + indicator_ids[positions] * 4 + b_kind])
    ordinal = np.concatenate([e_ord[kept], b_ord])
    all_values = np.concatenate([e_values[kept], values[positions]])
    peers = np.concatenate([e_ind[kept] * INDICATOR_SHIFT + e_code[kept],
                            indicator_ids[positions] * INDICATOR_SHIFT + codes[positions]])
    check = np.r_[np.zeros(len(kept), dtype=bool), np.ones(len(positions), dtype=bool)]
    texts = [existing["period"][i] for i in kept.tolist()] + [batch.period[i] for i in positions.tolist()]
    outliers = validation.merge_flags(validation.history_outliers(series, ordinal, all_values, check, texts),
                                      validation.peer_outliers(peers, all_values, check, texts))
    offset = len(kept)
    flags = validation.merge_flags({i: f for i, f in value_flags.items() if good[i]},
                                   {int(positions[j - offset]): f for j, f in outliers.items()})
    # Decide per matched row: unchanged or update.
    rows_m = positions[matched]
    idx_m = match[matched]
    same = _same(_nan(existing["value"])[idx_m], values[rows_m])
    same &= _same(_nan(existing["numerator"])[idx_m], batch.numerator[rows_m])
    same &= _same(_nan(existing["denominator"])[idx_m], batch.denominator[rows_m])
    for name in TEXT_FIELDS:
        stored = np.array(existing[name], dtype=object)[idx_m] if m else np.array([], dtype=object)
        incoming = np.array(getattr(batch, name), dtype=object)[rows_m]
        same &= stored == incoming if len(rows_m) else np.zeros(0, dtype=bool)
    update = rows_m[~same]
    update_idx = idx_m[~same]
    previous = {int(p): tuple(existing[f][i] for f in (*VALUE_FIELDS, "verification"))
                for p, i in zip(update.tolist(), update_idx.tolist(), strict=True)}
    return _Plan(batch=batch, city_ids=city_ids, indicator_ids=indicator_ids, years=parsed.year, values=values,
                 create=positions[~matched], update=update,
                 update_ids=np.array(existing["id"], dtype=np.int64)[update_idx] if m else np.zeros(0, np.int64),
                 previous=previous, flags=flags, names={}, codes={})


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _float(value: float) -> float | None:
    return None if value != value else value  # NaN -> NULL


def _apply(actor: Actor | None, plan: _Plan, name: str, via: str, synthetic: bool = False) -> None:
    """Write a plan through the bulk loader (`core.bulk`), and one audit entry per city. Observations are
    the fact table (no per-row foreign-key check, see the model): the ids written are those `_check`
    has just looked up. New rows are built chunk by chunk as the loader asks for them, and the
    (indicator, period) index is set aside during a load that at least doubles the table."""
    now = timezone.now()
    author_id = getattr(_user(actor), "pk", None)
    constants = {"created_at": now, "updated_at": now, "evidence_file": "", "verification": Verification.REPORTED.value,
                 "author_id": author_id, "synthetic": synthetic}
    chunks = (_created_columns(plan, plan.create[start:start + INSERT_CHUNK])
              for start in range(0, len(plan.create), INSERT_CHUNK))
    with bulk.index_rebuilt(Observation, "observation_indicator_idx", len(plan.create),
                            min_rows=REBUILD_INDEX_MIN_ROWS):
        bulk.insert_columns(Observation, chunks, constants)
    if len(plan.update):
        _update(plan, now, author_id)
    _audit(actor, plan, name, via, now)


def _created_columns(plan: _Plan, chunk: np.ndarray) -> dict[str, list]:
    """The varying columns of the rows to create, as plain Python lists (None for NULL)."""
    batch = plan.batch
    picked = chunk.tolist()
    take = _picker(picked)
    flags = (list(map(plan.flags.get, picked, repeat(_NO_FLAGS))) if plan.flags
             else [_NO_FLAGS] * len(picked))
    return {"city_id": plan.city_ids[chunk].tolist(), "indicator_id": plan.indicator_ids[chunk].tolist(),
            "period": take(batch.period), "year": plan.years[chunk].tolist(),
            "value": plan.values[chunk].tolist(), "numerator": _nullable(batch.numerator[chunk]),
            "denominator": _nullable(batch.denominator[chunk]),
            **{f: take(getattr(batch, f)) for f in TEXT_FIELDS}, "flags": flags}


def _picker(positions: list[int]) -> Any:
    """A function taking the items at `positions` from a list, in C (itemgetter) rather than a loop."""
    if len(positions) == 1:
        return lambda values: [values[positions[0]]]
    getter = itemgetter(*positions)
    return lambda values: list(getter(values))


def _nullable(values: np.ndarray) -> list:
    """Floats with NaN as None (NULL)."""
    if np.isnan(values).all():
        return [None] * len(values)
    return [None if v != v else v for v in values.tolist()]


def _update(plan: _Plan, now: dt.datetime, author_id: int | None) -> None:
    """Overwrite the changed rows. A changed value, numerator or denominator needs checking again
    (verification back to reported); a queried row answered by the city is reported again too. A synthetic
    row overwritten by a real load becomes real (the demo's loads never update)."""
    batch = plan.batch
    positions = plan.update.tolist()
    columns: dict[str, list] = {name: [] for name in (*VALUE_FIELDS, "verification", "flags")}
    values, numerators, denominators = columns["value"], columns["numerator"], columns["denominator"]
    for pos in positions:
        old_value, old_num, old_den, verification = plan.previous[pos]
        new = (float(plan.values[pos]), _float(float(batch.numerator[pos])), _float(float(batch.denominator[pos])))
        if new != (old_value, old_num, old_den) or verification == Verification.QUERIED:
            verification = Verification.REPORTED.value
        values.append(new[0])
        numerators.append(new[1])
        denominators.append(new[2])
        columns["verification"].append(verification)
        columns["flags"].append(plan.flags.get(pos, _NO_FLAGS))
    take = _picker(positions)
    columns.update({f: take(getattr(batch, f)) for f in TEXT_FIELDS})
    bulk.update_by_id(Observation, plan.update_ids.tolist(), columns, {"author_id": author_id, "updated_at": now,
                                                                       "synthetic": False})


def _audit(actor: Actor | None, plan: _Plan, name: str, via: str, now: dt.datetime) -> None:
    """One audit entry per city: what was imported, how many rows, and each changed value's old and new."""
    batch = plan.batch
    per_city: dict[int, dict[str, Any]] = defaultdict(lambda: {"source": [None, name[:200]], "created": [None, 0],
                                                               "updated": [None, 0]})
    for city_id in plan.city_ids[plan.create].tolist():
        per_city[city_id]["created"][1] += 1
    for pos in plan.update.tolist():
        city_id = int(plan.city_ids[pos])
        changes = per_city[city_id]
        changes["updated"][1] += 1
        label = f"{batch.indicator_code[pos]} {batch.period[pos]}"
        changes[label] = [plan.previous[pos][0], float(plan.values[pos])]
    content_type_id = ContentType.objects.get_for_model(City).pk
    author_id = getattr(_user(actor), "pk", None)
    insert_values(AuditEntry, [
        {"actor_id": author_id, "action": AuditAction.UPDATE, "content_type_id": content_type_id,
         "object_id": str(city_id), "object_repr": (_("%(city)s: observations") % {"city": plan.names.get(city_id, "")}
                                                    )[:200], "changes": changes, "via": via, "created_at": now}
        for city_id, changes in sorted(per_city.items())])


# --- Files, JSON rows and single observations -----------------------------------------------------------


@overload
def import_file(actor: Actor | None, name: str, data: bytes, *, city: City | None = None, commit: bool,
                via: str = "web", keep_file: Literal[True] = True, as_system: bool = False
                ) -> tuple[LoadSummary, ObservationImport]: ...


@overload
def import_file(actor: Actor | None, name: str, data: bytes, *, city: City | None = None, commit: bool,
                via: str = "web", keep_file: Literal[False], as_system: bool = False) -> tuple[LoadSummary, None]: ...


@overload
def import_file(actor: Actor | None, name: str, data: bytes, *, city: City | None = None, commit: bool,
                via: str = "web", keep_file: bool, as_system: bool = False
                ) -> tuple[LoadSummary, ObservationImport | None]: ...


def import_file(actor: Actor | None, name: str, data: bytes, *, city: City | None = None, commit: bool,
                via: str = "web", keep_file: bool = True, as_system: bool = False
                ) -> tuple[LoadSummary, ObservationImport | None]:
    """Check an observations file (CSV or XLSX; with `city`, rows without a city are that city's and rows
    of another city are refused) and, with `commit` and no error, write it. The upload is kept with its
    summary (`keep_file`)."""
    with bulk.collector_paused():
        try:
            batch = importing.batch_from_file(name, data, default_city=city.slug if city else "")
        except FileProblem as exc:
            summary = LoadSummary(problem=str(exc))
        else:
            if city is not None:
                _only_city(batch, city)
            summary = load_batch(actor, batch, commit=commit, via=via, name=name, as_system=as_system)
    if not keep_file:
        return summary, None
    return summary, keep_upload(ObservationImport(city=city, uploaded_by=_user(actor)), name, data, summary)


def _only_city(batch: importing.Batch, city: City) -> None:
    """On a city's import page every row is that city's."""
    for i, slug in enumerate(batch.city):
        if slug != city.slug:
            batch.problems.append(validation.Problem(i, "city", "other_city",
                                                     _('"%(other)s" is not %(city)s: this page imports %(city)s\'s '
                                                       'figures only') % {"other": slug, "city": city.name}))
    batch.problems.sort(key=lambda p: p.index)


def commit_import(actor: Actor, record: ObservationImport, via: str = "web") -> LoadSummary:
    """Commit a checked upload from its kept file (checked again: the data may have changed since), once."""
    def rerun(name: str, data: bytes) -> LoadSummary:
        return import_file(actor, name, data, city=record.city, commit=True, via=via, keep_file=False)[0]

    return commit_kept(actor, record, rerun, once=True)


def load_records(actor: Actor | None, records: list[dict[str, Any]], *, commit: bool, via: str = "api",
                 as_system: bool = False) -> tuple[LoadSummary, ObservationImport | None]:
    """Check JSON rows ({"city", "indicator", "period", "value", ...}) and, with `commit`, write them; a
    committed batch is kept as a JSON file with its summary, like an uploaded file."""
    with bulk.collector_paused():
        try:
            batch = importing.batch_from_records(records)
        except FileProblem as exc:
            return LoadSummary(problem=str(exc)), None
        summary = load_batch(actor, batch, commit=commit, via=via, name="api", as_system=as_system)
    if not summary.committed:
        return summary, None
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"api-{stamp}.json"
    data = json.dumps(records, ensure_ascii=False).encode()
    return summary, keep_upload(ObservationImport(uploaded_by=_user(actor)), name, data, summary)


def record_observation(actor: Actor, city: City, data: dict[str, Any], *, commit: bool = True,
                       via: str = "web", evidence_file: Any = None) -> tuple[LoadSummary, Observation | None]:
    """Check and (with `commit`) write one observation of `city` from a form or the API: the same rules as
    a file. Raises ValidationError naming the fields when the row is refused."""
    record = {"city": city.slug, **{k: data.get(k) for k in importing.RECORD_FIELDS if k != "city"}}
    batch = importing.batch_from_records([record])
    if not len(batch):
        raise ValidationError({"value": _("Give the value, or the numerator and the denominator.")})
    summary = load_batch(actor, batch, commit=False, via=via)
    if summary.errors:
        errors: dict[str, list[str]] = defaultdict(list)
        for e in summary.errors:
            errors["indicator" if e["column"] == "indicator_code" else e["column"]].append(e["reason"])
        raise ValidationError(dict(errors))
    if not commit:
        return summary, None
    with transaction.atomic():
        summary = load_batch(actor, batch, commit=True, via=via)
        if not summary.committed:
            raise ValidationError([e["reason"] for e in summary.errors] or summary.problem)
        observation = Observation.objects.get(city=city, indicator__code=batch.indicator_code[0],
                                              period=batch.period[0])
        if evidence_file is not None:
            observation.evidence_file.save(evidence_file.name, evidence_file, save=False)
            observation.save(update_fields=["evidence_file", "updated_at"])
            core.record(actor, AuditAction.UPDATE, observation,
                        {"evidence_file": [None, observation.evidence_file.name]}, via)
    return summary, observation


def delete_observation(actor: Actor, observation: Observation, via: str = "web") -> None:
    """Remove a value entered by mistake, by whoever may edit the city's data, while its period is open
    (a locked or closed period keeps its figures). The audit entry keeps what the value was; an evidence
    file stays in storage with it."""
    require_edit(actor, observation)
    closed = period_states({observation.city_id: observation.city.name}, {observation.year})
    reason = closed.get((observation.city_id, observation.year))
    if reason:
        raise ValidationError({"period": _("This value cannot be deleted: %(reason)s.") % {"reason": reason}})
    with transaction.atomic():
        core.delete_audited(actor, observation, via)


# --- Verification ---------------------------------------------------------------------------------------


def may_verify(actor: Actor, observation: Observation) -> bool:
    """The Secretariat verifies every city's figures; a National Representative those of its country (the one
    rule, `queries.observations.verifiable`, that the review queue shows)."""
    scope = observation_rules.verifiable(actor)
    return scope is not None and Observation.objects.filter(scope, pk=observation.pk).exists()


def set_verification(actor: Actor, observation: Observation, state: str, comment: str = "",
                     via: str = "web") -> dict[str, list]:
    """Mark an observation verified, queried (a comment is required: it is shown to the city as a flag) or
    reported again. Returns the changes (empty when nothing changed)."""
    if not may_verify(actor, observation):
        raise PermissionDenied(_("Only the ASEAN Secretariat or the country's National Representative verifies "
                                 "figures."))
    if state not in Verification.values:
        raise ValidationError({"verification": _('"%(state)s" is not one of %(allowed)s')
                               % {"state": state, "allowed": ", ".join(Verification.values)}})
    comment = (comment or "").strip()
    if state == Verification.QUERIED and not comment:
        raise ValidationError({"comment": _("Say what is wrong or missing: the city sees this comment.")})
    flags = [f for f in observation.flags if f.get("code") != "queried"]
    if state == Verification.QUERIED:
        flags.append(validation.flag("queried", comment=comment[:1000]))
    with transaction.atomic():
        return core.update_audited(actor, observation, {"verification": state, "flags": flags}, via=via)


# --- Assignments, baselines and targets -------------------------------------------------------------------


def assign_indicator(actor: Actor, city: City, indicator: Indicator, data: dict[str, Any] | None = None,
                     via: str = "web") -> CityIndicator:
    """Assign an indicator to a city (the Secretariat, or the city's officer), with an optional baseline."""
    require_create(actor, CityIndicator, city_id=city.pk)
    values = core.only_fields(data or {}, ASSIGNMENT_FIELDS)
    if CityIndicator.objects.filter(city=city, indicator=indicator).exists():
        raise ValidationError({"indicator": _("%(code)s is already assigned to %(city)s.")
                               % {"code": indicator.code, "city": city.name}})
    with transaction.atomic():
        return core.create_audited(actor, CityIndicator(city=city, indicator=indicator, **values), via=via)


@dataclass(frozen=True)
class AssignedSet:
    """What assigning a set did: the codes assigned now, and how many of the set the city had already."""

    added: list[str]
    already: int


def core_kpis(actor: Actor | None) -> list[Indicator]:
    """The set "all core U4SSC KPIs", as far as the actor sees the catalogue."""
    return list(Indicator.objects.visible_to(actor).filter(family=IndicatorFamily.U4SSC, level=IndicatorLevel.CORE)
                .order_by("code"))


def dimension_set(actor: Actor | None, dimension: str) -> list[Indicator]:
    """The set "every indicator of one dimension" (any family), as far as the actor sees the catalogue."""
    found = list(Indicator.objects.visible_to(actor).filter(dimension=dimension).order_by("code")) if dimension else []
    if not found:
        raise ValidationError({"dimension": _("“%(dimension)s” is not a dimension of the indicator catalogue.")
                               % {"dimension": dimension}})
    return found


def city_set(actor: Actor | None, source: City, city: City) -> list[Indicator]:
    """The set "the indicators assigned to another city" (indicators only: baselines, targets and notes are
    each city's own and are not copied)."""
    if source.pk == city.pk:
        raise ValidationError({"source": _("Choose another city than %(city)s to copy from.") % {"city": city.name}})
    found = [a.indicator for a in CityIndicator.objects.visible_to(actor).filter(city=source)
             .select_related("indicator").order_by("indicator__code")]
    if not found:
        raise ValidationError({"source": _("%(city)s has no indicator assigned to copy.") % {"city": source.name}})
    return found


def assign_set(actor: Actor, city: City, indicators: list[Indicator], via: str = "web") -> AssignedSet:
    """Assign every indicator of a set (`core_kpis`, `dimension_set`, `city_set`) that the city does not have
    yet, without baseline or target; one audit entry per assignment made. Indicators already assigned are left
    as they are."""
    require_create(actor, CityIndicator, city_id=city.pk)
    wanted = {i.pk: i for i in indicators}
    with transaction.atomic():
        have = set(CityIndicator.objects.select_for_update().filter(city=city, indicator_id__in=wanted)
                   .values_list("indicator_id", flat=True))
        new = [CityIndicator(city=city, indicator=i) for pk, i in sorted(wanted.items(), key=lambda kv: kv[1].code)
               if pk not in have]
        for assignment in CityIndicator.objects.bulk_create(new):
            initial = audit.as_json(audit.snapshot(assignment))
            core.record(actor, AuditAction.CREATE, assignment, {k: [None, v] for k, v in initial.items()}, via)
    return AssignedSet(added=[a.indicator.code for a in new], already=len(have))


def unassign_indicator(actor: Actor, assignment: CityIndicator, via: str = "web") -> None:
    """Take an indicator off a city, with its baseline and targets. Refused while the city has values of it
    (deleting an assignment must not hide figures): the values are deleted first, where their period is
    open."""
    require_edit(actor, assignment)
    values = Observation.objects.filter(city_id=assignment.city_id, indicator_id=assignment.indicator_id).count()
    if values:
        raise ValidationError({"indicator": ngettext(
            "%(city)s has %(count)d value of %(code)s: an indicator with values stays assigned.",
            "%(city)s has %(count)d values of %(code)s: an indicator with values stays assigned.", values)
            % {"city": assignment.city.name, "count": values, "code": assignment.indicator.code}})
    with transaction.atomic():
        for target in assignment.targets.all():
            core.delete_audited(actor, target, via=via)
        core.delete_audited(actor, assignment, via=via)


def update_assignment(actor: Actor, assignment: CityIndicator, data: dict[str, Any], via: str = "web") -> dict:
    """Change an assignment's baseline (value and year together) or notes."""
    require_edit(actor, assignment)
    values = core.only_fields(data, ASSIGNMENT_FIELDS)
    with transaction.atomic():
        return core.update_audited(actor, assignment, values, via=via)


def set_target(actor: Actor, assignment: CityIndicator, year: int, value: float, via: str = "web") -> Target:
    """Set the target for a year (creates it or changes its value)."""
    require_edit(actor, assignment)
    _check_target(assignment, year, value)
    with transaction.atomic():
        target = Target.objects.filter(assignment=assignment, year=year).first()
        if target is None:
            return core.create_audited(actor, Target(assignment=assignment, year=year, value=value), via=via)
        core.update_audited(actor, target, {"value": value}, via=via)
        return target


def delete_target(actor: Actor, target: Target, via: str = "web") -> None:
    require_edit(actor, target.assignment)
    with transaction.atomic():
        core.delete_audited(actor, target, via=via)


def replace_targets(actor: Actor, assignment: CityIndicator, targets: list[tuple[int, float]],
                    via: str = "api") -> list[Target]:
    """Make the assignment's targets exactly `targets` ([(year, value)]): set each, remove the others."""
    require_edit(actor, assignment)
    years = [y for y, _v in targets]
    twice = sorted({y for y in years if years.count(y) > 1})
    if twice:
        raise ValidationError({"targets": _("Each year once: %(years)s given twice.")
                               % {"years": ", ".join(map(str, twice))}})
    for year, value in targets:
        _check_target(assignment, year, value)
    with transaction.atomic():
        for target in assignment.targets.exclude(year__in=years):
            core.delete_audited(actor, target, via=via)
        kept = [set_target(actor, assignment, year, value, via=via) for year, value in sorted(targets)]
    return kept


def _check_target(assignment: CityIndicator, year: int, value: float) -> None:
    unit = assignment.indicator.unit
    if value is None or value != value or value in (float("inf"), float("-inf")):
        raise ValidationError({"value": _("The target is not a number.")})
    if validation.is_percentage(unit) and not 0 <= value <= 100:
        raise ValidationError({"value": _("%(value)s is not a percentage between 0 and 100")
                               % {"value": validation.fmt(value)}})
    if value < 0 and not validation.may_be_negative(unit):
        raise ValidationError({"value": _("%(value)s is negative; this indicator cannot be below 0")
                               % {"value": validation.fmt(value)}})
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": _("%(year)s is not a year between 1990 and 2100") % {"year": year}})
