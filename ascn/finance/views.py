"""Pages of the finance app: the instrument catalogue, the financing-option guide, projects' business
cases (public when published, edited in the workspace) and their readiness for financing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ascn.core.money import is_currency
from ascn.core.permissions import can_edit
from ascn.plans.models import Project

from . import actions, calculation, engine, exporting, queries, readiness, reporting
from .choices import CriterionStatus
from .forms import CaseEditor, CatalogueFilterForm, GuideForm, ReadinessAnswerForm, ReadinessSettingsForm
from .models import BusinessCase, FinancingInstrument

TABLE_NAMES = {"lines": gettext_lazy("Lines"), "loans": gettext_lazy("Loans"), "grants": gettext_lazy("Grants"),
               "drivers": gettext_lazy("Risk drivers")}


def instrument_list(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = queries.instruments(request.user, filters.get("category") or None, filters.get("focus_area") or None)
    template = "finance/instrument_list.html#results" if request.htmx else "finance/instrument_list.html"
    return render(request, template, {"form": form, "instruments": items})


def instrument_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        item = queries.instrument(request.user, slug)
    except FinancingInstrument.DoesNotExist:
        raise Http404(_("No financing instrument at this address.")) from None
    return render(request, "finance/instrument_detail.html", {
        "instrument": item, "texts": {name: item.translated(name) for name in queries.TRANSLATED_TEXTS}})


def financing_guide(request: HttpRequest) -> HttpResponse:
    """The guide: the project's characteristics in, every instrument ranked with its reasons out.
    `?project=<id>` fills the form from one of the user's visible projects."""
    submitted = "revenue" in request.GET
    project_id = request.GET.get("project")
    initial = queries.guide_defaults(request.user, int(project_id)) if project_id and project_id.isdigit() else {}
    form = GuideForm(request.GET if submitted else None, initial=initial)
    ranked = queries.ranked_instruments(request.user, form.project()) if submitted and form.is_valid() else []
    template = "finance/guide.html#results" if request.htmx else "finance/guide.html"
    return render(request, template, {"form": form, "ranked": ranked, "submitted": submitted},
                  status=422 if submitted and form.errors else 200)


# --- Business cases ---------------------------------------------------------------------------------


def _project(request: HttpRequest, pk: int) -> Project:
    project = Project.objects.visible_to(request.user).select_related("city__country").filter(pk=pk).first()
    if project is None:
        raise Http404(_("No project at this address."))
    return project


def _editable_project(request: HttpRequest, pk: int) -> Project:
    project = _project(request, pk)
    if not can_edit(request.user, project):
        raise PermissionDenied(_("You may not change this project's business cases."))
    return project


def _case(request: HttpRequest, pk: int) -> BusinessCase:
    try:
        return queries.business_case(request.user, pk)
    except BusinessCase.DoesNotExist:
        raise Http404(_("No business case at this address.")) from None


