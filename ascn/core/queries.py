"""Reads of the core app shown to users."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ApiToken


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A user's own tokens (nobody else's are ever listed in the workspace)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def editable_cities(user: Any) -> QuerySet:
    from ascn.network.models import City

    return City.objects.editable_by(user).select_related("country").order_by("country__name", "name")
