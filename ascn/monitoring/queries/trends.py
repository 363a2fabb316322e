"""Reads of the network's trend across reporting rounds: for each round, the headline figures its published
M&E report states (`PublishedFigures`, the report's own numbers with their source) beside the figures
computed from the platform's data (the round's latest generated report, else computed now as of its as-of
date), wherever either exists. The rounds before the platform have published figures only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import me_figures as fig
from ..choices import GenerationState
from ..models import MEReport, PublishedFigures, ReportingRound
from . import me_report as reports

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

# Differences between a published report and the platform's figures that the reference data explains (see
# the shared reference README on projects_2025.csv): the note is shown when exactly these focus areas differ.
KNOWN_DIFFERENCES: dict[int, tuple[frozenset[str], Any]] = {
    2025: (frozenset({"quality_environment", "built_infrastructure"}), gettext_lazy(
        "The 2025 report's appendix files project A38 (Vientiane, “Integrated Vehicle Management and "
        "Transportation”) under Quality Environment while its exhibits, and so its shares, count it under Built "
        "Infrastructure; the platform follows the appendix, so one project sits in the other focus area.")),
}


@dataclass(frozen=True)
class RoundTrend:
    """One round: its published figures and its computed ones (None where the platform has no project)."""

    round: ReportingRound
    published: PublishedFigures | None
    computed: dict[str, Any] | None
    report: MEReport | None  # the generated report the computed figures come from; None: computed now


def _latest_done(user: Actor | None, round_ids: list[int]) -> dict[int, MEReport]:
    """The newest done report of each round the user may see, with its figures (its editions are not read)."""
    done = reports.reports(user).filter(state=GenerationState.DONE)
    newest = done.filter(round=OuterRef("round")).values("pk")[:1]
    found = done.filter(round_id__in=round_ids).filter(pk=Subquery(newest))
    return {r.round_id: r for r in found}


def _since(rounds: list[ReportingRound], index: int) -> dt.date:
    """As `reports.period_start`, from the rounds in hand (oldest first)."""
    return rounds[index - 1].as_of if index else dt.date(rounds[index].year - 1, 12, 31)


def round_trends(user: Actor | None, until: ReportingRound | None = None,
                 current: Mapping[str, Any] | None = None, names: reports.Labels | None = None) -> list[RoundTrend]:
    """Every round the user may see, oldest first (up to `until`, whose computed figures are `current` when
    given: a report being generated). At most six queries, whatever the number of rounds."""
    scoped = reports.rounds(user).select_related("published_figures")
    if until is not None:
        scoped = scoped.filter(year__lte=until.year)
    rounds = list(scoped.order_by("year"))
    done = _latest_done(user, [r.pk for r in rounds])
    live = [r for r in rounds if r.pk not in done and not (until is not None and r.pk == until.pk and current)]
    rows = reports.project_rows(max(r.as_of for r in live)) if live else []
    areas = list((names or reports.labels()).focus_areas) if live else []
    result = []
    for index, r in enumerate(rounds):
        report = done.get(r.pk)
        if until is not None and r.pk == until.pk and current is not None:
            computed: Mapping[str, Any] | None = current
            report = None
        elif report is not None:
            computed = report.figures
        else:
            computed = fig.figures(rows, r.as_of, areas, since=_since(rounds, index))
        published = getattr(r, "published_figures", None)
        result.append(RoundTrend(r, published, dict(computed) if computed and computed.get("projects") else None,
                                 report))
    return result


# --- The trend as rows: for the API, the tables and the charts ---------------------------------------------


def published_out(published: PublishedFigures) -> dict[str, Any]:
    return {"as_of": published.as_of, "projects": published.projects, "status_counts": published.status_counts,
            "status_shares": published.status_shares, "focus_area_shares": published.focus_area_shares,
            "source": published.source}


def computed_out(item: RoundTrend) -> dict[str, Any] | None:
    figures = item.computed
    if figures is None:
        return None
    return {"as_of": dt.date.fromisoformat(figures["as_of"]), "projects": figures["projects"],
            "status_counts": figures["status"]["counts"], "status_shares": figures["status"]["shares"],
            "focus_area_counts": figures["focus_areas"]["counts"],
            "focus_area_shares": figures["focus_areas"]["shares"],
            "report_id": item.report.pk if item.report else None,
            "generated_at": item.report.finished_at if item.report else None}


def published_status_shares(published: PublishedFigures) -> tuple[dict[str, float], bool]:
    """The status shares of a published report: as printed, or worked out (whole per cents) from the counts it
    printed; the flag says they were worked out."""
    if published.status_shares:
        return dict(published.status_shares), False
    if published.status_counts:
        return {k: v for k, v in fig.shares({s: published.status_counts.get(s, 0) for s in fig.STATUSES}).items()}, True
    return {}, False


def notes(item: RoundTrend, areas: Mapping[str, str]) -> list[str]:
    """What a reader needs to compare the round's published and computed figures."""
    found: list[str] = []
    published, computed = item.published, item.computed
    if published is not None and published.status_shares:
        total = round(sum(published.status_shares.values()), 2)
        found.append(_("The report gives the status only as shares, as printed.") if total == 100 else
                     _("The report gives the status only as shares, as printed (they add up to %(total)s%%).")
                     % {"total": f"{total:g}"})
    elif published is not None and published.status_counts:
        found.append(_("The published status shares are worked out from the counts the report prints."))
    if published is None or computed is None:
        return found
    if published.projects != computed["projects"]:
        found.append(_("The platform counts %(computed)s projects where the report published %(published)s.")
                     % {"computed": computed["projects"], "published": published.projects})
    shares = computed["focus_areas"]["shares"]
    differ = [code for code, share in published.focus_area_shares.items() if shares.get(code) != share]
    if differ:
        found.append(_("Computed and published focus-area shares differ: %(values)s.") % {
            "values": "; ".join(_("%(area)s %(computed)s%% computed against %(published)s%% published") % {
                "area": areas.get(code, code), "computed": shares.get(code, 0),
                "published": published.focus_area_shares[code]} for code in differ)})
        known = KNOWN_DIFFERENCES.get(item.round.year)
        if known is not None and known[0] == set(differ):
            found.append(str(known[1]))
    return found


