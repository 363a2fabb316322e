"""Indicator units: the U4SSC KPIs' units and calculations with their ITU sources, values computed with the
unit's scale in every channel (form, file, API), values of indicators without a unit refused, and the
Secretariat's edit of a unit that recomputes and re-flags the stored values."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from ascn.core.actions import seed_reference_data
from ascn.core.models import AuditEntry
from ascn.monitoring.actions import catalogue as catalogue_actions
from ascn.monitoring.actions import observations as actions
from ascn.monitoring.models import Indicator, Observation, ReportingRound
from ascn.monitoring.seed import definition_values
from ascn.network.models import City

FIXTURE = Path(settings.BASE_DIR) / "ascn" / "monitoring" / "fixtures" / "u4ssc_kpis.csv"
REFERENCE_DOC = Path(settings.BASE_DIR) / "docs" / "reference-data.md"
BASIC_WATER = "EC: I: WS: 1C"
NO_UNIT = "EC: ICT: ICT: 5A"  # Availability of WIFI in Public Areas: Karmøy's report prints "78" without a unit
ITU_PAGE = re.compile(r"^https://(www\.)?itu\.int/en/publications/Documents/tsb/[^ ]+/files/basic-html/page\d+\.html$")
MANUAL = "/tsb/2022-U4SSC-KPIs-Verification-Manual-A-guide-for-verifiers/"
METHODOLOGY = "/tsb/2017-U4SSC-Collection-Methodology/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def water(db, secretariat):
    """Da Nang reporting Basic Water Supply (seeded: %, x 100) and an indicator without a unit in 2025."""
    danang = City.objects.get(slug="da-nang")
    round_2025 = ReportingRound.objects.get(year=2025)
    round_2025.closes_on = None
    round_2025.save()
    round_2025.cities.add(danang)
    basic = Indicator.objects.get(code=BASIC_WATER)
    bare = Indicator.objects.get(code=NO_UNIT)
    actions.assign_indicator(secretariat, danang, basic)
    actions.assign_indicator(secretariat, danang, bare)
    return {"danang": danang, "basic": basic, "bare": bare}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fixture_rows() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def as_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["city", "indicator_code", "period", "value", "numerator", "denominator"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


# --- The fixture ----------------------------------------------------------------------------------------------


def test_every_kpi_with_a_unit_cites_the_itu_page_that_states_it():
    rows = fixture_rows()
    assert len(rows) == 91
    for row in rows:
        if row["unit"]:
            sources = row["definition_source"].split(" ; ")
            assert all(ITU_PAGE.match(s) for s in sources), (row["code"], row["definition_source"])
            assert row["multiplier"] or not (row["numerator"] or row["denominator"]), row["code"]
        else:  # nothing without a unit
            assert not any(row[c] for c in ("calculation", "numerator", "denominator", "multiplier", "direction",
                                            "definition_source")), row["code"]
        assert bool(row["numerator"]) == bool(row["denominator"]), row["code"]
        if "%" in row["unit"]:
            assert row["multiplier"] == "100", row["code"]
        if "per 100,000" in row["unit"]:
            assert row["multiplier"] == "100000", row["code"]


def test_the_kpis_without_a_unit_are_exactly_those_the_reference_documentation_lists():
    documented = REFERENCE_DOC.read_text(encoding="utf-8")
    listed = set(re.findall(r"^- `([A-Z]{2}: [A-Z]+: [A-Z]+: ?\d[CA])`", documented, re.MULTILINE))
    without = {row["code"] for row in fixture_rows() if not row["unit"]}
    assert without == listed
    assert BASIC_WATER not in without and NO_UNIT in without
    assert re.search(r"(\d+) KPIs below have no unit", documented)[1] == str(len(without))


def test_the_counts_by_source_in_the_reference_documentation_are_the_fixture_s():
    """Each KPI with a unit counts under the publication of its first page: the 2022 verification manual, the
    2017 collection methodology, else a verification report; the documentation states the three counts in order."""
    first_pages = [row["definition_source"].split(" ; ")[0] for row in fixture_rows() if row["unit"]]
    manual = sum(MANUAL in page for page in first_pages)
    methodology = sum(METHODOLOGY in page for page in first_pages)
    documented = REFERENCE_DOC.read_text(encoding="utf-8")
    assert re.findall(r"— (\d+) KPIs", documented) == [str(manual), str(methodology),
                                                        str(len(first_pages) - manual - methodology)]


def test_every_unit_in_the_fixture_is_one_the_secretariat_s_edit_accepts(secretariat):
    """The seed writes the fixture without the definition checks of the edit; every filled row must still pass
    them (a percentage x 100, "per 100,000" x 100000, a known direction), or the Secretariat could not save it."""
    filled = [row for row in fixture_rows() if row["unit"]]
    assert len(filled) == 72
    for row in filled:
        values = definition_values(row)
        indicator = Indicator.objects.get(code=row["code"])
        catalogue_actions.update_definition(secretariat, indicator, values)  # raises ValidationError if refused
        indicator.refresh_from_db()
        assert {name: getattr(indicator, name) for name in values} == values, row["code"]


def test_the_seed_loads_units_and_calculations():
    basic = Indicator.objects.get(code=BASIC_WATER)
    assert (basic.unit, basic.multiplier) == ("%", 100.0)
    assert basic.definition_source.endswith("2020-U4SSC-Verification-Report-Karmoy-Norway/files/basic-html/page14.html")
    beds = Indicator.objects.get(code="SC: EH: H: 4A")
    assert (beds.unit, beds.multiplier, beds.direction) == ("beds per 100,000 inhabitants", 100000.0, "higher")
    assert (beds.numerator, beds.denominator) == ("Total number of in-patient hospital beds (public and private)",
                                                  "City population")
    assert Indicator.objects.get(code="EC: P: EM: 1C").direction == "lower"
    assert Indicator.objects.get(code=NO_UNIT).unit == ""
    traffic = Indicator.objects.get(code="SC: SH: SA: 9C")  # from the 2017 methodology, page 129
    assert (traffic.unit, traffic.multiplier, traffic.direction, traffic.denominator) == (
        "fatalities per 100,000 inhabitants", 100000.0, "lower", "City population")
    travel = Indicator.objects.get(code="EC: I: T: 5A")  # from the 2022 manual, page 82
    assert (travel.unit, travel.multiplier, travel.direction) == ("ratio", 1.0, "lower")
    assert travel.definition_source.endswith(MANUAL + "files/basic-html/page82.html")
    police = Indicator.objects.get(code="SC: SH: SA: 6C")  # Asker 2020 report, page 22: "FTE / 100 000 inhabitants"
    assert (police.unit, police.multiplier, police.numerator, police.direction) == (
        "FTE per 100,000 inhabitants", 100000.0, "", "")
    assert police.definition_source.split(" ; ")[0].endswith(
        "/tsb/2020-U4SSC-Verification-Report-Asker-Norway/files/basic-html/page22.html")
    response = Indicator.objects.get(code="SC: SH: SA: 5A")  # the same page: "Minutes", a unit without a ratio
    assert (response.unit, response.multiplier) == ("minutes", None)
    electricity = Indicator.objects.get(code="EN: E: E: 2C")  # Riyadh 2020 factsheet, page 39: "kWh / yr (per capita)"
    assert (electricity.unit, electricity.multiplier) == ("kWh per year per capita", None)
    assert electricity.definition_source.endswith(
        "/tsb/2020-U4SSC-Factsheet-Riyadh-Saudi-Arabia/files/basic-html/page39.html")
    assert Indicator.objects.get(code="SC: SH: SI: 2C").unit == ""  # Gini: printed without a unit


def test_reseeding_fills_empty_fields_and_keeps_what_the_secretariat_set(secretariat):
    basic = Indicator.objects.get(code=BASIC_WATER)
    catalogue_actions.update_definition(secretariat, basic, {"unit": "% of households", "direction": "higher"})
    Indicator.objects.filter(code="EC: ICT: ICT: 1C").update(unit="", multiplier=None, calculation="")
    counts = {c.label: c for c in seed_reference_data(("ascn.monitoring.seed",))}
    assert counts["indicators (U4SSC)"].updated == 1  # EC: ICT: ICT: 1C filled again
    basic.refresh_from_db()
    assert (basic.unit, basic.direction, basic.multiplier) == ("% of households", "higher", 100.0)
    internet = Indicator.objects.get(code="EC: ICT: ICT: 1C")
    assert (internet.unit, internet.multiplier) == ("%", 100.0) and internet.calculation.startswith("Households")
    entry = AuditEntry.objects.filter(object_id=str(internet.pk), via="seed").latest("created_at")
    assert entry.changes["unit"] == ["", "%"]


# --- The example in every channel -------------------------------------------------------------------------


def test_the_form_stores_96_5_percent_from_the_households_and_flags_140(water, csco_danang):
    client = logged_in(csco_danang)
    saved = client.post("/monitoring/cities/da-nang/data/", {"indicator": BASIC_WATER, "period": "2025",
                                                              "numerator": "410000", "denominator": "425000"})
    assert saved.status_code == 302
    obs = Observation.objects.get()
    assert round(obs.value, 1) == 96.5 and obs.flags == []
    assert (obs.numerator, obs.denominator) == (410000.0, 425000.0)
    # The same figures with the value typed as rounded are accepted; as the fraction they are refused.
    same = client.post("/monitoring/cities/da-nang/data/", {"_validate": "1", "indicator": BASIC_WATER,
                                                             "period": "2025", "value": "96.5", "numerator": "410000",
                                                             "denominator": "425000"}, headers={"HX-Request": "true"})
    assert same.status_code == 200
    fraction = client.post("/monitoring/cities/da-nang/data/", {"indicator": BASIC_WATER, "period": "2025",
                                                                 "value": "0.964706", "numerator": "410000",
                                                                 "denominator": "425000"})
    assert fraction.status_code == 422
    assert ("0.964706 does not match the numerator and the denominator: 410000 / 425000 x 100 = 96.4706"
            in fraction.content.decode())
    flagged = client.post("/monitoring/cities/da-nang/data/", {"indicator": BASIC_WATER, "period": "2025-Q1",
                                                                "value": "140"}, follow=True)
    assert ("Flagged for review: The value 140 is above 100, the most a percentage reaches unless its definition "
            "allows more.") in flagged.content.decode()
    assert Observation.objects.get(period="2025-Q1").flags[0]["code"] == "percentage_range"


def test_the_next_year_is_compared_like_with_like(water, csco_danang):
    ReportingRound.objects.create(year=2026, as_of="2026-09-30").cities.add(water["danang"])
    actions.record_observation(csco_danang, water["danang"], {"indicator": BASIC_WATER, "period": "2025",
                                                              "numerator": 410000, "denominator": 425000})
    summary, obs = actions.record_observation(csco_danang, water["danang"], {"indicator": BASIC_WATER,
                                                                             "period": "2026", "value": 97.2})
    assert summary.flags == [] and obs is not None and obs.flags == []  # not "100.756 times the previous value"


def test_the_import_computes_with_the_unit_s_scale(water, csco_danang):
    data = as_csv([["da-nang", BASIC_WATER, "2025", "", "410000", "425000"],
                   ["da-nang", BASIC_WATER, "2025-Q1", "140", "", ""]])
    summary, _record = actions.import_file(csco_danang, "water.csv", data, city=water["danang"], commit=True)
    assert summary.committed and summary.flag_counts == {"percentage_range": 1}
    assert round(Observation.objects.get(period="2025").value, 1) == 96.5


def test_the_api_computes_with_the_unit_s_scale(water, csco_danang, api_as):
    rows = [{"city": "da-nang", "indicator": BASIC_WATER, "period": "2025", "numerator": 410000,
             "denominator": 425000}, {"city": "da-nang", "indicator": BASIC_WATER, "period": "2025-Q1", "value": 140}]
    response = api_as(csco_danang).post("/monitoring/observations/bulk?dry_run=false", {"rows": rows})
    assert response.status_code == 200 and response.json()["flag_counts"] == {"percentage_range": 1}
    listed = api_as(csco_danang).get(f"/monitoring/observations?indicator={BASIC_WATER}&period=2025").json()
    assert round(listed["items"][0]["value"], 1) == 96.5


# --- No unit: refused everywhere ------------------------------------------------------------------------------------


def refusal(code: str) -> str:
    name = Indicator.objects.get(code=code).name
    return (f"{code} {name} has no unit yet: the ASEAN Secretariat must set its unit on the indicator's page before "
            f"values can be recorded")


def test_a_value_of_an_indicator_without_a_unit_is_refused_in_the_form(water, csco_danang):
    response = logged_in(csco_danang).post("/monitoring/cities/da-nang/data/", {
        "indicator": NO_UNIT, "period": "2025", "value": "12"})
    assert response.status_code == 422
    html = response.content.decode()
    assert refusal(NO_UNIT).replace("'", "&#x27;") in html
    assert Observation.objects.count() == 0


def test_a_value_of_an_indicator_without_a_unit_is_refused_in_an_import(water, csco_danang):
    data = as_csv([["da-nang", BASIC_WATER, "2025", "90", "", ""], ["da-nang", NO_UNIT, "2025", "12", "", ""]])
    summary, _record = actions.import_file(csco_danang, "x.csv", data, city=water["danang"], commit=True)
    assert not summary.committed
    assert [(e["row"], e["column"], e["code"], e["reason"]) for e in summary.errors] == [
        (3, "indicator_code", "unit_missing", refusal(NO_UNIT))]
    assert Observation.objects.count() == 0


def test_a_value_of_an_indicator_without_a_unit_is_refused_by_the_api(water, csco_danang, api_as):
    rows = [{"city": "da-nang", "indicator": NO_UNIT, "period": "2025", "numerator": 3, "denominator": 4}]
    response = api_as(csco_danang).post("/monitoring/observations/bulk?dry_run=false", {"rows": rows})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"row": 1, "column": "indicator_code", "code": "unit_missing",
                                          "reason": refusal(NO_UNIT)}]


def test_once_the_secretariat_sets_the_unit_the_values_are_accepted(water, csco_danang, secretariat):
    catalogue_actions.update_definition(secretariat, water["bare"], {"unit": "hotspots"})
    summary, obs = actions.record_observation(csco_danang, water["danang"], {"indicator": NO_UNIT, "period": "2025",
                                                                             "value": 12})
    assert summary.created == 1 and obs is not None and obs.value == 12.0


# --- The Secretariat's edit: recompute and re-flag -------------------------------------------------------------------


def stored_before_the_unit(water) -> tuple[Observation, Observation]:
    """The issue's data: a fraction stored while the indicator had no unit, and the next year flagged as a jump."""
    Indicator.objects.filter(pk=water["basic"].pk).update(unit="", multiplier=None)
    first = Observation.objects.create(city=water["danang"], indicator=water["basic"], period="2024", year=2024,
                                       value=410000 / 425000, numerator=410000, denominator=425000)
    second = Observation.objects.create(city=water["danang"], indicator=water["basic"], period="2025", year=2025,
                                        value=97.2, flags=[
                                            {"code": "outlier_jump", "params": {"value": "97.2", "ratio": "100.756",
                                                                                "previous": "0.964706",
                                                                                "previous_period": "2024"},
                                             "detail": "x"},
                                            {"code": "queried", "params": {"comment": "Source?"}, "detail": "y"}])
    return first, second


