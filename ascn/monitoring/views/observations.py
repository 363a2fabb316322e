"""Pages of a city's data: assigned indicators with baselines, targets and observations; the entry form
with inline validation; the entry template and the import; the reviewers' queue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ascn.core.forms import check_inline, choices_of, is_inline_check
from ascn.core.http import Request, SignedInRequest
from ascn.core.imports import pages as imports
from ascn.core.lookups import editable_or_403, visible_or_404
from ascn.core.permissions import can_create, can_edit
from ascn.network.models import City

from .. import importing
from ..actions import observations as actions
from ..forms.observations import (
    AssignForm,
    BaselineForm,
    ImportForm,
    ObservationForm,
    ReviewFilterForm,
    TargetForm,
    VerificationForm,
)
from ..models import CityIndicator, Indicator, Observation, ObservationImport, Target
from ..queries import catalogue
from ..queries import observations as queries

PAGE_SIZE = 50
REVIEW_PAGE_SIZE = 50
TEMPLATE_TYPES = {"csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _city(request: Request, slug: str) -> City:
    return visible_or_404(queries.cities(request.user), _("No city at this address."), slug=slug)


def _may_write(request: Request, city: City) -> bool:
    return can_create(request.user, Observation, city_id=city.pk)


def _indicator_choices(request: Request, city: City) -> list[tuple[str, str]]:
    return [(a.indicator.code, f"{a.indicator.code} {a.indicator.display_name}")
            for a in queries.assignments(request.user, city)]


def _form_errors(form: BaseForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def city_data(request: Request, slug: str) -> HttpResponse:
    """The city's assigned indicators (baseline, latest value, target, flags) and, for whoever may write
    them, the entry form, the indicator assignment and the template and import links."""
    city = _city(request, slug)
    may_write = _may_write(request, city)
    form = None
    preview: list[dict[str, Any]] = []
    if may_write:
        years = actions.open_years(city)
        form = ObservationForm(request.POST or None, request.FILES or None,
                               indicators=_indicator_choices(request, city),
                               initial={"period": str(max(years)) if years else ""})
        if request.method == "POST":
            if is_inline_check(request):
                check_inline(form)
                preview = _dry_run(request, city, form) if form.is_valid() else []
                return render(request, "monitoring/observations_city.html#entry-form",
                              {"city": city, "form": form, "preview": preview}, status=422 if form.errors else 200)
            if form.is_valid():
                try:
                    summary, _obs = actions.record_observation(request.user, city, _row(form), via="web",
                                                               evidence_file=form.cleaned_data["evidence_file"])
                except ValidationError as exc:
                    _form_errors(form, exc)
                else:
                    messages.success(request, _("Saved: %(code)s %(period)s.") % {
                        "code": form.cleaned_data["indicator"], "period": form.cleaned_data["period"].strip()}
                        if summary.created or summary.updated else _("Nothing changed."))
                    for item in summary.flags:
                        messages.warning(request, _("Flagged for review: %(detail)s") % {"detail": item["detail"]})
                    return redirect("monitoring:city_data", slug=city.slug)
    elif request.method == "POST":
        raise PermissionDenied(_("You may not record figures for %(city)s.") % {"city": city.display_name})
    page = Paginator(queries.assignments(request.user, city), PAGE_SIZE).get_page(request.GET.get("page"))
    may_assign = can_create(request.user, CityIndicator, city_id=city.pk)
    context = {
        "city": city, "page": page, "rows": queries.rows(request.user, list(page.object_list)), "query": "",
        "form": form, "preview": preview, "may_write": may_write, "may_assign": may_assign,
        "assign_form": AssignForm(indicators=_unassigned_choices(request, city)) if may_assign else None,
        "assign_sets": _assign_sets(request, city) if may_assign else None,
        "open_years": actions.open_years(city),
        "imports": list(queries.recent_imports(request.user, city)[:5]) if may_write else [],
    }
    return render(request, "monitoring/observations_city.html", context, status=422 if form and form.errors else 200)


def _row(form: ObservationForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in ("indicator", "period", "value", "numerator",
                                                           "denominator", "source", "method", "evidence_url",
                                                           "comment")}


def _dry_run(request: Request, city: City, form: ObservationForm) -> list[dict[str, Any]]:
    """Check the row as it would be saved: errors go on the fields, flags are returned for the preview."""
    try:
        summary, _obs = actions.record_observation(request.user, city, _row(form), commit=False)
    except ValidationError as exc:
        _form_errors(form, exc)
        return []
    return summary.flags


def _unassigned_choices(request: Request, city: City) -> list[tuple[str, str]]:
    return [(i.code, f"{i.code} {i.display_name}") for i in queries.unassigned(request.user, city)]


@login_required
@require_POST
def city_assign(request: SignedInRequest, slug: str) -> HttpResponse:
    city = _city(request, slug)
    if not can_create(request.user, CityIndicator, city_id=city.pk):
        raise PermissionDenied(_("You may not assign indicators to %(city)s.") % {"city": city.display_name})
    form = AssignForm(request.POST, indicators=_unassigned_choices(request, city))
    if form.is_valid():
        indicator = Indicator.objects.get(code=form.cleaned_data["indicator"])
        data = {k: form.cleaned_data[k] for k in ("baseline_value", "baseline_year")
                if form.cleaned_data[k] is not None}
        try:
            actions.assign_indicator(request.user, city, indicator, data, via="web")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(code)s assigned to %(city)s.") % {"code": indicator.code,
                                                                             "city": city.display_name})
    else:
        messages.error(request, " ".join(f"{form.fields[k].label}: {_joined(v)}" if k in form.fields else _joined(v)
                                         for k, v in form.errors.items()))
    return redirect("monitoring:city_data", slug=city.slug)


def _assign_sets(request: Request, city: City) -> dict[str, Any]:
    """What the assignment part of the city's data page offers: the dimensions, the cities to copy from, and
    the assigned indicators (with their number of values) to unassign."""
    return {"dimensions": catalogue.dimensions(request.user),
            "sources": queries.cities_with_assignments(request.user, city),
            "assigned": queries.assigned_with_values(request.user, city)}


@login_required
@require_POST
def city_assign_set(request: SignedInRequest, slug: str) -> HttpResponse:
    """Assign a set of indicators: every core U4SSC KPI, every indicator of one dimension, or those of another
    city (indicators only); each adds only what the city does not have yet."""
    city = _city(request, slug)
    if not can_create(request.user, CityIndicator, city_id=city.pk):
        raise PermissionDenied(_("You may not assign indicators to %(city)s.") % {"city": city.display_name})
    chosen = request.POST.get("set", "")
    try:
        if chosen == "core":
            indicators = actions.core_kpis(request.user)
        elif chosen == "dimension":
            indicators = actions.dimension_set(request.user, request.POST.get("dimension", "").strip())
        elif chosen == "city":
            source = City.objects.filter(slug=request.POST.get("source", "")).first()
            if source is None:
                raise ValidationError({"source": _("Choose the city to copy the indicators from.")})
            indicators = actions.city_set(request.user, source, city)
        else:
            raise ValidationError({"set": _("Choose which indicators to assign.")})
        done = actions.assign_set(request.user, city, indicators, via="web")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        values = {"count": len(done.added), "city": city.display_name, "already": done.already}
        if not done.added:
            messages.info(request, ngettext(
                "Nothing to add: the %(already)d indicator of this set is already assigned to %(city)s.",
                "Nothing to add: the %(already)d indicators of this set are already assigned to %(city)s.",
                done.already) % values)
        elif done.already:
            messages.success(request, ngettext(
                "%(count)d indicator assigned to %(city)s (%(already)d of the set already were).",
                "%(count)d indicators assigned to %(city)s (%(already)d of the set already were).",
                len(done.added)) % values)
        else:
            messages.success(request, ngettext("%(count)d indicator assigned to %(city)s.",
                                               "%(count)d indicators assigned to %(city)s.", len(done.added)) % values)
    return redirect(reverse("monitoring:city_data", args=[city.slug]) + "#assign")


@login_required
@require_POST
def city_unassign(request: SignedInRequest, slug: str) -> HttpResponse:
    """Take an indicator off the city (with its baseline and targets); refused while the city has values of it."""
    city = _city(request, slug)
    code = request.POST.get("indicator", "")
    assignment = editable_or_403(request.user, queries.assignments(request.user, city),
                                 _("This indicator is not assigned to %(city)s.") % {"city": city.display_name},
                                 indicator__code=code)
    targets = assignment.targets.count()
    try:
        actions.unassign_indicator(request.user, assignment, via="web")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, ngettext(
            "%(code)s is no longer assigned to %(city)s; its baseline and %(count)d target went with it.",
            "%(code)s is no longer assigned to %(city)s; its baseline and %(count)d targets went with it.", targets)
            % {"code": code, "city": city.display_name, "count": targets})
    return redirect(reverse("monitoring:city_data", args=[city.slug]) + "#assign")


def _joined(errors: Iterable[object]) -> str:
    """A field's error messages as one line."""
    return " ".join(map(str, errors))


