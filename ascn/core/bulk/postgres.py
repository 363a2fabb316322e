"""PostgreSQL: COPY in text format, formatted column by column and fed through a queued writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any

from .base import BulkLoader, Columns, row_count

UPDATE_TABLE = "bulk_update"
UPDATE_CHUNK = 100_000


class PostgresLoader(BulkLoader):
    vendor = "postgresql"

    def insert(self, table: str, chunks: Iterable[Columns], constants: dict[str, Any]) -> int:
        """One COPY … FROM STDIN for every chunk. Each chunk is formatted column by column with C-level
        maps (psycopg's per-row `write_row` cost more than the server's insert) and handed to a queued
        writer, which sends it from its own thread while Python builds and formats the next chunk: the
        client and the server work at the same time."""
        from psycopg.copy import QueuedLibpqWriter

        written = 0
        copy, names = None, []
        # The raw psycopg cursor's errors become Django's (IntegrityError…), as through the ORM.
        with self.connection.cursor() as cursor, self.connection.wrap_database_errors, ExitStack() as stack:
            for columns in chunks:
                rows = row_count(columns)
                if not rows:
                    continue
                if copy is None:
                    names = list(columns)
                    raw = cursor.cursor
                    copy = stack.enter_context(raw.copy(
                        f"COPY {self.quote(table)} ({self.columns_sql([*names, *constants])}) FROM STDIN",
                        writer=QueuedLibpqWriter(raw)))
                copy.write(copy_text([columns[c] for c in names], list(constants.values())))
                written += rows
        return written

    def update(self, table: str, key: str, keys: list, columns: Columns, constants: dict[str, Any]) -> int:
        """COPY the new values with their keys into a temporary table, then one UPDATE … FROM it: one
        statement for the server to plan instead of one per row."""
        load, target = self.quote(UPDATE_TABLE), self.quote(table)
        names = self.columns_sql([*columns, key])
        settings = [f"{self.quote(c)} = u.{self.quote(c)}" for c in columns]
        settings += [f"{self.quote(c)} = %s" for c in constants]
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{load}")
            cursor.execute(f"CREATE TEMP TABLE {load} ON COMMIT DROP AS SELECT {names} FROM {target} WITH NO DATA")
            with self.connection.wrap_database_errors, cursor.cursor.copy(f"COPY {load} ({names}) FROM STDIN") as copy:
                lists = [*columns.values(), keys]
                for start in range(0, len(keys), UPDATE_CHUNK):
                    copy.write(copy_text([values[start:start + UPDATE_CHUNK] for values in lists], []))
            cursor.execute(f"UPDATE {target} AS o SET {', '.join(settings)} FROM {load} AS u "
                           f"WHERE o.{self.quote(key)} = u.{self.quote(key)}", list(constants.values()))
            cursor.execute(f"DROP TABLE {load}")
        return len(keys)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(columns: list[list], constants: list[Any]) -> str:
    """Rows for COPY's text format: `columns` of database values (None is NULL), then the same
    `constants` on every row. Formatted column by column (no Python call per value where the column
    has one type of number), the constants once."""
    formatted = [_copy_column(values) for values in columns]
    suffix = "".join("\t" + copy_value(value) for value in constants) + "\n"
    return suffix.join(map("\t".join, zip(*formatted, strict=True))) + suffix


def _copy_column(values: list) -> list[str]:
    if not values:
        return []
    kinds = set(map(type, values))
    if kinds == {int}:
        return list(map(str, values))
    if kinds == {float}:
        return list(map(repr, values))
    texts = {v: copy_value(v) for v in set(values)}  # repeated values (sources, periods) formatted once
    return list(map(texts.__getitem__, values))


def copy_value(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)
