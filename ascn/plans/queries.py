"""Reads of plans and projects shown to users, always through the permission layer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

from django.db import connection
from django.db.models import Count, F, Prefetch, QuerySet
from django.utils import translation
from pydantic import Field

from ascn.core.filters import OneOf, Text
from ascn.core.money import currency_codes
from ascn.core.permissions import Principal
from ascn.core.search import text_filter
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Country, Partner, city_name_in

from .choices import ProjectSort, ProjectStage, ProjectStatus, SupportKind
from .diffing import diff_versions
from .exporting import currency_list
from .models import ActionPlan, Comment, ProgressUpdate, Project, StrategicTarget, SupportNeed

if TYPE_CHECKING:
    from ascn.core.permissions import Actor, ScopedQuerySet
    from ascn.network.models import City, CityQuerySet

    from .diffing import Change
    from .models import ActionPlanQuerySet, ProjectQuerySet

SORTS: dict[str, tuple[Any, ...]] = {
    ProjectSort.TITLE: ("title", "id"),
    ProjectSort.CITY: ("city__name", "title", "id"),
    ProjectSort.STATUS: ("status", "title", "id"),
    ProjectSort.COST: (F("cost_estimate").desc(nulls_last=True), "id"),
    ProjectSort.UPDATED: ("-updated_at", "-id"),
    ProjectSort.REFERENCE: ("reference", "id"),
}


DEFAULT_SORT = ProjectSort.TITLE
SEARCH_LENGTH = 100


@dataclass(frozen=True)
class ProjectFilters:
    """What the pipeline page, its downloads (CSV, XLSX, JSON) and `GET /api/v1/projects` (and `/facets`)
    filter and sort by: the one definition of each filter, its vocabulary and its check (`core/filters.py`).
    Built directly in code it is not checked: an unknown sort falls back to the title."""
    country: Annotated[str | None, Field(description="ISO3"), Text()] = None
    city: Annotated[str | None, Field(description="City slug"), Text()] = None
    focus_area: Annotated[str | None, Field(description="Focus-area code"), Text()] = None
    project_type: Annotated[str | None, Field(description="Project-type code"), Text()] = None
    status: Annotated[ProjectStatus | None, OneOf(ProjectStatus)] = None
    stage: Annotated[ProjectStage | None, OneOf(ProjectStage)] = None
    support: Annotated[SupportKind | None, Field(description="A kind of support required"), OneOf(SupportKind)] = None
    q: Annotated[str | None, Field(description="Text search (title, number, objective, description)"),
                 Text(SEARCH_LENGTH)] = None
    sort: Annotated[ProjectSort, OneOf(ProjectSort)] = DEFAULT_SORT

    def without(self, name: str) -> ProjectFilters:
        cleared: dict[str, Any] = {name: None}
        return replace(self, **cleared)

    def active(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "sort" and getattr(self, f.name)}


def _filtered(user: Actor | None, f: ProjectFilters) -> ProjectQuerySet[Project]:
    qs = Project.objects.visible_to(user)
    if f.country:
        qs = qs.filter(city__country__iso3=f.country.upper())
    if f.city:
        qs = qs.filter(city__slug=f.city)
    if f.focus_area:
        qs = qs.filter(focus_area__code=f.focus_area)
    if f.project_type:
        qs = qs.filter(project_type__code=f.project_type)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    # The support filter reads the denormalised kinds ("|financial|technical|"), a column of the facet
    # covering indexes.
    if f.support:
        qs = qs.filter(support_kinds__contains=f"|{f.support}|")
    if f.q:
        condition = text_filter(Project, f.q)
        if condition is not None:
            qs = qs.filter(condition)
    return qs


def projects(user: Actor | None, filters: ProjectFilters | None = None) -> ProjectQuerySet[Project]:
    """The pipeline: projects the user may see, filtered and sorted, with what a list row shows."""
    f = filters or ProjectFilters()
    return (
        _filtered(user, f)
        .select_related("city__country", "focus_area", "project_type")
        .prefetch_related(Prefetch("support_needs", queryset=SupportNeed.objects.order_by("kind")))
        .order_by(*SORTS.get(f.sort, SORTS["title"]))
    )


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facets:
    total: int
    groups: dict[str, list[FacetValue]] = field(default_factory=dict)
    cities: list[tuple[CityPoint, int]] = field(default_factory=list)  # (city, number of projects), the map


FACET_COLUMNS = ("status", "stage", "focus_area_id", "project_type_id", "support_kinds")


FacetTallies = dict[str, dict[Any, int]]


class CityPoint(NamedTuple):
    """What the facets and the map need of a city (plain tuples: a thousand model instances cost more)."""
    pk: int
    slug: str
    name: str
    local_name: str
    country_id: int
    latitude: Any
    longitude: Any


def _rows(qs: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """Run a values_list query on a raw cursor: grouped counts need no field converters."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _tallies(rows: Iterable[tuple[Any, ...]]) -> FacetTallies:
    """Counts per facet value from rows of (status, stage, focus area, type, support kinds, n).

    Support kinds are split only once per distinct combination (at most 2^5 of them)."""
    status: dict[Any, int] = defaultdict(int)
    stage: dict[Any, int] = defaultdict(int)
    focus: dict[Any, int] = defaultdict(int)
    kind: dict[Any, int] = defaultdict(int)
    combos: dict[Any, int] = defaultdict(int)
    for st, sg, fa, pt, kinds, n in rows:
        status[st] += n
        stage[sg] += n
        focus[fa] += n
        kind[pt] += n
        combos[kinds] += n
    support: dict[str, int] = defaultdict(int)
    for kinds, n in combos.items():
        for k in filter(None, (kinds or "").split("|")):
            support[k] += n
    return {"status": _nonempty(status), "stage": _nonempty(stage), "focus_area": _nonempty(focus),
            "project_type": _nonempty(kind), "support": dict(support)}


