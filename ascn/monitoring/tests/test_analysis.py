"""Analysis: city and network scorecards, comparisons, roll-ups, series, pivots, downloads and the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ascn.framework.models import FrameworkNode, FrameworkTag
from ascn.monitoring import analytics
from ascn.monitoring.models import CityIndicator, Indicator, Observation, ReportingRound, Target
from ascn.monitoring.queries import analysis as queries
from ascn.network.models import City

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2025, 9, 30)  # the seeded 2025 round's as-of date (no closing date recorded)


@pytest.fixture(autouse=True)
def analysis_dirs(settings, tmp_path):
    """Snapshots and uploads under pytest's temporary directory; the staleness check runs on every call."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MONITORING_ANALYTICS_DIR = tmp_path / "analytics"
    settings.MONITORING_ANALYTICS_TTL = 0
    yield settings.MONITORING_ANALYTICS_DIR
    analytics.close_thread_connection()


def indicator(code: str, direction: str = "higher", aggregation: str = "mean", unit: str = "%",
              published: bool = True) -> Indicator:
    item, _created = Indicator.objects.get_or_create(code=code, defaults={
        "name": f"Test {code}", "family": "ascn", "unit": unit, "direction": direction, "aggregation": aggregation,
        "is_published": published})
    return item


def context_indicators() -> tuple[Indicator, Indicator]:
    population = indicator("ASCN-POP", "", "sum", "inhabitants")
    area = indicator("ASCN-AREA", "", "sum", "km2")
    return population, area


def assign(city: City, item: Indicator, baseline: float | None = None, year: int | None = None,
           targets: dict[int, float] | None = None) -> CityIndicator:
    assignment = CityIndicator.objects.create(city=city, indicator=item, baseline_value=baseline, baseline_year=year)
    for target_year, value in (targets or {}).items():
        Target.objects.create(assignment=assignment, year=target_year, value=value)
    return assignment


def observe(city: City, item: Indicator, values: dict[str, float], entered: dt.date | None = None,
            flags: list | None = None, verification: str = "reported") -> list[Observation]:
    made = []
    for period, value in values.items():
        made.append(Observation.objects.create(city=city, indicator=item, period=period, year=int(period[:4]),
                                               value=value, flags=flags or [], verification=verification))
    if entered is not None:
        moment = timezone.make_aware(dt.datetime.combine(entered, dt.time(12)))
        Observation.objects.filter(pk__in=[o.pk for o in made]).update(created_at=moment)
    return made


@pytest.fixture
def cities() -> dict[str, City]:
    return {c.slug: c for c in City.objects.filter(slug__in=["da-nang", "ha-noi", "bangkok", "chiang-mai"])}


@pytest.fixture
def data(cities):
    """Da Nang's scorecard (one indicator of each kind) and values of four cities for comparing and rolling up."""
    dn, hn, bkk, cm = cities["da-nang"], cities["ha-noi"], cities["bangkok"], cities["chiang-mai"]
    population, area = context_indicators()
    high = indicator("T-HIGH")
    low = indicator("T-LOW", "lower")
    undecided = indicator("T-UNDEC", "")
    no_base = indicator("T-NOBASE")
    total = indicator("T-SUM", "higher", "sum", "kWh")
    weighted = indicator("T-WEIGHTED", "higher", "population_weighted")
    hidden = indicator("T-HIDDEN", published=False)
    empty = indicator("T-EMPTY")

    assign(dn, high, 40, 2020, {2030: 80})
    observe(dn, high, {"2021": 42, "2022": 44, "2023": 48, "2024": 52}, entered=dt.date(2025, 1, 10))
    observe(dn, high, {"2025": 60}, entered=dt.date(2025, 9, 30))  # on the deadline: on time
    assign(dn, low, 100, 2020, {2030: 50})
    observe(dn, low, {"2023": 90, "2024": 85}, entered=dt.date(2025, 1, 10))
    observe(dn, low, {"2025": 79}, entered=dt.date(2025, 10, 1),  # a day late, flagged and not verified
            flags=[{"code": "jump", "detail": "down 7 %"}])
    assign(dn, undecided, 10, 2020, {2030: 20})
    observe(dn, undecided, {"2024": 11, "2025": 12}, entered=dt.date(2025, 1, 10))
    assign(dn, no_base, None, None, {2025: 100})
    observe(dn, no_base, {"2025-Q1": 90, "2025-Q2": 100}, entered=dt.date(2025, 7, 1),
            flags=[{"code": "range", "detail": "checked"}], verification="verified")  # flags resolved
    assign(dn, total, 400, 2020, {2030: 800})
    assign(dn, empty, 1, 2020, {2030: 2})  # assigned, never reported
    assign(dn, hidden, 0, 2020, {2030: 10})
    observe(dn, hidden, {"2025": 1}, entered=dt.date(2025, 2, 1))
    assign(hn, high, 50, 2020, {2025: 75, 2030: 100})
    observe(hn, high, {"2025": 70}, entered=dt.date(2025, 2, 1))
    observe(hn, high, {"2026": 72}, entered=dt.date(2026, 1, 5))  # after the 2025 round
    assign(hn, total, 2000, 2020, {2030: 3000})

    observe(dn, total, {"2025": 500}, entered=dt.date(2025, 12, 1))  # late
    observe(hn, total, {"2025": 2400}, entered=dt.date(2025, 12, 1))  # late
    observe(bkk, total, {"2025": 900})
    observe(cm, total, {"2025": 100})
    observe(dn, weighted, {"2025": 10})
    observe(hn, weighted, {"2025": 20})
    observe(bkk, weighted, {"2025": 30})
    observe(cm, weighted, {"2025": 40})
    observe(dn, population, {"2023": 900_000, "2024": 1_000_000})
    observe(hn, population, {"2025": 3_000_000, "2026": 3_100_000})  # 2026 is after the period: not used
    observe(cm, population, {"2025": 400_000})
    observe(dn, area, {"2020": 1250})
    observe(hn, area, {"2025": 3200})

    ct = ContentType.objects.get_for_model(Indicator)
    for item, code, primary in [(total, "built_infrastructure", True), (total, "sustainable_environment", False),
                                (high, "built_infrastructure.mobility_transportation", True)]:
        FrameworkTag.objects.create(node=FrameworkNode.objects.get(code=code), content_type=ct, object_id=item.pk,
                                    is_primary=primary)
    return {"high": high, "low": low, "undecided": undecided, "no_base": no_base, "total": total,
            "weighted": weighted, "hidden": hidden, "empty": empty, "population": population, "area": area, **cities}


