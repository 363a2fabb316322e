"""The city annual report: starting it, editing it, its workflow through the pages, locking and reopening."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ascn.core.models import AuditEntry
from ascn.core.testing.forms import form_fields
from ascn.framework.models import FrameworkNode
from ascn.monitoring.actions import reports as actions
from ascn.monitoring.models import (
    CityReport,
    Indicator,
    Observation,
    ProjectReport,
    ReportingRound,
    ReportTransition,
)
from ascn.monitoring.queries import reports as queries
from ascn.network.models import City
from ascn.plans.models import ProgressUpdate, Project
from conftest import make_user

pytestmark = pytest.mark.django_db

OPENS, CLOSES = dt.date(2025, 8, 1), dt.date(2025, 10, 31)
DA_NANG_REFS = ["A111", "A112", "SCAP18-DN1"]


@pytest.fixture(name="media_root", autouse=True)
def media_root_fixture(settings, tmp_path):
    """Anything uploaded while testing stays under pytest's temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(name="round_2025")
def round_2025_fixture(db) -> ReportingRound:
    """The seeded 2025 round (as of 30 September 2025), given a reporting window."""
    reporting_round = ReportingRound.objects.get(year=2025)
    reporting_round.opens_on, reporting_round.closes_on = OPENS, CLOSES
    reporting_round.save()
    return reporting_round


@pytest.fixture(name="on_day")
def on_day_fixture(monkeypatch):
    """on_day(date): the platform's "today" for inboxes and round checks."""

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr(queries, "today", lambda: day)

    set_day(dt.date(2025, 10, 20))
    return set_day


def city(slug: str) -> City:
    return City.objects.get(slug=slug)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lines_of(report: CityReport) -> list[tuple]:
    return list(report.project_lines.order_by("project__reference")
                .values_list("project__reference", "status", "percent_complete", "is_highlighted"))


def history(report: CityReport) -> list[tuple]:
    return list(ReportTransition.objects.filter(report=report).order_by("at", "id")
                .values_list("action", "from_state", "to_state", "actor__username", "reason"))


def snapshot(report: CityReport) -> tuple:
    """Everything a refused step must leave as it was."""
    report.refresh_from_db()
    return (report.state, report.state_changed_at, report.summary, lines_of(report), history(report),
            ProjectReport.objects.filter(report=report).count())


def line_fields(line: ProjectReport, values: dict[str, str]) -> dict[str, str]:
    """A line's fields as the page names them."""
    return {f"line-{line.pk}-{name}": value for name, value in values.items()}


def whole_form(report: CityReport, summary: str | None = None, **lines: dict[str, str]) -> dict[str, str]:
    """The page's form of the report as stored (without its version), changed as given: `A111={...}`."""
    stored = {ln.project.reference: ln for ln in report.project_lines.select_related("project")}
    fields = {"summary": report.summary if summary is None else summary,
              "highlight": next((str(ln.pk) for ln in stored.values() if ln.is_highlighted), "")}
    for ln in stored.values():
        fields.update(line_fields(ln, {"status": ln.status, "percent_complete": "" if ln.percent_complete is None
                                       else str(ln.percent_complete), "progress": ln.progress,
                                       "partner_support": ln.partner_support, "challenges": ln.challenges}))
    for reference, values in lines.items():
        fields.update(line_fields(stored[reference.replace("_", "-")], values))
    return fields


def started(round_2025, user, slug: str = "da-nang") -> CityReport:
    return actions.start_report(user, round_2025, city(slug))


def submitted(round_2025, secretariat, slug: str = "da-nang") -> CityReport:
    report = started(round_2025, secretariat, slug)
    actions.transition_report(secretariat, report, "submit")
    return report


def endorsed(round_2025, secretariat, slug: str = "da-nang") -> CityReport:
    report = submitted(round_2025, secretariat, slug)
    actions.transition_report(secretariat, report, "endorse")
    return report


# --- Starting a report ----------------------------------------------------------------------------


