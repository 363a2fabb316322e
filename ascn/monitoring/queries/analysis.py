"""Reads of the analysis part: scorecards, comparisons, roll-ups, series and pivots.

The figures come from the DuckDB snapshot (`analytics.py`), refreshed here when the database has changed
(a one-query fingerprint: counts and last changes of observations, assignments, targets, indicators,
cities, countries, indicator tags and rounds; checked at most every `MONITORING_ANALYTICS_TTL` seconds per
process). What a caller sees mirrors `Observation.access`: the Secretariat everything; everyone else the
published indicators, plus every indicator of their own country (National Representative) or city (city
officer). Cities, indicators and rounds asked for by the caller are looked up through `.visible_to(user)`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q, Value
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascn.core.choices import Role
from ascn.core.periods import Period, PeriodError
from ascn.core.permissions import Principal
from ascn.framework.choices import NodeKind
from ascn.framework.models import FrameworkNode, FrameworkTag
from ascn.network.models import City, Country, city_name_in

from .. import analytics, scorecard
from ..choices import Aggregation, Verification
from ..models import CityIndicator, Indicator, Observation, ReportingRound, Target

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from ascn.core.permissions import Actor

log = logging.getLogger(__name__)

PER_CAPITA_SCALE = 100_000  # per capita figures are given per 100,000 inhabitants


class AnalysisError(ValueError):
    """Bad input to an analysis: the message names the field and the value."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _check_period(field_name: str, text: str) -> None:
    """Raise AnalysisError("<field>: <why>") when `text` is not a period."""
    try:
        Period.parse(text)
    except PeriodError as exc:
        raise AnalysisError(field_name, f"{field_name}: {exc}") from None


# --- The snapshot ---------------------------------------------------------------------------------------


def snapshot_root() -> Path:
    """Where snapshots live: the MONITORING_ANALYTICS_DIR setting, else var/analytics (git-ignored)."""
    configured = settings.MONITORING_ANALYTICS_DIR
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "analytics"


def _fingerprint_sql() -> tuple[str, list[Any]]:
    tables = {
        "o": Observation._meta.db_table, "a": CityIndicator._meta.db_table, "t": Target._meta.db_table,
        "i": Indicator._meta.db_table, "c": City._meta.db_table, "k": Country._meta.db_table,
        "g": FrameworkTag._meta.db_table, "r": ReportingRound._meta.db_table,
    }
    parts = [f"(SELECT COUNT(*) FROM {tables[x]})" for x in "oatickgr"]
    parts += [f"(SELECT MAX(updated_at) FROM {tables[x]})" for x in "oaickr"]
    parts += [f"(SELECT MAX(id) FROM {tables['t']})", f"(SELECT SUM(value) FROM {tables['t']})",
              f"(SELECT SUM(year) FROM {tables['t']})", f"(SELECT MAX(id) FROM {tables['g']})"]
    return "SELECT " + ", ".join(parts), []


def fingerprint() -> tuple[str, int]:
    """(a digest of what the snapshot is built from, the number of observations); one query."""
    sql, params = _fingerprint_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    text = json.dumps([str(v) for v in row])
    return hashlib.sha256(f"{analytics.FORMAT_VERSION}:{connection.alias}:{text}".encode()).hexdigest()[:20], int(
        row[0])


def _utc_naive(moment: dt.datetime) -> dt.datetime:
    if timezone.is_aware(moment):
        moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None)


def _observation_rows() -> Iterator[tuple]:
    rows = Observation.objects.order_by().values_list(
        "city_id", "indicator_id", "period", "value", "verification", "flags", "created_at")
    for city_id, indicator_id, period, value, verification, flags, created_at in rows.iterator(chunk_size=10_000):
        try:
            key = Period.parse(period).key
        except PeriodError:
            log.warning("Observation of city %s, indicator %s has the period %r; left out of analysis.",
                        city_id, indicator_id, period)
            continue
        open_flags = bool(flags) and verification != Verification.VERIFIED
        yield city_id, indicator_id, period, key, key // 1000, value, open_flags, _utc_naive(created_at)


LANGS = ("vi", "th")  # the languages the snapshot carries names in (analytics.name_column)


