"""Writes of the generated M&E report: the Secretariat requests one for a round, and the background task
computes its figures, renders the HTML and the PDF, and records how far it got."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ascn.core.actions import create_audited, record
from ascn.core.choices import AuditAction
from ascn.core.models import User
from ascn.core.pdf import PdfUnavailable, html_to_pdf
from ascn.core.permissions import require_secretariat

from .. import me_figures as fig
from ..choices import GenerationState
from ..models import MEReport, ReportingRound
from ..queries import me_report as queries

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

logger = logging.getLogger(__name__)

# A queued or running generation blocks a new request for the same round for this long; after that it
# is taken as lost (a worker stopped mid-way) and a new one may be requested.
BUSY_FOR = dt.timedelta(minutes=15)

# The steps a generation goes through, stored as codes in MEReport.step and shown with `step_label`.
QUEUED, FIGURES, NARRATIVES, HTML, PDF, DONE, DONE_WITHOUT_PDF, FAILED = (
    "queued", "figures", "narratives", "html", "pdf", "done", "done_without_pdf", "failed")


def step_label(step: str) -> str:
    """The step of a generation in words, in the active language."""
    return {
        QUEUED: _("Waiting for the background worker"),
        FIGURES: _("Computing the figures as of the round's date"),
        NARRATIVES: _("Reading the accepted city reports"),
        HTML: _("Writing the report"),
        PDF: _("Printing the PDF"),
        DONE: _("Done"),
        DONE_WITHOUT_PDF: _("Done; no PDF (the server cannot print PDFs: its Pango library is missing)"),
        FAILED: _("Failed"),
    }.get(step, step)


def request_me_report(actor: Actor, reporting_round: ReportingRound, via: str = "web") -> MEReport:
    """Queue the generation of the round's M&E report (Secretariat only); the task starts after commit."""
    from ..tasks.me_report import generate_me_report

    require_secretariat(actor)
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


def _generate(report: MEReport) -> None:
    _advance(report, 5, FIGURES)
    names = queries.labels()
    rows = queries.project_rows(report.as_of)
    since = queries.period_start(report.round)
    figures = fig.figures(rows, report.as_of, list(names.focus_areas), queries.countries_in(rows, names), since)
    figures["labels"] = names.as_json()
    _advance(report, 30, NARRATIVES)
    narratives, reported = queries.narratives(report.round)
    previous_round, previous = queries.previous_figures(report.round, names)
    _advance(report, 50, HTML)
    finished_at = timezone.now()
    context = report_context(report, figures, fig.counted(rows, report.as_of, since), narratives, reported,
                             previous_round, previous, finished_at)
    html = render_to_string("monitoring/me_report_body.html", context)
    _advance(report, 70, PDF)
    try:
        pdf = render_pdf(report, html)
    except PdfUnavailable as exc:
        logger.warning("M&E report %s: no PDF (%s)", report.pk, exc)
        pdf = None
    _finish(report, GenerationState.DONE, DONE if pdf else DONE_WITHOUT_PDF, figures=figures, html=html, pdf=pdf,
            finished_at=finished_at)


def _finish(report: MEReport, state: str, step: str, *, figures: dict[str, Any] | None = None, html: str = "",
            pdf: bytes | None = None, error: str = "", finished_at: dt.datetime | None = None) -> None:
    with transaction.atomic():
        report.state, report.step, report.error = state, step, error
        report.progress = 100 if state == GenerationState.DONE else report.progress
        report.finished_at = finished_at or timezone.now()
        fields = ["state", "step", "error", "progress", "finished_at", "updated_at"]
        if figures is not None:
            report.figures, report.html = figures, html
            fields += ["figures", "html"]
        if pdf:
            report.pdf.save(f"ascn-me-report-{report.round.year}-{report.pk}.pdf", ContentFile(pdf), save=False)
            fields.append("pdf")
        report.save(update_fields=fields)
        record(None, AuditAction.UPDATE, report, {"state": [GenerationState.RUNNING, state],
                                                  **({"error": [None, error]} if error else {})}, via="task")


def render_pdf(report: MEReport, html: str) -> bytes:
    """The report printed from the same HTML as the page (see core.pdf for fonts and text)."""
    return html_to_pdf(render_to_string("monitoring/me_report_pdf.html", {"report": report, "body": html}))


