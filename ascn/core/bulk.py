"""Fast bulk inserts for large imports.

`bulk_create` builds a model instance per row and compiles every value through the ORM, which costs
more than the database's own work at tens of thousands of rows. `insert_values` takes plain dicts,
converts only the values whose type needs it (dates, decimals, JSON…) with the field's own
conversion, and sends one parametrised INSERT per batch with `executemany`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router

# Values of these fields go to the database as they are on every supported backend.
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BigIntegerField, models.ForeignKey,
          models.PositiveSmallIntegerField, models.SmallIntegerField)


def insert_values(model: type[models.Model], rows: Sequence[dict[str, Any]], batch_size: int = 5000) -> int:
    """INSERT `rows` ({field name or attname: value}, all with the same keys) into `model`'s table."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]
    converters = [None if isinstance(f, _AS_IS) and not isinstance(f, models.JSONField) else f for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            prepared = [
                [value if field is None else field.get_db_prep_save(value, connection)
                 for field, value in zip(converters, (row[name] for name in names), strict=True)]
                for row in rows[start:start + batch_size]
            ]
            cursor.executemany(sql, prepared)
    return len(rows)
