"""The fast analytical path of monitoring: DuckDB over a Parquet snapshot of the observations, targets,
baselines, cities and indicators. No Django import: the Django layer (`queries.analysis`) hands plain row
iterators to `write_snapshot` and calls the query functions with plain ids, years and a `Visibility`.

A snapshot is a directory of Parquet files (one per table in `SCHEMAS`, plus the derived `yearly`: each
city's last value of an indicator in each year, its observation count, open flags and entry times) and a
`meta.json` written last, so a directory with `meta.json` is complete. Snapshots are never changed in
place: a new one is written beside the old and renamed into place.

The scorecard rule is written twice: in `scorecard.py` for one city (Python, with explanations) and in
`RAG_SQL` here for the network (vectorised); tests check both agree.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from ascn.core.periods import Period

from . import scorecard

POPULATION_CODE, AREA_CODE = "ASCN-POP", "ASCN-AREA"
CHUNK_ROWS = 50_000
META_FILE = "meta.json"
FORMAT_VERSION = 2  # 2: cities carry their names and their country's in Vietnamese and Thai

# Table -> columns (name, DuckDB type). Writers give rows as tuples in this column order.
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    # name_vi / name_th: the city's local name for readers of its country's language, else ""; country_vi /
    # country_th: the country's translated name ("" when none). name_column() falls back to the English.
    "cities": [("city_id", "INTEGER"), ("slug", "VARCHAR"), ("name", "VARCHAR"), ("name_vi", "VARCHAR"),
               ("name_th", "VARCHAR"), ("country_id", "INTEGER"), ("country", "VARCHAR"), ("country_vi", "VARCHAR"),
               ("country_th", "VARCHAR"), ("country_iso3", "VARCHAR")],
    "indicators": [("indicator_id", "INTEGER"), ("code", "VARCHAR"), ("name", "VARCHAR"), ("name_vi", "VARCHAR"),
                   ("name_th", "VARCHAR"), ("unit", "VARCHAR"), ("direction", "VARCHAR"), ("aggregation", "VARCHAR"),
                   ("is_published", "BOOLEAN")],
    # Focus areas and outcomes an indicator is tagged with (a project type counts for its focus area).
    "indicator_nodes": [("indicator_id", "INTEGER"), ("kind", "VARCHAR"), ("node_code", "VARCHAR"),
                        ("node_name", "VARCHAR"), ("node_name_vi", "VARCHAR"), ("node_name_th", "VARCHAR"),
                        ("position", "INTEGER")],
    "assignments": [("city_id", "INTEGER"), ("indicator_id", "INTEGER"), ("baseline_value", "DOUBLE"),
                    ("baseline_year", "SMALLINT")],
    "targets": [("city_id", "INTEGER"), ("indicator_id", "INTEGER"), ("year", "SMALLINT"), ("value", "DOUBLE")],
    # The reporting rounds, each with the first moment (UTC) after its deadline: scored when written.
    "rounds": [("year", "SMALLINT"), ("cutoff", "TIMESTAMP")],
    # created_at: UTC, without time zone.
    "observations": [("city_id", "INTEGER"), ("indicator_id", "INTEGER"), ("period", "VARCHAR"),
                     ("period_key", "INTEGER"), ("year", "SMALLINT"), ("value", "DOUBLE"),
                     ("open_flags", "BOOLEAN"), ("created_at", "TIMESTAMP")],
}
SORT_ORDER = {
    "cities": "city_id", "indicators": "indicator_id", "indicator_nodes": "indicator_id, kind, position",
    "assignments": "city_id, indicator_id", "targets": "city_id, indicator_id, year",
    "observations": "indicator_id, city_id, period_key", "rounds": "year",
    "yearly": "year, indicator_id, city_id", "round_scores": "round_year, city_id, indicator_id",
}
TABLES = (*SCHEMAS, "yearly", "round_scores")

# Per city, indicator and year: the last value, its period, counts, entry times, and the target that year's
# values are measured against (the nearest target year on or after it, else the last target).
YEARLY_SQL = """
WITH y AS (
    SELECT city_id, indicator_id, year, arg_max(value, period_key) AS last_value,
           arg_max(period, period_key) AS last_period, max(period_key) AS last_period_key,
           count(*)::INTEGER AS n, (count(*) FILTER (WHERE open_flags))::INTEGER AS n_open_flags,
           list(created_at ORDER BY created_at) AS created
    FROM observations GROUP BY city_id, indicator_id, year)
