"""SQLite: rows into a bare temporary table, then one INSERT … SELECT; a larger page cache for big loads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .base import BulkLoader, Columns, row_count, rows_of

LOAD_TABLE = "bulk_load"
LARGE_LOAD_ROWS = 10_000
CACHE_KIB = 512 * 1024


class SQLiteLoader(BulkLoader):
    vendor = "sqlite"

    def insert(self, table: str, chunks: Iterable[Columns], constants: dict[str, Any]) -> int:
        """Each chunk goes into a bare temporary table (no index, no AUTOINCREMENT, no trigger), then one
        INSERT … SELECT adds it to `table` with the constants: the table's AUTOINCREMENT counter and
        indexes are maintained in one statement instead of one per row, and a column with one value
        in every row of the chunk (an empty comment, the same source, the load's timestamp) is bound
        once instead of sent with every row."""
        written = 0
        quoted, load = self.quote(table), self.quote(LOAD_TABLE)
        with self.connection.cursor() as cursor:
            for columns in chunks:
                rows = row_count(columns)
                if not rows:
                    continue
                same = _single_valued(columns) if rows > 1 else {}
                fixed = {**constants, **same}
                varying = [c for c in columns if c not in same]
                names = self.columns_sql(varying)
                cursor.execute(f"DROP TABLE IF EXISTS temp.{load}")
                cursor.execute(f"CREATE TEMP TABLE {load} AS SELECT {names} FROM {quoted} WHERE 0")
                self.executemany(cursor, f"INSERT INTO temp.{load} VALUES ({', '.join(['%s'] * len(varying))})",
                                 rows_of([columns[c] for c in varying]))
                placeholders = "".join(", %s" for _value in fixed)
                cursor.execute(f"INSERT INTO {quoted} ({self.columns_sql([*varying, *fixed])}) "
                               f"SELECT {names}{placeholders} FROM temp.{load}", list(fixed.values()))
                cursor.execute(f"DROP TABLE temp.{load}")
                written += rows
        return written

    @contextmanager
    def session(self, rows: int) -> Iterator[None]:
        """A page cache large enough for the indexes a large load touches (the default 2 MB makes every
        insert into an index a read from disk), restored afterwards."""
        if rows < LARGE_LOAD_ROWS:
            yield
            return
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            before = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
        try:
            yield
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {before}")


def _single_valued(columns: Columns) -> dict[str, Any]:
    """{column: value} of the columns whose every value equals the first, keeping at least one column
    varying (the INSERT … SELECT needs a row per row). Floats are never folded (0.0 equals -0.0)."""
    same = {}
    for name, values in columns.items():
        first = values[0]
        if type(first) is not float and values.count(first) == len(values):
            same[name] = first
    if len(same) == len(columns):
        del same[next(iter(columns))]
    return same
