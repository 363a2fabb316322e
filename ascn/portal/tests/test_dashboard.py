"""The workspace dashboard per role: the panels every app adds (see core.panels), with the numbers of a seeded
round in which reports stand in every state, their empty states, and queries that do not grow with the number
of cities, reports, projects or audit entries."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from ascn.core.actions import record
from ascn.core.choices import AuditAction, Role
from ascn.core.models import AuditEntry
from ascn.finance.actions import business_cases as case_actions
from ascn.finance.actions import readiness as readiness_actions
from ascn.finance.queries.readiness import project_readiness
from ascn.monitoring.actions import reports as report_actions
from ascn.monitoring.choices import GenerationState, ReportState, Verification
from ascn.monitoring.models import CityReport, Indicator, MEReport, Observation, ReportingRound
from ascn.monitoring.queries import dashboard
from ascn.monitoring.queries import reports as report_queries
from ascn.network.models import City, Partner
from ascn.plans.actions import update_project
from ascn.plans.models import Project
from conftest import make_user

pytestmark = pytest.mark.django_db

OPENS, CLOSES = dt.date(2025, 8, 1), dt.date(2025, 10, 31)
AFTER_CLOSE = dt.date(2025, 11, 4)  # four days after the closing date: every city that has not submitted is late
# Each city's steps in the 2025 round; the other 29 reporting cities have not started.
STEPS = {"da-nang": [], "ha-noi": ["submit"], "ho-chi-minh-city": ["submit", "endorse"],
         "bangkok": ["submit", "endorse", "accept"], "chiang-mai": ["submit", "return"], "phuket": ["submit"]}
BUSINESS_CASE = {"years": 10, "discount_rate": 0.08, "currency": "USD",
                 "lines": [{"kind": "capex", "values": [1000] + [0] * 10, "label": "Build"},
                           {"kind": "revenue", "values": [0] + [300] * 10, "label": "Fees"},
                           {"kind": "opex", "values": [0] + [60] * 10, "label": "Running"}]}


@pytest.fixture
def on_day(monkeypatch):
    """on_day(date): the platform's "today" for the round, its deadlines and overdue."""

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr(report_queries, "today", lambda: day)

    set_day(AFTER_CLOSE)
    return set_day


@pytest.fixture
def round_2025(db) -> ReportingRound:
    reporting_round = ReportingRound.objects.get(year=2025)
    reporting_round.opens_on, reporting_round.closes_on = OPENS, CLOSES
    reporting_round.save()
    return reporting_round


@pytest.fixture
def reports(round_2025, secretariat) -> dict[str, CityReport]:
    """Da Nang drafting, Ha Noi and Phuket submitted, Ho Chi Minh City endorsed, Bangkok accepted, Chiang Mai
    returned; the Secretariat takes the steps (it may take any)."""
    result = {}
    for slug, steps in STEPS.items():
        report = report_actions.start_report(secretariat, round_2025, City.objects.get(slug=slug))
        for step in steps:
            report_actions.transition_report(secretariat, report, step,
                                             reason="Figures missing" if step == "return" else "")
        result[slug] = report
    return result


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


INLINE = r"</?(?:a|span|strong|em|time|abbr|b|i)\b[^>]*>"


def text(html: str) -> str:
    """A page's text as a reader sees it: inline tags dropped, other tags a space, entities read, spaces
    collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", re.sub(INLINE, "", html))).split())


def panel(page: str, section_id: str) -> str:
    """The text of one panel (a section with that id) of the page."""
    start = page.index(f'id="{section_id}"')
    return text(page[start:page.index("</section>", start)].split(">", 1)[1])


def counts(page: str) -> dict[str, str]:
    """The round's numbers as the glance writes them (data-testid="count-<state>")."""
    return dict(re.findall(r'data-testid="count-([a-z_]+)">([^<]*)<', page))


def dashboard_of(user) -> str:
    answer = client_of(user).get("/workspace/")
    assert answer.status_code == 200
    return answer.content.decode()


# --- Secretariat ----------------------------------------------------------------------------------------


