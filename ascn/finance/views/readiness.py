"""Pages of projects' readiness for financing: the stage gates, scored with the preferred business case,
answered by the city's officers, public once published."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ascn.core.http import Request, SignedInRequest
from ascn.core.permissions import can_edit
from ascn.plans.models import Project

from .. import readiness
from ..actions import readiness as actions
from ..choices import CriterionStatus
from ..forms.readiness import ReadinessAnswerForm, ReadinessSettingsForm
from ..queries import readiness as queries
from .business_cases import editable_project, joined, project_or_404

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from ..models import ReadinessAnswer

VERDICT_NAMES = {"bankable": gettext_lazy("Bankable"),
                 "needs_concessional_support": gettext_lazy("Needs concessional support"),
                 "not_yet": gettext_lazy("Not yet"), "not_viable": gettext_lazy("Not viable")}


class CriterionRow(TypedDict):
    """One criterion on the board: its result, the stored answer and, for its editor, the answer's form."""

    result: readiness.CriterionResult
    answer: ReadinessAnswer | None
    form: ReadinessAnswerForm | None
    status_name: StrOrPromise
    dimension_name: str


def readiness_page(request: Request, project_pk: int) -> HttpResponse:
    project = project_or_404(request, project_pk)
    target = request.GET.get("target")
    state = _state_or_404(request, project, target if target in readiness.STAGES else None)
    return render(request, "finance/readiness.html", _readiness_context(request, project, state))


def _state_or_404(request: Request, project: Project, target: str | None = None) -> queries.ProjectReadiness:
    """The project's readiness as the user may see it (its editor always may), or Http404."""
    state = queries.project_readiness(request.user, project, target)
    if state is None:
        raise Http404(_("This project's readiness is not published."))
    return state


def _readiness_context(request: Request, project: Project, state: queries.ProjectReadiness,
                       failed: tuple[str, ReadinessAnswerForm] | None = None) -> dict[str, Any]:
    """The page's content; `failed` is a criterion whose answer was refused, shown with its errors."""
    editable = can_edit(request.user, project)
    documents = project.documents.all()  # evaluated once, by the first form (editors only), shared by every form
    statuses = dict(CriterionStatus.choices)
    rows: list[CriterionRow] = []
    for result in state.result.results:
        code = result.criterion.code
        answer = state.answers.get(code)
        form = None
        if editable and not result.automatic:
            if failed and failed[0] == code:
                form = failed[1]
            else:
                form = ReadinessAnswerForm(prefix=code, documents=documents, initial={
                    "status": result.status, "evidence": result.evidence,
                    "evidence_url": answer.evidence_url if answer else "",
                    "document": answer.document_id if answer else None})
        rows.append({"result": result, "answer": answer, "form": form, "status_name": statuses[result.status],
                     "dimension_name": readiness.dimension_name(result.criterion.dimension)})
    scored = state.result
    target = (state.assessment.target_stage if state.assessment else "") or scored.next_stage or \
        readiness.STAGES[-1]
    return {
        "project": project, "state": state, "readiness": scored, "can_edit": editable,
        "stages": [(stage, readiness.stage_name(stage), scored.stage_scores[stage],
                    [r for r in rows if r["result"].criterion.stage == stage]) for stage in readiness.STAGES],
        "dimensions": [(readiness.dimension_name(d), scored.dimension_scores[d]) for d in readiness.DIMENSIONS],
        "target_name": readiness.stage_name(target).lower(),
        "gate_passed_name": readiness.stage_name(scored.gate_passed) if scored.gate_passed else "",
        "verdict_name": VERDICT_NAMES[scored.bankability.verdict],
        "failed_stage": readiness.criterion(failed[0]).stage if failed else "",
        "settings_form": ReadinessSettingsForm(initial={
            "target_stage": state.assessment.target_stage if state.assessment else "",
            "is_published": state.assessment.is_published if state.assessment else False}),
    }


@login_required
@require_POST
def readiness_answer(request: SignedInRequest, project_pk: int, code: str) -> HttpResponse:
    """Save one criterion's status and evidence; with HTMX, answer with the refreshed board (or the
    board with this criterion's errors, 422)."""
    project = editable_project(request, project_pk)
    if code not in readiness.CODES:
        raise Http404(_("No readiness criterion “%(code)s”.") % {"code": code})
    form = ReadinessAnswerForm(request.POST, documents=project.documents.all(), prefix=code)
    if form.is_valid():
        try:
            assessment = actions.assessment_for(request.user, project)
            actions.answer_criterion(request.user, assessment, code, form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
    if request.htmx:
        state = _state_or_404(request, project)  # found: the user edits the project
        failed = (code, form) if form.errors else None
        return render(request, "finance/readiness.html#board", _readiness_context(request, project, state, failed),
                      status=422 if form.errors else 200)
    if form.errors:
        messages.error(request, " ".join(joined(e) for e in form.errors.values()))
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("finance:readiness", args=[project.pk]) + f"#{code}")


@login_required
@require_POST
def readiness_settings(request: SignedInRequest, project_pk: int) -> HttpResponse:
    project = editable_project(request, project_pk)
    form = ReadinessSettingsForm(request.POST)
    if form.is_valid():
        try:
            assessment = actions.assessment_for(request.user, project)
            changes = actions.update_assessment(request.user, assessment, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved.") if changes else _("Nothing changed."))
    else:
        messages.error(request, " ".join(joined(e) for e in form.errors.values()))
    return redirect("finance:readiness", project_pk=project.pk)


urlpatterns = [
    path("projects/<int:project_pk>/readiness/", readiness_page, name="readiness"),
    path("projects/<int:project_pk>/readiness/settings/", readiness_settings, name="readiness_settings"),
    path("projects/<int:project_pk>/readiness/<str:code>/", readiness_answer, name="readiness_answer"),
]
