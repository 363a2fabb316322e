"""Pages of the city annual reports: the inbox, the list of reports, a report with its inline editing and
its workflow buttons. Accepted reports are public; everything else needs an account in scope."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from ascn.core.http import Request, SignedInRequest
from ascn.core.lookups import visible_or_404
from ascn.core.permissions import Principal, can_edit
from ascn.network.models import City, Country

from .. import workflow
from ..actions import reports as actions
from ..choices import ReportAction, ReportState
from ..forms.reports import ProjectLineForm, ReportFilterForm, SummaryForm, TransitionForm
from ..models import CityReport, ProjectReport, ReportingRound
from ..queries import reports as queries

PAGE_SIZE = 25


# --- Inbox and list -------------------------------------------------------------------------------


@login_required
def inbox(request: SignedInRequest) -> HttpResponse:
    return render(request, "monitoring/reports_inbox.html", {"inbox": queries.inbox(request.user),
                                                              "today": queries.today()})


def report_list(request: Request) -> HttpResponse:
    rounds = list(ReportingRound.objects.visible_to(request.user).order_by("-year").values_list("year", flat=True))
    countries = [(c.iso3, c.display_name) for c in Country.objects.order_by("name")]
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


@login_required
@require_POST
def round_open(request: SignedInRequest) -> HttpResponse:
    """The Secretariat starts the drafts of every reporting city of a round."""
    reporting_round = _round(request.POST.get("year"))
    created = actions.open_round_reports(request.user, reporting_round, via="web")
    if created:
        messages.success(request, _("%(count)s draft reports started for the %(year)s round.")
                         % {"count": len(created), "year": reporting_round.year})
    else:
        messages.info(request, _("Every reporting city already has its %(year)s report.")
                      % {"year": reporting_round.year})
    return redirect(reverse("monitoring:city_reports") + f"?year={reporting_round.year}")


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


def _context(request: Request, report: CityReport, *, summary_form: SummaryForm | None = None,
             failed_line: ProjectLineForm | None = None,
             transition_form: TransitionForm | None = None) -> dict[str, Any]:
    editable = report.state in workflow.EDITABLE_STATES and can_edit(request.user, report)
    lines = []
    for line in report.project_lines.all():
        form = None
        if editable:
            form = failed_line if failed_line is not None and failed_line.instance.pk == line.pk else \
                ProjectLineForm(instance=line)
        lines.append({"line": line, "form": form})
    steps = queries.available_steps(request.user, report)
    labels = dict(ReportAction.choices)
    return {
        "report": report, "editable": editable, "lines": lines,
        "summary_form": summary_form or (SummaryForm(initial={"summary": report.summary}) if editable else None),
        "observations": queries.observations_for(request.user, report),
        "transitions": report.transitions.all(),
        "steps": [{"action": s.action, "label": labels[s.action], "needs_reason": s.needs_reason} for s in steps],
        "needs_reason": any(s.needs_reason for s in steps),
        "transition_form": transition_form or TransitionForm(),
        "waiting_on": workflow.waiting_on(report.state),
        "is_locked": report.state == ReportState.ACCEPTED,
    }


def report_detail(request: Request, pk: int) -> HttpResponse:
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


def _answer(request: Request, report: CityReport, partial: str, form: BaseForm, anchor: str,
            **forms: Any) -> HttpResponse:
    """After an edit: with HTMX the refreshed part (422 with the errors); otherwise back to the page, or the
    page with the errors (422)."""
    if request.htmx:
        fresh = queries.report_detail(request.user, report.pk)
        return render(request, f"monitoring/reports_detail.html#{partial}", _context(request, fresh, **forms),
                      status=422 if form.errors else 200)
    if form.errors:
        fresh = queries.report_detail(request.user, report.pk)
        return render(request, "monitoring/reports_detail.html", _context(request, fresh, **forms), status=422)
    messages.success(request, _("Saved."))
    return redirect(reverse("monitoring:city_report", args=[report.pk]) + anchor)


@login_required
@require_POST
def report_summary(request: SignedInRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    form = SummaryForm(request.POST)
    if form.is_valid():
        try:
            actions.update_report(request.user, report, {"summary": form.cleaned_data["summary"]}, via="web")
        except ValidationError as exc:
            _add_errors(form, exc)
    return _answer(request, report, "summary", form, "#summary",
                   summary_form=form if form.errors else None)


@login_required
@require_POST
def report_line(request: SignedInRequest, pk: int, line_pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    line = get_object_or_404(ProjectReport.objects.select_related("report__city", "project"), pk=line_pk,
                             report=report)
    # The form works on its own copy: the action compares the line as stored with the new values.
    form = ProjectLineForm(request.POST, instance=ProjectReport.objects.select_related("project").get(pk=line.pk))
    if form.is_valid():
        try:
            actions.update_project_line(request.user, line, {name: form.cleaned_data[name]
                                                             for name in ProjectLineForm.Meta.fields}, via="web")
        except ValidationError as exc:
            _add_errors(form, exc)
    return _answer(request, report, "lines", form, f"#line-{line.pk}", failed_line=form if form.errors else None)


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
    path("annual-reports/open-round/", round_open, name="city_reports_open"),
    path("annual-reports/<int:pk>/", report_detail, name="city_report"),
    path("annual-reports/<int:pk>/summary/", report_summary, name="city_report_summary"),
    path("annual-reports/<int:pk>/lines/<int:line_pk>/", report_line, name="city_report_line"),
    path("annual-reports/<int:pk>/transitions/", report_transition, name="city_report_transition"),
]
