"""The Vega-Lite specs (pure): exact inline data, translated titles, finite numbers only."""

import json
import math
import re
from pathlib import Path

import pytest

from ascn.core import translator
from ascn.finance import charts
from ascn.finance.engine import Summary, TornadoBar

SCHEMA_FILE = Path(__file__).with_name("vega-lite-schema.json")  # build/vega-lite-schema.json of vega-lite 6.5.0

TABLE = {
    "year": [0.0, 1.0, 2.0],
    "capex": [100.0, 0.0, 0.0],
    "opex": [0.0, 10.0, 10.0],
    "revenue": [0.0, 60.004, 70.0],
    "avoided_cost": [0.0, 0.0, 0.0],
    "economic_benefit": [0.0, 5.556, 5.0],
    "residual_value": [0.0, 0.0, 20.0],
    "financial_flow": [-100.0, 50.004, 80.0],
    "economic_flow": [-100.0, 55.56, 85.0],
    "debt_balance": [0.0, 0.0, 0.0],
}
BARS = [TornadoBar("capex", 30.0, -10.0, 40.0, 0.0), TornadoBar("opex", 15.5, 4.5, 20.0, 10.0)]
SUMMARY = Summary(mean=2.0, sd=9.0, p10=-9.5, p50=2.25, p90=12.0, probability_negative=0.125,
                  histogram_edges=[-15.0, -5.0, 5.0, 15.0], histogram_counts=[1, 5, 2])


def all_specs() -> list[dict]:
    return [charts.cash_flows(TABLE, "USD", 2026), charts.tornado(BARS, 10.0, "USD", {"capex": "Capital cost"}),
            charts.npv_distribution(SUMMARY, "USD")]


def layer(spec: dict, index: int) -> dict:
    return spec["layer"][index]


def test_cash_flows_data_by_component_with_outflows_negative_and_zero_components_left_out():
    spec = charts.cash_flows(TABLE, "USD")
    assert layer(spec, 0)["data"]["values"] == [
        {"year": 0, "component": "Revenue", "amount": 0.0},
        {"year": 1, "component": "Revenue", "amount": 60.0},
        {"year": 2, "component": "Revenue", "amount": 70.0},
        {"year": 0, "component": "Economic benefits", "amount": 0.0},
        {"year": 1, "component": "Economic benefits", "amount": 5.56},
        {"year": 2, "component": "Economic benefits", "amount": 5.0},
        {"year": 0, "component": "Residual value", "amount": 0.0},
        {"year": 1, "component": "Residual value", "amount": 0.0},
        {"year": 2, "component": "Residual value", "amount": 20.0},
        {"year": 0, "component": "Capital expenditure", "amount": -100.0},
        {"year": 1, "component": "Capital expenditure", "amount": 0.0},
        {"year": 2, "component": "Capital expenditure", "amount": 0.0},
        {"year": 0, "component": "Operating expenditure", "amount": 0.0},
        {"year": 1, "component": "Operating expenditure", "amount": -10.0},
        {"year": 2, "component": "Operating expenditure", "amount": -10.0},
    ]
    colour = layer(spec, 0)["encoding"]["color"]["scale"]
    assert "Avoided costs" not in colour["domain"]
    assert colour["domain"][-1] == "Cumulative financial flow"
    assert len(colour["domain"]) == len(colour["range"]) == 6
    assert "-0.0" not in json.dumps(spec)  # negated zeros are written as 0.0


def test_cash_flows_cumulative_line_and_axes():
    spec = charts.cash_flows(TABLE, "EUR")
    line = layer(spec, 1)
    assert line["data"]["values"] == [{"year": 0, "cumulative": -100.0}, {"year": 1, "cumulative": -50.0},
                                      {"year": 2, "cumulative": 30.0}]
    assert line["mark"] == {"type": "line", "point": True}
    assert layer(spec, 0)["encoding"]["x"]["type"] == "ordinal"
    assert layer(spec, 0)["encoding"]["x"]["title"] == "Year"
    assert layer(spec, 0)["encoding"]["y"]["title"] == "Amount (EUR)"


def test_cash_flows_with_a_start_year_uses_calendar_years():
    spec = charts.cash_flows(TABLE, "USD", start_year=2026)
    assert [row["year"] for row in layer(spec, 1)["data"]["values"]] == [2026, 2027, 2028]
    assert {row["year"] for row in layer(spec, 0)["data"]["values"]} == {2026, 2027, 2028}


