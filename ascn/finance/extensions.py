"""The financing toolkit's sections on other apps' pages (see core.panels), registered when the app starts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ascn.core.panels import add_panel
from ascn.core.permissions import Principal

from .queries.business_cases import business_cases
from .queries.readiness import project_readiness

if TYPE_CHECKING:
    from ascn.core.http import Request
    from ascn.plans.models import Project


def financing_links(request: Request, obj: Any) -> dict[str, Any] | None:
    return {} if Principal.of(request.user).is_network_member else None


add_panel("workspace.dashboard", "finance/_dashboard_financing.html", financing_links, order=40)


def project_financing(request: Request, project: Project) -> dict[str, Any]:
    """A project's business cases and readiness, as far as the viewer may see them."""
    state = project_readiness(request.user, project)
    return {"business_cases": list(business_cases(request.user, project)),
            "readiness": state.result if state and (state.assessment or state.case) else None}


add_panel("plans.project", "finance/_project_financing.html", project_financing)