SELECT y.*, coalesce(ta.value, tb.value) AS target, coalesce(ta.year, tb.year) AS target_year
FROM y
ASOF LEFT JOIN targets ta ON y.city_id = ta.city_id AND y.indicator_id = ta.indicator_id AND y.year <= ta.year
ASOF LEFT JOIN targets tb ON y.city_id = tb.city_id AND y.indicator_id = tb.indicator_id AND y.year >= tb.year
"""

# Every assignment scored for a round ($year, $cutoff): RAG status and the round year's counts.
SCORED_SQL = """
WITH latest AS (
    SELECT city_id, indicator_id, max(year) AS latest_year, arg_max(last_value, year) AS latest,
           arg_max(target, year) AS target, arg_max(target_year, year) AS target_year
    FROM yearly WHERE year <= $year GROUP BY city_id, indicator_id),
round_year AS (
    SELECT city_id, indicator_id, n, n_open_flags, len(list_filter(created, lambda t: t < $cutoff)) AS on_time
    FROM yearly WHERE year = $year)
SELECT city_id, indicator_id, rag_of(direction, reached, baseline_missing, target_is_baseline, raw, expected) AS status,
       n, on_time, n_open_flags
FROM (
    SELECT a.city_id, a.indicator_id, i.direction, is_reached(l.latest, l.target, i.direction) AS reached,
           a.baseline_value IS NULL OR a.baseline_year IS NULL AS baseline_missing,
           l.target = a.baseline_value AS target_is_baseline, raw_progress(l.latest, a.baseline_value, l.target) AS raw,
           expected_progress(a.baseline_year, l.target_year, l.latest_year) AS expected,
           coalesce(r.n, 0)::INTEGER AS n, coalesce(r.on_time, 0)::INTEGER AS on_time,
           coalesce(r.n_open_flags, 0)::INTEGER AS n_open_flags
    FROM assignments a JOIN indicators i USING (indicator_id)
    LEFT JOIN latest l USING (city_id, indicator_id) LEFT JOIN round_year r USING (city_id, indicator_id))
"""

# Mirrors scorecard.expected_progress / progress / rag (see that module's docstring for the rule).
MACROS = """
CREATE OR REPLACE MACRO expected_progress(baseline_year, target_year, yr) AS
  CASE WHEN baseline_year IS NULL OR target_year IS NULL OR yr IS NULL THEN NULL
       WHEN target_year <= baseline_year THEN 1.0::DOUBLE
       ELSE least(greatest((yr - baseline_year)::DOUBLE / (target_year - baseline_year), 0.0), 1.0) END;
CREATE OR REPLACE MACRO is_reached(latest, target, direction) AS
  CASE direction WHEN 'higher' THEN latest >= target WHEN 'lower' THEN latest <= target ELSE NULL END;
CREATE OR REPLACE MACRO raw_progress(latest, baseline, target) AS
  CASE WHEN latest IS NULL OR baseline IS NULL OR target IS NULL OR target = baseline THEN NULL
       ELSE (latest - baseline) / (target - baseline) END;
CREATE OR REPLACE MACRO rag_of(direction, reached, baseline_missing, target_is_baseline, raw, expected) AS
  CASE WHEN direction IS NULL OR direction NOT IN ('higher', 'lower') OR reached IS NULL THEN NULL
       WHEN reached THEN 'green'
       WHEN baseline_missing THEN NULL
       WHEN target_is_baseline THEN 'red'
       WHEN raw >= expected THEN 'green'
       WHEN raw >= 0.8::DOUBLE * expected THEN 'amber'
       ELSE 'red' END;
