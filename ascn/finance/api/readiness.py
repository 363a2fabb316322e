"""Finance API: projects' readiness for financing."""

from typing import Any, Literal

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.http import ApiRequest
from ascn.plans.models import Project

from ..actions import readiness as actions
from ..queries import readiness as queries
from .business_cases import project_or_404

# Each endpoint keeps the operation id it had when the finance API was one module
# (`ascn_finance_api_<function>`): clients generated from the schema name their methods after them.
router = Router()


class CriterionOut(Schema):
    code: str
    stage: str
    dimension: str
    text: str
    weight: int
    automatic: bool
    status: Literal["met", "partial", "not_met", "not_applicable"]
    reason: str
    evidence: str
    evidence_url: str
    document: str | None = Field(description="Download address of the evidence document, if any")


class ImprovementOut(Schema):
    criterion: str
    points: float
    blocks_gate: bool
    action: str


class BankabilityOut(Schema):
    verdict: Literal["bankable", "needs_concessional_support", "not_yet", "not_viable"]
    reasons: list[str]


class ReadinessOut(Schema):
    project: int
    score: int
    gate_passed: str | None
    next_stage: str | None
    target_stage: str
    summary: str
    stage_scores: dict[str, int]
    dimension_scores: dict[str, int]
    bankability: BankabilityOut
    business_case: int | None = Field(description="The preferred scenario whose appraisal the score uses")
    is_published: bool
    synthetic: bool = Field(False, description="True for the demo's made-up assessment (manage.py demo_data): not "
                                               "ASCN data")
    improvements: list[ImprovementOut]
    criteria: list[CriterionOut]


class AnswerIn(Schema):
    status: Literal["met", "partial", "not_met", "not_applicable"]
    evidence: str = ""
    evidence_url: str = Field("", max_length=500, pattern=r"^(https?://.*)?$")


def _readiness(request: ApiRequest, project: Project) -> dict[str, Any]:
    state = queries.project_readiness(caller(request), project)
    if state is None:
        raise Http404(_("This project's readiness is not published."))
    result = state.result
    criteria = []
    for r in result.results:
        row = state.answers.get(r.criterion.code)
        document = row.document if row is not None and not r.automatic else None
        criteria.append({
            "code": r.criterion.code, "stage": r.criterion.stage, "dimension": r.criterion.dimension,
            "text": r.criterion.label, "weight": r.criterion.weight, "automatic": r.automatic, "status": r.status,
            "reason": r.reason, "evidence": r.evidence, "evidence_url": row.evidence_url if row and not r.automatic
            else "", "document": reverse("plans:document_download", args=[project.pk, document.pk]) if document
            else None})
    return {
        "project": project.pk, "score": result.score, "gate_passed": result.gate_passed,
        "next_stage": result.next_stage, "summary": result.summary, "stage_scores": result.stage_scores,
        "target_stage": state.assessment.target_stage if state.assessment else "",
        "dimension_scores": result.dimension_scores,
        "bankability": {"verdict": result.bankability.verdict, "reasons": list(result.bankability.reasons)},
        "business_case": state.case.pk if state.case else None,
        "is_published": bool(state.assessment and state.assessment.is_published),
        "synthetic": bool(state.assessment and state.assessment.synthetic),
        "improvements": [{"criterion": i.criterion.code, "points": i.points, "blocks_gate": i.blocks_gate,
                          "action": i.action} for i in result.improvements],
        "criteria": criteria,
    }


@router.get("/projects/{pk}/readiness", response={200: ReadinessOut, **ERROR_RESPONSES}, auth=optional_auth,
            operation_id="ascn_finance_api_get_readiness", summary="A project's readiness for financing")
def get_readiness(request: ApiRequest, pk: int):
    """Stage gates from concept to financial close: every criterion with its status and evidence, the score
    (against the next gate, or the target set), what would raise it, and the bankability verdict that
    combines readiness with the preferred business case's appraisal. Public once published."""
    return _readiness(request, project_or_404(request, pk))


@router.put("/projects/{pk}/readiness/{code}", response={200: ReadinessOut, **ERROR_RESPONSES}, auth=token_auth,
            operation_id="ascn_finance_api_answer_readiness", summary="Answer one readiness criterion")
def answer_readiness(request: ApiRequest, pk: int, code: str, payload: AnswerIn):
    """Record the project's status on one criterion with its evidence; the appraisal decides the
    automatic ones. City officers for their city's projects; the Secretariat for all."""
    project = project_or_404(request, pk)
    assessment = actions.assessment_for(request.auth, project, via="api")
    actions.answer_criterion(request.auth, assessment, code, payload.dict(), via="api")
    return _readiness(request, project)
