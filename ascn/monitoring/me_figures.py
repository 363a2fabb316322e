"""The figures of the ASCN M&E report, computed from plain project rows as of a date. No database: of
Django only the projects' status vocabulary (`plans.choices.ProjectStatus`, an enumeration).

A project counts in a round when it was reported in the round's period: its latest progress update on
or before the round's as-of date is dated after `since` (the previous round's as-of date). Its status is
that update's status (a later update, recorded after the as-of date, does not change the round's
figures). Projects whose latest update is older were not reported in the round: they are counted apart
(`not_reported`), not in the figures. Cancelled projects are counted apart and left out of the shares.
Shares are whole per cents by the largest-remainder method, so a breakdown adds up to 100, except that
equal counts always get equal shares: when rounding would have to split a tie, the tie keeps the lower share
and the breakdown adds up to a little less (1, 1, 1 give 33, 33, 33).

A round the platform holds no data for (those before it ran) is compared through the figures its
published report states (`from_published`): the same shape, with `published` set and only what the report
gives.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ascn.core.text import fold
from ascn.plans.choices import ProjectStatus

ONGOING, PLANNING, COMPLETED, CANCELLED = (ProjectStatus.ONGOING.value, ProjectStatus.PLANNING.value,
                                           ProjectStatus.COMPLETED.value, ProjectStatus.CANCELLED.value)
STATUSES = (ONGOING, PLANNING, COMPLETED)  # the order of the published reports
NOT_CLASSIFIED = ""  # a project without a project type


@dataclass(frozen=True)
class Update:
    """A dated status of a project; `seq` orders updates of the same date (the higher was recorded later)."""

    date: dt.date
    status: str
    seq: int = 0


@dataclass(frozen=True)
class ProjectRow:
    """What the report needs of a published project; the names are only carried through for display."""

    id: int
    reference: str
    title: str
    city: str            # slug
    country: str         # ISO3 code
    focus_area: str      # framework code
    project_type: str = NOT_CLASSIFIED
    updates: tuple[Update, ...] = ()
    city_name: str = ""
    country_name: str = ""


@dataclass(frozen=True)
class Counted:
    """A project as the round sees it: its status and the date of the update that gave it."""

    row: ProjectRow
    status: str
    updated_on: dt.date


@dataclass(frozen=True)
class Narrative:
    """A project's line in its city's accepted annual report for the round."""

    project_id: int
    highlighted: bool = False
    progress: str = ""
    partner_support: str = ""
    challenges: str = ""


@dataclass
class CityEntry:
    """One city in a focus area's section: its highlighted projects with their narrative, or its projects."""

    city: str
    city_name: str
    country: str
    country_name: str
    reported: bool  # the city has an accepted report in the round
    highlights: list[tuple[Counted, Narrative]] = field(default_factory=list)
    projects: list[Counted] = field(default_factory=list)


def latest_update(updates: Iterable[Update], as_of: dt.date) -> Update | None:
    """The latest update on or before `as_of` (the later recorded on a tie), or None."""
    known = [u for u in updates if u.date <= as_of]
    return max(known, key=lambda u: (u.date, u.seq)) if known else None


def counted(rows: Iterable[ProjectRow], as_of: dt.date, since: dt.date | None = None) -> list[Counted]:
    """Every row whose latest update on or before `as_of` is dated after `since` (any date when None),
    with its status then (cancelled ones included)."""
    result = []
    for row in rows:
        update = latest_update(row.updates, as_of)
        if update is not None and (since is None or update.date > since):
            result.append(Counted(row, update.status, update.date))
    return result


def not_reported(rows: Iterable[ProjectRow], as_of: dt.date, since: dt.date) -> list[Counted]:
    """Rows known by `since` whose latest update is not later: not reported in the round (cancelled left out)."""
    result = []
    for row in rows:
        update = latest_update(row.updates, as_of)
        if update is not None and update.date <= since and update.status != CANCELLED:
            result.append(Counted(row, update.status, update.date))
    return result


