"""Reads of the generated M&E report: the rounds with their latest report, one report, and the public data
(published projects, accepted city reports) a report is computed from."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ascn.core.permissions import ScopedQuerySet
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Country, city_name_in
from ascn.plans.choices import ProjectStatus
from ascn.plans.models import ProgressUpdate, Project

from .. import me_figures as fig
from ..choices import GenerationState
from ..models import CityReport, MEReport, MEReportEdition, ProjectReport, PublishedFigures, ReportingRound
from .reports import period_start

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from ascn.core.permissions import Actor

    class HasCities(TypedDict):
        has_cities: bool  # the round has reporting cities

    ListedRound = WithAnnotations[ReportingRound, HasCities]

IN_PROGRESS = (GenerationState.QUEUED, GenerationState.RUNNING)


def rounds(user: Actor | None) -> ScopedQuerySet[ReportingRound]:
    """The reporting rounds the user may see, newest first."""
    return ReportingRound.objects.visible_to(user).order_by("-year")


def reports(user: Actor | None) -> ScopedQuerySet[MEReport]:
    """The generated reports the user may see (the public: done ones), newest first."""
    return MEReport.objects.visible_to(user).select_related("round").order_by("-created_at", "-id")


def with_languages(user: Actor | None, found: ScopedQuerySet[MEReport]) -> ScopedQuerySet[MEReport]:
    """The reports with their editions' languages and PDFs (not their HTML) as `listed_editions`, one more
    query for all of them."""
    editions = (MEReportEdition.objects.visible_to(user).only("id", "report_id", "language", "pdf")
                .order_by("id"))
    return found.prefetch_related(  # type: ignore[return-value]  # `listed_editions` is read with getattr
        Prefetch("editions", queryset=editions, to_attr="listed_editions"))


def latest_by_round(user: Actor | None, round_ids: list[int]) -> dict[int, MEReport]:
    """The newest report of each round the user may see, with its editions' languages, in two queries."""
    newest = reports(user).filter(round=OuterRef("round")).values("pk")[:1]
    found = reports(user).filter(round_id__in=round_ids).filter(pk=Subquery(newest)).defer("figures")
    return {r.round_id: r for r in with_languages(user, found)}


def latest_done(user: Actor | None, reporting_round: ReportingRound) -> MEReport | None:
    return reports(user).filter(round=reporting_round, state=GenerationState.DONE).first()


def versions(user: Actor | None, reporting_round: ReportingRound) -> ScopedQuerySet[MEReport]:
    """Every report of the round the user may see, newest first, without the figures, with the languages of
    their editions (`listed_editions`)."""
    return with_languages(user, reports(user).filter(round=reporting_round).defer("figures"))


def editions(user: Actor | None, report: MEReport) -> list[MEReportEdition]:
    """The report's editions the user may see, in the order of the site's languages, without their HTML."""
    order = [code for code, _name in settings.LANGUAGES]
    found = MEReportEdition.objects.visible_to(user).filter(report=report).defer("html")
    return sorted(found, key=lambda e: order.index(e.language) if e.language in order else len(order))


def edition(user: Actor | None, report: MEReport, language: str | None = None) -> MEReportEdition | None:
    """The report's edition in `language` (the active one when None), without its HTML, or None when it has
    none in it."""
    found = (MEReportEdition.objects.visible_to(user).defer("html")
             .filter(report=report, language=language or translation.get_language() or settings.LANGUAGE_CODE)
             .first())
    if found is not None:
        found.report = report
    return found


def in_progress(reporting_round: ReportingRound) -> MEReport | None:
    """A generation of the round still queued or running (for the Secretariat's request check)."""
    return MEReport.objects.filter(round=reporting_round, state__in=IN_PROGRESS).order_by("-created_at").first()


# --- What a report is computed from: public data only, since the report is public -------------------


