"""Reads of the monitoring app shown to users, through the permission layer."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from ..models import Indicator, ReportingRound


def indicators(user: Any, family: str | None = None, dimension: str | None = None, level: str | None = None,
               text: str | None = None) -> QuerySet:
    """The indicator catalogue the user may see, optionally narrowed; `text` matches code or name."""
    qs = Indicator.objects.visible_to(user)
    if family:
        qs = qs.filter(family=family)
    if dimension:
        qs = qs.filter(dimension=dimension)
    if level:
        qs = qs.filter(level=level)
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(name__icontains=text))
    return qs.order_by("family", "code")


def dimensions(user: Any) -> list[str]:
    return list(Indicator.objects.visible_to(user).exclude(dimension="").order_by("dimension")
                .values_list("dimension", flat=True).distinct())


def indicator(user: Any, pk: int) -> Indicator:
    """One indicator; raises Indicator.DoesNotExist."""
    return Indicator.objects.visible_to(user).get(pk=pk)


def rounds(user: Any) -> QuerySet:
    """The reporting rounds, newest first, with the number of reporting cities."""
    return ReportingRound.objects.visible_to(user).annotate(city_count=Count("cities")).order_by("-year")