def city_indicator(request: Request, slug: str, pk: int) -> HttpResponse:
    """One assigned indicator: its values over time against baseline and targets, and (for whoever may
    edit the city's data) the baseline and target forms."""
    city = _city(request, slug)
    item = visible_or_404(queries.assignments(request.user, city),
                          _("This indicator is not assigned to %(city)s.") % {"city": city.display_name}, pk=pk)
    may_edit = can_edit(request.user, item)
    baseline_form = BaselineForm(instance=CityIndicator.objects.get(pk=pk), prefix="baseline") if may_edit else None
    target_form = TargetForm(prefix="target") if may_edit else None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("You may not change %(city)s's baselines and targets.")
                                   % {"city": city.display_name})
        if "baseline-baseline_value" in request.POST or "baseline-notes" in request.POST:
            baseline_form = BaselineForm(request.POST, instance=CityIndicator.objects.get(pk=pk), prefix="baseline")
            if baseline_form.is_valid():
                try:
                    changes = actions.update_assignment(request.user, item, {
                        k: baseline_form.cleaned_data[k] for k in ("baseline_value", "baseline_year", "notes")})
                except ValidationError as exc:
                    _form_errors(baseline_form, exc)
                else:
                    messages.success(request, _("Baseline saved.") if changes else _("Nothing changed."))
                    return redirect("monitoring:city_indicator", slug=slug, pk=pk)
        else:
            target_form = TargetForm(request.POST, prefix="target")
            if target_form.is_valid():
                try:
                    actions.set_target(request.user, item, target_form.cleaned_data["year"],
                                       target_form.cleaned_data["value"])
                except ValidationError as exc:
                    _form_errors(target_form, exc)
                else:
                    messages.success(request, _("Target saved."))
                    return redirect("monitoring:city_indicator", slug=slug, pk=pk)
    history = queries.history(request.user, item)
    targets = list(item.targets.all())
    lines = [{"obs": o, "target": queries.target_for(targets, o.year),
              "flags": [actions.validation.flag_text(f) for f in o.flags]} for o in history]
    failed = (baseline_form is not None and baseline_form.errors) or (target_form is not None and target_form.errors)
    return render(request, "monitoring/observations_indicator.html", {
        "city": city, "item": item, "targets": targets, "lines": lines, "may_edit": may_edit,
        "baseline_form": baseline_form, "target_form": target_form}, status=422 if failed else 200)


