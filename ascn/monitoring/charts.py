"""Vega-Lite chart specs of monitoring: a city's time series against its baseline and targets, bars of
cities or groups against their targets, the M&E report's shares (by focus area, by status) and the
network's trend across reporting rounds, published figures beside computed ones. Pure Python, no Django.

Every spec is a JSON-serialisable dict with its data inline (templates hand it to the page with
`json_script`; `static/js/charts.js` draws it with the vendored Vega scripts). Targets are always drawn:
a chart without a target says so in its subtitle rather than leaving the layer out silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ascn.core.periods import Period
from ascn.core.translator import gettext as _

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only; never downloaded
HEIGHT = 280
ACTUAL_COLOUR, TARGET_COLOUR, BASELINE_COLOUR = "#1f5f8b", "#b8432f", "#6b7780"
VALUE_FORMAT = ",.4~f"


def _finite(value: Any, name: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} is not a finite number: {value!r}")
    return number


def period_date(period: str) -> str:
    """Where a period sits on a time axis: the first day of the year, quarter or month (ISO date). Raises
    PeriodError (a ValueError) for anything that is not a period."""
    return Period.parse(period).start.isoformat()


def _spec(**parts: Any) -> dict[str, Any]:
    return {"$schema": SCHEMA, "width": "container", "height": HEIGHT, **parts,
            "config": {"view": {"stroke": None}, "legend": {"orient": "bottom", "labelLimit": 240}}}


def _value_title(unit: str) -> str:
    return _("Value (%(unit)s)") % {"unit": unit} if unit else _("Value")


def series(points: Iterable[tuple[str, float]], unit: str, baseline: tuple[int, float] | None,
           targets: Sequence[tuple[int, float]], title: str = "") -> dict[str, Any]:
    """A line of the actual values by period, the targets as diamonds joined to the baseline by a dashed
    target path, and the baseline as a dashed rule. `points` are (period, value) in any order."""
    actual_name, target_name, baseline_name = _("Actual"), _("Target"), _("Baseline")
    dated = sorted(((period_date(p), p, _finite(v, f"value of {p}")) for p, v in points), key=lambda d: d[0])
    actual = [{"date": date, "period": p, "value": v, "series": actual_name} for date, p, v in dated]
    path: list[dict[str, Any]] = []
    if baseline is not None:
        path.append({"date": f"{int(baseline[0]):04d}-01-01", "period": str(baseline[0]),
                     "value": _finite(baseline[1], "baseline"), "series": baseline_name})
    marks = [{"date": f"{int(year):04d}-01-01", "period": str(year), "value": _finite(value, f"target {year}"),
              "series": target_name} for year, value in sorted(targets)]
    path += marks
    yearly = {"format": "%Y", "tickCount": {"interval": "year", "step": 1}}  # one tick per year, not two
    x = {"field": "date", "type": "temporal", "title": _("Period"), "axis": yearly}
    y = {"field": "value", "type": "quantitative", "title": _value_title(unit), "scale": {"zero": False}}
    colour = {"field": "series", "type": "nominal", "title": None,
              "scale": {"domain": [actual_name, target_name, baseline_name],
                        "range": [ACTUAL_COLOUR, TARGET_COLOUR, BASELINE_COLOUR]}}
    tooltip = [{"field": "series", "title": _("Series")}, {"field": "period", "title": _("Period")},
               {"field": "value", "type": "quantitative", "title": _value_title(unit), "format": VALUE_FORMAT}]
    layers: list[dict[str, Any]] = [
        {"name": "actual", "data": {"values": actual}, "mark": {"type": "line", "point": True},
         "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
        {"name": "target_path", "data": {"values": path},
         "mark": {"type": "line", "strokeDash": [6, 4], "color": TARGET_COLOUR, "opacity": 0.6},
         "encoding": {"x": x, "y": y}},
        {"name": "target", "data": {"values": marks},
         "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 110},
         "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
    ]
    if baseline is not None:
        layers.append({"name": "baseline", "data": {"values": path[:1]},
                       "mark": {"type": "rule", "strokeDash": [2, 3]},
                       "encoding": {"y": y, "color": colour, "tooltip": tooltip}})
    subtitle = "" if marks else _("No target set")
    return _spec(title={"text": title, "subtitle": subtitle, "anchor": "start"}, layer=layers)


def bars_with_targets(rows: Iterable[Mapping[str, Any]], unit: str, label_title: str,
                      title: str = "") -> dict[str, Any]:
    """Horizontal bars of `value` per `label`, highest first, with a tick at each row's `target` (rows
    without a target get no tick)."""
    actual_name, target_name = _("Actual"), _("Target")
    values: list[tuple[str, float]] = []
    ticks: list[dict[str, Any]] = []
    for row in rows:
        if row.get("value") is None:
            continue
        label = str(row["label"])
        values.append((label, _finite(row["value"], f"value of {label}")))
        if row.get("target") is not None:
            ticks.append({"label": label, "value": _finite(row["target"], f"target of {label}"),
                          "series": target_name})
    bars = [{"label": label, "value": value, "series": actual_name} for label, value in values]
    order = [label for label, value in sorted(values, key=lambda item: -item[1])]
    y = {"field": "label", "type": "nominal", "title": label_title, "sort": order}
    x = {"field": "value", "type": "quantitative", "title": _value_title(unit)}
    colour = {"field": "series", "type": "nominal", "title": None,
              "scale": {"domain": [actual_name, target_name], "range": [ACTUAL_COLOUR, TARGET_COLOUR]}}
    tooltip = [{"field": "label", "title": label_title}, {"field": "series", "title": _("Series")},
               {"field": "value", "type": "quantitative", "title": _value_title(unit), "format": VALUE_FORMAT}]
    height = max(HEIGHT, 22 * len(bars))
    spec = _spec(
        title={"text": title, "subtitle": "" if ticks else _("No target set"), "anchor": "start"},
        layer=[
            {"name": "actual", "data": {"values": bars}, "mark": "bar",
             "encoding": {"y": y, "x": x, "color": colour, "tooltip": tooltip}},
            {"name": "target", "data": {"values": ticks}, "mark": {"type": "tick", "thickness": 3, "size": 18},
             "encoding": {"y": y, "x": x, "color": colour, "tooltip": tooltip}},
        ],
    )
    spec["height"] = height
    return spec


def share_bars(rows: Iterable[Mapping[str, Any]], label_title: str, title: str = "") -> dict[str, Any]:
    """Horizontal bars of each row's `share` (whole per cent of the projects), in the order given, each
    labelled with its count and share. Rows: {"label", "count", "share"}."""
    share_title = _("Share of the projects (%)")
    data = [{"label": str(row["label"]), "count": int(row["count"]),
             "share": _finite(row["share"], f"share of {row['label']}"),
             "text": _("%(count)s (%(share)s%%)") % {"count": row["count"], "share": row["share"]}}
            for row in rows]
    y = {"field": "label", "type": "nominal", "title": label_title, "sort": None}
    x = {"field": "share", "type": "quantitative", "title": share_title, "scale": {"domainMin": 0}}
    tooltip = [{"field": "label", "title": label_title}, {"field": "count", "type": "quantitative",
                                                          "title": _("Projects")},
               {"field": "share", "type": "quantitative", "title": share_title}]
    spec = _spec(
        title={"text": title, "anchor": "start"}, data={"values": data},
        layer=[{"name": "bars", "mark": {"type": "bar", "color": ACTUAL_COLOUR},
                "encoding": {"y": y, "x": x, "tooltip": tooltip}},
               {"name": "labels", "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1d2a33"},
                "encoding": {"y": y, "x": x, "text": {"field": "text"}}}],
    )
    spec["height"] = max(60, 26 * len(data))
    return spec


PUBLISHED, COMPUTED = "published", "computed"


def trend(rows: Iterable[Mapping[str, Any]], value_title: str, title: str = "") -> dict[str, Any]:
    """Values by reporting round: a line through each series' published figures (the reports' own numbers)
    and a mark for every figure, a filled circle when published, a hollow diamond when computed from the
    platform's data. Rows: {"year", "series", "basis" ("published" or "computed"), "value"}; one series draws
    no colour legend."""
    names = {PUBLISHED: _("Published"), COMPUTED: _("Computed")}
    data = []
    for row in rows:
        if row["basis"] not in names:
            raise ValueError(f"basis {row['basis']!r} is neither published nor computed")
        data.append({"year": str(int(row["year"])), "series": str(row["series"]), "basis": names[row["basis"]],
                     "value": _finite(row["value"], f"value of {row['series']} in {row['year']}")})
    series = list(dict.fromkeys(d["series"] for d in data))
    basis_title = _("Figures")
    x = {"field": "year", "type": "ordinal", "title": _("Reporting round"), "axis": {"labelAngle": 0}}
    y = {"field": "value", "type": "quantitative", "title": value_title}
    colour = {"field": "series", "type": "nominal", "title": None, "sort": series,
              **({} if len(series) > 1 else {"legend": None})}
    shape = {"field": "basis", "type": "nominal", "title": basis_title,
             "scale": {"domain": [names[PUBLISHED], names[COMPUTED]], "range": ["circle", "diamond"]}}
    tooltip = [{"field": "year", "title": _("Reporting round")}, {"field": "series", "title": _("Series")},
               {"field": "basis", "title": basis_title},
               {"field": "value", "type": "quantitative", "title": value_title, "format": VALUE_FORMAT}]
    published = [d for d in data if d["basis"] == names[PUBLISHED]]
    computed = [d for d in data if d["basis"] == names[COMPUTED]]
    return _spec(
        title={"text": title, "anchor": "start"},
        layer=[
            {"name": "published_line", "data": {"values": published}, "mark": {"type": "line"},
             "encoding": {"x": x, "y": y, "color": colour}},
            {"name": "published", "data": {"values": published},
             "mark": {"type": "point", "filled": True, "size": 70, "opacity": 1},
             "encoding": {"x": x, "y": y, "color": colour, "shape": shape, "tooltip": tooltip}},
            {"name": "computed", "data": {"values": computed},
             "mark": {"type": "point", "filled": False, "size": 150, "strokeWidth": 2, "opacity": 1},
             "encoding": {"x": x, "y": y, "color": colour, "shape": shape, "tooltip": tooltip}},
        ],
    )