def _name_in(i18n: dict | None, lang: str) -> str:
    """A Translatable's stored name in `lang`, "" when it has none."""
    return ((i18n or {}).get(lang) or {}).get("name", "")


def _node_rows() -> Iterator[tuple]:
    """Focus areas and outcomes each indicator is tagged with; a project type counts for its focus area."""
    tags = (FrameworkTag.objects.filter(content_type=ContentType.objects.get_for_model(Indicator))
            .select_related("node", "node__parent").order_by("object_id", "node__position"))
    seen = set()
    for tag in tags:
        node: FrameworkNode = tag.node
        if node.kind == NodeKind.PROJECT_TYPE and node.parent is not None:
            node = node.parent
        if node.kind not in (NodeKind.FOCUS_AREA, NodeKind.OUTCOME) or (tag.object_id, node.pk) in seen:
            continue
        seen.add((tag.object_id, node.pk))
        yield (tag.object_id, node.kind, node.code, node.name, _name_in(node.i18n, "vi"), _name_in(node.i18n, "th"),
               node.position)


def _city_rows() -> Iterator[tuple]:
    """Cities with their names for Vietnamese and Thai readers: the local name in the city's own country's
    language (as `City.name_in`), and the country's translated name."""
    rows = City.objects.order_by("pk").values_list("pk", "slug", "name", "local_name", "country_id", "country__name",
                                                    "country__i18n", "country__iso3")
    for pk, slug, name, local_name, country_id, country, i18n, iso3 in rows.iterator():
        local = {lang: city_name_in(lang, "", local_name, iso3) for lang in LANGS}
        yield (pk, slug, name, local["vi"], local["th"], country_id, country, _name_in(i18n, "vi"),
               _name_in(i18n, "th"), iso3)


def _table_rows() -> dict[str, Iterable[tuple]]:
    return {
        "cities": _city_rows(),
        "indicators": ((pk, code, name, _name_in(i18n, "vi"), _name_in(i18n, "th"), unit, direction, aggregation,
                        published)
                       for pk, code, name, i18n, unit, direction, aggregation, published in
                       Indicator.objects.order_by("pk").values_list("pk", "code", "name", "i18n", "unit", "direction",
                                                                    "aggregation", "is_published").iterator()),
        "indicator_nodes": _node_rows(),
        "assignments": CityIndicator.objects.order_by("pk").values_list(
            "city_id", "indicator_id", "baseline_value", "baseline_year").iterator(),
        "targets": Target.objects.order_by("pk").values_list(
            "assignment__city_id", "assignment__indicator_id", "year", "value").iterator(),
        "observations": _observation_rows(),
        "rounds": ((r.year, r.cutoff) for r in (RoundInfo(year, as_of, closes_on) for year, as_of, closes_on in
                                                 ReportingRound.objects.values_list("year", "as_of", "closes_on"))),
    }