def test_a_started_report_has_a_line_per_project_prefilled_from_the_projects(round_2025, csco_danang, on_day):
    danang = city("da-nang")
    focus = FrameworkNode.objects.get(code="built_infrastructure")
    old = Project.objects.create(city=danang, reference="X1", title="Cancelled in 2024", focus_area=focus,
                                 status="cancelled")
    ProgressUpdate.objects.create(project=old, date=dt.date(2024, 5, 1), status="cancelled")
    recent = Project.objects.create(city=danang, reference="X2", title="Cancelled in 2025", focus_area=focus,
                                    status="cancelled")
    ProgressUpdate.objects.create(project=recent, date=dt.date(2025, 3, 1), status="cancelled", percent_complete=40)
    ProgressUpdate.objects.create(project=Project.objects.get(reference="A112"), date=dt.date(2025, 6, 30),
                                  status="ongoing", percent_complete=35)

    report = actions.start_report(csco_danang, round_2025, danang)

    assert (report.state, report.round.year, report.city.slug) == ("draft", 2025, "da-nang")
    # The 30 September update of A112 has no percent: the latest update with one (30 June) gives it.
    assert lines_of(report) == [("A111", "ongoing", None, False), ("A112", "ongoing", 35, False),
                                ("SCAP18-DN1", "planning", None, False), ("X2", "cancelled", 40, False)]
    again = actions.start_report(csco_danang, round_2025, danang)
    assert again.pk == report.pk and ProjectReport.objects.filter(report=report).count() == 4
    entry = AuditEntry.objects.get(object_id=str(report.pk), content_type__model="cityreport")
    assert (entry.actor, entry.changes) == (csco_danang, {"state": [None, "draft"], "project_lines": [None, 4]})


def test_only_the_city_or_the_secretariat_starts_a_report_of_a_reporting_city(round_2025, csco_danang, nr_vietnam,
                                                                              secretariat, on_day):
    with pytest.raises(PermissionDenied):
        actions.start_report(nr_vietnam, round_2025, city("da-nang"))
    with pytest.raises(PermissionDenied):
        actions.start_report(csco_danang, round_2025, city("ha-noi"))
    with pytest.raises(ValidationError) as caught:
        actions.start_report(secretariat, round_2025, city("dili"))  # joined after the as-of date
    assert caught.value.message_dict == {"city": ["Dili does not report in the 2025 round."]}
    round_2026 = ReportingRound.objects.create(year=2026, as_of=dt.date(2026, 9, 30), opens_on=dt.date(2026, 8, 1))
    round_2026.cities.add(city("da-nang"))
    with pytest.raises(ValidationError) as caught:
        actions.start_report(csco_danang, round_2026, city("da-nang"))
    assert caught.value.message_dict == {"round": ["The 2026 reporting round is not open yet."]}
    assert CityReport.objects.count() == 0


def test_the_secretariat_opens_every_reporting_citys_report_once(round_2025, secretariat, nr_vietnam):
    started(round_2025, secretariat, "da-nang")
    created = actions.open_round_reports(secretariat, round_2025)
    assert len(created) == 34
    assert CityReport.objects.filter(round=round_2025, state="draft").count() == 35
    assert actions.open_round_reports(secretariat, round_2025) == []
    with pytest.raises(PermissionDenied):
        actions.open_round_reports(nr_vietnam, round_2025)
    assert CityReport.objects.count() == 35


def test_the_start_buttons_work_for_a_city_officer_and_the_secretariat(round_2025, csco_danang, secretariat, on_day):
    officer = client_of(csco_danang)
    page = officer.get("/monitoring/annual-reports/").content.decode()
    assert "Start your city's 2025 report" in page
    answer = officer.post("/monitoring/annual-reports/start/", {"year": "2025"})
    report = CityReport.objects.get(round=round_2025, city__slug="da-nang")
    assert (answer.status_code, answer["Location"]) == (302, f"/monitoring/annual-reports/{report.pk}/")
    assert "Start your city" not in officer.get("/monitoring/annual-reports/").content.decode()

    desk = client_of(secretariat)
    assert "Open the 2025 reports" in desk.get("/monitoring/annual-reports/").content.decode()
    answer = desk.post("/monitoring/annual-reports/open-round/", {"year": "2025"})
    assert (answer.status_code, answer["Location"]) == (302, "/monitoring/annual-reports/?year=2025")
    assert CityReport.objects.filter(round=round_2025).count() == 35
    assert client_of(csco_danang).post("/monitoring/annual-reports/open-round/", {"year": "2025"}).status_code == 403