def project_rows(as_of: dt.date) -> list[fig.ProjectRow]:
    """Every published project with a progress update on or before `as_of`, with those updates (2 queries)."""
    updates = ProgressUpdate.objects.filter(date__lte=as_of)
    projects = (Project.objects.visible_to(None)
                .filter(Exists(updates.filter(project=OuterRef("pk"))))
                .select_related("city__country", "focus_area", "project_type")
                .only("id", "reference", "title", "city__slug", "city__name", "city__country__iso3",
                      "city__country__name", "city__country__i18n", "focus_area__code", "project_type__code"))
    rows = {p.pk: p for p in projects}
    dated: dict[int, list[fig.Update]] = {pk: [] for pk in rows}
    for project_id, date, pk, status in (updates.filter(project__in=Project.objects.visible_to(None))
                                         .values_list("project_id", "date", "id", "status")):
        if project_id in dated:
            dated[project_id].append(fig.Update(date, status, pk))
    return [fig.ProjectRow(
        id=p.pk, reference=p.reference, title=p.title, city=p.city.slug, country=p.city.country.iso3,
        focus_area=p.focus_area.code, project_type=p.project_type.code if p.project_type else fig.NOT_CLASSIFIED,
        updates=tuple(dated[p.pk]), city_name=p.city.name, country_name=p.city.country.display_name,
    ) for p in rows.values()]


def narratives(reporting_round: ReportingRound) -> tuple[dict[int, fig.Narrative], set[str]]:
    """The project lines of the round's accepted city reports, and the slugs of the cities that have one."""
    lines = (ProjectReport.objects.visible_to(None).filter(report__round=reporting_round)
             .values_list("project_id", "is_highlighted", "progress", "partner_support", "challenges"))
    found = {pid: fig.Narrative(pid, highlighted, progress, support, challenges)
             for pid, highlighted, progress, support, challenges in lines}
    cities = set(CityReport.objects.visible_to(None).filter(round=reporting_round)
                 .values_list("city__slug", flat=True))
    return found, cities


def includes_synthetic(reporting_round: ReportingRound) -> bool:
    """Whether the round's report would include synthetic (demo) content: a synthetic round, or an accepted
    synthetic report whose narrative it quotes (see `ascn.core.synthetic`)."""
    return reporting_round.synthetic or CityReport.objects.filter(round=reporting_round, synthetic=True).exists()


@dataclass(frozen=True)
class Labels:
    """Display names of the codes in the figures, in the active language (cities by slug: see `city_names`)."""

    focus_areas: dict[str, str]
    project_types: dict[str, str]
    countries: dict[str, str]
    cities: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, dict[str, str]]:
        return {"focus_areas": self.focus_areas, "project_types": self.project_types, "countries": self.countries}


def labels(with_cities: bool = False) -> Labels:
    """The display names in the active language: framework nodes and countries translated where they have a
    translation, and (`with_cities`) the cities' names as the reader knows them (`city_names`)."""
    nodes = FrameworkNode.objects.visible_to(None).filter(kind__in=("focus_area", "project_type")).order_by(
        "position", "code")
    areas = {n.code: n.display_name for n in nodes if n.kind == "focus_area"}
    types = {n.code: n.display_name for n in nodes if n.kind == "project_type"}
    countries = {c.iso3: c.display_name for c in Country.objects.visible_to(None).order_by("name")}
    return Labels(areas, types, countries, city_names() if with_cities else {})


def city_names(language: str | None = None) -> dict[str, str]:
    """Each city's name in `language` (the active one when None), as `City.display_name` gives it: its local
    name where the language is its country's and it has one ("Đà Nẵng" in the Vietnamese report), else its
    official name. One query for every city."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return {slug: city_name_in(language, name, local, iso3) for slug, name, local, iso3 in
            City.objects.visible_to(None).values_list("slug", "name", "local_name", "country__iso3")}


def localized(rows: list[fig.ProjectRow], names: Labels) -> list[fig.ProjectRow]:
    """The rows with their city and country names from `names` (the figures do not change: only codes count)."""
    return [replace(r, city_name=names.cities.get(r.city, r.city_name),
                    country_name=names.countries.get(r.country, r.country_name)) for r in rows]


def live_figures(reporting_round: ReportingRound, names: Labels | None = None) -> dict[str, Any]:
    """The round's figures computed now from the data as of its as-of date (nothing is stored)."""
    names = names or labels()
    rows = project_rows(reporting_round.as_of)
    return fig.figures(rows, reporting_round.as_of, list(names.focus_areas), countries_in(rows, names),
                       since=period_start(reporting_round))


