"""Analysis pages: a city's scorecard, an indicator's time series for a city, comparing cities, network
roll-ups and the network scorecard. Each page is also a download: `?format=csv` or `?format=json` with the
same filters gives exactly the figures shown (CSV cells are formula-safe)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ascn.core import numbers
from ascn.core.http import Request
from ascn.core.lookups import visible_or_404
from ascn.network.models import City
from ascn.plans.exporting import shielded

from .. import charts, scorecard
from ..forms.analysis import CompareForm, NetworkForm, RoundForm
from ..models import Indicator
from ..queries import analysis as queries

PAGE_SIZE = 50
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}

SCORECARD_COLUMNS = ["indicator", "name", "unit", "direction", "baseline", "baseline_year", "latest", "latest_period",
                     "target", "target_year", "progress_percent", "progress_raw", "expected_percent", "rag", "trend",
                     "note", "observations_in_round", "on_time", "open_flags", "synthetic"]
SERIES_COLUMNS = ["period", "value", "target", "target_year", "verification", "open_flags", "synthetic"]
COMPARE_COLUMNS = ["city", "name", "country", "period", "value", "target", "target_year", "population",
                   "population_year", "area", "area_year", "band", "normalised", "normalised_target", "synthetic"]
ROLLUP_COLUMNS = ["group_code", "group_name", "indicator", "name", "unit", "aggregation", "cities", "value", "target",
                  "target_cities", "without_population", "synthetic"]
NETWORK_COLUMNS = ["city", "name", "country", "assigned", "green", "amber", "red", "not_rated", "with_value",
                   "completeness", "observations", "on_time", "timeliness", "open_flags", "synthetic"]
# Every download has the `synthetic` column (per row) and field (in its header): true where the row's figures
# include the demo's made-up records (manage.py demo_data, see ascn.core.synthetic).


# --- Downloads --------------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return shielded(value)
    if isinstance(value, float):
        return numbers.plain(value)  # 0.00001, not 1e-05
    return value


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: spreadsheets open UTF-8 correctly


def download(fmt: str, rows: list[dict[str, Any]], columns: Sequence[str], filename: str,
             meta: dict[str, Any] | None = None) -> HttpResponse:
    """The rows as CSV (columns in order) or JSON ({**meta, "items": [...], "count": N})."""
    if fmt == "csv":
        body = to_csv(rows, columns)
    else:
        items = [{c: row.get(c) for c in columns} for row in rows]
        body = json.dumps({**(meta or {}), "items": items, "count": len(items)}, ensure_ascii=False,
                          default=str).encode("utf-8")
    response = HttpResponse(body, content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _format(request: Request) -> str | None:
    fmt = request.GET.get("format") or None
    if fmt is not None and fmt not in DOWNLOADS:
        raise Http404(_("Unknown download format “%(format)s”: use csv or json.") % {"format": fmt})
    return fmt


def _query(request: Request, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", "format", *drop):
        query.pop(name, None)
    return query.urlencode()


def _errors_text(form: BaseForm) -> str:
    """A bound form's errors as one line: "field: message; field: message"."""
    return "; ".join(f"{name}: {' '.join(map(str, errs))}" for name, errs in form.errors.items())


def _bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _city(request: Request, slug: str) -> City:
    return visible_or_404(queries.cities(request.user), _("No city at this address."), slug=slug)


def _round(request: Request, with_cities: bool = False) -> tuple[RoundForm, queries.RoundInfo]:
    form = RoundForm(request.GET or None, years=queries.round_years(request.user))
    year = form.cleaned_data.get("round") if form.is_valid() else None
    return form, queries.reporting_round(request.user, year, with_cities)


def quality_dict(card: queries.CityScorecard) -> dict[str, Any]:
    q = card.quality
    return {"assigned": q.assigned, "with_value": q.with_value, "completeness": scorecard.percent(q.completeness),
            "observations": q.observations, "on_time": q.on_time,
            "timeliness": scorecard.percent(q.timeliness) if card.round.deadline else None,
            "open_flags": q.open_flags}


