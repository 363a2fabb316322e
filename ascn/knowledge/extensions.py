"""What the knowledge hub adds to other apps' pages and queries (see core.panels), registered when the app
starts: an instrument's case studies, on its catalogue page and in the finance API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.http import HttpRequest

from ascn.core.panels import add_panel
from ascn.finance.models import FinancingInstrument
from ascn.finance.queries import add_instrument_prefetch

from .models import CaseStudy
from .queries import case_studies_for_instrument

if TYPE_CHECKING:
    from ascn.core.permissions import Actor


def instrument_case_studies(request: HttpRequest, instrument: FinancingInstrument) -> dict[str, Any]:
    return {"case_studies": case_studies_for_instrument(request.user, instrument)}


def published_case_studies(user: Actor | None) -> Prefetch:
    return Prefetch("case_studies", to_attr="published_case_studies",
                    queryset=CaseStudy.objects.visible_to(user).filter(is_published=True).order_by("title"))


add_panel("finance.instrument", "knowledge/_instrument_case_studies.html", instrument_case_studies)
add_instrument_prefetch(published_case_studies)