def _nonempty(counts: dict[Any, int]) -> dict[Any, int]:
    return {value: n for value, n in counts.items() if value}


def _facet_counts(qs: QuerySet[Project]) -> tuple[FacetTallies, dict[int, int]]:
    """Grouped counts of the facet columns (in the order of a covering index, so the database groups
    while it scans) and of the cities. One GROUPING SETS pass, tried on PostgreSQL with 100,000
    projects, was slower than these for every filter but the text search."""
    if connection.vendor == "postgresql":
        # Two small groupings (the status/stage/type combinations, then the support combinations)
        # cost less on PostgreSQL than fetching and adding up their cross product.
        combos = _rows(qs.values_list(*FACET_COLUMNS[:-1]).annotate(n=Count("*")))
        kinds = _rows(qs.values_list("support_kinds").annotate(n=Count("*")))
        rows: list[tuple[Any, ...]] = [(*combo, None, n) for *combo, n in combos]
        rows += [(None, None, None, None, k, n) for k, n in kinds]
    else:  # SQLite groups all five columns in one pass over its covering index
        rows = _rows(qs.values_list(*FACET_COLUMNS).annotate(n=Count("*")))
    per_city = dict(_rows(qs.values_list("city_id").annotate(n=Count("*")).values_list("city_id", "n")))
    return _tallies(rows), per_city


