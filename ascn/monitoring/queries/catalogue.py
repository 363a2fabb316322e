"""Reads of the monitoring app shown to users, through the permission layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Q
from django.utils import translation

from ascn.core.permissions import ScopedQuerySet
from ascn.core.text import fold

from ..models import Indicator, ReportingRound

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from ascn.core.permissions import Actor

    class CityCount(TypedDict):
        city_count: int  # the round's reporting cities

    RoundWithCityCount = WithAnnotations[ReportingRound, CityCount]


def indicators(user: Actor | None, family: str | None = None, dimension: str | None = None, level: str | None = None,
               text: str | None = None) -> ScopedQuerySet[Indicator]:
    """The indicator catalogue the user may see, optionally narrowed; `text` matches the code, the English name
    or the name in the reader's language (accents and case ignored: "dien nang" finds "Tiếp cận điện năng")."""
    qs = Indicator.objects.visible_to(user)
    if family:
        qs = qs.filter(family=family)
    if dimension:
        qs = qs.filter(dimension=dimension)
    if level:
        qs = qs.filter(level=level)
    if text:
        qs = qs.filter(Q(code__icontains=text) | Q(name__icontains=text) | Q(pk__in=_translated_matches(text)))
    return qs.order_by("family", "code")


def _translated_matches(text: str) -> list[int]:
    """Ids of the indicators whose name in the reader's language contains `text` (folded). The catalogue is a
    few hundred rows, so they are matched here rather than in each database's JSON functions."""
    language = (translation.get_language() or "en").split("-")[0]
    wanted = fold(text)
    if language == "en" or not wanted:
        return []
    return [pk for pk, i18n in Indicator.objects.values_list("pk", "i18n")
            if wanted in fold(((i18n or {}).get(language) or {}).get("name", ""))]


def dimensions(user: Actor | None) -> list[tuple[str, str]]:
    """The dimensions of the indicators the user sees, in English order: (the English label, which filters and
    assigns by dimension take, the label in the reader's language, from the indicators' translations)."""
    language = (translation.get_language() or "en").split("-")[0]
    labels: dict[str, str] = {}
    for english, i18n in Indicator.objects.visible_to(user).exclude(dimension="").values_list("dimension", "i18n"):
        labels[english] = labels.get(english) or ((i18n or {}).get(language) or {}).get("dimension", "")
    return [(english, labels[english] or english) for english in sorted(labels)]


def rounds(user: Actor | None) -> ScopedQuerySet[RoundWithCityCount]:
    """The reporting rounds, newest first, with the number of reporting cities."""
    return ReportingRound.objects.visible_to(user).annotate(city_count=Count("cities")).order_by("-year")