@login_required
@require_POST
def city_target_delete(request: SignedInRequest, slug: str, pk: int, target_pk: int) -> HttpResponse:
    city = _city(request, slug)
    target = get_object_or_404(Target.objects.select_related("assignment__indicator"), pk=target_pk,
                               assignment_id=pk, assignment__city=city)
    actions.delete_target(request.user, target, via="web")
    messages.success(request, _("Target for %(year)s removed.") % {"year": target.year})
    return redirect("monitoring:city_indicator", slug=slug, pk=pk)


# --- Template and import ------------------------------------------------------------------------------------


def template_notes(city: City, years: list[int]) -> list[str]:
    return [
        _("Entry template of %(city)s: one row per assigned indicator and open period.") % {"city": city.display_name},
        _("Open periods: %(years)s.") % {"years": ", ".join(map(str, years)) or _("none")},
        _("Fill in value, or numerator and denominator (the value is then computed). Rows left without a value "
          "are skipped."),
        _("indicator_name, unit, baseline and target are there to help you; they are not imported."),
        _("period: YYYY, YYYY-Qn or YYYY-MM. A percentage is between 0 and 100; counts and rates are not "
          "negative; the numerator is not above the denominator."),
        _("Values far from the city's earlier values or from other cities' values are flagged for review, "
          "not refused."),
        _("Upload the file on the city's import page: you will see what it would change before anything is "
          "written."),
    ]