def test_the_secretariat_sees_the_round_at_a_glance(reports, secretariat, on_day):
    page = dashboard_of(secretariat)
    assert counts(page) == {"not_started": "29", "draft": "1", "returned": "1", "submitted": "2", "endorsed": "1",
                            "accepted": "1", "overdue": "31"}
    overview = panel(page, "round-overview")
    assert overview.startswith(
        "Annual reports 1 report waits for your acceptance · 31 overdue · Open your inbox · Reporting rounds · "
        "The 2025 round's page The 2025 round's closing date, Oct. 31, 2025, passed 4 days ago: late reports are "
        "taken until the Secretariat closes the round. 35 reporting cities.")
    assert "No city has started" not in overview
    assert overview.endswith("Waiting for your acceptance Ho Chi Minh City's 2025 report Viet Nam · endorsed on "
                             + formats.date_format(timezone.localdate(), "DATE_FORMAT"))
    assert f'href="/monitoring/annual-reports/{reports["ho-chi-minh-city"].pk}/"' in page
    assert 'href="/monitoring/rounds/"' in page and "/data/" not in page  # the rounds, not one city's data
    # The bar: one segment per state with cities, as wide as its share of the 35 (decoration, hidden from
    # screen readers: the numbers are in the text).
    bar = re.search(r'<div class="state-bar" aria-hidden="true"[^>]*>(.*?)</div>', page).group(1)
    assert re.findall(r'data-state="(\w+)" style="width: ([\d.]+)%"', bar) == [
        ("not_started", "82.86"), ("draft", "2.86"), ("returned", "2.86"), ("submitted", "5.71"), ("endorsed", "2.86"),
        ("accepted", "2.86")]


def test_the_round_numbers_agree_with_the_reports_and_the_one_definition_of_overdue(reports, secretariat, on_day):
    for day in (dt.date(2025, 10, 20), AFTER_CLOSE):
        on_day(day)
        glance = dashboard.round_glance(secretariat)
        stored = {state: CityReport.objects.filter(round__year=2025, state=state).count()
                  for state in ReportState.values}
        assert {c.value: c.n for c in glance.counts} == {"not_started": 35 - sum(stored.values()), **stored}
        (block,) = report_queries.inbox(secretariat, day).overview
        assert glance.overdue == block["overdue"] == len(report_queries.inbox(secretariat, day).overdue)
    assert glance.overdue == 31


def test_no_city_started_is_said_even_when_nothing_waits(round_2025, secretariat, nr_vietnam, csco_danang, on_day):
    on_day(dt.date(2025, 10, 20))
    page = dashboard_of(secretariat)
    assert panel(page, "round-overview").startswith(
        "Annual reports 0 reports wait for your acceptance · Open your inbox · Reporting rounds · The 2025 round's "
        "page The 2025 round is open and closes on Oct. 31, 2025, in 11 days. 35 reporting cities. "
        "No city has started its 2025 report.")
    assert counts(page)["not_started"] == "35" and counts(page)["overdue"] == "0"
    assert "No endorsed report waits for your acceptance." in panel(page, "round-overview")
    nr = panel(dashboard_of(nr_vietnam), "inbox-summary")
    assert "0 reports wait for your endorsement" in nr and "No city of Viet Nam has started its 2025 report." in nr
    page = dashboard_of(csco_danang)
    city = panel(page, "inbox-summary")
    assert city.startswith("Your city's annual report Da Nang's 2025 report: Not started · deadline Oct. 31, 2025 "
                           "due in 11 days Da Nang has not started its 2025 report. Start the 2025 report "
                           "1 report waits for you")
    # The button starts it, as the form is drawn.
    action, year = re.search(r'<form method="post" action="([^"]+)" class="inline">.*?name="year" value="(\d+)"',
                             page).groups()
    answer = client_of(csco_danang).post(action, {"year": year})
    report = CityReport.objects.get(round__year=2025, city__slug="da-nang")
    assert (answer.status_code, answer["Location"], report.state) == (
        302, f"/monitoring/annual-reports/{report.pk}/", ReportState.DRAFT)


