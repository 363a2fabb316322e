"""Writes of the generated M&E report: the Secretariat requests one for a round, and the background task
computes its figures once, then writes and prints the report in each language of the site (an edition each:
HTML and PDF), and records how far it got."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ascn.core import charts as drawing
from ascn.core.actions import create_audited, record
from ascn.core.choices import AuditAction
from ascn.core.models import User
from ascn.core.pdf import PdfUnavailable, html_to_pdf
from ascn.core.permissions import require_secretariat

from .. import charts
from .. import me_figures as fig
from ..choices import GenerationState
from ..models import MEReport, MEReportEdition, ReportingRound
from ..queries import me_report as queries
from ..queries import trends

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

logger = logging.getLogger(__name__)

# A queued or running generation blocks a new request for the same round for this long; after that it
# is taken as lost (a worker stopped mid-way) and a new one may be requested.
BUSY_FOR = dt.timedelta(minutes=15)

# The steps a generation goes through, stored as codes in MEReport.step and shown with `step_label`. The steps
# of one edition carry its language: "charts:vi", "html:vi", "pdf:vi".
QUEUED, FIGURES, NARRATIVES, CHARTS, HTML, PDF, DONE, DONE_WITHOUT_PDF, FAILED = (
    "queued", "figures", "narratives", "charts", "html", "pdf", "done", "done_without_pdf", "failed")
EDITIONS_FROM, EDITIONS_TO = 30, 95  # the progress the editions share, one equal part per language


def languages() -> list[str]:
    """The languages a report is written in: the site's, in their order (the site's own language first)."""
    return [code for code, _name in settings.LANGUAGES]


def step_label(step: str) -> str:
    """The step of a generation in words, in the active language (an edition's step names its language)."""
    code, _sep, language = step.partition(":")
    label = {
        QUEUED: _("Waiting for the background worker"),
        FIGURES: _("Computing the figures as of the round's date"),
        NARRATIVES: _("Reading the accepted city reports"),
        CHARTS: _("Drawing the charts"),
        HTML: _("Writing the report"),
        PDF: _("Printing the PDF"),
        DONE: _("Done"),
        DONE_WITHOUT_PDF: _("Done; no PDF (the server cannot print PDFs: its Pango library is missing)"),
        FAILED: _("Failed"),
    }.get(code, code)
    if not language:
        return str(label)
    name = translation.get_language_info(language)["name_translated"] if language in languages() else language
    return _("%(step)s (%(language)s)") % {"step": label, "language": name}


def request_me_report(actor: Actor, reporting_round: ReportingRound, via: str = "web") -> MEReport:
    """Queue the generation of the round's M&E report (Secretariat only); the task starts after commit."""
    from ..tasks.me_report import generate_me_report

    require_secretariat(actor)
    if queries.published_only(reporting_round):
        raise ValidationError({"round": _(
            "The %(year)s round came before the platform: it has no reporting cities and no project data, only "
            "the figures its published report states (see the network's trend across rounds).")
            % {"year": reporting_round.year}})
    with transaction.atomic():
        ReportingRound.objects.select_for_update().filter(pk=reporting_round.pk).first()  # one request at a time
        busy = queries.in_progress(reporting_round)
        if busy is not None and busy.created_at > timezone.now() - BUSY_FOR:
            raise ValidationError({"round": _(
                "The %(year)s report is already being generated (report %(id)s, %(state)s); wait for it to "
                "finish.") % {"year": reporting_round.year, "id": busy.pk, "state": busy.get_state_display()}})
        report = MEReport(round=reporting_round, as_of=reporting_round.as_of, state=GenerationState.QUEUED,
                          progress=0, step=QUEUED, requested_by=actor if isinstance(actor, User) else None)
        create_audited(actor, report, via)
        transaction.on_commit(lambda: generate_me_report.enqueue(report.pk))
    return report


def _advance(report: MEReport, progress: int, step: str) -> None:
    """Record how far the generation is; committed at once so the polling page sees it."""
    report.state, report.progress, report.step = GenerationState.RUNNING, progress, step
    MEReport.objects.filter(pk=report.pk).update(state=report.state, progress=progress, step=step,
                                                 updated_at=timezone.now())


def generate(report_id: int) -> MEReport | None:
    """Run a queued generation to the end: done (with the figures, HTML and PDF) or failed with the error.

    A report that is not queued any more (run already, or running elsewhere) is left as it is."""
    claimed = MEReport.objects.filter(pk=report_id, state=GenerationState.QUEUED).update(
        state=GenerationState.RUNNING, progress=1, step=FIGURES, updated_at=timezone.now())
    report = MEReport.objects.select_related("round").filter(pk=report_id).first()
    if not claimed or report is None:
        return report
    try:
        with translation.override(settings.LANGUAGE_CODE):
            _generate(report)
    except Exception as exc:  # any error ends the generation as failed, with its text for the Secretariat
        logger.exception("M&E report %s failed", report_id)
        _finish(report, GenerationState.FAILED, FAILED, error=str(exc) or type(exc).__name__)
    return report


@dataclass
class Sources:
    """What every edition is written from, read and computed once per generation (the language plays no part)."""

    rows: list[fig.ProjectRow]
    since: dt.date
    figures: dict[str, Any]
    narratives: dict[int, fig.Narrative]
    reported: set[str]
    coverage: tuple[int, int]
    previous_round: ReportingRound | None
    previous: dict[str, Any] | None
    trend: list[trends.RoundTrend]
    generated_at: dt.datetime
    synthetic: bool = False  # the round holds the demo's synthetic reports: the report says so on its cover


@dataclass
class Edition:
    language: str
    html: str
    pdf: bytes | None


def _generate(report: MEReport) -> None:
    _advance(report, 5, FIGURES)
    names = queries.labels()
    rows = queries.project_rows(report.as_of)
    since = queries.period_start(report.round)
    figures = fig.figures(rows, report.as_of, list(names.focus_areas), queries.countries_in(rows, names), since)
    figures["labels"] = names.as_json()  # in the site's language: the API's names
    _advance(report, 20, NARRATIVES)
    narratives, reported = queries.narratives(report.round)
    previous_round, previous = queries.previous_figures(report.round, names)
    sources = Sources(rows, since, figures, narratives, reported, queries.coverage(report.round, reported),
                      previous_round, previous, trends.round_trends(None, until=report.round, current=figures),
                      timezone.now(), queries.includes_synthetic(report.round))
    editions, printing = [], True
    codes = languages()
    span = (EDITIONS_TO - EDITIONS_FROM) // len(codes)
    for index, language in enumerate(codes):
        edition = write_edition(report, sources, language, EDITIONS_FROM + index * span, span, printing)
        printing = printing and edition.pdf is not None  # a server that cannot print does not try again
        editions.append(edition)
    _finish(report, GenerationState.DONE, DONE if printing else DONE_WITHOUT_PDF, figures=figures,
            editions=editions, finished_at=sources.generated_at)


def write_edition(report: MEReport, sources: Sources, language: str, progress: int = 0, span: int = 0,
                  printing: bool = True) -> Edition:
    """The report in one language: its names, sentences, charts (labels and number separators) and dates in
    that language, written as HTML and printed as PDF (None when the server cannot print)."""
    with translation.override(language):
        _advance(report, progress, f"{CHARTS}:{language}")
        context = edition_context(report, sources, language)
        context["charts"] = draw_charts(context, sources.trend)
        _advance(report, progress + span // 5, f"{HTML}:{language}")
        html = render_to_string("monitoring/me_report_body.html", context)
        if not printing:
            return Edition(language, html, None)
        _advance(report, progress + span * 2 // 5, f"{PDF}:{language}")
        try:
            pdf: bytes | None = render_pdf(report, html)
        except PdfUnavailable as exc:
            logger.warning("M&E report %s: no PDF (%s)", report.pk, exc)
            pdf = None
    return Edition(language, html, pdf)


def edition_context(report: MEReport, sources: Sources, language: str) -> dict[str, Any]:
    """The template's context of one edition, in the active language (`language`)."""
    names = queries.labels(with_cities=True)
    rows = fig.counted(queries.localized(sources.rows, names), report.as_of, sources.since)
    context = report_context(report, sources.figures, rows, sources.narratives, sources.reported,
                             sources.previous_round, sources.previous, sources.generated_at, names)
    context.update(
        language=language, coverage=coverage_sentences(*sources.coverage, sources.figures["cities"]),
        synthetic=sources.synthetic,
        trend_rows=trends.table_rows(sources.trend, ["projects"], "projects"), trend_headings=[_("Projects")],
        trend_caption=_("Projects per reporting round: the figures the published reports state and those computed "
                        "from the platform's data"))
    return context


def _finish(report: MEReport, state: str, step: str, *, figures: dict[str, Any] | None = None,
            editions: list[Edition] | None = None, error: str = "", finished_at: dt.datetime | None = None) -> None:
    editions = editions or []
    with transaction.atomic():
        report.state, report.step, report.error = state, step, error
        report.progress = 100 if state == GenerationState.DONE else report.progress
        report.finished_at = finished_at or timezone.now()
        fields = ["state", "step", "error", "progress", "finished_at", "updated_at"]
        if figures is not None:
            report.figures = figures
            fields.append("figures")
        report.save(update_fields=fields)
        for item in editions:
            edition = MEReportEdition(report=report, language=item.language, html=item.html)
            if item.pdf:
                edition.pdf.save(f"ascn-me-report-{report.round.year}-{report.pk}-{item.language}.pdf",
                                 ContentFile(item.pdf), save=False)
            edition.save()
        record(None, AuditAction.UPDATE, report, {"state": [GenerationState.RUNNING, state],
                                                  **({"error": [None, error]} if error else {}),
                                                  **({"languages": [None, [e.language for e in editions]]}
                                                     if editions else {})}, via="task")


def render_pdf(report: MEReport, html: str) -> bytes:
    """The report printed from the same HTML as the page, in the active language (see core.pdf for fonts and
    text)."""
    return html_to_pdf(render_to_string("monitoring/me_report_pdf.html", {
        "report": report, "body": html, "language": translation.get_language() or settings.LANGUAGE_CODE}))


def chart_specs(context: dict[str, Any], trend: list[trends.RoundTrend]) -> dict[str, dict[str, Any]]:
    """The report's charts as Vega-Lite specs: shares by focus area and by status (when a project counts) and
    the projects per reporting round, published figures beside computed ones. Their headings are the report's."""
    specs = {}
    if context["figures"]["projects"]:
        specs["focus_areas"] = charts.share_bars(
            [{"label": r["name"], "count": r["count"], "share": r["share"]} for r in context["focus_rows"]],
            _("Focus area"))
        specs["statuses"] = charts.share_bars(
            [{"label": r["name"], "count": r["count"], "share": r["share"]} for r in context["statuses"]],
            _("Status"))
    areas = context["names"].focus_areas
    rows = trends.chart_rows(trend, {c: queries.status_label(c) for c in fig.STATUSES}, areas)["projects"]
    if rows:
        specs["trend"] = charts.trend(rows, _("Projects"))
    return specs


def draw_charts(context: dict[str, Any], trend: list[trends.RoundTrend]) -> dict[str, SafeString]:
    """The charts drawn as SVG (the same in the page and the PDF: both show the stored HTML)."""
    return {key: mark_safe(drawing.svg(spec, prefix=f"me-{key}"))  # the renderer escapes the text it draws
            for key, spec in chart_specs(context, trend).items()}


# --- What the report says -------------------------------------------------------------------------------


def introduction(projects: int, cities: int, as_of: dt.date) -> SafeString:
    """The report's first sentence, with the number of projects marked for the reader (and the tests)."""
    count = format_html('<strong data-figure="projects">{}</strong>', projects)
    text = ngettext("As of %(date)s, the member cities report %(projects)s in %(cities)s city.",
                    "As of %(date)s, the member cities report %(projects)s in %(cities)s cities.", cities)
    projects_text = ngettext("%(count)s smart city project", "%(count)s smart city projects", projects)
    return mark_safe(conditional_escape(text) % {  # every part escaped, or built by format_html
        "date": conditional_escape(date_format(as_of, "DATE_FORMAT")), "cities": cities,
        "projects": conditional_escape(projects_text) % {"count": count}})


def coverage_sentences(reporting: int, accepted: int, cities: int) -> list[str]:
    """How far the accepted city reports cover the round: said whenever a reporting city has none yet."""
    if not reporting:
        return []
    if accepted == reporting:
        return [ngettext("The round's reporting city has an accepted annual report.",
                         "All %(total)s reporting cities have an accepted annual report.", reporting)
                % {"total": reporting}]
    if not accepted:
        found = [ngettext("The round's reporting city has no accepted annual report yet: the report has no city "
                          "narrative.",
                          "None of the %(total)s reporting cities has an accepted annual report yet: the report has "
                          "no city narratives.", reporting) % {"total": reporting}]
    else:
        found = [ngettext("%(accepted)s of %(total)s reporting city has an accepted annual report.",
                          "%(accepted)s of %(total)s reporting cities have an accepted annual report.", reporting)
                 % {"accepted": accepted, "total": reporting},
                 ngettext("The narratives in section 4 come from that city's report only.",
                          "The narratives in section 4 come from those %(accepted)s cities' reports only.",
                          accepted) % {"accepted": accepted}]
    found.append(ngettext("The figures count the published projects reported in the round's period, in %(count)s "
                          "city.",
                          "The figures count the published projects reported in the round's period, in %(count)s "
                          "cities.", cities) % {"count": cities})
    return found


def _names(keys: list[str], labels: dict[str, str]) -> str:
    """"A", "A and B", "A, B and C"."""
    names = [labels.get(k, k) for k in keys]
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def observation_sentences(items: list[dict[str, Any]], labels: dict[str, dict[str, str]]) -> list[str]:
    """The computed observations in words (see me_figures.observations)."""
    areas, countries = labels["focus_areas"], labels["countries"]
    sentences = []
    for item in items:
        kind = item["kind"]
        if kind == "top_focus_area":
            values = {"names": _names(item["keys"], areas), "count": item["count"], "share": item["share"]}
            if len(item["keys"]) == 1:
                text = ngettext("%(names)s has the most projects: %(count)s project, %(share)s%% of the total.",
                                "%(names)s has the most projects: %(count)s projects, %(share)s%% of the total.",
                                item["count"])
            else:
                text = ngettext("%(names)s have the most projects: %(count)s project each (%(share)s%% each).",
                                "%(names)s have the most projects: %(count)s projects each (%(share)s%% each).",
                                item["count"])
            sentences.append(text % values)
        elif kind == "low_focus_area":
            values = {"names": _names(item["keys"], areas), "count": item["count"], "share": item["share"]}
            if len(item["keys"]) == 1:
                text = ngettext("The fewest projects are in %(names)s: %(count)s project (%(share)s%%).",
                                "The fewest projects are in %(names)s: %(count)s projects (%(share)s%%).",
                                item["count"])
            else:
                text = ngettext("The fewest projects are in %(names)s: %(count)s project each (%(share)s%% each).",
                                "The fewest projects are in %(names)s: %(count)s projects each (%(share)s%% each).",
                                item["count"])
            sentences.append(text % values)
        elif kind == "status":
            sentences.append(_("%(ongoing)s%% of the projects are ongoing, %(planning)s%% are being planned and "
                               "%(completed)s%% are completed.") % item)
        elif kind == "top_country":
            values = {"names": _names(item["keys"], countries), "count": item["count"]}
            if len(item["keys"]) == 1:
                text = ngettext("%(names)s reports the most projects (%(count)s project).",
                                "%(names)s reports the most projects (%(count)s projects).", item["count"])
            else:
                text = ngettext("%(names)s report the most projects (%(count)s project each).",
                                "%(names)s report the most projects (%(count)s projects each).", item["count"])
            sentences.append(text % values)
        elif kind == "change":
            sentences += _change_sentences(item)
        elif kind == "share_moved":
            values = {**item, "name": areas.get(item["key"], item["key"])}
            if item.get("published"):
                text = _("The largest change in share is %(name)s: %(before)s%% published for the previous round, "
                         "%(now)s%% now.")
            else:
                text = _("The largest change in share is %(name)s: %(before)s%% in the previous round, %(now)s%% now.")
            sentences.append(text % values)
        elif kind == "unclassified" and item.get("all"):
            sentences.append(_("Project types are not yet classified: no project counted has a project type."))
        elif kind == "unclassified":
            sentences.append(ngettext("%(count)s project has no project type yet (not classified).",
                                      "%(count)s projects have no project type yet (not classified).",
                                      item["count"]) % item)
        elif kind == "cancelled":
            sentences.append(ngettext("%(count)s cancelled project is left out of the figures.",
                                      "%(count)s cancelled projects are left out of the figures.",
                                      item["count"]) % item)
        elif kind == "not_reported":
            sentences.append(ngettext(
                "%(count)s published project was not reported in this round (its latest progress update is "
                "older than the round's period) and is left out of the figures.",
                "%(count)s published projects were not reported in this round (their latest progress update is "
                "older than the round's period) and are left out of the figures.", item["count"]) % item)
    return sentences


def _change_sentences(item: dict[str, Any]) -> list[str]:
    """The change since the previous round; against a published report's figures, it says so."""
    values = {**item, "difference": abs(item["difference"]),
              "date": date_format(dt.date.fromisoformat(item["previous_as_of"]), "DATE_FORMAT")}
    published, n = item.get("published", False), item["current"]
    if item["difference"] > 0 and published:
        text = ngettext("The network counts %(current)s project, %(difference)s more than the %(previous)s "
                        "published for the previous round (as of %(date)s).",
                        "The network counts %(current)s projects, %(difference)s more than the %(previous)s "
                        "published for the previous round (as of %(date)s).", n)
    elif item["difference"] > 0:
        text = ngettext("The network counts %(current)s project, %(difference)s more than the %(previous)s of the "
                        "previous round (as of %(date)s).",
                        "The network counts %(current)s projects, %(difference)s more than the %(previous)s of the "
                        "previous round (as of %(date)s).", n)
    elif item["difference"] < 0 and published:
        text = ngettext("The network counts %(current)s project, %(difference)s fewer than the %(previous)s "
                        "published for the previous round (as of %(date)s).",
                        "The network counts %(current)s projects, %(difference)s fewer than the %(previous)s "
                        "published for the previous round (as of %(date)s).", n)
    elif item["difference"] < 0:
        text = ngettext("The network counts %(current)s project, %(difference)s fewer than the %(previous)s of "
                        "the previous round (as of %(date)s).",
                        "The network counts %(current)s projects, %(difference)s fewer than the %(previous)s of "
                        "the previous round (as of %(date)s).", n)
    elif published:
        text = ngettext("The network counts %(current)s project, as many as published for the previous round "
                        "(as of %(date)s).",
                        "The network counts %(current)s projects, as many as published for the previous round "
                        "(as of %(date)s).", n)
    else:
        text = ngettext("The network counts %(current)s project, as many as in the previous round (as of %(date)s).",
                        "The network counts %(current)s projects, as many as in the previous round (as of %(date)s).",
                        n)
    sentences = [text % values]
    if item["completed_before"] is not None:
        if published:
            text = _("Completed projects: %(completed_now)s, against %(completed_before)s published for the "
                     "previous round.")
        else:
            text = _("Completed projects: %(completed_now)s, against %(completed_before)s in the previous round.")
        sentences.append(text % item)
    return sentences


def _project_row(item: fig.Counted, areas: dict[str, str], types: dict[str, str]) -> dict[str, Any]:
    row = item.row
    return {"id": row.id, "reference": row.reference, "title": row.title, "city": row.city_name,
            "country": row.country_name, "focus_area": areas.get(row.focus_area, row.focus_area),
            "project_type": types.get(row.project_type, row.project_type) if row.project_type else "",
            "status": item.status, "status_label": queries.status_label(item.status), "updated_on": item.updated_on}


def section_notes(cities: list[fig.CityEntry]) -> list[str]:
    """What a focus area's section says once about its cities' narratives: which cities have no accepted report
    (no narrative), and which accepted reports highlight none of their projects there."""
    notes = []
    missing = [e.city_name for e in cities if not e.reported]
    if missing and len(missing) == len(cities):
        notes.append(_("No narrative reported for this round."))
    elif missing:
        notes.append(ngettext("No narrative reported for this round by %(cities)s (no accepted annual report).",
                              "No narrative reported for this round by %(cities)s (no accepted annual reports).",
                              len(missing)) % {"cities": _names(missing, {})})
    quiet = [e.city_name for e in cities if e.reported and not e.highlights]
    if quiet:
        notes.append(ngettext("The accepted report of %(cities)s highlights no project in this focus area.",
                              "The accepted reports of %(cities)s highlight no project in this focus area.",
                              len(quiet)) % {"cities": _names(quiet, {})})
    return notes


def report_context(report: MEReport, figures: dict[str, Any], rows: list[fig.Counted],
                   narratives: dict[int, fig.Narrative], reported: set[str], previous_round: ReportingRound | None,
                   previous: dict[str, Any] | None, generated_at: dt.datetime,
                   names: queries.Labels | None = None) -> dict[str, Any]:
    """Everything the report template shows, computed from the figures and the counted projects, with the
    names in `names` (the active language's; by default those stored with the figures)."""
    if names is None:
        stored = figures["labels"]
        names = queries.Labels(stored["focus_areas"], stored["project_types"], stored["countries"])
    areas, types, countries = names.focus_areas, names.project_types, names.countries
    statuses = [{**r, "name": queries.status_label(r["code"])} for r in queries.breakdown_rows(figures["status"], {})]
    type_rows = queries.breakdown_rows(figures["project_types"], types, _("Not classified"))
    matrix = [{"country": countries.get(code, code), "counts": list(counts.values()), "total": sum(counts.values())}
              for code, counts in figures["country_focus"].items()]
    totals = [sum(r["counts"][i] for r in matrix) for i in range(len(areas))]
    section_data = fig.sections(rows, narratives, reported, list(areas))
    sections = [{"code": code, "name": areas.get(code, code), "count": figures["focus_areas"]["counts"].get(code, 0),
                 "share": figures["focus_areas"]["shares"].get(code, 0),
                 "notes": section_notes(section_data.get(code, [])),
                 "cities": [{"name": e.city_name, "country": e.country_name, "reported": e.reported,
                             "highlights": [(_project_row(c, areas, types), n) for c, n in e.highlights],
                             "projects": [_project_row(c, areas, types) for c in e.projects]}
                            for e in section_data.get(code, [])]}
                for code in section_data]
    part_a, part_b, cancelled = fig.appendix(rows)
    return {
        "report": report, "year": report.round.year, "as_of": report.as_of, "generated_at": generated_at,
        "names": names, "figures": figures, "statuses": statuses,
        "focus_rows": queries.breakdown_rows(figures["focus_areas"], areas),
        "type_rows": type_rows, "types_classified": any(r["code"] != fig.NOT_CLASSIFIED and r["count"]
                                                        for r in type_rows),
        "area_names": list(areas.values()), "matrix": matrix, "matrix_totals": totals,
        "sections": sections, "previous_round": previous_round,
        "previous_published": previous.get("source") if previous and previous.get("published") else None,
        "introduction": introduction(figures["projects"], figures["cities"], report.as_of),
        "observations": observation_sentences(fig.observations(figures, previous), names.as_json()),
        "appendix_a": [_project_row(c, areas, types) for c in part_a],
        "appendix_b": [_project_row(c, areas, types) for c in part_b],
        "cancelled": [_project_row(c, areas, types) for c in cancelled],
    }