@login_required
def city_template(request: SignedInRequest, slug: str, fmt: str) -> HttpResponse:
    """The city's entry template: its assigned indicators and open periods, prefilled with stored values."""
    if fmt not in TEMPLATE_TYPES:
        raise Http404(_("Unknown template format."))
    city = _city(request, slug)
    if not _may_write(request, city):
        raise PermissionDenied(_("You may not record figures for %(city)s.") % {"city": city.display_name})
    years = actions.open_years(city)
    rows = queries.template_rows(request.user, city, years)
    body = importing.template_xlsx(rows, template_notes(city, years)) if fmt == "xlsx" else \
        importing.template_csv(rows)
    response = HttpResponse(body, content_type=TEMPLATE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="ascn-{city.slug}-observations.{fmt}"'
    return response


@login_required
def city_import(request: SignedInRequest, slug: str) -> HttpResponse:
    city = _city(request, slug)
    if not _may_write(request, city):
        raise PermissionDenied(_("You may not record figures for %(city)s.") % {"city": city.display_name})
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        _summary, record = actions.import_file(request.user, upload.name, upload.read(), city=city, commit=False)
        return redirect("monitoring:city_import_detail", slug=slug, pk=record.pk)
    recent = imports.uploads(queries.recent_imports(request.user, city)[:10],
                             lambda r: reverse("monitoring:city_import_detail", args=[slug, r.pk]))
    return render(request, "monitoring/observations_import.html",
                  {"city": city, "form": form, "recent": recent, "open_years": actions.open_years(city)},
                  status=422 if form.errors else 200)


def _import_record(request: Request, city: City, pk: int) -> ObservationImport:
    return get_object_or_404(queries.recent_imports(request.user, city), pk=pk)


@login_required
def city_import_detail(request: SignedInRequest, slug: str, pk: int) -> HttpResponse:
    """The dry run's summary; POST commits the kept file (checked again first)."""
    city = _city(request, slug)
    record = _import_record(request, city, pk)
    if request.method == "POST":
        imports.commit_with_message(request, lambda: actions.commit_import(request.user, record))
        return redirect("monitoring:city_import_detail", slug=slug, pk=pk)
    return render(request, "monitoring/observations_import_detail.html", {"city": city, **imports.result_context(
        request, record, upload_url=reverse("monitoring:city_import", args=[slug]),
        file_url=reverse("monitoring:city_import_file", args=[slug, pk]))})


@login_required
def city_import_file(request: SignedInRequest, slug: str, pk: int) -> FileResponse:
    """The file as it was uploaded, for the person who uploaded it and the Secretariat."""
    record = _import_record(request, _city(request, slug), pk)
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=record.original_name)


# --- Review ----------------------------------------------------------------------------------------------


