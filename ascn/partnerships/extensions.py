"""What the partnerships app adds to other apps' pages (see core.panels), registered when the app starts: on the
workspace dashboard, a partner's offers by state with "Edit your organisation", and for the Secretariat the
published offers and the programmes; the needs surveys waiting for an answer or by state; the best matches and
the interest received (`panels_matching`); the business-matching sessions (`panels_sessions`); the cooperation
records (`panels_cooperation`)."""

from __future__ import annotations

from typing import Any

from ascn.core.choices import Role
from ascn.core.http import Request
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal

from . import panels_cooperation, panels_matching, panels_sessions  # noqa: F401 - they register their panels
from .choices import OfferState
from .models import Offer, Programme
from .queries import offers as queries
from .queries import surveys as survey_queries


def partner_offers(request: Request, obj: Any) -> dict[str, Any] | None:
    """A partner's offers counted by state, each state linked to its offers."""
    principal = Principal.of(request.user)
    if principal.role != Role.PARTNER or not principal.partner_id:
        return None
    counts = queries.offer_counts(request.user)
    return {"states": [(state, OfferState(state).label, counts[state]) for state in OfferState.values],
            "recent": list(queries.editable_offers(request.user)[:5])}


def network_offers(request: Request, obj: Any) -> dict[str, Any] | None:
    """The Secretariat: how many offers are published and how many programmes are recorded."""
    if not Principal.of(request.user).is_secretariat:
        return None
    return {"published": Offer.objects.filter(state=OfferState.PUBLISHED).count(),
            "programmes": Programme.objects.count()}


add_panel("workspace.dashboard", "partnerships/_dashboard_partner_offers.html", partner_offers, order=6)
add_panel("workspace.dashboard", "partnerships/_dashboard_offers.html", network_offers, order=45)


def surveys_panel(request: Request, obj: Any) -> dict[str, Any] | None:
    """Needs surveys: what waits for a city officer's answer; a partner's and the Secretariat's surveys by state."""
    return survey_queries.dashboard(request.user)


add_panel("workspace.dashboard", "partnerships/_survey_dashboard.html", surveys_panel, order=44)
