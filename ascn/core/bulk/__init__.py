"""Fast bulk inserts for large imports.

`bulk_create` builds a model instance per row and compiles every value through the ORM, which costs
more than the database's own work at tens of thousands of rows. `insert_values` takes plain dicts and
converts only the values whose type needs it (dates, decimals, JSON…) with the field's own
conversion, once per distinct object when every row shares it (timestamps, empty lists). It then
streams the rows with `COPY … FROM STDIN` on PostgreSQL, and elsewhere sends one parametrised INSERT
per batch with `executemany`.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connections, models, router

# Values of these fields go to the database as they are on every supported backend.
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BigIntegerField, models.ForeignKey,
          models.PositiveSmallIntegerField, models.SmallIntegerField, models.BooleanField)


def insert_values(model: type[models.Model], rows: Sequence[dict[str, Any]], batch_size: int = 5000) -> int:
    """INSERT `rows` ({field name or attname: value}, all with the same keys) into `model`'s table."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    prepared = _prepared(rows, names, fields, connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
            return len(rows)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, prepared[start:start + batch_size])
    return len(rows)


def _as_is(field: Any, values: list) -> bool:
    """Whether a column's values can go to the driver unconverted: plain types, and decimals and dates
    that already are Decimal and date objects (both drivers adapt those; their fields would only copy
    them, at some microseconds a value)."""
    if isinstance(field, models.JSONField):
        return False
    if isinstance(field, _AS_IS):
        return True
    if isinstance(field, models.DecimalField):
        return all(v is None or isinstance(v, Decimal) for v in values)
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return all(v is None or type(v) is dt.date for v in values)
    return False


def _prepared(rows: Sequence[dict[str, Any]], names: list[str], fields: list[Any], connection: Any) -> list[list]:
    """The rows as lists of database values, each column converted by its field."""
    columns = []
    for name, field in zip(names, fields, strict=True):
        values = [row[name] for row in rows]
        if _as_is(field, values):
            columns.append(values)
            continue
        first = values[0]
        if all(value is first for value in values):  # one shared object: convert it once
            columns.append([field.get_db_prep_save(first, connection)] * len(values))
        else:
            columns.append([field.get_db_prep_save(value, connection) for value in values])
    return [list(row) for row in zip(*columns, strict=True)]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bounded bulk job.

    An import builds a few hundred thousand short-lived containers (rows, dicts, tuples); each burst of
    allocations starts a collection that walks every live object, which cost about a second of a
    50,000-row import. Reference counting still frees everything as usual; the collector runs again
    (and catches up) when the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
