"""Reads of the framework."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from .choices import NodeKind
from .models import FrameworkNode

if TYPE_CHECKING:
    from ascn.core.permissions import Actor


def nodes(user: Actor | None, kind: str | None = None) -> QuerySet[FrameworkNode]:
    qs = FrameworkNode.objects.visible_to(user).select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("position", "code")


@dataclass(frozen=True)
class FrameworkView:
    outcomes: list[FrameworkNode]
    urban_systems: list[FrameworkNode]
    focus_areas: list[FrameworkNode]  # each with .children prefetched: its project types
    enablers: list[FrameworkNode]


def framework(user: Actor | None) -> FrameworkView:
    top = list(
        FrameworkNode.objects.visible_to(user)
        .filter(parent__isnull=True)
        .prefetch_related(Prefetch("children", queryset=FrameworkNode.objects.order_by("position")))
        .order_by("position")
    )
    by_kind: dict[str, list[FrameworkNode]] = {}
    for node in top:
        by_kind.setdefault(node.kind, []).append(node)
    return FrameworkView(
        outcomes=by_kind.get(NodeKind.OUTCOME, []), urban_systems=by_kind.get(NodeKind.URBAN_SYSTEM, []),
        focus_areas=by_kind.get(NodeKind.FOCUS_AREA, []), enablers=by_kind.get(NodeKind.ENABLER, []),
    )
