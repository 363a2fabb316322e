"""Public pipeline, project and plan pages, and the workspace forms for plans and projects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascn.core.filters import InvalidFilters, read
from ascn.core.forms import check_inline, is_inline_check
from ascn.core.http import Request, SignedInRequest
from ascn.core.imports import pages as imports
from ascn.core.lookups import visible_or_404
from ascn.core.permissions import Principal, can_create, can_edit
from ascn.framework.actions import set_framework_tags
from ascn.network.models import City, Country

from . import actions, exporting, history, queries
from .choices import STATUS_DEFINITIONS
from .forms import (
    CommentForm,
    DocumentForm,
    ImportForm,
    PipelineFilterForm,
    PlanForm,
    PlanVersionForm,
    ProgressUpdateForm,
    ProjectForm,
    TargetForm,
)
from .models import ActionPlan, Project, ProjectImport, StrategicTarget

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

PAGE_SIZE = 25


def pipeline(request: Request) -> HttpResponse:
    form = PipelineFilterForm(request.GET or None)
    template = "plans/pipeline.html#results" if request.htmx else "plans/pipeline.html"
    can_create_project = can_create(request.user, Project, city_id=getattr(request.user, "city_id", None))
    try:
        filters = read(queries.ProjectFilters, request.GET)
    except InvalidFilters as exc:
        context = {"form": form, "filters": queries.ProjectFilters(), "errors": exc.errors,
                   "can_create": can_create_project}
        return render(request, template, context, status=422)
    facets = queries.facets(request.user, filters)
    paginator = Paginator(queries.projects(request.user, filters), PAGE_SIZE)
    paginator.count = facets.total  # already counted with the facets
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form, "filters": filters, "page": page, "facets": facets, "query": _query(request, drop="page"),
        "status_definitions": STATUS_DEFINITIONS, "map_points": _map_points(facets), "can_create": can_create_project,
        "chosen": _chosen(filters, facets),
    }
    return render(request, template, context)


def _chosen(filters: queries.ProjectFilters, facets: queries.Facets) -> list[str]:
    """The labels of the filters in use, for the summary of the filters when they are folded away (the text
    search has its own box, always in view): the chosen facet value's label, else (no project has it) the
    choice's label or the value as given."""
    labels = {name: next((v.label for v in values if v.selected), None) for name, values in facets.groups.items()}
    return [labels.get(name) or str(getattr(value, "label", value)) for name, value in filters.active().items()
            if name != "q"]


def _query(request: Request, drop: str) -> str:
    query = request.GET.copy()
    query.pop(drop, None)
    return query.urlencode()


def _map_points(facets: queries.Facets) -> list[dict[str, Any]]:
    """One point per city with the number of matching projects (from the facet counts: no extra query)."""
    countries = {c.pk: c.display_name for c in Country.objects.all()}
    return [{"slug": c.slug, "name": c.name, "local_name": c.local_name, "country": countries[c.country_id],
             "lat": float(c.latitude), "lng": float(c.longitude), "count": n} for c, n in facets.cities]


def project_detail(request: Request, pk: int) -> HttpResponse:
    project = _visible(request, pk)
    principal = Principal.of(request.user)
    context = {
        "project": project, "can_edit": can_edit(request.user, project), "document_form": DocumentForm(),
        "can_comment": actions.may_comment(request.user, project), "comment_form": CommentForm(),
        "can_see_history": principal.is_network_member,
        "status_definitions": STATUS_DEFINITIONS,
    }
    return render(request, "plans/project_detail.html", context)


def _visible(request: Request, pk: int) -> Project:
    return visible_or_404(queries.project_details(request.user), _("No project at this address."), pk=pk)


@login_required
def project_history(request: SignedInRequest, pk: int) -> HttpResponse:
    project = _visible(request, pk)
    if not Principal.of(request.user).is_network_member:
        raise PermissionDenied(_("The change history is for the network's members."))
    page = Paginator(history.timeline(request.user, project), 50).get_page(request.GET.get("page"))
    context = {"project": project, "page": page, "items": history.render(list(page.object_list)), "query": ""}
    return render(request, "plans/history.html", context)


def city_plan(request: Request, slug: str) -> HttpResponse:
    city = get_object_or_404(City.objects.visible_to(request.user).select_related("country"), slug=slug)
    return render(request, "plans/city_plan.html", _city_plan_context(request, city))


