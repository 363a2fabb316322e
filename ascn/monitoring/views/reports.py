"""Pages of the city annual reports: the inbox, the list of reports, a report with its one form (summary,
highlight and every project line, saved together) and its workflow buttons. Accepted reports are public;
everything else needs an account in scope."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from ascn.core.forms import choices_of
from ascn.core.http import Request, SignedInRequest
from ascn.core.lookups import visible_or_404
from ascn.core.permissions import Principal, can_edit
from ascn.network.models import City, Country

from .. import workflow
from ..actions import reports as actions
from ..choices import ReportAction, ReportState
from ..forms.reports import ReportEditForm, ReportFilterForm, TransitionForm
from ..models import CityReport, ReportingRound
from ..queries import reports as queries

PAGE_SIZE = 25


# --- Inbox and list -------------------------------------------------------------------------------


@login_required
def inbox(request: SignedInRequest) -> HttpResponse:
    return render(request, "monitoring/reports_inbox.html", {"inbox": queries.inbox(request.user),
                                                              "today": queries.today()})


def report_list(request: Request) -> HttpResponse:
    rounds = list(ReportingRound.objects.visible_to(request.user).order_by("-year").values_list("year", flat=True))
    countries = choices_of(Country.objects.order_by("name"), "iso3")
    form = ReportFilterForm(request.GET or None, years=rounds, countries=countries)
    filters = queries.ReportFilters()
    if form.is_valid():
        filters = queries.ReportFilters(year=form.cleaned_data["year"], country=form.cleaned_data["country"] or None,
                                        state=form.cleaned_data["state"] or None)
    page = Paginator(queries.reports(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    principal = Principal.of(request.user)
    context = {
        "form": form, "page": page, "query": query.urlencode(),
        "progress": queries.state_counts(request.user) if principal.is_secretariat else [],
        "rounds_to_open": queries.rounds_to_open(request.user),
        "rounds_to_start": queries.rounds_to_start(request.user),
    }
    template = "monitoring/reports_list.html#results" if request.htmx else "monitoring/reports_list.html"
    return render(request, template, context)


@login_required
@require_POST
def report_start(request: SignedInRequest) -> HttpResponse:
    """A city officer (or the Secretariat, naming the city) starts a city's report for a round."""
    reporting_round = _round(request.POST.get("year"))
    slug = request.POST.get("city") or (request.user.city.slug if request.user.city else None)
    city = get_object_or_404(City, slug=slug or "")
    try:
        report = actions.start_report(request.user, reporting_round, city, via="web")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("monitoring:city_reports")
    messages.success(request, _("The %(year)s annual report of %(city)s is open for editing.")
                     % {"year": reporting_round.year, "city": city.name})
    return redirect("monitoring:city_report", pk=report.pk)


def _round(year: str | None) -> ReportingRound:
    if year is None or not year.isdigit():
        raise Http404(_("No reporting round “%(year)s”.") % {"year": year})
    return get_object_or_404(ReportingRound, year=int(year))


# --- One report -----------------------------------------------------------------------------------


def _report(request: Request, pk: int) -> CityReport:
    """The report if the user may see it. The public sees accepted reports; for anything else a visitor
    is sent to log in, and an account out of scope finds nothing."""
    try:
        return visible_or_404(queries.report_details(request.user), _("No annual report at this address."), pk=pk)
    except Http404:
        if not request.user.is_authenticated:
            raise _LoginNeeded from None
        raise


class _LoginNeeded(Exception):
    pass


def _context(request: Request, report: CityReport, *, edit: ReportEditForm | None = None,
             transition_form: TransitionForm | None = None) -> dict[str, Any]:
    """The report page. `edit` is the whole-report form as sent and refused (its values kept); an editor
    otherwise gets it fresh, drawn from the report as stored."""
    closed = queries.is_closed_to_city(report.round, report.due_on, queries.today())
    editable = report.state in workflow.EDITABLE_STATES and not closed and can_edit(request.user, report)
    lines = list(report.project_lines.all())
    if edit is None and editable:
        edit = ReportEditForm(report, lines, version=actions.report_version(report, lines), opened_at=timezone.now())
    steps = queries.available_steps(request.user, report)
    save_and_submit = editable and any(s.action == workflow.SUBMIT for s in steps)
    if edit is not None:  # the report form submits ("Save and submit"), so nothing typed is left behind
        steps = [s for s in steps if s.action != workflow.SUBMIT]
    labels = dict(ReportAction.choices)
    return {
        "report": report, "editable": editable, "lines": lines, "edit": edit, "save_and_submit": save_and_submit,
        "closed_to_city": closed and report.state in workflow.EDITABLE_STATES,
        "observations": queries.observations_for(request.user, report),
        "transitions": report.transitions.all(),
        "steps": [{"action": s.action, "label": labels[s.action], "needs_reason": s.needs_reason} for s in steps],
        "needs_reason": any(s.needs_reason for s in steps),
        "transition_form": transition_form or TransitionForm(),
        "waiting_on": workflow.waiting_on(report.state),
        "is_locked": report.state == ReportState.ACCEPTED,
    }