def shares(counts: Mapping[str, int]) -> dict[str, int]:
    """Whole per cents of `counts` by largest remainder (on equal remainders the larger count first), equal
    counts always with equal shares. All zeros when the total is zero."""
    total = sum(counts.values())
    if total <= 0:
        return {key: 0 for key in counts}
    result = {key: 100 * n // total for key, n in counts.items()}  # integers: no rounding error
    ties: dict[int, list[str]] = {}  # keys by count, in key order; equal counts have equal remainders
    for key, n in counts.items():
        ties.setdefault(n, []).append(key)
    missing = 100 - sum(result.values())
    for n, keys in sorted(ties.items(), key=lambda tie: (-(100 * tie[0] % total), -tie[0])):
        if len(keys) > missing or not 100 * n % total:
            break  # a tie that cannot take a point each stops the round-up: no smaller remainder takes one
        for key in keys:
            result[key] += 1
        missing -= len(keys)
    return result


def percents(counts: Mapping[str, int]) -> dict[str, float]:
    """Exact per cents with one decimal (these need not add up to 100)."""
    total = sum(counts.values())
    return {key: round(100 * n / total, 1) if total else 0.0 for key, n in counts.items()}


def _breakdown(values: Iterable[str], known: Sequence[str] = ()) -> dict[str, Any]:
    """Counts (every known key, then the others in first-seen order) with their shares and per cents."""
    tally = Counter(values)
    keys = [*known, *(k for k in tally if k not in known)]
    counts = {key: tally.get(key, 0) for key in keys}
    return {"counts": counts, "shares": shares(counts), "percent": percents(counts)}


def figures(rows: Iterable[ProjectRow], as_of: dt.date, focus_areas: Sequence[str] = (),
            countries: Sequence[str] = (), since: dt.date | None = None) -> dict[str, Any]:
    """The report's figures as JSON-ready data, of the projects reported after `since`; `focus_areas` and
    `countries` fix the order (and list those with no project too)."""
    rows = list(rows)
    rounds_view = counted(rows, as_of, since)
    active = [c for c in rounds_view if c.status != CANCELLED]
    types_known = sorted({c.row.project_type for c in active} - {NOT_CLASSIFIED})
    matrix: dict[str, dict[str, int]] = {}
    for country in [*countries, *sorted({c.row.country for c in active} - set(countries))]:
        in_country = Counter(c.row.focus_area for c in active if c.row.country == country)
        if in_country or country in countries:
            matrix[country] = {fa: in_country.get(fa, 0) for fa in
                               [*focus_areas, *sorted(set(in_country) - set(focus_areas))]}
    return {
        "as_of": as_of.isoformat(),
        "projects": len(active),
        "cancelled": len(rounds_view) - len(active),
        "cities": len({c.row.city for c in active}),
        "not_reported": len(not_reported(rows, as_of, since)) if since else 0,
        "status": _breakdown((c.status for c in active), STATUSES),
        "focus_areas": _breakdown((c.row.focus_area for c in active), focus_areas),
        "project_types": _breakdown((c.row.project_type for c in active), [*types_known, NOT_CLASSIFIED]),
        "countries": _breakdown((c.row.country for c in active), countries),
        "country_focus": matrix,
    }


_THAI_PREPOSED = re.compile("([\u0e40-\u0e44])([\u0e01-\u0e2e])")  # เ แ โ ใ ไ before their consonant


def name_key(name: str) -> str:
    """A name's place in a list: without case or Latin accents (Đà Nẵng among the Ds), and Thai by its first
    consonant as Thai dictionaries order (a vowel written before its consonant is read after it: เชียงใหม่
    under ช)."""
    return _THAI_PREPOSED.sub(r"\2\1", fold(name))


def reference_key(reference: str) -> tuple:
    """Sort A2 before A10: letters and numbers compared as such."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.findall(r"\d+|\D+", reference or "~"))


def appendix(rows: Iterable[Counted]) -> tuple[list[Counted], list[Counted], list[Counted]]:
    """(A: ongoing and planning, B: completed, cancelled), each in reference order."""
    ordered = sorted(rows, key=lambda c: (reference_key(c.row.reference), c.row.title))
    return ([c for c in ordered if c.status in (ONGOING, PLANNING)],
            [c for c in ordered if c.status == COMPLETED],
            [c for c in ordered if c.status == CANCELLED])


def sections(rows: Iterable[Counted], narratives: Mapping[int, Narrative], reported_cities: Iterable[str],
             focus_areas: Sequence[str] = ()) -> dict[str, list[CityEntry]]:
    """Per focus area, each city with projects there: the projects its accepted report highlights (with
    their narrative), and its other projects in that focus area. Cancelled projects are left out. Cities come
    in the order of their country's and their own names as the rows give them (see `name_key`)."""
    reported = set(reported_cities)
    result: dict[str, dict[str, CityEntry]] = {fa: {} for fa in focus_areas}
    active = sorted((c for c in rows if c.status != CANCELLED),
                    key=lambda c: (name_key(c.row.country_name), name_key(c.row.city_name),
                                   reference_key(c.row.reference)))
    for item in active:
        row = item.row
        cities = result.setdefault(row.focus_area, {})
        entry = cities.get(row.city)
        if entry is None:
            entry = cities[row.city] = CityEntry(row.city, row.city_name, row.country, row.country_name,
                                                 row.city in reported)
        narrative = narratives.get(row.id) if entry.reported else None
        if narrative is not None and narrative.highlighted:
            entry.highlights.append((item, narrative))
        else:
            entry.projects.append(item)
    return {fa: list(cities.values()) for fa, cities in result.items()}


def _leaders(counts: Mapping[str, int], pick: Any) -> tuple[list[str], int]:
    if not counts or not any(counts.values()):
        return [], 0
    best = pick(counts.values())
    return [k for k, n in counts.items() if n == best], best


def from_published(as_of: dt.date, projects: int, status_counts: Mapping[str, int],
                   status_shares: Mapping[str, float], focus_area_shares: Mapping[str, float],
                   source: str) -> dict[str, Any]:
    """A published report's headline figures in the shape of `figures`, as far as the report gives them:
    counts by status only where it printed counts, shares as printed (they need not add up to 100)."""
    status: dict[str, Any] = {"shares": dict(status_shares)}
    if status_counts:
        status["counts"] = {key: status_counts.get(key, 0) for key in STATUSES}
    return {"as_of": as_of.isoformat(), "projects": projects, "status": status,
            "focus_areas": {"shares": dict(focus_area_shares)}, "published": True, "source": source}


def observations(current: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """What the figures say, as data for sentences: [{"kind": ..., **values}]. Ties name every key (and share
    one count and one share). `previous` may be a published report's figures (`from_published`): the
    comparisons then say so (`published`, `source`) and leave out what that report does not give."""
    found: list[dict[str, Any]] = []
    if not current["projects"]:
        return found
    areas = current["focus_areas"]
    top, n = _leaders(areas["counts"], max)
    found.append({"kind": "top_focus_area", "keys": top, "count": n, "share": areas["shares"][top[0]]})
    present = {k: v for k, v in areas["counts"].items() if v}
    low, n = _leaders(present, min)
    if low and set(low) != set(top):
        found.append({"kind": "low_focus_area", "keys": low, "count": n, "share": areas["shares"][low[0]]})
    status = current["status"]
    found.append({"kind": "status", **{key: status["shares"][key] for key in STATUSES}})
    lead, n = _leaders(current["countries"]["counts"], max)
    found.append({"kind": "top_country", "keys": lead, "count": n})
    if previous is not None and previous.get("projects"):
        found += _compared(current, previous)
    unclassified = current["project_types"]["counts"].get(NOT_CLASSIFIED, 0)
    if unclassified:
        found.append({"kind": "unclassified", "count": unclassified, "all": unclassified == current["projects"]})
    if current["cancelled"]:
        found.append({"kind": "cancelled", "count": current["cancelled"]})
    if current.get("not_reported"):
        found.append({"kind": "not_reported", "count": current["not_reported"]})
    return found


def _compared(current: Mapping[str, Any], previous: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The change since the previous round, and the focus area whose share moved most."""
    published = {"published": True, "source": previous.get("source", "")} if previous.get("published") else {}
    before = previous.get("status", {}).get("counts")
    found: list[dict[str, Any]] = [{
        "kind": "change", "previous": previous["projects"], "current": current["projects"],
        "difference": current["projects"] - previous["projects"], "previous_as_of": previous["as_of"],
        "completed_before": before.get(COMPLETED, 0) if before is not None else None,
        "completed_now": current["status"]["counts"].get(COMPLETED, 0), **published}]
    earlier = previous.get("focus_areas", {}).get("shares") or {}
    if not earlier:
        return found
    moved = {k: v - earlier.get(k, 0) for k, v in current["focus_areas"]["shares"].items()}
    key, points = max(moved.items(), key=lambda kv: (abs(kv[1]), kv[1]), default=(None, 0))
    if key is not None and points:
        found.append({"kind": "share_moved", "key": key, "points": points, "before": earlier.get(key, 0),
                      "now": current["focus_areas"]["shares"][key], **published})
    return found
