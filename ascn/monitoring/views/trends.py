"""The page of the network's trend across reporting rounds: projects, status shares and focus-area shares per
round, the figures the published reports state (with their sources) beside those computed from the
platform's data, each chart with its table."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from ascn.core.http import Request

from .. import charts
from .. import me_figures as fig
from ..queries import me_report as reports
from ..queries import trends as queries


def trends(request: Request) -> HttpResponse:
    """Public: every round, oldest first; a chart and a table for each breakdown, and the notes per round."""
    names = reports.labels()
    items = queries.round_trends(request.user, names=names)
    statuses = {code: reports.status_label(code) for code in fig.STATUSES}
    areas = names.focus_areas
    rows = queries.chart_rows(items, statuses, areas)
    sections = [
        {"key": "projects", "title": _("Projects per reporting round"), "headings": [_("Projects")], "suffix": "",
         "chart": charts.trend(rows["projects"], _("Projects")),
         "label": _("Line chart of the projects per reporting round, published and computed"),
         "rows": queries.table_rows(items, ["projects"], "projects")},
        {"key": "status", "title": _("Projects by status"), "headings": list(statuses.values()), "suffix": "%",
         "chart": charts.trend(rows["status"], _("Share of the projects (%)")),
         "label": _("Line chart of the share of projects in each status per reporting round"),
         "rows": queries.table_rows(items, list(statuses), "status")},
        {"key": "focus-areas", "title": _("Projects by focus area"), "headings": list(areas.values()), "suffix": "%",
         "chart": charts.trend(rows["focus_areas"], _("Share of the projects (%)")),
         "label": _("Line chart of the share of projects in each focus area per reporting round"),
         "rows": queries.table_rows(items, list(areas), "focus_areas")},
    ]
    for section in sections:
        section.update(chart_id=f"chart-{section['key']}", table_id=f"table-{section['key']}")
    notes = [(item.round.year, queries.notes(item, areas)) for item in items]
    return render(request, "monitoring/trends.html", {
        "items": items, "sections": sections, "notes": [(year, found) for year, found in notes if found]})


urlpatterns = [
    path("trends/", trends, name="trends"),
]
