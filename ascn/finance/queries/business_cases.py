"""Reads of projects' business cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import BusinessCase

if TYPE_CHECKING:
    from ascn.core.permissions import Actor, ScopedQuerySet
    from ascn.plans.models import Project


def business_cases(user: Actor | None, project: Project) -> ScopedQuerySet[BusinessCase]:
    """The project's scenarios the user may see, the preferred one first."""
    return BusinessCase.objects.visible_to(user).filter(project=project).order_by("-is_preferred", "scenario")


def cases_with_projects(user: Actor | None) -> ScopedQuerySet[BusinessCase]:
    """Every scenario the user may see, with its project, city and author: the rows a page about one
    scenario is fetched from."""
    return BusinessCase.objects.visible_to(user).select_related("project__city__country", "created_by")
