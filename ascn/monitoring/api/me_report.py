"""API of the generated M&E report: its figures (stored, or live when none is generated yet), the languages it
is written in, its PDF in each, and the Secretariat's request for a generation with its status."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404

from ..actions import me_report as actions
from ..choices import GenerationState
from ..models import MEReport, ReportingRound
from ..queries import me_report as queries

router = Router()


class CountOut(Schema):
    code: str = Field(description="framework code, ISO3 country code or status; empty: not classified")
    name: str
    count: int
    share: int = Field(description="whole per cent; a breakdown adds up to 100")
    percent: float = Field(description="exact per cent, one decimal")


class EditionOut(Schema):
    language: str = Field(description="language code: en, vi or th")
    name: str = Field(description="the language's own name")
    html_url: str = Field(description="the report's page in that language")
    pdf_url: str | None = Field(description="its PDF; null when the server could not print it")


class FiguresOut(Schema):
    year: int
    as_of: dt.date
    generated: bool = Field(description="true: the figures of a generated report; false: computed live now")
    report_id: int | None
    generated_at: dt.datetime | None
    projects: int = Field(description="projects counted (cancelled ones left out)")
    cancelled: int
    cities: int
    not_reported: int = Field(description="published projects whose latest update predates the round's period "
                                          "(left out of the figures)")
    by_status: list[CountOut]
    by_focus_area: list[CountOut]
    by_country: list[CountOut]
    by_type: list[CountOut]
    country_focus: dict[str, dict[str, int]] = Field(description="ISO3 -> focus area code -> projects")
    pdf_url: str | None = Field(description="the PDF in the site's language (English); see `languages`")
    languages: list[EditionOut] = Field(description="the languages the report is written in, each with its page "
                                                    "and PDF; empty when none is generated yet")


class StatusOut(Schema):
    id: int
    year: int
    as_of: dt.date
    state: GenerationState
    progress: int
    step: str
    step_label: str
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    pdf_url: str | None
    languages: list[EditionOut]


def _round(request: ApiRequest, year: int) -> ReportingRound:
    return visible_or_404(queries.rounds(caller(request)), _("There is no reporting round %(year)s.") % {"year": year},
                          year=year)


LANGUAGES = [code for code, _name in settings.LANGUAGES]


class PdfQuery(Schema):
    language: str = Field(settings.LANGUAGE_CODE, pattern=f"^({'|'.join(LANGUAGES)})$",
                          description=f"the edition's language: {', '.join(LANGUAGES)}")


@router.get("/monitoring/reports/{int:year}.pdf", response={200: None, **ERROR_RESPONSES}, auth=optional_auth,
            summary="The latest M&E report of a round as PDF, in a language", url_name="me_report_pdf")
def get_report_pdf(request: ApiRequest, year: int, query: Query[PdfQuery]):
    """`?language=vi` (or th) for the report in that language; English by default."""
    user = caller(request)
    edition = queries.pdf_edition(user, queries.latest_done(user, _round(request, year)), year, query.language)
    return FileResponse(edition.pdf.open("rb"), content_type="application/pdf",
                        filename=queries.pdf_filename(edition))


@router.get("/monitoring/reports/{int:year}", response={200: FiguresOut, **ERROR_RESPONSES}, auth=optional_auth,
            summary="The figures of a round's M&E report")
def get_report_figures(request: ApiRequest, year: int):
    """From the latest generated report; when none exists yet, computed live from the data as of the round's
    as-of date (`generated: false`)."""
    return queries.round_figures(caller(request), _round(request, year))


def status_out(report: MEReport, user: Any = None) -> dict[str, Any]:
    found = queries.editions(user, report) if report.state == GenerationState.DONE else []
    report.listed_editions = found  # type: ignore[attr-defined]
    return {"id": report.pk, "year": report.round.year, "as_of": report.as_of, "state": report.state,
            "progress": report.progress, "step": report.step, "step_label": actions.step_label(report.step),
            "error": report.error, "created_at": report.created_at, "finished_at": report.finished_at,
            "pdf_url": queries.pdf_url(report), "languages": queries.languages_out(report, found)}


@router.post("/monitoring/reports/{int:year}", response={202: StatusOut, **ERROR_RESPONSES}, auth=token_auth,
             summary="Generate the round's M&E report (Secretariat)")
def request_report(request: ApiRequest, year: int):
    report = actions.request_me_report(caller(request), _round(request, year), via="api")
    report.refresh_from_db()  # a task that already ran (immediate backend) has moved it on
    return Status(202, status_out(report, caller(request)))


@router.get("/monitoring/reports/{int:year}/status", response={200: StatusOut, **ERROR_RESPONSES},
            auth=optional_auth, summary="The latest generation of a round's report and how far it is")
def report_status(request: ApiRequest, year: int):
    reporting_round = _round(request, year)
    report = queries.versions(caller(request), reporting_round).first()
    if report is None:
        raise Http404(_("No M&E report has been generated for %(year)s yet.") % {"year": year})
    return status_out(report, caller(request))
