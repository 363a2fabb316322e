"""Every write to action plans and projects: permission, validation, transaction, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core import bulk, imports
from ascn.core.audit import plain
from ascn.core.choices import AuditAction
from ascn.core.imports import ImportSummary
from ascn.core.models import AuditEntry, User
from ascn.core.permissions import Principal, require_create, require_edit
from ascn.core.search import indexed_after_bulk_insert
from ascn.core.text import search_blob
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Partner

from . import importing
from .choices import ProjectStage, ProjectStatus, SupportKind
from .models import (
    ActionPlan,
    Comment,
    ProgressUpdate,
    Project,
    ProjectDocument,
    ProjectImport,
    StrategicTarget,
    SupportNeed,
)
from .queries import cities_for_new_projects, next_free_year, plan_years

if TYPE_CHECKING:
    from django.core.files import File

    from ascn.core.permissions import Actor
    from ascn.framework.models import FrameworkNode
    from ascn.network.models import City

M = TypeVar("M", bound=models.Model)

PROJECT_FIELDS = {
    "reference", "city", "title", "objective", "description", "focus_area", "project_type", "status", "stage",
    "start_date", "end_date", "currency", "cost_estimate", "funding_secured", "support_notes", "links",
    "is_published", "source",
}
UPDATE_FIELDS = {"date", "status", "percent_complete", "milestones", "progress", "partner_support", "challenges",
                 "source"}
PLAN_FIELDS = {"vision", "horizon_year", "is_published", "source"}
TARGET_FIELDS = {"statement", "metric", "unit", "baseline_value", "baseline_year", "target_value", "target_year"}




# --- Projects -------------------------------------------------------------------------------------


def create_project(actor: Actor, data: dict[str, Any], support: dict[str, str] | None = None,
                   partners: Iterable[Partner] | None = None, via: str = "web") -> Project:
    """Create a project with its support needs and partners; its status starts as given (default planning)."""
    data = core.only_fields(data, PROJECT_FIELDS)
    city = data.get("city")
    require_create(actor, Project, city_id=getattr(city, "pk", None), country_id=getattr(city, "country_id", None))
    with transaction.atomic():
        project = core.create_audited(actor, Project(**data), via)
        _set_support(actor, project, support or {}, via)
        if partners is not None:
            _set_partners(actor, project, partners, via)
    return project


def update_project(actor: Actor, project: Project, data: dict[str, Any], support: dict[str, str] | None = None,
                   partners: Iterable[Partner] | None = None, via: str = "web") -> dict[str, list[Any]]:
    """Change a project's fields (and, when given, its support needs and partners); returns the changes."""
    require_edit(actor, project)
    data = core.only_fields(data, PROJECT_FIELDS)
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


def delete_project(actor: Actor, project: Project, via: str = "web") -> None:
    require_edit(actor, project)
    with transaction.atomic():
        core.delete_audited(actor, project, via)


def _set_support(actor: Actor, project: Project, support: dict[str, str], via: str) -> dict[str, list[Any]]:
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
    project.support_kinds = support_kinds_value(after)
    project.save(update_fields=["support_kinds"])
    change = {"support": [before, after]}
    core.record(actor, AuditAction.UPDATE, project, change, via)
    return change


def support_kinds_value(kinds: Iterable[str]) -> str:
    """The denormalised form of a project's support kinds used by filters and facets."""
    ordered = sorted(set(kinds))
    return f"|{'|'.join(ordered)}|" if ordered else ""


def _set_partners(actor: Actor, project: Project, partners: Iterable[Partner], via: str) -> dict[str, list[Any]]:
    links = core.set_links(project.partners, list(partners), "slug")
    if links is None:
        return {}
    change = {"partners": links}
    core.record(actor, AuditAction.UPDATE, project, change, via)
    return change



def add_progress_update(actor: Actor, project: Project, data: dict[str, Any], via: str = "web") -> ProgressUpdate:
    """Record a progress update; the project's status becomes the status of its latest update."""
    require_edit(actor, project)
    with transaction.atomic():
        update = core.create_audited(actor, ProgressUpdate(project=project, author=_user(actor),
                                                           **core.only_fields(data, UPDATE_FIELDS)), via)
        sync_status(actor, project, via)
    return update


