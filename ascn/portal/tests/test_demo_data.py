"""The demo's synthetic dataset (`manage.py demo_data`): it refuses with DEBUG off, makes every kind of record it
promises through the real paths, says so on every page, export and API answer, runs again to the same data, and
never changes a real record."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from openpyxl import load_workbook

from ascn.core import synthetic
from ascn.core.models import AuditEntry, User
from ascn.core.testing.pdf import pdf_text
from ascn.finance.models import BusinessCase, ReadinessAssessment
from ascn.monitoring import analytics, importing
from ascn.monitoring.actions import me_report as me_actions
from ascn.monitoring.actions.observations import load_batch
from ascn.monitoring.models import (
    CityIndicator,
    CityReport,
    Indicator,
    MEReportEdition,
    Observation,
    PublishedFigures,
    ReportingRound,
    ReportTransition,
    Target,
)
from ascn.network.models import City
from ascn.partnerships.models import Need, Offer
from ascn.plans.models import ProgressUpdate, Project
from ascn.portal import demo as demo_module

pytestmark = pytest.mark.django_db

SITE_NOTICE = "This demo site holds synthetic data, marked “Synthetic”; it is not ASCN data."
PAGE_NOTICE = "These figures include synthetic values, marked “Synthetic”"
TAG = 'class="tag warn synthetic"'
INTERNET = "EC: ICT: ICT: 1C"  # Household Internet Access (%), one of the demo's indicators


@pytest.fixture(autouse=True)
def demo_dirs(settings, tmp_path):
    """Snapshots and files under pytest's temporary directory; the snapshot is checked on every call; the
    site-wide check is back to "no synthetic data" after each test (the database is rolled back)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MONITORING_ANALYTICS_DIR = tmp_path / "analytics"
    settings.MONITORING_ANALYTICS_TTL = 0
    yield
    analytics.close_thread_connection()
    synthetic.assume(False)


def run_command(settings, *args: str) -> str:
    out = io.StringIO()
    settings.DEBUG = True
    try:
        call_command("demo_data", *args, stdout=out)
    finally:
        settings.DEBUG = False
    return out.getvalue()


@pytest.fixture
def demo(settings) -> str:
    return run_command(settings)


def demo_user(username: str) -> User:
    return User.objects.get(username=username)


