"""Pages of needs surveys: the public list and page of each open or closed survey (its description, questions,
cities asked and answer counts; never its answers); in the workspace, the surveys each role works with,
building a survey, answering it, its results, exports, answers uploaded on paper and a need made from an
answer."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascn.core.choices import Role
from ascn.core.http import Request, SignedInRequest
from ascn.core.lookups import editable_or_403, visible_or_404
from ascn.core.permissions import Principal, can_create, can_edit
from ascn.core.tabular import append_as_values, shielded
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Partner

from ..actions import surveys as actions
from ..choices import QuestionKind, ResponseState, SurveyState
from ..forms.surveys import AnswerForm, AnswersUploadForm, NeedFromAnswerForm, QuestionForm, SurveyForm
from ..models import Need, Question, Survey, SurveyResponse
from ..queries import surveys as queries

PAGE_SIZE = 20


def _not_found() -> str:
    return _("No survey at this address.")


def _form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _flash(request: Request, exc: ValidationError) -> None:
    for errors in exc.message_dict.values():
        for message in errors:
            messages.error(request, message)


def _saved(request: Request, changes: dict[str, Any]) -> None:
    if changes:
        messages.success(request, _("Saved: %(fields)s.") % {"fields": ", ".join(sorted(changes))})
    else:
        messages.info(request, _("Nothing changed."))


def _counts(survey: Survey) -> dict[str, int]:
    """How many answers a survey has, by state (figures only: the answers themselves are not public)."""
    counts = dict(survey.responses.order_by().values_list("state").annotate(n=Count("id")))
    return {state: counts.get(state, 0) for state in ResponseState.values}


def _sources(source: str) -> list[tuple[str, str]]:
    """A source field as (label, url): a URL links to itself, a source key has no URL."""
    parts = [part.strip() for part in source.split(";") if part.strip()]
    return [(part, part if part.startswith(("https://", "http://")) else "") for part in parts]


# --- Public pages -----------------------------------------------------------------------------------------


def survey_list(request: Request) -> HttpResponse:
    page = Paginator(queries.public_surveys(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partnerships/survey_list.html", {"page": page, "query": ""})


def survey_detail(request: Request, pk: int) -> HttpResponse:
    survey = visible_or_404(queries.public_surveys(request.user), _not_found(), pk=pk)
    cities = queries.asked_cities(survey)
    return render(request, "partnerships/survey_detail.html", {
        "survey": survey, "questions": queries.questions(survey), "cities": cities, "counts": _counts(survey),
        "sources": _sources(survey.source), "may_read_results": queries.may_read_results(request.user, survey),
        "can_edit": can_edit(request.user, survey), "closed_for_answers": queries.closed_for_answers(survey),
        "workspace": bool(queries.workspace_surveys(request.user).filter(pk=pk).exists())
        if request.user.is_authenticated else False,
        "is_city": any(c.pk == Principal.of(request.user).city_id for c in cities)
        and Principal.of(request.user).role == Role.CITY_OFFICER})


# --- The workspace: lists and building a survey -----------------------------------------------------------


def _answer_states(request: SignedInRequest, surveys: list[Survey]) -> dict[int, str]:
    """A city officer's answer state per survey (one query)."""
    city_id = Principal.of(request.user).city_id
    if not city_id:
        return {}
    return dict(SurveyResponse.objects.filter(city_id=city_id, survey__in=surveys).values_list("survey_id", "state"))