def facets(user: Actor | None, filters: ProjectFilters | None = None) -> Facets:
    """Counts per value of each facet over the filtered projects (drill-down), in a constant number of
    queries whatever the data size: one grouped count over the facet columns (served by a covering
    index), one count per city, and the labels."""
    f = filters or ProjectFilters()
    qs = _filtered(user, f).order_by()
    tallies, per_city = _facet_counts(qs)
    total = sum(per_city.values())
    # All cities (a short list) rather than an IN list of every city with projects.
    cities = {row[0]: CityPoint(*row) for row in City.objects.values_list(*CityPoint._fields) if row[0] in per_city}
    countries = {c.pk: c for c in Country.objects.all()}
    nodes = {n.pk: n for n in FrameworkNode.objects.filter(kind__in=["focus_area", "project_type"])}

    result = Facets(total=total, cities=[(cities[pk], n) for pk, n in per_city.items()])
    per_country: dict[int, int] = {}
    for city_id, n in per_city.items():
        country_id = cities[city_id].country_id
        per_country[country_id] = per_country.get(country_id, 0) + n
    result.groups["country"] = sorted(
        (FacetValue(countries[pk].iso3, countries[pk].display_name, n, (f.country or "").upper() == countries[pk].iso3)
         for pk, n in per_country.items()), key=lambda v: v.label)
    language = (translation.get_language() or "en").split("-")[0]
    result.groups["city"] = sorted(
        (FacetValue(point.slug, city_name_in(language, point.name, point.local_name,
                                             countries[point.country_id].iso3), n, f.city == point.slug)
         for point, n in ((cities[pk], n) for pk, n in per_city.items())),
        key=lambda v: (-v.count, v.label))
    for name in ("focus_area", "project_type"):
        ordered = sorted(tallies[name].items(), key=lambda item: nodes[item[0]].position)
        result.groups[name] = [FacetValue(nodes[pk].code, nodes[pk].display_name, n, getattr(f, name) == nodes[pk].code)
                               for pk, n in ordered]
    for name, choices in (("status", ProjectStatus), ("stage", ProjectStage), ("support", SupportKind)):
        result.groups[name] = [FacetValue(value, str(label), tallies[name][value], getattr(f, name) == value)
                               for value, label in choices.choices if tallies[name].get(value)]
    return result


def project_details(user: Actor | None) -> ProjectQuerySet:
    """The projects `user` may see, each with everything its page shows (pick one with `visible_or_404`)."""
    return (
        Project.objects.visible_to(user)
        .select_related("city__country", "focus_area", "project_type")
        # One Prefetch per call: the stubs type all the Prefetch arguments of one call with one queryset type.
        .prefetch_related(Prefetch("support_needs", queryset=SupportNeed.objects.order_by("kind")))
        .prefetch_related(Prefetch("updates", queryset=ProgressUpdate.objects.select_related("author")
                                   .order_by("-date", "-id")))
        .prefetch_related("partners", "documents", "framework_tags__node")
        .prefetch_related(Prefetch("action_plans",
                                   queryset=ActionPlan.objects.visible_to(user).select_related("city__country")))
        .prefetch_related(Prefetch("comments", queryset=Comment.objects.select_related("author")))
    )


def updates_of(user: Actor | None, project: Project) -> ScopedQuerySet[ProgressUpdate]:
    return ProgressUpdate.objects.visible_to(user).filter(project=project).order_by("-date", "-id")


def plans(user: Actor | None, city: str | None = None, current_only: bool = False) -> ActionPlanQuerySet[ActionPlan]:
    qs = ActionPlan.objects.visible_to(user).select_related("city__country")
    if city:
        qs = qs.filter(city__slug=city)
    if current_only:
        qs = qs.current()
    # One Prefetch per call: the stubs type all the Prefetch arguments of one call with one queryset type.
    return (qs.prefetch_related("focus_areas")
            .prefetch_related(Prefetch("targets", queryset=StrategicTarget.objects.order_by("position", "id")))
            .prefetch_related(Prefetch("priority_projects",
                                       queryset=Project.objects.visible_to(user).select_related("focus_area")))
            .order_by("city__name", "-year"))


def counts_by(user: Actor | None, path: str, filters: ProjectFilters | None = None) -> dict[str, int]:
    rows = _filtered(user, filters or ProjectFilters()).values(path).annotate(n=Count("id"))
    return {row[path]: row["n"] for row in rows}


def plan_snapshot(plan: ActionPlan) -> dict[str, Any]:
    """A plan (with prefetched relations) as plain data, for comparing versions."""
    return {
        "vision": plan.vision,
        "horizon_year": plan.horizon_year,
        "focus_areas": sorted(n.name for n in plan.focus_areas.all()),
        "priority_projects": sorted(p.title for p in plan.priority_projects.all()),
        "targets": [
            {"id": t.pk, "origin": t.copied_from_id, "statement": t.statement, "metric": t.metric, "unit": t.unit,
             "baseline_value": t.baseline_value, "baseline_year": t.baseline_year,
             "target_value": t.target_value, "target_year": t.target_year}
            for t in plan.targets.all()
        ],
    }


