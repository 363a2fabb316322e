"""Reads of the core app shown to users."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ApiToken


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A user's own tokens (nobody else's are ever listed in the workspace)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")
