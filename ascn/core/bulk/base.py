"""The bulk-loading strategy: what every vendor's loader does, and the portable way of doing it.

A loader receives database values (converted by `values.py`) keyed by column name, and owns the SQL:
how rows are sent, how updates find their rows, which session settings a large load needs and how an
index is set aside during it. `SQLiteLoader` and `PostgresLoader` replace the parts where their
database has a faster way; anything else (another Django backend) uses these plain statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

Columns = dict[str, list]  # {database column: [database value per row]}

# Below this many new rows an index is kept through a load: rebuilding it would cost more than the
# scattered inserts it saves.
REBUILD_INDEX_MIN_ROWS = 100_000
EXECUTEMANY_BATCH = 10_000


def row_count(columns: Columns) -> int:
    return len(next(iter(columns.values()))) if columns else 0


def repeated(constants: dict[str, Any], rows: int) -> list[list]:
    """Each constant as a column of `rows` equal values."""
    return [[value] * rows for value in constants.values()]


def rows_of(columns: list[list]) -> list[tuple]:
    """Row tuples of equally long columns."""
    return list(zip(*columns, strict=True))


class BulkLoader:
    """Many-row writes on one connection: one parametrised statement per row through `executemany`."""

    vendor = ""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.quote = connection.ops.quote_name

    def insert(self, table: str, chunks: Iterable[Columns], constants: dict[str, Any]) -> int:
        """INSERT every chunk's rows ({column: values}, the same columns in each chunk), each row also
        taking `constants` ({column: value}). Returns the number of rows written."""
        written = 0
        with self.connection.cursor() as cursor:
            for columns in chunks:
                rows = row_count(columns)
                if not rows:
                    continue
                names = [*columns, *constants]
                sql = (f"INSERT INTO {self.quote(table)} ({self.columns_sql(names)}) "
                       f"VALUES ({', '.join(['%s'] * len(names))})")
                self.executemany(cursor, sql, rows_of([*columns.values(), *repeated(constants, rows)]))
                written += rows
        return written

    def update(self, table: str, key: str, keys: list, columns: Columns, constants: dict[str, Any]) -> int:
        """Set `columns` ({column: [value per row]}) and `constants` on the rows whose `key` column is
        `keys` (in the same order). Returns the number of rows given."""
        assignments = ", ".join(f"{self.quote(c)} = %s" for c in [*columns, *constants])
        sql = f"UPDATE {self.quote(table)} SET {assignments} WHERE {self.quote(key)} = %s"
        with self.connection.cursor() as cursor:
            self.executemany(cursor, sql, rows_of([*columns.values(), *repeated(constants, len(keys)), keys]))
        return len(keys)

    @contextmanager
    def session(self, rows: int) -> Iterator[None]:
        """Session settings for a load of `rows` rows, restored afterwards; none here."""
        yield

    @contextmanager
    def index_rebuilt(self, model: Any, index: Any, rows: int, min_rows: int = REBUILD_INDEX_MIN_ROWS
                      ) -> Iterator[None]:
        """For a load of `rows` new rows (at least `min_rows`) that at least doubles a large part of the
        table, drop `index` and build it again afterwards: one sorted build is cheaper than a million
        scattered inserts. Smaller loads keep it. Inside the load's transaction, so a failure leaves
        the index as it was (PostgreSQL holds the table's lock until the load commits)."""
        if rows < min_rows:
            yield
            return
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.quote(model._meta.db_table)}")
            stored = cursor.fetchone()[0]
        if rows * 2 < stored:
            yield
            return
        editor = self.connection.schema_editor(atomic=False)  # only to render the SQL; not entered
        editor.deferred_sql = []
        with self.connection.cursor() as cursor:
            cursor.execute(str(index.remove_sql(model, editor)))
            yield
            cursor.execute(str(index.create_sql(model, editor)))

    # Helpers for the strategies.

    def columns_sql(self, names: Iterable[str]) -> str:
        return ", ".join(map(self.quote, names))

    @staticmethod
    def executemany(cursor: Any, sql: str, rows: list[tuple]) -> None:
        for start in range(0, len(rows), EXECUTEMANY_BATCH):
            cursor.executemany(sql, rows[start:start + EXECUTEMANY_BATCH])
