"""Reads of the instrument catalogue and the financing-option guide."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q

from ascn.network.models import Partner
from ascn.plans.models import Project

from .. import calculation, guide
from ..models import BusinessCase, FinancingInstrument
from .business_cases import business_cases

if TYPE_CHECKING:
    from ascn.core.permissions import Actor, ScopedQuerySet

    # Builds, for the user asking, one Prefetch of what another app attaches to each instrument.
    InstrumentPrefetch = Callable[[Actor | None], Prefetch[Any, Any, Any]]

TRANSLATED_TEXTS = ("name", "summary", "suits", "requires", "typical_tenor", "typical_cost")

# What other apps attach to each instrument of the catalogue, for a user (e.g. the knowledge hub's
# published case studies as `published_case_studies`): each entry builds one Prefetch.
INSTRUMENT_PREFETCHES: list[InstrumentPrefetch] = []


def add_instrument_prefetch(build: InstrumentPrefetch) -> None:
    if build not in INSTRUMENT_PREFETCHES:
        INSTRUMENT_PREFETCHES.append(build)


def instruments(user: Actor | None, category: str | None = None, focus_area: str | None = None
                ) -> ScopedQuerySet[FinancingInstrument]:
    """The catalogue: every instrument the user may see, optionally of one category, or used for one
    focus area (instruments without focus areas serve every one)."""
    # One call per kind of lookup: the stubs type all the Prefetch arguments of one call with one queryset type.
    qs = (FinancingInstrument.objects.visible_to(user)
          .prefetch_related("focus_areas")
          .prefetch_related(Prefetch("providers", queryset=Partner.objects.visible_to(user)))
          .prefetch_related(*(build(user) for build in INSTRUMENT_PREFETCHES)))
    if category:
        qs = qs.filter(category=category)
    if focus_area:
        qs = qs.filter(Q(focus_areas__code=focus_area) | Q(focus_areas__isnull=True)).distinct()
    return qs.order_by("position", "name")


def guide_facts(items: Iterable[FinancingInstrument]) -> list[guide.Instrument]:
    """The catalogue entries as the guide's plain facts (sizes in US dollars as floats)."""
    return [
        guide.Instrument(
            slug=i.slug, name=i.display_name, revenue_profiles=frozenset(i.revenue_profiles),
            min_size_usd=float(i.min_size_usd) if i.min_size_usd is not None else None,
            max_size_usd=float(i.max_size_usd) if i.max_size_usd is not None else None,
            needs_borrowing_powers=i.needs_borrowing_powers, needs_creditworthiness=i.needs_creditworthiness,
            needs_revenue_stream=i.needs_revenue_stream, needs_ppp_framework=i.needs_ppp_framework,
            focus_areas=frozenset(n.code for n in i.focus_areas.all()), stages=frozenset(i.stages))
        for i in items
    ]


def ranked_instruments(user: Actor | None, project: guide.Project) -> list[tuple[FinancingInstrument, guide.Fit]]:
    """The guide's ranking of the catalogue for a project, each fit with its catalogue entry."""
    items = list(instruments(user))
    by_slug = {i.slug: i for i in items}
    return [(by_slug[fit.instrument.slug], fit) for fit in guide.rank(project, guide_facts(items))]


@dataclass(frozen=True)
class GuideStart:
    """What the guide's form starts from for one of the user's visible projects: the project, the form's
    initial values, its preferred business case as the user may see it, and whether that case's capital cost
    fills the size (else the project's estimate in dollars does, or nothing)."""

    project: Project
    initial: dict[str, Any] = field(default_factory=dict)
    case: BusinessCase | None = None
    size_from_case: bool = False


def guide_start(user: Actor | None, project_id: int | None) -> GuideStart | None:
    """The guide's form filled from one of the user's visible projects: focus area, stage and the capital
    cost in US dollars, from its preferred business case (when the user may see it) or else its cost
    estimate in dollars. None: no such project for this user."""
    project = (Project.objects.visible_to(user).select_related("focus_area").filter(pk=project_id).first()
               if project_id else None)
    if project is None:
        return None
    initial: dict[str, Any] = {"project": project.pk, "focus_area": project.focus_area.code, "stage": project.stage}
    case = business_cases(user, project).filter(is_preferred=True).first()
    size = calculation.capital_cost_usd(case.inputs, case.results) if case else None
    if size is not None:
        initial["size_usd"] = Decimal(f"{size:.2f}")
    elif project.cost_estimate is not None and project.currency == "USD":
        initial["size_usd"] = project.cost_estimate
    return GuideStart(project, initial, case, size_from_case=size is not None)
