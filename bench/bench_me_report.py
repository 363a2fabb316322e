"""Benchmark the generation of the ASCN M&E report (figures once, then HTML + charts + PDF per language) on a
synthetic network.

Builds its own database (SQLite in a temporary directory; the repository's db.sqlite3 is not touched):
the reference framework, countries, cities (38) and the 2025 reporting round, then `--projects` (134)
synthetic published projects spread over the 38 cities with their progress updates (some dated after the
as-of date, a few cancelled), and accepted city reports with highlighted projects and narratives (some in
Thai, so the PDF needs the Thai fonts) for half of the cities.

In-process, after one uncounted warm-up generation, it times `--repeat` (3) rounds of: one full generation
the way the Secretariat's request runs it (`request_me_report` -> the background task on the immediate
backend: the figures once, then an edition per language (en, vi, th): HTML, charts, PDF, stored), then each
stage alone, called exactly as the task (`actions.me_report._generate` and `write_edition`) calls it: once,
reading the rows and computing the figures of the projects reported since the previous round
(`period_start`), the narratives, the previous round's figures and the trend; then per language, the
edition's context (its names, sentences and sections), drawing its three charts, rendering the HTML and
printing the PDF. The stages' figures are checked equal to the ones the task stored. It prints p50 / max in
seconds per stage and language, the ratio of the full generation's p50 to the 10 s target, and each PDF's
size and page count.

Run from the project root:
    .venv/bin/python bench/bench_me_report.py
Options: --projects N --repeat N --json PATH --no-json
The raw results go to bench/results/me_report.json unless --json PATH or --no-json says otherwise.
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

import harness

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
    from ascn.core.choices import Role
    from ascn.core.models import User
    from ascn.core.text import search_blob
    from ascn.framework.models import FrameworkNode
    from ascn.monitoring.choices import ReportState
    from ascn.monitoring.models import CityReport, ProjectReport, ReportingRound
    from ascn.network.models import City
    from ascn.plans.choices import ProjectStatus
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
                status=ProjectStatus.ONGOING, is_published=True, search_text=search_blob(title)))
        created = Project.objects.bulk_create(rows)
        updates = []
        for project in created:
            status = rng.choices([ProjectStatus.ONGOING, ProjectStatus.PLANNING, ProjectStatus.COMPLETED,
                                  ProjectStatus.CANCELLED], [80, 8, 14, 2])[0]
            updates.append(ProgressUpdate(project=project, date="2024-09-25", status=ProjectStatus.PLANNING))
            updates.append(ProgressUpdate(project=project, date="2025-09-30", status=status))
            if rng.random() < 0.2:  # moved on after the as-of date: must not change the round's figures
                updates.append(ProgressUpdate(project=project, date="2025-12-01", status=ProjectStatus.COMPLETED))
        ProgressUpdate.objects.bulk_create(updates)
        reporter = User.objects.create(username="bench-secretariat", role=Role.SECRETARIAT, is_staff=True)
        for city in cities[::2]:
            report = CityReport.objects.create(round=reporting_round, city=city, state=ReportState.ACCEPTED,
                                               summary="Synthetic annual report.")
            mine = [p for p in created if p.city_id == city.pk]
            ProjectReport.objects.bulk_create([ProjectReport(
                report=report, project=p, status=ProjectStatus.ONGOING, is_highlighted=index == 0,
                progress=("โครงการดำเนินการแล้วร้อยละ 60 ระบบเซ็นเซอร์ติดตั้งครบทุกจุด" if city.country.iso3 == "THA"
                          else "Phase one delivered; sensors installed at 40 junctions and the dashboard is live."),
                partner_support="Technical advice from a development partner.",
                challenges="Procurement took longer than planned.") for index, p in enumerate(mine)])
    return {"projects": Project.objects.count(), "cities": City.objects.count(),
            "accepted_reports": CityReport.objects.filter(state=ReportState.ACCEPTED).count(),
            "build_seconds": round(time.perf_counter() - started, 1), "secretariat_id": reporter.pk}


def _summary(times: list[float]) -> dict:
    return {"runs": len(times), "p50_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def measure(repeat: int, secretariat_id: int) -> dict:
    from django.conf import settings
    from django.core.serializers.json import DjangoJSONEncoder
    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    from ascn.core.models import User
    from ascn.monitoring import me_figures as fig
    from ascn.monitoring.actions import me_report as actions
    from ascn.monitoring.models import MEReport, ReportingRound
    from ascn.monitoring.queries import me_report as queries
    from ascn.monitoring.queries import trends

    secretariat = User.objects.get(pk=secretariat_id)
    reporting_round = ReportingRound.objects.get(year=2025)

    def full_generation() -> MEReport:
        report = actions.request_me_report(secretariat, reporting_round, via="bench")  # runs the task on commit
        report = MEReport.objects.select_related("round").get(pk=report.pk)
        assert report.state == "done" and report.step == "done", (report.state, report.step, report.error)
        return report

    def stages(report: MEReport) -> tuple[dict[str, float], dict, dict[str, tuple[str, bytes]]]:
        """The task's stages (actions.me_report._generate, write_edition), called as it calls them, without its
        bookkeeping: the figures once, then each language's context, charts, HTML and PDF."""
        times: dict[str, float] = {}
        with translation.override(settings.LANGUAGE_CODE):
            t0 = time.perf_counter()
            names = queries.labels()
            rows = queries.project_rows(report.as_of)
            since = queries.period_start(report.round)
            figures = fig.figures(rows, report.as_of, list(names.focus_areas), queries.countries_in(rows, names),
                                  since)
            figures["labels"] = names.as_json()
            narratives, reported = queries.narratives(report.round)
            previous_round, previous = queries.previous_figures(report.round, names)
            sources = actions.Sources(rows, since, figures, narratives, reported,
                                      queries.coverage(report.round, reported), previous_round, previous,
                                      trends.round_trends(None, until=report.round, current=figures), timezone.now())
            times["figures"] = time.perf_counter() - t0
        editions: dict[str, tuple[str, bytes]] = {}
        for language in actions.languages():
            with translation.override(language):
                t0 = time.perf_counter()
                context = actions.edition_context(report, sources, language)
                t1 = time.perf_counter()
                context["charts"] = actions.draw_charts(context, sources.trend)
                t2 = time.perf_counter()
                html = render_to_string("monitoring/me_report_body.html", context)
                t3 = time.perf_counter()
                pdf = actions.render_pdf(report, html)
                t4 = time.perf_counter()
            times.update({f"context_{language}": t1 - t0, f"charts_{language}": t2 - t1,
                          f"html_{language}": t3 - t2, f"pdf_{language}": t4 - t3})
            editions[language] = (html, pdf)
        times["editions"] = sum(v for k, v in times.items() if k != "figures")
        return times, figures, editions

    report = full_generation()  # warm-up (templates, fonts, WeasyPrint's caches, the chart renderer), not counted
    _times, figures, editions = stages(report)
    if json.loads(json.dumps(figures, cls=DjangoJSONEncoder)) != report.figures:
        raise SystemExit("The stages' figures differ from the ones the task stored: they are not called as the "
                         "task calls them.")
    stored = {e.language: e for e in report.editions.all()}
    if sorted(stored) != sorted(editions) or not all(e.pdf for e in stored.values()):
        raise SystemExit(f"The task stored editions {sorted(stored)}, not one with a PDF per language.")
    full: list[float] = []
    staged: dict[str, list[float]] = {}
    for _ in range(repeat):  # a full generation and the stages alone, in turn
        t0 = time.perf_counter()
        report = full_generation()
        full.append(time.perf_counter() - t0)
        times, figures, editions = stages(report)
        for key, value in times.items():
            staged.setdefault(key, []).append(value)
    from pypdf import PdfReader

    stored = report.figures
    return {"full_generation": _summary(full), **{key: _summary(values) for key, values in staged.items()},
            "editions_printed": {language: {"pdf_bytes": len(pdf), "pdf_pages": len(PdfReader(io.BytesIO(pdf)).pages),
                                            "html_chars": len(html)} for language, (html, pdf) in editions.items()},
            "counted": {"projects": stored["projects"], "cancelled": stored["cancelled"],
                        **stored["status"]["counts"]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=134)
    parser.add_argument("--repeat", type=int, default=3)
    harness.add_json_args(parser, "me_report")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 50 or not 1 <= args.projects <= 100_000:
        raise SystemExit("--repeat must be 1..50 and --projects 1..100000.")
    started = harness.started_at()
    machine = harness.machine_info(sys.executable, None)
    with tempfile.TemporaryDirectory(prefix="ascn-bench-") as tmp:
        tmp_path = Path(tmp)
        configure(f"sqlite:///{tmp_path / 'bench.sqlite3'}", tmp_path / "media")
        try:
            from weasyprint import HTML  # noqa: F401
        except OSError as exc:
            raise SystemExit(f"Cannot measure: WeasyPrint cannot load Pango ({exc}).") from None
        import weasyprint

        data = build(args.projects)
        result = {"data": data, **measure(args.repeat, data.pop("secretariat_id"))}
        from django.db import connection

        result["database"] = connection.vendor
        connection.close()
    ratio = _report(result)
    harness.write_json(
        harness.json_path(args), "me_report", started=started,
        command_line=harness.command("bench_me_report.py", {"--projects": args.projects, "--repeat": args.repeat}),
        machine={**machine, "weasyprint": weasyprint.__version__},
        config={"database": "SQLite in a temporary directory", "data": result["data"], "repeat": args.repeat,
                "warm_up": "one full generation and one pass of the stages, not counted",
                "timing": "in-process; each round: one full generation (request_me_report, immediate task "
                "backend: the figures once, an edition per language), then the task's stages alone, as the task "
                "calls them (the figures once; per language: context, charts, HTML, PDF)",
                "target_s": TARGET_SECONDS},
        figures={k: v for k, v in result.items() if k not in ("data", "database")},
        ratios={"full_generation_p50_to_target": ratio, "to": f"the {TARGET_SECONDS:.0f} s target (no reference)"})


def _report(r: dict) -> float:
    d = r["data"]
    print(f"\nDatabase: {r['database']}; {d['projects']} projects in {d['cities']} cities, "
          f"{d['accepted_reports']} accepted city reports (built in {d['build_seconds']} s)")
    print(f"Counted as of 2025-09-30: {r['counted']}")
    print(f"{'measure':<28}{'runs':>6}{'p50 s':>9}{'max s':>9}{'p50/10s':>10}")
    languages = list(r["editions_printed"])
    names = ["full_generation", "figures", *(f"{stage}_{language}" for language in languages
                                             for stage in ("context", "charts", "html", "pdf")), "editions"]
    for name in names:
        m = r[name]
        print(f"{name:<28}{m['runs']:>6}{m['p50_s']:>9.3f}{m['max_s']:>9.3f}{m['p50_s'] / TARGET_SECONDS:>10.3f}")
    printed = "; ".join(f"{language}: {e['pdf_pages']} pages, {e['pdf_bytes'] / 1024:.0f} KiB, HTML {e['html_chars']} "
                        f"characters" for language, e in r["editions_printed"].items())
    print(f"\nPDFs: {printed}. Full generation p50 {r['full_generation']['p50_s']:.2f} s against the "
          f"{TARGET_SECONDS:.0f} s target: ratio {r['full_generation']['p50_s'] / TARGET_SECONDS:.2f}.")
    return r["full_generation"]["p50_s"] / TARGET_SECONDS


if __name__ == "__main__":
    main()
