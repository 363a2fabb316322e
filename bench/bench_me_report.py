"""Benchmark the generation of the ASCN M&E report (figures + HTML + PDF) on a synthetic network.

Builds its own database (SQLite in a temporary directory; the repository's db.sqlite3 is not touched):
the reference framework, countries, cities (38) and the 2025 reporting round, then `--projects` (134)
synthetic published projects spread over the 38 cities with their progress updates (some dated after the
as-of date, a few cancelled), and accepted city reports with highlighted projects and narratives (some in
Thai, so the PDF needs the Thai fonts) for half of the cities.

In-process, it times `--repeat` (3) full generations the way the Secretariat's request runs them
(`request_me_report` -> the background task on the immediate backend: figures, HTML, PDF, stored), and
each stage alone: reading the rows and computing the figures, rendering the HTML, printing the PDF.
It prints p50 / max in seconds, the ratio of the full generation's p50 to the 10 s target, and the PDF's
size and page count.

Run from the project root:
    .venv/bin/python bench/bench_me_report.py
Options: --projects N --repeat N --json PATH
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
TARGET_SECONDS = 10.0
SEED_MODULES = ("ascn.framework.seed", "ascn.network.seed", "ascn.monitoring.seed")  # no reference projects


def configure(database_url: str, media: Path) -> None:
    os.environ.update(DJANGO_SETTINGS_MODULE="ascn.settings", DEBUG="0", SECRET_KEY="bench-only",
                      ALLOWED_HOSTS="testserver,localhost", DATABASE_URL=database_url, MEDIA_ROOT=str(media),
                      TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend")
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    logging.getLogger("django_tasks").setLevel(logging.WARNING)


def build(projects: int, seed: int = 7) -> dict:
    """Migrate, load the reference data without its projects, then add synthetic projects and city reports."""
    from django.core.management import call_command
    from django.db import transaction

    from ascn.core.actions import seed_reference_data
    from ascn.core.models import User
    from ascn.core.text import search_blob
    from ascn.framework.models import FrameworkNode
    from ascn.monitoring.models import CityReport, ProjectReport, ReportingRound
    from ascn.network.models import City
    from ascn.plans.models import ProgressUpdate, Project

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
    seed_reference_data(SEED_MODULES)
    rng = random.Random(seed)
    cities = list(City.objects.order_by("slug"))
    focus = list(FrameworkNode.objects.filter(kind="focus_area"))
    types = {f.pk: list(FrameworkNode.objects.filter(parent=f)) for f in focus}
    reporting_round = ReportingRound.objects.get(year=2025)
    words = ["Smart", "Digital", "Green", "Integrated", "Water", "Traffic", "Health", "Waste", "Tourism", "Data"]
    with transaction.atomic():
        rows = []
        for i in range(projects):
            area = rng.choice(focus)
            title = f"{rng.choice(words)} {rng.choice(words).lower()} programme {i + 1}"
            rows.append(Project(
                city=cities[i % len(cities)], title=title, focus_area=area, reference=f"S{i + 1}",
                project_type=rng.choice(types[area.pk]) if rng.random() < 0.6 else None,
                status="ongoing", is_published=True, search_text=search_blob(title)))
        created = Project.objects.bulk_create(rows)
        updates = []
        for project in created:
            status = rng.choices(["ongoing", "planning", "completed", "cancelled"], [80, 8, 14, 2])[0]
            updates.append(ProgressUpdate(project=project, date="2024-09-25", status="planning"))
            updates.append(ProgressUpdate(project=project, date="2025-09-30", status=status))
            if rng.random() < 0.2:  # moved on after the as-of date: must not change the round's figures
                updates.append(ProgressUpdate(project=project, date="2025-12-01", status="completed"))
        ProgressUpdate.objects.bulk_create(updates)
        reporter = User.objects.create(username="bench-secretariat", role="secretariat", is_staff=True)
        for city in cities[::2]:
            report = CityReport.objects.create(round=reporting_round, city=city, state="accepted",
                                               summary="Synthetic annual report.")
            mine = [p for p in created if p.city_id == city.pk]
            ProjectReport.objects.bulk_create([ProjectReport(
                report=report, project=p, status="ongoing", is_highlighted=index == 0,
                progress=("โครงการดำเนินการแล้วร้อยละ 60 ระบบเซ็นเซอร์ติดตั้งครบทุกจุด" if city.country.iso3 == "THA"
                          else "Phase one delivered; sensors installed at 40 junctions and the dashboard is live."),
                partner_support="Technical advice from a development partner.",
                challenges="Procurement took longer than planned.") for index, p in enumerate(mine)])
    return {"projects": Project.objects.count(), "cities": City.objects.count(),
            "accepted_reports": CityReport.objects.filter(state="accepted").count(),
            "build_seconds": round(time.perf_counter() - started, 1), "secretariat_id": reporter.pk}


def _summary(times: list[float]) -> dict:
    return {"runs": len(times), "p50_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def measure(repeat: int, secretariat_id: int) -> dict:
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation

    from ascn.core.models import User
    from ascn.monitoring import me_figures as fig
    from ascn.monitoring.actions import me_report as actions
    from ascn.monitoring.models import MEReport, ReportingRound
    from ascn.monitoring.queries import me_report as queries

    secretariat = User.objects.get(pk=secretariat_id)
    reporting_round = ReportingRound.objects.get(year=2025)
    full, figures_t, html_t, pdf_t = [], [], [], []
    report = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        report = actions.request_me_report(secretariat, reporting_round, via="bench")  # runs the task on commit
        full.append(time.perf_counter() - t0)
        report.refresh_from_db()
        assert report.state == "done" and report.step == "done", (report.state, report.step, report.error)
    assert report is not None
    translation.activate(settings.LANGUAGE_CODE)  # as the task does
    for _ in range(repeat):
        t0 = time.perf_counter()
        names = queries.labels()
        rows = queries.project_rows(reporting_round.as_of)
        figures = fig.figures(rows, reporting_round.as_of, list(names.focus_areas), queries.countries_in(rows, names))
        figures["labels"] = names.as_json()
        narratives, reported = queries.narratives(reporting_round)
        previous_round, previous = queries.previous_figures(reporting_round, names)
        figures_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        context = actions.report_context(report, figures, fig.counted(rows, reporting_round.as_of), narratives,
                                         reported, previous_round, previous, report.finished_at)
        html = render_to_string("monitoring/me_report_body.html", context)
        html_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        pdf = actions.render_pdf(report, html)
        pdf_t.append(time.perf_counter() - t0)
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    stored = MEReport.objects.get(pk=report.pk).figures
    return {"full_generation": _summary(full), "figures": _summary(figures_t), "html": _summary(html_t),
            "pdf": _summary(pdf_t), "pdf_bytes": len(pdf), "pdf_pages": pages, "html_chars": len(html),
            "counted": {"projects": stored["projects"], "cancelled": stored["cancelled"],
                        **stored["status"]["counts"]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=134)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not 1 <= args.repeat <= 50 or not 1 <= args.projects <= 100_000:
        raise SystemExit("--repeat must be 1..50 and --projects 1..100000.")
    with tempfile.TemporaryDirectory(prefix="ascn-bench-") as tmp:
        tmp_path = Path(tmp)
        configure(f"sqlite:///{tmp_path / 'bench.sqlite3'}", tmp_path / "media")
        try:
            from weasyprint import HTML  # noqa: F401
        except OSError as exc:
            raise SystemExit(f"Cannot measure: WeasyPrint cannot load Pango ({exc}).") from None
        data = build(args.projects)
        result = {"data": data, **measure(args.repeat, data.pop("secretariat_id"))}
        from django.db import connection

        result["database"] = connection.vendor
        connection.close()
    _report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


def _report(r: dict) -> None:
    d = r["data"]
    print(f"\nDatabase: {r['database']}; {d['projects']} projects in {d['cities']} cities, "
          f"{d['accepted_reports']} accepted city reports (built in {d['build_seconds']} s)")
    print(f"Counted as of 2025-09-30: {r['counted']}")
    print(f"{'measure':<28}{'runs':>6}{'p50 s':>9}{'max s':>9}{'p50/10s':>10}")
    for name in ("full_generation", "figures", "html", "pdf"):
        m = r[name]
        print(f"{name:<28}{m['runs']:>6}{m['p50_s']:>9.3f}{m['max_s']:>9.3f}{m['p50_s'] / TARGET_SECONDS:>10.3f}")
    print(f"\nPDF: {r['pdf_pages']} pages, {r['pdf_bytes'] / 1024:.0f} KiB; HTML {r['html_chars']} characters. "
          f"Full generation p50 {r['full_generation']['p50_s']:.2f} s against the {TARGET_SECONDS:.0f} s target: "
          f"ratio {r['full_generation']['p50_s'] / TARGET_SECONDS:.2f}.")


if __name__ == "__main__":
    main()