def plan_history(user: Actor | None, city_slug: str) -> list[tuple[ActionPlan, list[Change]]]:
    """Every visible version of a city's plan, newest first, each with what changed since the one before."""
    versions = list(plans(user, city=city_slug))  # newest first
    result: list[tuple[ActionPlan, list[Change]]] = []
    for newer, older in zip(versions, [*versions[1:], None][:len(versions)], strict=True):
        changes = diff_versions(plan_snapshot(older), plan_snapshot(newer)) if older else []
        result.append((newer, changes))
    return result


def plan_years(city: City) -> list[int]:
    """The years of every version of the city's plan, drafts included (a year has one version)."""
    return sorted(ActionPlan.objects.filter(city=city).values_list("year", flat=True))


def next_free_year(taken: Iterable[int], this_year: int) -> int:
    """The year to propose for a new version: the year after the latest (this year when there is none),
    skipping years already taken."""
    years = set(taken)
    year = max(years) + 1 if years else this_year
    while year in years:
        year += 1
    return year


def cities_for_new_projects(user: Actor | None) -> CityQuerySet[City]:
    """The cities in which the user may record projects: the Secretariat all, a city officer its own."""
    principal = Principal.of(user)
    if principal.is_secretariat:
        return City.objects.all()
    if principal.role in Project.access.editors and principal.city_id:
        return City.objects.filter(pk=principal.city_id)
    return City.objects.none()


def export_rows(user: Actor | None, filters: ProjectFilters) -> list[dict[str, Any]]:
    """The filtered pipeline as plain rows with the import/export columns."""
    return [
        {
            "reference": p.reference, "city": p.city.slug, "title": p.title, "focus_area": p.focus_area.code,
            "project_type": p.project_type.code if p.project_type else "", "status": p.status, "stage": p.stage,
            "start_date": p.start_date, "end_date": p.end_date, "currency": p.currency,
            "cost_estimate": p.cost_estimate, "funding_secured": p.funding_secured,
            "support": [s.kind for s in p.support_needs.all()], "support_notes": p.support_notes,
            "partners": sorted(partner.slug for partner in p.partners.all()),
            "objective": p.objective, "description": p.description, "is_published": p.is_published,
            "source": p.source,
        }
        for p in projects(user, filters).prefetch_related(
            Prefetch("partners", queryset=Partner.objects.only("id", "slug"))).iterator(chunk_size=2000)
    ]


def allowed_values(user: Actor | None) -> dict[str, list[str]]:
    """What each column with fixed values takes, as the import templates list it: the cities `user` records
    projects for (every city for those who record none: the template then only documents), the framework's
    codes, the choices, the currencies, and the partners of the registry `user` sees (by name)."""
    cities = cities_for_new_projects(user)
    if not cities.exists():
        cities = City.objects.all()
    return {
        "city": list(cities.order_by("slug").values_list("slug", flat=True)),
        "focus_area": list(FrameworkNode.objects.filter(kind="focus_area").order_by("position")
                           .values_list("code", flat=True)),
        "project_type": list(FrameworkNode.objects.filter(kind="project_type").order_by("position")
                             .values_list("code", flat=True)),
        "status": list(ProjectStatus.values), "stage": list(ProjectStage.values),
        "currency": currency_list(currency_codes()),
        "support": list(SupportKind.values),
        "partners": list(Partner.objects.visible_to(user).order_by("name").values_list("name", flat=True)),
        "is_published": ["true", "false"],
    }


def template_example(cities: list[str]) -> dict[str, Any]:
    """The templates' example row, in Da Nang or else the first of `cities`."""
    city = "da-nang" if "da-nang" in cities or not cities else cities[0]
    return {"reference": "", "city": city, "title": "Smart parking pilot", "focus_area": "built_infrastructure",
            "project_type": "built_infrastructure.mobility_transportation", "status": ProjectStatus.PLANNING.value,
            "stage": ProjectStage.FEASIBILITY.value, "start_date": "2027-01-01", "end_date": "2028-12-31",
            "currency": "USD", "cost_estimate": "1500000", "funding_secured": "250000",
            "support": [SupportKind.FINANCIAL.value, SupportKind.TECHNICAL.value],
            "support_notes": "Financing structure and sensor specifications", "partners": [], "objective": "",
            "description": "", "is_published": False, "source": ""}