# --- What the report says -------------------------------------------------------------------------------


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
                text = ngettext("%(names)s have the most projects: %(count)s project each.",
                                "%(names)s have the most projects: %(count)s projects each.", item["count"])
            sentences.append(text % values)
        elif kind == "low_focus_area":
            sentences.append(ngettext(
                "The fewest projects are in %(names)s: %(count)s project (%(share)s%%).",
                "The fewest projects are in %(names)s: %(count)s projects (%(share)s%%).",
                item["count"]) % {"names": _names(item["keys"], areas), "count": item["count"],
                                  "share": item["share"]})
        elif kind == "status":
            sentences.append(_("%(ongoing)s%% of the projects are ongoing, %(planning)s%% are being planned and "
                               "%(completed)s%% are completed.") % item)
        elif kind == "top_country":
            sentences.append(ngettext("%(names)s reports the most projects (%(count)s).",
                                      "%(names)s report the most projects (%(count)s each).",
                                      len(item["keys"])) % {"names": _names(item["keys"], countries),
                                                            "count": item["count"]})
        elif kind == "change":
            values = {**item, "difference": abs(item["difference"]),
                      "date": date_format(dt.date.fromisoformat(item["previous_as_of"]), "DATE_FORMAT")}
            if item["difference"] > 0:
                text = _("The network counts %(current)s projects, %(difference)s more than the %(previous)s of the "
                         "previous round (as of %(date)s).")
            elif item["difference"] < 0:
                text = _("The network counts %(current)s projects, %(difference)s fewer than the %(previous)s of "
                         "the previous round (as of %(date)s).")
            else:
                text = _("The network counts %(current)s projects, as many as in the previous round (as of %(date)s).")
            sentences.append(text % values)
            sentences.append(_("Completed projects: %(completed_now)s, against %(completed_before)s in the previous "
                               "round.") % item)
        elif kind == "share_moved":
            sentences.append(_("The largest change in share is %(name)s: %(before)s%% in the previous round, "
                               "%(now)s%% now.") % {**item, "name": areas.get(item["key"], item["key"])})
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


def _project_row(item: fig.Counted, areas: dict[str, str], types: dict[str, str]) -> dict[str, Any]:
    row = item.row
    return {"id": row.id, "reference": row.reference, "title": row.title, "city": row.city_name,
            "country": row.country_name, "focus_area": areas.get(row.focus_area, row.focus_area),
            "project_type": types.get(row.project_type, row.project_type) if row.project_type else "",
            "status": item.status, "status_label": queries.status_label(item.status), "updated_on": item.updated_on}


def report_context(report: MEReport, figures: dict[str, Any], rows: list[fig.Counted],
                   narratives: dict[int, fig.Narrative], reported: set[str], previous_round: ReportingRound | None,
                   previous: dict[str, Any] | None, generated_at: dt.datetime) -> dict[str, Any]:
    """Everything the report template shows, computed from the figures and the counted projects."""
    labels = figures["labels"]
    areas, types, countries = labels["focus_areas"], labels["project_types"], labels["countries"]
    statuses = [{**r, "name": queries.status_label(r["code"])} for r in queries.breakdown_rows(figures["status"], {})]
    type_rows = queries.breakdown_rows(figures["project_types"], types, _("Not classified"))
    matrix = [{"country": countries.get(code, code), "counts": list(counts.values()), "total": sum(counts.values())}
              for code, counts in figures["country_focus"].items()]
    totals = [sum(r["counts"][i] for r in matrix) for i in range(len(areas))]
    section_data = fig.sections(rows, narratives, reported, list(areas))
    sections = [{"code": code, "name": areas.get(code, code), "count": figures["focus_areas"]["counts"].get(code, 0),
                 "share": figures["focus_areas"]["shares"].get(code, 0),
                 "cities": [{"name": e.city_name, "country": e.country_name, "reported": e.reported,
                             "highlights": [(_project_row(c, areas, types), n) for c, n in e.highlights],
                             "projects": [_project_row(c, areas, types) for c in e.projects]}
                            for e in section_data.get(code, [])]}
                for code in section_data]
    part_a, part_b, cancelled = fig.appendix(rows)
    return {
        "report": report, "year": report.round.year, "as_of": report.as_of, "generated_at": generated_at,
        "figures": figures, "statuses": statuses, "focus_rows": queries.breakdown_rows(figures["focus_areas"], areas),
        "type_rows": type_rows, "area_names": list(areas.values()), "matrix": matrix, "matrix_totals": totals,
        "sections": sections, "previous_round": previous_round,
        "observations": observation_sentences(fig.observations(figures, previous), labels),
        "appendix_a": [_project_row(c, areas, types) for c in part_a],
        "appendix_b": [_project_row(c, areas, types) for c in part_b],
        "cancelled": [_project_row(c, areas, types) for c in cancelled],
    }
