"""Benchmark the monitoring analytics (issue: M&E analysis) on a synthetic network.

Builds, directly in DuckDB (not through the ORM: far too slow at this size), a snapshot of
1,000 cities x 100 indicators x 100 monthly periods = 10,000,000 observations, with baselines and two
targets per city and indicator, and writes it with the platform's own snapshot writer
(`analytics.export_tables`: sorted Parquet files plus the derived `yearly` table). Then it times, through
the real analytics functions (`analytics.network_scorecard`, `analytics.pivot`):

- the network scorecard of the 2025 round (one row per city: counts by RAG, completeness, timeliness,
  open flags), for the public (published indicators only) and for the Secretariat (all), from the round's
  scores stored when the snapshot was written; and scored live (as for a round added since);
- three indicator x city x period pivots: one indicator, every city and period (100,000 cells); ten
  indicators x 50 cities x the 12 months of 2024 (6,000 cells); every indicator for one city (10,000 cells);

each against the reference: the same result computed by plain DuckDB SQL straight over the Parquet files
of the raw observations (no derived table, no platform code). It prints the median and p95 of `--repeat`
runs (after one warm-up of each), each function's ratio to its reference, and the 500 ms target. Results
are checked equal to the reference before timing. Each function and its reference are timed alternately
in the same process (the order swapped every other run), so that other jobs on a shared machine weigh on
both alike.

Run from the project root:
    .venv/bin/python bench/bench_monitoring_analysis.py
Options: --cities N --indicators N --periods N --repeat N --threads N --dir PATH (keep the data) --json PATH
--no-json. The raw results go to bench/results/monitoring_analysis.json unless --json PATH or --no-json says
otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from ascn.core.periods import MONTH, Period  # noqa: E402  (pure: no Django)
from ascn.monitoring import analytics  # noqa: E402  (pure: no Django)

TARGET_MS = 500.0
ROUND_YEAR = 2025
CUTOFF = dt.datetime(2025, 10, 1)  # the 2025 round's deadline, 30 September, in UTC
FIRST_YEAR = 2017


def build(con: duckdb.DuckDBPyConnection, cities: int, indicators: int, periods: int) -> None:
    """The snapshot tables of a synthetic network, in the column order and types of `analytics.SCHEMAS`."""
    con.execute(f"""
        CREATE TABLE cities AS SELECT c::INTEGER AS city_id, printf('city-%04d', c) AS slug,
            printf('City %04d', c) AS name, (c % 10)::INTEGER AS country_id, printf('Country %d', c % 10) AS country,
            printf('C%02d', c % 10) AS country_iso3
        FROM range({cities}) t(c)""")
    con.execute(f"""
        CREATE TABLE indicators AS SELECT i::INTEGER AS indicator_id,
            CASE i WHEN 0 THEN '{analytics.POPULATION_CODE}' WHEN 1 THEN '{analytics.AREA_CODE}'
                   ELSE printf('IND-%03d', i) END AS code,
            printf('Indicator %03d', i) AS name, '' AS name_vi, '' AS name_th, 'unit' AS unit,
            CASE WHEN i < 2 THEN '' ELSE ['higher', 'lower', 'higher', ''][i % 4 + 1] END AS direction,
            CASE WHEN i < 2 THEN 'sum' ELSE ['mean', 'sum', 'population_weighted'][i % 3 + 1] END AS aggregation,
            (i % 10 <> 9) AS is_published
        FROM range({indicators}) t(i)""")
    con.execute(f"""
        CREATE TABLE indicator_nodes AS
        SELECT i::INTEGER AS indicator_id, 'focus_area' AS kind, printf('focus_%d', i % 6) AS node_code,
               printf('Focus area %d', i % 6) AS node_name, '' AS node_name_vi, '' AS node_name_th,
               (60 + 10 * (i % 6))::INTEGER AS position FROM range({indicators}) t(i)
        UNION ALL
        SELECT i::INTEGER, 'outcome', printf('outcome_%d', i % 3), printf('Outcome %d', i % 3), '', '',
               (10 + 10 * (i % 3))::INTEGER FROM range({indicators}) t(i)""")
    # Values drift up or down by indicator and city; baselines are the 2017 level, targets for 2025 and 2030.
    con.execute(f"""
        CREATE TABLE assignments AS SELECT c::INTEGER AS city_id, i::INTEGER AS indicator_id,
            (100 + i + c % 50)::DOUBLE AS baseline_value, {FIRST_YEAR}::SMALLINT AS baseline_year
        FROM range({cities}) t1(c), range({indicators}) t2(i)""")
    con.execute("""
        CREATE TABLE targets AS SELECT city_id, indicator_id, y::SMALLINT AS year,
            baseline_value * (CASE WHEN indicator_id % 4 = 1 THEN 0.8 ELSE 1.2 END)
                * (CASE y WHEN 2025 THEN 1 ELSE 1.25 END) AS value
        FROM assignments, (VALUES (2025), (2030)) t(y)""")
    con.execute(f"CREATE TABLE rounds AS SELECT {ROUND_YEAR}::SMALLINT AS year, TIMESTAMP '{CUTOFF}' AS cutoff")
    # Monthly periods from January of FIRST_YEAR: the text, sort key and year of each come from Period.
    months = [Period(FIRST_YEAR + p // 12, MONTH, p % 12 + 1) for p in range(periods)]
    con.execute("CREATE TEMPORARY TABLE months (p BIGINT, period VARCHAR, period_key INTEGER, year SMALLINT)")
    con.executemany("INSERT INTO months VALUES (?, ?, ?, ?)",
                    [(p, str(month), month.key, month.year) for p, month in enumerate(months)])
    con.execute(f"""
        CREATE TABLE observations AS
        SELECT c::INTEGER AS city_id, i::INTEGER AS indicator_id, period, period_key, year,
            (100 + i + c % 50 + (CASE WHEN (c + i) % 3 = 0 THEN -0.2 ELSE 0.3 END) * p
                + (hash(c, i, p) % 1000) / 100.0)::DOUBLE AS value,
            (hash(c, i, p) % 50 = 0) AS open_flags,
            make_timestamp({FIRST_YEAR} + p // 12, p % 12 + 1, 1, 0, 0, 0)
                + to_days((27 + hash(c, p) % 60)::INTEGER) AS created_at
        FROM range({cities}) t1(c), range({indicators}) t2(i), months""")
    con.execute("DROP TABLE months")


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row is not None else 0


def alternated(mine: Callable[[], Any], theirs: Callable[[], Any], repeat: int
               ) -> tuple[list[float], list[float], Any, Any]:
    """Time both `repeat` times, alternately (the order swapped every other run), after one warm-up of each
    (file metadata, caches) that is not counted. Sorted ms of each, and each one's last result."""
    results = [mine(), theirs()]
    runs: tuple[list[float], list[float]] = ([], [])
    for i in range(repeat):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            started = time.perf_counter()
            results[which] = (mine, theirs)[which]()
            runs[which].append((time.perf_counter() - started) * 1000)
    return sorted(runs[0]), sorted(runs[1]), results[0], results[1]


def p95(sorted_ms: list[float]) -> float:
    return sorted_ms[max(1, math.ceil(0.95 * len(sorted_ms))) - 1]


# --- The reference: plain DuckDB SQL over the raw Parquet files ---------------------------------------------


def reference_scorecard(ref: duckdb.DuckDBPyConnection, d: Path, published_only: bool) -> list[tuple]:
    visible = "i.is_published" if published_only else "TRUE"
    return ref.execute(f"""
        WITH visible AS (
            SELECT a.city_id, a.indicator_id, a.baseline_value, a.baseline_year, i.direction
            FROM '{d}/assignments.parquet' a JOIN '{d}/indicators.parquet' i USING (indicator_id) WHERE {visible}),
        obs AS (
            SELECT city_id, indicator_id, arg_max(value, period_key) AS latest, max(year) AS latest_year,
                   count(*) FILTER (WHERE year = $year) AS n,
                   count(*) FILTER (WHERE year = $year AND created_at < $cutoff) AS on_time,
                   count(*) FILTER (WHERE year = $year AND open_flags) AS n_open_flags
            FROM '{d}/observations.parquet' WHERE year <= $year GROUP BY city_id, indicator_id),
        tg AS (
            SELECT t.city_id, t.indicator_id,
                   coalesce(arg_min(t.value, t.year) FILTER (WHERE t.year >= o.latest_year),
                            arg_max(t.value, t.year)) AS target,
                   coalesce(min(t.year) FILTER (WHERE t.year >= o.latest_year), max(t.year)) AS target_year
            FROM '{d}/targets.parquet' t JOIN obs o USING (city_id, indicator_id) GROUP BY t.city_id, t.indicator_id),
        scored AS (
            SELECT v.city_id, o.n, o.on_time, o.n_open_flags,
                   rag(o.latest, o.latest_year, v.baseline_value, v.baseline_year, tg.target, tg.target_year,
                       v.direction) AS status
            FROM visible v LEFT JOIN obs o USING (city_id, indicator_id) LEFT JOIN tg USING (city_id, indicator_id)),
        per_city AS (
            SELECT city_id, count(*) AS assigned, count(*) FILTER (WHERE status = 'green') AS green,
                   count(*) FILTER (WHERE status = 'amber') AS amber, count(*) FILTER (WHERE status = 'red') AS red,
                   count(*) FILTER (WHERE status IS NULL) AS not_rated, count(*) FILTER (WHERE n > 0) AS with_value,
                   coalesce(sum(n), 0) AS observations, coalesce(sum(on_time), 0) AS on_time,
                   coalesce(sum(n_open_flags), 0) AS open_flags
            FROM scored GROUP BY city_id)
        SELECT c.city_id, c.slug, c.name, c.country, c.country_iso3, coalesce(p.assigned, 0), coalesce(p.green, 0),
               coalesce(p.amber, 0), coalesce(p.red, 0), coalesce(p.not_rated, 0), coalesce(p.with_value, 0),
               coalesce(p.observations, 0), coalesce(p.on_time, 0), coalesce(p.open_flags, 0)
        FROM '{d}/cities.parquet' c LEFT JOIN per_city p USING (city_id) ORDER BY c.name, c.city_id""",
                       {"year": ROUND_YEAR, "cutoff": CUTOFF}).fetchall()


def reference_pivot(ref: duckdb.DuckDBPyConnection, d: Path, indicators: list[int], cities: list[int] | None,
                    periods: list[str] | None, published_only: bool) -> dict[str, Any]:
    filters = [f"o.indicator_id IN ({', '.join(map(str, indicators))})"]
    if published_only:
        filters.append("i.is_published")
    if cities is not None:
        filters.append(f"o.city_id IN ({', '.join(map(str, cities))})")
    if periods is not None:
        filters.append("o.period IN (" + ", ".join(f"'{p}'" for p in periods) + ")")
    return ref.execute(f"""
        SELECT o.indicator_id, o.city_id, o.period, o.value,
               coalesce(ta.value, tb.value) AS target, coalesce(ta.year, tb.year) AS target_year
        FROM '{d}/observations.parquet' o JOIN '{d}/indicators.parquet' i USING (indicator_id)
        ASOF LEFT JOIN '{d}/targets.parquet' ta
            ON o.city_id = ta.city_id AND o.indicator_id = ta.indicator_id AND o.year <= ta.year
        ASOF LEFT JOIN '{d}/targets.parquet' tb
            ON o.city_id = tb.city_id AND o.indicator_id = tb.indicator_id AND o.year >= tb.year
        WHERE {' AND '.join(filters)}
        ORDER BY o.indicator_id, o.city_id, o.period_key""").fetchnumpy()


def same_pivot(a: dict[str, Any], b: dict[str, Any]) -> bool:
    import numpy as np

    return all(len(a[k]) == len(b[k]) and bool(np.all(a[k] == b[k])) for k in ("indicator_id", "city_id", "period",
                                                                                   "value", "target"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=100)
    parser.add_argument("--periods", type=int, default=100, help="monthly periods from January 2017")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: one per core)")
    parser.add_argument("--dir", type=Path, default=None, help="write the snapshot here and keep it")
    harness.add_json_args(parser, "monitoring_analysis")
    args = parser.parse_args()
    started_at = harness.started_at()
    machine = harness.machine_info(sys.executable, None)
    if args.cities < 60 or args.indicators < 12 or not 96 <= args.periods <= 200:
        raise SystemExit("Use at least 60 cities, 12 indicators and 96 to 200 periods (the pivots need 2024).")

    workdir = Path(tempfile.mkdtemp(prefix="ascn-bench-analysis-")) if args.dir is None else args.dir
    snapshot_dir = workdir / "snapshot"
    if snapshot_dir.exists():
        shutil.rmtree(snapshot_dir)
    snapshot_dir.mkdir(parents=True)
    if args.threads:
        import os

        os.environ["ASCN_ANALYTICS_THREADS"] = str(args.threads)
    try:
        observations = args.cities * args.indicators * args.periods
        print(f"Synthetic network: {args.cities:,} cities x {args.indicators} indicators x {args.periods} periods "
              f"= {observations:,} observations; DuckDB {duckdb.__version__}")
        con = duckdb.connect()
        if args.threads:
            con.execute(f"SET threads = {args.threads}")
        started = time.perf_counter()
        build(con, args.cities, args.indicators, args.periods)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        analytics.export_tables(con, snapshot_dir)  # the platform's snapshot writer: sorted Parquet + `yearly`
        counts = {t: row_count(con, t) for t in analytics.TABLES}
        analytics.write_meta(snapshot_dir, {"fingerprint": "bench", "scored_rounds": analytics.rounds_meta(con)},
                             counts)
        exported = time.perf_counter() - started
        con.close()
        size = sum(p.stat().st_size for p in snapshot_dir.iterdir()) / 1024 / 1024
        print(f"generated in {generated:.1f} s; snapshot written in {exported:.1f} s ({size:.0f} MiB of Parquet, "
              f"yearly table {counts['yearly']:,} rows)")

        snap = analytics.Snapshot.open(snapshot_dir)
        unscored = analytics.Snapshot(snap.path, {**snap.meta, "scored_rounds": []})
        ref = duckdb.connect()
        if args.threads:
            ref.execute(f"SET threads = {args.threads}")
        ref.execute(analytics.MACROS)
        d = snapshot_dir
        some_cities = list(range(0, args.cities, args.cities // 50))[:50]
        ten = list(range(2, 12))
        months_2024 = [f"2024-{m:02d}" for m in range(1, 13)]
        everything = list(range(args.indicators))
        cases: list[tuple[str, Callable[[], Any], Callable[[], Any], Callable[[Any, Any], bool]]] = [
            ("network scorecard (public)",
             lambda: analytics.network_scorecard(snap, ROUND_YEAR, CUTOFF, analytics.PUBLIC),
             lambda: reference_scorecard(ref, d, True),
             lambda mine, theirs: [tuple(r.values()) for r in mine] == theirs),
            ("network scorecard (Secretariat)",
             lambda: analytics.network_scorecard(snap, ROUND_YEAR, CUTOFF, analytics.EVERYTHING),
             lambda: reference_scorecard(ref, d, False),
             lambda mine, theirs: [tuple(r.values()) for r in mine] == theirs),
            ("network scorecard (scored live)",  # a year or deadline not scored when the snapshot was written
             lambda: analytics.network_scorecard(unscored, ROUND_YEAR, CUTOFF, analytics.EVERYTHING),
             lambda: reference_scorecard(ref, d, False),
             lambda mine, theirs: [tuple(r.values()) for r in mine] == theirs),
            ("pivot 1 ind x all cities x all periods",
             lambda: analytics.pivot(snap, [2], analytics.PUBLIC),
             lambda: reference_pivot(ref, d, [2], None, None, True), same_pivot),
            ("pivot 10 ind x 50 cities x 12 months",
             lambda: analytics.pivot(snap, ten, analytics.PUBLIC, some_cities, months_2024),
             lambda: reference_pivot(ref, d, ten, some_cities, months_2024, True), same_pivot),
            ("pivot all ind x 1 city x all periods",
             lambda: analytics.pivot(snap, everything, analytics.EVERYTHING, [7]),
             lambda: reference_pivot(ref, d, everything, [7], None, False), same_pivot),
        ]
        results: list[dict[str, Any]] = []
        header = (f"{'query':<40}{'rows':>9}{'p50 ms':>9}{'p95 ms':>9}{'ref p50':>9}{'ref p95':>9}"
                  f"{'p50/ref':>9}{'p95<500':>9}")
        print(header)
        print("-" * len(header))
        for name, mine_fn, ref_fn, same in cases:
            mine_ms, ref_ms, mine, theirs = alternated(mine_fn, ref_fn, args.repeat)
            if not same(mine, theirs):
                print(f"{name}: the result differs from the reference")
                return 1
            rows = len(mine) if isinstance(mine, list) else len(mine["value"])
            entry: dict[str, Any] = {"query": name, "rows": rows, "p50_ms": statistics.median(mine_ms),
                                     "p95_ms": p95(mine_ms), "ref_p50_ms": statistics.median(ref_ms),
                                     "ref_p95_ms": p95(ref_ms)}
            entry["ratio_p50"] = entry["p50_ms"] / entry["ref_p50_ms"]
            entry["meets_target"] = entry["p95_ms"] < TARGET_MS
            results.append(entry)
            print(f"{name:<40}{rows:>9,}{entry['p50_ms']:>9.1f}{entry['p95_ms']:>9.1f}{entry['ref_p50_ms']:>9.1f}"
                  f"{entry['ref_p95_ms']:>9.1f}{entry['ratio_p50']:>9.2f}{'yes' if entry['meets_target'] else 'NO':>9}")
        print(f"\n{args.repeat} timed runs each after one warm-up, alternating with the reference; p50/ref: this "
              "platform's median over the reference's (plain DuckDB over the raw observations' Parquet).")
        harness.write_json(
            harness.json_path(args), "monitoring_analysis", started=started_at,
            command_line=harness.command("bench_monitoring_analysis.py", {
                "--cities": args.cities, "--indicators": args.indicators, "--periods": args.periods,
                "--repeat": args.repeat, "--threads": args.threads or None}),
            machine={**machine, "duckdb": duckdb.__version__},
            config={"cities": args.cities, "indicators": args.indicators, "periods": args.periods,
                    "observations": observations, "repeat": args.repeat,
                    "duckdb_threads": args.threads or "one per core",
                    "timing": "each query and its reference alternated in the same process, the order swapped "
                    "every other run, after one warm-up of each", "target_ms": TARGET_MS},
            figures={"generated_s": generated, "snapshot_s": exported, "snapshot_mib": size,
                     "yearly_rows": counts["yearly"], "queries": results},
            ratios={"to": "plain DuckDB SQL over the raw observations' Parquet (same result, checked equal)",
                    "p50_to_reference": {r["query"]: r["ratio_p50"] for r in results},
                    "p95_to_target": {r["query"]: r["p95_ms"] / TARGET_MS for r in results}})
        ref.close()
        analytics.close_thread_connection()
        return 0
    finally:
        if args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