def report_detail(request: Request, pk: int) -> HttpResponse:
    """The report; a POST to it is the save of its form (so a refused save is answered at the report's own
    address)."""
    if request.method == "POST":
        return report_save(cast(SignedInRequest, request), pk)  # login_required sends a visitor to log in first
    try:
        report = _report(request, pk)
    except _LoginNeeded:
        return redirect_to_login(request.get_full_path())
    return render(request, "monitoring/reports_detail.html", _context(request, report))


def _add_errors(form: BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_POST
def report_save(request: SignedInRequest, pk: int) -> HttpResponse:
    """Save the whole report (summary, highlight, every line) at once, all or nothing. A refusal answers the
    page with every typed value kept and each problem beside its field: 422, or 409 when someone saved the
    report after the form was opened. "Save and submit" submits once the save is through."""
    report = _report_or_404(request, pk)
    if not can_edit(request.user, report):
        raise PermissionDenied(_("You may not change the annual report of %(city)s.") % {"city": report.city.name})
    lines = list(report.project_lines.all())
    edit = ReportEditForm(report, lines, request.POST, version="", opened_at=timezone.now())
    version, opened_at = edit.sent_version()
    status = 422
    try:
        if edit.is_valid():
            changes = actions.save_report(request.user, report, edit.values(), version=version, opened_at=opened_at,
                                          whole=True, via="web")
            return _saved(request, report, changes, then_submit=request.POST.get("then") == workflow.SUBMIT)
        actions.check_report(request.user, report, version, opened_at)  # list every problem at once
    except actions.StaleReport as exc:
        stored = queries.report_detail(request.user, report.pk)
        stored_lines = list(stored.project_lines.all())
        edit.add_conflict(exc.messages[0], [(c.who, c.at, c.keys) for c in exc.changes],
                          version=actions.report_version(stored, stored_lines), stored=stored,
                          stored_lines=stored_lines)
        status = 409
    except ValidationError as exc:
        edit.add_errors(exc)
    fresh = queries.report_detail(request.user, report.pk)
    return render(request, "monitoring/reports_detail.html", _context(request, fresh, edit=edit), status=status)


def _saved(request: SignedInRequest, report: CityReport, changes: actions.ReportChanges, *,
           then_submit: bool) -> HttpResponse:
    """After a save: back to the report, submitted first if asked. A refused submission leaves the saved
    values saved and says why it was not submitted."""
    target = reverse("monitoring:city_report", args=[report.pk])
    if then_submit:
        try:
            actions.transition_report(request.user, report, workflow.SUBMIT, via="web")
        except ValidationError as exc:
            messages.error(request, _("Your changes are saved, but the report was not submitted: %(reasons)s")
                           % {"reasons": " ".join(exc.messages)})
            return redirect(target)
        messages.success(request, _("Saved and submitted: the report of %(city)s now waits on the National "
                                    "Representative.") % {"city": report.city.name})
        return redirect(target)
    messages.success(request, _("Saved.") if changes else _("Nothing to save: the report was already as shown."))
    return redirect(target)


@login_required
@require_POST
def report_transition(request: SignedInRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            actions.transition_report(request.user, report, action, form.cleaned_data["reason"], via="web")
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Report of %(city)s: %(state)s.") % {
                "city": report.city.name, "state": ReportState(report.state).label})
            target = reverse("monitoring:city_report", args=[report.pk])
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    fresh = queries.report_detail(request.user, report.pk)
    template = "monitoring/reports_detail.html#workflow" if request.htmx else "monitoring/reports_detail.html"
    return render(request, template, _context(request, fresh, transition_form=form), status=422)


def _report_or_404(request: Request, pk: int) -> CityReport:
    try:
        return _report(request, pk)
    except _LoginNeeded:  # login_required has already sent visitors away
        raise PermissionDenied from None


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("annual-reports/", report_list, name="city_reports"),
    path("annual-reports/start/", report_start, name="city_report_start"),
    path("annual-reports/<int:pk>/", report_detail, name="city_report"),
    path("annual-reports/<int:pk>/transitions/", report_transition, name="city_report_transition"),
]