@contextmanager
def _lock(root: Path) -> Iterator[None]:
    """One snapshot build at a time on this machine (others wait, then find it built)."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _current_name(root: Path) -> str | None:
    try:
        return (root / "current").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _set_current(root: Path, name: str) -> None:
    scratch = root / f".current.{os.getpid()}"
    scratch.write_text(name, encoding="utf-8")
    os.replace(scratch, root / "current")


def build_snapshot(root: Path | None = None) -> analytics.Snapshot:
    """Build the snapshot of the database as it is now (unless it exists), make it current, and remove the
    older ones but the one it replaces."""
    root = root or snapshot_root()
    digest, _count = fingerprint()
    target = root / f"snapshot-{digest}"
    with _lock(root):
        if not analytics.is_complete(target):
            started = time.perf_counter()
            analytics.write_snapshot(target, _table_rows(), {"fingerprint": digest})
            log.info("Analysis snapshot %s written in %.2f s.", target.name, time.perf_counter() - started)
        previous = _current_name(root)
        _set_current(root, target.name)
        analytics.remove_other_snapshots(root, target, *([root / previous] if previous else []))
    return analytics.Snapshot.open(target)


_checked: dict[str, tuple[float, analytics.Snapshot]] = {}
_checked_lock = threading.Lock()


def current_snapshot() -> analytics.Snapshot:
    """The snapshot of the current data: built now when stale (or, for a large database with an older
    snapshot at hand, refreshed by the background task while the older one answers)."""
    root = snapshot_root()
    ttl = float(settings.MONITORING_ANALYTICS_TTL)
    key = str(root)
    with _checked_lock:
        memo = _checked.get(key)
    if memo and time.monotonic() - memo[0] < ttl and analytics.is_complete(memo[1].path):
        return memo[1]
    digest, count = fingerprint()
    target = root / f"snapshot-{digest}"
    if analytics.is_complete(target):
        snap = analytics.Snapshot.open(target)
    else:
        previous = _current_name(root)
        limit = int(settings.MONITORING_ANALYTICS_SYNC_LIMIT)
        if count > limit and previous and analytics.is_complete(root / previous):
            from ..tasks.analysis import refresh_analysis_snapshot

            snap = analytics.Snapshot.open(root / previous)
            refresh_analysis_snapshot.enqueue()
        else:
            snap = build_snapshot(root)
    with _checked_lock:
        _checked[key] = (time.monotonic(), snap)
    return snap


def snapshot_time(snap: analytics.Snapshot) -> dt.datetime | None:
    written = snap.meta.get("written_at")
    return dt.datetime.fromisoformat(written) if written else None


# --- Who sees what ----------------------------------------------------------------------------------------


def visibility(user: Actor | None) -> analytics.Visibility:
    """Mirror of `Observation.access` for the snapshot."""
    principal = Principal.of(user)
    if principal.is_secretariat:
        return analytics.EVERYTHING
    if principal.role == Role.NATIONAL_REP and principal.country_id:
        return analytics.Visibility(country_id=principal.country_id)
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        return analytics.Visibility(city_id=principal.city_id)
    return analytics.PUBLIC


def language(given: str | None = None) -> str:
    """The language names are given in: `given` (the API asks for "en"), else the request's."""
    return given or (translation.get_language() or "en").split("-")[0]


def cities(user: Actor | None) -> QuerySet[City]:
    """The cities visible to the user, with their country (pick one by slug with `visible_or_404`)."""
    return City.objects.visible_to(user).select_related("country")


def city(user: Actor | None, slug: str) -> City:
    """A city visible to the user; raises City.DoesNotExist."""
    return cities(user).get(slug=slug)


def indicator(user: Actor | None, code: str) -> Indicator:
    """An indicator whose figures the user may see: published ones for everyone, an unpublished one for the
    Secretariat and for those with figures of it in their scope. Raises Indicator.DoesNotExist."""
    found = Indicator.objects.visible_to(user).filter(code=code).first()
    if found is not None:
        return found
    vis = visibility(user)
    if vis.country_id or vis.city_id:
        scoped = Observation.objects.visible_to(user).filter(indicator__code=code)
        assigned = CityIndicator.objects.visible_to(user).filter(indicator__code=code)
        if scoped.exists() or assigned.exists():
            return Indicator.objects.get(code=code)
    raise Indicator.DoesNotExist(code)


def indicator_choices(user: Actor | None) -> list[Indicator]:
    """Indicators the user may compare: published ones, and every one for the Secretariat."""
    return list(Indicator.objects.visible_to(user).only("id", "code", "name", "i18n", "unit")
                .order_by("family", "code"))


@dataclass(frozen=True)
class RoundInfo:
    year: int
    as_of: dt.date | None
    closes_on: dt.date | None
    city_ids: frozenset[int] | None = None

    @property
    def deadline(self) -> dt.date | None:
        """The date observations count as on time up to: the closing date, else the as-of date."""
        return self.closes_on or self.as_of

    @property
    def cutoff(self) -> dt.datetime:
        """The first moment (UTC, naive) after the deadline, in the site's time zone."""
        if self.deadline is None:
            return dt.datetime(9999, 1, 1)
        start = dt.datetime.combine(self.deadline + dt.timedelta(days=1), dt.time.min,
                                    tzinfo=timezone.get_current_timezone())
        return _utc_naive(start)