def chart_rows(items: Iterable[RoundTrend], status_names: Mapping[str, str], areas: Mapping[str, str]
               ) -> dict[str, list[dict[str, Any]]]:
    """The rows of the three trend charts (projects, status shares, focus-area shares): one per round, series
    and basis (published or computed) where the figure exists."""
    projects, status, focus = [], [], []
    for item in items:
        year = item.round.year
        if item.published is not None:
            projects.append({"year": year, "series": _("Projects"), "basis": "published",
                             "value": item.published.projects})
            shares, _worked_out = published_status_shares(item.published)
            status += [{"year": year, "series": status_names.get(code, code), "basis": "published", "value": value}
                       for code, value in shares.items()]
            focus += [{"year": year, "series": areas.get(code, code), "basis": "published", "value": value}
                      for code, value in item.published.focus_area_shares.items()]
        if item.computed is not None:
            figures = item.computed
            projects.append({"year": year, "series": _("Projects"), "basis": "computed", "value": figures["projects"]})
            status += [{"year": year, "series": status_names.get(code, code), "basis": "computed", "value": value}
                       for code, value in figures["status"]["shares"].items()]
            focus += [{"year": year, "series": areas.get(code, code), "basis": "computed", "value": value}
                      for code, value in figures["focus_areas"]["shares"].items()]
    return {"projects": projects, "status": status, "focus_areas": focus}


def table_rows(items: Iterable[RoundTrend], codes: list[str], part: str) -> list[dict[str, Any]]:
    """A chart's table: per round, a row of published figures and one of computed figures where they exist.
    `part` is "projects", "status" or "focus_areas"; each row's `cells` follow `codes` ({"value", "count"}, the
    count where one is known; a value None: not given)."""
    rows = []
    for item in items:
        published, computed = item.published, item.computed
        cells: list[dict[str, Any]]
        if published is not None:
            if part == "projects":
                cells = [{"value": published.projects, "count": None}]
            elif part == "status":
                shares, _worked_out = published_status_shares(published)
                cells = [{"value": shares.get(code), "count": published.status_counts.get(code)} for code in codes]
            else:
                cells = [{"value": published.focus_area_shares.get(code), "count": None} for code in codes]
            rows.append({"year": item.round.year, "basis": "published", "cells": cells, "source": published.source})
        if computed is not None:
            if part == "projects":
                cells = [{"value": computed["projects"], "count": None}]
            else:
                breakdown = computed["status" if part == "status" else "focus_areas"]
                cells = [{"value": breakdown["shares"].get(code), "count": breakdown["counts"].get(code)}
                         for code in codes]
            rows.append({"year": item.round.year, "basis": "computed", "cells": cells, "report": item.report,
                         "as_of": computed["as_of"]})
    return rows


def published_summary(published: PublishedFigures, names: reports.Labels | None = None) -> dict[str, Any]:
    """A published report's figures with display names: its projects, status (share, and count where printed)
    and focus-area shares, and the source."""
    areas = (names or reports.labels()).focus_areas
    shares, worked_out = published_status_shares(published)
    return {"figures": published, "worked_out": worked_out,
            "statuses": [{"code": code, "name": reports.status_label(code), "share": shares.get(code),
                          "count": published.status_counts.get(code)} for code in fig.STATUSES
                         if code in shares or code in published.status_counts],
            "focus_areas": [{"code": code, "name": areas.get(code, code), "share": share}
                            for code, share in published.focus_area_shares.items()]}


def trends_out(user: Actor | None) -> dict[str, Any]:
    """The trend as the API gives it: every round, oldest first, with its published and computed figures and
    the notes comparing them, and the names of the status and focus-area codes."""
    names = reports.labels()
    items = round_trends(user, names=names)
    return {
        "items": [{"year": item.round.year, "as_of": item.round.as_of, "closed": item.round.closed_at is not None,
                   "published": published_out(item.published) if item.published else None,
                   "computed": computed_out(item), "notes": notes(item, names.focus_areas)} for item in items],
        "count": len(items),
        "statuses": [{"code": code, "name": reports.status_label(code)} for code in fig.STATUSES],
        "focus_areas": [{"code": code, "name": name} for code, name in names.focus_areas.items()],
    }
