"""The business case's PDF carries the charts of its page (cash flows, tornado, NPV distribution), drawn on the
server as SVG from the same Vega-Lite specs, with their text in the shipped fonts; the figures' tables stay."""

from __future__ import annotations

import time

import pytest

from ascn.core.testing.pdf import pdf_fonts, pdf_text
from ascn.finance import exporting, reporting
from ascn.finance.actions import business_cases as actions
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db

INPUTS = {
    "years": 10, "discount_rate": 0.08, "currency": "USD",
    "lines": [{"kind": "capex", "values": [1000] + [0] * 10, "label": "Build"},
              {"kind": "revenue", "values": [0] + [300] * 10, "label": "Fees"},
              {"kind": "opex", "values": [0] + [60] * 10, "label": "Running"}],
}
RISK = {"drivers": {"revenue": {"kind": "triangular", "low": 0.7, "mode": 1.0, "high": 1.1}}, "iterations": 2000,
        "seed": 11}
SHIPPED = {"ASCN-Noto-Sans", "ASCN-Noto-Sans-Bold", "ASCN-Noto-Sans-Vietnamese", "ASCN-Noto-Sans-Vietnamese-Bold",
           "ASCN-Noto-Sans-Thai", "ASCN-Noto-Sans-Thai-Bold"}


def case(user, **extra):
    return actions.create_business_case(user, Project.objects.get(reference="A111"),
                                        {"scenario": "Base case", "inputs": INPUTS, **extra})


def test_the_pdf_prints_the_three_charts_of_the_page(client, csco_danang, weasyprint):
    saved = case(csco_danang, risk=RISK, is_published=True)
    started = time.perf_counter()
    response = client.get(f"/financing/business-cases/{saved.pk}/export.pdf")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    lines = [line.strip() for line in text.splitlines()]
    # Each chart's own labels, as drawn: the cash flows' axis, the tornado's axis and cases, the histogram's
    # title, axes and percentile marks (each on a line of its own), and the legends (a line each).
    for label in ("Cash flows by year", "Amount (USD)", "Year", "Financial NPV (USD)", "Driver lowered",
                  "Driver raised", "NPV (USD)", "Simulations", "P10", "P50", "P90", "P(NPV < 0) = 0.0 %"):
        assert label in lines, label
    assert "Revenue Capital expenditure Operating expenditure Cumulative financial flow" in lines
    assert "NPV below zero NPV zero or above" in lines
    assert "NPV with the driver lowered" in " ".join(lines)  # the tornado's table is kept beside its chart
    assert pdf_fonts(response.content) <= SHIPPED
    assert elapsed < 30  # a guard only: about 1 s in a warm process, 3 s in a fresh one (docs/monitoring-report.md)


def test_the_charts_are_the_page_specs_drawn_at_the_pdf_widths(csco_danang):
    saved = case(csco_danang, risk=RISK)
    specs = reporting.context(saved.results, saved.inputs)["charts"]
    drawn = exporting.chart_svgs(specs)
    assert set(drawn) == {"cash_flows", "tornado", "npv_distribution"}
    for key, svg in drawn.items():
        assert svg.startswith("<svg ") and f'width="{exporting.CHART_WIDTHS[key]}"' in svg[:300]
    assert ">Cumulative financial flow</text>" in drawn["cash_flows"]
    assert ">Driver raised</text>" in drawn["tornado"] and ">Simulations</text>" in drawn["npv_distribution"]


def test_without_a_simulation_there_is_no_distribution_chart(client, csco_danang, weasyprint):
    saved = case(csco_danang, is_published=True)
    assert set(exporting.chart_svgs(reporting.context(saved.results, saved.inputs)["charts"])) == {
        "cash_flows", "tornado"}
    text = pdf_text(client.get(f"/financing/business-cases/{saved.pk}/export.pdf").content)
    lines = [line.strip() for line in text.splitlines()]
    assert "Driver raised" in lines and "Amount (USD)" in lines and "Simulations" not in lines


def test_a_case_without_amounts_prints_what_its_charts_need_instead_of_empty_charts(client, csco_danang, weasyprint):
    zeros = {**INPUTS, "lines": [{"kind": "capex", "values": [0] * 11, "label": "Capital cost"}]}
    saved = case(csco_danang, inputs=zeros, is_published=True)
    svgs = exporting.chart_svgs(reporting.chart_specs(saved.results, saved.inputs))
    assert svgs["cash_flows"] == '<p class="chart-empty">Add amounts to see the chart</p>'
    assert svgs["tornado"] == '<p class="chart-empty">Add amounts to see the chart</p>'
    text = pdf_text(client.get(f"/financing/business-cases/{saved.pk}/export.pdf").content)
    assert text.count("Add amounts to see the chart") == 2
