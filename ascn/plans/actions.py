"""Every write to action plans and projects: permission, validation, transaction, audit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.permissions import Principal, require_create, require_edit

from .choices import SupportKind
from .models import ActionPlan, Comment, ProgressUpdate, Project, StrategicTarget, SupportNeed

PROJECT_FIELDS = {
    "reference", "city", "title", "objective", "description", "focus_area", "project_type", "status", "stage",
    "start_date", "end_date", "currency", "cost_estimate", "funding_secured", "support_notes", "links",
    "is_published", "source",
}
UPDATE_FIELDS = {"date", "status", "percent_complete", "milestones", "progress", "partner_support", "challenges",
                 "source"}
PLAN_FIELDS = {"vision", "horizon_year", "is_published", "source"}
TARGET_FIELDS = {"statement", "metric", "unit", "baseline_value", "baseline_year", "target_value", "target_year"}


def _only(data: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})
    return data


# --- Projects -------------------------------------------------------------------------------------


def create_project(actor: Any, data: dict[str, Any], support: dict[str, str] | None = None,
                   partners: Iterable | None = None, via: str = "web") -> Project:
    """Create a project with its support needs and partners; its status starts as given (default planning)."""
    data = dict(_only(data, PROJECT_FIELDS))
    city = data.get("city")
    require_create(actor, Project, city_id=getattr(city, "pk", None), country_id=getattr(city, "country_id", None))
    with transaction.atomic():
        project = core.create_audited(actor, Project(**data), via)
        _set_support(actor, project, support or {}, via)
        if partners is not None:
            _set_partners(actor, project, partners, via)
    return project


def update_project(actor: Any, project: Project, data: dict[str, Any], support: dict[str, str] | None = None,
                   partners: Iterable | None = None, via: str = "web") -> dict[str, list]:
    """Change a project's fields (and, when given, its support needs and partners); returns the changes."""
    require_edit(actor, project)
    data = _only(data, PROJECT_FIELDS)
    if "city" in data and data["city"] != project.city:
        raise ValidationError({"city": _("A project cannot move to another city; record it there instead.")})
    if "status" in data and data["status"] != project.status:
        raise ValidationError({"status": _("The status changes through a progress update.")})
    with transaction.atomic():
        changes = core.update_audited(actor, project, data, via)
        if support is not None:
            changes.update(_set_support(actor, project, support, via))
        if partners is not None:
            changes.update(_set_partners(actor, project, partners, via))
    return changes


def delete_project(actor: Any, project: Project, via: str = "web") -> None:
    require_edit(actor, project)
    with transaction.atomic():
        core.delete_audited(actor, project, via)


