"""Benchmark the bulk load of observations (issue: baselines, targets and observations) on synthetic data.

Builds its own database (SQLite in a temporary directory, or the PostgreSQL database given with
--database-url, which must exist and be empty or hold an earlier run of this bench): the reference data,
then --cities (1,000) synthetic cities, --indicators (100) synthetic indicators (a third of them
percentages) all assigned to every city, and one open reporting round per year for --years (10) years.
It writes a CSV of cities x indicators x years rows (1,000,000 by default) and times, through the real
import action (`actions.observations.import_file`: reading, every check of `validation`, matching with
the stored rows, bulk insert or update, audit):

- dry run (nothing stored yet: every row would be created);
- commit (the first load: every row inserted);
- the same file again (every row unchanged);
- the file with every value changed (every row updated);

and the reference: plain DuckDB reading the same CSV into a table. It prints rows/s, the ratio to the
50,000 rows/s target and the ratio to DuckDB.

Run from the project root:
    .venv/bin/python bench/bench_monitoring_load.py                 # SQLite in a temporary directory
    .venv/bin/python bench/bench_monitoring_load.py --database-url postgres://postgres@127.0.0.1:5432/bench_load
Options: --cities N --indicators N --years N --json PATH
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ascn.monitoring.actions.observations import LoadSummary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_RATE = 50_000.0
FIRST_YEAR = 2016


def configure(database_url: str, media: Path) -> None:
    os.environ.update(DJANGO_SETTINGS_MODULE="ascn.settings", DEBUG="0", SECRET_KEY="bench-only",
                      ALLOWED_HOSTS="testserver,localhost", DATABASE_URL=database_url, MEDIA_ROOT=str(media),
                      TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend")
    import django

    django.setup()


def build(cities: int, indicators: int, years: int) -> dict:
    """Migrate, load the reference data, then add synthetic cities, indicators, assignments and rounds."""
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction

    from ascn.monitoring.models import CityIndicator, Indicator, Observation, ReportingRound
    from ascn.network.models import City, Country

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed", verbosity=0, stdout=io.StringIO())
    Observation.objects.all().delete()
    countries = list(Country.objects.order_by("iso3"))
    with transaction.atomic():
        City.objects.bulk_create([
            City(slug=f"bench-city-{i:04d}", name=f"Bench City {i:04d}", country=countries[i % len(countries)],
                 latitude=0, longitude=100, search_text="") for i in range(cities)], batch_size=2000,
            ignore_conflicts=True)
        Indicator.objects.bulk_create([
            Indicator(code=f"BENCH-{i:03d}", name=f"Bench indicator {i:03d}", family="ascn",
                      unit="%" if i % 3 == 0 else "points") for i in range(indicators)], ignore_conflicts=True)
        Indicator.objects.filter(code__startswith="BENCH-", unit="").update(unit="points")  # values need a unit
        city_ids = list(City.objects.filter(slug__startswith="bench-city-").values_list("id", flat=True))
        indicator_ids = list(Indicator.objects.filter(code__startswith="BENCH-").values_list("id", flat=True))
        CityIndicator.objects.bulk_create([CityIndicator(city_id=c, indicator_id=i) for c in city_ids
                                           for i in indicator_ids], batch_size=5000, ignore_conflicts=True)
        for year in range(FIRST_YEAR, FIRST_YEAR + years):
            reporting_round, _created = ReportingRound.objects.get_or_create(
                year=year, defaults={"as_of": dt.date(year, 12, 31)})
            reporting_round.closes_on = None
            reporting_round.save()
            through = ReportingRound.cities.through
            through.objects.filter(reportinground_id=reporting_round.pk, city_id__in=city_ids).delete()
            through.objects.bulk_create([through(reportinground_id=reporting_round.pk, city_id=c) for c in city_ids],
                                        batch_size=5000)
    return {"cities": len(city_ids), "indicators": len(indicator_ids), "years": years,
            "build_seconds": round(time.perf_counter() - started, 1)}


def write_csv(path: Path, cities: int, indicators: int, years: int, shift: float = 0.0) -> int:
    """cities x indicators x years rows: a steady series per city and indicator with a few jumps."""
    import numpy as np

    rng = np.random.default_rng(42)
    base = rng.uniform(10, 90, size=(cities, indicators))
    noise = rng.normal(0, 0.02, size=(cities, indicators, years))
    values = base[:, :, None] * (1 + noise)
    values[::97, ::13, -1] *= 4  # some outliers in the last year
    pct = np.array([i % 3 == 0 for i in range(indicators)])
    values[:, pct, :] = np.clip(values[:, pct, :], 0, 100)
    values *= 1 + shift
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("city,indicator_code,period,value,source\n")
        for c in range(cities):
            city = f"bench-city-{c:04d}"
            lines = []
            for i in range(indicators):
                code = f"BENCH-{i:03d}"
                series = values[c, i]
                lines += [f"{city},{code},{FIRST_YEAR + y},{series[y]:.4f},Bench statistics office\n"
                          for y in range(years)]
            handle.writelines(lines)
            rows += len(lines)
    return rows


def time_import(path: Path, commit: bool) -> tuple[float, LoadSummary]:
    from ascn.monitoring.actions.observations import import_file

    data = path.read_bytes()
    t0 = time.perf_counter()
    summary, _record = import_file(None, path.name, data, commit=commit, via="bench", keep_file=False,
                                   as_system=True)
    seconds = time.perf_counter() - t0
    if summary.problem or summary.error_count:
        raise SystemExit(f"The bench file did not pass the checks: {summary.problem} {summary.errors[:3]}")
    return seconds, summary


def time_duckdb(path: Path) -> float:
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE observations AS SELECT * FROM read_csv('{path}', header = true)")
    seconds = time.perf_counter() - t0
    counted = con.execute("SELECT count(*) FROM observations").fetchone()
    count = counted[0] if counted else 0
    con.close()
    if not count:
        raise SystemExit("DuckDB read no rows.")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an existing PostgreSQL database to use (default: SQLite in a "
                        "temporary directory)")
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=100)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ascn-bench-load-") as tmp:
        tmp_path = Path(tmp)
        configure(args.database_url or f"sqlite:///{tmp_path / 'bench.sqlite3'}", tmp_path / "media")
        from django.db import connection

        from ascn.monitoring.models import Observation

        data = build(args.cities, args.indicators, args.years)
        first, changed = tmp_path / "observations.csv", tmp_path / "observations-changed.csv"
        rows = write_csv(first, args.cities, args.indicators, args.years)
        write_csv(changed, args.cities, args.indicators, args.years, shift=-0.01)
        duck = time_duckdb(first)
        results = {}
        for name, path, commit, expect in (("dry_run", first, False, "created"), ("commit", first, True, "created"),
                                           ("same_file_again", first, True, "unchanged"),
                                           ("every_value_changed", changed, True, "updated")):
            seconds, summary = time_import(path, commit)
            if getattr(summary, expect) != rows:
                raise SystemExit(f"{name}: expected {rows} rows {expect}, got created {summary.created}, updated "
                                 f"{summary.updated}, unchanged {summary.unchanged}")
            results[name] = {"seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
                             "flags": summary.flag_count}
        stored = Observation.objects.count()
        result = {"database": connection.vendor, "data": data, "rows": rows, "csv_mb": round(first.stat().st_size / 1e6,
                                                                                               1),
                  "duckdb_seconds": round(duck, 2), "duckdb_rows_per_s": round(rows / duck), "import": results,
                  "stored": stored}
        connection.close()
    _report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


def _report(r: dict) -> None:
    print(f"\nDatabase: {r['database']}; {r['rows']:,} rows ({r['data']['cities']} cities x "
          f"{r['data']['indicators']} indicators x {r['data']['years']} years), CSV {r['csv_mb']} MB; "
          f"{r['stored']:,} observations stored at the end")
    print(f"{'measure':<22}{'seconds':>9}{'rows/s':>11}{'/50k target':>13}{'/DuckDB':>9}{'flags':>8}")
    for name, m in r["import"].items():
        print(f"{name:<22}{m['seconds']:>9}{m['rows_per_s']:>11,}{m['rows_per_s'] / TARGET_RATE:>13.2f}"
              f"{m['rows_per_s'] / r['duckdb_rows_per_s']:>9.3f}{m['flags']:>8}")
    print(f"{'reference: DuckDB':<22}{r['duckdb_seconds']:>9}{r['duckdb_rows_per_s']:>11,}")


if __name__ == "__main__":
    main()