def reporting_round(user: Actor | None, year: int | None = None, with_cities: bool = False) -> RoundInfo:
    """The round of `year` (else the latest); raises AnalysisError for an unknown year. Without any round
    the current year is used, with no deadline."""
    rounds = ReportingRound.objects.visible_to(user).order_by("-year")
    found = rounds.filter(year=year).first() if year else rounds.first()
    if found is None:
        if year and rounds.exists():
            raise AnalysisError("round", _("There is no reporting round %(year)s.") % {"year": year})
        return RoundInfo(year or timezone.localdate().year, None, None)
    ids = frozenset(found.cities.values_list("pk", flat=True)) if with_cities else None
    return RoundInfo(found.year, found.as_of, found.closes_on, ids)


# --- Synthetic values -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticKeys:
    """Where the demo's synthetic records (`ascn.core.synthetic`) enter the figures: its values and its
    assignments (baselines and targets). Rows built from them carry `synthetic: True`, and pages say so."""

    values: frozenset[tuple[int, int, str]] = frozenset()    # (city id, indicator id, period)
    pairs: frozenset[tuple[int, int]] = frozenset()          # (city id, indicator id): a synthetic value or assignment
    countries: frozenset[tuple[str, int]] = frozenset()      # (country ISO3, indicator id)

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def pair(self, city_id: int, indicator_id: int) -> bool:
        return (city_id, indicator_id) in self.pairs

    def city(self, city_id: int) -> bool:
        return any(c == city_id for c, _i in self.pairs)

    def indicator(self, indicator_id: int, iso3: str | None = None) -> bool:
        if iso3 is not None:
            return (iso3, indicator_id) in self.countries
        return any(i == indicator_id for _c, i in self.pairs)


def _period_q(period: str | None) -> Q:
    """A period as the snapshot reads it: a year takes the values within it, a quarter or month matches exactly."""
    if not period:
        return Q()
    parsed = Period.parse(period)
    return Q(year=parsed.year) if parsed.is_year else Q(period=period)


def synthetic_keys(city_ids: Iterable[int] | None = None, indicator_ids: Iterable[int] | None = None,
                   period: str | None = None, periods: Iterable[str] | None = None) -> SyntheticKeys:
    """The synthetic values (of `period`, or `periods`, else any) and assignments, narrowed to cities and
    indicators: one query, answered from the partial indexes (nothing to read on a site without them)."""
    narrow = Q()
    if city_ids is not None:
        narrow &= Q(city_id__in=list(city_ids))
    if indicator_ids is not None:
        narrow &= Q(indicator_id__in=list(indicator_ids))
    values = Observation.objects.filter(narrow, _period_q(period), synthetic=True)
    if periods is not None:
        values = values.filter(period__in=list(periods))
    columns = ("city_id", "indicator_id", "city__country__iso3", "period")
    assigned = (CityIndicator.objects.filter(narrow, synthetic=True).annotate(period=Value(""))
                .values_list(*columns))
    found = set(values.order_by().values_list(*columns).union(assigned.order_by()))
    return SyntheticKeys(values=frozenset((c, i, p) for c, i, _k, p in found if p),
                         pairs=frozenset((c, i) for c, i, _k, _p in found),
                         countries=frozenset((k, i) for _c, i, k, _p in found))


def round_years(user: Actor | None) -> list[int]:
    return list(ReportingRound.objects.visible_to(user).order_by("-year").values_list("year", flat=True))


# --- City scorecard ---------------------------------------------------------------------------------------