# --- The workflow through the pages ---------------------------------------------------------------


def test_the_full_workflow_through_the_pages(round_2025, csco_danang, nr_vietnam, secretariat, on_day):
    officer, nr, desk = client_of(csco_danang), client_of(nr_vietnam), client_of(secretariat)
    officer.post("/monitoring/annual-reports/start/", {"year": "2025"})
    report = CityReport.objects.get(round=round_2025, city__slug="da-nang")
    url = f"/monitoring/annual-reports/{report.pk}/"
    line = {ln.project.reference: ln for ln in report.project_lines.select_related("project")}

    page = officer.get(url).content.decode()
    assert "Save the report" in page and "Save and submit" in page and 'value="submit"' in page
    assert 'data-action="submit"' not in page  # submitting goes through the form: nothing typed is left behind

    fields = form_fields(page, "report-form")
    fields.update({"summary": "Two centres running.", **line_fields(line["A111"], {
        "status": "completed", "percent_complete": "100", "progress": "Opened in June.",
        "partner_support": "JICA training"}), "highlight": str(line["A111"].pk)})
    assert officer.post(url, fields).status_code == 302
    fields = form_fields(officer.get(url).content.decode(), "report-form")
    fields.update({**line_fields(line["A112"], {"percent_complete": "60", "progress": "Sensors installed."}),
                   "highlight": str(line["A112"].pk)})
    assert officer.post(url, fields).status_code == 302
    # One highlighted project per report: highlighting A112 cleared A111.
    assert lines_of(report) == [("A111", "completed", 100, False), ("A112", "ongoing", 60, True),
                                ("SCAP18-DN1", "planning", None, False)]

    answer = officer.post(url + "transitions/", {"action": "submit"}, HTTP_HX_REQUEST="true")
    assert (answer.status_code, answer["HX-Redirect"]) == (200, url)
    nr_page = nr.get(url).content.decode()
    assert 'value="endorse"' in nr_page and 'value="return"' in nr_page and 'id="report-form"' not in nr_page
    assert nr.post(url + "transitions/", {"action": "endorse"}).status_code == 302
    desk_page = desk.get(url).content.decode()
    assert 'value="accept"' in desk_page and 'value="return"' in desk_page
    assert desk.post(url + "transitions/", {"action": "accept", "reason": "Complete."}).status_code == 302

    report.refresh_from_db()
    assert (report.state, report.summary) == ("accepted", "Two centres running.")
    assert [h[:4] for h in history(report)] == [("submit", "draft", "submitted", "csco-dn"),
                                                ("endorse", "submitted", "endorsed", "nr-vn"),
                                                ("accept", "endorsed", "accepted", "sec")]
    assert history(report)[2][4] == "Complete."
    assert report.state_changed_at == report.transitions.last().at
    # Accepting records each line as the project's update of 30 September 2025 (updating the one there).
    updates = {u.project.reference: u for u in ProgressUpdate.objects.filter(
        project__city__slug="da-nang", date=dt.date(2025, 9, 30)).select_related("project")}
    assert {ref: (u.status, u.percent_complete, u.progress, u.partner_support) for ref, u in updates.items()} == {
        "A111": ("completed", 100, "Opened in June.", "JICA training"),
        "A112": ("ongoing", 60, "Sensors installed.", ""),
        "SCAP18-DN1": ("planning", None, "", ""),
    }
    assert ProgressUpdate.objects.filter(project__reference="A111").count() == 1
    assert updates["A111"].source == "ASCN annual report 2025 of Da Nang (accepted)"
    assert dict(Project.objects.filter(reference__in=DA_NANG_REFS).values_list("reference", "status")) == {
        "A111": "completed", "A112": "ongoing", "SCAP18-DN1": "planning"}

    history_html = officer.get(url).content.decode()
    assert "Nothing for you to do" not in history_html and 'id="report-form"' not in history_html
    assert "This report is accepted and locked." in history_html and "Complete." in history_html


