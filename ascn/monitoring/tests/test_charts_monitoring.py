"""Vega-Lite specs of monitoring: the series with its baseline and targets, bars with target ticks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ascn.core import translator
from ascn.monitoring import charts

SCHEMA_FILE = Path(__file__).parents[2] / "finance" / "tests" / "vega-lite-schema.json"  # vega-lite 6.5.0


def layer(spec: dict, name: str) -> dict:
    return next(part for part in spec["layer"] if part.get("name") == name)


def test_the_series_has_actual_target_path_targets_and_baseline():
    spec = charts.series([("2025", 60), ("2023", 48), ("2025-Q1", 55)], "%", (2020, 40.0), [(2030, 80), (2027, 70)],
                         "T-HIGH Test")
    assert [part["name"] for part in spec["layer"]] == ["actual", "target_path", "target", "baseline"]
    assert layer(spec, "actual")["data"]["values"] == [
        {"date": "2023-01-01", "period": "2023", "value": 48.0, "series": "Actual"},
        {"date": "2025-01-01", "period": "2025", "value": 60.0, "series": "Actual"},
        {"date": "2025-01-01", "period": "2025-Q1", "value": 55.0, "series": "Actual"},
    ]
    assert layer(spec, "target")["data"]["values"] == [
        {"date": "2027-01-01", "period": "2027", "value": 70.0, "series": "Target"},
        {"date": "2030-01-01", "period": "2030", "value": 80.0, "series": "Target"},
    ]
    assert [p["value"] for p in layer(spec, "target_path")["data"]["values"]] == [40.0, 70.0, 80.0]
    assert layer(spec, "baseline")["mark"]["type"] == "rule"
    assert layer(spec, "target")["encoding"]["color"]["scale"]["domain"] == ["Actual", "Target", "Baseline"]
    assert spec["title"] == {"text": "T-HIGH Test", "subtitle": "", "anchor": "start"}
    assert layer(spec, "actual")["encoding"]["y"]["title"] == "Value (%)"
    assert layer(spec, "actual")["encoding"]["x"]["axis"] == {"format": "%Y",
                                                              "tickCount": {"interval": "year", "step": 1}}


def test_a_series_without_targets_says_so_and_keeps_the_target_layer():
    spec = charts.series([("2025-07", 3)], "", None, [])
    assert [part["name"] for part in spec["layer"]] == ["actual", "target_path", "target"]
    assert layer(spec, "target")["data"]["values"] == []
    assert spec["title"]["subtitle"] == "No target set"
    assert layer(spec, "actual")["data"]["values"][0]["date"] == "2025-07-01"


def test_bars_with_target_ticks_sorted_highest_first():
    spec = charts.bars_with_targets([{"label": "Ha Noi", "value": 80.0, "target": 100.0},
                                     {"label": "Da Nang", "value": 50.0, "target": None},
                                     {"label": "Chiang Mai", "value": 25.0, "target": 30.0}], "kWh", "City")
    actual, target = layer(spec, "actual"), layer(spec, "target")
    assert actual["encoding"]["y"]["sort"] == ["Ha Noi", "Da Nang", "Chiang Mai"]
    assert [b["value"] for b in actual["data"]["values"]] == [80.0, 50.0, 25.0]
    assert target["mark"]["type"] == "tick"
    assert target["data"]["values"] == [{"label": "Ha Noi", "value": 100.0, "series": "Target"},
                                        {"label": "Chiang Mai", "value": 30.0, "series": "Target"}]
    assert spec["height"] == 280


def test_period_dates_and_bad_values_are_refused():
    assert [charts.period_date(p) for p in ("2025", "2025-Q3", "2025-11")] == ["2025-01-01", "2025-07-01",
                                                                             "2025-11-01"]
    with pytest.raises(ValueError, match="is not a finite number"):
        charts.series([("2025", float("nan"))], "", None, [])
    with pytest.raises(ValueError, match="“25” is not a year"):
        charts.series([("25", 1)], "", None, [])


def test_specs_are_plain_json_with_no_external_url():
    spec = charts.series([("2025", 1)], "%", (2020, 0), [(2030, 2)])
    text = json.dumps(spec)
    assert text.count("://") == 1  # the schema identifier only


def test_titles_go_through_the_translator():
    with translator.using(str.upper):
        spec = charts.bars_with_targets([{"label": "A", "value": 1, "target": 2}], "", "City")
        assert layer(spec, "actual")["encoding"]["color"]["scale"]["domain"] == ["ACTUAL", "TARGET"]


def test_specs_validate_against_the_vega_lite_schema():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    for spec in (charts.series([("2025", 60), ("2024", 50)], "%", (2020, 40), [(2030, 80)], "x"),
                 charts.series([("2025-Q2", 1)], "", None, []),
                 charts.bars_with_targets([{"label": "A", "value": 1, "target": 2}], "kWh", "City", "t"),
                 charts.share_bars([{"label": "Civic and Social", "count": 34, "share": 25}], "Focus area", "t"),
                 charts.trend(TREND, "Projects", "Projects per round"), charts.trend([], "Share (%)")):
        errors = sorted(validator.iter_errors(spec), key=str)
        assert errors == [], errors[0].message if errors else ""


TREND = [{"year": 2021, "series": "Projects", "basis": "published", "value": 65},
         {"year": 2025, "series": "Projects", "basis": "published", "value": 134},
         {"year": 2025, "series": "Projects", "basis": "computed", "value": 134}]


def test_share_bars_keep_the_order_given_and_label_count_and_share():
    spec = charts.share_bars([{"label": "Ongoing", "count": 108, "share": 81},
                              {"label": "Planning", "count": 8, "share": 6}], "Status", "Projects by status")
    assert spec["data"]["values"] == [
        {"label": "Ongoing", "count": 108, "share": 81.0, "text": "108 (81%)"},
        {"label": "Planning", "count": 8, "share": 6.0, "text": "8 (6%)"}]
    bars, labels = layer(spec, "bars"), layer(spec, "labels")
    assert bars["encoding"]["y"] == {"field": "label", "type": "nominal", "title": "Status", "sort": None}
    assert bars["encoding"]["x"]["title"] == "Share of the projects (%)"
    assert labels["mark"]["type"] == "text" and labels["encoding"]["text"] == {"field": "text"}
    assert spec["title"]["text"] == "Projects by status" and spec["height"] == 60
    with pytest.raises(ValueError, match="share of Ongoing is not a finite number"):
        charts.share_bars([{"label": "Ongoing", "count": 1, "share": float("inf")}], "Status")


def test_the_trend_draws_published_figures_as_a_line_and_computed_ones_apart():
    spec = charts.trend(TREND, "Projects", "Projects per round")
    line, published, computed = layer(spec, "published_line"), layer(spec, "published"), layer(spec, "computed")
    assert line["data"]["values"] == published["data"]["values"] == [
        {"year": "2021", "series": "Projects", "basis": "Published", "value": 65.0},
        {"year": "2025", "series": "Projects", "basis": "Published", "value": 134.0}]
    assert computed["data"]["values"] == [{"year": "2025", "series": "Projects", "basis": "Computed", "value": 134.0}]
    assert (published["mark"]["filled"], computed["mark"]["filled"]) == (True, False)
    assert computed["encoding"]["shape"]["scale"] == {"domain": ["Published", "Computed"], "range": ["circle", "diamond"]}
    assert computed["encoding"]["color"]["legend"] is None  # one series: no colour legend
    assert line["encoding"]["x"]["title"] == "Reporting round"


def test_a_trend_of_several_series_has_a_colour_legend_and_refuses_an_unknown_basis():
    rows = [{"year": 2022, "series": s, "basis": "published", "value": v}
            for s, v in (("Ongoing", 75.32), ("Planning", 22.08))]
    spec = charts.trend(rows, "Share (%)")
    assert layer(spec, "published")["encoding"]["color"] == {"field": "series", "type": "nominal", "title": None,
                                                             "sort": ["Ongoing", "Planning"]}
    with pytest.raises(ValueError, match="basis 'guessed' is neither published nor computed"):
        charts.trend([{**rows[0], "basis": "guessed"}], "Share (%)")
