"""Benchmark the project pipeline (issue: action plans and projects) on synthetic data.

Builds a database of 1,000 cities and 100,000 projects (with support needs and progress updates),
then measures, in-process through Django's test client (server time, no network):

- the filtered, faceted pipeline page (`/projects/?…`) and the list endpoint (`/api/v1/projects?…`)
  over a fixed set of filter combinations: p50 / p95 / max in ms and the SQL queries per request;
  the target is p95 < 150 ms with a constant number of queries per page;
- for each, its reference: the same work in plain Django ORM without the platform's extras — for the
  page, the same filters, sort and page (`page=3`: rows 51-75) of the pipeline's list query through
  Django's Paginator (the count and the page's 25 rows with their support needs), without facets, map
  or rendering; for the endpoint, the same filters, sort, offset and limit (50) of the same query, with
  its count, without serialisation;
- import of a 50,000-row CSV through `import_projects` (dry run and commit): rows per second,
  against the target of 5,000 rows/s.

Every measure and its reference are warmed up (one pass over the scenarios) and then timed interleaved,
scenario by scenario in each pass (page, endpoint, their references; the order reversed every other
pass), so that other jobs on a shared machine weigh on all of them alike and each ratio is taken within
one run.

Run from the project root:
    .venv/bin/python bench/bench_pipeline.py                      # SQLite in a temporary directory
    .venv/bin/python bench/bench_pipeline.py --postgres postgres://postgres@127.0.0.1:5432/postgres
Options: --projects N --cities N --import-rows N --repeat N --json PATH --no-json
The raw results go to bench/results/pipeline-sqlite.json (pipeline-postgres.json with --postgres) unless
--json PATH or --no-json says otherwise.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import harness

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
    from ascn.plans.choices import ProjectStage, ProjectStatus, SupportKind
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
        statuses = [ProjectStatus.PLANNING, ProjectStatus.ONGOING, ProjectStatus.COMPLETED, ProjectStatus.CANCELLED]
        stages = ["", ProjectStage.CONCEPT, ProjectStage.FEASIBILITY, ProjectStage.PROCUREMENT,
                  ProjectStage.IMPLEMENTATION]
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
        kinds = {id(p): sorted(rng.sample(list(SupportKind), rng.randint(0, 3))) for p in rows}
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


def _scenario(scenario: str) -> tuple[dict[str, str], int]:
    """The filters and the page number of a scenario's query string."""
    params = dict(p.split("=") for p in scenario.split("&") if p)
    return {k: v for k, v in params.items() if k != "page"}, int(params.get("page", 1))


def api_query(scenario: str, per_page: int) -> str:
    """The scenario as the endpoint takes it: the page as an offset (page 3 of 25 rows: offset 50)."""
    filters, page = _scenario(scenario)
    offset = {"offset": str((page - 1) * per_page)} if page > 1 else {}
    return "&".join(f"{k}={v}" for k, v in {**filters, **offset}.items())


def _summary(times: list[float], queries: set[int]) -> dict:
    times = sorted(times)
    return {"requests": len(times), "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "max_ms": round(times[-1], 1),
            "queries_per_request": sorted(queries)}


