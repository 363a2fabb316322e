"""API of action plans and the project pipeline."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.filters import query_schema
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404
from ascn.framework.actions import set_framework_tags
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Partner

from . import actions, queries
from .choices import ProjectStage, ProjectStatus, SupportKind
from .models import ActionPlan, Project, ProjectDocument

router = Router(tags=["projects and action plans"])


class SupportOut(Schema):
    kind: str
    details: str


class LinkSchema(Schema):
    label: str = Field("", max_length=200)
    url: str = Field(pattern=r"^https?://", max_length=2000)


class ProjectOut(Schema):
    id: int
    reference: str
    title: str
    city: str = Field(alias="city.slug")
    city_name: str = Field(alias="city.name")
    country: str = Field(alias="city.country.iso3")
    objective: str
    description: str
    focus_area: str = Field(alias="focus_area.code")
    project_type: str | None = Field(None, alias="project_type.code")
    status: ProjectStatus
    stage: str
    start_date: dt.date | None
    end_date: dt.date | None
    currency: str
    cost_estimate: Decimal | None
    funding_secured: Decimal | None
    funding_gap: Decimal | None
    support: list[SupportOut] = Field(alias="support_needs")
    support_notes: str
    is_published: bool
    source: str
    updated_at: dt.datetime


class DocumentOut(Schema):
    id: int
    title: str
    url: str = Field(description="Download address; the file is served to those who may see the project")
    uploaded_at: dt.datetime = Field(alias="created_at")

    @staticmethod
    def resolve_url(obj: ProjectDocument) -> str:
        return reverse("plans:document_download", args=[obj.project_id, obj.pk])


class ProjectDetailOut(ProjectOut):
    partners: list[str]
    secondary_tags: list[str]
    links: list[LinkSchema]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_partners(obj: Project) -> list[str]:
        return [p.slug for p in obj.partners.all()]

    @staticmethod
    def resolve_secondary_tags(obj: Project) -> list[str]:
        return [t.node.code for t in obj.framework_tags.all() if not t.is_primary]


class ProjectWrite(Schema):
    reference: str | None = Field(None, max_length=20)
    title: str | None = Field(None, min_length=1, max_length=250)
    objective: str | None = None
    description: str | None = None
    focus_area: str | None = Field(None, description="Focus-area code, e.g. built_infrastructure")
    project_type: str | None = Field(None, description="Project-type code, e.g. built_infrastructure.utilities")
    stage: ProjectStage | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    cost_estimate: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    funding_secured: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    support: dict[SupportKind, str] | None = Field(None, description='{"financial": "details", ...}')
    support_notes: str | None = None
    partners: list[str] | None = Field(None, description="Partner slugs")
    secondary_tags: list[str] | None = Field(None, description="Framework codes (enablers, other focus areas)")
    links: list[LinkSchema] | None = None
    is_published: bool | None = None
    source: str | None = Field(None, max_length=500)


class ProjectIn(ProjectWrite):
    city: str = Field(description="City slug")
    title: str = Field(min_length=1, max_length=250)
    focus_area: str
    status: ProjectStatus = ProjectStatus.PLANNING


class UpdateOut(Schema):
    id: int
    date: dt.date
    status: ProjectStatus
    percent_complete: int | None
    milestones: str
    progress: str
    partner_support: str
    challenges: str
    source: str


class UpdateIn(Schema):
    date: dt.date
    status: ProjectStatus
    percent_complete: int | None = Field(None, ge=0, le=100)
    milestones: str = ""
    progress: str = ""
    partner_support: str = ""
    challenges: str = ""
    source: str = Field("", max_length=500)


class TargetOut(Schema):
    statement: str
    metric: str
    unit: str
    baseline_value: Decimal | None
    baseline_year: int | None
    target_value: Decimal | None
    target_year: int | None


class PlanOut(Schema):
    id: int
    city: str = Field(alias="city.slug")
    year: int
    vision: str
    horizon_year: int | None
    focus_areas: list[str]
    targets: list[TargetOut]
    priority_projects: list[int]
    is_published: bool
    source: str

    @staticmethod
    def resolve_focus_areas(obj: ActionPlan) -> list[str]:
        return [n.code for n in obj.focus_areas.all()]

    @staticmethod
    def resolve_priority_projects(obj: ActionPlan) -> list[int]:
        return [p.pk for p in obj.priority_projects.all()]


# The query parameters of /projects and /projects/facets: queries.ProjectFilters, the pipeline page's and
# the downloads' definition, with its checks and messages (built at import; type checkers see a Schema).
if TYPE_CHECKING:
    ProjectQuery = Schema
else:
    ProjectQuery = query_schema(queries.ProjectFilters)


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class FacetsOut(Schema):
    total: int
    groups: dict[str, list[FacetValueOut]]


def _node(code: str, field: str, kind: str | None = None) -> FrameworkNode:
    node = FrameworkNode.objects.filter(code=code).first()
    if node is None or (kind and node.kind != kind):
        raise ValidationError({field: _("Unknown code “%(code)s”.") % {"code": code}})
    return node


def _write_args(payload: ProjectWrite) -> tuple[dict[str, Any], dict[str, str] | None, list[Partner] | None,
                                                list[FrameworkNode] | None]:
    """Split a request body into model fields, support needs, partners and secondary tags."""
    data = payload.dict(exclude_unset=True)
    support = data.pop("support", None)
    partner_slugs = data.pop("partners", None)
    tags = data.pop("secondary_tags", None)
    if "city" in data:
        data["city"] = City.objects.filter(slug=data["city"]).first() or _raise("city", data["city"])
    if "focus_area" in data:
        data["focus_area"] = _node(data["focus_area"], "focus_area", "focus_area")
    if data.get("project_type"):
        data["project_type"] = _node(data["project_type"], "project_type", "project_type")
    partners = None
    if partner_slugs is not None:
        partners = list(Partner.objects.filter(slug__in=partner_slugs))
        missing = sorted(set(partner_slugs) - {p.slug for p in partners})
        if missing:
            raise ValidationError({"partners": _("Unknown partners: %(slugs)s.") % {"slugs": ", ".join(missing)}})
    nodes = [_node(code, "secondary_tags") for code in tags] if tags is not None else None
    if "links" in data and data["links"] is not None:
        data["links"] = [dict(link) for link in data["links"]]
    return data, ({str(k): v for k, v in support.items()} if support is not None else None), partners, nodes


def _raise(field: str, value: str) -> NoReturn:
    raise ValidationError({field: _("Unknown value “%(value)s”.") % {"value": value}})


def _detail(request: ApiRequest, pk: int) -> Project:
    return visible_or_404(queries.project_details(caller(request)), _("No project with the id %(id)s.") % {"id": pk},
                          pk=pk)


def _editable(request: ApiRequest, pk: int) -> Project:
    """The project to change (whether the caller may change it, the action checks: a 403 from there)."""
    return visible_or_404(Project.objects.visible_to(request.auth), _("No project with the id %(id)s.") % {"id": pk},
                          pk=pk)


@router.get("/projects", response=list[ProjectOut], auth=optional_auth, summary="The project pipeline")
@paginate
def list_projects(request: ApiRequest, filters: Query[ProjectQuery]):
    """Projects you may see (the public: published ones), with the pipeline's filters and sort orders."""
    return queries.projects(caller(request), queries.ProjectFilters(**filters.dict()))