def test_tornado_segments_from_the_base_and_the_base_rule():
    spec = charts.tornado(BARS, 10.004, "USD", {"capex": "Capital cost"})
    assert layer(spec, 0)["data"]["values"] == [
        {"driver": "Capital cost", "case": "Driver lowered", "start": 10.0, "npv": 30.0},
        {"driver": "Capital cost", "case": "Driver raised", "start": 10.0, "npv": -10.0},
        {"driver": "opex", "case": "Driver lowered", "start": 10.0, "npv": 15.5},
        {"driver": "opex", "case": "Driver raised", "start": 10.0, "npv": 4.5},
    ]
    encoding = layer(spec, 0)["encoding"]
    assert (encoding["x"]["field"], encoding["x2"]["field"]) == ("start", "npv")
    assert encoding["y"]["sort"] is None  # the order given: widest first
    assert encoding["color"]["scale"]["domain"] == ["Driver lowered", "Driver raised"]
    assert layer(spec, 1)["mark"]["type"] == "rule"
    assert layer(spec, 1)["data"]["values"] == [{"npv": 10.0}]
    assert encoding["x"]["title"] == "Financial NPV (USD)"


def test_npv_distribution_bins_colours_percentiles_and_probability():
    spec = charts.npv_distribution(SUMMARY, "USD")
    assert layer(spec, 0)["data"]["values"] == [
        {"start": -15.0, "end": -5.0, "count": 1, "side": "NPV below zero"},
        {"start": -5.0, "end": 5.0, "count": 5, "side": "NPV zero or above"},  # a bin's middle decides
        {"start": 5.0, "end": 15.0, "count": 2, "side": "NPV zero or above"},
    ]
    encoding = layer(spec, 0)["encoding"]
    assert (encoding["x"]["field"], encoding["x2"]["field"], encoding["y"]["field"]) == ("start", "end", "count")
    assert encoding["color"]["field"] == "side"
    assert encoding["color"]["scale"]["domain"] == ["NPV below zero", "NPV zero or above"]
    percentiles = layer(spec, 1)
    assert percentiles["data"]["values"] == [{"label": "P10", "npv": -9.5}, {"label": "P50", "npv": 2.25},
                                             {"label": "P90", "npv": 12.0}]
    assert [part["mark"]["type"] for part in percentiles["layer"]] == ["rule", "text"]
    assert percentiles["layer"][1]["encoding"]["text"] == {"field": "label"}
    assert spec["title"]["text"] == "P(NPV < 0) = 12.5 %"


def test_probability_text_has_one_decimal():
    assert charts.probability_text(0.0) == "P(NPV < 0) = 0.0 %"
    assert charts.probability_text(1 / 3) == "P(NPV < 0) = 33.3 %"
    assert charts.probability_text(1.0) == "P(NPV < 0) = 100.0 %"


def test_a_single_zero_width_bin_is_widened_to_show():
    summary = Summary(5.0, 0.0, 5.0, 5.0, 5.0, 0.0, [5.0, 5.0], [100])
    bins = layer(charts.npv_distribution(summary, "USD"), 0)["data"]["values"]
    assert bins == [{"start": 4.5, "end": 5.5, "count": 100, "side": "NPV zero or above"}]


def test_every_spec_shares_the_frame_and_is_json_with_no_urls():
    for spec in all_specs():
        assert spec["$schema"] == "https://vega.github.io/schema/vega-lite/v6.json"
        assert spec["width"] == "container"
        assert spec["height"] == 260
        assert "font" not in json.dumps(spec["config"])
        text = json.dumps(spec, allow_nan=False)
        assert text.count("://") == 1  # the schema identifier only
        assert json.loads(text) == spec