@dataclass
class ScorecardRow:
    indicator_id: int
    code: str
    name: str
    unit: str
    direction: str
    is_published: bool
    baseline: float | None
    baseline_year: int | None
    latest: float | None
    latest_period: str | None
    latest_year: int | None
    target: float | None
    target_year: int | None
    progress: scorecard.Progress
    trend: str | None
    observations: int
    on_time: int
    open_flags: int
    synthetic: bool = False

    @property
    def rag(self) -> str | None:
        return self.progress.rag

    @property
    def rag_label(self) -> str:
        return scorecard.rag_label(self.progress.rag)

    @property
    def trend_label(self) -> str:
        return scorecard.trend_label(self.trend)

    @property
    def trend_arrow(self) -> str:
        return scorecard.trend_arrow(self.trend)

    @property
    def note(self) -> str:
        return scorecard.note_label(self.progress.note)

    def as_dict(self) -> dict[str, Any]:
        p = self.progress
        return {
            "indicator": self.code, "name": self.name, "unit": self.unit, "direction": self.direction,
            "baseline": self.baseline, "baseline_year": self.baseline_year, "latest": self.latest,
            "latest_period": self.latest_period, "target": self.target, "target_year": self.target_year,
            "progress_percent": p.percent, "progress_raw": None if p.raw is None else round(p.raw, 6),
            "expected_percent": scorecard.percent(p.expected), "rag": p.rag, "trend": self.trend,
            "note": p.note, "observations_in_round": self.observations, "on_time": self.on_time,
            "open_flags": self.open_flags, "synthetic": self.synthetic,
        }


@dataclass
class CityScorecard:
    city: City
    round: RoundInfo
    rows: list[ScorecardRow]
    quality: scorecard.DataQuality
    as_of: dt.datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return any(r.synthetic for r in self.rows)


def score_row(row: dict[str, Any]) -> ScorecardRow:
    """A snapshot row of `analytics.city_scorecard` scored with the rules of `scorecard`."""
    targets = [(int(t["year"]), float(t["value"])) for t in row["targets"]]
    latest_year = row["latest_year"]
    chosen = scorecard.nearest_target(targets, latest_year) if latest_year is not None else None
    target_year, target, passed = chosen if chosen else (None, None, False)
    direction = row["direction"] or ""
    result = scorecard.progress(row["latest_value"], latest_year, row["baseline_value"], row["baseline_year"],
                                target, target_year, direction, passed)
    return ScorecardRow(
        indicator_id=row["indicator_id"], code=row["code"], name=row["name"], unit=row["unit"], direction=direction,
        is_published=row["is_published"], baseline=row["baseline_value"], baseline_year=row["baseline_year"],
        latest=row["latest_value"], latest_period=row["latest_period"], latest_year=latest_year, target=target,
        target_year=target_year, progress=result, trend=scorecard.trend(row["recent"], direction),
        observations=int(row["n"]), on_time=int(row["on_time"]), open_flags=int(row["open_flags"]))


def rag_counts(statuses: Iterable[str | None]) -> dict[str, int]:
    counts = {scorecard.GREEN: 0, scorecard.AMBER: 0, scorecard.RED: 0, "not_rated": 0}
    for status in statuses:
        counts[status or "not_rated"] += 1
    return counts


def city_scorecard(user: Actor | None, city_obj: City, round_info: RoundInfo, lang: str | None = None
                   ) -> CityScorecard:
    """The city's scorecard, indicator names in `lang` (default: the request's language)."""
    snap = current_snapshot()
    rows = [score_row(r) for r in analytics.city_scorecard(snap, city_obj.pk, round_info.year, round_info.cutoff,
                                                           visibility(user), language(lang))]
    keys = synthetic_keys(city_ids=[city_obj.pk])
    for row in rows:
        row.synthetic = keys.pair(city_obj.pk, row.indicator_id)
    quality = scorecard.DataQuality(
        assigned=len(rows), with_value=sum(1 for r in rows if r.observations > 0),
        observations=sum(r.observations for r in rows),
        on_time=sum(r.on_time for r in rows) if round_info.deadline else 0,
        open_flags=sum(r.open_flags for r in rows))
    return CityScorecard(city_obj, round_info, rows, quality, snapshot_time(snap), rag_counts(r.rag for r in rows))


# --- Network scorecard ------------------------------------------------------------------------------------


def network_scorecard(user: Actor | None, round_info: RoundInfo, lang: str | None = None) -> list[dict[str, Any]]:
    """One row per reporting city of the round (every city when the round lists none) visible to the user, city
    and country names in `lang` (default: the request's language)."""
    snap = current_snapshot()
    ids = set(round_info.city_ids or ()) or None
    visible = set(City.objects.visible_to(user).values_list("pk", flat=True))
    ids = visible if ids is None else ids & visible
    rows = analytics.network_scorecard(snap, round_info.year, round_info.cutoff, visibility(user), ids,
                                       language(lang))
    keys = synthetic_keys()
    for row in rows:
        row["synthetic"] = keys.city(row["city_id"])
        row["completeness"] = scorecard.percent(scorecard.share(row["with_value"], row["assigned"]))
        row["timeliness"] = (scorecard.percent(scorecard.share(row["on_time"], row["observations"]))
                             if round_info.deadline else None)
    return rows


