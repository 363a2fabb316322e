"""Reference projects (the 134 of the 2025 M&E report, S8) and example Smart City Action Plans (2018, S3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ascn.core import actions as core
from ascn.core.seeding import (
    CsvLoader,
    RowError,
    choice,
    fixture,
    lookup,
    parse_date,
    parse_decimal,
    parse_int,
    parse_list,
    required,
)
from ascn.framework.models import FrameworkNode
from ascn.network.models import City

from .actions import set_plan_links, support_kinds_value, sync_status
from .choices import ProjectStatus, SupportKind
from .models import ActionPlan, ProgressUpdate, Project, StrategicTarget, SupportNeed

if TYPE_CHECKING:
    pass

APP = "ascn.plans"


def project_values(row: dict[str, str]) -> dict[str, Any]:
    focus_area = lookup(FrameworkNode, "code", row, "focus_area")
    if focus_area.kind != "focus_area":
        raise RowError(f"focus_area {row['focus_area']!r} is not a focus area")
    return {
        "reference": required(row, "reference"), "city": lookup(City, "slug", row, "city_slug"),
        "title": required(row, "title"), "focus_area": focus_area,
        "project_type": lookup(FrameworkNode, "code", row, "project_type", optional=True),
        "status": _initial_status(row), "objective": row["objective"],
        "support_notes": row["support_notes"], "source": row["source"], "is_published": True,
    }


def _initial_status(row: dict[str, str]) -> str:
    """The file's status for a new project; an existing project keeps the status of its latest update."""
    existing = Project.objects.filter(reference=row["reference"]).values_list("status", flat=True).first()
    return existing or choice(row, "status", ProjectStatus)


def save_project_extras(project: Project, row: dict[str, str]) -> bool:
    """The report's status as a progress update on its as-of date (the project's status follows its
    latest update, so a newer update recorded since is kept), and the support kinds."""
    changed = False
    as_of = parse_date(row, "as_of")
    status = choice(row, "status", ProjectStatus)
    if not project.updates.filter(date=as_of).exists():
        core.create_audited(None, ProgressUpdate(project=project, date=as_of, status=status,
                                                 source=row["source"]), via="seed")
        changed = True
    changed |= bool(sync_status(None, project, via="seed"))
    kinds = parse_list(row, "support")
    for kind in kinds:
        if kind not in SupportKind.values:
            raise RowError(f"support {kind!r} is not one of {', '.join(SupportKind.values)}")
        changed |= SupportNeed.objects.get_or_create(project=project, kind=kind)[1]
    kinds_value = support_kinds_value(project.support_needs.values_list("kind", flat=True))
    if project.support_kinds != kinds_value:
        Project.objects.filter(pk=project.pk).update(support_kinds=kinds_value)
        changed = True
    return changed


def plan_values(row: dict[str, str]) -> dict[str, Any]:
    return {
        "city": lookup(City, "slug", row, "city_slug"), "year": parse_int(row, "year"),
        "vision": required(row, "vision"), "horizon_year": parse_int(row, "horizon_year", optional=True),
        "source": row["source"], "is_published": True,
    }


def save_plan_links(plan: ActionPlan, row: dict[str, str]) -> bool:
    focus_areas = [_node(code, "focus_areas") for code in parse_list(row, "focus_areas")]
    projects = []
    for reference in parse_list(row, "priority_projects"):
        project = Project.objects.filter(reference=reference).first()
        if project is None:
            raise RowError(f"unknown project {reference!r} in priority_projects")
        projects.append(project)
    return bool(set_plan_links(None, plan, focus_areas, projects, via="seed"))


def _node(code: str, column: str) -> FrameworkNode:
    node = FrameworkNode.objects.filter(code=code).first()
    if node is None:
        raise RowError(f"unknown framework node {code!r} in {column}")
    return node


def target_values(row: dict[str, str]) -> dict[str, Any]:
    year = parse_int(row, "year")
    plan = ActionPlan.objects.filter(city__slug=row["city_slug"], year=year).first()
    if plan is None:
        raise RowError(f"no action plan {row['city_slug']} {row['year']} (list it in action_plans.csv)")
    optional_decimal = {k: parse_decimal(row, k) if row[k] else None for k in ("baseline_value", "target_value")}
    return {
        "plan": plan, "position": parse_int(row, "position"), "statement": required(row, "statement"),
        "metric": row["metric"], "unit": row["unit"], **optional_decimal,
        "baseline_year": parse_int(row, "baseline_year", optional=True),
        "target_year": parse_int(row, "target_year", optional=True),
    }


LOADERS = [
    CsvLoader("projects", fixture(APP, "projects.csv"), Project, ("reference",),
              ("reference", "city_slug", "title", "focus_area", "project_type", "status", "as_of", "objective",
               "support", "support_notes", "source"), project_values, after_save=save_project_extras),
    CsvLoader("action plans", fixture(APP, "action_plans.csv"), ActionPlan, ("city", "year"),
              ("city_slug", "year", "vision", "horizon_year", "focus_areas", "priority_projects", "source"),
              plan_values, after_save=save_plan_links),
    CsvLoader("plan targets", fixture(APP, "strategic_targets.csv"), StrategicTarget, ("plan", "position"),
              ("city_slug", "year", "position", "statement", "metric", "unit", "baseline_value", "baseline_year",
               "target_value", "target_year"), target_values),
]
