"""Reads of projects' readiness for financing, scored with their preferred business case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from ascn.core.permissions import can_edit

from .. import readiness
from ..models import BusinessCase, ReadinessAnswer, ReadinessAssessment
from .business_cases import business_cases

if TYPE_CHECKING:
    from ascn.core.permissions import Actor, ScopedQuerySet
    from ascn.plans.models import Project


def appraisal_facts(case: BusinessCase | None, project: Project) -> readiness.AppraisalFacts | None:
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


def assessments(user: Actor | None, project: Project) -> ScopedQuerySet[ReadinessAssessment]:
    """The project's readiness assessment, if the user may see it (the public: once published)."""
    return ReadinessAssessment.objects.visible_to(user).filter(project=project)


def readiness_readable(user: Actor | None, project: Project, *, has_assessment: bool | None = None) -> bool:
    """Whether the project's readiness page answers the user, and so whether a page may link to it: for the
    project's editors always (an empty board before the first answer), for anyone else once there is an
    assessment they may see. `has_assessment`: whether `assessments(user, project)` has one, when known."""
    if can_edit(user, project):
        return True
    return assessments(user, project).exists() if has_assessment is None else has_assessment


def project_readiness(user: Actor | None, project: Project, target: str | None = None) -> ProjectReadiness | None:
    """The project's readiness as the user may see it, scored with its preferred business case (when
    the user may see that case too); None when `readiness_readable` says the user may not read it."""
    assessment = assessments(user, project).prefetch_related("answers__document").first()
    if not readiness_readable(user, project, has_assessment=assessment is not None):
        return None
    rows = {a.criterion: a for a in assessment.answers.all()} if assessment else {}
    case = business_cases(user, project).filter(is_preferred=True).first()
    # The stored statuses are CriterionStatus values, the readiness statuses; `assess` refuses any other.
    answers = {code: readiness.Answer(status=cast("readiness.Status", row.status), evidence=row.evidence)
               for code, row in rows.items() if code in readiness.CODES}
    result = readiness.assess(answers, appraisal_facts(case, project),
                              target or (assessment.target_stage if assessment else "") or None)
    return ProjectReadiness(assessment, rows, case, result)
