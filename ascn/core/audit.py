"""Field-level change capture for the audit trail (used by every app's actions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile


def plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the audit log."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):  # a stored file is recorded by its name in the storage
        return value.name or None
    if isinstance(value, list | tuple | models.QuerySet):  # a QuerySet: a many-to-many field's new value
        return [plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj` (FKs as ids), keyed by field name, as Python values."""
    names = fields or [f.name for f in obj._meta.concrete_fields if not f.primary_key]
    return {name: getattr(obj, attname(obj, name)) for name in names}


def attname(obj: models.Model, name: str) -> str:
    """The attribute that holds field `name`'s database value (`country_id` for `country`)."""
    field = obj._meta.get_field(name)
    assert isinstance(field, models.Field), f"{name} is a relation, not a field"
    return field.attname


def as_json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in values.items()}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} (JSON-safe) for every field whose value changed (Decimal 16 == 16.0000)."""
    return {k: [plain(before.get(k)), plain(after[k])] for k in after if before.get(k) != after[k]}
