"""The cooperation pipeline's workspace panels (see core.panels), registered at import: each party's records
counted by stage with the latest five (a partner, a city officer, a National Representative), and for the
Secretariat the records by stage with links to the list and the dashboard."""

from __future__ import annotations

from typing import Any

from ascn.core.choices import Role
from ascn.core.http import Request
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal

from .choices import CooperationState
from .queries import cooperation as queries


def my_cooperation(request: Request, obj: Any) -> dict[str, Any] | None:
    """A party's or reviewer's records by stage (every stage listed) and the five last changed."""
    principal = Principal.of(request.user)
    if principal.role not in {Role.SECRETARIAT, Role.NATIONAL_REP, Role.CITY_OFFICER, Role.PARTNER}:
        return None
    rows = queries.involved(request.user)
    counts = queries.state_counts(rows)
    return {"states": [(state, CooperationState(state).label, counts[state]) for state in CooperationState.values],
            "total": sum(counts.values()), "recent": list(queries.my_records(request.user)[:5]),
            "is_secretariat": principal.is_secretariat}


add_panel("workspace.dashboard", "partnerships/_dashboard_cooperation.html", my_cooperation, order=47)