def _set_support(actor: Any, project: Project, support: dict[str, str], via: str) -> dict[str, list]:
    """Replace the project's support needs with `support` ({kind: details})."""
    unknown = set(support) - set(SupportKind.values)
    if unknown:
        message = _("Unknown kind of support: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))}
        raise ValidationError({"support": message})
    before = {s.kind: s.details for s in project.support_needs.all()}
    after = {kind: (details or "").strip() for kind, details in support.items()}
    if before == after:
        return {}
    project.support_needs.exclude(kind__in=after).delete()
    for kind, details in after.items():
        SupportNeed.objects.update_or_create(project=project, kind=kind, defaults={"details": details})
    change = {"support": [before, after]}
    core.record(actor, AuditAction.UPDATE, project, change, via)
    return change


def _set_partners(actor: Any, project: Project, partners: Iterable, via: str) -> dict[str, list]:
    before = sorted(project.partners.values_list("slug", flat=True))
    partners = list(partners)
    after = sorted(p.slug for p in partners)
    if before == after:
        return {}
    project.partners.set(partners)
    change = {"partners": [before, after]}
    core.record(actor, AuditAction.UPDATE, project, change, via)
    return change


def add_progress_update(actor: Any, project: Project, data: dict[str, Any], via: str = "web") -> ProgressUpdate:
    """Record a progress update; the project's status becomes the status of its latest update."""
    require_edit(actor, project)
    with transaction.atomic():
        update = core.create_audited(actor, ProgressUpdate(project=project, author=_user(actor),
                                                           **_only(data, UPDATE_FIELDS)), via)
        sync_status(actor, project, via)
    return update


def sync_status(actor: Any, project: Project, via: str) -> dict[str, list]:
    """Set the project's status from its latest progress update (by date, then by entry)."""
    latest = project.updates.order_by("-date", "-id").first()
    if latest is None or latest.status == project.status:
        return {}
    return core.update_audited(actor, project, {"status": latest.status}, via)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Comments -------------------------------------------------------------------------------------


def add_comment(actor: Any, body: str, *, project: Project | None = None, plan: ActionPlan | None = None,
                via: str = "web") -> Comment:
    """NRs comment on their country's plans and projects; city officers on their own; the Secretariat on all."""
    target = project or plan
    principal = Principal.of(actor)
    model = type(target)
    in_scope = model.objects.visible_to(actor).filter(pk=target.pk).exists()
    if not (principal.is_network_member and in_scope):
        raise PermissionDenied(_("You may not comment here."))
    with transaction.atomic():
        return core.create_audited(actor, Comment(project=project, plan=plan, author=actor, body=body.strip()), via)


# --- Action plans ---------------------------------------------------------------------------------


def create_plan(actor: Any, city: Any, year: int, data: dict[str, Any], focus_areas: Iterable = (),
                priority_projects: Iterable = (), via: str = "web") -> ActionPlan:
    require_create(actor, ActionPlan, city_id=city.pk, country_id=city.country_id)
    with transaction.atomic():
        plan = core.create_audited(actor, ActionPlan(city=city, year=year, **_only(data, PLAN_FIELDS)), via)
        set_plan_links(actor, plan, focus_areas, priority_projects, via)
    return plan


def new_plan_version(actor: Any, plan: ActionPlan, year: int, via: str = "web") -> ActionPlan:
    """Start next year's version from `plan`: same vision, focus areas, targets and priority projects."""
    require_edit(actor, plan)
    with transaction.atomic():
        data = {"vision": plan.vision, "horizon_year": plan.horizon_year, "source": ""}
        new = create_plan(actor, plan.city, year, data, plan.focus_areas.all(), plan.priority_projects.all(), via)
        for target in plan.targets.all():
            values = {f: getattr(target, f) for f in TARGET_FIELDS}
            core.create_audited(actor, StrategicTarget(plan=new, position=target.position, **values), via)
    return new


def update_plan(actor: Any, plan: ActionPlan, data: dict[str, Any], focus_areas: Iterable | None = None,
                priority_projects: Iterable | None = None, via: str = "web") -> dict[str, list]:
    require_edit(actor, plan)
    with transaction.atomic():
        changes = core.update_audited(actor, plan, _only(data, PLAN_FIELDS), via)
        changes.update(set_plan_links(actor, plan, focus_areas, priority_projects, via))
    return changes


def set_plan_links(actor: Any, plan: ActionPlan, focus_areas: Iterable | None,
                    priority_projects: Iterable | None, via: str) -> dict[str, list]:
    changes: dict[str, list] = {}
    if focus_areas is not None:
        focus_areas = list(focus_areas)
        if any(n.kind != "focus_area" for n in focus_areas):
            raise ValidationError({"focus_areas": _("Choose among the six focus areas.")})
        before = sorted(plan.focus_areas.values_list("code", flat=True))
        after = sorted(n.code for n in focus_areas)
        if before != after:
            plan.focus_areas.set(focus_areas)
            changes["focus_areas"] = [before, after]
    if priority_projects is not None:
        priority_projects = list(priority_projects)
        if any(p.city_id != plan.city_id for p in priority_projects):
            raise ValidationError({"priority_projects": _("Priority projects must be the city's own projects.")})
        before = sorted(plan.priority_projects.values_list("pk", flat=True))
        after = sorted(p.pk for p in priority_projects)
        if before != after:
            plan.priority_projects.set(priority_projects)
            changes["priority_projects"] = [before, after]
    if changes:
        core.record(actor, AuditAction.UPDATE, plan, changes, via)
    return changes


def add_target(actor: Any, plan: ActionPlan, data: dict[str, Any], via: str = "web") -> StrategicTarget:
    require_edit(actor, plan)
    position = (plan.targets.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    with transaction.atomic():
        target = core.create_audited(actor, StrategicTarget(plan=plan, position=position,
                                                            **_only(data, TARGET_FIELDS)), via)
        core.record(actor, AuditAction.UPDATE, plan, {"targets": [None, target.statement]}, via)
    return target


def update_target(actor: Any, target: StrategicTarget, data: dict[str, Any], via: str = "web") -> dict:
    require_edit(actor, target.plan)
    with transaction.atomic():
        return core.update_audited(actor, target, _only(data, TARGET_FIELDS), via)


def delete_target(actor: Any, target: StrategicTarget, via: str = "web") -> None:
    require_edit(actor, target.plan)
    with transaction.atomic():
        core.record(actor, AuditAction.UPDATE, target.plan, {"targets": [target.statement, None]}, via)
        core.delete_audited(actor, target, via)

