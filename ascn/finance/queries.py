"""Reads of the finance app shown to users, through the permission layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from ascn.core.permissions import can_edit
from ascn.network.models import Partner

from . import guide, readiness
from .models import BusinessCase, FinancingInstrument, ReadinessAnswer, ReadinessAssessment

TRANSLATED_TEXTS = ("name", "summary", "suits", "requires", "typical_tenor", "typical_cost")

# What other apps attach to each instrument of the catalogue, for a user (e.g. the knowledge hub's
# published case studies as `published_case_studies`): each entry builds one Prefetch.
INSTRUMENT_PREFETCHES: list[Callable[[Any], Prefetch]] = []


def add_instrument_prefetch(build: Callable[[Any], Prefetch]) -> None:
    if build not in INSTRUMENT_PREFETCHES:
        INSTRUMENT_PREFETCHES.append(build)


def instruments(user: Any, category: str | None = None, focus_area: str | None = None) -> QuerySet:
    """The catalogue: every instrument the user may see, optionally of one category, or used for one
    focus area (instruments without focus areas serve every one)."""
    qs = (FinancingInstrument.objects.visible_to(user)
          .prefetch_related("focus_areas", Prefetch("providers", queryset=Partner.objects.visible_to(user)),
                            *(build(user) for build in INSTRUMENT_PREFETCHES)))
    if category:
        qs = qs.filter(category=category)
    if focus_area:
        qs = qs.filter(Q(focus_areas__code=focus_area) | Q(focus_areas__isnull=True)).distinct()
    return qs.order_by("position", "name")


def instrument(user: Any, slug: str) -> FinancingInstrument:
    """One instrument; raises FinancingInstrument.DoesNotExist."""
    return instruments(user).get(slug=slug)


def guide_facts(items: QuerySet | list) -> list[guide.Instrument]:
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


def ranked_instruments(user: Any, project: guide.Project) -> list[tuple[FinancingInstrument, guide.Fit]]:
    """The guide's ranking of the catalogue for a project, each fit with its catalogue entry."""
    items = list(instruments(user))
    by_slug = {i.slug: i for i in items}
    return [(by_slug[fit.instrument.slug], fit) for fit in guide.rank(project, guide_facts(items))]


def guide_defaults(user: Any, project_id: int | None) -> dict[str, Any]:
    """The guide's form filled from one of the user's visible projects: focus area, stage and, for
    costs in US dollars, the size."""
    from ascn.plans.models import Project

    project = (Project.objects.visible_to(user).select_related("focus_area").filter(pk=project_id).first()
               if project_id else None)
    if project is None:
        return {}
    defaults: dict[str, Any] = {"focus_area": project.focus_area.code, "stage": project.stage}
    if project.cost_estimate is not None and project.currency == "USD":
        defaults["size_usd"] = project.cost_estimate
    return defaults


# --- Business cases and readiness -------------------------------------------------------------------


def business_cases(user: Any, project: Any) -> QuerySet:
    """The project's scenarios the user may see, the preferred one first."""
    return BusinessCase.objects.visible_to(user).filter(project=project).order_by("-is_preferred", "scenario")


def business_case(user: Any, pk: int) -> BusinessCase:
    """One scenario with its project and city; raises BusinessCase.DoesNotExist."""
    return (BusinessCase.objects.visible_to(user).select_related("project__city__country", "created_by")
            .get(pk=pk))


def appraisal_facts(case: BusinessCase | None, project: Any) -> readiness.AppraisalFacts | None:
    """What the readiness score takes from a business case's results (None: the project has none)."""
    if case is None or not case.appraisal:
        return None
    appraisal, simulation = case.appraisal, case.simulation
    gap = project.funding_gap
    return readiness.AppraisalFacts(
        financial_npv=appraisal["financial_npv"], economic_npv=appraisal["economic_npv"],
        benefit_cost_ratio=appraisal["benefit_cost_ratio"], minimum_dscr=appraisal["minimum_dscr"],
        has_debt=bool(case.inputs.get("loans")),
        probability_negative_npv=simulation["financial_npv"]["probability_negative"] if simulation else None,
        funding_gap=float(gap) if gap is not None else None)


@dataclass(frozen=True)
class ProjectReadiness:
    assessment: ReadinessAssessment | None
    answers: dict[str, ReadinessAnswer]
    case: BusinessCase | None
    result: readiness.Readiness


def project_readiness(user: Any, project: Any, target: str | None = None) -> ProjectReadiness | None:
    """The project's readiness as the user may see it, scored with its preferred business case (when
    the user may see that case too); None when there is no assessment the user may see. An editor of the
    project always sees it (an empty one before the first answer)."""
    assessment = (ReadinessAssessment.objects.visible_to(user).filter(project=project)
                  .prefetch_related("answers__document").first())
    if assessment is None and not can_edit(user, project):
        return None
    rows = {a.criterion: a for a in assessment.answers.all()} if assessment else {}
    case = business_cases(user, project).filter(is_preferred=True).first()
    answers = {code: readiness.Answer(status=row.status, evidence=row.evidence)
               for code, row in rows.items() if code in readiness.CODES}
    result = readiness.assess(answers, appraisal_facts(case, project),
                              target or (assessment.target_stage if assessment else "") or None)
    return ProjectReadiness(assessment, rows, case, result)