# --- Compare ----------------------------------------------------------------------------------------------

NORMALISE = ("none", "per_capita", "per_area")
BANDS = [("lt500k", 0, 500_000), ("500k-1m", 500_000, 1_000_000), ("1m-5m", 1_000_000, 5_000_000),
         ("gt5m", 5_000_000, None)]


def band_of(population: float | None) -> str | None:
    """The population band (peer group) of a population: lower bound included, upper excluded."""
    if population is None:
        return None
    for code, low, high in BANDS:
        if population >= low and (high is None or population < high):
            return code
    return None


def band_labels() -> dict[str, str]:
    return {"lt500k": _("Under 500,000 inhabitants"), "500k-1m": _("500,000 to 1 million"),
            "1m-5m": _("1 to 5 million"), "gt5m": _("Over 5 million")}


def normalise_labels() -> dict[str, str]:
    return {"none": _("As reported"), "per_capita": _("Per 100,000 inhabitants"), "per_area": _("Per km2")}


def can_normalise(item: Indicator, normalise: str) -> bool:
    """Only totals (indicators that add up across cities) are divided by population or area; not population
    by itself per capita."""
    if normalise == "none":
        return True
    if item.aggregation != Aggregation.SUM:
        return False
    return not (normalise == "per_capita" and item.code == analytics.POPULATION_CODE) and not (
        normalise == "per_area" and item.code == analytics.AREA_CODE)


@dataclass
class Comparison:
    indicator: Indicator
    period: str | None
    normalise: str
    band: str | None
    rows: list[dict[str, Any]]
    left_out: list[dict[str, Any]]
    periods: list[str]
    unit: str
    as_of: dt.datetime | None = None

    @property
    def synthetic(self) -> bool:
        return any(r["synthetic"] for r in (*self.rows, *self.left_out))


def _scaled(value: float | None, divisor: float | None, factor: float) -> float | None:
    if value is None or not divisor:
        return None
    return value * factor / divisor


def compare(user: Actor | None, item: Indicator, period: str | None, normalise: str = "none", band: str | None = None,
            lang: str | None = None) -> Comparison:
    """The cities' values of an indicator for a period (default: its most recent), normalised and narrowed
    to a population band on request. Cities lacking the population or area a choice needs are left out and
    listed in `left_out`, never estimated. City and country names in `lang` (default: the request's)."""
    if normalise not in NORMALISE:
        raise AnalysisError("normalise", _("normalise: “%(value)s” is not one of none, per_capita, per_area.")
                            % {"value": normalise})
    if band and band not in dict((b[0], b) for b in BANDS):
        raise AnalysisError("band", _("band: “%(value)s” is not a population band.") % {"value": band})
    if not can_normalise(item, normalise):
        raise AnalysisError("normalise", _(
            "normalise: %(code)s is not a total that adds up across cities (its aggregation is “%(aggregation)s”), "
            "so it is not divided by population or area.") % {"code": item.code,
                                                               "aggregation": item.get_aggregation_display()})
    snap = current_snapshot()
    vis = visibility(user)
    available = analytics.periods(snap, item.pk, vis)
    if period:
        _check_period("period", period)
    else:
        period = available[0] if available else None
    unit = {"none": item.unit, "per_capita": _("per 100,000 inhabitants"), "per_area": _("per km2")}[normalise]
    if period is None:
        return Comparison(item, None, normalise, band, [], [], available, unit, snapshot_time(snap))
    labels = band_labels()
    rows, left_out = [], []
    keys = synthetic_keys(indicator_ids=[item.pk], period=period)
    for row in analytics.compare(snap, item.pk, period, vis, language(lang)):
        row["synthetic"] = keys.pair(row["city_id"], item.pk)
        row["band"] = band_of(row["population"])
        row["band_label"] = labels.get(row["band"] or "", "")
        if normalise == "per_capita":
            row["normalised"] = _scaled(row["value"], row["population"], PER_CAPITA_SCALE)
            row["normalised_target"] = _scaled(row["target"], row["population"], PER_CAPITA_SCALE)
            missing = row["population"] is None
        elif normalise == "per_area":
            row["normalised"] = _scaled(row["value"], row["area"], 1)
            row["normalised_target"] = _scaled(row["target"], row["area"], 1)
            missing = row["area"] is None
        else:
            row["normalised"], row["normalised_target"], missing = row["value"], row["target"], False
        if missing:
            row["reason"] = (_("no population reported") if normalise == "per_capita"
                             else _("no land area reported"))
            left_out.append(row)
        elif band and row["band"] != band:
            if row["band"] is None:
                row["reason"] = _("no population reported, so no population band")
                left_out.append(row)
        else:
            rows.append(row)
    rows.sort(key=lambda r: (-(r["normalised"] or 0), r["name"]))
    return Comparison(item, period, normalise, band, rows, left_out, available, unit, snapshot_time(snap))


