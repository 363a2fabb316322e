"""Pages of projects' readiness for financing: the stage gates, scored with the preferred business case,
answered by the city's officers, public once published."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from ascn.core.http import Request, SignedInRequest
from ascn.core.permissions import can_edit
from ascn.plans.models import Project

from .. import readiness
from ..actions import readiness as actions
from ..choices import CriterionStatus
from ..forms.readiness import ReadinessAnswerForm, ReadinessEditForm, ReadinessSettingsForm
from ..queries import readiness as queries
from .business_cases import editable_project, joined, project_or_404

if TYPE_CHECKING:
    from django.http import QueryDict
    from django_stubs_ext import StrOrPromise

    from ..models import ReadinessAnswer

VERDICT_NAMES = {"bankable": gettext_lazy("Bankable"),
                 "needs_concessional_support": gettext_lazy("Needs concessional support"),
                 "not_yet": gettext_lazy("Not yet"), "not_viable": gettext_lazy("Not viable")}


class CriterionRow(TypedDict):
    """One criterion on the board: its result, the stored answer and, for its editor, the answer's form (part
    of the one form of every answer) with what someone else saved there meanwhile."""

    result: readiness.CriterionResult
    answer: ReadinessAnswer | None
    form: ReadinessAnswerForm | None
    note: str
    status_name: StrOrPromise
    dimension_name: str


def readiness_page(request: Request, project_pk: int) -> HttpResponse:
    """The readiness board; a POST to it saves the answers of every criterion at once."""
    if request.method == "POST":
        return readiness_save(cast("SignedInRequest", request), project_pk)
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


def _edit_form(project: Project, state: queries.ProjectReadiness, data: QueryDict | None = None
               ) -> ReadinessEditForm:
    """The one form of every criterion the city answers, drawn from the stored answers (`data`: as sent)."""
    initial = {}
    for result in state.result.results:
        if result.automatic:
            continue
        answer = state.answers.get(result.criterion.code)
        initial[result.criterion.code] = {
            "status": answer.status if answer else CriterionStatus.NOT_MET,
            "evidence": answer.evidence if answer else "", "evidence_url": answer.evidence_url if answer else "",
            "document": answer.document_id if answer else None}
    # One evaluated queryset of documents serves every criterion's form.
    return ReadinessEditForm(initial, project.documents.all(), data, opened_at=timezone.now(),
                             version=actions.answers_version(state.answers.values()))


def _readiness_context(request: Request, project: Project, state: queries.ProjectReadiness,
                       edit: ReadinessEditForm | None = None, saved: str = "") -> dict[str, Any]:
    """The page's content; `edit` is the answers' form as sent and refused (its values kept)."""
    editable = can_edit(request.user, project)
    if edit is None and editable:
        edit = _edit_form(project, state)
    statuses = dict(CriterionStatus.choices)
    rows: list[CriterionRow] = []
    for result in state.result.results:
        code = result.criterion.code
        rows.append({"result": result, "answer": state.answers.get(code),
                     "form": edit.forms.get(code) if edit else None, "note": edit.notes.get(code, "") if edit else "",
                     "status_name": statuses[result.status],
                     "dimension_name": readiness.dimension_name(result.criterion.dimension)})
    scored = state.result
    target = (state.assessment.target_stage if state.assessment else "") or scored.next_stage or \
        readiness.STAGES[-1]
    labels = {r.criterion.code: r.criterion.label for r in scored.results}
    open_stages = {scored.next_stage} | {readiness.criterion(code).stage for code in edit.forms
                                         if edit.has_errors(code) or code in edit.notes} if edit else set()
    return {
        "project": project, "state": state, "readiness": scored, "can_edit": editable, "edit": edit,
        "problems": edit.problems(labels) if edit else [], "saved": saved,
        "stages": [(stage, readiness.stage_name(stage), scored.stage_scores[stage],
                    [r for r in rows if r["result"].criterion.stage == stage], stage in open_stages
                    or stage == scored.next_stage) for stage in readiness.STAGES],
        "dimensions": [(readiness.dimension_name(d), scored.dimension_scores[d]) for d in readiness.DIMENSIONS],
        "target_name": readiness.stage_name(target).lower(),
        "gate_passed_name": readiness.stage_name(scored.gate_passed) if scored.gate_passed else "",
        "verdict_name": VERDICT_NAMES[scored.bankability.verdict],
        "settings_form": ReadinessSettingsForm(initial={
            "target_stage": state.assessment.target_stage if state.assessment else "",
            "is_published": state.assessment.is_published if state.assessment else False}),
    }


@login_required
@require_POST
def readiness_save(request: SignedInRequest, project_pk: int) -> HttpResponse:
    """Save the answers of every criterion at once, all or nothing. With HTMX the board comes back refreshed
    (score included); a refusal answers the board (or the page) with every typed value kept and each problem
    beside its field: 422, or 409 when someone saved answers after the form was opened."""
    project = editable_project(request, project_pk)
    state = _state_or_404(request, project)  # found: the user edits the project
    edit = _edit_form(project, state, request.POST)
    version, opened_at = edit.sent_version()
    status = 422
    try:
        if edit.is_valid():
            changes = actions.save_answers(request.user, project, edit.values(), version=version,
                                           opened_at=opened_at, via="web")
            return _saved(request, project, changes)
        if version is not None and version != actions.answers_version(state.answers.values()):
            raise actions.stale_answers(state.answers.values(), opened_at)  # list every problem at once
    except actions.StaleAnswers as exc:
        fresh = _state_or_404(request, project)
        statuses = dict(CriterionStatus.choices)
        edit.add_conflict(exc.messages[0], exc.changes, actions.answers_version(fresh.answers.values()),
                          {code: str(statuses.get(row.status, row.status)) for code, row in fresh.answers.items()})
        status = 409
    except ValidationError as exc:
        edit.add_errors(exc)
    context = _readiness_context(request, project, _state_or_404(request, project), edit)
    template = "finance/readiness.html#board" if request.htmx else "finance/readiness.html"
    return render(request, template, context, status=status)


def _saved(request: SignedInRequest, project: Project, changes: dict[str, list[Any]]) -> HttpResponse:
    """After a save: with HTMX the refreshed board (new score, a fresh form) saying what was saved; otherwise
    back to the page."""
    count = len({key.rsplit(".", 1)[0] for key in changes})
    said = ngettext("Saved: %(count)s answer changed.", "Saved: %(count)s answers changed.", count) % {
        "count": count} if changes else _("Nothing to save: the answers were already as shown.")
    if request.htmx:
        state = _state_or_404(request, project)
        return render(request, "finance/readiness.html#board", _readiness_context(request, project, state, saved=said))
    messages.success(request, said)
    return redirect("finance:readiness", project_pk=project.pk)


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
]
