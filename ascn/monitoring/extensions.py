"""The monitoring app's sections on other apps' pages (see core.panels), registered when the app starts."""

from __future__ import annotations

from typing import Any

from ascn.core.history import add_source
from ascn.core.http import Request
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal

from .history import accepted_reports
from .queries.reports import inbox


def inbox_summary(request: Request, obj: Any) -> dict[str, Any] | None:
    """The annual reports waiting for a member of the network."""
    if not Principal.of(request.user).is_network_member:
        return None
    return {"inbox": inbox(request.user)}


add_panel("workspace.dashboard", "monitoring/_dashboard_inbox.html", inbox_summary, order=10)
add_source("plans.project", accepted_reports)  # accepted annual reports in a project's history
