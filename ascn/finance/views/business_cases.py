"""Pages of projects' business cases: public when published, edited in the workspace with live
recalculation, exported as XLSX and PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ascn.core.http import Request, SignedInRequest
from ascn.core.lookups import visible_or_404
from ascn.core.money import is_currency
from ascn.core.pdf import PdfUnavailable
from ascn.core.permissions import can_edit
from ascn.plans.models import Project

from .. import calculation, engine, exporting, reporting
from ..actions import business_cases as actions
from ..forms.business_cases import FORMSETS, CaseEditor, LineForm, TableFull, new_row
from ..models import BusinessCase
from ..queries import business_cases as queries
from ..queries.readiness import readiness_readable

if TYPE_CHECKING:
    from django.forms.utils import ErrorList

TABLE_NAMES = {"lines": gettext_lazy("Lines"), "loans": gettext_lazy("Loans"), "grants": gettext_lazy("Grants"),
               "drivers": gettext_lazy("Risk drivers")}


def project_or_404(request: Request, pk: int) -> Project:
    """The project at this address, if the user may see it."""
    return visible_or_404(Project.objects.visible_to(request.user).select_related("city__country"),
                          _("No project at this address."), pk=pk)


def editable_project(request: Request, pk: int) -> Project:
    """The project at this address, if the user may change its business cases and readiness."""
    project = project_or_404(request, pk)
    actions.require_project_edit(request.user, project)
    return project


def _case(request: Request, pk: int) -> BusinessCase:
    return visible_or_404(queries.cases_with_projects(request.user), _("No business case at this address."), pk=pk)


def case_list(request: Request, project_pk: int) -> HttpResponse:
    project = project_or_404(request, project_pk)
    cases = list(queries.business_cases(request.user, project))
    return render(request, "finance/case_list.html", {
        "project": project, "cases": [(case, reporting.figures(case.results)[:4]) for case in cases],
        "can_edit": can_edit(request.user, project), "readiness_readable": readiness_readable(request.user, project)})


def case_detail(request: Request, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return render(request, "finance/case_detail.html", {
        "case": case, "project": case.project, "can_edit": can_edit(request.user, case.project),
        "readiness_readable": readiness_readable(request.user, case.project),
        "discount_rate": reporting.percent(case.inputs["discount_rate"]),
        **reporting.context(case.results, case.inputs)})


def _save_case(request: SignedInRequest, project: Project, case: BusinessCase | None) -> HttpResponse:
    """The editor, for a new scenario (case None) or an existing one: Save validates, computes and stores
    (saying which lines were padded to the horizon), or shows every problem next to its field. Rows are
    added in place (`case_row`)."""
    editor = CaseEditor.bound(request.POST) if request.method == "POST" else CaseEditor.for_case(case, project)
    if request.method == "POST" and editor.is_valid():
        data = editor.data()
        try:
            if case is None:
                case = actions.create_business_case(request.user, project, data)
                messages.success(request, _("Business case saved."))
            else:
                changes = actions.update_business_case(request.user, case, data)
                messages.success(request, _("Saved.") if changes else _("Nothing changed."))
        except ValidationError as exc:
            editor.add_errors(exc.message_dict)
        else:
            for note in padding_notes(editor, data["inputs"].get("start_year")):
                messages.info(request, note)
            return redirect("finance:case", pk=case.pk)
    has_errors = request.method == "POST" and not editor.is_valid()
    return render(request, "finance/case_form.html", {"editor": editor, "project": project, "case": case},
                  status=422 if has_errors else 200)


def padding_notes(editor: CaseEditor, start_year: int | None) -> list[str]:
    """What the last `editor.data()` padded, as its problems are told: "Lines row 2, Amounts by year (from
    year 0): padded with 0 for 2031 to 2035"."""
    label = LineForm.base_fields["values"].label
    return [_("%(table)s row %(row)s, %(field)s: %(message)s") % {
        "table": TABLE_NAMES["lines"], "row": index + 1, "field": label,
        "message": calculation.padding_message(padding, start_year)} for index, padding in editor.paddings]


@login_required
def case_create(request: SignedInRequest, project_pk: int) -> HttpResponse:
    return _save_case(request, editable_project(request, project_pk), None)


@login_required
def case_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    actions.require_project_edit(request.user, case.project)
    return _save_case(request, case.project, case)