# --- City scorecard ---------------------------------------------------------------------------------------


def city_scorecard(request: Request, slug: str) -> HttpResponse:
    city = _city(request, slug)
    fmt = _format(request)
    form, round_info = _round(request)
    card = queries.city_scorecard(request.user, city, round_info)
    if fmt:
        meta = {"city": city.slug, "round": round_info.year, "deadline": round_info.deadline,
                "data_quality": quality_dict(card), "rag_counts": card.counts, "synthetic": card.synthetic}
        return download(fmt, [r.as_dict() for r in card.rows], SCORECARD_COLUMNS,
                        f"ascn-scorecard-{city.slug}-{round_info.year}", meta)
    return render(request, "monitoring/analysis_scorecard.html", {
        "city": city, "card": card, "form": form, "quality": quality_dict(card), "query": _query(request),
        "data_url": queries.data_entry_url(request.user, city)})


# --- Series -----------------------------------------------------------------------------------------------


def _indicator(request: Request, code: str) -> Indicator:
    try:
        return queries.indicator(request.user, code)
    except Indicator.DoesNotExist:
        raise Http404(_("No indicator “%(code)s”.") % {"code": code}) from None


def series_rows(result: queries.Series) -> list[dict[str, Any]]:
    rows = []
    for o in result.observations:
        chosen = scorecard.nearest_target(result.targets, o.year)
        rows.append({"period": o.period, "value": o.value, "target": chosen[1] if chosen else None,
                     "target_year": chosen[0] if chosen else None, "verification": o.verification,
                     "verification_label": o.get_verification_display(), "open_flags": queries.open_flags(o),
                     "flags": o.flags, "synthetic": o.synthetic})
    return rows


def series_chart(result: queries.Series) -> dict[str, Any]:
    a = result.assignment
    baseline = None
    if a is not None and a.baseline_value is not None and a.baseline_year is not None:
        baseline = (a.baseline_year, a.baseline_value)
    return charts.series([(o.period, o.value) for o in result.observations], result.indicator.unit, baseline,
                         result.targets, f"{result.indicator.code} {result.indicator.display_name}")


def city_series(request: Request, slug: str, code: str) -> HttpResponse:
    city = _city(request, slug)
    item = _indicator(request, code)
    fmt = _format(request)
    result = queries.series(request.user, city, item)
    rows = series_rows(result)
    if fmt:
        a = result.assignment
        meta = {"city": city.slug, "indicator": item.code, "unit": item.unit, "direction": item.direction,
                "baseline": a.baseline_value if a else None, "baseline_year": a.baseline_year if a else None,
                "targets": [{"year": y, "value": v} for y, v in result.targets], "synthetic": result.synthetic,
                "synthetic_baseline_and_targets": bool(a and a.synthetic)}
        return download(fmt, rows, SERIES_COLUMNS, f"ascn-series-{city.slug}-{slugify(item.code)}", meta)
    context = {"city": city, "indicator": item, "result": result, "rows": rows, "chart": series_chart(result),
               "chart_id": f"chart-series-{item.pk}", "query": _query(request),
               "data_url": queries.data_entry_url(request.user, city)}
    template = "monitoring/analysis_series.html#chart" if request.htmx else "monitoring/analysis_series.html"
    return render(request, template, context)


# --- Compare ----------------------------------------------------------------------------------------------


def compare_rows(result: queries.Comparison) -> list[dict[str, Any]]:
    return [{**row, "city": row["slug"]} for row in result.rows]


