"""The monitoring app's sections on other apps' pages (see core.panels), registered when the app starts.

On the workspace dashboard (`workspace.dashboard`), by role:

- Secretariat: the current round at a glance with what waits for its acceptance (10), the indicator values
  waiting for review (12), the latest M&E report and generating it (14), the network's recent activity (85);
- National Representative: its country's cities in the current round and what waits for its endorsement (10),
  the values waiting for its review (12);
- city officer: its city's report in the current round, its deadline and its indicator data (10).

The numbers come from `queries.dashboard`, which takes deadlines and overdue from `queries.reports`.
"""

from __future__ import annotations

from typing import Any

from ascn.core.choices import Role
from ascn.core.history import add_source
from ascn.core.http import Request
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal
from ascn.network.models import City

from .choices import ReportState
from .history import accepted_reports
from .queries import dashboard
from .queries.observations import may_review
from .queries.reports import inbox


def _glance(request: Request) -> dashboard.RoundGlance | None:
    """The user's current round, read once per request (several panels show it)."""
    if not hasattr(request, "_round_glance"):
        request._round_glance = dashboard.round_glance(request.user)  # type: ignore[attr-defined]
    return request._round_glance  # type: ignore[attr-defined]


def round_overview(request: Request, obj: Any) -> dict[str, Any] | None:
    """The Secretariat's current round: every reporting city by state and overdue, and the reports waiting for
    its acceptance (in any round)."""
    if not Principal.of(request.user).is_secretariat:
        return None
    return {"glance": _glance(request),
            "to_accept": dashboard.waiting(request.user, ReportState.ENDORSED)}


def country_reports(request: Request, obj: Any) -> dict[str, Any] | None:
    """A National Representative's country: its cities in the current round, what waits for the NR's
    endorsement and what is overdue (the inbox's lists), and the cities' indicator data."""
    principal = Principal.of(request.user)
    if principal.role != Role.NATIONAL_REP or not principal.country_id:
        return None
    box = inbox(request.user)
    return {"glance": _glance(request), "inbox": box,
            "to_endorse": box.due[:dashboard.LISTED], "more_to_endorse": max(len(box.due) - dashboard.LISTED, 0),
            "data_cities": list(City.objects.visible_to(request.user).filter(country_id=principal.country_id)
                                .select_related("country").order_by("name"))}


def city_report(request: Request, obj: Any) -> dict[str, Any] | None:
    """A city officer's city: its report in the current round (state, deadline, link), what waits for the
    officer in the inbox, and the city's indicator data."""
    principal = Principal.of(request.user)
    if principal.role != Role.CITY_OFFICER or not principal.city_id:
        return None
    glance = _glance(request)
    return {"glance": glance, "item": glance.items[0] if glance and glance.items else None,
            "inbox": inbox(request.user),
            "data_cities": list(City.objects.visible_to(request.user).filter(pk=principal.city_id)
                                .select_related("country"))}


def values_to_review(request: Request, obj: Any) -> dict[str, Any] | None:
    """For the reviewers of indicator values (Secretariat, National Representatives): how many wait."""
    if not may_review(request.user):
        return None
    return {"review": dashboard.review(request.user)}


def me_report(request: Request, obj: Any) -> dict[str, Any] | None:
    """For the Secretariat: the latest M&E report and the action that generates the current round's."""
    if not Principal.of(request.user).is_secretariat:
        return None
    glance = _glance(request)
    latest = dashboard.latest_me_report(request.user)
    return {"latest": latest, "busy": dashboard.me_report_busy(latest),
            "generate_round": glance.round if glance else None}


def activity(request: Request, obj: Any) -> dict[str, Any] | None:
    """For the Secretariat: the latest writes across the network, in words."""
    if not Principal.of(request.user).is_secretariat:
        return None
    return {"activity": dashboard.recent_activity(request.user)}


add_panel("workspace.dashboard", "monitoring/_dashboard_round.html", round_overview, order=10)
add_panel("workspace.dashboard", "monitoring/_dashboard_country_reports.html", country_reports, order=10)
add_panel("workspace.dashboard", "monitoring/_dashboard_city_report.html", city_report, order=10)
add_panel("workspace.dashboard", "monitoring/_dashboard_review.html", values_to_review, order=12)
add_panel("workspace.dashboard", "monitoring/_dashboard_me_report.html", me_report, order=14)
add_panel("workspace.dashboard", "monitoring/_dashboard_activity.html", activity, order=85)
add_source("plans.project", accepted_reports)  # accepted annual reports in a project's history
