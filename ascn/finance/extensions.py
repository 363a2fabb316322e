"""The financing toolkit's sections on other apps' pages (see core.panels), registered when the app starts.

On the workspace dashboard: the toolkit's links for members of the network, and a city officer's business
cases with each project's readiness score (read in four queries however many projects the city has).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ascn.core.choices import Role
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal
from ascn.plans.models import Project

from . import readiness
from .models import BusinessCase, ReadinessAssessment
from .queries.business_cases import business_cases
from .queries.readiness import appraisal_facts, project_readiness

if TYPE_CHECKING:
    from ascn.core.http import Request
    from ascn.core.permissions import Actor

LISTED = 10


def financing_links(request: Request, obj: Any) -> dict[str, Any] | None:
    return {} if Principal.of(request.user).is_network_member else None


@dataclass(frozen=True)
class ProjectFinancing:
    """A project's business cases (the preferred first) and its readiness, when it has an assessment or a
    preferred case to score it with."""

    project: Project
    cases: list[BusinessCase]
    readiness: readiness.Readiness | None
    readable: bool  # whether the project's readiness page answers the user (see readiness_readable)


def city_financing(user: Actor | None, city_id: int) -> tuple[list[ProjectFinancing], int]:
    """The city's projects that have a business case or a readiness assessment the user may see (the first
    LISTED by title) with their readiness scored as the project's page scores it, and how many there are."""
    cases = list(BusinessCase.objects.visible_to(user).filter(project__city_id=city_id).select_related("project")
                 .order_by("-is_preferred", "scenario"))
    assessments = {a.project_id: a for a in ReadinessAssessment.objects.visible_to(user)
                   .filter(project__city_id=city_id).select_related("project").prefetch_related("answers")}
    projects = {c.project_id: c.project for c in cases} | {pk: a.project for pk, a in assessments.items()}
    shown = sorted(projects.values(), key=lambda p: (p.title, p.pk))[:LISTED]
    # readiness_readable's rule for many projects at once (it asks per project): the project's editors
    # always read its readiness page, others once there is an assessment they may see.
    editable = set(Project.objects.editable_by(user).filter(pk__in=[p.pk for p in shown])
                   .values_list("pk", flat=True))
    rows = []
    for project in shown:
        own = [c for c in cases if c.project_id == project.pk]
        preferred = next((c for c in own if c.is_preferred), None)
        assessment = assessments.get(project.pk)
        score = None
        if assessment is not None or preferred is not None:
            answers = {a.criterion: readiness.Answer(status=cast("readiness.Status", a.status), evidence=a.evidence)
                       for a in (assessment.answers.all() if assessment else []) if a.criterion in readiness.CODES}
            score = readiness.assess(answers, appraisal_facts(preferred, project),
                                     (assessment.target_stage if assessment else "") or None)
        rows.append(ProjectFinancing(project, own, score, project.pk in editable or assessment is not None))
    return rows, len(projects)


def city_business_cases(request: Request, obj: Any) -> dict[str, Any] | None:
    """A city officer's business cases and readiness scores."""
    principal = Principal.of(request.user)
    if principal.role != Role.CITY_OFFICER or not principal.city_id:
        return None
    rows, total = city_financing(request.user, principal.city_id)
    return {"financing": rows, "total": total, "more": total - len(rows)}


add_panel("workspace.dashboard", "finance/_dashboard_business_cases.html", city_business_cases, order=35)
add_panel("workspace.dashboard", "finance/_dashboard_financing.html", financing_links, order=40)


def project_financing(request: Request, project: Project) -> dict[str, Any]:
    """A project's business cases and readiness, as far as the viewer may see them."""
    state = project_readiness(request.user, project)
    return {"business_cases": list(business_cases(request.user, project)),
            "readiness": state.result if state and (state.assessment or state.case) else None,
            "readiness_synthetic": bool(state and ((state.assessment and state.assessment.synthetic)
                                                   or (state.case and state.case.synthetic)))}


add_panel("plans.project", "finance/_project_financing.html", project_financing)