def test_a_fresh_site_says_the_round_has_no_dates_yet(secretariat, csco_danang):
    """The seeded 2025 round has reporting cities but no dates: it is the current round, not open."""
    page = dashboard_of(secretariat)
    assert "The 2025 round has no opening date yet. 35 reporting cities. No city has started its 2025 report." in \
        panel(page, "round-overview")
    city = panel(dashboard_of(csco_danang), "inbox-summary")
    assert "Da Nang has not started its 2025 report. The round has no opening date yet." in city
    assert "Start the 2025 report" not in city


def test_values_waiting_for_review(reports, secretariat, nr_vietnam, nr_thailand, on_day):
    indicator = Indicator.objects.exclude(unit="").first()
    rows = [("da-nang", "2025", Verification.REPORTED, []), ("ha-noi", "2025", Verification.QUERIED, ["outlier"]),
            ("bangkok", "2025", Verification.VERIFIED, []), ("phuket", "2025", Verification.REPORTED, ["outlier"])]
    for slug, period, verification, flags in rows:
        Observation.objects.create(city=City.objects.get(slug=slug), indicator=indicator, period=period, year=2025,
                                   value=10, verification=verification, flags=flags)
    assert panel(dashboard_of(secretariat), "values-to-review") == (
        "Indicator values to review 3 values wait for review · 2 flagged by the checks Review the values "
        "The flagged values first")
    assert panel(dashboard_of(nr_vietnam), "values-to-review") == (
        "Indicator values to review 2 values wait for review · 1 flagged by the checks Review the values "
        "The flagged values first")
    Observation.objects.filter(city__slug="phuket").update(verification=Verification.VERIFIED)
    assert panel(dashboard_of(nr_thailand), "values-to-review") == (
        "Indicator values to review No indicator value waits for review.")


def test_the_m_and_e_report_panel_posts_to_the_generation(reports, secretariat, on_day):
    page = dashboard_of(secretariat)
    assert panel(page, "me-report") == ("M&E report No M&E report has been generated yet. Generate the 2025 report "
                                        "Every round's M&E report")
    assert re.search(r'<form method="post" action="/monitoring/reports/2025/generate/"[^>]*data-testid="me-generate"',
                     page)


def test_the_m_and_e_report_panel_shows_the_latest_report(reports, secretariat, on_day):
    round_2025 = ReportingRound.objects.get(year=2025)
    running = MEReport.objects.create(round=round_2025, as_of=round_2025.as_of, state=GenerationState.RUNNING,
                                      progress=40)
    page = dashboard_of(secretariat)
    assert panel(page, "me-report") == ("M&E report Latest: the 2025 report Running 40% done · Follow its progress "
                                        "Every round's M&E report")
    assert 'data-testid="me-generate"' not in page  # one generation at a time
    running.state, running.finished_at = GenerationState.DONE, timezone.now()
    running.save()
    assert panel(dashboard_of(secretariat), "me-report") == (
        "M&E report Latest: the 2025 report Done as of Sept. 30, 2025, generated on "
        f"{formats.date_format(timezone.localdate(), 'DATE_FORMAT')} · Read it Generate the 2025 report "
        "Every round's M&E report")


def test_the_dashboard_speaks_the_readers_language(reports, secretariat, on_day):
    for language in ("vi", "th"):
        answer = client_of(secretariat).get(f"/{language}/workspace/")
        assert answer.status_code == 200 and f'<html lang="{language}">' in answer.content.decode()
        page = answer.content.decode()
        assert counts(page)["not_started"] == "29" and counts(page)["overdue"] == "31"
        with translation.override(language):
            heading = translation.gettext("Annual reports")
        assert heading != "Annual reports" and f">{heading}</h2>" in page