@login_required
def observation_review(request: SignedInRequest) -> HttpResponse:
    """Flagged and unverified observations for the Secretariat (all) and National Representatives (their
    country), with verify and query buttons."""
    if not queries.may_review(request.user):
        raise PermissionDenied(_("Only the ASEAN Secretariat and National Representatives review figures."))
    cities = choices_of(queries.review_cities(request.user).select_related("country"), "slug")
    form = ReviewFilterForm(request.GET or None, cities=cities)
    data = form.cleaned_data if form.is_valid() else {}
    items = queries.review_queue(request.user, data.get("state") or "open", data.get("city") or None,
                                 data.get("indicator") or None, data.get("year"))
    page = Paginator(items, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "lines": _review_lines(page.object_list)}
    template = "monitoring/observations_review.html#results" if request.htmx else \
        "monitoring/observations_review.html"
    return render(request, template, context)


def _review_lines(items: Iterable[Observation]) -> list[dict[str, Any]]:
    return [{"obs": o, "flags": [actions.validation.flag_text(f) for f in o.flags]} for o in items]


def observation_evidence(request: Request, pk: int) -> FileResponse:
    """An observation's evidence file, for those who may see the observation (uploads have no public address)."""
    from ascn.plans.views import _file_response

    observation = get_object_or_404(Observation.objects.visible_to(request.user), pk=pk)
    if not observation.evidence_file:
        raise Http404(_("This value has no evidence file."))
    return _file_response(observation.evidence_file)


@login_required
@require_POST
def observation_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    """Remove a value entered by mistake (while its period is open), back to its indicator's page."""
    observation = get_object_or_404(Observation.objects.visible_to(request.user).select_related("city", "indicator"),
                                    pk=pk)
    assignment = CityIndicator.objects.filter(city=observation.city, indicator=observation.indicator).first()
    try:
        actions.delete_observation(request.user, observation, via="web")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The %(period)s value of %(code)s is deleted.")
                         % {"period": observation.period, "code": observation.indicator.code})
    if assignment is None:
        return redirect("monitoring:city_data", slug=observation.city.slug)
    return redirect("monitoring:city_indicator", slug=observation.city.slug, pk=assignment.pk)


@login_required
@require_POST
def observation_verify(request: SignedInRequest, pk: int) -> HttpResponse:
    """Verify or query one observation; HTMX gets the updated row back."""
    observation = get_object_or_404(Observation.objects.visible_to(request.user).select_related("city", "indicator"),
                                    pk=pk)
    form = VerificationForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            actions.set_verification(request.user, observation, form.cleaned_data["verification"],
                                     form.cleaned_data["comment"], via="web")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(_joined(v) for v in form.errors.values())
    if request.htmx:
        observation.refresh_from_db()
        return render(request, "monitoring/observations_review.html#row",
                      {"line": _review_lines([observation])[0], "error": error}, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(code)s %(period)s of %(city)s: %(state)s.") % {
            "code": observation.indicator.code, "period": observation.period, "city": observation.city.name,
            "state": observation.get_verification_display()})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("monitoring:observation_review")


urlpatterns = [
    path("cities/<slug:slug>/data/", city_data, name="city_data"),
    path("cities/<slug:slug>/data/assign/", city_assign, name="city_assign"),
    path("cities/<slug:slug>/data/assign/set/", city_assign_set, name="city_assign_set"),
    path("cities/<slug:slug>/data/unassign/", city_unassign, name="city_unassign"),
    path("cities/<slug:slug>/data/indicators/<int:pk>/", city_indicator, name="city_indicator"),
    path("cities/<slug:slug>/data/indicators/<int:pk>/targets/<int:target_pk>/delete/", city_target_delete,
         name="city_target_delete"),
    path("cities/<slug:slug>/data/template.<str:fmt>", city_template, name="city_template"),
    path("cities/<slug:slug>/data/import/", city_import, name="city_import"),
    path("cities/<slug:slug>/data/import/<int:pk>/", city_import_detail, name="city_import_detail"),
    path("cities/<slug:slug>/data/import/<int:pk>/file/", city_import_file, name="city_import_file"),
    path("observations/review/", observation_review, name="observation_review"),
    path("observations/<int:pk>/verification/", observation_verify, name="observation_verify"),
    path("observations/<int:pk>/evidence/", observation_evidence, name="observation_evidence"),
    path("observations/<int:pk>/delete/", observation_delete, name="observation_delete"),
]