def test_non_finite_inputs_are_refused_by_name():
    with pytest.raises(ValueError, match=r"opex\[1\]"):
        charts.cash_flows({**TABLE, "opex": [0.0, math.nan, 10.0]}, "USD")
    with pytest.raises(ValueError, match=r"financial_flow\[2\]"):
        charts.cash_flows({**TABLE, "financial_flow": [-100.0, 50.0, math.inf]}, "USD")
    with pytest.raises(ValueError, match=r"opex\.high_npv"):
        charts.tornado([TornadoBar("opex", 1.0, -math.inf, 1.0, 1.0)], 0.0, "USD")
    with pytest.raises(ValueError, match="base_npv"):
        charts.tornado(BARS, math.nan, "USD")
    with pytest.raises(ValueError, match="p50"):
        charts.npv_distribution(Summary(0.0, 1.0, -1.0, math.nan, 1.0, 0.5, [-1.0, 1.0], [2]), "USD")
    with pytest.raises(ValueError, match=r"histogram_edges\[1\]"):
        charts.npv_distribution(Summary(0.0, 1.0, -1.0, 0.0, 1.0, 0.5, [-1.0, math.nan], [2]), "USD")


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="capex"):
        charts.cash_flows({**TABLE, "capex": [100.0, 0.0]}, "USD")
    with pytest.raises(ValueError, match="histogram_edges"):
        charts.npv_distribution(Summary(0.0, 1.0, -1.0, 0.0, 1.0, 0.5, [-1.0, 0.0, 1.0], [2]), "USD")


def upper_outside_placeholders(message: str) -> str:
    return re.sub(r"(%\(\w+\)\w)|([^%]+)", lambda m: m.group(1) or m.group(2).upper(), message)


def test_titles_and_labels_go_through_the_translator():
    with translator.using(upper_outside_placeholders):
        spec = charts.cash_flows(TABLE, "USD")
        assert layer(spec, 0)["encoding"]["x"]["title"] == "YEAR"
        assert layer(spec, 0)["encoding"]["y"]["title"] == "AMOUNT (USD)"
        assert layer(spec, 0)["data"]["values"][0]["component"] == "REVENUE"
        assert layer(charts.tornado(BARS, 0.0, "USD"), 0)["data"]["values"][0]["case"] == "DRIVER LOWERED"
        assert charts.npv_distribution(SUMMARY, "USD")["title"]["text"] == "P(NPV < 0) = 12.5 %"
    assert layer(charts.cash_flows(TABLE, "USD"), 0)["encoding"]["x"]["title"] == "Year"


def test_specs_are_valid_vega_lite():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    for spec in all_specs():
        errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(spec)]
        assert errors == []


ZEROS = {key: [0.0] * 3 for key in TABLE} | {"year": [0.0, 1.0, 2.0]}


def test_a_chart_with_nothing_to_draw_says_so_instead():
    """A new case's amounts are all zero: the specs carry the sentence charts.js shows in place of the chart (an
    empty scale makes Vega warn "Infinite extent"); a chart with figures carries none."""
    empty = charts.cash_flows(ZEROS, "USD", 2026)
    assert empty["usermeta"] == {"empty": "Add amounts to see the chart"}
    assert layer(empty, 0)["data"]["values"] == []
    still = [TornadoBar("capex", 0.0, 0.0, 0.0, 0.0), TornadoBar("opex", 0.0, 0.0, 0.0, 0.0)]
    assert charts.tornado(still, 0.0, "USD")["usermeta"] == {"empty": "Add amounts to see the chart"}
    assert charts.npv_distribution(Summary(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, [0.0, 1.0], [0]), "USD")["usermeta"] == {
        "empty": "Add amounts to see the chart"}
    for spec in all_specs():
        assert "usermeta" not in spec
    with translator.using(upper_outside_placeholders):
        assert charts.cash_flows(ZEROS, "USD")["usermeta"]["empty"] == "ADD AMOUNTS TO SEE THE CHART"


def test_a_long_horizon_labels_about_a_dozen_years_that_do_not_overlap():
    years = list(range(2026, 2077))  # 50 years: 51 bars
    assert charts.year_labels(years) == list(range(2026, 2077, 5))
    assert charts.year_labels(years[:21]) == list(range(2026, 2047, 2))
    assert charts.year_labels(years[:12]) == years[:12]
    assert charts.year_labels(list(range(101))) == list(range(0, 101, 10))
    table = {key: [1.0] * 51 for key in TABLE} | {"year": [float(i) for i in range(51)]}
    axis = layer(charts.cash_flows(table, "USD", 2026), 0)["encoding"]["x"]["axis"]
    assert axis == {"labelAngle": 0, "values": list(range(2026, 2077, 5)), "labelOverlap": "greedy",
                    "labelSeparation": 6}


def test_the_legend_sits_under_the_chart_with_room_for_long_labels():
    for spec in all_specs():
        assert spec["config"]["legend"] == {"orient": "bottom", "labelLimit": 320}


def test_empty_specs_are_valid_vega_lite_too():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    spec = charts.cash_flows(ZEROS, "USD", 2026)
    assert [error.message for error in validator.iter_errors(spec)] == []
