"""The registry's sections on other apps' pages (see core.panels), registered when the app starts.

On the workspace dashboard: the cities the user may edit, the offices the Secretariat and National
Representatives keep, and a partner's organisation with what a partner can do on the platform today (the
partnerships app adds its cooperation panels to the same slot).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ascn.core.choices import Role
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal

from .models import Partner
from .queries import editable_cities

LISTED = 12  # cities listed by name; more are counted and linked to the list of cities


def cities_to_edit(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    """The cities the user may edit (none for partners and accounts without a role: the panel is hidden)."""
    if not Principal.of(request.user).is_network_member:
        return None
    cities = list(editable_cities(request.user))
    return {"editable_cities": cities if len(cities) <= LISTED else [], "editable_count": len(cities)}


def offices(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    """Secretariat and National Representatives keep the offices (NR, CSCOs) of their scope."""
    return {} if Principal.of(request.user).role in {Role.SECRETARIAT, Role.NATIONAL_REP} else None


def partner_organisation(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    """A partner's organisation as the registry records it."""
    principal = Principal.of(request.user)
    if principal.role != Role.PARTNER or not principal.partner_id:
        return None
    return {"partner": Partner.objects.visible_to(request.user).filter(pk=principal.partner_id).first()}


add_panel("workspace.dashboard", "network/_dashboard_partner.html", partner_organisation, order=5)
add_panel("workspace.dashboard", "network/_dashboard_cities.html", cities_to_edit, order=20)
add_panel("workspace.dashboard", "network/_dashboard_offices.html", offices, order=60)