def _city_plan_context(request: Request, city: City, version_form: PlanVersionForm | None = None) -> dict[str, Any]:
    versions = queries.plan_history(request.user, city.slug)
    current = versions[0][0] if versions else None
    may_create = can_create(request.user, ActionPlan, city_id=city.pk, country_id=city.country_id)
    if version_form is None and may_create:
        version_form = _version_form(city)
    return {
        "city": city, "versions": versions, "current": current, "comment_form": CommentForm(),
        "can_comment": current is not None and actions.may_comment(request.user, current),
        "comments": current.comments.select_related("author") if current and actions.may_comment(
            request.user, current) else [],
        "can_create": may_create, "version_form": version_form,
    }


def _version_form(city: City, data: Any = None) -> PlanVersionForm:
    """The year of a new version, proposing the next free one (the latest version's year + 1)."""
    taken = queries.plan_years(city)
    return PlanVersionForm(data, taken=taken, proposed=queries.next_free_year(taken, timezone.localdate().year))


# --- Workspace: projects ----------------------------------------------------------------------------


@login_required
def project_create(request: SignedInRequest) -> HttpResponse:
    cities = queries.cities_for_new_projects(request.user)
    if not cities.exists():
        raise PermissionDenied(_("Your role does not record projects."))
    city = cities.filter(slug=request.GET.get("city") or request.POST.get("city")).first()
    if city is None and cities.count() == 1:
        city = cities.get()
    if city is None:
        return render(request, "plans/choose_city.html", {"cities": cities.select_related("country").order_by("name")})
    form = ProjectForm(request.POST or None, city=city)
    if is_inline_check(request):
        check_inline(form)
    elif request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ProjectForm.Meta.fields}
        try:
            project = actions.create_project(request.user, {**data, "city": city},
                                             {k: "" for k in form.cleaned_data["support"]},
                                             form.cleaned_data["partners"], via="web")
            set_framework_tags(request.user, project, None, form.cleaned_data["secondary_tags"], via="web")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Project recorded."))
            return redirect("plans:project", pk=project.pk)
    template = "plans/project_form.html#form" if request.htmx else "plans/project_form.html"
    return render(request, template, {"form": form, "city": city, "project": None},
                  status=422 if form.errors else 200)



@login_required
def project_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.editable_by(request.user).select_related("city"), pk=pk)
    form = ProjectForm(request.POST or None, instance=Project.objects.get(pk=pk))
    if is_inline_check(request):
        check_inline(form)
    elif request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ProjectForm.Meta.fields}
        details = {s.kind: s.details for s in project.support_needs.all()}
        support = {kind: details.get(kind, "") for kind in form.cleaned_data["support"]}
        try:
            changes = actions.update_project(request.user, project, data, support, form.cleaned_data["partners"])
            changes.update(set_framework_tags(request.user, project, None, form.cleaned_data["secondary_tags"]))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved.") if changes else _("Nothing changed."))
            return redirect("plans:project", pk=project.pk)
    template = "plans/project_form.html#form" if request.htmx else "plans/project_form.html"
    return render(request, template, {"form": form, "city": project.city, "project": project},
                  status=422 if form.errors else 200)