def measure(client, repeat: int) -> dict:
    """The page, the endpoint and their references over every scenario, warmed up, then interleaved."""
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ascn.core.filters import read
    from ascn.plans.queries import ProjectFilters, projects
    from ascn.plans.views import PAGE_SIZE

    api_limit = settings.NINJA_PAGINATION_PER_PAGE
    anonymous = AnonymousUser()

    def get(path: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return run

    def reference_page(scenario: str) -> Callable[[], None]:
        filters, page = _scenario(scenario)

        def run() -> None:  # what the page lists: the count and one page of rows, as the view paginates
            rows = Paginator(projects(anonymous, read(ProjectFilters, filters)), PAGE_SIZE).get_page(page)
            list(rows.object_list)
        return run

    def reference_api(scenario: str) -> Callable[[], None]:
        filters, page = _scenario(scenario)
        offset = (page - 1) * PAGE_SIZE

        def run() -> None:  # what the endpoint answers: the count and `limit` rows from the offset
            qs = projects(anonymous, read(ProjectFilters, filters))
            qs.count()
            list(qs[offset:offset + api_limit])
        return run

    measures: dict[str, list[Callable[[], None]]] = {
        "pipeline_page": [get(f"/projects/?{s}") for s in SCENARIOS],
        "api_list": [get(f"/api/v1/projects?{api_query(s, PAGE_SIZE)}") for s in SCENARIOS],
        "reference_page": [reference_page(s) for s in SCENARIOS],
        "reference_api": [reference_api(s) for s in SCENARIOS],
    }
    names = list(measures)
    times: dict[str, list[float]] = {name: [] for name in names}
    queries: dict[str, set[int]] = {name: set() for name in names}
    for name in names:  # warm-up: one pass of each over every scenario, not counted
        for run in measures[name]:
            run()
    for index in range(repeat):
        order = names if index % 2 == 0 else names[::-1]
        for scenario in range(len(SCENARIOS)):
            for name in order:
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    measures[name][scenario]()
                    times[name].append((time.perf_counter() - t0) * 1000)
                queries[name].add(len(ctx))
    return {name: _summary(times[name], queries[name]) for name in names}


def import_file(rows: int) -> bytes:
    from ascn.network.models import City
    from ascn.plans.choices import ProjectStatus, SupportKind
    from ascn.plans.exporting import COLUMNS, to_csv

    slugs = list(City.objects.filter(slug__startswith="synthetic-").values_list("slug", flat=True))
    rng = random.Random(11)
    focus = ["civic_social", "built_infrastructure", "quality_environment", "safety_security"]
    data = [{"city": rng.choice(slugs), "title": f"Imported project {i}",
             "focus_area": rng.choice(focus), "status": rng.choice([ProjectStatus.PLANNING, ProjectStatus.ONGOING]),
             "cost_estimate": str(rng.randint(1, 900) * 1000), "currency": "USD", "support": [SupportKind.FINANCIAL],
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
    parser.add_argument("--json", type=Path, metavar="PATH", help="where to write the results as JSON (default: "
                        "bench/results/pipeline-sqlite.json, or pipeline-postgres.json with --postgres)")
    parser.add_argument("--no-json", action="store_true", help="do not write the JSON (print the figures only)")
    args = parser.parse_args()
    if args.json is None:
        args.json = harness.RESULTS_DIR / f"pipeline-{'postgres' if args.postgres else 'sqlite'}.json"
    started = harness.started_at()
    machine = harness.machine_info(sys.executable, None)
    with tempfile.TemporaryDirectory(prefix="ascn-bench-") as tmp:
        tmp_path = Path(tmp)
        url = _fresh_postgres(args.postgres) if args.postgres else f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        configure(url, tmp_path / "media")
        from django.test import Client

        data = build(args.projects, args.cities)
        timed = measure(Client(), args.repeat)
        imported = measure_import(args.import_rows)
        from django.db import connection

        database = {"vendor": connection.vendor, "version": _database_version(connection)}
        result = {"database": connection.vendor, "data": data, **timed, "import": imported}
        connection.close()
        if args.postgres:
            _drop_postgres(args.postgres)
    ratios = _report(result)
    harness.write_json(
        harness.json_path(args), "pipeline", started=started,
        command_line=harness.command("bench_pipeline.py", {
            "--postgres": "postgres://USER@HOST:PORT/DB" if args.postgres else None, "--projects": args.projects,
            "--cities": args.cities, "--import-rows": args.import_rows, "--repeat": args.repeat}),
        machine=machine,
        config={"database": database, "data": data, "scenarios": SCENARIOS, "repeat": args.repeat,
                "import_rows": args.import_rows, "warm_up": "one pass of every measure over every scenario",
                "timing": "in-process through Django's test client (anonymous); page, endpoint and references "
                "interleaved scenario by scenario, the order reversed every other pass",
                "targets": {"p95_ms": TARGET_P95_MS, "import_rows_per_s": TARGET_IMPORT_RATE}},
        figures={k: v for k, v in result.items() if k not in ("database", "data")},
        ratios={**ratios, "references": {
            "pipeline_page": "reference_page: Paginator over the same filtered, sorted list query, same page "
                             "(count + 25 rows with their support needs), no facets, map or rendering",
            "api_list": "reference_api: the same list query, same offset and limit (50), and its count, no "
                        "serialisation"}})


def _database_version(connection) -> str:
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version
    connection.ensure_connection()
    return str(connection.connection.info.parameter_status("server_version"))


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


def _report(r: dict) -> dict:
    print(f"\nDatabase: {r['database']}; {r['data']['projects']} projects in {r['data']['cities']} cities "
          f"(built in {r['data']['build_seconds']} s)")
    print(f"{'measure':<34}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>10}{'p95/150ms':>11}"
          f"{'p50/ref':>9}{'p95/ref':>9}")
    ratios: dict = {}
    for name, reference in (("pipeline_page", "reference_page"), ("api_list", "reference_api")):
        m, ref = r[name], r[reference]
        ratios[name] = {"p95_to_target": m["p95_ms"] / TARGET_P95_MS,
                        "p50_to_reference": m["p50_ms"] / max(ref["p50_ms"], 0.01),
                        "p95_to_reference": m["p95_ms"] / max(ref["p95_ms"], 0.01)}
        print(f"{name:<34}{m['p50_ms']:>9}{m['p95_ms']:>9}{m['max_ms']:>9}{m['queries_per_request']!s:>10}"
              f"{ratios[name]['p95_to_target']:>11.2f}{ratios[name]['p50_to_reference']:>9.1f}"
              f"{ratios[name]['p95_to_reference']:>9.1f}")
        print(f"{'  ' + reference:<34}{ref['p50_ms']:>9}{ref['p95_ms']:>9}{ref['max_ms']:>9}"
              f"{ref['queries_per_request']!s:>10}")
    imp = r["import"]
    ratios["import_commit_to_target"] = imp["commit_rows_per_s"] / TARGET_IMPORT_RATE
    print(f"\nImport of {imp['rows']} rows: dry run {imp['dry_run_rows_per_s']} rows/s, commit "
          f"{imp['commit_rows_per_s']} rows/s (target {TARGET_IMPORT_RATE:.0f}: ratio "
          f"{ratios['import_commit_to_target']:.2f}), same file again {imp['reimport_unchanged_rows_per_s']} rows/s")
    return ratios


if __name__ == "__main__":
    main()
