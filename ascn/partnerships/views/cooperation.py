"""Pages of the cooperation pipeline: agreed cooperation in public; in the workspace a user's records, opening one,
the record's page with the proposal, the steps its role may take, comments, linked projects and "Update the
projects from this agreement"; and the Secretariat's dashboard with its downloads (CSV, XLSX, JSON) and charts."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascn.core import charts as core_charts
from ascn.core.choices import Role
from ascn.core.filters import InvalidFilters, read
from ascn.core.http import Request, SignedInRequest
from ascn.core.money import to_usd
from ascn.core.permissions import Principal
from ascn.core.tabular import shielded
from ascn.network.models import City, Partner

from .. import workflow
from ..actions import cooperation as actions
from ..forms.cooperation import CommentForm, CooperationFilterForm, ProjectsForm, ProposalForm, RecordForm, StepForm
from ..models import CooperationRecord
from ..queries import cooperation as queries

PAGE_SIZE = 20
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "json": "application/json",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _query_without_page(request: Request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _saved(request: Request, changes: dict[str, Any]) -> None:
    if changes:
        messages.success(request, _("Saved: %(fields)s.") % {"fields": ", ".join(sorted(changes))})
    else:
        messages.info(request, _("Nothing changed."))


def _list(request: Request, rows_of: Any, template: str, states: bool) -> HttpResponse:
    shown = rows_of(request.user, queries.CooperationFilters()).order_by().values("partner_id")
    partners = list(Partner.objects.visible_to(request.user).filter(pk__in=shown).order_by("name"))
    form = CooperationFilterForm(request.GET or None, partners=partners, states=states)
    target = f"{template}#results" if request.htmx else template
    try:
        filters = read(queries.CooperationFilters, request.GET)
    except InvalidFilters as exc:
        return render(request, target, {"form": form, "errors": exc.errors, "page": None}, status=422)
    page = Paginator(rows_of(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, target, {"form": form, "page": page, "query": _query_without_page(request),
                                    "filtered": bool(filters.active())})


# --- Public ----------------------------------------------------------------------------------------------


def cooperation_list(request: Request) -> HttpResponse:
    """Agreed cooperation (agreed, in implementation, completed), filtered by partner, programme, country, kind
    and focus area."""
    return _list(request, queries.agreed, "partnerships/cooperation_list.html", states=False)


def _record(request: Request, pk: int) -> CooperationRecord:
    record = queries.detail(request.user, pk)
    if record is None:
        raise Http404(_("No cooperation record at this address."))
    return record


def _usd(record: CooperationRecord) -> dict[str, Any]:
    if record.budget is None or not record.currency:
        return {}
    return {"usd": to_usd(record.budget, record.currency, record.agreed_on), "currency": record.currency}


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _step_form(action: str, data: Any = None) -> StepForm:
    """A step's form, its fields' ids named after the step (a page shows several)."""
    return StepForm(data, initial={"action": action}, auto_id=f"id_{action}_%s")


def _context(request: Request, record: CooperationRecord, **forms: Any) -> dict[str, Any]:
    """What the record's page shows; its forms only to those whose role takes them."""
    role = queries.role_on(request.user, record)
    steps = workflow.available(record.state, role)
    step_forms = forms.pop("step_forms", {})
    context: dict[str, Any] = {
        "record": record, "role": role, "money": _usd(record),
        "history": [(t, actions.action_label(t.action), _role_label(t.role)) for t in record.transitions.all()],
        "comments": [(c, _role_label(c.role)) for c in record.comments.all()],
        "steps": [(t, actions.action_label(t.action), step_forms.get(t.action) or _step_form(t.action))
                  for t in steps],
        "may_edit": role in workflow.PARTIES and record.state in workflow.EDITABLE_STATES,
        "may_comment": role is not None,
        "may_link": role in workflow.PARTIES and record.state not in workflow.CLOSED_STATES,
        "comment_form": forms.get("comment_form") or CommentForm(),
    }
    if context["may_link"]:
        context["projects_form"] = forms.get("projects_form") or ProjectsForm(
            queryset=queries.linkable_projects(record), initial={"projects": list(record.projects.all())})
    applied = any(t.action == actions.APPLIED for t in record.transitions.all())
    if role in (workflow.CITY, workflow.SECRETARIAT) and record.state in workflow.AGREED_STATES and not applied:
        try:
            context["planned"] = actions.planned_changes(record)
        except ValidationError as exc:
            context["planned_problem"] = "; ".join(m for ms in exc.message_dict.values() for m in ms)
    return context


