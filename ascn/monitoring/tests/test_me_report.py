"""The generated ASCN M&E report: figures as of the round's date, the background generation and its
progress, permissions, the HTML and PDF, the pages and the API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ascn.core.models import AuditEntry
from ascn.monitoring import me_figures as fig
from ascn.monitoring.actions import me_report as actions
from ascn.monitoring.models import CityReport, MEReport, MEReportEdition, ProjectReport, ReportingRound
from ascn.monitoring.queries import me_report as queries
from ascn.network.models import City
from ascn.plans.models import ProgressUpdate, Project

AS_OF = dt.date(2025, 9, 30)
FOCUS_SHARES = {"civic_social": 25, "health_wellbeing": 6, "safety_security": 14, "quality_environment": 18,
                "built_infrastructure": 25, "industry_innovation": 12}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Generated PDFs are kept under pytest's temporary directory, never in the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def no_pdf(monkeypatch):
    """Skip printing (slow) where a test is not about the PDF: the generation's own no-PDF path."""
    def unavailable(report, html):
        raise actions.PdfUnavailable("printing left out in this test")
    monkeypatch.setattr(actions, "render_pdf", unavailable)


@pytest.fixture
def round2025(db):
    return ReportingRound.objects.get(year=2025)


def generate(user, reporting_round, capture) -> MEReport:
    with capture(execute=True):
        report = actions.request_me_report(user, reporting_round)
    report.refresh_from_db()
    return report


def html_of(report: MEReport, language: str = "en") -> str:
    """The HTML of the report's edition in `language`."""
    return MEReportEdition.objects.get(report=report, language=language).html


def pango_missing() -> bool:
    try:
        import weasyprint  # noqa: F401
    except OSError:
        if os.environ.get("ASCN_REQUIRE_PDF"):
            raise RuntimeError("WeasyPrint cannot load Pango but ASCN_REQUIRE_PDF is set "
                               "(install Debian's libpango-1.0-0 and libpangoft2-1.0-0).") from None
        return True
    return False


needs_pdf = pytest.mark.skipif(pango_missing(), reason="PDF rendering needs the Pango library (WeasyPrint)")


THAI = re.compile("[\u0e01-\u0e5b]")