def compare(request: Request) -> HttpResponse:
    fmt = _format(request)
    form = CompareForm(request.GET or None, indicators=queries.indicator_choices(request.user))
    result, error = None, None
    if form.is_valid():
        item = _indicator(request, form.cleaned_data["indicator"])
        try:
            result = queries.compare(request.user, item, form.cleaned_data["period"] or None,
                                     form.cleaned_data["normalise"] or "none", form.cleaned_data["band"] or None)
        except queries.AnalysisError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            error = exc.message
    elif form.is_bound:
        error = _errors_text(form)
    if fmt:
        if result is None:
            return _bad_request(error or _("indicator: choose an indicator to download."))
        meta = {"indicator": result.indicator.code, "period": result.period, "normalise": result.normalise,
                "band": result.band, "unit": result.unit, "synthetic": result.synthetic,
                "left_out": [{"city": r["slug"], "reason": r["reason"]} for r in result.left_out]}
        return download(fmt, compare_rows(result), COMPARE_COLUMNS,
                        f"ascn-compare-{slugify(result.indicator.code)}-{result.period or 'none'}", meta)
    chart = None
    if result and result.rows:
        chart = charts.bars_with_targets(
            [{"label": r["name"], "value": r["normalised"], "target": r["normalised_target"]} for r in result.rows],
            result.unit, _("City"), f"{result.indicator.code} {result.indicator.display_name} ({result.period})")
    return render(request, "monitoring/analysis_compare.html", {
        "form": form, "result": result, "chart": chart, "query": _query(request),
        "status": 400 if error else 200}, status=400 if error else 200)


# --- Network roll-ups and scorecard -------------------------------------------------------------------------


def rollup_rows(result: queries.Rollups) -> list[dict[str, Any]]:
    return [{**row, "indicator": row["code"]} for row in result.rows]


def network(request: Request) -> HttpResponse:
    fmt = _format(request)
    form = NetworkForm(request.GET or None, indicators=queries.indicator_choices(request.user))
    result, error = None, None
    by, item, period = "country", None, None
    if form.is_valid():
        by = form.cleaned_data["by"] or "country"
        period = form.cleaned_data["period"] or None
        if form.cleaned_data["indicator"]:
            item = _indicator(request, form.cleaned_data["indicator"])
    elif form.is_bound:
        error = _errors_text(form)
    if error is None:
        result = queries.rollups(request.user, by, period, item)
    if fmt:
        if result is None:
            return _bad_request(error or "")
        meta = {"by": result.by, "period": result.period, "indicator": item.code if item else None,
                "synthetic": result.synthetic}
        return download(fmt, rollup_rows(result), ROLLUP_COLUMNS, f"ascn-rollups-{result.by}-{result.period}", meta)
    chart = None
    if result and item and result.rows:
        chart = charts.bars_with_targets(
            [{"label": r["group_name"], "value": r["value"], "target": r["target"]} for r in result.rows],
            item.unit, str(form.fields["by"].label), f"{item.code} {item.display_name} ({result.period})")
    page = Paginator(result.rows if result else [], PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/analysis_network.html", {
        "form": form, "result": result, "page": page, "chart": chart, "indicator": item, "query": _query(request)},
        status=400 if error else 200)


def network_scorecard(request: Request) -> HttpResponse:
    fmt = _format(request)
    form, round_info = _round(request, with_cities=True)
    rows = queries.network_scorecard(request.user, round_info)
    if fmt:
        meta = {"round": round_info.year, "deadline": round_info.deadline,
                "synthetic": any(r["synthetic"] for r in rows)}
        return download(fmt, [{**r, "city": r["slug"]} for r in rows], NETWORK_COLUMNS,
                        f"ascn-scorecards-{round_info.year}", meta)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/analysis_scorecards.html", {
        "form": form, "round": round_info, "page": page, "query": _query(request),
        "synthetic": any(r["synthetic"] for r in rows)})


urlpatterns = [
    path("cities/<slug:slug>/scorecard/", city_scorecard, name="scorecard"),
    path("cities/<slug:slug>/indicators/<str:code>/", city_series, name="series"),
    path("compare/", compare, name="compare"),
    path("network/", network, name="network"),
    path("scorecards/", network_scorecard, name="scorecards"),
]
