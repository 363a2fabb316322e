"""Pages of the generated ASCN M&E report: the rounds with their latest report (the Secretariat generates one
and watches its progress), the report inside the site, its earlier versions, and the PDFs. A report has an
edition per language: the page and the PDF follow the reader's language (the address's prefix), and link the
other languages."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascn.core.http import Request
from ascn.core.lookups import visible_or_404
from ascn.core.permissions import Principal
from ascn.core.tabular import shielded

from ..actions import me_report as actions
from ..choices import GenerationState
from ..models import MEReport, MEReportEdition, ReportingRound
from ..queries import me_report as queries
from ..queries import trends

PAGE_SIZE = 20
VERSIONS_SHOWN = 20


def _round(request: Request, year: int) -> ReportingRound:
    return visible_or_404(queries.rounds(request.user), _("There is no reporting round %(year)s.") % {"year": year},
                          year=year)


def _version(request: Request, reporting_round: ReportingRound, pk: int) -> MEReport:
    return visible_or_404(queries.reports(request.user), _("The %(year)s report has no version %(id)s you may see.")
                          % {"year": reporting_round.year, "id": pk}, round=reporting_round, pk=pk)


def _published_only(reporting_round: ReportingRound) -> bool:
    """A round before the platform (its published figures only); the list page annotates it, others ask."""
    has_cities = getattr(reporting_round, "has_cities", None)
    if has_cities is None:
        return queries.published_only(reporting_round)
    return not has_cities and getattr(reporting_round, "published_figures", None) is not None


def _listed(request: Request, report: MEReport) -> list[MEReportEdition]:
    """The report's editions (language and PDF): prefetched by the lists, else read now."""
    found = getattr(report, "listed_editions", None)
    if found is None:
        found = report.listed_editions = (  # type: ignore[attr-defined]
            queries.editions(request.user, report) if report.state == GenerationState.DONE else [])
    return found


def _reading(report: MEReport, found: list[MEReportEdition]) -> MEReportEdition | None:
    """The edition a reader of the active language reads: their own, else the site's language's."""
    by_language = {e.language: e for e in found}
    return (by_language.get(translation.get_language() or settings.LANGUAGE_CODE)
            or by_language.get(settings.LANGUAGE_CODE) or (found[0] if found else None))


def _status_context(request: Request, report: MEReport | None,
                    reporting_round: ReportingRound) -> dict[str, Any]:
    published_only = report is None and _published_only(reporting_round)
    found = _listed(request, report) if report is not None else []
    return {"report": report, "round": reporting_round, "step": actions.step_label(report.step) if report else "",
            "can_generate": Principal.of(request.user).is_secretariat and not published_only,
            "published_only": published_only, "editions": found,
            "reading": _reading(report, found) if report is not None else None,
            "polling": report is not None and report.state in queries.IN_PROGRESS}


