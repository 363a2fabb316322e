"""Reads of projects' business cases."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..models import BusinessCase


def business_cases(user: Any, project: Any) -> QuerySet:
    """The project's scenarios the user may see, the preferred one first."""
    return BusinessCase.objects.visible_to(user).filter(project=project).order_by("-is_preferred", "scenario")


def cases_with_projects(user: Any) -> QuerySet:
    """Every scenario the user may see, with its project, city and author: the rows a page about one
    scenario is fetched from."""
    return BusinessCase.objects.visible_to(user).select_related("project__city__country", "created_by")
