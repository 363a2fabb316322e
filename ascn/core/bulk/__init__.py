"""Bulk writes: many rows of one model at the database's own speed, one strategy per database.

`bulk_create` builds a model instance per row and compiles every value through the ORM, which costs
more than the database's own work at tens of thousands of rows. Here values are converted column by
column (`values.py`: only the columns whose type needs it, each distinct object once) and handed to
the connection's `BulkLoader` (`base.py` the portable one, `sqlite.py`, `postgres.py`), which holds
all the SQL, the text formatting and the session settings. Actions keep only policy: who may load,
what is checked, the audit entry.

- `insert_values(model, rows)`: rows as dicts ({field name or attname: value}, all with the same keys);
- `insert_columns(model, chunks, constants)`: the fast path for large loads — chunks of columns
  ({field: [values]}) produced lazily, plus values shared by every row, bound once;
- `update_by_id(model, ids, columns, constants)`: new values for rows found by primary key;
- `index_rebuilt(model, name, rows)`: drop an index before a load that at least doubles the table
  and build it again after (one sorted build instead of scattered inserts);
- `tuned_for_load(model, rows)`: the vendor's session settings for a large load, restored after;
- `collector_paused()`: Python's cyclic garbage collector off for a bounded bulk job.

Each write runs in a transaction (a savepoint inside the caller's): a failure leaves nothing of it
written. The loaders skip the ORM's per-row work, not the database's rules: constraints still hold.
Natural-key upserts are not offered: the importers match rows against what is stored themselves,
because they report created, updated and unchanged rows and audit the old values.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from django.db import connections, models, router, transaction

from .base import REBUILD_INDEX_MIN_ROWS, BulkLoader
from .postgres import PostgresLoader
from .sqlite import SQLiteLoader
from .values import db_columns

__all__ = ["REBUILD_INDEX_MIN_ROWS", "BulkLoader", "collector_paused", "index_rebuilt", "insert_columns",
           "insert_values", "loader_for", "tuned_for_load", "update_by_id"]

LOADERS: dict[str, type[BulkLoader]] = {"sqlite": SQLiteLoader, "postgresql": PostgresLoader}


def loader_for(model: type[models.Model]) -> BulkLoader:
    """The strategy of the database `model` is written to (the portable one for other vendors)."""
    connection = connections[router.db_for_write(model)]
    return LOADERS.get(connection.vendor, BulkLoader)(connection)


def insert_values(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> int:
    """INSERT `rows` ({field name or attname: value}, all with the same keys) into `model`'s table;
    returns the number of rows written."""
    if not rows:
        return 0
    columns = {name: list(map(itemgetter(name), rows)) for name in rows[0]}
    return insert_columns(model, [columns])


def insert_columns(model: type[models.Model], chunks: Iterable[Mapping[str, list]],
                   constants: Mapping[str, Any] | None = None) -> int:
    """INSERT rows given as chunks of columns ({field name or attname: [value per row]}, the same
    fields in every chunk), each row also taking `constants` ({field: value}, converted and bound
    once). Chunks are converted only when the loader asks for them, so a generator lets PostgreSQL
    store one chunk while the next is built. Returns the number of rows written."""
    loader = loader_for(model)
    fixed = db_columns(model, {name: [value] for name, value in (constants or {}).items()}, loader.connection)
    with transaction.atomic(using=loader.connection.alias):
        return loader.insert(model._meta.db_table, _converted(model, chunks, loader),
                             {c: v[0] for c, v in fixed.items()})


def _converted(model: type[models.Model], chunks: Iterable[Mapping[str, list]], loader: BulkLoader
               ) -> Iterator[dict[str, list]]:
    """Each chunk in database values, checking that every chunk has the first one's fields."""
    names = None
    for chunk in chunks:
        if names is None:
            names = set(chunk)
        elif set(chunk) != names:
            raise ValueError(f"bulk insert: a chunk has the fields {sorted(chunk)}, the first {sorted(names)}")
        yield db_columns(model, chunk, loader.connection)


def update_by_id(model: type[models.Model], ids: Sequence[Any], columns: Mapping[str, list],
                 constants: Mapping[str, Any] | None = None) -> int:
    """Set `columns` ({field: [new value per row]}) and `constants` ({field: value}) on the rows whose
    primary key is in `ids` (in the same order); returns the number of rows given."""
    if not len(ids):
        return 0
    loader = loader_for(model)
    key = str(model._meta.pk.column)
    converted = db_columns(model, columns, loader.connection)
    fixed = db_columns(model, {name: [value] for name, value in (constants or {}).items()}, loader.connection)
    with transaction.atomic(using=loader.connection.alias):
        return loader.update(model._meta.db_table, key, list(ids), converted, {c: v[0] for c, v in fixed.items()})


@contextmanager
def index_rebuilt(model: type[models.Model], name: str, rows: int, *,
                  min_rows: int = REBUILD_INDEX_MIN_ROWS) -> Iterator[None]:
    """Drop `model`'s index `name` for a load of `rows` (at least `min_rows`) new rows that at least
    doubles the table, and build it again afterwards (see `BulkLoader.index_rebuilt`). Use inside the
    load's transaction."""
    index = next(i for i in model._meta.indexes if i.name == name)
    with loader_for(model).index_rebuilt(model, index, rows, min_rows):
        yield


@contextmanager
def tuned_for_load(model: type[models.Model], rows: int) -> Iterator[None]:
    """The vendor's session settings for reading and writing `rows` rows of `model` (SQLite: a page
    cache large enough for the indexes the load touches), restored afterwards."""
    with loader_for(model).session(rows):
        yield


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