def client_of(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def real_records() -> dict[str, list]:
    """Everything real the demo could touch, as values (seeded reference data and anything a person wrote)."""
    return {
        "cities": list(City.objects.order_by("pk").values_list("pk", "slug", "name", "updated_at")),
        "projects": list(Project.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        "progress": list(ProgressUpdate.objects.order_by("pk").values_list("pk", "project_id", "date", "status")),
        "rounds": list(ReportingRound.objects.filter(synthetic=False).order_by("year").values_list(
            "year", "as_of", "closes_on", "closed_at", "updated_at")),
        "published": list(PublishedFigures.objects.order_by("pk").values_list("round__year", "projects")),
        "reports": list(CityReport.objects.filter(synthetic=False).values_list("pk", "state", "updated_at")),
        "assignments": list(CityIndicator.objects.filter(synthetic=False).values_list(
            "pk", "baseline_value", "updated_at")),
        "targets": list(Target.objects.filter(assignment__synthetic=False).values_list("pk", "value")),
        "values": list(Observation.objects.filter(synthetic=False).order_by("pk").values_list(
            "pk", "value", "source", "verification", "updated_at")),
        "cases": list(BusinessCase.objects.filter(synthetic=False).values_list("pk", "results")),
        "readiness": list(ReadinessAssessment.objects.filter(synthetic=False).values_list("pk", "updated_at")),
    }


# --- The command -------------------------------------------------------------------------------------------------


def test_the_command_refuses_with_debug_off_and_makes_nothing(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing with DEBUG off"):
        call_command("demo_data", stdout=io.StringIO())
    assert not Observation.objects.exists() and not ReportingRound.objects.filter(synthetic=True).exists()
    assert not User.objects.filter(username="csco.danang").exists()


def test_the_command_makes_every_kind_of_record_flagged_synthetic(demo):
    members = {year: set(City.objects.as_of(f"{year}-12-31").values_list("pk", flat=True)) for year in (2019, 2025)}
    codes = [s.code for s in demo_module.INDICATORS]
    assert Indicator.objects.filter(code__in=codes).exclude(unit="").count() == 14  # all have a unit
    # assignments: every city that was a member by 2026 x the 14 indicators, each with a 2019 baseline and targets
    assignments = CityIndicator.objects.filter(indicator__code__in=codes)
    cities = set(City.objects.as_of("2026-12-31").values_list("pk", flat=True))
    assert set(assignments.values_list("city_id", flat=True)) == cities
    assert assignments.count() == 14 * len(cities) == assignments.filter(synthetic=True).count()
    assert set(assignments.values_list("baseline_year", flat=True)) == {2019}
    assert Target.objects.filter(assignment__synthetic=True).count() == 2 * assignments.count()
    # values: each member city of 2019 has all 14 indicators for 2019 to 2025, with the demo's source
    values = Observation.objects.filter(synthetic=True)
    assert not Observation.objects.filter(synthetic=False).exists()
    assert set(values.values_list("source", flat=True)) == {"Synthetic demo data (manage.py demo_data): not ASCN data"}
    for year in (2019, 2025):
        assert values.filter(year=year, indicator__code__in=codes).count() == 14 * len(members[year])
    # population and land area for every member city and year, whole numbers, without targets
    context = values.filter(indicator__code__in=["ASCN-POP", "ASCN-AREA"])
    assert context.filter(year=2025).count() == 2 * len(members[2025])
    assert context.filter(indicator__code="ASCN-POP").count() == context.filter(indicator__code="ASCN-AREA").count()
    assert all(v == int(v) for v in context.values_list("value", flat=True))
    assert not Target.objects.filter(assignment__indicator__code__in=["ASCN-POP", "ASCN-AREA"]).exists()
    assert sorted(set(values.values_list("year", flat=True))) == list(range(2019, 2027))
    assert not values.filter(year__lt=2026, verification="reported").exists()  # only the round's wait for review
    assert values.filter(year=2026, verification="reported").count() == values.filter(year=2026).count() > 0
    # the round, created as the demo's, with a report in every state
    demo_round = ReportingRound.objects.get(year=2026)
    assert demo_round.synthetic and demo_round.source == synthetic.SOURCE
    reports = CityReport.objects.filter(round=demo_round)
    assert reports.filter(synthetic=False).count() == 0
    assert Counter(reports.values_list("state", flat=True)) == {"draft": 2, "returned": 1, "submitted": 2,
                                                                "endorsed": 1, "accepted": 2}
    assert demo_round.cities.exclude(pk__in=reports.values("city_id")).count() == 30  # not started
    # the business case and readiness assessment, by Da Nang's officer, unpublished
    case = BusinessCase.objects.get(synthetic=True)
    assert (case.project.city.slug, case.created_by.username, case.is_published) == ("da-nang", "csco.danang", False)
    assert case.results["appraisal"]["financial_npv"] is not None and case.results["simulation"]["iterations"] == 2000
    assessment = ReadinessAssessment.objects.get(synthetic=True)
    assert assessment.project == case.project and assessment.answers.count() == 7
    assert "made: 1 round, 8 reports, " in demo and "30 not started, 2 draft, 1 returned, 2 submitted" in demo


def test_the_reports_move_through_the_real_workflow_by_the_demo_accounts(demo):
    def steps(slug: str) -> list[tuple[str, str, str]]:
        report = CityReport.objects.get(round__year=2026, city__slug=slug)
        return list(ReportTransition.objects.filter(report=report).order_by("at", "id")
                    .values_list("action", "to_state", "actor__username"))

    assert steps("da-nang") == [("submit", "submitted", "csco.danang"), ("return", "returned", "nr.vietnam")]
    assert steps("ho-chi-minh-city") == [("submit", "submitted", "secretariat"), ("endorse", "endorsed", "nr.vietnam")]
    assert steps("bangkok") == [("submit", "submitted", "secretariat"), ("endorse", "endorsed", "secretariat"),
                                ("accept", "accepted", "secretariat")]
    assert steps("phnom-penh") == []
    returned = ReportTransition.objects.get(report__city__slug="da-nang", action="return")
    assert returned.reason.startswith("Synthetic demo step")
    da_nang = CityReport.objects.get(round__year=2026, city__slug="da-nang")
    lines = list(da_nang.project_lines.order_by("pk"))
    assert da_nang.summary == demo_module.TEXT and all(line.progress == demo_module.TEXT for line in lines)
    assert [line.is_highlighted for line in lines] == [True] + [False] * (len(lines) - 1)


def test_running_again_makes_the_same_data_and_leaves_real_records_as_they_were(settings):
    da_nang = City.objects.get(slug="da-nang")
    internet = Indicator.objects.get(code=INTERNET)
    real = CityIndicator.objects.create(city=da_nang, indicator=internet, baseline_value=61, baseline_year=2020)
    Target.objects.create(assignment=real, year=2030, value=90)
    Observation.objects.create(city=da_nang, indicator=internet, period="2024", year=2024, value=72.5,
                               source="Da Nang statistics office")
    before = real_records()
    first = run_command(settings)
    made = set(Observation.objects.filter(synthetic=True).values_list("city__slug", "indicator__code", "period",
                                                                      "value"))
    second = run_command(settings)
    assert "removed from the previous run: 607 assignments, 1 business case, 2 needs, 2 offers, 1 readiness " \
           "assessment, 8 reports, 1 round, " in second  # 38 cities x (14 indicators + 2 context), but Da Nang's real one
    again = set(Observation.objects.filter(synthetic=True).values_list("city__slug", "indicator__code", "period",
                                                                       "value"))
    assert made == again  # the fixed seed: the same values every run
    assert real_records() == before  # nothing real changed, nothing real deleted
    assert "1 city and indicator pairs left out: already assigned." in first
    assert not Observation.objects.filter(city=da_nang, indicator=internet, synthetic=True).exists()
    assert CityReport.objects.filter(synthetic=True).count() == 8 and ReportingRound.objects.filter(
        synthetic=True).count() == 1
    assert BusinessCase.objects.filter(synthetic=True).count() == 1
    removed = run_command(settings, "--remove")
    assert removed.startswith("Synthetic demo data removed: 607 assignments, 1 business case,")
    assert not any(m.objects.filter(synthetic=True).exists() for m in synthetic.models_with_flag())
    assert real_records() == before


def test_the_demo_partner_and_city_accounts_get_their_own_flagged_offers_and_needs(demo):
    offers = Offer.objects.filter(synthetic=True).order_by("title")
    assert [(o.partner.slug, o.state, o.title.startswith("Demo: ")) for o in offers] == [
        ("jica", "draft", True), ("jica", "published", True)]
    needs = Need.objects.filter(synthetic=True).order_by("title")
    assert [(n.city.slug, n.state, n.title.startswith("Demo: ")) for n in needs] == [
        ("da-nang", "published", True), ("da-nang", "draft", True)]
    assert not Offer.objects.filter(synthetic=False).exists() and not Need.objects.filter(synthetic=False).exists()
    creators = set(AuditEntry.objects.filter(object_id__in=[str(o.pk) for o in offers], via="demo",
                                             content_type__model="offer").values_list("actor__username", flat=True))
    assert creators == {"partner.jica"}
    published = offers.get(state="published")
    assert list(published.countries.values_list("iso3", flat=True)) == ["VNM"]
    assert sorted(published.framework_tags.values_list("node__code", flat=True)) == [
        "built_infrastructure", "technological_digital_solutions"]
    assert "made: 1 round, 8 reports, " in demo and "2 offers, 2 needs" in demo
    listed = Client().get("/api/v1/partnerships/offers").json()["items"]
    assert [(o["title"], o["synthetic"]) for o in listed] == [(published.title, True)]
    page = Client().get(reverse("partnerships:offer", args=[published.pk])).content.decode()
    assert "Synthetic" in page


def test_accepting_a_synthetic_report_writes_no_progress_to_real_projects(demo):
    accepted = CityReport.objects.filter(round__year=2026, state="accepted")
    assert accepted.count() == 2 and all(r.project_lines.exists() for r in accepted)
    assert not ProgressUpdate.objects.filter(date__year=2026).exists()


def test_a_real_round_of_the_demo_year_gets_no_synthetic_report(settings, secretariat):
    from ascn.monitoring.actions import rounds

    rounds.create_round(secretariat, {"year": 2026, "as_of": dt.date(2026, 9, 30), "opens_on": dt.date(2026, 6, 1),
                                      "closes_on": dt.date(2027, 1, 31)}, City.objects.filter(slug="da-nang"))
    output = run_command(settings)
    assert "The 2026 round is real: no synthetic report was made in it." in output
    assert not CityReport.objects.exists() and not ReportingRound.objects.get(year=2026).synthetic


def test_the_load_writes_synthetic_values_only_as_the_system_and_never_over_a_stored_one(demo):
    row = {"city": "da-nang", "indicator": INTERNET, "period": "2024", "value": 50}
    with pytest.raises(PermissionDenied):
        load_batch(demo_user("secretariat"), importing.batch_from_records([row]), commit=True, synthetic=True)
    stored = Observation.objects.get(city__slug="da-nang", indicator__code=INTERNET, period="2024")
    summary = load_batch(None, importing.batch_from_records([row]), commit=True, as_system=True, synthetic=True)
    assert not summary.committed and summary.errors[0]["code"] == "stored"
    assert Observation.objects.get(pk=stored.pk).value == stored.value


# --- Pages, exports and the API ----------------------------------------------------------------------------------


def test_the_site_notice_shows_only_while_synthetic_data_exists(settings):
    synthetic.forget()
    assert SITE_NOTICE not in client_of().get("/").content.decode()
    run_command(settings)
    assert SITE_NOTICE in client_of().get("/").content.decode()
    assert SITE_NOTICE in client_of().get("/cities/").content.decode()
    run_command(settings, "--remove")
    assert SITE_NOTICE not in client_of().get("/").content.decode()


def test_every_analysis_page_shows_data_with_the_synthetic_notice(demo):
    client = client_of()
    internet = {"indicator": INTERNET}
    pages = {
        "/monitoring/scorecards/": 'data-testid="scorecards"',
        "/monitoring/scorecards/?round=2025": 'data-testid="scorecards"',
        "/monitoring/cities/da-nang/scorecard/": 'data-testid="scorecard"',
        f"/monitoring/compare/?{urlencode(internet)}": 'data-chart="chart-compare"',
        "/monitoring/network/": 'data-testid="rollups"',
        f"/monitoring/network/?{urlencode(internet)}": 'data-chart="chart-rollup"',
        reverse("monitoring:series", args=["da-nang", INTERNET]): 'data-chart="chart-series-',
    }
    for url, shown in pages.items():
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert shown in body and PAGE_NOTICE in body and TAG in body and SITE_NOTICE in body, url
    scorecards = client.get("/monitoring/scorecards/").content.decode()
    assert scorecards.count('<tr data-city="') == 38 and "Network scorecard 2026" in scorecards
    card = client.get("/monitoring/cities/da-nang/scorecard/").content.decode()
    assert card.count('<tr data-indicator="') == 16  # the 14 indicators, population and land area
    assert all(f'rag rag-{rag}">' in scorecards + card for rag in ("green", "amber", "red"))
    compare = client.get("/monitoring/compare/", internet).content.decode()
    assert "· 2026</h2>" in compare and compare.count('<tr data-city="') >= 20
    # the synthetic population and land area give the population bands and the comparisons per km² their data
    density = client.get("/monitoring/compare/", {"indicator": "ASCN-POP", "period": "2025", "normalise": "per_area"})
    members_2025 = City.objects.as_of("2025-12-31").count()
    assert density.status_code == 200 and density.content.decode().count('<tr data-city="') == members_2025
    assert "Left out" not in density.content.decode()
    beds = {"indicator": "SC: EH: H: 4A", "period": "2025"}
    banded = client.get("/monitoring/compare/", {**beds, "band": "1m-5m"}).content.decode()
    assert 0 < banded.count('<tr data-city="') < members_2025


def test_the_analysis_downloads_and_api_carry_the_synthetic_column(demo, api):
    client = client_of()

    def table(url: str, params: dict) -> list[dict[str, str]]:
        text = client.get(url, {**params, "format": "csv"}).content.decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    for url, params in [("/monitoring/cities/da-nang/scorecard/", {}), ("/monitoring/scorecards/", {}),
                        ("/monitoring/compare/", {"indicator": INTERNET}), ("/monitoring/network/", {"by": "outcome"}),
                        (reverse("monitoring:series", args=["da-nang", INTERNET]), {})]:
        rows = table(url, params)
        assert rows and {row["synthetic"] for row in rows} == {"true"}, url
        body = json.loads(client.get(url, {**params, "format": "json"}).content)
        assert body["synthetic"] is True and body["items"][0]["synthetic"] is True, url
    assert api.get("/monitoring/cities/da-nang/scorecard").json()["items"][0]["synthetic"] is True
    assert api.get("/monitoring/scorecards?limit=1").json()["items"][0]["synthetic"] is True
    assert api.get(f"/monitoring/compare?indicator={INTERNET}").json()["items"][0]["synthetic"] is True
    assert api.get(f"/monitoring/rollups?indicator={INTERNET}").json()["items"][0]["synthetic"] is True
    pivot = api.get(f"/monitoring/pivot?indicator={INTERNET}&cities=da-nang&periods=2024").json()["items"]
    assert pivot == [{"indicator": INTERNET, "city": "da-nang", "period": "2024", "synthetic": True,
                      **{k: pivot[0][k] for k in ("value", "target", "target_year")}}]


def test_a_real_value_is_not_marked_synthetic(demo, api):
    """A city without the demo's records on an indicator: its rows say synthetic false."""
    city = City.objects.get(slug="da-nang")
    item = Indicator.objects.exclude(code__in=[s.code for s in demo_module.INDICATORS]).exclude(unit="").filter(
        unit="%").first()
    CityIndicator.objects.create(city=city, indicator=item, baseline_value=10, baseline_year=2020)
    Observation.objects.create(city=city, indicator=item, period="2025", year=2025, value=12, source="city")
    rows = {r["indicator"]: r for r in api.get("/monitoring/cities/da-nang/scorecard").json()["items"]}
    assert rows[item.code]["synthetic"] is False and rows[INTERNET]["synthetic"] is True
    values = api.get(f"/monitoring/observations?city=da-nang&indicator={item.code}").json()["items"]
    assert [v["synthetic"] for v in values] == [False]


def test_each_synthetic_record_page_has_the_tag(demo):
    secretariat = client_of(demo_user("secretariat"))
    report = CityReport.objects.get(round__year=2026, city__slug="da-nang")
    page = secretariat.get(reverse("monitoring:city_report", args=[report.pk])).content.decode()
    assert f'Annual report 2026: Da Nang <span {TAG}' in page
    assignment = CityIndicator.objects.get(city__slug="da-nang", indicator__code=INTERNET)
    page = secretariat.get(reverse("monitoring:city_indicator", args=["da-nang", assignment.pk])).content.decode()
    assert page.count(TAG) == 1 + Observation.objects.filter(city__slug="da-nang", indicator__code=INTERNET).count()
    data = secretariat.get(reverse("monitoring:city_data", args=["da-nang"])).content.decode()
    assert data.count(TAG) == 16  # the 14 indicators, population and land area
    review = secretariat.get(reverse("monitoring:observation_review")).content.decode()
    assert TAG in review
    # the lists that name the demo's round and reports: each synthetic one tagged, nothing else
    rounds = secretariat.get(reverse("monitoring:rounds")).content.decode()
    assert rounds.count(TAG) == 1 and f'>2026</a> <span {TAG}' in rounds
    round_page = secretariat.get(reverse("monitoring:round", args=[2026])).content.decode()
    assert round_page.count(TAG) == 1 + 8  # the round's heading and its 8 started reports
    reports = secretariat.get(reverse("monitoring:city_reports"), {"year": 2026}).content.decode()
    assert reports.count(TAG) == 8
    inbox = client_of(demo_user("csco.danang")).get(reverse("monitoring:inbox")).content.decode()
    assert f'Da Nang</a> <span {TAG}' in inbox
    case = BusinessCase.objects.get(synthetic=True)
    for url in (reverse("finance:case", args=[case.pk]), reverse("finance:cases", args=[case.project_id]),
                reverse("finance:readiness", args=[case.project_id]), reverse("plans:project", args=[case.project_id])):
        assert TAG in secretariat.get(url).content.decode(), url
    rounds = client_of().get(reverse("monitoring:me_reports")).content.decode()
    assert '>2026</a> <span class="tag warn synthetic"' in rounds and '>2025</a> <span' not in rounds


def test_the_business_case_exports_say_synthetic(demo):
    case = BusinessCase.objects.get(synthetic=True)
    client = client_of(demo_user("csco.danang"))
    book = load_workbook(io.BytesIO(client.get(reverse("finance:case_export", args=[case.pk, "xlsx"])).content))
    first = [cell.value for cell in next(book["Inputs"].iter_rows(max_row=1))][:3]
    assert first == ["Synthetic", "Made-up demo data (manage.py demo_data): not ASCN data.", None]


def test_the_business_case_pdf_says_synthetic(demo, weasyprint):
    case = BusinessCase.objects.get(synthetic=True)
    pdf = client_of(demo_user("csco.danang")).get(reverse("finance:case_export", args=[case.pk, "pdf"]))
    text = " ".join(pdf_text(pdf.content).split())
    assert "Synthetic: Made-up demo data (manage.py demo_data): not ASCN data." in text


def test_the_api_gives_the_synthetic_field(demo, api, api_as):
    csco = api_as(demo_user("csco.danang"))
    report = CityReport.objects.get(round__year=2026, city__slug="da-nang")
    detail = csco.get(f"/monitoring/city-reports/{report.pk}").json()
    assert detail["synthetic"] is True and {o["synthetic"] for o in detail["observations"]} == {True}
    assert {r["synthetic"] for r in csco.get("/monitoring/city-reports?limit=50").json()["items"]} == {True}
    values = api.get("/monitoring/observations?city=da-nang&limit=5").json()["items"]
    assert len(values) == 5 and {v["synthetic"] for v in values} == {True}
    assignments = csco.get("/monitoring/cities/da-nang/indicators").json()["items"]
    assert len(assignments) == 16 and {a["synthetic"] for a in assignments} == {True}
    case = BusinessCase.objects.get(synthetic=True)
    cases = csco.get(f"/projects/{case.project_id}/business-cases").json()["items"]
    assert [(c["id"], c["synthetic"]) for c in cases] == [(case.pk, True)]
    assert csco.get(f"/projects/{case.project_id}/readiness").json()["synthetic"] is True
    rounds = {r["year"]: r["synthetic"] for r in api.get("/monitoring/rounds").json()["items"]}
    assert rounds == {2026: True, 2025: False, 2024: False, 2023: False, 2022: False, 2021: False}


def test_the_me_report_of_the_demo_round_says_it_holds_synthetic_reports(demo, django_capture_on_commit_callbacks,
                                                                         monkeypatch):
    def no_pdf(report, html):
        raise me_actions.PdfUnavailable("not needed here")

    monkeypatch.setattr(me_actions, "render_pdf", no_pdf)
    secretariat = demo_user("secretariat")
    reports = {}
    for year in (2026, 2025):
        with django_capture_on_commit_callbacks(execute=True):
            reports[year] = me_actions.request_me_report(secretariat, ReportingRound.objects.get(year=year))
    demo_html = MEReportEdition.objects.get(report=reports[2026], language="en").html
    assert 'id="synthetic"' in demo_html and "this round holds synthetic annual reports" in demo_html
    assert 'id="synthetic"' not in MEReportEdition.objects.get(report=reports[2025], language="vi").html
    assert 'id="synthetic"' in MEReportEdition.objects.get(report=reports[2026], language="th").html
    page = client_of().get(reverse("monitoring:me_report", args=[2026])).content.decode()
    assert 'class="me-synthetic"' in page


def test_the_synthetic_values_look_like_their_units(demo):
    for spec in demo_module.INDICATORS:
        values = np.array(Observation.objects.filter(indicator__code=spec.code).values_list("value", flat=True))
        assert spec.low <= values.min() and values.max() <= spec.high, spec.code
    for context in demo_module.CONTEXT:  # a growing population may pass its range's top by a few per cent a year
        values = np.array(Observation.objects.filter(indicator__code=context.code).values_list("value", flat=True))
        assert context.low <= values.min() and values.max() <= context.high * 1.2, context.code
    assert not Observation.objects.exclude(flags=[]).exists()  # plausible: no value flagged by the checks


def test_a_real_value_entered_over_a_synthetic_one_is_real_and_stays(settings):
    run_command(settings)
    from ascn.monitoring.actions.observations import record_observation

    csco = demo_user("csco.danang")
    summary, value = record_observation(csco, City.objects.get(slug="da-nang"),
                                        {"indicator": INTERNET, "period": "2026", "value": 91.5, "source": "City"})
    assert summary.updated == 1 and (value.value, value.synthetic) == (91.5, False)
    output = run_command(settings)
    assert "1 synthetic assignments kept: cities have recorded real values on them." in output
    kept = Observation.objects.get(pk=value.pk)
    assert (kept.value, kept.synthetic, kept.source) == (91.5, False, "City")
    assert CityIndicator.objects.get(city__slug="da-nang", indicator__code=INTERNET).synthetic
    assert not Observation.objects.filter(city__slug="da-nang", indicator__code=INTERNET, synthetic=True).exists()