# --- Roll-ups ---------------------------------------------------------------------------------------------


@dataclass
class Rollups:
    by: str
    period: str | None
    rows: list[dict[str, Any]]
    as_of: dt.datetime | None = None

    @property
    def synthetic(self) -> bool:
        return any(r["synthetic"] for r in self.rows)


def rollups(user: Actor | None, by: str, period: str | None, item: Indicator | None = None,
            lang: str | None = None) -> Rollups:
    """Network roll-ups by country, focus area or outcome for a period (default: the latest year with data);
    group and indicator names in `lang` (default: the request's language)."""
    if by not in analytics.ROLLUP_BY:
        raise AnalysisError("by", _("by: “%(value)s” is not one of country, focus_area, outcome.") % {"value": by})
    if period:
        _check_period("period", period)
    snap = current_snapshot()
    vis = visibility(user)
    if not period:
        year = analytics.latest_year(snap, vis, item.pk if item else None)
        period = str(year) if year else None
    if period is None:
        return Rollups(by, None, [], snapshot_time(snap))
    rows = analytics.rollups(snap, by, period, vis, item.pk if item else None, language(lang))
    not_tagged = _("Not tagged")
    keys = synthetic_keys(indicator_ids=[item.pk] if item else None, period=period)
    for row in rows:
        row["synthetic"] = keys.indicator(row["indicator_id"], row["group_code"] if by == "country" else None)
        if not row["group_code"]:
            row["group_name"] = not_tagged
    return Rollups(by, period, rows, snapshot_time(snap))


# --- Series -----------------------------------------------------------------------------------------------


@dataclass
class Series:
    city: City
    indicator: Indicator
    assignment: CityIndicator | None
    targets: list[tuple[int, float]]
    observations: list[Observation]
    progress: scorecard.Progress | None = None
    trend: str | None = None

    @property
    def synthetic(self) -> bool:
        """Whether the series' values, baseline or targets include synthetic ones."""
        return any(o.synthetic for o in self.observations) or bool(self.assignment and self.assignment.synthetic)


def series(user: Actor | None, city_obj: City, item: Indicator) -> Series:
    """A city's values of an indicator over time, with its baseline and targets (three queries)."""
    observations = list(Observation.objects.visible_to(user).filter(city=city_obj, indicator=item))
    observations.sort(key=lambda o: Period.parse(o.period))
    assignment = (CityIndicator.objects.visible_to(user).filter(city=city_obj, indicator=item)
                  .prefetch_related("targets").first())
    targets = sorted((t.year, t.value) for t in assignment.targets.all()) if assignment else []
    result = Series(city_obj, item, assignment, targets, observations)
    if observations:
        last = observations[-1]
        chosen = scorecard.nearest_target(targets, last.year)
        target_year, target, passed = chosen if chosen else (None, None, False)
        result.progress = scorecard.progress(
            last.value, last.year, assignment.baseline_value if assignment else None,
            assignment.baseline_year if assignment else None, target, target_year, item.direction, passed)
        result.trend = scorecard.trend([o.value for o in observations], item.direction)
    return result