def cooperation_detail(request: Request, pk: int) -> HttpResponse:
    """A record as its scope shows it: public once agreed; before, to its parties, their NR and the
    Secretariat. Its parties and reviewers see their steps and forms here."""
    record = _record(request, pk)
    return render(request, "partnerships/cooperation_detail.html", _context(request, record))


# --- The workspace ---------------------------------------------------------------------------------------


def _require_involved(request: SignedInRequest) -> Principal:
    principal = Principal.of(request.user)
    if principal.role not in {Role.SECRETARIAT, Role.NATIONAL_REP, Role.CITY_OFFICER, Role.PARTNER}:
        raise PermissionDenied(_("Only partners, cities, National Representatives and the Secretariat keep "
                                 "cooperation records."))
    return principal


@login_required
def my_cooperation(request: SignedInRequest) -> HttpResponse:
    _require_involved(request)
    return _list(request, queries.my_records, "partnerships/cooperation_mine.html", states=True)


def _fixed(principal: Principal) -> tuple[set[str], dict[str, Any]]:
    """The fields a role does not choose when opening a record, and their values."""
    if principal.role == Role.PARTNER and principal.partner_id:
        return {"partner"}, {"partner": Partner.objects.get(pk=principal.partner_id)}
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        return {"city"}, {"city": City.objects.get(pk=principal.city_id)}
    return set(), {}