@login_required
def my_surveys(request: SignedInRequest) -> HttpResponse:
    principal = Principal.of(request.user)
    if not (principal.is_secretariat or principal.role in {Role.PARTNER, Role.CITY_OFFICER, Role.NATIONAL_REP}):
        raise PermissionDenied(_("Only the Secretariat, partners, city officers and National Representatives work "
                                 "with surveys."))
    page = Paginator(queries.workspace_surveys(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    states = _answer_states(request, list(page.object_list))
    rows = [(survey, states.get(survey.pk, ""), queries.closed_for_answers(survey)) for survey in page]
    may_create = principal.is_secretariat or (principal.role == Role.PARTNER and bool(principal.partner_id))
    partners = Partner.objects.order_by("name") if principal.is_secretariat else None
    return render(request, "partnerships/survey_workspace.html", {
        "page": page, "rows": rows, "query": "", "may_create": may_create, "partners": partners,
        "is_city": principal.role == Role.CITY_OFFICER})


def _owner(request: SignedInRequest) -> Partner | None:
    """Whose a new survey is: a partner's own organisation; for the Secretariat its own (no `partner`) or the
    partner it names."""
    principal = Principal.of(request.user)
    if principal.role == Role.PARTNER and principal.partner_id:
        return Partner.objects.get(pk=principal.partner_id)
    if not principal.is_secretariat:
        raise PermissionDenied(_("Only the Secretariat and partners build surveys."))
    slug = request.POST.get("partner") or request.GET.get("partner") or ""
    if not slug:
        return None
    partner = Partner.objects.filter(slug=slug).first()
    if partner is None or not can_create(request.user, Survey, partner_id=partner.pk):
        raise PermissionDenied(_("You may not build a survey for this organisation."))
    return partner


@login_required
def survey_create(request: SignedInRequest) -> HttpResponse:
    owner = _owner(request)
    form = SurveyForm(request.POST or None, instance=Survey(owner=owner))
    if request.method == "POST" and form.is_valid():
        try:
            survey = actions.create_survey(request.user, owner, form.values(), cities=form.cleaned_data["cities"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Survey saved as a draft. Add its questions, then open it."))
            return redirect("partnerships:survey_edit", pk=survey.pk)
    return render(request, "partnerships/survey_form.html", {"form": form, "survey": None, "owner": owner},
                  status=422 if form.errors else 200)


def _editable(request: SignedInRequest, pk: int) -> Survey:
    return editable_or_403(request.user, Survey.objects.visible_to(request.user).select_related("owner"),
                           _not_found(), pk=pk)


@login_required
def survey_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """The survey's fields and cities, and below them its questions (added, changed, moved and removed while
    it is a draft)."""
    survey = _editable(request, pk)
    form = SurveyForm(request.POST or None, instance=Survey.objects.get(pk=survey.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = actions.update_survey(request.user, survey, form.values(), cities=form.cleaned_data["cities"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            _saved(request, changes)
            return redirect("partnerships:survey_edit", pk=survey.pk)
    return _edit_page(request, survey, form, QuestionForm(prefix="new"), status=422 if form.errors else 200)


def _edit_page(request: SignedInRequest, survey: Survey, form: SurveyForm, question_form: QuestionForm,
               status: int = 200) -> HttpResponse:
    return render(request, "partnerships/survey_form.html", {
        "form": form, "survey": survey, "owner": survey.owner, "question_form": question_form,
        "questions": queries.questions(survey), "is_draft": survey.state == SurveyState.DRAFT}, status=status)


@login_required
@require_POST
def question_add(request: SignedInRequest, pk: int) -> HttpResponse:
    survey = _editable(request, pk)
    question_form = QuestionForm(request.POST, prefix="new")
    if question_form.is_valid():
        try:
            actions.add_question(request.user, survey, question_form.values())
        except ValidationError as exc:
            _form_errors(question_form, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect(reverse("partnerships:survey_edit", args=[survey.pk]) + "#questions")
    form = SurveyForm(instance=Survey.objects.get(pk=survey.pk))
    return _edit_page(request, survey, form, question_form, status=422)


def _question(request: SignedInRequest, pk: int, question: int) -> Question:
    survey = _editable(request, pk)
    found = survey.questions.filter(pk=question).first()
    if found is None:
        raise PermissionDenied(_("No such question in this survey."))
    found.survey = survey
    return found


@login_required
def question_edit(request: SignedInRequest, pk: int, question: int) -> HttpResponse:
    found = _question(request, pk, question)
    form = QuestionForm(request.POST or None, instance=Question.objects.get(pk=found.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = actions.update_question(request.user, found, form.values())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            _saved(request, changes)
            return redirect(reverse("partnerships:survey_edit", args=[pk]) + "#questions")
    return render(request, "partnerships/survey_question_form.html", {"form": form, "survey": found.survey,
                                                                      "question": found},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def question_delete(request: SignedInRequest, pk: int, question: int) -> HttpResponse:
    found = _question(request, pk, question)
    try:
        actions.delete_question(request.user, found)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Question removed."))
    return redirect(reverse("partnerships:survey_edit", args=[pk]) + "#questions")


@login_required
@require_POST
def question_move(request: SignedInRequest, pk: int, question: int) -> HttpResponse:
    found = _question(request, pk, question)
    try:
        actions.move_question(request.user, found, -1 if request.POST.get("direction") == "up" else 1)
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(reverse("partnerships:survey_edit", args=[pk]) + "#questions")


def _state_change(request: SignedInRequest, pk: int, change: Any, done: str) -> HttpResponse:
    survey = _editable(request, pk)
    try:
        change(request.user, survey)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, done)
    return redirect("partnerships:survey", pk=survey.pk)


@login_required
@require_POST
def survey_open(request: SignedInRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, actions.open_survey, _("Survey open: the cities asked may answer now."))


@login_required
@require_POST
def survey_close(request: SignedInRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, actions.close_survey, _("Survey closed: no more answers are taken."))


# --- Answering -------------------------------------------------------------------------------------------


def _answer_city(request: SignedInRequest, survey: Survey) -> City:
    """The city a user answers for: a city officer's own; the Secretariat names one of the cities asked."""
    principal = Principal.of(request.user)
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        city = survey.cities.filter(pk=principal.city_id).first()
    elif principal.is_secretariat:
        city = survey.cities.filter(slug=request.POST.get("city") or request.GET.get("city") or "").first()
    else:
        city = None
    if city is None:
        raise PermissionDenied(_("Only the officers of a city this survey was sent to answer it."))
    return city


@login_required
def survey_answer(request: SignedInRequest, pk: int) -> HttpResponse:
    survey = visible_or_404(queries.public_surveys(request.user), _not_found(), pk=pk)
    city = _answer_city(request, survey)
    response = SurveyResponse.objects.filter(survey=survey, city=city).first()
    questions = queries.questions(survey)
    projects = list(queries.city_projects(request.user, city))
    form = AnswerForm(request.POST or None, questions=questions, focus_areas=queries.focus_areas(),
                      projects=projects, answers=response.answers if response else None)
    late = actions.late_message(survey)
    status = 200
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            actions.save_answers(request.user, survey, city, form.answers(), submit=submit)
        except ValidationError as exc:
            _form_errors(form, exc)
            status = 409 if "survey" in exc.message_dict else 422
        else:
            messages.success(request, _("Answers submitted. Thank you.") if submit else _("Draft saved."))
            url = reverse("partnerships:survey_answer", args=[survey.pk])
            return redirect(url if Principal.of(request.user).role == Role.CITY_OFFICER else f"{url}?city={city.slug}")
    elif request.method == "POST":
        status = 422
    return render(request, "partnerships/survey_answer.html", {
        "survey": survey, "city": city, "form": form, "response": response, "late": late,
        "may_make_need": can_create(request.user, Need, city_id=city.pk)}, status=status)


# --- Results and exports ---------------------------------------------------------------------------------


def _readable(request: SignedInRequest, pk: int) -> Survey:
    survey = visible_or_404(Survey.objects.visible_to(request.user).select_related("owner"), _not_found(), pk=pk)
    if not queries.may_read_results(request.user, survey):
        raise PermissionDenied(_("The results of this survey are read by the Secretariat, the survey's partner and "
                                 "the National Representatives of the countries asked."))
    return survey


@login_required
def survey_results(request: SignedInRequest, pk: int) -> HttpResponse:
    survey = _readable(request, pk)
    results = queries.results(request.user, survey)
    page = Paginator(queries.answers(request.user, survey), 50).get_page(request.GET.get("page"))
    may_make_need = Principal.of(request.user).is_secretariat
    return render(request, "partnerships/survey_results.html", {
        "survey": survey, "results": results, "page": page, "query": "", "may_make_need": may_make_need,
        "may_upload": can_edit(request.user, survey)})


def _cell(question: Question, value: Any, projects: dict[int, str]) -> Any:
    """An answer as a cell: lists joined with "; ", money as "JPY 1000.00", a project as "#12 Title"."""
    if value in (None, "", []):
        return ""
    if question.kind == QuestionKind.MONEY and isinstance(value, dict):
        return f"{value.get('currency', '')} {value.get('amount', '')}"
    if question.kind == QuestionKind.PROJECT:
        return f"#{value} {projects.get(int(value), '')}".strip()
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def _export_rows(request: SignedInRequest, survey: Survey) -> tuple[list[str], list[list[Any]]]:
    """The export's header and one row per city answer the user may read (drafts included, marked)."""
    questions = queries.questions(survey)
    rows = list(queries.answers(request.user, survey))
    project_ids = {int(r.answers[str(q.pk)]) for r in rows for q in questions
                   if q.kind == QuestionKind.PROJECT and str(r.answers.get(str(q.pk), "")).isdigit()}
    from ascn.plans.models import Project

    projects = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "title"))
    header = ["city", "city_name", "country", "state", "submitted_at", "on_paper",
              *[f"Q{i}. {q.text}" for i, q in enumerate(questions, 1)]]
    body = [[r.city.slug, r.city.name, r.city.country.iso3, r.state,
             timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M") if r.submitted_at else "",
             "true" if r.on_paper else "false",
             *[_cell(q, r.answers.get(str(q.pk)), projects) for q in questions]] for r in rows]
    return header, body


def _attachment(body: bytes | str, content_type: str, survey: Survey, suffix: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ascn-survey-{survey.pk}-answers.{suffix}"'
    return response


@login_required
def export_csv(request: SignedInRequest, pk: int) -> HttpResponse:
    survey = _readable(request, pk)
    header, rows = _export_rows(request, survey)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([shielded(h) for h in header])
    for row in rows:
        writer.writerow([shielded(cell) if isinstance(cell, str) else cell for cell in row])
    return _attachment(buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", survey, "csv")


@login_required
def export_xlsx(request: SignedInRequest, pk: int) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    survey = _readable(request, pk)
    header, rows = _export_rows(request, survey)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "answers"
    append_as_values(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_as_values(sheet, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return _attachment(buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       survey, "xlsx")


# --- Answers on paper ------------------------------------------------------------------------------------


@login_required
def survey_import(request: SignedInRequest, pk: int) -> HttpResponse:
    """Upload answers on paper: the file is checked (nothing written) and kept; "Import now" writes the kept
    file after checking it again."""
    survey = _editable(request, pk)
    context: dict[str, Any] = {"survey": survey, "query": ""}
    if request.method == "POST" and request.POST.get("kept"):
        try:
            name, data = actions.kept_upload(survey, request.POST["kept"])
            summary = actions.import_answers(request.user, survey, name, data, commit=True, kept=request.POST["kept"])
        except ValidationError as exc:
            _flash(request, exc)
            return redirect("partnerships:survey_import", pk=survey.pk)
        if summary.committed:
            messages.success(request, _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s "
                                        "unchanged.") % {"created": summary.created, "updated": summary.updated,
                                                         "unchanged": summary.unchanged})
            return redirect("partnerships:survey_results", pk=survey.pk)
        messages.error(request, _("Nothing was imported: the file no longer passes the checks."))
        return redirect("partnerships:survey_import", pk=survey.pk)
    form = AnswersUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        key = actions.keep_survey_upload(survey, upload.name or "upload", data)
        try:
            summary = actions.import_answers(request.user, survey, upload.name or "upload", data, commit=False,
                                             kept=key)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            errors = summary.errors
            context.update({"summary": summary.as_dict(), "kept": key, "error_total": len(errors),
                            "page": Paginator(errors, 100).get_page(1), "upload_url": request.path,
                            "record": None, "more_created": max(summary.created - len(summary.created_rows), 0),
                            "more_updated": max(summary.updated - len(summary.updated_rows), 0)})
    context["form"] = form
    context["questions"] = queries.questions(survey)
    return render(request, "partnerships/survey_import.html", context, status=422 if form.errors else 200)


# --- One city's answer, read ---------------------------------------------------------------------------


def _shown(question: Question, value: Any, projects: dict[int, str], nodes: dict[str, str]) -> str:
    """An answer as the page shows it: focus areas by name, a project by its title."""
    if question.kind == QuestionKind.FOCUS_AREAS and isinstance(value, list):
        return "; ".join(nodes.get(str(code), str(code)) for code in value)
    return str(_cell(question, value, projects))


@login_required
def answer_detail(request: SignedInRequest, pk: int, city: str) -> HttpResponse:
    """A city's answer, for those who may read it: the city's officers, its National Representative, the
    survey's partner and the Secretariat."""
    survey = visible_or_404(Survey.objects.visible_to(request.user).select_related("owner"), _not_found(), pk=pk)
    response = queries.answers(request.user, survey).filter(city__slug=city).first()
    if response is None:
        raise PermissionDenied(_("No answer of this city that you may read."))
    questions = queries.questions(survey)
    ids = [int(v) for q in questions if q.kind == QuestionKind.PROJECT
           and str(v := response.answers.get(str(q.pk), "")).isdigit()]
    from ascn.plans.models import Project

    projects = dict(Project.objects.filter(pk__in=ids).values_list("pk", "title"))
    nodes = {node.code: node.display_name for node in queries.focus_areas()}
    rows = [(number, question, _shown(question, response.answers.get(str(question.pk)), projects, nodes))
            for number, question in enumerate(questions, 1)]
    return render(request, "partnerships/survey_answer_detail.html", {
        "survey": survey, "response": response, "rows": rows,
        "may_make_need": response.state == ResponseState.SUBMITTED
        and can_create(request.user, Need, city_id=response.city_id)})


# --- A need made from an answer ------------------------------------------------------------------------


def _answer_summary(response: SurveyResponse, questions: list[Question]) -> str:
    lines = []
    for number, question in enumerate(questions, 1):
        value = response.answers.get(str(question.pk))
        if value in (None, "", [], {}):
            continue
        if isinstance(value, dict):
            value = f"{value.get('currency', '')} {value.get('amount', '')}"
        elif isinstance(value, list):
            value = "; ".join(map(str, value))
        lines.append(f"{number}. {question.text}: {value}")
    return "\n".join(lines)


@login_required
def make_need(request: SignedInRequest, pk: int, city: str) -> HttpResponse:
    survey = visible_or_404(Survey.objects.visible_to(request.user), _not_found(), pk=pk)
    response = (queries.answers(request.user, survey).filter(city__slug=city).first())
    if response is None:
        raise PermissionDenied(_("No answer of this city that you may read."))
    if not can_create(request.user, Need, city_id=response.city_id):
        raise PermissionDenied(_("Only the city's officers and the Secretariat make its needs."))
    questions = queries.questions(survey)
    codes = {code for q in questions if q.kind == QuestionKind.FOCUS_AREAS
             for code in response.answers.get(str(q.pk), [])}
    initial = {"title": survey.title[:250], "description": _answer_summary(response, questions),
               "tags": list(FrameworkNode.objects.filter(code__in=codes))}
    form = NeedFromAnswerForm(request.POST or None, initial=initial, instance=Need(city=response.city))
    if request.method == "POST" and form.is_valid():
        try:
            need = actions.make_need(request.user, response, form.values(), tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Need saved as a draft, linked to the answer. Publish it to share it with "
                                        "partners."))
            return redirect("partnerships:need", key=need.key)
    return render(request, "partnerships/survey_need_form.html", {"form": form, "survey": survey,
                                                                  "response": response},
                  status=422 if form.errors else 200)


urlpatterns = [
    path("partnerships/surveys/", survey_list, name="surveys"),
    path("partnerships/surveys/<int:pk>/", survey_detail, name="survey"),
    path("workspace/surveys/", my_surveys, name="my_surveys"),
    path("workspace/surveys/new/", survey_create, name="survey_create"),
    path("workspace/surveys/<int:pk>/edit/", survey_edit, name="survey_edit"),
    path("workspace/surveys/<int:pk>/questions/", question_add, name="survey_question_add"),
    path("workspace/surveys/<int:pk>/questions/<int:question>/", question_edit, name="survey_question_edit"),
    path("workspace/surveys/<int:pk>/questions/<int:question>/delete/", question_delete,
         name="survey_question_delete"),
    path("workspace/surveys/<int:pk>/questions/<int:question>/move/", question_move, name="survey_question_move"),
    path("workspace/surveys/<int:pk>/open/", survey_open, name="survey_open"),
    path("workspace/surveys/<int:pk>/close/", survey_close, name="survey_close"),
    path("workspace/surveys/<int:pk>/answer/", survey_answer, name="survey_answer"),
    path("workspace/surveys/<int:pk>/results/", survey_results, name="survey_results"),
    path("workspace/surveys/<int:pk>/export.csv", export_csv, name="survey_export_csv"),
    path("workspace/surveys/<int:pk>/export.xlsx", export_xlsx, name="survey_export_xlsx"),
    path("workspace/surveys/<int:pk>/import/", survey_import, name="survey_import"),
    path("workspace/surveys/<int:pk>/answers/<slug:city>/", answer_detail, name="survey_answer_detail"),
    path("workspace/surveys/<int:pk>/answers/<slug:city>/need/", make_need, name="survey_make_need"),
]