def open_flags(o: Observation) -> bool:
    return bool(o.flags) and o.verification != Verification.VERIFIED


# --- Pivot ------------------------------------------------------------------------------------------------

MAX_PIVOT_INDICATORS = 20


@dataclass
class Pivot:
    indicators: dict[int, Indicator]
    cities: dict[int, dict[str, Any]]
    columns: dict[str, Any]
    synthetic: SyntheticKeys = field(default_factory=SyntheticKeys)

    def __len__(self) -> int:
        return len(self.columns["value"])

    def item(self, index: int) -> dict[str, Any]:
        c = self.columns
        target = c["target"][index]
        target_year = c["target_year"][index]
        masked = getattr(c["target"], "mask", None)
        missing = bool(masked[index]) if masked is not None and masked.shape else False
        city_id, indicator_id, period = int(c["city_id"][index]), int(c["indicator_id"][index]), str(c["period"][index])
        synthetic = (city_id, indicator_id, period) in self.synthetic.values or (
            not missing and self.synthetic.pair(city_id, indicator_id))  # a synthetic value, or target
        return {"indicator": self.indicators[indicator_id].code, "city": self.cities[city_id]["slug"],
                "period": period, "value": float(c["value"][index]), "target": None if missing else float(target),
                "target_year": None if missing else int(target_year), "synthetic": synthetic}

    def items(self, start: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
        return [self.item(i) for i in range(start, min(stop if stop is not None else len(self), len(self)))]

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        """Rows of a slice (what the API's pagination takes)."""
        start, stop, _step = index.indices(len(self))
        return self.items(start, stop)


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def pivot(user: Actor | None, indicator_codes: str, city_slugs: str | None = None,
          period_text: str | None = None) -> Pivot:
    """Values of up to 20 indicators (comma-separated codes) for the given cities (comma-separated slugs;
    default: all) and periods (comma-separated; default: all). Unknown codes, slugs or periods are named."""
    codes = _split(indicator_codes)
    if not codes:
        raise AnalysisError("indicator", _("indicator: give at least one indicator code."))
    if len(codes) > MAX_PIVOT_INDICATORS:
        raise AnalysisError("indicator", _("indicator: at most %(n)s indicators at a time.")
                            % {"n": MAX_PIVOT_INDICATORS})
    found = {}
    for code in codes:
        try:
            found[code] = indicator(user, code)
        except Indicator.DoesNotExist:
            raise AnalysisError("indicator", _("indicator: no indicator “%(code)s”.") % {"code": code}) from None
    slugs = _split(city_slugs)
    city_ids = None
    if slugs:
        known = dict(City.objects.visible_to(user).filter(slug__in=slugs).values_list("slug", "pk"))
        unknown = [s for s in slugs if s not in known]
        if unknown:
            raise AnalysisError("cities", _("cities: no city “%(slug)s”.") % {"slug": ", ".join(unknown)})
        city_ids = list(known.values())
    period_list = _split(period_text) or None
    for period in period_list or ():
        _check_period("periods", period)
    snap = current_snapshot()
    columns = analytics.pivot(snap, [i.pk for i in found.values()], visibility(user), city_ids, period_list)
    cities = analytics.lookup(snap, "cities", {int(x) for x in columns["city_id"]})
    keys = synthetic_keys(city_ids, [i.pk for i in found.values()], periods=period_list)
    return Pivot({i.pk: i for i in found.values()}, cities, columns, keys)


def data_entry_url(user: Actor | None, city_obj: City) -> str | None:
    """Where the city's data is entered, for the network members who may enter it (None if not available)."""
    from django.urls import NoReverseMatch, reverse

    principal = Principal.of(user)
    in_scope = principal.is_secretariat or (principal.role == Role.NATIONAL_REP
                                            and principal.country_id == city_obj.country_id) or (
        principal.role == Role.CITY_OFFICER and principal.city_id == city_obj.pk)
    if not in_scope:
        return None
    try:
        return reverse("monitoring:city_data", args=[city_obj.slug])
    except NoReverseMatch:
        return None