def sync_status(actor: Actor | None, project: Project, via: str) -> dict[str, list[Any]]:
    """Set the project's status from its latest progress update (by date, then by entry); no actor: the seed."""
    latest = project.updates.order_by("-date", "-id").first()
    if latest is None or latest.status == project.status:
        return {}
    return core.update_audited(actor, project, {"status": latest.status}, via)


def _user(actor: Actor | None) -> User | None:
    """The account to record as author: the public and the system act as nobody."""
    return actor if isinstance(actor, User) else None


def attach_document(actor: Actor, project: Project, title: str, upload: File[Any], via: str = "web"
                    ) -> ProjectDocument:
    """Keep an uploaded file with the project, as uploaded."""
    require_edit(actor, project)
    if upload.name is None:  # Django's File may lack a name; an upload always has one
        raise ValueError("attach_document needs a file with a name")
    with transaction.atomic():
        document = ProjectDocument(project=project, title=title.strip(), uploaded_by=_user(actor))
        document.file.save(upload.name, upload, save=False)
        core.create_audited(actor, document, via)
        core.record(actor, AuditAction.UPDATE, project, {"documents": [None, document.title]}, via)
    return document


# --- Comments -------------------------------------------------------------------------------------


def may_comment(actor: Actor | None, target: Project | ActionPlan) -> bool:
    """The Secretariat comments on everything; NRs and city officers on records inside their own scope."""
    principal = Principal.of(actor)
    if principal.is_secretariat:
        return True
    scope = type(target).access.scope_filter(principal)
    return (principal.is_network_member and scope is not None
            and type(target).objects.filter(scope, pk=target.pk).exists())


def add_comment(actor: User, body: str, *, project: Project | None = None, plan: ActionPlan | None = None,
                via: str = "web") -> Comment:
    """NRs comment on their country's plans and projects; city officers on their own; the Secretariat on all."""
    target = project or plan
    if target is None:
        raise TypeError("add_comment needs a project or a plan")
    if not may_comment(actor, target):
        raise PermissionDenied(_("You may not comment here."))
    with transaction.atomic():
        return core.create_audited(actor, Comment(project=project, plan=plan, author=actor, body=body.strip()), via)


# --- Action plans ---------------------------------------------------------------------------------


def create_plan(actor: Actor, city: City, year: int, data: dict[str, Any], focus_areas: Iterable[FrameworkNode] = (),
                priority_projects: Iterable[Project] = (), via: str = "web") -> ActionPlan:
    require_create(actor, ActionPlan, city_id=city.pk, country_id=city.country_id)
    taken = plan_years(city)
    if year in taken:
        free = next_free_year(taken, timezone.localdate().year)
        raise ValidationError({"year": _("There is already a version for %(year)d: choose another year, e.g. "
                                         "%(free)d, the next free one.") % {"year": year, "free": free}})
    with transaction.atomic():
        plan = core.create_audited(actor, ActionPlan(city=city, year=year, **core.only_fields(data, PLAN_FIELDS)), via)
        set_plan_links(actor, plan, focus_areas, priority_projects, via)
    return plan


def new_plan_version(actor: Actor, plan: ActionPlan, year: int, via: str = "web") -> ActionPlan:
    """Start next year's version from `plan`: same vision, focus areas, targets and priority projects."""
    require_edit(actor, plan)
    with transaction.atomic():
        horizon = plan.horizon_year if plan.horizon_year and plan.horizon_year >= year else None
        data = {"vision": plan.vision, "horizon_year": horizon, "source": ""}
        new = create_plan(actor, plan.city, year, data, plan.focus_areas.all(), plan.priority_projects.all(), via)
        for target in plan.targets.all():
            values = {f: getattr(target, f) for f in TARGET_FIELDS}
            core.create_audited(actor, StrategicTarget(plan=new, position=target.position, copied_from=target,
                                                       **values), via)
    return new


def update_plan(actor: Actor, plan: ActionPlan, data: dict[str, Any],
                focus_areas: Iterable[FrameworkNode] | None = None, priority_projects: Iterable[Project] | None = None,
                via: str = "web") -> dict[str, list[Any]]:
    require_edit(actor, plan)
    with transaction.atomic():
        changes = core.update_audited(actor, plan, core.only_fields(data, PLAN_FIELDS), via)
        changes.update(set_plan_links(actor, plan, focus_areas, priority_projects, via))
    return changes