def test_setting_the_unit_recomputes_and_reflags_the_stored_values(water, secretariat):
    first, second = stored_before_the_unit(water)
    client = logged_in(secretariat)
    page = client.get(f"/monitoring/indicators/{water['basic'].pk}/")
    assert 'data-testid="definition-form"' in page.content.decode()
    response = client.post(f"/monitoring/indicators/{water['basic'].pk}/definition/", {
        "unit": "%", "multiplier": "100", "calculation": "Households with a basic water supply in per cent",
        "numerator": "Households with access to a basic water supply", "denominator": "All city households",
        "direction": "higher", "definition_source": "https://www.itu.int/example/page14.html"}, follow=True)
    html = response.content.decode()
    assert f"The unit and calculation of {BASIC_WATER} are saved." in html
    assert "2 stored values checked: 1 recomputed from their numerator and denominator, 1 with changed flags." in html
    first.refresh_from_db()
    second.refresh_from_db()
    assert round(first.value, 1) == 96.5 and first.flags == []
    assert second.value == 97.2 and [f["code"] for f in second.flags] == ["queried"]  # the query stays
    entries = AuditEntry.objects.filter(object_id=str(water["basic"].pk), content_type__model="indicator")
    assert entries.filter(changes__unit=["", "%"]).exists()
    assert entries.filter(changes__values_recomputed=[None, 1], changes__values_reflagged=[None, 1]).exists()


