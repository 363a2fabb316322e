"""Fetching the one record a page or an endpoint is about, through the permission layer.

Views and API handlers ask for a record by its address: if the user may not see it, it does not exist
for them (404, the same answer as for a wrong id, so drafts do not leak); if they may see it but not
change it, a change is forbidden (403). django-ninja turns both exceptions into the API's error shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from .permissions import can_edit

if TYPE_CHECKING:
    from .permissions import Actor

M = TypeVar("M", bound=models.Model)


def visible_or_404(rows: models.QuerySet[M], not_found: str, **lookup: Any) -> M:
    """The row of `rows` (already scoped to the user) matching `lookup`, or Http404(`not_found`)."""
    row = rows.filter(**lookup).first()
    if row is None:
        raise Http404(not_found)
    return row


def editable_or_403(user: Actor | None, rows: models.QuerySet[M], not_found: str, **lookup: Any) -> M:
    """The row of `rows` (already scoped to what the user sees) matching `lookup`, or Http404; and
    PermissionDenied (a 403) when the user may see it but not change it."""
    row = visible_or_404(rows, not_found, **lookup)
    if not can_edit(user, row):
        raise PermissionDenied(_("You may not change this record."))
    return row

