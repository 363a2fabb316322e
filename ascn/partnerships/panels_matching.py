"""The workspace dashboard's matchmaking panels (see core.panels), registered when this module is imported (from
the app's `extensions.py`): for a partner its best matches across its published offers and the interest cities
expressed in them; for a city officer the interest partners expressed in its city's needs and its best matches.
Each reads through the permission layer and lists at most `queries.interest.DASHBOARD_ROWS` rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ascn.core.choices import Role
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal

from .queries import interest as queries

if TYPE_CHECKING:
    from ascn.core.http import Request


def _received(request: Request) -> dict[str, Any]:
    rows = queries.received(request.user)
    shown = list(rows[:queries.DASHBOARD_ROWS])
    titles = queries.need_titles({i.need_key for i in shown})
    listed = [(i, titles.get(i.need_key, i.need_key), queries.record_path(i.record_id) if i.record_id else None)
              for i in shown]
    total = len(shown) if len(shown) < queries.DASHBOARD_ROWS else rows.count()
    return {"received": listed, "received_total": total}


def partner_matches(request: Request, obj: Any) -> dict[str, Any] | None:
    """A partner: its best matches across its published offers, and the interest cities expressed in them."""
    principal = Principal.of(request.user)
    if principal.role != Role.PARTNER or not principal.partner_id:
        return None
    return {"best": queries.best_matches(request.user), "side": "partner", **_received(request)}


def city_matches(request: Request, obj: Any) -> dict[str, Any] | None:
    """A city officer: the interest partners expressed in its city's needs, and its best matches."""
    principal = Principal.of(request.user)
    if principal.role != Role.CITY_OFFICER or not principal.city_id:
        return None
    return {"best": queries.best_matches(request.user), "side": "city", **_received(request)}


add_panel("workspace.dashboard", "partnerships/_dashboard_matches_partner.html", partner_matches, order=7)
add_panel("workspace.dashboard", "partnerships/_dashboard_matches_city.html", city_matches, order=32)
