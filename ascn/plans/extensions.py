"""The plans app's sections on other apps' pages (see core.panels), registered when the app starts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ascn.core.choices import Role
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal

if TYPE_CHECKING:
    from ascn.core.http import Request


def own_projects(request: Request, obj: Any) -> dict[str, Any] | None:
    """Recording and importing projects, for the Secretariat and city officers."""
    return {} if Principal.of(request.user).role in {Role.SECRETARIAT, Role.CITY_OFFICER} else None


def country_projects(request: Request, obj: Any) -> dict[str, Any] | None:
    return {} if Principal.of(request.user).role == Role.NATIONAL_REP else None


add_panel("workspace.dashboard", "plans/_dashboard_projects.html", own_projects, order=30)
add_panel("workspace.dashboard", "plans/_dashboard_country_projects.html", country_projects, order=50)