def case_list(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project(request, project_pk)
    cases = list(queries.business_cases(request.user, project))
    return render(request, "finance/case_list.html", {
        "project": project, "cases": [(case, reporting.figures(case.results)[:4]) for case in cases],
        "can_edit": can_edit(request.user, project)})


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return render(request, "finance/case_detail.html", {
        "case": case, "project": case.project, "can_edit": can_edit(request.user, case.project),
        "discount_rate": reporting.percent(case.inputs["discount_rate"]),
        **reporting.context(case.results, case.inputs)})


def _save_case(request: HttpRequest, project: Project, case: BusinessCase | None) -> HttpResponse:
    """The editor, for a new scenario (case None) or an existing one: "add a row" buttons re-render it,
    Save validates, computes and stores, or shows every problem next to its field."""
    adding = request.POST.get("_add", "") if request.method == "POST" else ""
    editor = CaseEditor.bound(request.POST, adding) if request.method == "POST" else CaseEditor.for_case(case, project)
    if request.method == "POST" and not adding and editor.is_valid():
        try:
            if case is None:
                case = actions.create_business_case(request.user, project, editor.data())
                messages.success(request, _("Business case saved."))
            else:
                changes = actions.update_business_case(request.user, case, editor.data())
                messages.success(request, _("Saved.") if changes else _("Nothing changed."))
        except ValidationError as exc:
            editor.add_errors(exc.message_dict)
        else:
            return redirect("finance:case", pk=case.pk)
    has_errors = request.method == "POST" and not adding and not editor.is_valid()
    return render(request, "finance/case_form.html", {"editor": editor, "project": project, "case": case},
                  status=422 if has_errors else 200)


@login_required
def case_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    return _save_case(request, _editable_project(request, project_pk), None)


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not can_edit(request.user, case.project):
        raise PermissionDenied(_("You may not change this project's business cases."))
    return _save_case(request, case.project, case)


@login_required
@require_POST
def case_preview(request: HttpRequest, project_pk: int) -> HttpResponse:
    """Live recalculation while the editor is filled in: the results of what is typed, nothing saved."""
    _editable_project(request, project_pk)
    editor = CaseEditor.bound(request.POST)
    problems: list[str] = []
    results = None
    if editor.is_valid():
        data = editor.data()
        try:
            results = calculation.calculate(data["inputs"], _preview_risk(data["risk"]), data["sensitivity"],
                                            is_currency)
        except engine.ModelError as exc:
            editor.add_errors({name: [message] for name, message in exc.problems})
            problems = _form_problems(editor)
    else:
        problems = _form_problems(editor)
    context = {"problems": problems}
    if results is not None:
        context.update(reporting.context(results, data["inputs"]))
    return render(request, "finance/partials/case_results.html", context, status=422 if problems else 200)


def _preview_risk(risk: dict) -> dict:
    """The preview draws with the given seed, or a fixed one, so figures stay put while typing."""
    return {**risk, "seed": risk["seed"] if risk.get("seed") is not None else 0} if risk else risk


def _form_problems(editor: CaseEditor) -> list[str]:
    problems = [f"{editor.form.fields[name].label if name in editor.form.fields else name}: {' '.join(errors)}"
                for name, errors in editor.form.errors.items()]
    for prefix, formset in editor.formsets.items():
        problems += [str(e) for e in formset.non_form_errors()]
        for index, errors in enumerate(formset.errors):
            for name, messages_ in errors.items():
                label = formset.forms[index].fields[name].label if name in formset.forms[index].fields else name
                problems.append(_("%(table)s row %(row)s, %(field)s: %(message)s") % {
                    "table": TABLE_NAMES[prefix], "row": index + 1, "field": label, "message": " ".join(messages_)})
    return problems


@login_required
@require_POST
def case_delete(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    project = case.project
    actions.delete_business_case(request.user, case)
    messages.success(request, _("Business case deleted."))
    return redirect("finance:cases", project_pk=project.pk)


def case_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    case = _case(request, pk)
    name = f"business-case-{case.project_id}-{case.pk}"
    if fmt == "xlsx":
        return HttpResponse(exporting.case_xlsx(case), headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    if fmt == "pdf":
        try:
            pdf = exporting.case_pdf(case, request)
        except exporting.PdfUnavailable:
            return HttpResponse(_("PDF export needs the Pango library on the server (Debian: libpango-1.0-0 and "
                                  "libpangoft2-1.0-0). The XLSX export works without it."),
                                status=503, content_type="text/plain; charset=utf-8")
        return HttpResponse(pdf, headers={
            "Content-Type": "application/pdf", "Content-Disposition": f'attachment; filename="{name}.pdf"'})
    raise Http404(_("Business cases export as xlsx or pdf."))


# --- Readiness --------------------------------------------------------------------------------------


VERDICT_NAMES = {"bankable": gettext_lazy("Bankable"),
                 "needs_concessional_support": gettext_lazy("Needs concessional support"),
                 "not_yet": gettext_lazy("Not yet"), "not_viable": gettext_lazy("Not viable")}


def readiness_page(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project(request, project_pk)
    target = request.GET.get("target")
    state = queries.project_readiness(request.user, project, target if target in readiness.STAGES else None)
    if state is None:
        raise Http404(_("This project's readiness is not published."))
    return render(request, "finance/readiness.html", _readiness_context(request, project, state))


def _readiness_context(request: HttpRequest, project: Project, state: queries.ProjectReadiness,
                       failed: tuple[str, ReadinessAnswerForm] | None = None) -> dict:
    """The page's content; `failed` is a criterion whose answer was refused, shown with its errors."""
    editable = can_edit(request.user, project)
    documents = project.documents.all() if editable else None  # evaluated once, shared by every form
    statuses = dict(CriterionStatus.choices)
    rows = []
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
    result = state.result
    target = (state.assessment.target_stage if state.assessment else "") or result.next_stage or \
        readiness.STAGES[-1]
    return {
        "project": project, "state": state, "readiness": result, "can_edit": editable,
        "stages": [(stage, readiness.stage_name(stage), result.stage_scores[stage],
                    [r for r in rows if r["result"].criterion.stage == stage]) for stage in readiness.STAGES],
        "dimensions": [(readiness.dimension_name(d), result.dimension_scores[d]) for d in readiness.DIMENSIONS],
        "target_name": readiness.stage_name(target).lower(),
        "gate_passed_name": readiness.stage_name(result.gate_passed) if result.gate_passed else "",
        "verdict_name": VERDICT_NAMES[result.bankability.verdict],
        "failed_stage": readiness.criterion(failed[0]).stage if failed else "",
        "settings_form": ReadinessSettingsForm(initial={
            "target_stage": state.assessment.target_stage if state.assessment else "",
            "is_published": state.assessment.is_published if state.assessment else False}),
    }


@login_required
@require_POST
def readiness_answer(request: HttpRequest, project_pk: int, code: str) -> HttpResponse:
    """Save one criterion's status and evidence; with HTMX, answer with the refreshed board (or the
    board with this criterion's errors, 422)."""
    project = _editable_project(request, project_pk)
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
        state = queries.project_readiness(request.user, project)
        failed = (code, form) if form.errors else None
        return render(request, "finance/readiness.html#board", _readiness_context(request, project, state, failed),
                      status=422 if form.errors else 200)
    if form.errors:
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("finance:readiness", args=[project.pk]) + f"#{code}")


@login_required
@require_POST
def readiness_settings(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _editable_project(request, project_pk)
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
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return redirect("finance:readiness", project_pk=project.pk)
