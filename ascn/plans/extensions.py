"""The plans app's sections on other apps' pages (see core.panels), registered when the app starts.

On the workspace dashboard: a city officer's projects (and the Secretariat's links to record and import
projects), a National Representative's country's projects that still need support, and a partner's
projects (those its organisation takes part in, and where support is asked for). Each reads through the
permission layer in a fixed number of queries, whatever the number of projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q

from ascn.core.choices import Role
from ascn.core.panels import add_panel
from ascn.core.permissions import Principal

from .choices import ProjectStatus, SupportKind
from .models import Project, SupportNeed

if TYPE_CHECKING:
    from ascn.core.http import Request
    from ascn.core.permissions import Actor

LISTED = 10
# A project still needs the support it asks for while it is planned or under way.
STILL_NEEDED = Q(status__in=(ProjectStatus.PLANNING, ProjectStatus.ONGOING))


@dataclass(frozen=True)
class Listed:
    """A project as a dashboard lists it: with the labels of the support it asks for."""

    project: Project
    support: list[str]


def _listed(projects: list[Project]) -> list[Listed]:
    labels = dict(SupportKind.choices)
    return [Listed(p, [str(labels[k]) for k in p.support_kinds.strip("|").split("|") if k in labels])
            for p in projects]


def _projects(user: Actor | None, where: Q, order: tuple[str, ...]) -> tuple[list[Listed], int]:
    """The first LISTED projects the user may see matching `where`, and how many there are (two queries)."""
    rows = Project.objects.visible_to(user).filter(where)
    shown = list(rows.select_related("city__country").order_by(*order)[:LISTED])
    return _listed(shown), len(shown) if len(shown) < LISTED else rows.count()


def _support_counts(user: Actor | None, where: Q) -> list[tuple[str, str, int]]:
    """(kind, label, projects) for each kind of support asked for by the projects matching `where` (one query)."""
    found = dict(SupportNeed.objects.visible_to(user).filter(project__in=Project.objects.visible_to(user).filter(where))
                 .values_list("kind").annotate(n=Count("project", distinct=True)).values_list("kind", "n"))
    return [(kind, str(label), found[kind]) for kind, label in SupportKind.choices if found.get(kind)]


def own_projects(request: Request, obj: Any) -> dict[str, Any] | None:
    """Recording and importing projects, for the Secretariat and city officers; a city officer's projects."""
    principal = Principal.of(request.user)
    if principal.role == Role.SECRETARIAT:
        return {"projects": None}
    if principal.role != Role.CITY_OFFICER or not principal.city_id:
        return None
    listed, total = _projects(request.user, Q(city_id=principal.city_id), ("title", "id"))
    return {"projects": listed, "total": total, "more": total - len(listed)}


def country_projects(request: Request, obj: Any) -> dict[str, Any] | None:
    """A National Representative's country: its projects that ask for support and are planned or under way."""
    principal = Principal.of(request.user)
    if principal.role != Role.NATIONAL_REP or not principal.country_id:
        return None
    needing = Q(city__country_id=principal.country_id) & STILL_NEEDED & ~Q(support_kinds="")
    listed, total = _projects(request.user, needing, ("city__name", "title", "id"))
    return {"needing": listed, "needing_total": total, "more": total - len(listed),
            "kinds": _support_counts(request.user, needing)}


def partner_projects(request: Request, obj: Any) -> dict[str, Any] | None:
    """A partner's organisation's projects, and the network's projects that ask for support."""
    principal = Principal.of(request.user)
    if principal.role != Role.PARTNER or not principal.partner_id:
        return None
    listed, total = _projects(request.user, Q(partners=principal.partner_id), ("city__name", "title", "id"))
    return {"projects": listed, "total": total, "more": total - len(listed),
            "kinds": _support_counts(request.user, STILL_NEEDED & ~Q(support_kinds=""))}


add_panel("workspace.dashboard", "plans/_dashboard_projects.html", own_projects, order=30)
add_panel("workspace.dashboard", "plans/_dashboard_country_projects.html", country_projects, order=30)
add_panel("workspace.dashboard", "plans/_dashboard_partner_projects.html", partner_projects, order=30)