def report_list(request: Request) -> HttpResponse:
    """The reporting rounds, each with its latest report the user may see."""
    page = Paginator(queries.listed_rounds(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    latest = queries.latest_by_round(request.user, [r.pk for r in page.object_list])
    rows = [_status_context(request, latest.get(r.pk), r) for r in page.object_list]
    return render(request, "monitoring/me_report_list.html", {
        "page": page, "rows": rows, "can_generate": Principal.of(request.user).is_secretariat})


@require_POST
def generate(request: Request, year: int) -> HttpResponse:
    """The Secretariat requests a generation; HTMX gets the round's status cell back, others a redirect."""
    reporting_round = _round(request, year)
    try:
        report = actions.request_me_report(request.user, reporting_round)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if request.htmx:
            context = {**_status_context(request, queries.in_progress(reporting_round), reporting_round),
                       "message": message}
            return render(request, "monitoring/me_report_status.html", context, status=409)
        messages.error(request, message)
        return redirect("monitoring:me_reports")
    report.refresh_from_db()  # the immediate backend has already run it
    if request.htmx:
        return render(request, "monitoring/me_report_status.html", _status_context(request, report, reporting_round))
    messages.success(request, _("The %(year)s report was requested; its progress shows below.") % {"year": year})
    return redirect("monitoring:me_reports")


def status(request: Request, year: int, pk: int) -> HttpResponse:
    """One generation's status cell (polled every second by HTMX while it is queued or running)."""
    reporting_round = _round(request, year)
    report = _version(request, reporting_round, pk)
    return render(request, "monitoring/me_report_status.html", _status_context(request, report, reporting_round))


def _detail(request: Request, reporting_round: ReportingRound, report: MEReport | None,
            latest: MEReport | None) -> HttpResponse:
    versions = list(queries.versions(request.user, reporting_round)[:VERSIONS_SHOWN])
    for version in versions:  # the shown report's editions come with the versions
        if report is not None and version.pk == report.pk:
            report.listed_editions = version.listed_editions  # type: ignore[attr-defined]
    status = _status_context(request, report, reporting_round)
    shown = status["reading"]
    return render(request, "monitoring/me_report_detail.html", {
        "round": reporting_round, "report": report, "latest": latest, "versions": versions, "status": status,
        "edition": MEReportEdition.objects.get(pk=shown.pk) if shown is not None else None,  # with its HTML
        "other_editions": [e for e in status["editions"] if shown is None or e.pk != shown.pk],
        "can_generate": status["can_generate"],
        "published": trends.published_summary(reporting_round.published_figures) if status["published_only"]
        else None})


def detail(request: Request, year: int) -> HttpResponse:
    """The latest done report of the round, inside the site layout (an empty state until one exists)."""
    reporting_round = _round(request, year)
    latest = queries.latest_done(request.user, reporting_round)
    return _detail(request, reporting_round, latest, latest)


def version(request: Request, year: int, pk: int) -> HttpResponse:
    """One generated version of the round's report, by id."""
    reporting_round = _round(request, year)
    report = _version(request, reporting_round, pk)
    return _detail(request, reporting_round, report, queries.latest_done(request.user, reporting_round))


def _pdf(request: Request, report: MEReport | None, year: int) -> FileResponse:
    """The PDF in the reader's language (the address's prefix)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    edition = queries.pdf_edition(request.user, report, year, language)
    return FileResponse(edition.pdf.open("rb"), content_type="application/pdf", as_attachment=False,
                        filename=queries.pdf_filename(edition))


def figures_csv(request: Request, year: int) -> HttpResponse:
    """The round's report figures as CSV, one row per breakdown and code: the latest generated report's,
    or computed from the data as of the round's date when none was generated yet (as the JSON API)."""
    data = queries.round_figures(request.user, _round(request, year))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ascn-me-report-{year}-figures.csv"'
    writer = csv.writer(response)
    writer.writerow(["year", "as_of", "breakdown", "code", "name", "count", "share", "percent"])
    for breakdown in ("status", "focus_area", "country", "type"):
        for row in data[f"by_{breakdown}"]:
            writer.writerow([year, data["as_of"], breakdown, row["code"], shielded(str(row["name"])), row["count"],
                             row["share"], row["percent"]])
    return response


def pdf(request: Request, year: int) -> FileResponse:
    """The latest done report's PDF."""
    return _pdf(request, queries.latest_done(request.user, _round(request, year)), year)


def version_pdf(request: Request, year: int, pk: int) -> FileResponse:
    reporting_round = _round(request, year)
    return _pdf(request, _version(request, reporting_round, pk), year)


urlpatterns = [
    path("reports/", report_list, name="me_reports"),
    path("reports/<int:year>/", detail, name="me_report"),
    path("reports/<int:year>.pdf", pdf, name="me_report_pdf"),
    path("reports/<int:year>.csv", figures_csv, name="me_report_csv"),
    path("reports/<int:year>/generate/", generate, name="me_report_generate"),
    path("reports/<int:year>/versions/<int:pk>/", version, name="me_report_version"),
    path("reports/<int:year>/versions/<int:pk>.pdf", version_pdf, name="me_report_version_pdf"),
    path("reports/<int:year>/versions/<int:pk>/status/", status, name="me_report_status"),
]