def test_a_large_indicator_is_recomputed_by_the_background_task(water, secretariat, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    first, _second = stored_before_the_unit(water)
    monkeypatch.setattr(catalogue_actions, "BACKGROUND_MIN_ROWS", 2)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = logged_in(secretariat).post(f"/monitoring/indicators/{water['basic'].pk}/definition/",
                                               {"unit": "%", "multiplier": "100"}, follow=True)
    assert len(queued) == 1  # the task is enqueued once the change is committed
    assert ("Its 2 stored values are being recomputed and flagged again in the background."
            in response.content.decode())
    first.refresh_from_db()  # the development backend runs the task at once
    assert round(first.value, 1) == 96.5


def test_changing_only_the_texts_recomputes_nothing(water, secretariat):
    first, _second = stored_before_the_unit(water)
    Indicator.objects.filter(pk=water["basic"].pk).update(unit="%", multiplier=100)
    water["basic"].refresh_from_db()
    change = catalogue_actions.update_definition(secretariat, water["basic"], {"calculation": "Share of households"})
    assert change.changes == {"calculation": ["", "Share of households"]} and change.recount is None
    first.refresh_from_db()
    assert first.value == pytest.approx(0.964706, abs=1e-6)


@pytest.mark.parametrize("data,field,message", [
    ({"unit": "%", "multiplier": "1"}, "multiplier",
     "A percentage is numerator / denominator x 100: set the multiplier to 100, or leave it empty."),
    ({"unit": "beds per 100,000 inhabitants", "multiplier": "1000"}, "multiplier",
     "The unit says per 100000: set the multiplier to 100000, or leave it empty."),
    ({"unit": "", "multiplier": "100"}, "unit", "Give the unit the multiplier makes the ratio into."),
    ({"unit": "%", "multiplier": "-5"}, "multiplier", "The multiplier is a number above 0, such as 100 or 100000."),
    ({"unit": "%", "numerator": "Households served"}, "denominator",
     "Give the numerator and the denominator together."),
])
def test_a_definition_that_does_not_add_up_is_refused_beside_its_field(water, secretariat, data, field, message):
    client = logged_in(secretariat)
    response = client.post(f"/monitoring/indicators/{water['basic'].pk}/definition/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert response.context["form"].errors[field] == [message]
    water["basic"].refresh_from_db()
    assert (water["basic"].unit, water["basic"].multiplier) == ("%", 100.0)


def test_only_the_secretariat_edits_a_definition(water, csco_danang, nr_vietnam, secretariat, api_as):
    url = f"/monitoring/indicators/{water['basic'].pk}/definition/"
    anonymous = Client().post(url, {"unit": "km"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    for user in (csco_danang, nr_vietnam):
        assert logged_in(user).post(url, {"unit": "km"}).status_code == 403
        page = logged_in(user).get(f"/monitoring/indicators/{water['basic'].pk}/")
        assert page.status_code == 200 and 'data-testid="definition-form"' not in page.content.decode()
    assert Client().get(f"/monitoring/indicators/{water['basic'].pk}/").status_code == 200
    api_url = f"/monitoring/indicators/{water['basic'].pk}/definition"
    assert api_as(csco_danang).patch(api_url, {"unit": "km"}).status_code == 403
    water["basic"].refresh_from_db()
    assert water["basic"].unit == "%"
    done = api_as(secretariat).patch(api_url, {"direction": "higher"})
    assert done.status_code == 200
    assert done.json()["changed"] == ["direction"] and done.json()["indicator"]["direction"] == "higher"
    assert done.json()["indicator"]["multiplier"] == 100.0
    refused = api_as(secretariat).patch(api_url, {"multiplier": 1})
    assert refused.status_code == 422
    undecided = api_as(secretariat).patch(api_url, {"direction": ""})
    assert undecided.status_code == 200 and undecided.json()["indicator"]["direction"] == ""
    wrong = api_as(secretariat).patch(api_url, {"direction": "up"})
    assert wrong.status_code == 422 and "Choose higher or lower" in wrong.content.decode()