@login_required
def cooperation_create(request: SignedInRequest) -> HttpResponse:
    principal = Principal.of(request.user)
    if principal.role not in {Role.SECRETARIAT, Role.CITY_OFFICER, Role.PARTNER}:
        raise PermissionDenied(_("Only partners, city officers and the Secretariat open cooperation records."))
    fixed, values = _fixed(principal)
    form = RecordForm(request.POST or None, fixed=fixed, instance=CooperationRecord(**values))
    if request.method == "POST" and form.is_valid():
        try:
            record = actions.create_record(request.user, {**form.values(), **values}, tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Cooperation record opened as an expression of interest."))
            return redirect("partnerships:cooperation", pk=record.pk)
    return render(request, "partnerships/cooperation_form.html", {"form": form, "record": None, "fixed": values},
                  status=422 if form.errors else 200)


@login_required
def cooperation_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    if queries.role_on(request.user, record) not in workflow.PARTIES:
        raise PermissionDenied(_("Only the partner, the city and the Secretariat may change the proposal."))
    form = ProposalForm(request.POST or None, instance=CooperationRecord.objects.get(pk=record.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = actions.update_proposal(request.user, record, form.values(), tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            _saved(request, changes)
            return redirect("partnerships:cooperation", pk=record.pk)
    return render(request, "partnerships/cooperation_form.html", {"form": form, "record": record},
                  status=422 if form.errors else 200)


def _refused(request: Request, record: CooperationRecord, exc: PermissionDenied) -> HttpResponse:
    """A write the role may not take: the record's page again, with the reason, as 403 (nothing changed)."""
    messages.error(request, str(exc) or _("You may not change this record."))
    return render(request, "partnerships/cooperation_detail.html", _context(request, _record(request, record.pk)),
                  status=403)


@login_required
def cooperation_step(request: SignedInRequest, pk: int) -> HttpResponse:
    """POST: take a step. GET: the record's page with the steps the role may take (refused without one)."""
    record = _record(request, pk)
    if request.method != "POST":
        if not workflow.available(record.state, queries.role_on(request.user, record)):
            raise PermissionDenied(_("Your role has no step to take on this record now."))
        return render(request, "partnerships/cooperation_detail.html", _context(request, record))
    form = _step_form(request.POST.get("action", ""), request.POST)
    if not form.is_valid():
        return render(request, "partnerships/cooperation_detail.html",
                      _context(request, record, step_forms={request.POST.get("action", ""): form}), status=422)
    action = form.cleaned_data["action"]
    agreement = form.agreement_values() if action == workflow.AGREE else None
    try:
        actions.transition(request.user, record, action, form.cleaned_data["reason"], agreement)
    except PermissionDenied as exc:
        return _refused(request, record, exc)
    except ValidationError as exc:
        _errors_to_form(form, exc)
        if action not in workflow.ACTIONS or "action" in exc.message_dict:
            messages.error(request, "; ".join(exc.message_dict.get("action", [])) or _("Unknown step."))
        return render(request, "partnerships/cooperation_detail.html",
                      _context(request, record, step_forms={action: form}), status=422)
    messages.success(request, _("Done: the record is now %(state)s.") % {"state": record.get_state_display()})
    return redirect("partnerships:cooperation", pk=record.pk)


@login_required
@require_POST
def cooperation_comment(request: SignedInRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            actions.add_comment(request.user, record, form.cleaned_data["text"])
        except PermissionDenied as exc:
            return _refused(request, record, exc)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Comment added."))
            return redirect("partnerships:cooperation", pk=record.pk)
    return render(request, "partnerships/cooperation_detail.html", _context(request, record, comment_form=form),
                  status=422)


@login_required
@require_POST
def cooperation_projects(request: SignedInRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    form = ProjectsForm(request.POST, queryset=queries.linkable_projects(record))
    if form.is_valid():
        try:
            changes = actions.link_projects(request.user, record, form.cleaned_data["projects"])
        except PermissionDenied as exc:
            return _refused(request, record, exc)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            _saved(request, changes)
            return redirect("partnerships:cooperation", pk=record.pk)
    return render(request, "partnerships/cooperation_detail.html", _context(request, record, projects_form=form),
                  status=422)


@login_required
@require_POST
def cooperation_apply(request: SignedInRequest, pk: int) -> HttpResponse:
    """Update the linked projects from the agreement (the partner and the secured funding), in one step."""
    record = _record(request, pk)
    try:
        planned = actions.apply_to_projects(request.user, record)
    except PermissionDenied as exc:
        return _refused(request, record, exc)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                messages.error(request, message)
        return render(request, "partnerships/cooperation_detail.html", _context(request, _record(request, pk)),
                      status=422)
    messages.success(request, _("Projects updated from the agreement: %(projects)s.")
                     % {"projects": "; ".join(p["project"].title for p in planned)})
    return redirect("partnerships:cooperation", pk=record.pk)


# --- The Secretariat's dashboard --------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return shielded(value) if isinstance(value, str) else value


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


BREAKDOWN_COLUMNS = ["breakdown", "key", "label", "records", "agreed_with_budget", "committed_usd", "without_rate"]


def _breakdown_rows(board: queries.Dashboard) -> list[dict[str, Any]]:
    return [{"breakdown": name, **group.as_dict()} for name, groups in board.breakdowns.items() for group in groups]


def _xlsx(board: queries.Dashboard) -> bytes:
    from openpyxl import Workbook

    from ascn.core.tabular import append_as_values

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "records"
    append_as_values(sheet, queries.COLUMNS)
    for row in board.rows:
        append_as_values(sheet, [row.get(c) for c in queries.COLUMNS])
    groups = book.create_sheet("breakdowns")
    append_as_values(groups, BREAKDOWN_COLUMNS)
    for row in _breakdown_rows(board):
        append_as_values(groups, [row.get(c) for c in BREAKDOWN_COLUMNS])
    rates = book.create_sheet("rates")
    append_as_values(rates, ["currency", "as_of", "units_per_usd"])
    for currency, as_of, units in board.rates:
        append_as_values(rates, [currency, as_of.isoformat(), str(units)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _download(board: queries.Dashboard, fmt: str) -> HttpResponse:
    if fmt == "csv":
        body = _csv(board.rows, queries.COLUMNS)
    elif fmt == "xlsx":
        body = _xlsx(board)
    else:
        body = json.dumps({"total": board.total, "committed_usd": str(board.committed_usd),
                           "rates": [{"currency": c, "as_of": d.isoformat(), "units_per_usd": str(u)}
                                     for c, d, u in board.rates],
                           "without_rate": [r.pk for r in board.without_rate],
                           "breakdowns": {name: [g.as_dict() for g in groups]
                                          for name, groups in board.breakdowns.items()},
                           "items": [{c: row.get(c) for c in queries.COLUMNS} for row in board.rows],
                           "count": len(board.rows)}, ensure_ascii=False).encode("utf-8")
    response = HttpResponse(body, content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = f'attachment; filename="ascn-cooperation.{fmt}"'
    return response


def _bar(groups: list[queries.Group], field: str, title: str) -> dict[str, Any]:
    values = [{"label": g.label or "—", "records": g.count, "usd": float(g.usd)} for g in groups]
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "width": "container", "height": 240,
            "data": {"values": values}, "mark": "bar",
            "encoding": {"y": {"field": "label", "type": "nominal", "sort": "-x", "title": None},
                         "x": {"field": field, "type": "quantitative", "title": title},
                         "tooltip": [{"field": "label", "title": _("Group")},
                                     {"field": field, "type": "quantitative", "title": title, "format": ",.2f"}]}}


def _chart_specs(board: queries.Dashboard) -> dict[str, dict[str, Any]]:
    years = queries.by_year(board)
    return {
        "committed": {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "width": "container",
                      "height": 240, "data": {"values": years}, "mark": {"type": "bar"},
                      "encoding": {"x": {"field": "year", "type": "ordinal", "title": _("Year of agreement")},
                                   "y": {"field": "usd", "type": "quantitative",
                                         "title": _("Money committed (USD)")},
                                   "tooltip": [{"field": "year", "title": _("Year")},
                                               {"field": "usd", "type": "quantitative", "format": ",.2f",
                                                "title": _("USD")}]}},
        "stage": _bar(board.breakdowns["stage"], "records", _("Records")),
        "partner": _bar(board.breakdowns["partner"][:15], "usd", _("Money committed (USD)")),
    }


@login_required
def cooperation_dashboard(request: SignedInRequest) -> HttpResponse:
    """The Secretariat's view of every record: counts and money committed by partner, programme, country, focus
    area, stage and year of agreement; `?format=csv|xlsx|json` downloads the exact figures; `?chart=<name>`
    the chart as SVG (drawn on the server by core.charts)."""
    if not Principal.of(request.user).is_secretariat:
        raise PermissionDenied(_("Only the ASEAN Secretariat sees the cooperation dashboard."))
    fmt = request.GET.get("format")
    if fmt is not None and fmt not in DOWNLOADS:
        raise Http404(_("Unknown download format “%(format)s”: use csv, xlsx or json.") % {"format": fmt})
    board = queries.dashboard(request.user)
    if fmt:
        return _download(board, fmt)
    specs = _chart_specs(board)
    chart = request.GET.get("chart")
    if chart:
        if chart not in specs:
            raise Http404(_("No chart “%(chart)s”.") % {"chart": chart})
        return HttpResponse(core_charts.svg(specs[chart], prefix=chart), content_type="image/svg+xml")
    return render(request, "partnerships/cooperation_dashboard.html", {
        "board": board, "specs": specs, "without_rate": board.without_rate[:50],
        "sections": [(name, BREAKDOWN_LABELS[name], board.breakdowns[name]) for name in queries.BREAKDOWNS]})


BREAKDOWN_LABELS = {"stage": _("By stage"), "partner": _("By partner"), "programme": _("By programme"),
                    "country": _("By country"), "focus_area": _("By focus area"), "year": _("By year of agreement")}


@login_required
def workspace_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return cooperation_detail(request, pk)


urlpatterns = [
    path("partnerships/cooperation/", cooperation_list, name="cooperation_list"),
    path("partnerships/cooperation/<int:pk>/", cooperation_detail, name="cooperation_public"),
    path("workspace/cooperation/", my_cooperation, name="my_cooperation"),
    path("workspace/cooperation/new/", cooperation_create, name="cooperation_create"),
    path("workspace/cooperation/dashboard/", cooperation_dashboard, name="cooperation_dashboard"),
    path("workspace/cooperation/<int:pk>/", workspace_detail, name="cooperation"),
    path("workspace/cooperation/<int:pk>/edit/", cooperation_edit, name="cooperation_edit"),
    path("workspace/cooperation/<int:pk>/step/", cooperation_step, name="cooperation_step"),
    path("workspace/cooperation/<int:pk>/comment/", cooperation_comment, name="cooperation_comment"),
    path("workspace/cooperation/<int:pk>/projects/", cooperation_projects, name="cooperation_projects"),
    path("workspace/cooperation/<int:pk>/apply/", cooperation_apply, name="cooperation_apply"),
]