def test_recent_activity_in_words(reports, secretariat, on_day):
    secretariat.first_name, secretariat.last_name = "Mai", "Tran"
    secretariat.save()
    AuditEntry.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    project = Project.objects.get(reference="A111")
    for _n in range(3):  # three writes of one kind by one person in a moment: one line
        record(secretariat, AuditAction.UPDATE, project, {"description": ["", "x"]}, "web")
    record(None, AuditAction.UPDATE, project, {"title": ["A", "B"]}, "seed")  # reference data: not activity
    AuditEntry.objects.filter(created_at__gt=timezone.now() - dt.timedelta(hours=1)).update(
        created_at=timezone.now() - dt.timedelta(minutes=5))
    page = dashboard_of(secretariat)
    assert panel(page, "recent-activity") == (
        "Recent activity across the network 3 projects updated by Mai Tran, 5 minutes ago "
        "Phuket's 2025 report submitted by Mai Tran, 2 hours ago "
        "Phuket's 2025 report started by Mai Tran, 2 hours ago "
        "Chiang Mai's 2025 report returned by Mai Tran, 2 hours ago "
        "Chiang Mai's 2025 report submitted by Mai Tran, 2 hours ago "
        "Chiang Mai's 2025 report started by Mai Tran, 2 hours ago "
        "2 progress updates updated by Mai Tran, 2 hours ago "
        "Bangkok's 2025 report accepted by Mai Tran, 2 hours ago "
        "Bangkok's 2025 report endorsed by Mai Tran, 2 hours ago "
        "Bangkok's 2025 report submitted by Mai Tran, 2 hours ago")
    assert f'<a href="/monitoring/annual-reports/{reports["phuket"].pk}/">Phuket&#x27;s 2025 report submitted' in page


def test_recent_activity_is_the_secretariats_only(reports, nr_vietnam, csco_danang, partner_jica, on_day):
    for user in (nr_vietnam, csco_danang, partner_jica):
        assert 'id="recent-activity"' not in dashboard_of(user)
        assert dashboard.recent_activity(user) == []


# --- National Representative ------------------------------------------------------------------------------


def test_a_national_representative_sees_the_countrys_cities_and_what_waits_for_endorsement(reports, nr_vietnam,
                                                                                          nr_thailand, on_day):
    page = dashboard_of(nr_vietnam)
    assert counts(page) == {"not_started": "0", "draft": "1", "returned": "0", "submitted": "1", "endorsed": "1",
                            "accepted": "0", "overdue": "1"}
    reports_panel = panel(page, "inbox-summary")
    assert reports_panel.startswith("Annual reports of Viet Nam's cities 1 report waits for your endorsement · "
                                    "1 overdue · Open your inbox The 2025 round's closing date, Oct. 31, 2025, "
                                    "passed 4 days ago: late reports are taken until the Secretariat closes the "
                                    "round. 3 reporting cities.")
    assert ("Your country's cities in the 2025 round City State Deadline Da Nang Draft Oct. 31, 2025 4 days late "
            "Ha Noi Submitted Oct. 31, 2025 Ho Chi Minh City Endorsed Oct. 31, 2025 Waiting for your endorsement "
            "Ha Noi's 2025 report submitted on") in reports_panel
    assert reports_panel.endswith("Indicator data: Da Nang's indicator data · Ha Noi's indicator data · "
                                  "Ho Chi Minh City's indicator data")
    assert all(f'href="/monitoring/cities/{slug}/data/"' in page for slug in ("da-nang", "ha-noi", "ho-chi-minh-city"))
    assert "Bangkok" not in page and "Chiang Mai" not in page  # another country's
    assert counts(dashboard_of(nr_thailand)) == {
        "not_started": "3", "draft": "0", "returned": "1", "submitted": "1", "endorsed": "0", "accepted": "1",
        "overdue": "4"}
    assert "No city of Thailand has started" not in dashboard_of(nr_thailand)


