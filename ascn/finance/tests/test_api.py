"""POST /api/v1/finance/appraise and /finance/simulate: results, and a 422 naming each bad field."""

import json

import numpy_financial as npf
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

MODEL = {
    "years": 3, "discount_rate": 0.1, "currency": "USD", "rates": {"JPY": 0.01},
    "lines": [{"kind": "capex", "values": [100000, 0, 0, 0], "currency": "JPY"},
              {"kind": "opex", "values": [0, 100, 100, 100]},
              {"kind": "revenue", "values": [0, 500, 500, 500]},
              {"kind": "economic_benefit", "values": [0, 50, 50, 50]}],
}


def post(path: str, body) -> tuple[int, dict]:
    data = body if isinstance(body, str) else json.dumps(body)
    response = Client().post(f"/api/v1/finance/{path}", data, content_type="application/json")
    return response.status_code, response.json()


def fields(body: dict) -> list[str]:
    return [e["field"] for e in body["errors"]]


def test_short_form():
    status, body = post("appraise", {"discount_rate": 0.08, "cash_flows": [-1000, 300, 400, 500]})
    assert status == 200
    assert body["npv"] == pytest.approx(-1000 + 300 / 1.08 + 400 / 1.08**2 + 500 / 1.08**3, rel=1e-12)
    assert body["irr"] == pytest.approx(float(npf.irr([-1000, 300, 400, 500])), rel=1e-9)
    assert body["payback_years"] == pytest.approx(2.6)
    assert body["bcr"] == pytest.approx((300 / 1.08 + 400 / 1.08**2 + 500 / 1.08**3) / 1000, rel=1e-12)
    assert body["irr_detail"]["status"] == "unique"


def test_short_form_without_a_unique_rate_says_why():
    status, body = post("appraise", {"discount_rate": 0.05, "cash_flows": [-100, 230, -132]})
    assert status == 200 and body["irr"] is None
    assert body["irr_detail"]["status"] == "multiple"
    assert [round(r, 9) for r in body["irr_detail"]["roots"]] == [0.1, 0.2]


def test_whole_model():
    status, body = post("appraise", {**MODEL, "scenarios": {"dear": {"capex": 1.2}}})
    assert status == 200
    assert body["financial_npv"] == pytest.approx(-1000 + 400 * sum(1.1 ** -t for t in (1, 2, 3)), rel=1e-12)
    assert body["table"]["capex"] == [1000.0, 0.0, 0.0, 0.0]
    assert body["financial_irr"]["status"] == "unique"
    assert {bar["driver"] for bar in body["tornado"]} == {"capex", "opex", "revenue", "economic_benefit",
                                                          "discount_rate"}
    assert body["scenarios"]["dear"]["financial_npv"] == pytest.approx(body["financial_npv"] - 200, rel=1e-12)
    capex = next(v for v in body["switching_values"] if v["driver"] == "capex")
    assert capex["financial"] == pytest.approx(400 * sum(1.1 ** -t for t in (1, 2, 3)) / 1000 - 1, rel=1e-12)


@pytest.mark.parametrize(("body", "expected"), [
    ({**MODEL, "years": -3}, ["years"]),
    ({**MODEL, "lines": [{"kind": "capex", "values": [1, 2, 0, 0, 0]}]}, ["lines[0].values"]),
    ({**MODEL, "lines": [{"kind": "capex", "values": []}]}, ["lines[0].values"]),
    ({**MODEL, "currency": "XYZ"}, ["currency"]),
    ({**MODEL, "rates": {"JPY": 0.01, "QQQ": 2}}, ["rates.QQQ"]),
    ({**MODEL, "lines": [{"kind": "capex", "values": [1, 0, 0, 0], "currency": "EUR"}]}, ["lines[0].currency"]),
    ({**MODEL, "lines": [{"kind": "capex", "values": [1e300, 0, 0, 0]}]}, ["lines[0].values"]),
    ({"discount_rate": 0.1, "cash_flows": [1] * 500}, ["cash_flows"]),
    ({"discount_rate": 0.1, "cash_flows": [-1, 2], "years": 1}, ["cash_flows"]),
    ({"discount_rate": 0.1}, ["cash_flows"]),
    ({"discount_rate": 2e9, "cash_flows": [-1, 2]}, ["discount_rate"]),
    ({"discount_rate": 0.1, "cash_flows": "many"}, ["cash_flows"]),
])
def test_invalid_models_get_a_422_naming_each_bad_field(body, expected):
    status, answer = post("appraise", body)
    assert status == 422, answer
    assert answer["code"] in ("invalid_model", "invalid_input")
    assert fields(answer) == expected