CREATE OR REPLACE MACRO rag(latest, latest_year, baseline, baseline_year, target, target_year, direction) AS
  rag_of(direction, is_reached(latest, target, direction), baseline IS NULL OR baseline_year IS NULL,
         target = baseline, raw_progress(latest, baseline, target),
         expected_progress(baseline_year, target_year, latest_year));
"""


class SnapshotError(RuntimeError):
    """A snapshot directory is missing, incomplete or of another format version."""


@dataclass(frozen=True)
class Visibility:
    """Which rows a caller may see, mirroring `Observation.access`: everything (`all`), or the published
    indicators plus, for a National Representative or a city officer, every indicator of their own country
    or city."""

    all: bool = False
    country_id: int | None = None
    city_id: int | None = None

    def sql(self, indicators: str = "i", cities: str = "c") -> str:
        """A SQL condition over the aliases of the indicators and cities tables (ids are ints, inlined)."""
        if self.all:
            return "TRUE"
        parts = [f"{indicators}.is_published"]
        if self.country_id is not None:
            parts.append(f"{cities}.country_id = {int(self.country_id)}")
        if self.city_id is not None:
            parts.append(f"{cities}.city_id = {int(self.city_id)}")
        return "(" + " OR ".join(parts) + ")"


PUBLIC = Visibility()
EVERYTHING = Visibility(all=True)


# --- Writing ---------------------------------------------------------------------------------------------


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _column(values: Sequence[Any], sql_type: str) -> np.ndarray:
    """A NumPy column DuckDB scans: NaN stands for NULL in numbers, None in text, NaT in timestamps."""
    if sql_type in ("INTEGER", "SMALLINT", "DOUBLE"):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if sql_type == "BOOLEAN":
        return np.array([bool(v) for v in values], dtype=bool)
    if sql_type == "TIMESTAMP":
        return np.array(values, dtype="datetime64[us]")
    return np.array(values, dtype=object)


def _load(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Sequence[Any]], chunk_rows: int) -> int:
    columns = SCHEMAS[table]
    con.execute(f"CREATE TABLE {table} ({', '.join(f'{name} {kind}' for name, kind in columns)})")
    casts = ", ".join(f"{name}::{kind}" for name, kind in columns)
    count = 0
    for chunk in _chunks(rows, chunk_rows):
        by_column = list(zip(*chunk, strict=True))
        if len(by_column) != len(columns):
            raise ValueError(f"{table}: rows have {len(by_column)} values for {len(columns)} columns")
        con.register("chunk", {name: _column(by_column[i], kind) for i, (name, kind) in enumerate(columns)})
        con.execute(f"INSERT INTO {table} SELECT {casts} FROM chunk")
        con.unregister("chunk")
        count += len(chunk)
    return count


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_tables(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
    """Derive `yearly` and `round_scores` from the connection's snapshot tables and write every table as
    Parquet into `directory`."""
    con.execute(MACROS)
    con.execute(f"CREATE OR REPLACE TABLE yearly AS {YEARLY_SQL}")
    con.execute("CREATE OR REPLACE TABLE round_scores (round_year SMALLINT, cutoff TIMESTAMP, city_id INTEGER, "
                "indicator_id INTEGER, status VARCHAR, n INTEGER, on_time INTEGER, n_open_flags INTEGER)")
    for year, cutoff in con.execute("SELECT DISTINCT year, cutoff FROM rounds").fetchall():
        con.execute(f"INSERT INTO round_scores SELECT $year, $cutoff, * FROM ({SCORED_SQL})",
                    {"year": year, "cutoff": cutoff})
    for table in TABLES:
        order = SORT_ORDER.get(table)
        source = f"(SELECT * FROM {table} ORDER BY {order})" if order else table
        con.execute(f"COPY {source} TO {_quoted(directory / f'{table}.parquet')} (FORMAT parquet)")


def rounds_meta(con: duckdb.DuckDBPyConnection) -> list[list[str | int]]:
    """The rounds scored into `round_scores`, for the snapshot's meta ([year, cutoff ISO])."""
    return [[int(y), c.isoformat()] for y, c in con.execute("SELECT year, cutoff FROM rounds ORDER BY year").fetchall()]


