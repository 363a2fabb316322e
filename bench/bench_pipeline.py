"""Benchmark the project pipeline (issue: action plans and projects) on synthetic data.

Builds a database of 1,000 cities and 100,000 projects (with support needs and progress updates),
then measures, in-process through Django's test client (server time, no network):

- the filtered, faceted pipeline page (`/projects/?…`) and the list endpoint (`/api/v1/projects?…`)
  over a fixed set of filter combinations: p50 / p95 / max in ms and the SQL queries per request;
  the target is p95 < 150 ms with a constant number of queries per page;
- the reference: the list query behind one page (25 rows of the filtered, sorted list with their
  support needs), without facets or rendering;
- import of a 50,000-row CSV through `import_projects` (dry run and commit): rows per second,
  against the target of 5,000 rows/s.

Run from the project root:
    .venv/bin/python bench/bench_pipeline.py                      # SQLite in a temporary directory
    .venv/bin/python bench/bench_pipeline.py --postgres postgres://postgres@127.0.0.1:5432/postgres
Options: --projects N --cities N --import-rows N --repeat N --json PATH
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_P95_MS = 150.0
TARGET_IMPORT_RATE = 5000.0


def configure(database_url: str, media: Path) -> None:
    os.environ.update(DJANGO_SETTINGS_MODULE="ascn.settings", DEBUG="0", SECRET_KEY="bench-only",
                      ALLOWED_HOSTS="testserver,localhost", DATABASE_URL=database_url, MEDIA_ROOT=str(media),
                      TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend")
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build(projects: int, cities: int, seed: int = 7) -> dict:
    """Migrate, load the reference data, then add synthetic cities and projects in bulk."""
    from django.core.management import call_command
    from django.db import transaction

    from ascn.core.text import search_blob
    from ascn.framework.models import FrameworkNode
    from ascn.network.models import City, CityMembership, Country
    from ascn.plans.models import ProgressUpdate, Project, SupportNeed

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed", verbosity=0, stdout=io.StringIO())
    rng = random.Random(seed)
    countries = list(Country.objects.all())
    focus = list(FrameworkNode.objects.filter(kind="focus_area"))
    types = {f.pk: list(FrameworkNode.objects.filter(parent=f)) for f in focus}
    with transaction.atomic():
        new_cities = City.objects.bulk_create([
            City(slug=f"synthetic-{i:04d}", name=f"Synthetic City {i:04d}", country=rng.choice(countries),
                 latitude=rng.uniform(-9, 22), longitude=rng.uniform(95, 126), search_text=f"synthetic city {i:04d}")
            for i in range(cities - City.objects.count())
        ], batch_size=2000)
        CityMembership.objects.bulk_create([CityMembership(city=c, joined_on="2024-01-01") for c in new_cities],
                                           batch_size=2000)
        all_cities = list(City.objects.all())
        statuses, stages = ["planning", "ongoing", "completed", "cancelled"], ["", "concept", "feasibility",
                                                                               "procurement", "implementation"]
        words = ["smart", "water", "traffic", "digital", "green", "health", "waste", "energy", "data", "tourism"]
        rows = []
        for i in range(projects - Project.objects.count()):
            fa = rng.choice(focus)
            title = f"{rng.choice(words).title()} {rng.choice(words)} project {i}"
            rows.append(Project(
                city=rng.choice(all_cities), title=title, focus_area=fa,
                project_type=rng.choice(types[fa.pk]) if rng.random() < 0.8 else None,
                status=rng.choice(statuses), stage=rng.choice(stages), is_published=rng.random() < 0.9,
                cost_estimate=rng.randint(1, 500) * 100_000, currency="USD",
                search_text=search_blob(title)))
        kinds = {id(p): sorted(rng.sample(["financial", "technical", "advisory", "partner", "training"],
                                          rng.randint(0, 3))) for p in rows}
        for p in rows:
            p.support_kinds = f"|{'|'.join(kinds[id(p)])}|" if kinds[id(p)] else ""
        created = Project.objects.bulk_create(rows, batch_size=2000)
        SupportNeed.objects.bulk_create([SupportNeed(project=p, kind=k) for p in created for k in kinds[id(p)]],
                                        batch_size=5000)
        ProgressUpdate.objects.bulk_create([ProgressUpdate(project=p, date="2025-09-30", status=p.status)
                                            for p in created], batch_size=5000)
    from django.db import connection

    # A database in service has its statistics and (PostgreSQL) its visibility map maintained by
    # autovacuum; after a bulk load we bring the benchmark database to that state before measuring.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"projects": Project.objects.count(), "cities": City.objects.count(),
            "build_seconds": round(time.perf_counter() - started, 1)}


SCENARIOS = [
    "", "status=ongoing", "country=VNM", "focus_area=built_infrastructure", "support=financial",
    "country=THA&status=planning", "focus_area=quality_environment&stage=feasibility", "q=water",
    "city=synthetic-0042", "project_type=built_infrastructure.utilities&support=technical", "sort=cost",
    "country=IDN&focus_area=civic_social&sort=title&page=3",
]


def measure_requests(client, paths: list[str], repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], set()
    for path in paths:  # warm-up
        assert client.get(path).status_code == 200, path
    for _ in range(repeat):
        for path in paths:
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries.add(len(ctx))
    times.sort()
    return {"requests": len(times), "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "max_ms": round(times[-1], 1),
            "queries_per_request": sorted(queries)}


def measure_reference(repeat: int) -> dict:
    """The list query behind one page (25 rows with their support needs), without facets or rendering."""
    from django.contrib.auth.models import AnonymousUser

    from ascn.plans.queries import ProjectFilters, projects

    times = []
    for _ in range(repeat):
        for scenario in SCENARIOS:
            params = dict(p.split("=") for p in scenario.split("&") if p and not p.startswith("page"))
            t0 = time.perf_counter()
            list(projects(AnonymousUser(), ProjectFilters(**params))[:25])
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}


def import_file(rows: int) -> bytes:
    from ascn.network.models import City
    from ascn.plans.exporting import COLUMNS, to_csv

    slugs = list(City.objects.filter(slug__startswith="synthetic-").values_list("slug", flat=True))
    rng = random.Random(11)
    focus = ["civic_social", "built_infrastructure", "quality_environment", "safety_security"]
    data = [{"city": rng.choice(slugs), "title": f"Imported project {i}",
             "focus_area": rng.choice(focus), "status": rng.choice(["planning", "ongoing"]),
             "cost_estimate": str(rng.randint(1, 900) * 1000), "currency": "USD", "support": ["financial"],
             "is_published": True} for i in range(rows)]
    assert set(data[0]) <= set(COLUMNS)
    return to_csv(data)


def measure_import(rows: int) -> dict:
    from ascn.plans.actions import import_projects

    data = import_file(rows)
    t0 = time.perf_counter()
    dry, _ = import_projects(None, "bench.csv", data, commit=False, as_system=True, via="bench", keep_file=False)
    dry_s = time.perf_counter() - t0
    assert dry.created == rows and not dry.errors and not dry.problem, (dry.problem, dry.errors[:3])
    t0 = time.perf_counter()
    done, _ = import_projects(None, "bench.csv", data, commit=True, as_system=True, via="bench", keep_file=False)
    commit_s = time.perf_counter() - t0
    assert done.committed and done.created == rows
    t0 = time.perf_counter()
    again, _ = import_projects(None, "bench.csv", data, commit=True, as_system=True, via="bench", keep_file=False)
    again_s = time.perf_counter() - t0
    assert again.unchanged == rows and again.created == 0
    return {"rows": rows, "dry_run_rows_per_s": round(rows / dry_s), "commit_rows_per_s": round(rows / commit_s),
            "reimport_unchanged_rows_per_s": round(rows / again_s)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="run against this PostgreSQL server (a database "
                        "named ascn_bench is created there and dropped afterwards)")
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--cities", type=int, default=1_000)
    parser.add_argument("--import-rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the filter scenarios")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ascn-bench-") as tmp:
        tmp_path = Path(tmp)
        url = _fresh_postgres(args.postgres) if args.postgres else f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        configure(url, tmp_path / "media")
        from django.test import Client

        data = build(args.projects, args.cities)
        client = Client()
        pages = measure_requests(client, [f"/projects/?{s}" for s in SCENARIOS], args.repeat)
        api = measure_requests(client, [f"/api/v1/projects?{s.replace('page=3', 'offset=50')}" for s in SCENARIOS],
                               args.repeat)
        reference = measure_reference(args.repeat)
        imported = measure_import(args.import_rows)
        from django.db import connection

        result = {"database": connection.vendor, "data": data, "pipeline_page": pages, "api_list": api,
                  "reference_page_list_query": reference, "import": imported}
        connection.close()
        if args.postgres:
            _drop_postgres(args.postgres)
    _report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


def _admin(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _fresh_postgres(url: str) -> str:
    with _admin(url) as conn:
        conn.execute("DROP DATABASE IF EXISTS ascn_bench")
        conn.execute("CREATE DATABASE ascn_bench")
    return url.rsplit("/", 1)[0] + "/ascn_bench"


def _drop_postgres(url: str) -> None:
    with _admin(url) as conn:
        conn.execute("DROP DATABASE IF EXISTS ascn_bench")


def _report(r: dict) -> None:
    print(f"\nDatabase: {r['database']}; {r['data']['projects']} projects in {r['data']['cities']} cities "
          f"(built in {r['data']['build_seconds']} s)")
    ref = r["reference_page_list_query"]["p95_ms"]
    print(f"{'measure':<34}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>10}{'p95/150ms':>11}{'p95/ref':>9}")
    for name in ("pipeline_page", "api_list"):
        m = r[name]
        print(f"{name:<34}{m['p50_ms']:>9}{m['p95_ms']:>9}{m['max_ms']:>9}{m['queries_per_request']!s:>10}"
              f"{m['p95_ms'] / TARGET_P95_MS:>11.2f}{m['p95_ms'] / max(ref, 0.01):>9.1f}")
    print(f"{'reference: page list query':<34}{r['reference_page_list_query']['p50_ms']:>9}{ref:>9}")
    imp = r["import"]
    print(f"\nImport of {imp['rows']} rows: dry run {imp['dry_run_rows_per_s']} rows/s, commit "
          f"{imp['commit_rows_per_s']} rows/s (target {TARGET_IMPORT_RATE:.0f}: ratio "
          f"{imp['commit_rows_per_s'] / TARGET_IMPORT_RATE:.2f}), "
          f"same file again {imp['reimport_unchanged_rows_per_s']} rows/s")


if __name__ == "__main__":
    main()