def test_a_national_representative_sees_the_countrys_projects_needing_support(secretariat, nr_vietnam, nr_thailand):
    update_project(secretariat, Project.objects.get(reference="A113"), {}, support={"financial": "Loan"})
    update_project(secretariat, Project.objects.get(reference="A111"), {},
                   support={"technical": "", "financial": "Grant"})
    update_project(secretariat, Project.objects.get(reference="A115"), {}, support={"training": ""})
    Project.objects.filter(reference="A115").update(status="completed")  # no longer needs it
    assert panel(dashboard_of(nr_vietnam), "country-projects") == (
        "Your country's projects needing support 2 projects planned or under way ask for support: Financial 2 · "
        "Technical 1 Intelligent Operation Centre Da Nang · Financial, Technical "
        f"{Project.objects.get(reference='A113').title} Ha Noi · Financial Every project asking for financial "
        "support · Every project asking for technical support · Projects of your country's cities, including drafts")
    assert panel(dashboard_of(nr_thailand), "country-projects") == (
        "Your country's projects needing support No project of your country's cities that is planned or under way "
        "asks for support. Projects of your country's cities, including drafts")


# --- City officer ---------------------------------------------------------------------------------------


def test_a_city_officer_sees_the_citys_report_projects_business_cases_and_data(reports, csco_danang, on_day):
    case = case_actions.create_business_case(csco_danang, Project.objects.get(reference="A111"),
                                             {"scenario": "Base case", "inputs": BUSINESS_CASE})
    smaller = Project.objects.get(reference="A112")
    readiness_actions.save_answers(csco_danang, smaller, {"concept.institutional.sponsor": {"status": "met"},
                                                          "concept.institutional.strategy": {"status": "met"}})
    page = dashboard_of(csco_danang)
    assert panel(page, "inbox-summary") == (
        "Your city's annual report Da Nang's 2025 report: Draft · deadline Oct. 31, 2025 4 days late "
        "1 report waits for you · 1 overdue · Open your inbox Indicator data: Da Nang's indicator data")
    assert f'href="/monitoring/annual-reports/{reports["da-nang"].pk}/"' in page
    assert 'href="/monitoring/cities/da-nang/data/"' in page
    assert panel(page, "projects").startswith(
        "Da Nang's projects 3 projects Intelligent Operation Centre Ongoing Intelligent Traffic Control System "
        "Planning Smart Water Management System Ongoing")
    scores = {p.reference: project_readiness(csco_danang, p).result.score
              for p in Project.objects.filter(reference__in=("A111", "A112"))}
    assert scores == {"A112": 42, "A111": scores["A111"]}
    rows = panel(page, "business-cases")
    assert rows == ("Business cases and readiness Project Business cases Readiness "
                    f"Intelligent Operation Centre Base case preferred {scores['A111']} of 100 · Readiness "
                    f"{smaller.title} none yet 42 of 100 · Readiness")
    assert f'href="/financing/business-cases/{case.pk}/"' in page
    assert f'href="/financing/projects/{smaller.pk}/readiness/"' in page


def test_a_city_whose_report_is_accepted(reports, on_day):
    officer = make_user("csco-bkk", Role.CITY_OFFICER, city="bangkok")
    assert panel(dashboard_of(officer), "inbox-summary").startswith(
        "Your city's annual report Bangkok's 2025 report: Accepted · deadline Oct. 31, 2025 "
        "0 reports wait for you · Open your inbox")


def test_empty_states_of_a_city_officer(csco_danang):
    Project.objects.filter(city__slug="da-nang").delete()
    page = dashboard_of(csco_danang)
    assert panel(page, "projects").startswith("Da Nang's projects Your city has no project recorded yet.")
    assert panel(page, "business-cases") == ("Business cases and readiness No business case or readiness assessment "
                                             "yet: start one from a project's page, under Financing.")


# --- Partner and accounts without a role ------------------------------------------------------------------