def countries_in(rows: list[fig.ProjectRow], names: Labels) -> list[str]:
    """The ISO3 codes of the rows' countries in the order of their names."""
    present = {r.country for r in rows}
    return [code for code in names.countries if code in present]


def previous_figures(reporting_round: ReportingRound, names: Labels | None = None
                     ) -> tuple[ReportingRound | None, dict[str, Any] | None]:
    """The previous round and its figures: its latest done report's, else computed from its as-of date; when
    the platform has no project for it (a round before the platform), the figures its published report states
    (`published` set, see me_figures.from_published). (None, None) when there is no earlier round."""
    previous = (ReportingRound.objects.filter(year__lt=reporting_round.year).select_related("published_figures")
                .order_by("-year").first())
    if previous is None:
        return None, None
    done = latest_done(None, previous)
    own = done.figures if done is not None and done.figures.get("projects") is not None else None
    if own is None:
        own = live_figures(previous, names)
    published = getattr(previous, "published_figures", None)
    if not own["projects"] and published is not None:
        return previous, fig.from_published(published.as_of, published.projects, published.status_counts,
                                            published.status_shares, published.focus_area_shares, published.source)
    return previous, own


def coverage(reporting_round: ReportingRound, reported: set[str]) -> tuple[int, int]:
    """(reporting cities of the round, how many of them have an accepted report); `reported` are the slugs of
    the cities with an accepted report (see `narratives`)."""
    slugs = set(reporting_round.cities.values_list("slug", flat=True))
    return len(slugs), len(slugs & reported)


def listed_rounds(user: Actor | None) -> ScopedQuerySet[ListedRound]:
    """The rounds for the list page, each with its published figures and whether it has reporting cities."""
    members = ReportingRound.cities.through.objects.filter(reportinground_id=OuterRef("pk"))
    return rounds(user).select_related("published_figures").annotate(has_cities=Exists(members))


def published_only(reporting_round: ReportingRound) -> bool:
    """A round before the platform: it has the figures of its published report and no reporting city."""
    return (PublishedFigures.objects.filter(round=reporting_round).exists()
            and not reporting_round.cities.exists())


def status_label(status: str) -> str:
    return str(ProjectStatus(status).label) if status in ProjectStatus.values else status


def breakdown_rows(part: dict[str, Any], labels: dict[str, str], empty: str = "") -> list[dict[str, Any]]:
    """One breakdown of the figures (by status, focus area, ...) as rows with code, name, count and shares."""
    return [{"code": code, "name": labels.get(code, code) if code else empty, "count": n,
             "share": part["shares"][code], "percent": part["percent"][code]} for code, n in part["counts"].items()]


def pdf_edition(user: Actor | None, report: MEReport | None, year: int, language: str) -> MEReportEdition:
    """The report's edition in `language` that has a PDF, or Http404 saying why there is none."""
    if report is None or report.state != GenerationState.DONE:
        raise Http404(_("No M&E report has been generated for %(year)s yet.") % {"year": year})
    found = edition(user, report, language)
    if found is None:
        written = ", ".join(language_name(e.language) for e in editions(user, report))
        raise Http404(_("The %(year)s report (version %(id)s) is not written in %(language)s; it exists in: "
                        "%(languages)s.") % {"year": year, "id": report.pk, "language": language_name(language),
                                             "languages": written or _("none")})
    if not found.pdf:
        raise Http404(_("The %(year)s report (version %(id)s) has no PDF: the server could not print it.")
                      % {"year": year, "id": report.pk})
    return found


