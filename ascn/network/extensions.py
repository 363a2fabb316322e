"""The registry's sections on other apps' pages (see core.panels), registered when the app starts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ascn.core.choices import Role
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal

from .queries import editable_cities


def cities_to_edit(request: HttpRequest, obj: Any) -> dict[str, Any]:
    return {"editable_cities": editable_cities(request.user)}


def offices(request: HttpRequest, obj: Any) -> dict[str, Any] | None:
    """Secretariat and National Representatives keep the offices (NR, CSCOs) of their scope."""
    return {} if Principal.of(request.user).role in {Role.SECRETARIAT, Role.NATIONAL_REP} else None


add_panel("workspace.dashboard", "network/_dashboard_cities.html", cities_to_edit, order=20)
add_panel("workspace.dashboard", "network/_dashboard_offices.html", offices, order=60)
