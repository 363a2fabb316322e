"""A project's change history as its page shows it: the project's audit entries and its progress updates',
in words (`core.history`), with what other apps contribute to the slot "plans.project" (the monitoring app:
the annual reports whose acceptance recorded a progress update)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _

from ascn.core import history
from ascn.core.history import EMPTY, Item, Value, text_value
from ascn.core.models import AuditEntry
from ascn.framework.models import FrameworkNode
from ascn.network.models import Partner

from .choices import SupportKind
from .models import ProgressUpdate, Project

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

SLOT = "plans.project"


def entries(project: Project) -> list[AuditEntry]:
    """The audit entries of the project and of its progress updates, newest first."""
    types = ContentType.objects.get_for_models(Project, ProgressUpdate)
    update_ids = [str(pk) for pk in project.updates.values_list("pk", flat=True)]
    return list(AuditEntry.objects.filter(
        Q(content_type=types[Project], object_id=str(project.pk))
        | Q(content_type=types[ProgressUpdate], object_id__in=update_ids)).select_related("actor")
        .order_by("-created_at", "-id"))


def timeline(user: Actor | None, project: Project) -> list[AuditEntry | Item]:
    """The project's entries and the contributed events, newest first (unrendered: a page renders only
    what it shows, with `render`)."""
    items: list[AuditEntry | Item] = [*entries(project), *history.contributed(SLOT, user, project)]
    return sorted(items, key=lambda item: item.created_at if isinstance(item, AuditEntry) else item.at, reverse=True)


def render(rows: list[AuditEntry | Item]) -> list[Item]:
    """A page of the timeline as Items: each audit entry's fields by name and value as people know them."""
    audit = [row for row in rows if isinstance(row, AuditEntry)]
    project_type = ContentType.objects.get_for_model(Project)
    of_projects = [e for e in audit if e.content_type_id == project_type.pk]
    of_updates = [e for e in audit if e.content_type_id != project_type.pk]
    shown: dict[int, Item] = {}
    extra = _project_extra(of_projects)
    for entry, lines in zip(of_projects, history.describe(Project, of_projects, extra), strict=True):
        shown[entry.pk] = Item(entry.created_at, entry.actor, _project_title(entry.action), lines, entry.via,
                               kind=entry.action)
    dates = dict(ProgressUpdate.objects.filter(pk__in=[int(e.object_id) for e in of_updates])
                 .values_list("pk", "date"))
    for entry, lines in zip(of_updates, history.describe(ProgressUpdate, of_updates,
                                                          hidden=("project", "author")), strict=True):
        shown[entry.pk] = Item(entry.created_at, entry.actor, _update_title(entry, dates.get(int(entry.object_id))),
                               lines, entry.via, kind=entry.action)
    return [shown[row.pk] if isinstance(row, AuditEntry) else row for row in rows]


def _project_title(action: str) -> str:
    return {"create": _("Project recorded"), "update": _("Project changed"),
            "delete": _("Project deleted")}.get(action, action)


def _update_title(entry: AuditEntry, date: Any) -> str:
    when = history.date_text(date) if date else "—"
    if entry.action == "create":
        return _("Progress update of %(date)s added") % {"date": when}
    return _("Progress update of %(date)s changed") % {"date": when}


def _project_extra(entries_: list[AuditEntry]) -> dict[str, history.Extra]:
    """How the project's keys that are not fields read: support, partners, framework tags, files."""
    slugs = {slug for e in entries_ for pair in [e.changes.get("partners")] if isinstance(pair, list)
             for side in pair if isinstance(side, list) for slug in side}
    partners = dict(Partner.objects.filter(slug__in=slugs).values_list("slug", "name")) if slugs else {}
    codes = {code for e in entries_ for key in ("framework_primary", "framework_secondary")
             for side in (e.changes.get(key) or []) for code in (side if isinstance(side, list) else [side]) if code}
    nodes = {n.code: n.display_name for n in FrameworkNode.objects.filter(code__in=codes)} if codes else {}

    def partner_names(value: Any) -> Value:
        return text_value("; ".join(partners.get(slug) or str(slug) for slug in value)) if value else EMPTY

    def node_names(value: Any) -> Value:
        values = value if isinstance(value, list) else [value]
        return text_value("; ".join(nodes.get(code) or str(code) for code in values)) if values else EMPTY

    return {
        "support": (_("Support required"), _support),
        "partners": (_("Partners involved"), partner_names),
        "framework_primary": (_("Primary framework tag"), node_names),
        "framework_secondary": (_("Other framework tags"), node_names),
        "documents": (_("Document"), lambda value: text_value(str(value))),
        "import": (_("Imported from the file"), lambda value: text_value(str(value))),
    }


def _support(value: Any) -> Value:
    """Support needs as recorded: {kind: details} from the forms, [kinds] from imports."""
    labels = dict(SupportKind.choices)
    if isinstance(value, dict):
        parts = [f"{labels.get(kind, kind)} ({details})" if details else str(labels.get(kind, kind))
                 for kind, details in value.items()]
    else:
        parts = [str(labels.get(kind, kind)) for kind in value]
    return text_value("; ".join(parts)) if parts else EMPTY
