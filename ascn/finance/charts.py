"""Vega-Lite chart specs for a business case: yearly cash flows, the tornado of NPV sensitivities and the
Monte Carlo NPV histogram. Pure Python, no Django: the inputs are the plain results of `engine`.

Every spec is a JSON-serialisable dict with its data inline, so a template can hand it to the page with
`json_script` and `static/js/charts.js` draws it with the vendored Vega scripts; nothing is fetched.

A chart with nothing to draw (a new case whose amounts are all zero) says so instead: its spec carries
`usermeta.empty`, the text `charts.js` shows in place of the chart (and the PDF prints), so Vega never
lays out an empty scale. A year axis labels at most about a dozen years (every 2nd, 5th or 10th year of a
long horizon) and hides labels that would still overlap on a narrow screen; legends sit under the chart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ascn.core.translator import gettext as _

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only; never downloaded
HEIGHT = 260

INFLOWS = ("revenue", "avoided_cost", "economic_benefit", "residual_value")
OUTFLOWS = ("capex", "opex")
COLOURS = {"revenue": "#2f7d4f", "avoided_cost": "#6fae7a", "economic_benefit": "#a9d3a0",
           "residual_value": "#4a6b82", "capex": "#b8432f", "opex": "#e39a6f", "cumulative": "#1f2d3a"}
LOWERED_COLOUR, RAISED_COLOUR = "#e39a6f", "#4a6b82"
BELOW_ZERO_COLOUR, ABOVE_ZERO_COLOUR = "#b8432f", "#4a6b82"
MONEY_FORMAT = ",.2f"
MOST_YEAR_LABELS = 12
YEAR_STEPS = (1, 2, 5, 10, 20, 50)


def empty_text() -> str:
    """What a chart without figures shows in its place."""
    return _("Add amounts to see the chart")


def _component_names() -> dict[str, str]:
    return {"revenue": _("Revenue"), "avoided_cost": _("Avoided costs"), "economic_benefit": _("Economic benefits"),
            "residual_value": _("Residual value"), "capex": _("Capital expenditure"),
            "opex": _("Operating expenditure")}


def _finite(value: Any, name: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} is not a finite number: {value!r}")
    return number


def _money(value: float) -> float:
    return round(value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0


def _spec(*, empty: bool = False, **parts: Any) -> dict:
    """The frame every chart shares: schema, container width, fixed height, default fonts, the legend under
    the chart; `empty`: the chart has nothing to draw, and says so (`usermeta.empty`) instead."""
    spec = {"$schema": SCHEMA, "width": "container", "height": HEIGHT, **parts,
            "config": {"view": {"stroke": None}, "legend": {"orient": "bottom", "labelLimit": 320}}}
    if empty:
        spec["usermeta"] = {"empty": empty_text()}
    return spec


def year_labels(years: Sequence[int]) -> list[int]:
    """The years an axis labels: every one up to 12 years, else every 2nd, 5th, 10th (...) year counted from
    the first, so that no more than about a dozen labels share the axis (51 years: 2026, 2031, ... 2076)."""
    step = next((s for s in YEAR_STEPS if len(years) <= MOST_YEAR_LABELS * s), YEAR_STEPS[-1])
    return list(years[::step])


def cash_flows(table: Mapping[str, Sequence[float]], currency: str, start_year: int | None = None) -> dict:
    """Stacked bars per year (inflows up, capex and opex down) with a line of the cumulative financial flow.

    `table` is `Appraisal.table`; components that are zero in every year are left out. Years are the
    model's year indices, or calendar years counted from `start_year`.
    """
    indices = [int(_finite(year, f"year[{i}]")) for i, year in enumerate(table["year"])]
    years = [index if start_year is None else start_year + index for index in indices]
    names = _component_names()
    rows, shown = [], []
    for key in (*INFLOWS, *OUTFLOWS):
        values = [_finite(v, f"{key}[{i}]") for i, v in enumerate(_column(table, key, len(years)))]
        if not any(values):
            continue
        shown.append(key)
        sign = -1.0 if key in OUTFLOWS else 1.0
        rows += [{"year": year, "component": names[key], "amount": _money(sign * v)}
                 for year, v in zip(years, values, strict=True)]
    running, cumulative = 0.0, []
    for i, (year, flow) in enumerate(zip(years, _column(table, "financial_flow", len(years)), strict=True)):
        running += _finite(flow, f"financial_flow[{i}]")
        cumulative.append({"year": year, "cumulative": _money(running)})
    amount_title = _("Amount (%(currency)s)") % {"currency": currency}
    line_name = _("Cumulative financial flow")
    colour_scale = {"domain": [*(names[key] for key in shown), line_name],
                    "range": [*(COLOURS[key] for key in shown), COLOURS["cumulative"]]}
    x = {"field": "year", "type": "ordinal", "title": _("Year"),
         "axis": {"labelAngle": 0, "values": year_labels(years), "labelOverlap": "greedy", "labelSeparation": 6}}
    return _spec(
        empty=not shown,
        layer=[
            {"data": {"values": rows}, "mark": "bar",
             "encoding": {"x": x, "y": {"field": "amount", "type": "quantitative", "title": amount_title},
                          "color": {"field": "component", "type": "nominal", "title": None, "scale": colour_scale},
                          "tooltip": [{"field": "year", "title": _("Year")},
                                      {"field": "component", "title": _("Component")},
                                      {"field": "amount", "type": "quantitative", "title": amount_title,
                                       "format": MONEY_FORMAT}]}},
            {"data": {"values": cumulative}, "mark": {"type": "line", "point": True},
             "encoding": {"x": x, "y": {"field": "cumulative", "type": "quantitative", "title": amount_title},
                          "color": {"datum": line_name, "type": "nominal"},  # on the bars' colour scale
                          "tooltip": [{"field": "year", "title": _("Year")},
                                      {"field": "cumulative", "type": "quantitative", "title": line_name,
                                       "format": MONEY_FORMAT}]}},
        ],
    )


def _column(table: Mapping[str, Sequence[float]], key: str, length: int) -> Sequence[float]:
    values = table.get(key, [0.0] * length)
    if len(values) != length:
        raise ValueError(f"{key} has {len(values)} values for {length} years")
    return values


def tornado(bars: Sequence[Any], base_npv: float, currency: str, driver_names: Mapping[str, str] | None = None
            ) -> dict:
    """One row per driver, in the order given (widest first): a segment from the base NPV to the NPV with
    the driver lowered and one to the NPV with it raised, and a rule at the base NPV.

    `bars` are `engine.TornadoBar`s; `driver_names` gives display names for the driver keys.
    """
    base = _money(_finite(base_npv, "base_npv"))
    lowered, raised = _("Driver lowered"), _("Driver raised")
    rows = []
    for bar in bars:
        label = (driver_names or {}).get(bar.driver, bar.driver)
        low = _money(_finite(bar.low_npv, f"{bar.driver}.low_npv"))
        high = _money(_finite(bar.high_npv, f"{bar.driver}.high_npv"))
        rows += [{"driver": label, "case": lowered, "start": base, "npv": low},
                 {"driver": label, "case": raised, "start": base, "npv": high}]
    npv_title = _("Financial NPV (%(currency)s)") % {"currency": currency}
    return _spec(
        empty=all(row["npv"] == base for row in rows),  # no driver moves the NPV: nothing to compare
        layer=[
            {"data": {"values": rows}, "mark": {"type": "bar", "opacity": 0.9},
             "encoding": {"y": {"field": "driver", "type": "nominal", "sort": None, "title": None},
                          "x": {"field": "start", "type": "quantitative", "title": npv_title},
                          "x2": {"field": "npv"},
                          "color": {"field": "case", "type": "nominal", "title": None,
                                    "scale": {"domain": [lowered, raised], "range": [LOWERED_COLOUR, RAISED_COLOUR]}},
                          "tooltip": [{"field": "driver", "title": _("Driver")},
                                      {"field": "case", "title": _("Case")},
                                      {"field": "npv", "type": "quantitative", "title": npv_title,
                                       "format": MONEY_FORMAT}]}},
            {"data": {"values": [{"npv": base}]},
             "mark": {"type": "rule", "color": "#1f2d3a", "strokeWidth": 1.5},
             "encoding": {"x": {"field": "npv", "type": "quantitative"},
                          "tooltip": [{"field": "npv", "type": "quantitative", "title": _("Base NPV"),
                                       "format": MONEY_FORMAT}]}},
        ],
    )


def probability_text(probability_negative: float) -> str:
    """'P(NPV < 0) = 12.5 %': the share of simulations with a negative NPV, one decimal."""
    percent = 100 * _finite(probability_negative, "probability_negative")
    return _("P(NPV < 0) = %(percent)s %%") % {"percent": f"{percent:.1f}"}


def npv_distribution(summary: Any, currency: str) -> dict:
    """Histogram of simulated NPVs with the bins below zero in their own colour, rules at P10, P50 and P90,
    and the probability of a negative NPV as the title.

    `summary` is an `engine.Summary`. A bin counts as below zero when its middle is; a single bin of zero
    width (every draw the same) is drawn 1 % of its value wide (at least 1), so that it shows.
    """
    edges = [_finite(e, f"histogram_edges[{i}]") for i, e in enumerate(summary.histogram_edges)]
    counts = [int(_finite(c, f"histogram_counts[{i}]")) for i, c in enumerate(summary.histogram_counts)]
    if len(edges) != len(counts) + 1:
        raise ValueError(f"histogram_edges has {len(edges)} values for {len(counts)} counts")
    if len(counts) == 1 and edges[0] == edges[1]:
        half = max(abs(edges[0]) * 0.005, 0.5)
        edges = [edges[0] - half, edges[1] + half]
    below, above = _("NPV below zero"), _("NPV zero or above")
    bins = [{"start": _money(start), "end": _money(end), "count": count,
             "side": below if (start + end) / 2 < 0 else above}
            for start, end, count in zip(edges[:-1], edges[1:], counts, strict=True)]
    percentiles = [{"label": label, "npv": _money(_finite(getattr(summary, name), name))}
                   for label, name in (("P10", "p10"), ("P50", "p50"), ("P90", "p90"))]
    npv_title = _("NPV (%(currency)s)") % {"currency": currency}
    empty = not any(counts)
    rule_tooltip = [{"field": "label", "title": _("Percentile")},
                    {"field": "npv", "type": "quantitative", "title": npv_title, "format": MONEY_FORMAT}]
    return _spec(
        empty=empty,
        title={"text": probability_text(summary.probability_negative), "anchor": "start"},
        layer=[
            {"data": {"values": bins}, "mark": {"type": "bar", "binSpacing": 1},
             "encoding": {"x": {"field": "start", "type": "quantitative", "bin": {"binned": True}, "title": npv_title,
                                "axis": {"labelOverlap": True}},
                          "x2": {"field": "end"},
                          "y": {"field": "count", "type": "quantitative", "title": _("Simulations")},
                          "color": {"field": "side", "type": "nominal", "title": None,
                                    "scale": {"domain": [below, above],
                                              "range": [BELOW_ZERO_COLOUR, ABOVE_ZERO_COLOUR]}},
                          "tooltip": [{"field": "start", "type": "quantitative", "title": _("From"),
                                       "format": MONEY_FORMAT},
                                      {"field": "end", "type": "quantitative", "title": _("To"),
                                       "format": MONEY_FORMAT},
                                      {"field": "count", "type": "quantitative", "title": _("Simulations")}]}},
            {"data": {"values": percentiles},
             "layer": [
                 {"mark": {"type": "rule", "color": "#1f2d3a", "strokeDash": [4, 3]},
                  "encoding": {"x": {"field": "npv", "type": "quantitative"}, "tooltip": rule_tooltip}},
                 {"mark": {"type": "text", "y": -3, "align": "center", "baseline": "bottom", "color": "#1f2d3a"},
                  "encoding": {"x": {"field": "npv", "type": "quantitative"}, "text": {"field": "label"}}},
             ]},
        ],
    )
