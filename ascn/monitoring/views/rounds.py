"""Pages where the ASEAN Secretariat runs the reporting rounds: the list of rounds, creating a round (its
reporting cities proposed from the members on the as-of date), a round's page with its table of cities,
opening reports, extending a city's deadline, sending the reminders now, closing and reopening. Only the
Secretariat sees them: other accounts get 403, visitors are sent to log in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ascn.core.http import SignedInRequest
from ascn.core.lookups import visible_or_404
from ascn.core.permissions import Principal
from ascn.network.models import City

from ..actions import reports as report_actions
from ..actions import rounds as actions
from ..choices import ReportState
from ..forms.rounds import ExtensionForm, OpenReportsForm, ReopenForm, RoundForm
from ..models import ReportingRound
from ..queries import reports as report_queries
from ..queries import rounds as queries

PAGE_SIZE = 25
View = Callable[..., HttpResponse]


def secretariat_only(view: View) -> View:
    """Visitors are sent to log in; accounts other than the Secretariat's get 403."""
    @login_required
    @wraps(view)
    def guarded(request: SignedInRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not Principal.of(request.user).is_secretariat:
            raise PermissionDenied(_("Only the ASEAN Secretariat runs the reporting rounds."))
        return view(request, *args, **kwargs)
    return guarded


def _round(request: SignedInRequest, year: int) -> ReportingRound:
    return visible_or_404(queries.rounds(request.user), _("No reporting round of %(year)s.") % {"year": year},
                          year=year)


def _add_errors(form: BaseForm, exc: ValidationError) -> None:
    """The action's refusal beside the fields it names; anything else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _chosen_cities(slugs: list[str]) -> list[City]:
    return list(City.objects.filter(slug__in=slugs).order_by("name"))


# --- The list and a new round ---------------------------------------------------------------------


@secretariat_only
def round_list(request: SignedInRequest) -> HttpResponse:
    page = Paginator(queries.rounds(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    on = report_queries.today()
    return render(request, "monitoring/rounds_list.html", {
        "page": page, "rows": queries.summaries(list(page.object_list), on), "today": on, "query": ""})


def _proposal(form: RoundForm, data: dict[str, Any]) -> tuple[RoundForm, str]:
    """The form as typed, with the reporting cities replaced by the members on its as-of date (or the reason
    they cannot be proposed)."""
    field = form.fields["as_of"]
    try:
        as_of = field.clean(field.to_python(data.get("as_of")))
    except ValidationError as exc:
        return form, " ".join(exc.messages)
    initial = {name: data.get(name, "") for name in form.fields if name != "cities"}
    initial["cities"] = list(queries.proposed_cities(as_of).values_list("slug", flat=True))
    return RoundForm(initial=initial, cities=queries.city_choices(), with_year="year" in form.fields), ""


@secretariat_only
def round_create(request: SignedInRequest) -> HttpResponse:
    """A new round. "Propose the members" fills the reporting cities with the members on the as-of date as
    typed, without saving; the list stays editable."""
    choices = queries.city_choices()
    propose_error = ""
    if request.method != "POST":
        year = report_queries.today().year
        as_of = report_queries.today().replace(month=9, day=30)
        form = RoundForm(initial={"year": year, "as_of": as_of, "cities": list(
            queries.proposed_cities(as_of).values_list("slug", flat=True))}, cities=choices)
    elif "propose" in request.POST:
        form, propose_error = _proposal(RoundForm(request.POST, cities=choices), request.POST)
    else:
        form = RoundForm(request.POST, cities=choices)
        if form.is_valid():
            try:
                created = actions.create_round(request.user, form.values(),
                                               _chosen_cities(form.cleaned_data["cities"]), via="web")
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, ngettext(
                    "The %(year)s round is created with %(count)d reporting city.",
                    "The %(year)s round is created with %(count)d reporting cities.",
                    created.cities.count()) % {"year": created.year, "count": created.cities.count()})
                return redirect("monitoring:round", year=created.year)
    return render(request, "monitoring/rounds_form.html",
                  {"form": form, "round": None, "propose_error": propose_error},
                  status=422 if form.is_bound and form.errors else 200)


@secretariat_only
def round_edit(request: SignedInRequest, year: int) -> HttpResponse:
    """Change a running round's dates and reporting cities."""
    reporting_round = _round(request, year)
    choices = queries.city_choices()
    propose_error = ""
    if request.method != "POST":
        form = RoundForm(initial={
            "as_of": reporting_round.as_of, "opens_on": reporting_round.opens_on,
            "closes_on": reporting_round.closes_on, "source": reporting_round.source,
            "cities": list(reporting_round.cities.values_list("slug", flat=True))}, cities=choices, with_year=False)
    elif "propose" in request.POST:
        form, propose_error = _proposal(RoundForm(request.POST, cities=choices, with_year=False), request.POST)
    else:
        form = RoundForm(request.POST, cities=choices, with_year=False)
        if form.is_valid():
            try:
                changes = actions.update_round(request.user, reporting_round, form.values(),
                                               _chosen_cities(form.cleaned_data["cities"]), via="web")
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The %(year)s round is saved.") % {"year": year} if changes
                                 else _("Nothing changed."))
                return redirect("monitoring:round", year=year)
    return render(request, "monitoring/rounds_form.html",
                  {"form": form, "round": reporting_round, "propose_error": propose_error},
                  status=422 if form.is_bound and form.errors else 200)


