"""The monitoring app's sections on other apps' pages (see core.panels), registered when the app starts."""

from __future__ import annotations

from typing import Any

from ascn.core.choices import Role
from ascn.core.history import add_source
from ascn.core.http import Request
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal
from ascn.network.models import City

from .history import accepted_reports
from .queries.reports import inbox


def inbox_summary(request: Request, obj: Any) -> dict[str, Any] | None:
    """The annual reports waiting for a member of the network (how many are overdue by the one definition
    the inbox uses) and the indicator data of the cities in the member's scope: a city officer's city, a
    National Representative's country's cities; the Secretariat is pointed at the reporting rounds."""
    principal = Principal.of(request.user)
    if not principal.is_network_member:
        return None
    cities: list[City] = []
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        cities = list(City.objects.filter(pk=principal.city_id))
    elif principal.role == Role.NATIONAL_REP and principal.country_id:
        cities = list(City.objects.filter(country_id=principal.country_id).order_by("name"))
    return {"inbox": inbox(request.user), "data_cities": cities,
            "runs_rounds": principal.is_secretariat}


add_panel("workspace.dashboard", "monitoring/_dashboard_inbox.html", inbox_summary, order=10)
add_source("plans.project", accepted_reports)  # accepted annual reports in a project's history