@login_required
@require_POST
def case_preview(request: SignedInRequest, project_pk: int) -> HttpResponse:
    """Live recalculation while the editor is filled in: the results of what is typed, nothing saved."""
    editable_project(request, project_pk)
    editor = CaseEditor.bound(request.POST)
    problems: list[str] = []
    notes: list[str] = []
    results = None
    if editor.is_valid():
        data = editor.data()
        notes = padding_notes(editor, data["inputs"].get("start_year"))
        try:
            results = calculation.calculate(data["inputs"], _preview_risk(data["risk"]), data["sensitivity"],
                                            is_currency)
        except engine.ModelError as exc:
            editor.add_errors({name: [message] for name, message in exc.problems})
            problems = _form_problems(editor)
    else:
        problems = _form_problems(editor)
    context: dict[str, Any] = {"problems": problems, "notes": notes}
    if results is not None:
        context.update(reporting.context(results, data["inputs"]))
    return render(request, "finance/partials/case_results.html", context, status=422 if problems else 200)


@login_required
@require_POST
def case_row(request: SignedInRequest, project_pk: int, prefix: str) -> HttpResponse:
    """One more row for a table of the editor, added in place by HTMX: the editor's values are posted, so
    the row is numbered after the rows on the page and gets the horizon typed so far; with it, the table's
    new form count. A full table answers 422 with a message under it and no row."""
    editable_project(request, project_pk)
    if prefix not in FORMSETS:
        raise Http404(_("The business case editor has no table “%(name)s”.") % {"name": prefix})
    context: dict[str, Any] = {"prefix": prefix}
    try:
        row = new_row(request.POST, prefix)
    except TableFull:
        limit = FORMSETS[prefix].max_num
        context.update(total=request.POST[f"{prefix}-TOTAL_FORMS"], status=_(
            "%(table)s: at most %(count)s rows; remove one to add another.") % {
            "table": TABLE_NAMES[prefix], "count": limit})
        return render(request, "finance/partials/case_row.html", context, status=422)
    except ValueError:
        return HttpResponseBadRequest(_("The editor's rows could not be counted: reload the page."))
    context.update(form=row.form, total=row.total)
    return render(request, "finance/partials/case_row.html", context)


def _preview_risk(risk: dict[str, Any]) -> dict[str, Any]:
    """The preview draws with the given seed, or a fixed one, so figures stay put while typing."""
    return {**risk, "seed": risk["seed"] if risk.get("seed") is not None else 0} if risk else risk


def _form_problems(editor: CaseEditor) -> list[str]:
    problems = [f"{editor.form.fields[name].label if name in editor.form.fields else name}: {joined(errors)}"
                for name, errors in editor.form.errors.items()]
    for prefix, formset in editor.formsets.items():
        problems += [str(e) for e in formset.non_form_errors()]
        for index, form in enumerate(formset.forms):  # the rows' errors (`formset.errors`, one per row)
            if form.removed:
                continue
            for name, messages_ in form.errors.items():
                label = form.fields[name].label if name in form.fields else name
                problems.append(_("%(table)s row %(row)s, %(field)s: %(message)s") % {
                    "table": TABLE_NAMES[prefix], "row": index + 1, "field": label, "message": joined(messages_)})
    return problems


def joined(errors: ErrorList) -> str:
    """A field's error messages in one line (a bound form's ErrorList yields its messages as text)."""
    return " ".join(str(message) for message in errors)


@login_required
@require_POST
def case_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    project = case.project
    actions.delete_business_case(request.user, case)
    messages.success(request, _("Business case deleted."))
    return redirect("finance:cases", project_pk=project.pk)


def case_export(request: Request, pk: int, fmt: str) -> HttpResponse:
    case = _case(request, pk)
    name = f"business-case-{case.project_id}-{case.pk}"
    if fmt == "xlsx":
        return HttpResponse(exporting.case_xlsx(case), headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    if fmt == "pdf":
        try:
            pdf = exporting.case_pdf(case, request)
        except PdfUnavailable:
            return HttpResponse(_("PDF export needs the Pango library on the server (Debian: libpango-1.0-0 and "
                                  "libpangoft2-1.0-0). The XLSX export works without it."),
                                status=503, content_type="text/plain; charset=utf-8")
        return HttpResponse(pdf, headers={
            "Content-Type": "application/pdf", "Content-Disposition": f'attachment; filename="{name}.pdf"'})
    raise Http404(_("Business cases export as xlsx or pdf."))


urlpatterns = [
    path("projects/<int:project_pk>/business-cases/", case_list, name="cases"),
    path("projects/<int:project_pk>/business-cases/new/", case_create, name="case_create"),
    path("projects/<int:project_pk>/business-cases/preview/", case_preview, name="case_preview"),
    path("projects/<int:project_pk>/business-cases/rows/<slug:prefix>/", case_row, name="case_row"),
    path("business-cases/<int:pk>/", case_detail, name="case"),
    path("business-cases/<int:pk>/edit/", case_edit, name="case_edit"),
    path("business-cases/<int:pk>/delete/", case_delete, name="case_delete"),
    path("business-cases/<int:pk>/export.<str:fmt>", case_export, name="case_export"),
]