# --- A round's page -------------------------------------------------------------------------------


def _context(request: SignedInRequest, reporting_round: ReportingRound, **forms: Any) -> dict[str, Any]:
    on = report_queries.today()
    table = queries.table(reporting_round, on)
    not_started = [(row.city.slug, row.city.display_name) for row in table["rows"] if row.report is None]
    extendable = [(row.city.slug, row.city.display_name) for row in table["rows"] if row.state != ReportState.ACCEPTED]
    return {
        "round": reporting_round, "today": on, "table": table, "status": queries.status(reporting_round, on),
        "closed": reporting_round.closed_at is not None, "is_open": report_queries.is_open(reporting_round, on),
        "open_form": forms.get("open_form") or OpenReportsForm(cities=not_started),
        "extend_form": forms.get("extend_form") or ExtensionForm(cities=extendable),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "reminded": forms.get("reminded"), "history": queries.history_lines(queries.history(reporting_round)),
        "remind_days": report_queries.REMIND_CITIES_DAYS_BEFORE,
    }


def _page(request: SignedInRequest, reporting_round: ReportingRound, status: int = 200, **forms: Any) -> HttpResponse:
    return render(request, "monitoring/rounds_detail.html", _context(request, reporting_round, **forms),
                  status=status)


@secretariat_only
def round_detail(request: SignedInRequest, year: int) -> HttpResponse:
    return _page(request, _round(request, year))


@secretariat_only
@require_POST
def round_open_reports(request: SignedInRequest, year: int) -> HttpResponse:
    """Open the reports of the chosen cities, or ("all") of every reporting city without one."""
    reporting_round = _round(request, year)
    rows = queries.table(reporting_round, report_queries.today())["rows"]
    cities = [(row.city.slug, row.city.display_name) for row in rows if row.report is None]
    form = OpenReportsForm(request.POST, cities=cities)
    every = "all" in request.POST
    if not every and not form.is_valid():
        return _page(request, reporting_round, 422, open_form=form)
    chosen = None if every else _chosen_cities(form.cleaned_data["cities"])
    try:
        started = report_actions.open_round_reports(request.user, reporting_round, via="web", cities=chosen)
    except ValidationError as exc:
        form = OpenReportsForm(request.POST, cities=cities)
        form.is_valid()
        _add_errors(form, exc)
        return _page(request, reporting_round, 422, open_form=form)
    if started:
        messages.success(request, ngettext("%(count)d report opened: %(cities)s.",
                                           "%(count)d reports opened: %(cities)s.", len(started))
                         % {"count": len(started), "cities": ", ".join(r.city.name for r in started)})
    else:
        messages.info(request, _("Every reporting city already has its %(year)s report.") % {"year": year})
    return redirect("monitoring:round", year=year)