def test_a_return_needs_a_reason_and_sends_the_report_back_to_the_city(round_2025, csco_danang, nr_vietnam,
                                                                        secretariat, on_day):
    report = submitted(round_2025, secretariat)
    url = f"/monitoring/annual-reports/{report.pk}/transitions/"
    before = snapshot(report)
    answer = client_of(nr_vietnam).post(url, {"action": "return", "reason": "  "}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 422
    assert "Give the reason to return the report." in answer.content.decode()
    assert snapshot(report) == before

    answer = client_of(nr_vietnam).post(url, {"action": "return", "reason": "Add the water figures."})
    assert answer.status_code == 302
    report.refresh_from_db()
    assert report.state == "returned"
    assert history(report)[-1] == ("return", "submitted", "returned", "nr-vn", "Add the water figures.")
    page = client_of(csco_danang).get(f"/monitoring/annual-reports/{report.pk}/").content.decode()
    assert "Add the water figures." in page and "Save the report" in page
    actions.update_report(csco_danang, report, {"summary": "Water figures added."})
    actions.transition_report(csco_danang, report, "submit")
    assert report.state == "submitted"


def test_the_secretariat_returns_an_endorsed_report_with_a_reason(round_2025, secretariat, nr_vietnam):
    report = endorsed(round_2025, secretariat)
    with pytest.raises(PermissionDenied):
        actions.transition_report(nr_vietnam, report, "return", "Too late for me.")
    transition = actions.transition_report(secretariat, report, "return", "Indicator values missing.")
    assert (transition.from_state, transition.to_state, transition.actor, transition.reason) == (
        "endorsed", "returned", secretariat, "Indicator values missing.")


def test_wrong_roles_and_scopes_are_refused_and_change_nothing(round_2025, csco_danang, nr_thailand, nr_vietnam,
                                                                 secretariat, partner_jica, on_day):
    report = submitted(round_2025, secretariat)
    url = f"/monitoring/annual-reports/{report.pk}/"
    before = snapshot(report)
    # The NR of Thailand sees nothing of Da Nang's submitted report and cannot endorse it.
    assert client_of(nr_thailand).get(url).status_code == 404
    with pytest.raises(PermissionDenied) as caught:
        actions.transition_report(nr_thailand, report, "endorse")
    assert str(caught.value) == "You may not endorse the annual report of Da Nang."
    # The city cannot endorse its own report.
    assert client_of(csco_danang).post(url + "transitions/", {"action": "endorse"}).status_code == 403
    assert snapshot(report) == before

    actions.transition_report(nr_vietnam, report, "endorse")
    before = snapshot(report)
    assert client_of(csco_danang).post(url + "transitions/", {"action": "accept"}).status_code == 403
    assert client_of(nr_vietnam).post(url + "transitions/", {"action": "accept"}).status_code == 403
    with pytest.raises(ValidationError) as caught:
        actions.transition_report(secretariat, report, "submit")
    assert caught.value.message_dict == {
        "action": ["A report that is endorsed cannot be submitted: choose another action."]}
    assert snapshot(report) == before

    # Partners and the public see only accepted reports.
    assert client_of(partner_jica).get(url).status_code == 404
    anonymous = Client().get(url)
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/accounts/login/?next={url}")
    actions.transition_report(secretariat, report, "accept")
    public = Client().get(url)
    assert public.status_code == 200 and 'id="report-form"' not in public.content.decode()
    assert client_of(partner_jica).get(url).status_code == 200
    assert 'name="action"' not in client_of(partner_jica).get(url).content.decode()


def test_an_accepted_report_is_locked_until_the_secretariat_reopens_it_with_a_reason(round_2025, csco_danang,
                                                                                     secretariat, on_day):
    report = endorsed(round_2025, secretariat)
    actions.transition_report(secretariat, report, "accept")
    line = report.project_lines.select_related("project", "report__city").get(project__reference="A111")
    before = snapshot(report)
    with pytest.raises(ValidationError) as caught:
        actions.update_report(csco_danang, report, {"summary": "Changed afterwards."})
    assert caught.value.message_dict == {
        "state": ["The report is accepted and locked; the Secretariat can reopen it with a reason."]}
    with pytest.raises(ValidationError):
        actions.update_project_line(secretariat, line, {"percent_complete": 90})
    fields = whole_form(report, summary="Changed afterwards.")
    answer = client_of(csco_danang).post(f"/monitoring/annual-reports/{report.pk}/", fields)
    html = answer.content.decode()
    assert answer.status_code == 422 and "accepted and locked" in html
    assert form_fields(html, "report-form")["summary"] == "Changed afterwards."  # kept, to be copied
    assert "Save the report" not in html and "This report cannot be changed now" in html
    with pytest.raises(ValidationError) as caught:
        actions.transition_report(secretariat, report, "reopen", "")
    assert caught.value.message_dict == {"reason": ["Give the reason to reopen the report."]}
    assert snapshot(report) == before

    actions.transition_report(secretariat, report, "reopen", "The city corrects A111.")
    assert report.state == "returned"
    actions.update_project_line(csco_danang, line, {"status": "completed", "percent_complete": 100})
    assert lines_of(report)[0] == ("A111", "completed", 100, False)
    assert history(report)[-1] == ("reopen", "accepted", "returned", "sec", "The city corrects A111.")


def test_a_submitted_report_is_not_edited_and_a_complete_report_is_required(round_2025, csco_danang, secretariat,
                                                                            on_day):
    report = started(round_2025, csco_danang)
    ProjectReport.objects.filter(report=report, project__reference="A111").update(status="completed",
                                                                                  percent_complete=None)
    before = snapshot(report)
    with pytest.raises(ValidationError) as caught:
        actions.transition_report(csco_danang, report, "submit")
    assert caught.value.message_dict == {
        "project_lines": ["“Intelligent Operation Centre” is completed: give 100 as its percent complete."]}
    answer = client_of(csco_danang).post(f"/monitoring/annual-reports/{report.pk}/transitions/",
                                         {"action": "submit"})
    assert answer.status_code == 422 and "is completed: give 100 as its percent complete" in answer.content.decode()
    assert snapshot(report) == before

    line = report.project_lines.select_related("report__city", "project").get(project__reference="A111")
    actions.update_project_line(csco_danang, line, {"percent_complete": 100})
    actions.transition_report(csco_danang, report, "submit")
    with pytest.raises(ValidationError) as caught:
        actions.update_report(csco_danang, report, {"summary": "Late change."})
    assert caught.value.message_dict == {
        "state": ["The report is submitted: it can be changed only while it is a draft or returned."]}
    with pytest.raises(PermissionDenied):
        actions.update_report(make_user("csco-hn", "city_officer", city="ha-noi"), report, {"summary": "Not mine."})


def test_the_report_shows_the_citys_indicator_values_for_the_year(round_2025, secretariat, partner_jica):
    report = endorsed(round_2025, secretariat)
    indicator = Indicator.objects.get(code="EC: ICT: ICT: 1C")
    Observation.objects.create(city=city("da-nang"), indicator=indicator, period="2025", year=2025, value=87.5,
                               verification="verified")
    Observation.objects.create(city=city("da-nang"), indicator=indicator, period="2024", year=2024, value=80)
    Observation.objects.create(city=city("ha-noi"), indicator=indicator, period="2025", year=2025, value=91)
    actions.transition_report(secretariat, report, "accept")
    html = client_of(partner_jica).get(f"/monitoring/annual-reports/{report.pk}/").content.decode()
    table = html[html.index('data-testid="observations"'):]
    table = table[:table.index("</table>")]
    assert "Household Internet Access" in table and "87.5" in table and "Verified" in table
    assert "80" not in table and "91" not in table
    assert 'href="/monitoring/cities/da-nang/data/"' in html


# --- The list page --------------------------------------------------------------------------------


def test_the_list_shows_what_each_role_may_see_with_filters_and_counts(round_2025, secretariat, nr_vietnam,
                                                                       partner_jica, on_day):
    actions.open_round_reports(secretariat, round_2025)
    endorsed_report = CityReport.objects.get(city__slug="da-nang")
    actions.transition_report(secretariat, endorsed_report, "submit")
    actions.transition_report(secretariat, endorsed_report, "endorse")
    accepted = CityReport.objects.get(city__slug="chiang-mai")
    for step in ("submit", "endorse", "accept"):
        actions.transition_report(secretariat, accepted, step)

    desk = client_of(secretariat).get("/monitoring/annual-reports/").content.decode()
    assert "35 reports" in desk and "Page 1 of 2" in desk
    progress = desk[desk.index('data-testid="progress"'):]
    row = progress[progress.index('data-year="2025"'):progress.index("</tr>", progress.index('data-year="2025"'))]
    assert '<td data-state="draft">33</td>' in row and '<td data-state="endorsed">1</td>' in row
    assert '<td data-state="accepted">1</td>' in row and "Open the 2025 reports" not in row

    nr = client_of(nr_vietnam).get("/monitoring/annual-reports/").content.decode()
    vietnam_cities = City.objects.filter(country__iso3="VNM", reporting_rounds=round_2025).count()
    # Viet Nam's own reports and the accepted report of Chiang Mai.
    assert f"{vietnam_cities + 1} reports" in nr and 'data-testid="progress"' not in nr
    filtered = client_of(nr_vietnam).get("/monitoring/annual-reports/", {"state": "endorsed", "country": "VNM"},
                                         HTTP_HX_REQUEST="true").content.decode()
    assert "1 report" in filtered and "Da Nang" in filtered and "<h1>" not in filtered
    public = Client().get("/monitoring/annual-reports/").content.decode()
    assert "1 report" in public and "Chiang Mai" in public and "Da Nang" not in public
    assert "1 report" in client_of(partner_jica).get("/monitoring/annual-reports/").content.decode()


def test_the_list_page_takes_the_same_queries_for_2_or_25_reports(round_2025, secretariat):
    for slug in ("da-nang", "ha-noi"):
        started(round_2025, secretariat, slug)
    desk = client_of(secretariat)
    desk.get("/monitoring/annual-reports/")  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as small:
        assert desk.get("/monitoring/annual-reports/").status_code == 200
    actions.open_round_reports(secretariat, round_2025)
    with CaptureQueriesContext(connection) as large:
        html = desk.get("/monitoring/annual-reports/").content.decode()
    assert "35 reports" in html and html.count("/monitoring/annual-reports/") > 25
    # Session, user, round years, countries, count, progress (rounds, states), rounds to open, the page.
    assert len(small) == len(large) == 9



def test_the_report_page_takes_the_same_queries_whatever_its_lines_and_history(round_2025, secretariat):
    counts = []
    for slug, steps in (("ha-noi", []), ("chiang-mai", ["submit", "endorse", "return"])):
        report = started(round_2025, secretariat, slug)
        for step in steps:
            actions.transition_report(secretariat, report, step, "Again." if step == "return" else "")
        desk = client_of(secretariat)
        desk.get(f"/monitoring/annual-reports/{report.pk}/")
        with CaptureQueriesContext(connection) as counted:
            assert desk.get(f"/monitoring/annual-reports/{report.pk}/").status_code == 200
        counts.append(len(counted))
    # Session, user, the report, its lines, its history, may-edit, the indicator values.
    assert counts == [7, 7]