def write_snapshot(target: Path, tables: Mapping[str, Iterable[Sequence[Any]]], meta: Mapping[str, Any],
                   chunk_rows: int = CHUNK_ROWS) -> Path:
    """Write a complete snapshot to `target` from row iterators (one per table of `SCHEMAS`) and return it.

    Written into a temporary sibling directory and renamed into place; if another process finished the
    same snapshot first, its copy is kept and ours discarded.
    """
    missing = set(SCHEMAS) - set(tables)
    if missing:
        raise ValueError(f"write_snapshot: no rows given for {', '.join(sorted(missing))}")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.parent / f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    work.mkdir()
    try:
        con = duckdb.connect()
        try:
            counts = {name: _load(con, name, tables[name], chunk_rows) for name in SCHEMAS}
            export_tables(con, work)
            scored = rounds_meta(con)
        finally:
            con.close()
        write_meta(work, {**meta, "scored_rounds": scored}, counts)
        try:
            work.rename(target)
        except OSError:
            if not (target / META_FILE).exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def write_meta(directory: Path, meta: Mapping[str, Any], counts: Mapping[str, int]) -> None:
    """Write `meta.json`, the mark of a complete snapshot (so write it last)."""
    body = {**meta, "format": FORMAT_VERSION, "rows": dict(counts),
            "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    (Path(directory) / META_FILE).write_text(json.dumps(body, sort_keys=True, default=str), encoding="utf-8")


def is_complete(directory: Path) -> bool:
    return (Path(directory) / META_FILE).is_file()


def remove_other_snapshots(root: Path, *keep: Path) -> None:
    """Delete the snapshots under `root` other than those in `keep` (the new one and the one it replaces, which
    requests may still be reading)."""
    kept = {Path(k) for k in keep}
    for child in Path(root).iterdir() if Path(root).is_dir() else ():
        if child.is_dir() and child.name.startswith("snapshot-") and child not in kept:
            shutil.rmtree(child, ignore_errors=True)


# --- Reading ---------------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """An open snapshot: its directory, its meta and (per thread) a DuckDB connection with one view per table."""

    path: Path
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> Snapshot:
        path = Path(path)
        if not is_complete(path):
            raise SnapshotError(f"{path} is not a complete snapshot")
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise SnapshotError(f"{path} has format {meta.get('format')!r}, not {FORMAT_VERSION}")
        return cls(path, meta)

    def connection(self) -> duckdb.DuckDBPyConnection:
        return _thread_connection(self.path)

    def rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        cursor = self.connection().execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def columns(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
        return self.connection().execute(sql, params or []).fetchnumpy()


_local = threading.local()


def _thread_connection(path: Path) -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB connection per thread and snapshot, with views over its Parquet files."""
    cached = getattr(_local, "snapshot", None)
    if cached is not None and cached[0] == path:
        return cached[1]
    if cached is not None:
        cached[1].close()
    con = duckdb.connect()
    threads = os.environ.get("ASCN_ANALYTICS_THREADS")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    for table in TABLES:
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({_quoted(path / f'{table}.parquet')})")
    con.execute(MACROS)
    _local.snapshot = (path, con)
    return con


def close_thread_connection() -> None:
    cached = getattr(_local, "snapshot", None)
    if cached is not None:
        cached[1].close()
        _local.snapshot = None


def name_column(language: str, table: str = "i", column: str = "name") -> str:
    """The translated name column with the English fallback."""
    if language in ("vi", "th"):
        return f"coalesce(nullif({table}.{column}_{language}, ''), {table}.{column})"
    return f"{table}.{column}"


def _ids(values: Iterable[int] | None) -> list[int] | None:
    return None if values is None else [int(v) for v in values]


# --- City scorecard ---------------------------------------------------------------------------------------


def city_scorecard(snap: Snapshot, city_id: int, year: int, cutoff: dt.datetime, vis: Visibility,
                   language: str = "en") -> list[dict[str, Any]]:
    """One row per indicator assigned to the city (visible to the caller): baseline, latest value up to
    `year`, the last 5 values (oldest first, for the trend), the targets, and the round year's counts
    (observations, entered before `cutoff`, with open flags). Ordered by indicator code."""
    return snap.rows(f"""
        WITH obs AS (
            SELECT indicator_id, period, period_key, year, value, open_flags, created_at
            FROM observations WHERE city_id = $city AND year <= $year),
        latest AS (
            SELECT indicator_id, arg_max(value, period_key) AS latest_value,
                   arg_max(period, period_key) AS latest_period, arg_max(year, period_key) AS latest_year,
                   list(value ORDER BY period_key DESC)[1:{scorecard.TREND_WINDOW}] AS recent,
                   count(*) FILTER (WHERE year = $year) AS n,
                   count(*) FILTER (WHERE year = $year AND created_at < $cutoff) AS on_time,
                   count(*) FILTER (WHERE year = $year AND open_flags) AS open_flags
            FROM obs GROUP BY indicator_id),
        tg AS (
            SELECT indicator_id, list(struct_pack(year := year, value := value) ORDER BY year) AS targets
            FROM targets WHERE city_id = $city GROUP BY indicator_id)
        SELECT i.indicator_id, i.code, {name_column(language)} AS name, i.unit, i.direction, i.aggregation,
               i.is_published, a.baseline_value, a.baseline_year, l.latest_value, l.latest_period, l.latest_year,
               coalesce(list_reverse(l.recent), []) AS recent, coalesce(tg.targets, []) AS targets,
               coalesce(l.n, 0) AS n, coalesce(l.on_time, 0) AS on_time, coalesce(l.open_flags, 0) AS open_flags
        FROM assignments a JOIN indicators i USING (indicator_id) JOIN cities c USING (city_id)
        LEFT JOIN latest l USING (indicator_id) LEFT JOIN tg USING (indicator_id)
        WHERE a.city_id = $city AND {vis.sql()}
        ORDER BY i.code""", {"city": int(city_id), "year": int(year), "cutoff": cutoff})


# --- Network scorecard ------------------------------------------------------------------------------------


def network_scorecard(snap: Snapshot, year: int, cutoff: dt.datetime, vis: Visibility,
                      city_ids: Iterable[int] | None = None, language: str = "en") -> list[dict[str, Any]]:
    """One row per city (the given ones, else every city in the snapshot), ordered by (English) name, with the
    city's and its country's names in `language`: indicators
    assigned (visible to the caller), counts by RAG status, and the round year's data quality.

    A round known when the snapshot was written was scored then (`round_scores`); any other year and
    deadline is scored now with the same SQL."""
    ids = _ids(city_ids)
    city_filter = "list_contains($cities, c.city_id)" if ids is not None else "TRUE"
    params: dict[str, Any] = {"year": int(year), "cutoff": cutoff}
    if ids is not None:
        params["cities"] = ids
    if [int(year), cutoff.isoformat()] in snap.meta.get("scored_rounds", []):
        scored = ("SELECT city_id, indicator_id, status, n, on_time, n_open_flags FROM round_scores "
                  "WHERE round_year = $year AND cutoff = $cutoff")
    else:
        scored = SCORED_SQL
    return snap.rows(f"""
        WITH scored AS ({scored}),
        per_city AS (
            SELECT s.city_id, count(*) AS assigned,
                   count(*) FILTER (WHERE status = 'green') AS green,
                   count(*) FILTER (WHERE status = 'amber') AS amber,
                   count(*) FILTER (WHERE status = 'red') AS red,
                   count(*) FILTER (WHERE status IS NULL) AS not_rated,
                   count(*) FILTER (WHERE n > 0) AS with_value,
                   sum(n)::BIGINT AS observations, sum(on_time)::BIGINT AS on_time,
                   sum(n_open_flags)::BIGINT AS open_flags
            FROM scored s JOIN indicators i USING (indicator_id) JOIN cities c USING (city_id)
            WHERE {vis.sql()} AND {city_filter} GROUP BY s.city_id)
        SELECT c.city_id, c.slug, {name_column(language, "c")} AS name,
               {name_column(language, "c", "country")} AS country, c.country_iso3,
               coalesce(p.assigned, 0) AS assigned, coalesce(p.green, 0) AS green, coalesce(p.amber, 0) AS amber,
               coalesce(p.red, 0) AS red, coalesce(p.not_rated, 0) AS not_rated,
               coalesce(p.with_value, 0) AS with_value, coalesce(p.observations, 0) AS observations,
               coalesce(p.on_time, 0) AS on_time, coalesce(p.open_flags, 0) AS open_flags
        FROM cities c LEFT JOIN per_city p USING (city_id)
        WHERE {city_filter}
        ORDER BY c.name, c.city_id""", params)


# --- Values of a period -------------------------------------------------------------------------------------


def _period_values_sql(period: str, indicator_filter: str) -> str:
    """Each city's value of the period: a year ("2025") takes the city's last value within it; a quarter or
    month matches exactly. Columns: city_id, indicator_id, period, year, value."""
    if Period.parse(period).is_year:
        return (f"SELECT city_id, indicator_id, last_period AS period, year, last_value AS value FROM yearly "
                f"WHERE year = $year AND {indicator_filter}")
    return (f"SELECT city_id, indicator_id, period, year, value FROM observations "
            f"WHERE period = $period AND {indicator_filter}")


def _period_params(period: str) -> dict[str, Any]:
    """$year always; $period only when the period is not a whole year (DuckDB refuses unused parameters)."""
    parsed = Period.parse(period)
    params: dict[str, Any] = {"year": parsed.year}
    if not parsed.is_year:
        params["period"] = period
    return params


def _context_sql(code: str, alias: str, vis: Visibility) -> str:
    """A city's latest value of a context indicator (population, area) in a year up to $year."""
    return f"""{alias} AS (
        SELECT y.city_id, arg_max(y.last_value, y.year) AS value, max(y.year) AS year
        FROM yearly y JOIN indicators i USING (indicator_id) JOIN cities c USING (city_id)
        WHERE i.code = '{code}' AND y.year <= $year AND {vis.sql()} GROUP BY y.city_id)"""


def _targets_sql() -> str:
    """The target of each value: the nearest target year >= the value's year, else the last target."""
    return """tg AS (
        SELECT v.city_id, v.indicator_id,
               coalesce(arg_min(t.value, t.year) FILTER (WHERE t.year >= v.year), arg_max(t.value, t.year)) AS target,
               coalesce(min(t.year) FILTER (WHERE t.year >= v.year), max(t.year)) AS target_year
        FROM vals v JOIN targets t USING (city_id, indicator_id) GROUP BY v.city_id, v.indicator_id)"""


def compare(snap: Snapshot, indicator_id: int, period: str, vis: Visibility, language: str = "en"
            ) -> list[dict[str, Any]]:
    """Every city's value of one indicator for a period, with its target, population and area (the
    latest on or before the period's year; None when not reported), the city's and its country's names in
    `language`. Ordered by value, highest first."""
    return snap.rows(f"""
        WITH vals AS ({_period_values_sql(period, "indicator_id = $indicator")}),
        {_targets_sql()},
        {_context_sql(POPULATION_CODE, "pop", vis)},
        {_context_sql(AREA_CODE, "area", vis)}
        SELECT c.city_id, c.slug, {name_column(language, "c")} AS name,
               {name_column(language, "c", "country")} AS country, c.country_iso3, v.period, v.value, tg.target,
               tg.target_year,
               pop.value AS population, pop.year AS population_year, area.value AS area, area.year AS area_year
        FROM vals v JOIN cities c USING (city_id) JOIN indicators i USING (indicator_id)
        LEFT JOIN tg USING (city_id, indicator_id) LEFT JOIN pop USING (city_id) LEFT JOIN area USING (city_id)
        WHERE {vis.sql()}
        ORDER BY v.value DESC, c.name""", {"indicator": int(indicator_id), **_period_params(period)})


def periods(snap: Snapshot, indicator_id: int, vis: Visibility) -> list[str]:
    """The periods with values of an indicator (visible to the caller), newest first, and each year that
    has only sub-year periods as well (so a year can always be compared)."""
    rows = snap.connection().execute(f"""
        SELECT DISTINCT o.period, o.period_key FROM observations o JOIN indicators i USING (indicator_id)
        JOIN cities c USING (city_id) WHERE o.indicator_id = $indicator AND {vis.sql()}
        UNION SELECT DISTINCT y.year::VARCHAR, y.year::INTEGER * 1000 + 122  -- Period(year).key
        FROM yearly y JOIN indicators i USING (indicator_id) JOIN cities c USING (city_id)
        WHERE y.indicator_id = $indicator AND {vis.sql()}
        ORDER BY 2 DESC""", {"indicator": int(indicator_id)}).fetchall()
    return [row[0] for row in rows]


def latest_year(snap: Snapshot, vis: Visibility, indicator_id: int | None = None) -> int | None:
    """The most recent year with any visible value (of one indicator, when given)."""
    extra = "AND y.indicator_id = $indicator" if indicator_id is not None else ""
    params = {"indicator": int(indicator_id)} if indicator_id is not None else {}
    row = snap.connection().execute(f"""
        SELECT max(y.year) FROM yearly y JOIN indicators i USING (indicator_id) JOIN cities c USING (city_id)
        WHERE {vis.sql()} {extra}""", params).fetchone()
    return None if row is None or row[0] is None else int(row[0])


# --- Roll-ups ----------------------------------------------------------------------------------------------

ROLLUP_BY = ("country", "focus_area", "outcome")


def rollups(snap: Snapshot, by: str, period: str, vis: Visibility, indicator_id: int | None = None,
            language: str = "en") -> list[dict[str, Any]]:
    """City values of a period combined by country, focus area or outcome with each indicator's aggregation
    (sum, mean, or population-weighted mean over the cities with a population), and the same over the
    cities' targets. A row per group and indicator; indicators without a tag of that kind fall under an
    empty group code; group and indicator names in `language`. Ordered by group position (framework nodes) or
    English name (countries, the same order in every language), then indicator code."""
    if by not in ROLLUP_BY:
        raise ValueError(f"by must be one of {', '.join(ROLLUP_BY)}, not {by!r}")
    indicator_filter = "indicator_id = $indicator" if indicator_id is not None else "TRUE"
    params = _period_params(period)
    if indicator_id is not None:
        params["indicator"] = int(indicator_id)
    if by == "country":
        group = (f"JOIN (SELECT city_id, country_iso3 AS group_code, {name_column(language, 'k', 'country')} "
                 f"AS group_name, 0 AS group_position, k.country AS group_sort FROM cities k) g USING (city_id)")
    else:
        group = (f"LEFT JOIN (SELECT indicator_id, node_code AS group_code, "
                 f"{name_column(language, 'n', 'node_name')} AS group_name, position AS group_position, "
                 f"'' AS group_sort FROM indicator_nodes n WHERE kind = '{by}') g USING (indicator_id)")
    return snap.rows(f"""
        WITH vals AS ({_period_values_sql(period, indicator_filter)}),
        {_targets_sql()},
        {_context_sql(POPULATION_CODE, "pop", vis)},
        base AS (
            SELECT coalesce(g.group_code, '') AS group_code, coalesce(g.group_name, '') AS group_name,
                   coalesce(g.group_position, 999999) AS group_position, coalesce(g.group_sort, '') AS group_sort,
                   v.indicator_id, v.city_id, v.value,
                   tg.target, pop.value AS population
            FROM vals v JOIN cities c USING (city_id) JOIN indicators i USING (indicator_id)
            LEFT JOIN tg USING (city_id, indicator_id) LEFT JOIN pop USING (city_id) {group}
            WHERE {vis.sql()}),
        agg AS (
            SELECT group_code, group_name, group_position, group_sort, indicator_id, count(*) AS cities,
                   count(*) FILTER (WHERE target IS NOT NULL) AS target_cities,
                   count(*) FILTER (WHERE population IS NULL) AS without_population,
                   sum(value) AS v_sum, avg(value) AS v_mean,
                   sum(value * population) / sum(population) AS v_weighted,
                   sum(target) AS t_sum, avg(target) AS t_mean,
                   sum(target * population) / sum(population) FILTER (WHERE target IS NOT NULL) AS t_weighted
            FROM base GROUP BY group_code, group_name, group_position, group_sort, indicator_id)
        SELECT a.group_code, a.group_name, a.indicator_id, i.code, {name_column(language)} AS name, i.unit,
               i.aggregation, a.cities, a.target_cities, a.without_population,
               CASE i.aggregation WHEN 'sum' THEN a.v_sum WHEN 'population_weighted' THEN a.v_weighted
                    ELSE a.v_mean END AS value,
               CASE i.aggregation WHEN 'sum' THEN a.t_sum WHEN 'population_weighted' THEN a.t_weighted
                    ELSE a.t_mean END AS target
        FROM agg a JOIN indicators i USING (indicator_id)
        ORDER BY a.group_code = '', a.group_position, a.group_sort, a.group_name, i.code""", params)


# --- Pivot ---------------------------------------------------------------------------------------------------


def pivot(snap: Snapshot, indicator_ids: Iterable[int], vis: Visibility, city_ids: Iterable[int] | None = None,
          period_list: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Indicator x city x period values, long form and columnar (NumPy arrays): indicator_id, city_id,
    period, value, target, target_year; ordered by indicator, city and period. `city_ids` and `period_list`
    narrow it (None: all)."""
    params: dict[str, Any] = {"indicators": _ids(indicator_ids)}
    filters = ["list_contains($indicators, o.indicator_id)", "list_contains($indicators, y.indicator_id)", vis.sql()]
    cities = _ids(city_ids)
    if cities is not None:
        params["cities"] = cities
        filters.append("list_contains($cities, o.city_id)")
    if period_list is not None:
        params["periods"] = list(period_list)
        filters.append("list_contains($periods, o.period)")
    return snap.columns(f"""
        SELECT o.indicator_id, o.city_id, o.period, o.value, y.target, y.target_year
        FROM observations o JOIN indicators i USING (indicator_id) JOIN cities c USING (city_id)
        JOIN yearly y ON y.city_id = o.city_id AND y.indicator_id = o.indicator_id AND y.year = o.year
        WHERE {' AND '.join(filters)}
        ORDER BY o.indicator_id, o.city_id, o.period_key""", params)


def lookup(snap: Snapshot, table: str, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Rows of `cities` or `indicators` by id."""
    key = {"cities": "city_id", "indicators": "indicator_id"}[table]
    rows = snap.rows(f"SELECT * FROM {table} WHERE list_contains($ids, {key})", {"ids": _ids(ids)})
    return {row[key]: row for row in rows}