def test_a_partner_sees_its_organisation_and_what_it_can_do(partner_jica, secretariat):
    page = dashboard_of(partner_jica)
    jica = Partner.objects.get(slug="jica")
    assert panel(page, "partner").startswith(f"{jica.name} Agency · JPN Your offers are in their own panel on this page")
    assert "Browse the cities' published projects" in panel(page, "partner")
    assert panel(page, "partner-projects") == (
        f"Projects with {jica.name} No published project names {jica.name} as a partner yet. "
        "Where cities ask for support No published project planned or under way asks for support yet. "
        "Every published project")
    a111 = Project.objects.get(reference="A111")
    update_project(secretariat, a111, {}, support={"financial": ""}, partners=[jica])
    assert panel(dashboard_of(partner_jica), "partner-projects") == (
        f"Projects with {jica.name} {jica.name} takes part in 1 project. Intelligent Operation Centre Da Nang "
        "Ongoing Where cities ask for support Financial 1 project planned or under way Every published project")
    for section in ("round-overview", "inbox-summary", "values-to-review", "me-report", "recent-activity",
                    "cities-to-edit", "business-cases"):
        assert f'id="{section}"' not in page


def test_an_account_without_a_role_sees_its_account_and_tokens(no_role_user):
    page = dashboard_of(no_role_user)
    assert re.findall(r'<section class="panel[^"]*" id="([\w-]+)"', page) == ["tokens", "account"]
    assert "Your account has no role yet: you see what the public sees." in text(page)


def test_each_role_sees_its_own_panels(reports, accounts, on_day):
    shown = {role: re.findall(r'<section class="panel[^"]*" id="([\w-]+)"', dashboard_of(user))
             for role, user in accounts.items()}
    assert shown == {
        "secretariat": ["round-overview", "values-to-review", "me-report", "cities-to-edit", "projects", "financing",
                        "surveys", "offers", "network-sessions", "cooperation", "offices", "recent-activity",
                        "tokens", "account"],
        "nr": ["inbox-summary", "values-to-review", "cities-to-edit", "country-projects", "financing", "cooperation",
               "offices", "tokens", "account"],
        "csco": ["inbox-summary", "cities-to-edit", "projects", "city-matches", "business-cases", "financing",
                 "cooperation", "tokens", "account"],
        "partner": ["partner", "partner-offers", "partner-matches", "partner-projects", "surveys", "cooperation",
                    "tokens", "account"],
        "none": ["tokens", "account"],
    }


# --- Bounded queries --------------------------------------------------------------------------------------


def queries_of(user) -> int:
    client = client_of(user)
    client.get("/workspace/")  # caches warmed (content types, the session)
    with CaptureQueriesContext(connection) as counted:
        assert client.get("/workspace/").status_code == 200
    return len(counted)


def test_the_dashboards_queries_do_not_grow_with_the_network(reports, accounts, secretariat, on_day):
    case_actions.create_business_case(accounts["csco"], Project.objects.get(reference="A111"),
                                      {"scenario": "Base case", "inputs": BUSINESS_CASE})
    update_project(secretariat, Project.objects.get(reference="A111"), {}, support={"technical": ""})  # a need
    before = {role: queries_of(user) for role, user in accounts.items()}
    # Every other reporting city starts; more reports move on; many more writes in the audit trail; projects
    # of the city get support needs and a business case.
    round_2025 = ReportingRound.objects.get(year=2025)
    report_actions.open_round_reports(secretariat, round_2025)
    for report in CityReport.objects.filter(round=round_2025, state=ReportState.DRAFT).exclude(city__slug="da-nang")[:8]:
        report_actions.transition_report(secretariat, report, "submit")
        report_actions.transition_report(secretariat, report, "endorse")
    for reference in ("A111", "A112", "A113", "A114", "A115"):
        update_project(secretariat, Project.objects.get(reference=reference), {}, support={"financial": ""})
    case_actions.create_business_case(accounts["csco"], Project.objects.get(reference="A112"),
                                      {"scenario": "Base case", "inputs": BUSINESS_CASE})
    after = {role: queries_of(user) for role, user in accounts.items()}
    assert after == before
    # The session and the user, then each panel's few queries (the Secretariat's glance: the current round in
    # two, its cities and reports in three; the partnerships' counts in two, its surveys and sessions in three;
    # a city's or a partner's best matches: its needs and the offers, with their tags, in up to eight; the
    # cooperation records by stage and the latest in two).
    limits = {"secretariat": 19, "nr": 19, "csco": 28, "partner": 14, "none": 2}
    assert all(before[role] <= limit for role, limit in limits.items()), before