@login_required
def project_update_create(request: SignedInRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.editable_by(request.user), pk=pk)
    form = ProgressUpdateForm(request.POST or None, initial={"status": project.status})
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_progress_update(request.user, project, form.cleaned_data, via="web")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Progress update recorded."))
            return redirect("plans:project", pk=project.pk)
    return render(request, "plans/update_form.html", {"form": form, "project": project},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def plan_comment(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(ActionPlan.objects.visible_to(request.user).select_related("city"), pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        actions.add_comment(request.user, form.cleaned_data["body"], plan=plan, via="web")
        messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write a comment first."))
    return redirect("plans:city_plan", slug=plan.city.slug)


@login_required
@require_POST
def project_document(request: SignedInRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.editable_by(request.user), pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        actions.attach_document(request.user, project, form.cleaned_data["title"], form.cleaned_data["file"])
        messages.success(request, _("Document attached."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("plans:project", pk=pk)


def document_download(request: Request, pk: int, document_pk: int) -> FileResponse:
    """A project's document, for those who may see the project (a draft's files stay with the draft)."""
    project = _visible(request, pk)
    document = get_object_or_404(project.documents.all(), pk=document_pk)
    return _file_response(document.file)


def _file_response(file: FieldFile) -> FileResponse:
    """Stream a kept file: PDFs and images open in the browser (sandboxed), everything else downloads."""
    if not file.name:  # an empty file field: nothing was kept
        raise Http404
    name = file.name.rsplit("/", 1)[-1]
    inline = name.lower().endswith(INLINE_TYPES)
    response = FileResponse(file.open("rb"), as_attachment=not inline, filename=name)
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


INLINE_TYPES = (".pdf", ".png", ".jpg", ".jpeg")


@login_required
@require_POST
def project_comment(request: SignedInRequest, pk: int) -> HttpResponse:
    project = _visible(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        actions.add_comment(request.user, form.cleaned_data["body"], project=project, via="web")
        messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write a comment first."))
    return redirect("plans:project", pk=pk)


# --- Workspace: action plans --------------------------------------------------------------------------


@login_required
def plan_create(request: SignedInRequest, slug: str) -> HttpResponse:
    """Start a city's plan, or its next version (copied from the current one), for a year not taken."""
    city = get_object_or_404(City.objects.select_related("country"), slug=slug)
    if not can_create(request.user, ActionPlan, city_id=city.pk, country_id=city.country_id):
        raise PermissionDenied(_("You may not edit this city's action plan."))
    if request.method != "POST":
        return redirect("plans:city_plan", slug=slug)
    form = _version_form(city, request.POST)
    if form.is_valid():
        year = form.cleaned_data["year"]
        latest = ActionPlan.objects.filter(city=city).order_by("-year").first()
        try:
            if latest:
                plan = actions.new_plan_version(request.user, latest, year, via="web")
            else:
                plan = actions.create_plan(request.user, city, year, {"vision": _("To be written")}, via="web")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Version %(year)d started from the current one.") % {"year": year}
                             if latest else _("Plan for %(year)d started.") % {"year": year})
            return redirect("plans:plan_edit", pk=plan.pk)
    form.fields["year"].widget.attrs["autofocus"] = True  # the page opens at the refused year
    return render(request, "plans/city_plan.html", _city_plan_context(request, city, form), status=422)


@login_required
def plan_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(ActionPlan.objects.editable_by(request.user).select_related("city"), pk=pk)
    form = PlanForm(request.POST or None, instance=ActionPlan.objects.get(pk=pk), city=plan.city)
    target_form = TargetForm(prefix="target")
    if is_inline_check(request):
        check_inline(form)
    elif request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PlanForm.Meta.fields}
        try:
            changes = actions.update_plan(request.user, plan, data, form.cleaned_data["focus_areas"],
                                          form.cleaned_data["priority_projects"], via="web")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved.") if changes else _("Nothing changed."))
            return redirect("plans:plan_edit", pk=pk)
    context = {"plan": plan, "form": form, "target_form": target_form,
               "targets": plan.targets.order_by("position", "id")}
    template = "plans/plan_form.html#plan-form" if request.htmx else "plans/plan_form.html"
    return render(request, template, context, status=422 if form.errors else 200)


def _editable_target(request: SignedInRequest, pk: int) -> StrategicTarget:
    """A target whose plan the user may edit (others: 403, as for removing it)."""
    target = get_object_or_404(StrategicTarget.objects.select_related("plan__city"), pk=pk)
    if not ActionPlan.objects.editable_by(request.user).filter(pk=target.plan_id).exists():
        raise PermissionDenied(_("You may not edit this action plan."))
    return target


@login_required
def target_row(request: SignedInRequest, pk: int) -> HttpResponse:
    """A target's row of the plan form (Cancel in its in-place editor brings it back)."""
    target = _editable_target(request, pk)
    if not request.htmx:
        return redirect("plans:plan_edit", pk=target.plan_id)
    return render(request, "plans/plan_form.html#target-row", {"t": target, "plan": target.plan})


@login_required
def target_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Edit a target in place: GET its row as a form with its values, POST saves it (HTMX swaps the row;
    without HTMX the plan form page shows the row being edited)."""
    target = _editable_target(request, pk)
    plan = target.plan
    form = TargetForm(request.POST or None, instance=StrategicTarget.objects.get(pk=pk), prefix=f"edit-{pk}")
    form.fields["statement"].widget.attrs["autofocus"] = True  # the editor opens where the row was
    if request.method == "POST" and form.is_valid():
        try:
            changes = actions.update_target(request.user, target, form.cleaned_data, via="web")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            said = _("Target saved.") if changes else _("Nothing changed.")
            if request.htmx:
                return render(request, "plans/plan_form.html#target-row", {"t": target, "plan": plan, "said": said})
            messages.success(request, said)
            return redirect("plans:plan_edit", pk=plan.pk)
    status = 422 if form.errors else 200
    if request.htmx:
        return render(request, "plans/plan_form.html#target-edit-row", {"t": target, "plan": plan, "edit_form": form},
                      status=status)
    context = {"plan": plan, "form": PlanForm(instance=ActionPlan.objects.get(pk=plan.pk), city=plan.city),
               "target_form": TargetForm(prefix="target"), "targets": plan.targets.order_by("position", "id"),
               "editing": target.pk, "edit_form": form}
    return render(request, "plans/plan_form.html", context, status=status)


@login_required
@require_POST
def target_add(request: SignedInRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(ActionPlan.objects.editable_by(request.user), pk=pk)
    form = TargetForm(request.POST, prefix="target")
    if is_inline_check(request):
        check_inline(form)
        return render(request, "plans/plan_form.html#target-form", {"plan": plan, "target_form": form},
                      status=422 if form.errors else 200)
    if form.is_valid():
        try:
            actions.add_target(request.user, plan, form.cleaned_data, via="web")
        except ValidationError as exc:
            _form_errors(form, exc)
    if form.errors:
        context = {"plan": plan, "form": PlanForm(instance=plan, city=plan.city), "target_form": form,
                   "targets": plan.targets.order_by("position", "id")}
        return render(request, "plans/plan_form.html", context, status=422)
    messages.success(request, _("Target added."))
    return redirect("plans:plan_edit", pk=pk)


@login_required
@require_POST
def target_delete(request: SignedInRequest, pk: int) -> HttpResponse:
    target = _editable_target(request, pk)
    actions.delete_target(request.user, target, via="web")
    messages.success(request, _("Target removed."))
    return redirect("plans:plan_edit", pk=target.plan_id)


def _form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)



# --- Import and export ------------------------------------------------------------------------------

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export(request: Request, fmt: str) -> HttpResponse:
    """The filtered pipeline as CSV, XLSX or JSON (same filters as the pipeline page)."""
    if fmt not in EXPORT_TYPES:
        raise Http404(_("Unknown export format."))
    try:
        filters = read(queries.ProjectFilters, request.GET)
    except InvalidFilters as exc:
        lines = [f"{e['field']}: {e['message']}" for e in exc.errors]
        return HttpResponse("\n".join(lines), status=422, content_type="text/plain; charset=utf-8")
    rows = queries.export_rows(request.user, filters)
    body = {"csv": exporting.to_csv, "json": exporting.to_json, "xlsx": exporting.to_xlsx}[fmt](rows)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="ascn-projects.{fmt}"'
    return response


def import_template(request: Request, fmt: str) -> HttpResponse:
    """An import file with every column, an example row and the allowed values (XLSX: drop-down lists; CSV:
    lines of notes), for the cities the user records projects for."""
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Unknown template format."))
    allowed = queries.allowed_values(request.user)
    example = queries.template_example(allowed["city"])
    body = (exporting.template_xlsx if fmt == "xlsx" else exporting.template_csv)(example, allowed)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="ascn-projects-template.{fmt}"'
    return response


@login_required
def import_upload(request: SignedInRequest) -> HttpResponse:
    if not queries.cities_for_new_projects(request.user).exists():
        raise PermissionDenied(_("Your role does not record projects."))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        _summary, record = actions.import_projects(request.user, upload.name, upload.read(), commit=False)
        return redirect("plans:import_detail", pk=record.pk)
    recent = imports.uploads(ProjectImport.objects.filter(uploaded_by=request.user)[:10],
                             lambda r: reverse("plans:import_detail", args=[r.pk]))
    return render(request, "plans/import_upload.html", {"form": form, "recent": recent},
                  status=422 if form.errors else 200)


@login_required
def import_file(request: SignedInRequest, pk: int) -> FileResponse:
    """The file as it was uploaded, for the person who uploaded it and the Secretariat."""
    records = ProjectImport.objects.all()
    if not Principal.of(request.user).is_secretariat:
        records = records.filter(uploaded_by=request.user)
    return _file_response(get_object_or_404(records, pk=pk).file)


@login_required
def import_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ProjectImport, pk=pk, uploaded_by=request.user)
    if request.method == "POST":
        imports.commit_with_message(request, lambda: actions.commit_import(request.user, record))
        return redirect("plans:import_detail", pk=pk)
    return render(request, "plans/import_detail.html", imports.result_context(
        request, record, upload_url=reverse("plans:import_upload"), file_url=reverse("plans:import_file", args=[pk])))