@router.get("/projects/facets", response=FacetsOut, auth=optional_auth, summary="Counts per filter value")
def project_facets(request: ApiRequest, filters: Query[ProjectQuery]):
    result = queries.facets(caller(request), queries.ProjectFilters(**filters.dict()))
    return {"total": result.total,
            "groups": {k: [{"value": v.value, "label": v.label, "count": v.count} for v in vals]
                       for k, vals in result.groups.items()}}


@router.get("/projects/{pk}", response={200: ProjectDetailOut, **ERROR_RESPONSES}, auth=optional_auth)
def get_project(request: ApiRequest, pk: int):
    return _detail(request, pk)


@router.post("/projects", response={201: ProjectDetailOut, **ERROR_RESPONSES}, auth=token_auth)
def create_project(request: ApiRequest, payload: ProjectIn):
    data, support, partners, tags = _write_args(payload)
    project = actions.create_project(request.auth, data, support, partners, via="api")
    if tags:
        set_framework_tags(request.auth, project, None, tags, via="api")
    return Status(201, _detail(request, project.pk))


@router.patch("/projects/{pk}", response={200: ProjectDetailOut, **ERROR_RESPONSES}, auth=token_auth)
def update_project(request: ApiRequest, pk: int, payload: ProjectWrite):
    project = _editable(request, pk)
    data, support, partners, tags = _write_args(payload)
    actions.update_project(request.auth, project, data, support, partners, via="api")
    if tags is not None:
        set_framework_tags(request.auth, project, None, tags, via="api")
    return _detail(request, pk)


@router.delete("/projects/{pk}", response={204: None, **ERROR_RESPONSES}, auth=token_auth)
def delete_project(request: ApiRequest, pk: int):
    actions.delete_project(request.auth, _editable(request, pk), via="api")
    return Status(204, None)


@router.get("/projects/{pk}/updates", response={200: list[UpdateOut], **ERROR_RESPONSES}, auth=optional_auth)
@paginate
def list_updates(request: ApiRequest, pk: int):
    return queries.updates_of(caller(request), _detail(request, pk))


@router.post("/projects/{pk}/updates", response={201: UpdateOut, **ERROR_RESPONSES}, auth=token_auth)
def add_update(request: ApiRequest, pk: int, payload: UpdateIn):
    return Status(201, actions.add_progress_update(request.auth, _editable(request, pk), payload.dict(), via="api"))


@router.get("/action-plans", response=list[PlanOut], auth=optional_auth, summary="Smart City Action Plans")
@paginate
def list_plans(request: ApiRequest, city: str | None = None, current: bool = False):
    """Every version of each city's plan (newest first); `current=true` keeps only the newest per city."""
    return queries.plans(caller(request), city=city, current_only=current)