def pdf_filename(found: MEReportEdition) -> str:
    """The name a downloaded PDF gets: round, date and language."""
    report = found.report
    return f"ascn-me-report-{report.round.year}-as-of-{report.as_of.isoformat()}-{found.language}.pdf"


def language_name(code: str) -> str:
    """A language's own name ("Tiếng Việt", "ภาษาไทย"), as the language switcher writes it (NFC: Django writes
    the Vietnamese one with combining marks)."""
    return unicodedata.normalize("NFC", str(translation.get_language_info(code)["name_local"]))


def edition_urls(report: MEReport, language: str) -> dict[str, str]:
    """The addresses of the report's page and PDF in `language` (the site's pages carry their language)."""
    kwargs = {"year": report.round.year, "pk": report.pk}
    with translation.override(language):
        return {"html_url": reverse("monitoring:me_report_version", kwargs=kwargs),
                "pdf_url": reverse("monitoring:me_report_version_pdf", kwargs=kwargs)}


def languages_out(report: MEReport, found: list[MEReportEdition]) -> list[dict[str, Any]]:
    """The report's editions for the API and the pages: language, its name, the page and the PDF (None when the
    edition has none)."""
    if report.state != GenerationState.DONE:
        return []
    result = []
    for item in found:
        urls = edition_urls(report, item.language)
        result.append({"language": item.language, "name": language_name(item.language),
                       "html_url": urls["html_url"], "pdf_url": urls["pdf_url"] if item.pdf else None})
    return result


def pdf_url(report: MEReport, language: str | None = None) -> str | None:
    """Where the report's PDF in `language` (default: the site's) is, None when it has none."""
    language = language or settings.LANGUAGE_CODE
    if report.state != GenerationState.DONE:
        return None
    found = getattr(report, "listed_editions", None)
    if found is None:
        found = list(report.editions.filter(language=language).only("id", "language", "pdf"))
    if not any(e.language == language and e.pdf for e in found):
        return None
    return edition_urls(report, language)["pdf_url"]


def figures_out(reporting_round: ReportingRound, figures: dict[str, Any], labels: dict[str, dict[str, str]],
                report: MEReport | None, found: list[MEReportEdition] | None = None) -> dict[str, Any]:
    """A round's figures as the API and the CSV download give them, with the report's editions (`found`)."""
    return {
        "year": reporting_round.year, "as_of": figures["as_of"], "generated": report is not None,
        "report_id": report.pk if report else None, "generated_at": report.finished_at if report else None,
        "projects": figures["projects"], "cancelled": figures["cancelled"], "cities": figures["cities"],
        "not_reported": figures.get("not_reported", 0),
        "by_status": breakdown_rows(figures["status"], {c: status_label(c) for c in figures["status"]["counts"]}),
        "by_focus_area": breakdown_rows(figures["focus_areas"], labels["focus_areas"]),
        "by_country": breakdown_rows(figures["countries"], labels["countries"]),
        "by_type": breakdown_rows(figures["project_types"], labels["project_types"], _("Not classified")),
        "country_focus": figures["country_focus"], "pdf_url": pdf_url(report) if report else None,
        "languages": languages_out(report, found or []) if report else [],
    }


def round_figures(user: Actor | None, reporting_round: ReportingRound) -> dict[str, Any]:
    """The figures of the round's latest generated report the user may see; when none exists yet, computed
    live from the data as of the round's as-of date (`generated: false`)."""
    report = latest_done(user, reporting_round)
    if report is not None and report.figures.get("labels"):
        found = editions(user, report)
        report.listed_editions = found  # type: ignore[attr-defined]  # pdf_url reads them, as from a list
        return figures_out(reporting_round, report.figures, report.figures["labels"], report, found)
    names = labels()
    return figures_out(reporting_round, live_figures(reporting_round, names), names.as_json(), None)