def test_a_short_line_is_padded_with_zeros_and_the_answer_says_so():
    short = {**MODEL, "lines": [{**line, "values": line["values"][:2]} if line["kind"] == "revenue" else line
                                for line in MODEL["lines"]]}
    status, body = post("appraise", short)
    assert status == 200, body
    assert body["padded"] == [{"field": "lines[2].values", "message": "padded with 0 for years 2 to 3"}]
    assert body["table"]["revenue"] == [0.0, 500.0, 0.0, 0.0]
    assert post("appraise", MODEL)[1]["padded"] == []
    status, body = post("simulate", {"model": {**short, "lines": [*MODEL["lines"][:2], {"kind": "revenue",
                                                                                        "values": [0, 5, 5]}]},
                                     "iterations": 100, "seed": 1,
                                     "drivers": {"capex": {"kind": "uniform", "low": 0.9, "high": 1.1}}})
    assert status == 200, body
    assert body["padded"] == [{"field": "model.lines[2].values", "message": "padded with 0 for year 3"}]


def test_non_finite_numbers_are_refused_not_computed():
    status, answer = post("appraise", '{"discount_rate": 0.1, "cash_flows": [-100, Infinity, NaN]}')
    assert status == 422
    assert fields(answer) == ["cash_flows"]
    assert "finite" in answer["detail"]


def test_simulation_is_repeatable_with_its_seed():
    body = {"model": MODEL, "iterations": 5000, "seed": 12,
            "drivers": {"capex": {"kind": "pert", "low": 0.9, "mode": 1, "high": 1.4},
                        "revenue": {"kind": "triangular", "low": 0.7, "mode": 1, "high": 1.1}},
            "correlation": [[1, 0.3], [0.3, 1]]}
    status, first = post("simulate", body)
    assert status == 200
    assert (first["seed"], first["iterations"]) == (12, 5000)
    assert sum(first["financial_npv"]["histogram_counts"]) == 5000
    assert 0 <= first["financial_npv"]["probability_negative"] <= 1
    assert post("simulate", body)[1] == first
    unseeded = post("simulate", {**body, "seed": None})[1]
    assert isinstance(unseeded["seed"], int)
    assert post("simulate", {**body, "seed": unseeded["seed"]})[1] == unseeded


@pytest.mark.parametrize(("changes", "expected"), [
    ({"drivers": {"tax": {"kind": "uniform", "low": 0, "high": 1}}}, ["drivers.tax"]),
    ({"drivers": {"capex": {"kind": "normal", "mean": 1}}}, ["drivers.capex.sd"]),
    ({"iterations": 10**9}, ["iterations"]),
    ({"model": {**MODEL, "years": 0}}, ["model.years"]),
    ({"drivers": {"capex": {"kind": "uniform", "low": 0.9, "high": 1.1}}, "correlation": [[1, 0.5]]},
     ["correlation"]),
])
def test_invalid_simulations_get_a_422_naming_each_bad_field(changes, expected):
    body = {"model": MODEL, "iterations": 1000, "seed": 1,
            "drivers": {"capex": {"kind": "uniform", "low": 0.9, "high": 1.1}}} | changes
    status, answer = post("simulate", body)
    assert status == 422, answer
    assert fields(answer) == expected