def embedded_fonts(data: bytes) -> set[str]:
    """The families of the fonts embedded in the PDF, without their subset tag: WeasyPrint names a subset
    "ABCDEF+" and the @font-face family ("ASCN-Noto-Sans-Thai-Bold")."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        names |= {str(font.get_object()["/BaseFont"]).split("+", 1)[-1] for font in fonts.values()}
    return names


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- The figures of the seeded 2025 round ----------------------------------------------------------------


def test_seeded_2025_round_gives_the_published_headline(round2025):
    # me_headlines.csv, row as_of 2025-09-30, source "S8" (ASCN M&E Report 2025): 134 projects, 108 ongoing,
    # 8 planning, 18 completed.
    figures = queries.live_figures(round2025)
    assert figures["as_of"] == "2025-09-30"
    # The two 2018 SCAP priority projects (SCAP18-DN1, SCAP18-HN2) were last updated in 2018: not reported in
    # the 2025 round, so they are counted apart and left out of the figures.
    assert (figures["projects"], figures["cancelled"], figures["cities"], figures["not_reported"]) == (134, 0, 35, 2)
    assert figures["status"]["counts"] == {"ongoing": 108, "planning": 8, "completed": 18}
    assert figures["status"]["shares"] == {"ongoing": 81, "planning": 6, "completed": 13}
    assert figures["focus_areas"]["counts"] == {"civic_social": 34, "health_wellbeing": 8, "safety_security": 19,
                                                "quality_environment": 25, "built_infrastructure": 32,
                                                "industry_innovation": 16}
    assert figures["project_types"]["counts"] == {"": 134}
    assert figures["countries"]["counts"]["MYS"] == 29 and figures["countries"]["counts"]["VNM"] == 6


def test_focus_shares_equal_the_published_ones_once_a38_is_counted_as_s8_charts_count_it(round2025):
    # S8 shares (me_headlines.csv): 25/6/14/18/25/12. The S8 appendix files A38 under Quality Environment while
    # its exhibits count it as Built Infrastructure (see the reference README); the seed follows the appendix,
    # which gives 19 and 24, and moving A38 gives exactly the published shares.
    figures = queries.live_figures(round2025)
    assert figures["focus_areas"]["shares"] == {**FOCUS_SHARES, "quality_environment": 19,
                                                "built_infrastructure": 24}
    rows = [dataclasses.replace(r, focus_area="built_infrastructure") if r.reference == "A38" else r
            for r in queries.project_rows(AS_OF)]
    moved = fig.figures(rows, AS_OF, list(FOCUS_SHARES), since=dt.date(2024, 12, 31))
    assert moved["focus_areas"]["shares"] == FOCUS_SHARES


def test_status_is_taken_as_of_the_date_not_from_the_project(round2025):
    project = Project.objects.get(reference="A1")
    ProgressUpdate.objects.create(project=project, date=dt.date(2025, 11, 1), status="completed")
    Project.objects.filter(pk=project.pk).update(status="completed")  # the project has moved on since
    figures = queries.live_figures(round2025)
    assert figures["status"]["counts"] == {"ongoing": 108, "planning": 8, "completed": 18}


def test_cancelled_and_unpublished_projects_are_left_out(round2025):
    city = City.objects.get(slug="da-nang")
    area = Project.objects.get(reference="A1").focus_area
    cancelled = Project.objects.create(city=city, title="Stopped project", focus_area=area, is_published=True,
                                       reference="X1")
    ProgressUpdate.objects.create(project=cancelled, date=dt.date(2025, 6, 1), status="cancelled")
    hidden = Project.objects.create(city=city, title="Draft project", focus_area=area, is_published=False)
    ProgressUpdate.objects.create(project=hidden, date=dt.date(2025, 6, 1), status="ongoing")
    figures = queries.live_figures(round2025)
    assert (figures["projects"], figures["cancelled"]) == (134, 1)
    assert figures["status"]["counts"]["ongoing"] == 108


# --- Generation: states, progress, failure ---------------------------------------------------------------


def test_request_queues_then_the_task_runs_to_done(secretariat, round2025, django_capture_on_commit_callbacks,
                                                   monkeypatch):
    seen = []

    def watch(report, html):  # the state others see while the PDF is printed, and the language it is printed in
        seen.append((*MEReport.objects.filter(pk=report.pk).values_list("state", "progress", "step").get(),
                     translation.get_language()))
        raise actions.PdfUnavailable("not needed here")

    monkeypatch.setattr(actions, "render_pdf", watch)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = actions.request_me_report(secretariat, round2025)
    queued = MEReport.objects.get(pk=report.pk)
    assert (queued.state, queued.progress, queued.step, queued.as_of, queued.requested_by) == (
        "queued", 0, "queued", AS_OF, secretariat)
    assert len(callbacks) == 1
    callbacks[0]()  # the transaction commits: the immediate backend runs the task
    done = MEReport.objects.get(pk=report.pk)
    assert seen == [("running", 38, "pdf:en", "en")]  # a server that cannot print does not try again in vi and th
    assert (done.state, done.progress, done.step, done.error) == ("done", 100, "done_without_pdf", "")
    assert done.finished_at is not None and done.figures["projects"] == 134
    assert done.figures["labels"]["focus_areas"]["civic_social"] == "Civic and Social"
    editions = list(done.editions.order_by("id").values_list("language", "pdf"))
    assert editions == [("en", ""), ("vi", ""), ("th", "")]  # each language written, none printed
    for language in ("en", "vi", "th"):
        assert '<strong data-figure="projects">134</strong>' in html_of(done, language)
    assert list(AuditEntry.objects.filter(object_id=str(report.pk), content_type__model="mereport").order_by("id")
                .values_list("action", "via")) == [("create", "web"), ("update", "task")]
    assert AuditEntry.objects.filter(object_id=str(report.pk), content_type__model="mereport",
                                     action="update").get().changes == {
        "state": ["running", "done"], "languages": [None, ["en", "vi", "th"]]}


def test_each_step_of_an_edition_names_its_language(secretariat, round2025, django_capture_on_commit_callbacks,
                                                    monkeypatch):
    steps = []
    advance = actions._advance

    def watch(report, progress, step):
        steps.append((progress, step))
        advance(report, progress, step)

    monkeypatch.setattr(actions, "_advance", watch)
    monkeypatch.setattr(actions, "render_pdf", lambda report, html: b"%PDF-1.7 printed in a test")
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    assert steps == [(5, "figures"), (20, "narratives"),
                     (30, "charts:en"), (34, "html:en"), (38, "pdf:en"),
                     (51, "charts:vi"), (55, "html:vi"), (59, "pdf:vi"),
                     (72, "charts:th"), (76, "html:th"), (80, "pdf:th")]
    assert (report.state, report.step, report.progress) == ("done", "done", 100)
    assert sorted(e.pdf.name.rsplit("/", 1)[-1] for e in report.editions.all()) == [
        f"ascn-me-report-2025-{report.pk}-{language}.pdf" for language in ("en", "th", "vi")]
    assert actions.step_label("pdf:th") == "Printing the PDF (Thai)"
    assert actions.step_label("charts:vi") == "Drawing the charts (Vietnamese)"
    with translation.override("vi"):
        assert actions.step_label("pdf:th").endswith("(Tiếng Thái)")
    assert actions.step_label("narratives") == "Reading the accepted city reports"


def test_a_failing_generation_ends_failed_with_the_reason_given(secretariat, round2025, django_capture_on_commit_callbacks,
                                                         monkeypatch):
    def broken(as_of):
        raise RuntimeError("the project table could not be read")

    monkeypatch.setattr(queries, "project_rows", broken)
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    assert (report.state, report.error, report.step, report.progress) == (
        "failed", "the project table could not be read", "failed", 5)
    assert not report.editions.exists() and report.figures == {}
    assert not MEReport.objects.visible_to(None).filter(pk=report.pk).exists()


def test_the_task_leaves_a_report_that_is_not_queued_alone(secretariat, round2025, no_pdf,
                                                          django_capture_on_commit_callbacks):
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    finished = report.finished_at
    assert actions.generate(report.pk).finished_at == finished  # run twice: nothing redone
    assert actions.generate(987654) is None


def test_only_the_secretariat_requests_a_report(accounts, round2025, django_capture_on_commit_callbacks):
    for key in ("nr", "csco", "partner", "none"):
        with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks(execute=True):
            actions.request_me_report(accounts[key], round2025)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        actions.request_me_report(AnonymousUser(), round2025)
    assert MEReport.objects.count() == 0 and not AuditEntry.objects.filter(content_type__model="mereport").exists()


def test_a_second_request_while_one_is_queued_is_refused(secretariat, round2025, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = actions.request_me_report(secretariat, round2025)  # the worker has not picked it up
    with pytest.raises(ValidationError) as caught:
        actions.request_me_report(secretariat, round2025)
    assert caught.value.message_dict == {"round": [
        f"The 2025 report is already being generated (report {first.pk}, Queued); wait for it to finish."]}
    assert MEReport.objects.count() == 1


def test_a_lost_generation_no_longer_blocks_a_new_request(secretariat, round2025, no_pdf,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        lost = actions.request_me_report(secretariat, round2025)
    MEReport.objects.filter(pk=lost.pk).update(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    assert report.state == "done" and MEReport.objects.count() == 2


# --- The report's content ---------------------------------------------------------------------------------


def test_html_has_the_sections_with_exact_numbers(secretariat, round2025, no_pdf, django_capture_on_commit_callbacks):
    html = html_of(generate(secretariat, round2025, django_capture_on_commit_callbacks))
    for heading in ("1. Introduction", "2. Implementation progress", "3. Projects by country and focus area",
                    "4. Projects by focus area", "5. Observations", "Appendix A: ongoing and planned projects",
                    "Appendix B: completed projects"):
        assert f"{heading}</h2>" in html
    assert ('<tr data-code="civic_social"><td>Civic and Social</td><td class="n">34</td><td class="n">25%</td>'
            in html)
    assert '<tr data-code="quality_environment"><td>Quality Environment</td><td class="n">25</td>' \
           '<td class="n">19%</td>' in html
    assert '<tr data-code="planning"><td>Planning</td><td class="n">8</td><td class="n">6%</td>' in html
    assert ('<tr><td>Malaysia</td><td class="n">5</td><td class="n">0</td><td class="n">6</td><td class="n">8</td>'
            '<td class="n">10</td><td class="n">0</td><td class="n"><strong>29</strong></td></tr>') in html
    assert "<h3>Civic and Social: 34 projects</h3>" in html
    part_a = html[html.index('id="appendix-a"'):html.index('id="appendix-b"')]
    part_b = html[html.index('id="appendix-b"'):]
    assert part_a.count("<tr><td>") == 116 and part_b.count("<tr><td>") == 18  # 108 + 8, and 18
    assert "<tr><td>A1</td><td>Revitalisation of Kampong Ayer (Water Village)</td>" in part_a
    assert part_a.index("<tr><td>A2</td>") < part_a.index("<tr><td>A10</td>")
    assert "<tr><td>B18</td>" in part_b and "<tr><td>A1</td>" not in part_b
    assert "<li>Civic and Social has the most projects: 34 projects, 25% of the total.</li>" in html
    assert "<li>81% of the projects are ongoing, 6% are being planned and 13% are completed.</li>" in html
    assert ("<li>2 published projects were not reported in this round (their latest progress update is older than "
            "the round&#x27;s period) and are left out of the figures.</li>") in html
    assert ('<p>As of Sept. 30, 2025, the member cities report <strong data-figure="projects">134</strong> smart city '
            'projects in 35 cities.</p>') in html
    assert html.count("<svg ") == 3  # the trend, the shares by focus area and by status, drawn on the server
    for chart in ("chart-trend", "chart-focus-areas", "chart-statuses"):
        assert f'<figure class="me-chart" id="{chart}"><div class="me-chart-svg" aria-hidden="true"><svg ' in html


def test_the_change_since_the_previous_round_uses_its_published_figures_and_says_so(
        secretariat, round2025, no_pdf, django_capture_on_commit_callbacks):
    # The platform has no project data for 2024 (a round before it ran): the comparison takes the figures the 2024
    # report published (S7: 108 projects, 11 completed, focus-area shares 27/6/12/18/26/11).
    html = html_of(generate(secretariat, round2025, django_capture_on_commit_callbacks))
    assert ("<li>The network counts 134 projects, 26 more than the 108 published for the previous round (as of "
            "Sept. 25, 2024).</li>") in html
    assert "<li>Completed projects: 18, against 11 published for the previous round.</li>" in html
    assert ("<li>The largest change in share is Safety and Security: 12% published for the previous round, 14% now."
            "</li>") in html
    note = html[html.index('id="previous-published"'):]
    assert note.startswith('id="previous-published">The platform holds no project data of its own for the 2024 '
                           "round: the comparison uses the figures its published report states (S7: ASCN M&amp;E "
                           "Report 2024 (25 Sep 2024), <a href=\"https://asean.org/wp-content/uploads/2024/10/")
    assert "There is no earlier reporting round" not in html
    trend = html[html.index('id="trend"'):html.index("</table>", html.index('id="trend"'))]
    assert [(y, b) for y, b in re.findall(r'data-year="(\d+)" data-basis="(\w+)"', trend)] == [
        ("2021", "published"), ("2022", "published"), ("2023", "published"), ("2024", "published"),
        ("2025", "published"), ("2025", "computed")]
    assert ('<tr data-year="2025" data-basis="computed"><th scope="row">2025</th><td>Computed</td><td class="n">134'
            "</td><td class=\"source\">The platform's data, in this report</td></tr>") in trend
    assert '<td class="n">65</td><td class="source">Published report: S5: ASCN M&amp;E Report 2022' in trend


def test_a_round_published_before_the_platform_compares_only_what_its_report_gives(
        secretariat, no_pdf, django_capture_on_commit_callbacks):
    # A 2024 round on the platform, after the 2023 report that printed status only as shares: no "completed"
    # comparison, and the 2023 focus-area shares as the reference for the largest move.
    round2024 = ReportingRound.objects.get(year=2024)
    round2024.cities.add(City.objects.get(slug="da-nang"))  # now a platform round, so it may be generated
    ProgressUpdate.objects.create(project=Project.objects.get(reference="A1"), date=dt.date(2024, 6, 1),
                                  status="ongoing")
    html = html_of(generate(secretariat, round2024, django_capture_on_commit_callbacks))
    assert ("<li>The network counts 1 project, 85 fewer than the 86 published for the previous round (as of "
            "Aug. 14, 2023).</li>") in html
    assert "Completed projects:" not in html
    assert "The largest change in share is " in html and "published for the previous round" in html


def test_sections_show_accepted_narratives_and_say_when_there_is_none(secretariat, round2025, no_pdf,
                                                                     django_capture_on_commit_callbacks):
    da_nang, bangkok = City.objects.get(slug="da-nang"), City.objects.get(slug="bangkok")
    accepted = CityReport.objects.create(round=round2025, city=da_nang, state="accepted")
    project = Project.objects.filter(city=da_nang, reference__startswith="A").order_by("id").first()
    ProjectReport.objects.create(report=accepted, project=project, status="ongoing", is_highlighted=True,
                                 progress="Sensors installed on <b>40</b> junctions.", partner_support="JICA advice",
                                 challenges="Budget cycle")
    draft = CityReport.objects.create(round=round2025, city=bangkok, state="submitted")
    other = Project.objects.filter(city=bangkok).order_by("id").first()
    ProjectReport.objects.create(report=draft, project=other, status="ongoing", is_highlighted=True,
                                 progress="Not accepted yet: must not show")
    html = html_of(generate(secretariat, round2025, django_capture_on_commit_callbacks))
    section = html[html.index(f'id="area-{project.focus_area.code}"'):]
    da_nang_part = section[section.index("<h4>Da Nang"):]
    da_nang_part = da_nang_part[:da_nang_part.index("</div>\n", da_nang_part.index("me-highlight") + 30)]
    assert f"<strong>{project.reference} {project.title}</strong> · Ongoing" in da_nang_part
    assert "<em>Progress:</em> Sensors installed on &lt;b&gt;40&lt;/b&gt; junctions." in da_nang_part
    assert "<em>Partner support:</em> JICA advice" in da_nang_part and "<em>Challenges:</em> Budget cycle" in html
    assert "Not accepted yet" not in html
    bangkok_part = html[html.index("<h4>Bangkok"):]
    bangkok_part = bangkok_part[:bangkok_part.index("</div>")]
    assert f"{other.reference} {other.title} · " in bangkok_part
    assert "No narrative reported" not in bangkok_part  # said once for the section, not after each city


def section_of(html: str, code: str) -> str:
    start = html.index(f'<section class="me-area" id="area-{code}">')
    return html[start:html.index("</section>", start)]


def test_no_narrative_is_said_once_per_section(secretariat, round2025, no_pdf, django_capture_on_commit_callbacks):
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)  # no accepted city report
    for language, sentence in (("en", "No narrative reported for this round."),
                               ("th", "ไม่มีการรายงานคำบรรยายสำหรับรอบนี้")):
        html = html_of(report, language)
        assert html.count(sentence) == 6, language  # one per focus area, each with cities, never one per city
        for code in FOCUS_SHARES:
            section = section_of(html, code)
            assert section.count(sentence) == 1 and section.count("<h4>") > 1, (language, code)
            assert section.index(sentence) < section.index("<h4>")  # before the cities
        assert "me-city" in html and "highlights no project" not in html


def test_a_section_names_the_cities_without_a_narrative_once(secretariat, no_pdf,
                                                             django_capture_on_commit_callbacks):
    reporting_round = round2026("da-nang", "ha-noi", "phuket", "chiang-mai")
    projects = {}
    for slug in ("da-nang", "ha-noi", "phuket", "chiang-mai"):
        project = Project.objects.filter(city__slug=slug, focus_area__code="safety_security").order_by("id")[0]
        projects[slug] = reported(project.reference)
    for slug, state, highlighted in (("da-nang", "accepted", True), ("ha-noi", "accepted", False),
                                     ("phuket", "submitted", True)):
        city_report = CityReport.objects.create(round=reporting_round, city=City.objects.get(slug=slug), state=state)
        ProjectReport.objects.create(report=city_report, project=projects[slug], status="ongoing",
                                     is_highlighted=highlighted, progress=f"Progress in {slug}")
    report = generate(secretariat, reporting_round, django_capture_on_commit_callbacks)
    section = section_of(html_of(report), "safety_security")
    assert re.findall(r'<p class="me-note me-narratives">([^<]*)</p>', section) == [
        "No narrative reported for this round by Chiang Mai and Phuket (no accepted annual reports).",
        "The accepted report of Ha Noi highlights no project in this focus area."]
    assert [h.split(" <")[0] for h in re.findall(r"<h4>([^\n]*)</h4>", section)] == [
        "Chiang Mai", "Phuket", "Da Nang", "Ha Noi"]  # Thailand, then Viet Nam
    assert "<em>Progress:</em> Progress in da-nang" in section and "Progress in phuket" not in section
    assert "No narrative" not in section_of(html_of(report), "civic_social")  # no city there: nothing to say
    # In the Vietnamese and Thai editions, the cities of the reader's country by their local names.
    vietnamese = section_of(html_of(report, "vi"), "safety_security")
    assert "Chiang Mai và Phuket" in vietnamese and "Hà Nội" in vietnamese
    assert "<h4>Đà Nẵng <span class=\"me-country\">(Việt Nam)</span></h4>" in vietnamese
    thai = section_of(html_of(report, "th"), "safety_security")
    assert "เชียงใหม่ และ ภูเก็ต" in thai and "Chiang Mai" not in thai
    assert "<h4>Da Nang <span class=\"me-country\">(เวียดนาม)</span></h4>" in thai


def test_the_project_type_section_says_when_types_are_not_classified(secretariat, round2025, no_pdf,
                                                                     django_capture_on_commit_callbacks):
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)  # no seeded project has a type
    html = html_of(report)
    assert ('<p class="me-note" id="project-types-none">Project types are not yet classified: none of the 134 '
            "projects counted has a project type, so there is no breakdown by type.</p>") in html
    assert 'id="project-types"' not in html and "Not classified</td>" not in html
    assert ("<li>Project types are not yet classified: no project counted has a project type.</li>") in html
    assert 'id="project-types-none"' in html_of(report, "th") and 'id="project-types"' not in html_of(report, "vi")


def test_the_project_type_section_shows_the_shares_when_some_are_classified(secretariat, no_pdf,
                                                                           django_capture_on_commit_callbacks):
    from ascn.framework.models import FrameworkNode

    reporting_round = round2026("da-nang", "ha-noi", "phuket")
    safety = list(Project.objects.filter(city__slug__in=["da-nang", "ha-noi", "phuket"],
                                         focus_area__code="safety_security").order_by("id")[:3])
    assert len(safety) == 3
    for project in safety:
        reported(project.reference)
    kind = FrameworkNode.objects.get(code="safety_security.resource_security")
    Project.objects.filter(pk=safety[0].pk).update(project_type=kind)
    report = generate(secretariat, reporting_round, django_capture_on_commit_callbacks)
    html = html_of(report)
    table = html[html.index('id="project-types"'):html.index("</table>", html.index('id="project-types"'))]
    assert re.findall(r'<tr data-code="([^"]*)"><td>([^<]*)</td><td class="n">(\d+)</td><td class="n">(\d+)%', table) == [
        ("safety_security.resource_security", "Resource Security", "1", "33"), ("", "Not classified", "2", "67")]
    assert "project-types-none" not in html and "not yet classified" not in html
    assert "<li>2 projects have no project type yet (not classified).</li>" in html


def test_observations_compare_with_the_previous_round_s_own_data_when_it_has_some(
        secretariat, round2025, no_pdf, django_capture_on_commit_callbacks):
    ProgressUpdate.objects.create(project=Project.objects.get(reference="A1"), date=dt.date(2024, 6, 1),
                                  status="ongoing")  # the only project reported in the 2024 round's period
    html = html_of(generate(secretariat, round2025, django_capture_on_commit_callbacks))
    assert ("<li>The network counts 134 projects, 133 more than the 1 of the previous round (as of Sept. 25, 2024)."
            "</li>") in html
    assert "<li>Completed projects: 18, against 0 in the previous round.</li>" in html
    assert "There is no earlier reporting round" not in html and 'id="previous-published"' not in html


def test_the_first_round_has_nothing_to_compare_with(secretariat, round2025, no_pdf,
                                                     django_capture_on_commit_callbacks):
    ReportingRound.objects.filter(year__lt=2025).delete()
    html = html_of(generate(secretariat, round2025, django_capture_on_commit_callbacks))
    assert "There is no earlier reporting round to compare with." in html and "The network counts" not in html
    assert html.count("<svg ") == 3  # the trend shows the computed 2025 figure alone


def round2026(*cities: str) -> ReportingRound:
    """A later round on the platform, reported by the given cities."""
    reporting_round = ReportingRound.objects.create(year=2026, as_of=dt.date(2026, 9, 30))
    reporting_round.cities.set(City.objects.filter(slug__in=cities))
    return reporting_round


def reported(reference: str, status: str = "ongoing", date: dt.date = dt.date(2026, 3, 1)) -> Project:
    project = Project.objects.get(reference=reference)
    ProgressUpdate.objects.create(project=project, date=date, status=status)
    return project


def test_one_project_in_one_city_reads_in_the_singular(secretariat, no_pdf, django_capture_on_commit_callbacks):
    reporting_round = round2026("da-nang")
    reported(Project.objects.filter(city__slug="da-nang", reference__startswith="A").order_by("id")[0].reference)
    html = html_of(generate(secretariat, reporting_round, django_capture_on_commit_callbacks))
    assert ('<p>As of Sept. 30, 2026, the member cities report <strong data-figure="projects">1</strong> smart city '
            'project in 1 city.</p>') in html
    assert "has the most projects: 1 project, 100% of the total.</li>" in html
    assert "<li>Viet Nam reports the most projects (1 project).</li>" in html
    assert ("<li>The network counts 1 project, 133 fewer than the 134 of the previous round (as of Sept. 30, 2025)."
            "</li>") in html
    assert ("The round&#x27;s reporting city has no accepted annual report yet: the report has no city narrative. "
            "The figures count the published projects reported in the round&#x27;s period, in 1 city.") in html


def test_equal_counts_are_shown_with_equal_shares(secretariat, no_pdf, django_capture_on_commit_callbacks):
    reporting_round = round2026("bangkok")
    areas = {}
    for project in Project.objects.filter(reference__startswith="A").select_related("focus_area").order_by("id"):
        areas.setdefault(project.focus_area.code, project)
    ongoing, planning, completed = (areas["civic_social"], areas["health_wellbeing"], areas["safety_security"])
    for project, status in ((ongoing, "ongoing"), (planning, "planning"), (completed, "completed")):
        reported(project.reference, status)
    html = html_of(generate(secretariat, reporting_round, django_capture_on_commit_callbacks))
    # 1, 1, 1: 33% each (adding up to 99), never 34% for one of three equal counts
    assert ("<li>Civic and Social, Health and Well-being and Safety and Security have the most projects: 1 project "
            "each (33% each).</li>") in html
    assert "<li>33% of the projects are ongoing, 33% are being planned and 33% are completed.</li>" in html
    assert '<tr data-code="civic_social"><td>Civic and Social</td><td class="n">1</td><td class="n">33%</td>' in html
    assert "34%" not in html


def test_coverage_says_how_many_reporting_cities_have_an_accepted_report(secretariat, round2025, no_pdf,
                                                                         django_capture_on_commit_callbacks):
    CityReport.objects.create(round=round2025, city=City.objects.get(slug="da-nang"), state="accepted")
    CityReport.objects.create(round=round2025, city=City.objects.get(slug="bangkok"), state="submitted")
    html = html_of(generate(secretariat, round2025, django_capture_on_commit_callbacks))
    assert ('<p class="me-coverage" id="coverage">1 of 35 reporting cities have an accepted annual report. The '
            "narratives in section 4 come from that city&#x27;s report only. The figures count the published projects "
            "reported in the round&#x27;s period, in 35 cities.</p>") in html


def test_coverage_sentences_in_every_case():
    assert actions.coverage_sentences(0, 0, 3) == []
    assert actions.coverage_sentences(38, 38, 35) == ["All 38 reporting cities have an accepted annual report."]
    assert actions.coverage_sentences(1, 1, 1) == ["The round's reporting city has an accepted annual report."]
    assert actions.coverage_sentences(38, 3, 35)[:2] == [
        "3 of 38 reporting cities have an accepted annual report.",
        "The narratives in section 4 come from those 3 cities' reports only."]
    assert actions.coverage_sentences(38, 0, 1) == [
        "None of the 38 reporting cities has an accepted annual report yet: the report has no city narratives.",
        "The figures count the published projects reported in the round's period, in 1 city."]


def test_a_round_before_the_platform_is_not_generated_and_shows_its_published_figures(
        client, secretariat, django_capture_on_commit_callbacks):
    round2022 = ReportingRound.objects.get(year=2022)
    with pytest.raises(ValidationError) as caught, django_capture_on_commit_callbacks(execute=True):
        actions.request_me_report(secretariat, round2022)
    assert caught.value.message_dict == {"round": [
        "The 2022 round came before the platform: it has no reporting cities and no project data, only the figures "
        "its published report states (see the network's trend across rounds)."]}
    assert MEReport.objects.count() == 0
    client.force_login(secretariat)
    listing = client.get("/monitoring/reports/").content.decode()
    row = listing[listing.index('id="me-status-2022"'):listing.index("</div>", listing.index('id="me-status-2022"'))]
    assert "Before the platform: published figures only" in row and "Generate" not in row
    assert 'hx-post="/monitoring/reports/2025/generate/"' in listing
    page = client.get("/monitoring/reports/2022/").content.decode()
    assert "The 2022 round came before the platform" in page and "Generate" not in page
    assert '<span class="me-stat-value">77</span>' in page
    assert '<tr data-code="ongoing"><td>Ongoing</td><td class="n">\u2013</td><td class="n">75.32%</td></tr>' in page
    assert '<tr data-code="civic_social"><td>Civic and Social</td><td class="n">29%</td></tr>' in page
    assert "The report gives the status only as shares, as printed." in page
    assert ('Source: S5: ASCN M&amp;E Report 2022 (21 Sep 2022), <a href="https://asean.org/wp-content/uploads/2022/10/'
            '2022-ASCN-ME-Report-Final_21Sep2022-for-public.pdf" rel="nofollow">') in page
    response = client.post("/monitoring/reports/2022/generate/", headers={"HX-Request": "true"})
    assert response.status_code == 409 and "came before the platform" in response.content.decode()
    counted = client.get("/monitoring/reports/2024/").content.decode()
    assert '<tr data-code="ongoing"><td>Ongoing</td><td class="n">81</td><td class="n">75%</td></tr>' in counted
    assert "The report prints counts by status; the shares are worked out from them." in counted
    assert MEReport.objects.count() == 0


def test_a_cancelled_project_is_named_in_the_note(secretariat, round2025, no_pdf, django_capture_on_commit_callbacks):
    project = Project.objects.create(city=City.objects.get(slug="da-nang"), title="Stopped kiosk network",
                                     focus_area=Project.objects.get(reference="A1").focus_area, is_published=True,
                                     reference="C1")
    ProgressUpdate.objects.create(project=project, date=dt.date(2025, 3, 1), status="cancelled")
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    assert "1 cancelled project is left out of the figures and shares." in html_of(report)
    assert "<tr><td>C1</td><td>Stopped kiosk network</td>" in html_of(report)
    assert report.figures["projects"] == 134 and report.figures["cancelled"] == 1


@needs_pdf
def test_the_pdf_is_printed_in_each_language(client, api, secretariat, round2025,
                                             django_capture_on_commit_callbacks):
    phuket = City.objects.get(slug="phuket")
    accepted = CityReport.objects.create(round=round2025, city=phuket, state="accepted")
    ProjectReport.objects.create(report=accepted, project=Project.objects.filter(city=phuket).order_by("id").first(),
                                 status="ongoing", is_highlighted=True, progress="ติดตั้งระบบเซ็นเซอร์แล้ว")
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    assert (report.state, report.step) == ("done", "done")
    pdfs = {e.language: e.pdf.read() for e in report.editions.all()}
    assert sorted(pdfs) == ["en", "th", "vi"] and all(data.startswith(b"%PDF-") for data in pdfs.values())
    texts = {language: pdf_text(data) for language, data in pdfs.items()}
    data, text = pdfs["en"], texts["en"]
    assert "ASCN Monitoring and Evaluation Report" in text and "Implementation progress" in text
    assert "134 smart city projects in 35 cities" in text
    lines = text.splitlines()
    # The charts print as drawn text, each label on its own: the trend's axes and legend, the shares' axes and
    # their bar labels (these words are nowhere else in the report).
    for label in ("Reporting round", "Projects", "2021", "140", "Published Computed", "Focus area", "Status",
                  "Share of the projects (%)", "34 (25%)", "32 (24%)", "108 (81%)", "18 (13%)"):
        assert label in lines, label
    assert lines.count("Share of the projects (%)") == 2
    assert "ติดตั้งระบบเซ็นเซอร์แล้ว" in text  # Thai text printed with a Thai font, not as empty boxes

    # The Thai edition is written in Thai: headings, names, chart labels; the city's local name.
    thai = texts["th"]
    assert pdfs["th"] != data and thai != text
    assert len(THAI.findall(thai)) > 20 * len(THAI.findall(text))  # the English one has only the narrative
    # (Phrases without SARA AM: the text extracted from the PDF loses its NIKHAHIT, "บทนำ" reads "บทนา", though the
    # page shows it.)
    for phrase in ("รายงานการติดตามและประเมินผล ASCN ปี 2025", "สัดส่วนของโครงการ (%)", "ภูเก็ต (ไทย)", "เวียดนาม",
                   "ความคืบหน้า: ติดตั้งระบบเซ็นเซอร์แล้ว"):
        assert phrase in thai, phrase
    assert "Implementation progress" not in thai and "Phuket" not in thai
    # The Vietnamese one, with its diacritics (each letter in one piece: the text is NFC).
    vietnamese = texts["vi"]
    for phrase in ("Báo cáo Giám sát và Đánh giá ASCN năm 2025", "1. Giới thiệu", "Tỷ trọng dự án (%)",
                   "Đà Nẵng (Việt Nam)", "Phuket (Thái Lan)"):
        assert phrase in vietnamese, phrase
    assert len(set(pdfs.values())) == 3
    shipped = re.compile(r"ASCN-Noto-Sans(-Vietnamese|-Thai)?(-Bold)?(-Oblique)?")  # pdf-fonts.css's families
    for language, printed in pdfs.items():  # only the shipped fonts are embedded, never a system font
        fonts = embedded_fonts(printed)
        assert fonts and all(shipped.fullmatch(name) for name in fonts), (language, fonts)
    assert {"ASCN-Noto-Sans-Thai", "ASCN-Noto-Sans-Thai-Bold"} <= embedded_fonts(pdfs["th"])
    assert {"ASCN-Noto-Sans-Vietnamese", "ASCN-Noto-Sans-Vietnamese-Bold"} <= embedded_fonts(pdfs["vi"])

    # The pages serve the reader's language; the API takes ?language=.
    for path, language in (("/monitoring/reports/2025.pdf", "en"), ("/th/monitoring/reports/2025.pdf", "th"),
                           ("/vi/monitoring/reports/2025.pdf", "vi"),
                           (f"/monitoring/reports/2025/versions/{report.pk}.pdf", "en"),
                           (f"/th/monitoring/reports/2025/versions/{report.pk}.pdf", "th")):
        response = client.get(path)  # the public gets the done report's PDFs
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", path
        assert b"".join(response.streaming_content) == pdfs[language], path
        assert f'-{language}.pdf"' in response["Content-Disposition"]
    for query, language in (("", "en"), ("?language=th", "th"), ("?language=vi", "vi")):
        response = api.get(f"/monitoring/reports/2025.pdf{query}")
        assert response.status_code == 200 and b"".join(response.streaming_content) == pdfs[language]
    assert api.get("/monitoring/reports/2025.pdf?language=fr").status_code == 422


# --- Pages -----------------------------------------------------------------------------------------------


def test_list_page_for_the_public_and_the_secretariat(client, secretariat, round2025, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        page = client.get("/monitoring/reports/")
    text = page.content.decode()
    assert page.status_code == 200 and "Not generated yet" in text and "Generate</button>" not in text
    client.force_login(secretariat)
    text = client.get("/monitoring/reports/").content.decode()
    assert 'hx-post="/monitoring/reports/2025/generate/"' in text and "Generate</button>" in text


def test_list_page_query_count_does_not_grow_with_rounds(client, secretariat, round2025, no_pdf,
                                                         django_capture_on_commit_callbacks, django_assert_num_queries):
    generate(secretariat, round2025, django_capture_on_commit_callbacks)
    client.get("/monitoring/reports/")
    with django_assert_num_queries(4):  # the rounds and their count, the latest reports, their editions
        client.get("/monitoring/reports/")
    for year in (2026, 2027, 2028):
        round_ = ReportingRound.objects.create(year=year, as_of=dt.date(year, 9, 1))
        generate(secretariat, round_, django_capture_on_commit_callbacks)
    with django_assert_num_queries(4):
        text = client.get("/monitoring/reports/").content.decode()
    assert text.count('data-state="done"') == 4 and text.count("Before the platform: published figures only") == 4
    assert text.count('data-languages="en vi th"') == 4


def test_generate_from_the_page_with_htmx_returns_the_status(client, secretariat, round2025, no_pdf,
                                                            django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/monitoring/reports/2025/generate/", headers={"HX-Request": "true"})
    report = MEReport.objects.get()
    # The test's transaction commits after the response, so the answer shows the queued report polling;
    # the poll then finds it done.
    text = response.content.decode()
    assert response.status_code == 200 and 'data-state="queued"' in text and 'hx-trigger="every 1s"' in text
    text = client.get(f"/monitoring/reports/2025/versions/{report.pk}/status/").content.decode()
    assert 'data-state="done"' in text and "every 1s" not in text
    assert f'href="/monitoring/reports/2025/versions/{report.pk}/">Read</a>' in text


def test_generate_without_htmx_redirects_with_a_message(client, secretariat, round2025, no_pdf,
                                                       django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/monitoring/reports/2025/generate/", follow=True)
    assert response.redirect_chain == [("/monitoring/reports/", 302)]
    assert "The 2025 report was requested; its progress shows below." in response.content.decode()


def test_a_busy_round_answers_the_page_with_a_conflict(client, secretariat, round2025,
                                                       django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=False):
        queued = actions.request_me_report(secretariat, round2025)
        response = client.post("/monitoring/reports/2025/generate/", headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert f"already being generated (report {queued.pk}, Queued)" in response.content.decode()
    assert MEReport.objects.count() == 1


def test_others_may_not_generate_from_the_page(client, accounts, round2025, django_capture_on_commit_callbacks):
    for key in ("nr", "csco", "partner", "none"):
        client.force_login(accounts[key])
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/monitoring/reports/2025/generate/").status_code == 403
    client.logout()
    assert client.post("/monitoring/reports/2025/generate/").status_code == 403
    assert client.get("/monitoring/reports/2025/generate/").status_code == 405
    assert MEReport.objects.count() == 0


def test_a_queued_report_polls_every_second(client, secretariat, round2025, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = actions.request_me_report(secretariat, round2025)
    MEReport.objects.filter(pk=report.pk).update(state="running", progress=30, step="narratives")
    client.force_login(secretariat)
    text = client.get(f"/monitoring/reports/2025/versions/{report.pk}/status/").content.decode()
    assert f'hx-get="/monitoring/reports/2025/versions/{report.pk}/status/" hx-trigger="every 1s"' in text
    assert '<progress max="100" value="30"' in text and "30% · Reading the accepted city reports" in text
    assert "Generate" not in text  # no second request while it runs
    listing = client.get("/monitoring/reports/").content.decode()
    assert 'hx-trigger="every 1s"' in listing
    client.logout()  # the public does not see a report being generated
    assert client.get(f"/monitoring/reports/2025/versions/{report.pk}/status/").status_code == 404
    assert 'hx-trigger="every 1s"' not in client.get("/monitoring/reports/").content.decode()


def test_the_report_page_shows_the_latest_done_version(client, secretariat, round2025, no_pdf,
                                                       django_capture_on_commit_callbacks):
    empty = client.get("/monitoring/reports/2025/")
    assert empty.status_code == 200
    assert "No report has been generated for 2025 (as of Sept. 30, 2025) yet." in empty.content.decode()
    first = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    second = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    text = client.get("/monitoring/reports/2025/").content.decode()
    assert html_of(second) in text and "You are reading an earlier version" not in text
    assert "This version has no PDF" in text
    old = client.get(f"/monitoring/reports/2025/versions/{first.pk}/").content.decode()
    assert f"You are reading an earlier version (no. {first.pk}," in old and html_of(first) in old
    assert client.get("/monitoring/reports/2025.pdf").status_code == 404  # done, but printed without a PDF


@pytest.fixture
def quick_pdf(monkeypatch):
    """A stand-in PDF per language (the printing itself is tested above): "%PDF-… <language>"."""
    from django.utils import translation as active

    monkeypatch.setattr(actions, "render_pdf", lambda report, html: f"%PDF-1.7 {active.get_language()}".encode())


def links(page: str, selector: str) -> list[tuple[str, str]]:
    """(hreflang, href) of the links inside the element with id `selector`."""
    start = page.index(f'id="{selector}"')
    part = page[start:page.index("</nav>", start)]
    return re.findall(r'<a lang="(\w+)" hreflang="\w+"(?: type="application/pdf")? href="([^"]+)"', part)


def test_the_report_page_follows_the_reader_s_language_and_links_the_others(
        client, secretariat, round2025, quick_pdf, django_capture_on_commit_callbacks):
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    for prefix, language, title in (("", "en", "ASCN Monitoring and Evaluation Report 2025"),
                                     ("/vi", "vi", "Báo cáo Giám sát và Đánh giá ASCN năm 2025"),
                                     ("/th", "th", "รายงานการติดตามและประเมินผล ASCN ปี 2025")):
        page = client.get(f"{prefix}/monitoring/reports/2025/").content.decode()
        assert html_of(report, language) in page and f"<h1>{title}</h1>" in page, language
        assert f'<article class="me-report" lang="{language}"' in page
        assert (f'<a class="button primary" hreflang="{language}" href="{prefix}/monitoring/reports/2025.pdf">'
                in page), language
        others = [code for code in ("en", "vi", "th") if code != language]
        assert links(page, "me-languages") == [
            pair for code in others for pair in (
                (code, f"{'' if code == 'en' else '/' + code}/monitoring/reports/2025/"),
                (code, f"{'' if code == 'en' else '/' + code}/monitoring/reports/2025.pdf"))], language
        pdf = client.get(f"{prefix}/monitoring/reports/2025.pdf")
        assert b"".join(pdf.streaming_content) == f"%PDF-1.7 {language}".encode()
    # An earlier version links its own editions; the versions table lists each language's PDF.
    generate(secretariat, round2025, django_capture_on_commit_callbacks)
    old = client.get(f"/th/monitoring/reports/2025/versions/{report.pk}/").content.decode()
    assert ("en", f"/monitoring/reports/2025/versions/{report.pk}/") in links(old, "me-languages")
    assert f'hreflang="th" href="/th/monitoring/reports/2025/versions/{report.pk}.pdf"' in old
    assert f'<a lang="vi" hreflang="vi" href="/vi/monitoring/reports/2025/versions/{report.pk}.pdf">PDF VI</a>' in old


def test_a_report_written_before_editions_is_read_in_english_everywhere(
        client, api, secretariat, round2025, quick_pdf, django_capture_on_commit_callbacks):
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    report.editions.exclude(language="en").delete()  # as the migration leaves a report generated before
    page = client.get("/th/monitoring/reports/2025/").content.decode()
    assert html_of(report, "en") in page and 'id="me-languages"' not in page
    with translation.override("th"):
        english = translation.get_language_info("en")["name_translated"]  # "English" in Thai
        said = translation.gettext("This version was not written in your language; it is shown in %(language)s.")
    assert "ภาษาอังกฤษ" in said % {"language": english}  # the sentence and the language's name in Thai
    assert f'<p class="message" role="status" id="me-other-language">{said % {"language": english}}</p>' in page
    assert 'hreflang="en" href="/monitoring/reports/2025.pdf"' in page
    assert client.get("/th/monitoring/reports/2025.pdf").status_code == 404
    missing = api.get("/monitoring/reports/2025.pdf?language=th")
    assert (missing.status_code, missing.json()) == (404, {
        "detail": f"The 2025 report (version {report.pk}) is not written in ภาษาไทย; it exists in: English.",
        "code": "not_found"})


def test_the_list_and_the_api_name_the_languages(client, api, secretariat, round2025, quick_pdf,
                                                 django_capture_on_commit_callbacks):
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    cell = unicodedata.normalize("NFC", client.get("/th/monitoring/reports/").content.decode())
    cell = cell[cell.index('id="me-status-2025"'):]
    assert f'<a hreflang="th" href="/th/monitoring/reports/2025/versions/{report.pk}.pdf">' in cell
    assert re.findall(r'<a lang="(\w+)" hreflang="\w+" href="([^"]+)">([^<]+)</a>', cell[:cell.index("</div>")]) == [
        ("en", f"/monitoring/reports/2025/versions/{report.pk}/", "English"),
        ("vi", f"/vi/monitoring/reports/2025/versions/{report.pk}/", "Tiếng Việt"),
        ("th", f"/th/monitoring/reports/2025/versions/{report.pk}/", "ภาษาไทย")]
    expected = [{"language": code, "name": name,
                 "html_url": f"{prefix}/monitoring/reports/2025/versions/{report.pk}/",
                 "pdf_url": f"{prefix}/monitoring/reports/2025/versions/{report.pk}.pdf"}
                for code, name, prefix in (("en", "English", ""), ("vi", "Tiếng Việt", "/vi"), ("th", "ภาษาไทย", "/th"))]
    body = api.get("/monitoring/reports/2025").json()
    assert body["languages"] == expected and body["pdf_url"] == expected[0]["pdf_url"]
    assert api.get("/monitoring/reports/2025/status").json()["languages"] == expected


def test_the_public_sees_done_reports_only(client, secretariat, round2025, django_capture_on_commit_callbacks,
                                          monkeypatch):
    monkeypatch.setattr(queries, "project_rows", lambda as_of: 1 / 0)
    failed = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    assert failed.state == "failed" and failed.error == "division by zero"
    assert client.get(f"/monitoring/reports/2025/versions/{failed.pk}/").status_code == 404
    assert "No report has been generated for 2025" in client.get("/monitoring/reports/2025/").content.decode()
    assert "Failed" not in client.get("/monitoring/reports/").content.decode()
    client.force_login(secretariat)
    page = client.get(f"/monitoring/reports/2025/versions/{failed.pk}/").content.decode()
    assert "Failed: division by zero" in page


def test_unknown_years_and_versions_are_404(client, secretariat, round2025):
    response = client.get("/monitoring/reports/1999/")
    assert response.status_code == 404
    assert client.get("/monitoring/reports/1999.pdf").status_code == 404
    assert client.get("/monitoring/reports/2025/versions/424242/").status_code == 404
    assert client.get("/monitoring/reports/2025.pdf").status_code == 404


def test_the_pages_exist_in_vietnamese_and_thai(client, round2025):
    assert client.get("/vi/monitoring/reports/").status_code == 200
    assert client.get("/th/monitoring/reports/2025/").status_code == 200


# --- API -------------------------------------------------------------------------------------------------


def test_api_figures_live_before_any_report(api, round2025, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        response = api.get("/monitoring/reports/2025")
    body = response.json()
    assert response.status_code == 200
    assert (body["year"], body["as_of"], body["generated"], body["report_id"], body["generated_at"]) == (
        2025, "2025-09-30", False, None, None)
    assert (body["projects"], body["cancelled"], body["cities"], body["not_reported"], body["pdf_url"]) == (
        134, 0, 35, 2, None)
    assert body["by_status"] == [
        {"code": "ongoing", "name": "Ongoing", "count": 108, "share": 81, "percent": 80.6},
        {"code": "planning", "name": "Planning", "count": 8, "share": 6, "percent": 6.0},
        {"code": "completed", "name": "Completed", "count": 18, "share": 13, "percent": 13.4}]
    assert {r["code"]: r["share"] for r in body["by_focus_area"]} == {**FOCUS_SHARES, "quality_environment": 19,
                                                                      "built_infrastructure": 24}
    assert body["by_focus_area"][0] == {"code": "civic_social", "name": "Civic and Social", "count": 34, "share": 25,
                                        "percent": 25.4}
    assert body["by_type"] == [{"code": "", "name": "Not classified", "count": 134, "share": 100, "percent": 100.0}]
    assert {"code": "MYS", "name": "Malaysia", "count": 29, "share": 22, "percent": 21.6} in body["by_country"]
    assert body["country_focus"]["VNM"] == {"civic_social": 1, "health_wellbeing": 0, "safety_security": 3,
                                            "quality_environment": 1, "built_infrastructure": 1,
                                            "industry_innovation": 0}


def test_api_figures_from_the_latest_done_report(api, secretariat, round2025, no_pdf,
                                                 django_capture_on_commit_callbacks):
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    ProgressUpdate.objects.create(project=Project.objects.get(reference="A2"), date=dt.date(2025, 9, 1),
                                  status="ongoing")  # changes nothing stored
    body = api.get("/monitoring/reports/2025").json()
    assert (body["generated"], body["report_id"], body["projects"]) == (True, report.pk, 134)
    assert body["generated_at"][:23] == report.finished_at.isoformat()[:23]  # to the millisecond the API gives
    assert body["pdf_url"] is None  # printed without a PDF in this test


def test_api_pdf_is_404_json_until_generated(api, round2025):
    response = api.get("/monitoring/reports/2025.pdf")
    assert response.status_code == 404
    assert response.json() == {"detail": "No M&E report has been generated for 2025 yet.", "code": "not_found"}


def test_api_unknown_year_is_404_naming_it(api, api_as, secretariat, round2025):
    expected = {"detail": "There is no reporting round 1999.", "code": "not_found"}
    for path in ("/monitoring/reports/1999", "/monitoring/reports/1999.pdf", "/monitoring/reports/1999/status"):
        response = api.get(path)
        assert (response.status_code, response.json()) == (404, expected)
    response = api_as(secretariat).post("/monitoring/reports/1999", {})
    assert (response.status_code, response.json()) == (404, expected)
    assert MEReport.objects.count() == 0


def test_api_request_and_status(api, api_as, secretariat, round2025, no_pdf, django_capture_on_commit_callbacks):
    assert api.get("/monitoring/reports/2025/status").json() == {
        "detail": "No M&E report has been generated for 2025 yet.", "code": "not_found"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(secretariat).post("/monitoring/reports/2025", {})
    report = MEReport.objects.get()
    body = response.json()
    assert response.status_code == 202  # answered before the test's transaction commits: still queued
    assert {k: body[k] for k in ("id", "year", "as_of", "state", "progress", "step", "error", "pdf_url")} == {
        "id": report.pk, "year": 2025, "as_of": "2025-09-30", "state": "queued", "progress": 0,
        "step": "queued", "error": "", "pdf_url": None}
    status = api.get("/monitoring/reports/2025/status").json()
    assert (status["id"], status["state"], status["progress"], status["step"]) == (
        report.pk, "done", 100, "done_without_pdf")
    assert status["step_label"].startswith("Done; no PDF")
    assert AuditEntry.objects.filter(object_id=str(report.pk), content_type__model="mereport", via="api").exists()


@needs_pdf
def test_api_status_links_the_pdf(api, secretariat, round2025, django_capture_on_commit_callbacks):
    report = generate(secretariat, round2025, django_capture_on_commit_callbacks)
    body = api.get("/monitoring/reports/2025/status").json()
    assert body["pdf_url"] == f"/monitoring/reports/2025/versions/{report.pk}.pdf"
    assert api.get("/monitoring/reports/2025").json()["pdf_url"] == body["pdf_url"]


def test_api_request_needs_the_secretariat(api, api_as, accounts, round2025, django_capture_on_commit_callbacks):
    for key in ("nr", "csco", "partner", "none"):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_as(accounts[key]).post("/monitoring/reports/2025", {})
        assert (response.status_code, response.json()) == (403, {
            "detail": "Only the ASEAN Secretariat may do this.", "code": "permission_denied"})
    assert api.post("/monitoring/reports/2025", {}).status_code == 401
    assert MEReport.objects.count() == 0


def test_api_status_hides_reports_in_progress_from_the_public(api, api_as, secretariat, round2025,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = actions.request_me_report(secretariat, round2025)
    assert api.get("/monitoring/reports/2025/status").status_code == 404
    body = api_as(secretariat).get("/monitoring/reports/2025/status").json()
    assert (body["id"], body["state"], body["progress"], body["step_label"]) == (
        report.pk, "queued", 0, "Waiting for the background worker")
    with django_capture_on_commit_callbacks(execute=False):
        response = api_as(secretariat).post("/monitoring/reports/2025", {})
    assert response.status_code == 422 and "already being generated" in response.json()["detail"]


def test_the_figures_download_as_csv_with_the_published_counts(client, round2025):
    response = client.get("/monitoring/reports/2025.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "year,as_of,breakdown,code,name,count,share,percent"
    assert lines[1:4] == ["2025,2025-09-30,status,ongoing,Ongoing,108,81,80.6",
                          "2025,2025-09-30,status,planning,Planning,8,6,6.0",
                          "2025,2025-09-30,status,completed,Completed,18,13,13.4"]
    assert "2025,2025-09-30,focus_area,civic_social,Civic and Social,34,25,25.4" in lines
    assert "2025,2025-09-30,country,MYS,Malaysia,29,22,21.6" in lines
    assert client.get("/monitoring/reports/1999.csv").status_code == 404
