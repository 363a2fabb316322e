"""Reads of projects' business cases."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..models import BusinessCase


def business_cases(user: Any, project: Any) -> QuerySet:
    """The project's scenarios the user may see, the preferred one first."""
    return BusinessCase.objects.visible_to(user).filter(project=project).order_by("-is_preferred", "scenario")


def business_case(user: Any, pk: int) -> BusinessCase:
    """One scenario with its project and city; raises BusinessCase.DoesNotExist."""
    return (BusinessCase.objects.visible_to(user).select_related("project__city__country", "created_by")
            .get(pk=pk))