def set_plan_links(actor: Actor | None, plan: ActionPlan, focus_areas: Iterable[FrameworkNode] | None,
                   priority_projects: Iterable[Project] | None, via: str) -> dict[str, list[Any]]:
    """Set the plan's focus areas and priority projects (None: leave them); no actor: the seed."""
    changes: dict[str, list[Any]] = {}
    if focus_areas is not None:
        nodes = list(focus_areas)
        if any(n.kind != "focus_area" for n in nodes):
            raise ValidationError({"focus_areas": _("Choose among the six focus areas.")})
        links = core.set_links(plan.focus_areas, nodes, "code")
        if links is not None:
            changes["focus_areas"] = links
    if priority_projects is not None:
        projects = list(priority_projects)
        if any(p.city_id != plan.city_id for p in projects):
            raise ValidationError({"priority_projects": _("Priority projects must be the city's own projects.")})
        links = core.set_links(plan.priority_projects, projects, "pk")
        if links is not None:
            changes["priority_projects"] = links
    if changes:
        core.record(actor, AuditAction.UPDATE, plan, changes, via)
    return changes


def add_target(actor: Actor, plan: ActionPlan, data: dict[str, Any], via: str = "web") -> StrategicTarget:
    require_edit(actor, plan)
    position = (plan.targets.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    with transaction.atomic():
        target = core.create_audited(actor, StrategicTarget(plan=plan, position=position,
                                                            **core.only_fields(data, TARGET_FIELDS)), via)
        core.record(actor, AuditAction.UPDATE, plan, {"targets": [None, target.statement]}, via)
    return target


def update_target(actor: Actor, target: StrategicTarget, data: dict[str, Any], via: str = "web"
                  ) -> dict[str, list[Any]]:
    """Change a target in place (its fields' old and new values in its audit entry; the plan's entry names
    it by its statement before and after). Those who may remove it may edit it."""
    require_edit(actor, target.plan)
    before = target.statement
    with transaction.atomic():
        changes = core.update_audited(actor, target, core.only_fields(data, TARGET_FIELDS), via)
        if changes:
            core.record(actor, AuditAction.UPDATE, target.plan, {"targets": [before, target.statement]}, via)
    return changes


def delete_target(actor: Actor, target: StrategicTarget, via: str = "web") -> None:
    require_edit(actor, target.plan)
    with transaction.atomic():
        core.record(actor, AuditAction.UPDATE, target.plan, {"targets": [target.statement, None]}, via)
        core.delete_audited(actor, target, via)



# --- Import ---------------------------------------------------------------------------------------

IMPORT_FIELDS = ("reference", "title", "objective", "description", "focus_area_id", "project_type_id", "stage",
                 "start_date", "end_date", "currency", "cost_estimate", "funding_secured", "support_notes",
                 "is_published", "source")
BATCH = 2000


@overload
def import_projects(actor: Actor | None, name: str, data: bytes, *, commit: bool, via: str = "web",
                    keep_file: Literal[True] = True, as_system: bool = False
                    ) -> tuple[ImportSummary, ProjectImport]: ...


@overload
def import_projects(actor: Actor | None, name: str, data: bytes, *, commit: bool, via: str = "web",
                    keep_file: Literal[False], as_system: bool = False) -> tuple[ImportSummary, None]: ...


@overload
def import_projects(actor: Actor | None, name: str, data: bytes, *, commit: bool, via: str = "web",
                    keep_file: bool, as_system: bool = False) -> tuple[ImportSummary, ProjectImport | None]: ...


def import_projects(actor: Actor | None, name: str, data: bytes, *, commit: bool, via: str = "web",
                    keep_file: bool = True, as_system: bool = False) -> tuple[ImportSummary, ProjectImport | None]:
    """Check a CSV/XLSX of projects and, with `commit` and no error, write it atomically.

    Rows match existing projects by `reference`, else by city and title; a row equal to its project
    changes nothing, so importing the same file twice is a no-op. The upload is kept with its summary
    (the record; None with `keep_file=False`). No actor: the management command, with `as_system`.
    """
    def read() -> importing.CheckResult:
        return importing.check_rows(importing.read_table(name, data), _vocabulary(actor, as_system))

    summary = imports.run(ImportSummary(), read, _check_import, lambda plan: _apply_import(actor, plan, name, via),
                          commit=commit)
    if not keep_file:
        return summary, None
    return summary, imports.keep_upload(ProjectImport(uploaded_by=_user(actor)), name, data, summary)


def _check_import(result: importing.CheckResult, summary: ImportSummary) -> _ImportPlan:
    """What the checked rows would do: counts, errors and the first rows to create and update into `summary`,
    and the plan to write."""
    plan, conflicts = _plan_import(result.rows)
    summary.errors = sorted([e.as_dict() for e in result.errors] + conflicts, key=lambda e: e["row"])
    summary.created, summary.updated, summary.unchanged = len(plan.new), len(plan.changed), plan.unchanged
    summary.created_rows = imports.listed(plan.new, lambda new: imports.row_entry(new.row, new.key))
    summary.updated_rows = imports.listed(plan.changed, lambda changed: imports.row_entry(
        changed.row, changed.key, changed.columns(plan.codes)))
    return plan


def _vocabulary(actor: Actor | None, as_system: bool = False) -> importing.Vocabulary:
    """What rows may name; `as_system` (management command) may write every city and name every partner."""
    cities = frozenset(City.objects.values_list("slug", flat=True))
    writable = cities if as_system else set(cities_for_new_projects(actor).values_list("slug", flat=True))
    types = dict(FrameworkNode.objects.filter(kind="project_type").values_list("code", "parent__code"))
    partners = Partner.objects.all() if as_system else Partner.objects.visible_to(actor)
    return importing.Vocabulary(
        cities=cities,
        focus_areas=frozenset(FrameworkNode.objects.filter(kind="focus_area").values_list("code", flat=True)),
        project_types=types, statuses=tuple(ProjectStatus.values), stages=tuple(ProjectStage.values),
        support_kinds=tuple(SupportKind.values), may_write_city=writable.__contains__,
        partners=partner_names(partners.values_list("slug", "name")),
    )


def partner_names(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """{case-folded slug or name: slug}: what an import row may call a partner."""
    names: dict[str, str] = {}
    for slug, name in pairs:
        names[name.casefold()] = slug
        names[slug.casefold()] = slug
    return names


def _import_label(reference: str, title: str, city: str) -> str:
    """A row's project in words: "A112 · Smart Water Management System · Da Nang"."""
    return " · ".join(part for part in (reference, title, city) if part)


@dataclass
class _NewProject:
    row: int
    key: str
    values: dict[str, Any]
    support: list[str]
    status: str
    partners: list[str]


@dataclass
class _ChangedProject:
    """A project with the row's values set, its values before ({field: value}, the fields the row changes),
    and its new support kinds, status and partners (None: unchanged)."""
    row: int
    key: str
    project: Project
    before: dict[str, Any]
    support: tuple[list[str], list[str]] | None = None
    status: str | None = None
    partners: tuple[list[str], list[str]] | None = None

    def columns(self, codes: dict[int, str]) -> dict[str, tuple[Any, Any]]:
        """What changes, by the file's columns and in its terms (framework codes rather than ids)."""
        changes: dict[str, tuple[Any, Any]] = {}
        for name, old in self.before.items():
            new = getattr(self.project, name)
            if name in ("focus_area_id", "project_type_id"):
                changes[name.removesuffix("_id")] = (codes.get(old, ""), codes.get(new, ""))
            else:
                changes[name] = (old, new)
        if self.status is not None:
            changes["status"] = (self.project.status, self.status)
        if self.support is not None:
            changes["support"] = self.support
        if self.partners is not None:
            changes["partners"] = self.partners
        return changes


@dataclass
class _ImportPlan:
    new: list[_NewProject] = field(default_factory=list)
    changed: list[_ChangedProject] = field(default_factory=list)
    unchanged: int = 0
    codes: dict[int, str] = field(default_factory=dict)  # framework node id -> code


def _plan_import(rows: list[importing.CheckedRow]) -> tuple[_ImportPlan, list[dict[str, Any]]]:
    """Decide per row: create, update (which fields) or leave unchanged. Reads, never writes."""
    plan = _ImportPlan()
    if not rows:
        return plan, []
    cities = {slug: (pk, name) for pk, slug, name in City.objects.values_list("id", "slug", "name")}
    city_ids = {slug: pk for slug, (pk, _name) in cities.items()}
    node_ids = dict(FrameworkNode.objects.values_list("code", "id"))
    plan.codes = {pk: code for code, pk in node_ids.items()}
    slugs = {r.values["city"] for r in rows}
    refs = {r.values["reference"] for r in rows if r.values["reference"]}
    # Match on keys first (cheap tuples), then load whole records only for the rows that match.
    keys = Project.objects.filter(Q(city_id__in=[city_ids[s] for s in slugs]) | Q(reference__in=refs))
    by_ref_id: dict[str, int] = {}
    by_title_id: dict[tuple[int, str], int] = {}
    for pk, reference, city_id, title in keys.values_list("id", "reference", "city_id", "title"):
        if reference:
            by_ref_id[reference] = pk
        by_title_id[(city_id, title.casefold())] = pk
    matches = (by_ref_id.get(r.values["reference"]) or by_title_id.get((city_ids[r.values["city"]],
                                                                           r.values["title"].casefold()))
               for r in rows)
    wanted = {pk for pk in matches if pk is not None}
    existing = Project.objects.in_bulk(wanted)
    by_ref = {ref: existing[pk] for ref, pk in by_ref_id.items() if pk in existing}
    by_title = {key: existing[pk] for key, pk in by_title_id.items() if pk in existing}
    supports: dict[int, list[str]] = {}
    for project_id, kind in SupportNeed.objects.filter(project_id__in=wanted).values_list("project_id", "kind"):
        supports.setdefault(project_id, []).append(kind)
    partners: dict[int, list[str]] = {}
    if any(r.values["partners"] is not None for r in rows):
        for project_id, slug in (Project.partners.through.objects.filter(project_id__in=wanted)
                                 .values_list("project_id", "partner__slug")):
            partners.setdefault(project_id, []).append(slug)
    errors: list[dict[str, Any]] = []
    for row in rows:
        v = row.values
        fields_ = {
            "reference": v["reference"], "title": v["title"], "objective": v["objective"],
            "description": v["description"], "focus_area_id": node_ids[v["focus_area"]],
            "project_type_id": node_ids.get(v["project_type"]) if v["project_type"] else None,
            "stage": v["stage"], "start_date": v["start_date"], "end_date": v["end_date"],
            "currency": v["currency"], "cost_estimate": v["cost_estimate"], "funding_secured": v["funding_secured"],
            "support_notes": v["support_notes"], "is_published": v["is_published"], "source": v["source"],
        }
        city_id, city_name = cities[v["city"]]
        project = by_ref.get(v["reference"]) if v["reference"] else None
        if project is not None and project.city_id != city_id:
            errors.append({"row": row.row, "column": "reference",
                           "reason": _("%(reference)r is the reference of a project of another city")
                           % {"reference": v["reference"]}})
            continue
        project = project or by_title.get((city_id, v["title"].casefold()))
        key = _import_label(v["reference"], v["title"], city_name)
        if project is None:
            status = v["status"] or ProjectStatus.PLANNING
            plan.new.append(_NewProject(row.row, key, {
                **fields_, "city_id": city_id, "status": status, "links": _NO_LINKS,
                "support_kinds": support_kinds_value(v["support"]),
                "search_text": search_blob(v["title"], v["reference"], v["objective"], v["description"])},
                v["support"], status, v["partners"] or []))
            continue
        diff = [name for name, value in fields_.items() if getattr(project, name) != value]
        old_support = sorted(supports.get(project.pk, []))
        old_partners = sorted(partners.get(project.pk, []))
        changed = _ChangedProject(
            row.row, key, project, {name: getattr(project, name) for name in diff},
            support=(old_support, v["support"]) if old_support != v["support"] else None,
            status=v["status"] if v["status"] and v["status"] != project.status else None,
            partners=(old_partners, v["partners"]) if v["partners"] is not None and old_partners != v["partners"]
            else None)
        if not diff and changed.support is None and changed.status is None and changed.partners is None:
            plan.unchanged += 1
            continue
        for name in diff:
            setattr(project, name, fields_[name])
        plan.changed.append(changed)
    return plan, errors


_NO_LINKS: list[dict[str, str]] = []  # one shared (never mutated) value, so the bulk insert converts it once


def _insert_projects(rows: list[dict[str, Any]], now: dt.datetime) -> list[int]:
    """Insert new projects with prepared statements; returns their ids in `rows` order (found by their
    import key: reference, else city and title, which the check made unique within the file)."""
    if not rows:
        return []
    last_id = Project.objects.aggregate(last=Max("id"))["last"] or 0
    with indexed_after_bulk_insert(Project):
        bulk.insert_values(Project, [{**row, "created_at": now, "updated_at": now} for row in rows])
    ids = {_import_key(reference, city_id, title): pk for pk, reference, city_id, title in
           Project.objects.filter(id__gt=last_id).values_list("id", "reference", "city_id", "title")}
    return [ids[_import_key(row["reference"], row["city_id"], row["title"])] for row in rows]


def _import_key(reference: str, city_id: int, title: str) -> tuple[str | int, ...]:
    return ("ref", reference) if reference else ("title", city_id, title.casefold())


def _apply_import(actor: Actor | None, plan: _ImportPlan, name: str, via: str) -> None:
    """Write an import plan with bulk statements (one audit entry per created or changed project)."""
    now = timezone.now()
    today = timezone.localdate()
    source = _("Imported from %(file)s") % {"file": name[:200]}
    author = _user(actor)
    author_id = author.pk if author is not None else None
    content_type_id = ContentType.objects.get_for_model(Project).pk
    new_ids = _insert_projects([new.values for new in plan.new], now)
    partner_ids = dict(Partner.objects.values_list("slug", "id"))
    updates: list[dict[str, Any]] = []
    needs: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    unlinked: list[int] = []
    entries: list[dict[str, Any]] = []

    def update_row(project_id: int, status: str) -> dict[str, Any]:
        return {"project_id": project_id, "date": today, "status": status, "percent_complete": None,
                "milestones": "", "progress": "", "partner_support": "", "challenges": "", "author_id": author_id,
                "source": source, "created_at": now, "updated_at": now}

    def entry_row(action: str, project_id: int, title: str, changes: dict[str, Any]) -> dict[str, Any]:
        return {"actor_id": author_id, "action": action, "content_type_id": content_type_id,
                "object_id": str(project_id), "object_repr": title[:200], "changes": changes, "via": via,
                "created_at": now}

    for pk, new in zip(new_ids, plan.new, strict=True):
        updates.append(update_row(pk, new.status))
        needs += [{"project_id": pk, "kind": kind, "details": ""} for kind in new.support]
        links += [{"project_id": pk, "partner_id": partner_ids[slug]} for slug in new.partners]
        created: dict[str, list[Any]] = {"import": [None, name[:200]]}
        if new.partners:
            created["partners"] = [None, new.partners]
        entries.append(entry_row(AuditAction.CREATE, pk, new.values["title"], created))
    changed_fields = {"search_text", "updated_at"}
    for changed in plan.changed:
        project = changed.project
        changes = {f: [plain(old), plain(getattr(project, f))] for f, old in changed.before.items()}
        changed_fields.update(changed.before)
        if changed.support is not None:
            SupportNeed.objects.filter(project=project).delete()
            needs += [{"project_id": project.pk, "kind": kind, "details": ""} for kind in changed.support[1]]
            changes["support"] = list(changed.support)
            project.support_kinds = support_kinds_value(changed.support[1])
            changed_fields.add("support_kinds")
        if changed.status is not None:
            updates.append(update_row(project.pk, changed.status))
            changes["status"] = [project.status, changed.status]
            project.status = changed.status
            changed_fields.add("status")
        if changed.partners is not None:
            unlinked.append(project.pk)
            links += [{"project_id": project.pk, "partner_id": partner_ids[slug]} for slug in changed.partners[1]]
            changes["partners"] = list(changed.partners)
        project.search_text = search_blob(project.title, project.reference, project.objective, project.description)
        project.updated_at = now
        entries.append(entry_row(AuditAction.UPDATE, project.pk, project.title, changes))
    if plan.changed:
        Project.objects.bulk_update([c.project for c in plan.changed], sorted(changed_fields), batch_size=BATCH)
    if unlinked:
        Project.partners.through.objects.filter(project_id__in=unlinked).delete()
    bulk.insert_values(ProgressUpdate, updates)
    bulk.insert_values(SupportNeed, needs)
    bulk.insert_values(Project.partners.through, links)
    bulk.insert_values(AuditEntry, entries)


def commit_import(actor: Actor, record: ProjectImport, via: str = "web") -> ImportSummary:
    """Commit a checked upload from its kept file (checked again: the data may have changed since)."""
    def rerun(name: str, data: bytes) -> ImportSummary:
        return import_projects(actor, name, data, commit=True, via=via, keep_file=False)[0]

    return imports.commit_kept(actor, record, rerun)
