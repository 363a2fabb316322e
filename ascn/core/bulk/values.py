"""Model values to database values, column by column, for the bulk loaders.

A value reaches the database as the ORM would write it (`Field.get_db_prep_save`), but converted only
where its type needs it: plain strings, numbers and booleans go to the driver as they are (both
drivers adapt them; their fields would only copy them, at some microseconds a value), and a column
that holds the same object many times (a timestamp, an empty list) converts it once. JSON becomes its
text on every vendor, which both SQLite and PostgreSQL's COPY take as it is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.db import models

# Values of these fields go to the database as they are on every supported backend.
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.FloatField, models.BooleanField,
          models.ForeignKey)


def db_columns(model: type[models.Model], columns: Mapping[str, list], connection: Any) -> dict[str, list]:
    """{database column: [database value per row]} of `columns` ({field name or attname: [values]})."""
    converted = {}
    length = None
    for name, values in columns.items():
        values = list(values) if not isinstance(values, list) else values
        if length is None:
            length = len(values)
        elif len(values) != length:
            raise ValueError(f"bulk write: column {name!r} has {len(values)} values, the first has {length}")
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or field.column is None:
            raise ValueError(f"bulk write: {name!r} is not a column of {model.__name__}")
        converted[field.column] = db_values(field, values, connection)
    return converted


def db_values(field: Any, values: list, connection: Any) -> list:
    """`values` of `field` as the database takes them."""
    if not values or _as_is(field, values):
        return values
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def convert(value: Any) -> Any:
            return None if value is None else json.dumps(value, cls=encoder)
    else:
        def convert(value: Any) -> Any:
            return field.get_db_prep_save(value, connection)
    return _each_object_once(values, convert)


def _as_is(field: Any, values: list) -> bool:
    """Whether a column's values can go to the driver unconverted: plain types, and decimals and dates
    that already are Decimal and date objects."""
    if isinstance(field, models.JSONField):
        return False
    if isinstance(field, _AS_IS):
        return True
    if isinstance(field, models.DecimalField):
        return all(v is None or isinstance(v, Decimal) for v in values)
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return all(v is None or type(v) is dt.date for v in values)
    return False


def _each_object_once(values: list, convert: Callable[[Any], Any]) -> list:
    """`convert` applied to each distinct object of `values` once (found by identity, in C: a million
    rows sharing one empty list cost one conversion)."""
    keys = list(map(id, values))
    distinct = dict(zip(keys, values, strict=True))  # the list holds every object, so ids are unique
    if len(distinct) == 1:
        return [convert(values[0])] * len(values)
    done = {key: convert(value) for key, value in distinct.items()}
    return list(map(done.__getitem__, keys))
