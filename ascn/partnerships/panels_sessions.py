"""Dashboard panels of the business-matching sessions (registered on import: `extensions.py` imports this
module): a city officer or a partner sees the published sessions its city or organisation takes part in and its
next meetings; the Secretariat sees the sessions it prepares, with a link to them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from ascn.core.http import Request
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal

from .choices import SessionState
from .models import MatchingSession
from .queries import sessions as queries

SHOWN = 5


def own_sessions(request: Request, obj: Any) -> dict[str, Any] | None:
    """A city officer's or a partner's sessions (published ones) and next meetings; None for other roles and
    for those in no session (no empty panel)."""
    own = queries.own_participations(request.user)
    if own is None:
        return None
    count = own.count()
    if not count:
        return None
    rows = [(p, queries.participant_side(p), queries.participant_slug(p)) for p in own[:SHOWN]]
    return {"rows": rows, "count": count, "meetings": queries.next_meetings(request.user, SHOWN),
            "city_side": bool(Principal.of(request.user).city_id)}


def network_sessions(request: Request, obj: Any) -> dict[str, Any] | None:
    """The Secretariat: its sessions counted by state, the newest few, and the way to prepare one."""
    if not Principal.of(request.user).is_secretariat:
        return None
    counts = dict(MatchingSession.objects.order_by().values_list("state").annotate(n=Count("id")))
    return {"draft": counts.get(SessionState.DRAFT, 0), "published": counts.get(SessionState.PUBLISHED, 0),
            "recent": list(MatchingSession.objects.order_by("-created_at", "-id")[:SHOWN])}


add_panel("workspace.dashboard", "partnerships/_session_dashboard.html", own_sessions, order=31)
add_panel("workspace.dashboard", "partnerships/_session_dashboard_network.html", network_sessions, order=46)