def get(client: Client, url: str, **params):
    return client.get(url, params)


def client_of(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- City scorecard -------------------------------------------------------------------------------------------


def scorecard_of(user, slug="da-nang"):
    city = queries.city(user, slug)
    return queries.city_scorecard(user, city, queries.reporting_round(user))


def test_the_city_scorecard_scores_every_assigned_indicator(data):
    card = scorecard_of(None)
    rows = {r.code: r for r in card.rows}
    assert list(rows) == ["T-EMPTY", "T-HIGH", "T-LOW", "T-NOBASE", "T-SUM", "T-UNDEC"]  # T-HIDDEN: unpublished
    high = rows["T-HIGH"]
    assert (high.baseline, high.latest, high.latest_period, high.target, high.target_year) == (40, 60, "2025", 80, 2030)
    assert (high.progress.raw, high.progress.percent, high.progress.expected, high.rag, high.trend) == (
        0.5, 50, 0.5, "green", "improving")
    low = rows["T-LOW"]  # lower is better: (79 - 100) / (50 - 100) = 0.42, at least 0.8 x the expected 0.5
    assert (low.target, low.target_year, low.progress.raw, low.progress.percent, low.rag, low.trend) == (
        50, 2030, 0.42, 42, "amber", "improving")
    undecided = rows["T-UNDEC"]
    assert (undecided.progress.percent, undecided.rag, undecided.trend, undecided.rag_label) == (
        20, None, "rising", "Not rated")
    no_base = rows["T-NOBASE"]
    assert (no_base.latest, no_base.latest_period, no_base.progress.percent, no_base.progress.note, no_base.rag) == (
        100, "2025-Q2", None, "no_baseline", "green")
    total = rows["T-SUM"]
    assert (total.latest, total.target, total.progress.percent, total.rag, total.trend) == (500, 800, 25, "red", None)
    empty = rows["T-EMPTY"]
    assert (empty.latest, empty.progress.note, empty.rag, empty.trend_label) == (None, "no_value", None,
                                                                                 "Not enough data")
    assert card.counts == {"green": 2, "amber": 1, "red": 1, "not_rated": 2}


def test_data_quality_counts_completeness_timeliness_and_open_flags(data, secretariat):
    public = scorecard_of(None)
    # 2025 values: T-HIGH on the deadline, T-UNDEC in January, T-NOBASE twice in July (on time); T-LOW a day
    # late, T-SUM in December (late); T-EMPTY none. Only T-LOW's flag is open (T-NOBASE's was verified).
    q = public.quality
    assert (q.assigned, q.with_value, q.observations, q.on_time, q.open_flags) == (6, 5, 6, 4, 1)
    assert (round(q.completeness, 4), round(q.timeliness, 4)) == (0.8333, 0.6667)
    q = scorecard_of(secretariat).quality  # + T-HIDDEN, entered in February
    assert (q.assigned, q.with_value, q.observations, q.on_time, q.open_flags) == (7, 6, 7, 5, 1)


def test_the_deadline_is_the_closing_date_when_the_round_has_one(data):
    ReportingRound.objects.filter(year=2025).update(closes_on=dt.date(2025, 10, 15))
    q = scorecard_of(None).quality
    assert (q.observations, q.on_time) == (6, 5)  # T-LOW's 1 October entry is now on time


def test_the_network_scorecard_counts_by_rag_with_the_same_rule_as_the_city_scorecard(data):
    info = queries.reporting_round(None, 2025, with_cities=True)
    rows = {r["slug"]: r for r in queries.network_scorecard(None, info)}
    assert len(rows) == 35  # the reporting cities of the 2025 round
    assert rows["da-nang"] == {
        "city_id": data["da-nang"].pk, "slug": "da-nang", "name": "Da Nang", "country": "Viet Nam",
        "country_iso3": "VNM", "assigned": 6, "green": 2, "amber": 1, "red": 1, "not_rated": 2, "with_value": 5,
        "observations": 6, "on_time": 4, "open_flags": 1, "completeness": 83, "timeliness": 67, "synthetic": False}
    # Ha Noi: T-HIGH (70 from 50 to 75 by 2025) and T-SUM (2400 from 2000 to 3000 by 2030) are both exactly
    # 0.8 x expected
    assert {k: rows["ha-noi"][k] for k in ("assigned", "green", "amber", "red", "not_rated", "completeness",
                                           "timeliness")} == {
        "assigned": 2, "green": 0, "amber": 2, "red": 0, "not_rated": 0, "completeness": 100, "timeliness": 50}
    assert {k: rows["bangkok"][k] for k in ("assigned", "completeness", "timeliness", "open_flags")} == {
        "assigned": 0, "completeness": None, "timeliness": None, "open_flags": 0}
    city_counts = scorecard_of(None).counts
    assert {k: rows["da-nang"][k] for k in city_counts} == city_counts


@pytest.mark.parametrize(("who", "sees_hidden"), [("public", False), ("partner", False), ("nr_thailand", False),
                                                  ("secretariat", True), ("nr_vietnam", True), ("csco", True)])
def test_unpublished_indicators_are_shown_only_inside_the_scope(data, who, sees_hidden, secretariat, nr_vietnam,
                                                                nr_thailand, csco_danang, partner_jica):
    user = {"public": None, "partner": partner_jica, "nr_thailand": nr_thailand, "secretariat": secretariat,
            "nr_vietnam": nr_vietnam, "csco": csco_danang}[who]
    codes = [r.code for r in scorecard_of(user).rows]
    assert ("T-HIDDEN" in codes) is sees_hidden
    info = queries.reporting_round(user, 2025, with_cities=True)
    danang = next(r for r in queries.network_scorecard(user, info) if r["slug"] == "da-nang")
    assert danang["assigned"] == (7 if sees_hidden else 6)


def test_a_round_scored_when_written_and_one_scored_live_agree(data):
    snap = queries.current_snapshot()
    cutoff = queries.reporting_round(None, 2025).cutoff
    assert [2025, "2025-09-30T17:00:00"] in snap.meta["scored_rounds"]  # 1 October 00:00 in Jakarta (the site time zone), in UTC
    stored = analytics.network_scorecard(snap, 2025, cutoff, analytics.EVERYTHING)
    live = analytics.Snapshot(snap.path, {**snap.meta, "scored_rounds": []})
    assert analytics.network_scorecard(live, 2025, cutoff, analytics.EVERYTHING) == stored
    later = analytics.network_scorecard(live, 2025, dt.datetime(2026, 1, 1), analytics.EVERYTHING)
    assert [(r["slug"], r["on_time"]) for r in later if r["slug"] in ("da-nang", "ha-noi")] == [
        ("da-nang", 7), ("ha-noi", 2)]


# --- Compare ------------------------------------------------------------------------------------------------


def compared(result, key="normalised"):
    return [(r["slug"], r[key]) for r in result.rows]


def test_compare_as_reported_with_targets_populations_and_bands(data):
    result = queries.compare(None, data["total"], None)
    assert result.period == "2025" and result.periods == ["2025"] and result.unit == "kWh"
    assert [(r["slug"], r["value"], r["target"], r["target_year"], r["population"], r["population_year"], r["band"])
            for r in result.rows] == [
        ("ha-noi", 2400, 3000, 2030, 3_000_000, 2025, "1m-5m"),
        ("bangkok", 900, None, None, None, None, None),
        ("da-nang", 500, 800, 2030, 1_000_000, 2024, "1m-5m"),  # 2024's population: latest on or before 2025
        ("chiang-mai", 100, None, None, 400_000, 2025, "lt500k"),
    ]
    assert result.left_out == []


def test_compare_per_capita_leaves_out_cities_without_a_population(data):
    result = queries.compare(None, data["total"], "2025", "per_capita")
    assert compared(result) == [("ha-noi", 80.0), ("da-nang", 50.0), ("chiang-mai", 25.0)]
    assert compared(result, "normalised_target") == [("ha-noi", 100.0), ("da-nang", 80.0), ("chiang-mai", None)]
    assert [(r["slug"], r["reason"]) for r in result.left_out] == [("bangkok", "no population reported")]
    assert result.unit == "per 100,000 inhabitants"


def test_compare_per_area_and_by_population_band(data):
    per_area = queries.compare(None, data["total"], "2025", "per_area")
    assert compared(per_area) == [("ha-noi", 0.75), ("da-nang", 0.4)]
    assert sorted(r["slug"] for r in per_area.left_out) == ["bangkok", "chiang-mai"]
    band = queries.compare(None, data["total"], "2025", "none", "1m-5m")
    assert compared(band) == [("ha-noi", 2400), ("da-nang", 500)]
    assert [(r["slug"], r["reason"]) for r in band.left_out] == [
        ("bangkok", "no population reported, so no population band")]
    assert [queries.band_of(p) for p in (None, 0, 499_999, 500_000, 999_999, 1_000_000, 4_999_999, 5_000_000)] == [
        None, "lt500k", "lt500k", "500k-1m", "500k-1m", "1m-5m", "1m-5m", "gt5m"]


def test_a_year_takes_each_citys_last_value_in_it_and_a_quarter_matches_exactly(data):
    year = queries.compare(None, data["no_base"], "2025")
    assert [(r["slug"], r["period"], r["value"]) for r in year.rows] == [("da-nang", "2025-Q2", 100)]
    quarter = queries.compare(None, data["no_base"], "2025-Q1")
    assert [(r["slug"], r["period"], r["value"]) for r in quarter.rows] == [("da-nang", "2025-Q1", 90)]
    assert year.periods == ["2025", "2025-Q2", "2025-Q1"]


def test_compare_refuses_what_the_definition_does_not_allow(data):
    with pytest.raises(queries.AnalysisError) as denied:
        queries.compare(None, data["high"], "2025", "per_capita")
    assert denied.value.field == "normalise"
    assert str(denied.value) == ("normalise: T-HIGH is not a total that adds up across cities (its aggregation is "
                                 "“Mean”), so it is not divided by population or area.")
    with pytest.raises(queries.AnalysisError, match="period: “2025-13” is not a year"):
        queries.compare(None, data["total"], "2025-13")
    with pytest.raises(queries.AnalysisError, match="band: “huge” is not a population band"):
        queries.compare(None, data["total"], "2025", "none", "huge")


# --- Roll-ups -----------------------------------------------------------------------------------------------


def rolled(result):
    return [(r["group_code"], r["code"], r["cities"], r["value"], r["target"], r["target_cities"],
             r["without_population"]) for r in result.rows]


def test_rollups_by_country_use_each_indicators_aggregation(data):
    total = queries.rollups(None, "country", "2025", data["total"])
    assert rolled(total) == [("THA", "T-SUM", 2, 1000.0, None, 0, 1), ("VNM", "T-SUM", 2, 2900.0, 3800.0, 2, 0)]
    weighted = queries.rollups(None, "country", "2025", data["weighted"])
    # Viet Nam: (10 x 1,000,000 + 20 x 3,000,000) / 4,000,000; Thailand: Chiang Mai only (Bangkok has no population)
    assert rolled(weighted) == [("THA", "T-WEIGHTED", 2, 40.0, None, 0, 1), ("VNM", "T-WEIGHTED", 2, 17.5, None, 0, 0)]
    mean = queries.rollups(None, "country", "2025", data["high"])
    assert rolled(mean) == [("VNM", "T-HIGH", 2, 65.0, 77.5, 2, 0)]  # Ha Noi's 2025 target (75) and Da Nang's 80
    assert [r["group_name"] for r in total.rows] == ["Thailand", "Viet Nam"]


def test_rollups_by_focus_area_and_outcome(data):
    focus = queries.rollups(None, "focus_area", "2025")
    tagged = [row for row in rolled(focus) if row[0]]
    assert tagged == [("built_infrastructure", "T-HIGH", 2, 65.0, 77.5, 2, 0),  # via its project type
                      ("built_infrastructure", "T-SUM", 4, 3900.0, 3800.0, 2, 1)]
    assert {r["group_name"] for r in focus.rows if not r["group_code"]} == {"Not tagged"}
    outcome = queries.rollups(None, "outcome", "2025", data["total"])
    assert rolled(outcome) == [("sustainable_environment", "T-SUM", 4, 3900.0, 3800.0, 2, 1)]
    assert outcome.rows[0]["group_name"] == "Sustainable Environment"
    default = queries.rollups(None, "country", None, data["total"])
    assert default.period == "2025"
    with pytest.raises(queries.AnalysisError, match="by: “city” is not one of country, focus_area, outcome"):
        queries.rollups(None, "city", "2025")


# --- Pages ----------------------------------------------------------------------------------------------------


def test_the_scorecard_page_shows_rows_rag_words_trend_and_data_quality(data):
    response = client_of().get("/monitoring/cities/da-nang/scorecard/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<tr data-indicator="') == 6 and "T-HIDDEN" not in page
    assert '<span class="rag rag-green">On track</span>' in page
    assert '<span class="rag rag-amber">Slightly behind</span>' in page
    assert '<span class="rag rag-red">Off track</span>' in page
    assert '<span class="rag rag-none">Not rated</span>' in page
    assert "Improving" in page and "Rising" in page
    assert "Completeness: 5 of 6 indicators reported" in page and "83 %" in page
    assert "Timeliness: 4 of 6 values entered by" in page and "67 %" in page
    assert 'hx-get="/monitoring/cities/da-nang/indicators/T-HIGH/"' in page
    assert "format=csv" in page and "format=json" in page


def test_the_scorecard_page_of_a_city_without_indicators_says_so(data, secretariat):
    page = client_of().get("/monitoring/cities/phuket/scorecard/").content.decode()
    assert "No indicators are assigned to this city yet" in page
    assert client_of().get("/monitoring/cities/atlantis/scorecard/").status_code == 404


def test_the_scorecard_downloads_are_exactly_the_figures(data):
    rows = csv_rows(client_of().get("/monitoring/cities/da-nang/scorecard/", {"format": "csv"}))
    assert rows[0][:4] == ["indicator", "name", "unit", "direction"]
    high = dict(zip(rows[0], next(r for r in rows if r[0] == "T-HIGH"), strict=True))
    assert high == {"indicator": "T-HIGH", "name": "Test T-HIGH", "unit": "%", "direction": "higher",
                    "baseline": "40", "baseline_year": "2020", "latest": "60", "latest_period": "2025",
                    "target": "80", "target_year": "2030", "progress_percent": "50", "progress_raw": "0.5",
                    "expected_percent": "50", "rag": "green", "trend": "improving", "note": "",
                    "observations_in_round": "1", "on_time": "1", "open_flags": "0", "synthetic": "false"}
    response = client_of().get("/monitoring/cities/da-nang/scorecard/", {"format": "json"})
    assert response["Content-Disposition"] == 'attachment; filename="ascn-scorecard-da-nang-2025.json"'
    body = json.loads(response.content)
    assert (body["city"], body["round"], body["deadline"], body["count"]) == ("da-nang", 2025, "2025-09-30", 6)
    assert body["data_quality"] == {"assigned": 6, "with_value": 5, "completeness": 83, "observations": 6,
                                    "on_time": 4, "timeliness": 67, "open_flags": 1}
    low = next(i for i in body["items"] if i["indicator"] == "T-LOW")
    assert (low["progress_percent"], low["progress_raw"], low["rag"], low["open_flags"]) == (42, 0.42, "amber", 1)
    assert client_of().get("/monitoring/cities/da-nang/scorecard/", {"format": "xml"}).status_code == 404


def test_csv_downloads_are_formula_safe(data):
    Indicator.objects.filter(code="T-SUM").update(name="=HYPERLINK(\"http://x\")")
    rows = csv_rows(client_of().get("/monitoring/network/", {"indicator": "T-SUM", "format": "csv"}))
    assert rows[1][3] == "'=HYPERLINK(\"http://x\")"


def test_the_series_page_and_its_htmx_fragment(data):
    response = client_of().get("/monitoring/cities/da-nang/indicators/T-HIGH/")
    page = response.content.decode()
    assert response.status_code == 200 and "<h1>Test T-HIGH" in page
    spec = json.loads(page.split(f'id="chart-series-{data["high"].pk}" type="application/json">')[1]
                      .split("</script>")[0])
    assert [p["name"] for p in spec["layer"]] == ["actual", "target_path", "target", "baseline"]
    assert [v["value"] for v in spec["layer"][0]["data"]["values"]] == [42.0, 44.0, 48.0, 52.0, 60.0]
    fragment = client_of().get("/monitoring/cities/da-nang/indicators/T-HIGH/", headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<html" not in text and 'data-testid="series"' in text and "Open this series" in text
    body = json.loads(client_of().get("/monitoring/cities/da-nang/indicators/T-HIGH/", {"format": "json"}).content)
    assert body["items"][-1] == {"period": "2025", "value": 60.0, "target": 80.0, "target_year": 2030,
                                 "verification": "reported", "open_flags": False, "synthetic": False}
    assert (body["baseline"], body["targets"]) == (40.0, [{"year": 2030, "value": 80.0}])


def test_the_series_of_an_unpublished_indicator_is_not_public(data, secretariat):
    assert client_of().get("/monitoring/cities/da-nang/indicators/T-HIDDEN/").status_code == 404
    assert client_of(secretariat).get("/monitoring/cities/da-nang/indicators/T-HIDDEN/").status_code == 200


def test_an_empty_series_links_to_data_entry_for_those_who_enter_it(data, csco_danang):
    page = client_of().get("/monitoring/cities/da-nang/indicators/T-EMPTY/").content.decode()
    assert "Da Nang has not reported this indicator yet." in page


def test_the_compare_page_table_chart_and_left_out_note(data):
    response = client_of().get("/monitoring/compare/", {"indicator": "T-SUM", "normalise": "per_capita"})
    page = response.content.decode()
    assert response.status_code == 200
    assert [line.split('"')[1] for line in page.split('<tr data-city=')[1:]] == ["ha-noi", "da-nang", "chiang-mai"]
    assert "Bangkok: no population reported" in page
    spec = json.loads(page.split('id="chart-compare" type="application/json">')[1].split("</script>")[0])
    assert [t["value"] for t in spec["layer"][1]["data"]["values"]] == [100.0, 80.0]
    empty = client_of().get("/monitoring/compare/").content.decode()
    assert "Choose an indicator to compare the cities." in empty
    bad = client_of().get("/monitoring/compare/", {"indicator": "T-HIGH", "normalise": "per_capita"})
    assert bad.status_code == 400 and "not divided by population or area" in bad.content.decode()


def test_the_compare_downloads(data):
    body = json.loads(client_of().get("/monitoring/compare/", {"indicator": "T-SUM", "normalise": "per_capita",
                                                                "format": "json"}).content)
    assert [(i["city"], i["normalised"]) for i in body["items"]] == [("ha-noi", 80.0), ("da-nang", 50.0),
                                                                     ("chiang-mai", 25.0)]
    assert body["left_out"] == [{"city": "bangkok", "reason": "no population reported"}]
    rows = csv_rows(client_of().get("/monitoring/compare/", {"indicator": "T-SUM", "format": "csv"}))
    assert rows[0] == ["city", "name", "country", "period", "value", "target", "target_year", "population",
                       "population_year", "area", "area_year", "band", "normalised", "normalised_target", "synthetic"]
    assert rows[1] == ["ha-noi", "Ha Noi", "Viet Nam", "2025", "2400", "3000", "2030", "3000000", "2025",
                       "3200", "2025", "1m-5m", "2400", "3000", "false"]  # plain numbers, as files take them
    missing = client_of().get("/monitoring/compare/", {"format": "csv"})
    assert missing.status_code == 400


def test_the_network_page_rollups_and_scorecards_page(data):
    page = client_of().get("/monitoring/network/", {"by": "country", "indicator": "T-SUM"}).content.decode()
    assert '<td>Viet Nam</td><td>T-SUM Test T-SUM <span class="muted">(kWh)</span></td><td>sum</td>' in page
    assert '<td class="num">2,900 <span class="muted">(2 of 2 cities)</span>' not in page  # the value, then the target
    assert '<td class="num">2,900</td>' in page and '<td class="num">3,800 <span class="muted">(2 of 2 cities)</span>' in page
    assert 'id="chart-rollup"' in page
    rows = csv_rows(client_of().get("/monitoring/network/", {"by": "country", "indicator": "T-WEIGHTED",
                                                             "format": "csv"}))
    assert rows == [["group_code", "group_name", "indicator", "name", "unit", "aggregation", "cities", "value",
                     "target", "target_cities", "without_population", "synthetic"],
                    ["THA", "Thailand", "T-WEIGHTED", "Test T-WEIGHTED", "%", "population_weighted", "2", "40", "",
                     "0", "1", "false"],
                    ["VNM", "Viet Nam", "T-WEIGHTED", "Test T-WEIGHTED", "%", "population_weighted", "2", "17.5", "",
                     "0", "0", "false"]]
    scorecards = client_of().get("/monitoring/scorecards/").content.decode()
    assert scorecards.count("<tr data-city=") == 35
    assert '<tr data-city="da-nang"><td><a href="/monitoring/cities/da-nang/scorecard/">Da Nang</a>' in scorecards


def test_pages_on_a_fresh_install_say_there_is_no_data_yet():
    assert "No city has reported any indicator value yet." in client_of().get("/monitoring/network/").content.decode()
    assert "No reporting city in this round." not in client_of().get("/monitoring/scorecards/").content.decode()
    page = client_of().get("/monitoring/cities/da-nang/scorecard/").content.decode()
    assert "No indicators are assigned to this city yet" in page


def test_an_officer_is_pointed_to_where_data_is_entered(data, csco_danang):
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("monitoring:city_data", args=["phuket"])
    except NoReverseMatch:
        pytest.skip("the data entry page is not installed")
    officer = City.objects.get(slug="phuket")
    page = client_of(csco_danang).get("/monitoring/cities/phuket/scorecard/").content.decode()
    assert url not in page  # not their city
    from conftest import make_user

    phuket_officer = make_user("csco-phuket", "city_officer", city=officer)
    page = client_of(phuket_officer).get("/monitoring/cities/phuket/scorecard/").content.decode()
    assert url in page


# --- API ------------------------------------------------------------------------------------------------------


def test_the_city_scorecard_endpoint(data, api):
    body = api.get("/monitoring/cities/da-nang/scorecard").json()
    assert (body["city"], body["round"], body["count"], body["rag_counts"]) == (
        "da-nang", 2025, 6, {"green": 2, "amber": 1, "red": 1, "not_rated": 2})
    assert body["data_quality"]["completeness"] == 83
    undecided = next(i for i in body["items"] if i["indicator"] == "T-UNDEC")
    assert undecided == {"indicator": "T-UNDEC", "name": "Test T-UNDEC", "unit": "%", "direction": "",
                         "baseline": 10.0, "baseline_year": 2020, "latest": 12.0, "latest_period": "2025",
                         "target": 20.0, "target_year": 2030, "progress_percent": 20, "progress_raw": 0.2,
                         "expected_percent": 50, "rag": None, "trend": "rising", "note": "",
                         "observations_in_round": 1, "on_time": 1, "open_flags": 0, "synthetic": False}
    assert api.get("/monitoring/cities/atlantis/scorecard").status_code == 404
    wrong = api.get("/monitoring/cities/da-nang/scorecard?round=2019")
    assert wrong.status_code == 422 and wrong.json()["detail"] == "There is no reporting round 2019."


def test_the_network_scorecards_endpoint_is_paginated(data, api):
    body = api.get("/monitoring/scorecards?limit=2").json()
    assert body["count"] == 35 and len(body["items"]) == 2
    everything = api.get("/monitoring/scorecards?limit=50").json()["items"]
    danang = next(i for i in everything if i["city"] == "da-nang")
    assert danang == {"city": "da-nang", "name": "Da Nang", "country": "Viet Nam", "assigned": 6, "green": 2,
                      "amber": 1, "red": 1, "not_rated": 2, "with_value": 5, "completeness": 83, "observations": 6,
                      "on_time": 4, "timeliness": 67, "open_flags": 1, "synthetic": False}


def test_the_compare_and_rollups_endpoints(data, api):
    body = api.get("/monitoring/compare?indicator=T-SUM&normalise=per_capita").json()
    assert (body["indicator"], body["period"], body["unit"], body["count"]) == ("T-SUM", "2025",
                                                                               "per 100,000 inhabitants", 3)
    assert body["items"][0]["city"] == "ha-noi" and body["items"][0]["normalised"] == 80.0
    assert body["left_out"] == [{"city": "bangkok", "reason": "no population reported"}]
    refused = api.get("/monitoring/compare?indicator=T-HIGH&normalise=per_capita")
    assert refused.status_code == 422 and refused.json()["detail"].startswith("normalise: T-HIGH is not a total")
    rollups = api.get("/monitoring/rollups?by=country&indicator=T-SUM&period=2025").json()
    assert rollups["count"] == 2
    assert rollups["items"][1] == {"by": "country", "period": "2025", "group_code": "VNM", "group_name": "Viet Nam",
                                   "indicator": "T-SUM", "name": "Test T-SUM", "unit": "kWh", "aggregation": "sum",
                                   "cities": 2, "value": 2900.0, "target": 3800.0, "target_cities": 2,
                                   "without_population": 0, "synthetic": False}
    assert api.get("/monitoring/rollups?by=galaxy").status_code == 422


def test_the_pivot_endpoint(data, api):
    body = api.get("/monitoring/pivot?indicator=T-HIGH,T-LOW&cities=da-nang&periods=2024,2025").json()
    assert body["count"] == 4
    assert body["items"] == [
        {"indicator": "T-HIGH", "city": "da-nang", "period": "2024", "value": 52.0, "target": 80.0, "target_year": 2030,
         "synthetic": False},
        {"indicator": "T-HIGH", "city": "da-nang", "period": "2025", "value": 60.0, "target": 80.0, "target_year": 2030,
         "synthetic": False},
        {"indicator": "T-LOW", "city": "da-nang", "period": "2024", "value": 85.0, "target": 50.0, "target_year": 2030,
         "synthetic": False},
        {"indicator": "T-LOW", "city": "da-nang", "period": "2025", "value": 79.0, "target": 50.0, "target_year": 2030,
         "synthetic": False},
    ]
    hanoi = api.get("/monitoring/pivot?indicator=T-HIGH&cities=ha-noi").json()["items"]
    assert [(i["period"], i["value"], i["target"], i["target_year"]) for i in hanoi] == [
        ("2025", 70.0, 75.0, 2025), ("2026", 72.0, 100.0, 2030)]  # the nearest target year on or after the value's
    everything = api.get("/monitoring/pivot?indicator=T-SUM").json()
    assert [(i["city"], i["value"], i["target"]) for i in everything["items"]] == sorted(
        [("da-nang", 500.0, 800.0), ("ha-noi", 2400.0, 3000.0), ("bangkok", 900.0, None),
         ("chiang-mai", 100.0, None)], key=lambda r: City.objects.get(slug=r[0]).pk)
    assert api.get("/monitoring/pivot?indicator=T-SUM&cities=atlantis").json()["detail"] == (
        "cities: no city “atlantis”.")
    assert api.get("/monitoring/pivot?indicator=T-SUM&periods=2025-13").status_code == 422


def test_the_api_hides_unpublished_indicators_from_the_public(data, api, api_as, secretariat):
    assert api.get("/monitoring/pivot?indicator=T-HIDDEN").json()["detail"] == "indicator: no indicator “T-HIDDEN”."
    assert api.get("/monitoring/compare?indicator=T-HIDDEN").status_code == 422
    assert "T-HIDDEN" not in api.get("/monitoring/cities/da-nang/scorecard").content.decode()
    desk = api_as(secretariat)
    assert desk.get("/monitoring/pivot?indicator=T-HIDDEN").json()["items"][0]["value"] == 1.0
    assert desk.get("/monitoring/cities/da-nang/scorecard").json()["count"] == 7


# --- Snapshot and query counts ----------------------------------------------------------------------------------


def test_the_snapshot_is_rebuilt_when_the_data_changes_and_reused_when_not(data, analysis_dirs):
    first = queries.current_snapshot()
    assert queries.current_snapshot().path == first.path
    assert sorted(p.name for p in first.path.iterdir()) == sorted(
        [f"{t}.parquet" for t in analytics.TABLES] + ["meta.json"])
    observe(data["bangkok"], data["high"], {"2025": 5})
    second = queries.current_snapshot()
    assert second.path != first.path and first.path.exists()  # kept while requests may still read it
    assert (analysis_dirs / "current").read_text() == second.path.name
    Target.objects.filter(assignment__city__slug="ha-noi", assignment__indicator__code="T-HIGH").update(value=99)
    third = queries.current_snapshot()
    assert third.path != second.path and not first.path.exists()
    assert [r["target"] for r in analytics.compare(third, data["high"].pk, "2025", analytics.EVERYTHING)
            if r["slug"] == "ha-noi"] == [99.0]


def test_the_staleness_check_waits_for_its_ttl(data, settings):
    settings.MONITORING_ANALYTICS_TTL = 3600
    first = queries.current_snapshot()
    observe(data["bangkok"], data["high"], {"2025": 5})
    assert queries.current_snapshot().path == first.path  # within the TTL: not checked again
    settings.MONITORING_ANALYTICS_TTL = 0
    assert queries.current_snapshot().path != first.path


def test_a_large_database_is_refreshed_by_the_task_while_the_old_snapshot_answers(data, settings):
    first = queries.current_snapshot()
    settings.MONITORING_ANALYTICS_SYNC_LIMIT = 1
    observe(data["bangkok"], data["high"], {"2025": 5})
    # the immediate task backend runs the refresh at once; the answer is the older snapshot
    answered = queries.current_snapshot()
    assert answered.path == first.path
    assert queries.current_snapshot().path != first.path


def count_queries(client_call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client_call()
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def test_the_endpoints_take_the_same_queries_whatever_the_data(data, api, cities):
    queries.current_snapshot()  # warm
    calls = {
        # each also looks up the synthetic (demo) values and assignments its figures include: one query
        "/monitoring/cities/{slug}/scorecard": 4,  # staleness check, city, round, synthetic
        "/monitoring/scorecards": 5,  # staleness check, round, its cities, visible cities, synthetic
        "/monitoring/compare?indicator=T-SUM&normalise=per_capita": 3,  # indicator, staleness check, synthetic
        "/monitoring/rollups?by=country&indicator=T-SUM": 3,
        "/monitoring/pivot?indicator=T-SUM,T-HIGH&cities={slug}": 5,  # 2 indicators, cities, staleness, synthetic
    }
    for path, expected in calls.items():
        counts = [count_queries(lambda s=slug, p=path: api.get(p.format(slug=s))) for slug in ("phuket", "da-nang")]
        assert counts == [expected, expected], path


def test_the_pages_take_the_same_queries_whatever_the_data(data):
    queries.current_snapshot()
    client = client_of()
    for path, params, expected in [
            # each also looks up the synthetic (demo) values and assignments its figures include: one query
            ("/monitoring/cities/{slug}/scorecard/", {}, 5),  # city, rounds (form), round, staleness, synthetic
            ("/monitoring/scorecards/", {}, 6),  # rounds (form), round, its cities, visible cities, staleness, synthetic
            ("/monitoring/compare/", {"indicator": "T-SUM"}, 4),  # indicator choices, indicator, staleness, synthetic
            ("/monitoring/network/", {}, 3)]:  # indicator choices, staleness check, synthetic
        counts = [count_queries(lambda s=slug, p=path, q=params: client.get(p.format(slug=s), q))
                  for slug in ("phuket", "da-nang")]
        assert counts == [expected, expected], (path, counts)
