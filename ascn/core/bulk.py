"""Fast bulk inserts for large imports.

`bulk_create` compiles every value through the ORM, which costs more than the database work at tens of
thousands of rows. `insert_many` prepares each value once with its field's own conversion and sends
one parametrised INSERT with `executemany`. Use it for rows whose primary keys are not needed back.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router


def insert_many(model: type[models.Model], objs: Sequence[models.Model], batch_size: int = 5000) -> int:
    """Insert `objs` (unsaved instances of `model`); auto_now(_add) fields are filled. Returns the count."""
    if not objs:
        return 0
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start:start + batch_size]
            rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in batch]
            cursor.executemany(sql, rows)
    return len(objs)