@secretariat_only
@require_POST
def round_extend(request: SignedInRequest, year: int) -> HttpResponse:
    reporting_round = _round(request, year)
    rows = queries.table(reporting_round, report_queries.today())["rows"]
    cities = [(row.city.slug, row.city.display_name) for row in rows if row.state != ReportState.ACCEPTED]
    form = ExtensionForm(request.POST, cities=cities)
    if form.is_valid():
        city = get_object_or_404(City, slug=form.cleaned_data["city"])
        try:
            report = actions.extend_deadline(request.user, reporting_round, city, form.cleaned_data["due_on"],
                                             form.cleaned_data["reason"], via="web")
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if report.due_on:
                messages.success(request, _("The deadline of %(city)s is extended to %(date)s.") % {
                    "city": city.name, "date": formats.date_format(report.due_on, "DATE_FORMAT")})
            else:
                messages.success(request, _("The extension of %(city)s has ended.") % {"city": city.name})
            return redirect(reverse("monitoring:round", args=[year]) + "#cities")
    return _page(request, reporting_round, 422, extend_form=form)


@secretariat_only
@require_POST
def round_close(request: SignedInRequest, year: int) -> HttpResponse:
    reporting_round = _round(request, year)
    try:
        actions.close_round(request.user, reporting_round, via="web")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The %(year)s round is closed. Cities with an extension may still report until "
                                    "it ends.") % {"year": year})
    return redirect("monitoring:round", year=year)


@secretariat_only
@require_POST
def round_reopen(request: SignedInRequest, year: int) -> HttpResponse:
    reporting_round = _round(request, year)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.reopen_round(request.user, reporting_round, form.cleaned_data["reason"], via="web")
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The %(year)s round is open again.") % {"year": year})
            return redirect("monitoring:round", year=year)
    return _page(request, reporting_round, 422, reopen_form=form)


@secretariat_only
@require_POST
def round_remind(request: SignedInRequest, year: int) -> HttpResponse:
    """Send the reminders due today for this round and show who was reminded of what (with HTMX, only that
    part of the page)."""
    reporting_round = _round(request, year)
    reminded = actions.send_reminders_now(request.user, reporting_round, via="web")
    if request.htmx:
        return render(request, "monitoring/rounds_detail.html#reminders",
                      {"round": reporting_round, "reminded": reminded,
                       "remind_days": report_queries.REMIND_CITIES_DAYS_BEFORE})
    return _page(request, reporting_round, reminded=reminded)


# --- Opening every report of a round (the reports list's button) ----------------------------------


@login_required
@require_POST
def round_open(request: SignedInRequest) -> HttpResponse:
    """The Secretariat starts the drafts of every reporting city of a round (from the list of reports)."""
    year = request.POST.get("year")
    if year is None or not year.isdigit():
        raise Http404(_("No reporting round “%(year)s”.") % {"year": year})
    reporting_round = get_object_or_404(ReportingRound, year=int(year))
    try:
        created = report_actions.open_round_reports(request.user, reporting_round, via="web")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        created = None
    if created:
        messages.success(request, _("%(count)s draft reports started for the %(year)s round.")
                         % {"count": len(created), "year": reporting_round.year})
    elif created is not None:
        messages.info(request, _("Every reporting city already has its %(year)s report.")
                      % {"year": reporting_round.year})
    return redirect(reverse("monitoring:city_reports") + f"?year={reporting_round.year}")


urlpatterns = [
    path("rounds/", round_list, name="rounds"),
    path("rounds/new/", round_create, name="round_create"),
    path("rounds/<int:year>/", round_detail, name="round"),
    path("rounds/<int:year>/edit/", round_edit, name="round_edit"),
    path("rounds/<int:year>/open/", round_open_reports, name="round_open_reports"),
    path("rounds/<int:year>/extend/", round_extend, name="round_extend"),
    path("rounds/<int:year>/close/", round_close, name="round_close"),
    path("rounds/<int:year>/reopen/", round_reopen, name="round_reopen"),
    path("rounds/<int:year>/remind/", round_remind, name="round_remind"),
    path("annual-reports/open-round/", round_open, name="city_reports_open"),
]
