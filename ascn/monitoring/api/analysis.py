"""API of monitoring analysis: city and network scorecards, comparisons, roll-ups and the pivot of values.

Open data: anonymous callers get the published indicators; a token widens the view to the caller's scope
(see `queries.analysis`). Every endpoint runs a fixed number of SQL queries, whatever the data size. Names
(indicators, cities, countries, framework groups) are the English ones whatever the request's language: the
pages and their downloads give them in the reader's language.
"""

import datetime as dt
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404
from ascn.network.models import City

from .. import scorecard
from ..models import Indicator
from ..queries import analysis as queries

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

router = Router()
API_LANGUAGE = "en"  # the language of the names the API gives
SYNTHETIC = ("True when the row's figures include synthetic records (made-up demo data from manage.py demo_data, "
             "not ASCN data)")


def _city(user: "Actor", slug: str) -> City:
    return visible_or_404(queries.cities(user), _("No city with the slug “%(slug)s”.") % {"slug": slug}, slug=slug)


def _indicator(user: "Actor", code: str) -> Indicator:
    try:
        return queries.indicator(user, code)
    except Indicator.DoesNotExist:
        raise HttpError(422, _("indicator: no indicator “%(code)s”.") % {"code": code}) from None


def _round(user: "Actor", year: int | None, with_cities: bool = False) -> queries.RoundInfo:
    try:
        return queries.reporting_round(user, year, with_cities)
    except queries.AnalysisError as exc:
        raise HttpError(422, exc.message) from None


# --- City scorecard -----------------------------------------------------------------------------------------


class ScorecardRowOut(Schema):
    indicator: str
    name: str
    unit: str
    direction: str = Field(description="higher or lower is better; empty: not decided (not rated)")
    baseline: float | None
    baseline_year: int | None
    latest: float | None
    latest_period: str | None
    target: float | None = Field(description="Of the nearest target year on or after the latest value's year")
    target_year: int | None
    progress_percent: int | None = Field(description="(latest - baseline) / (target - baseline), clamped to 0-100")
    progress_raw: float | None = Field(description="The same, unclamped, as a fraction")
    expected_percent: int | None = Field(description="Linear in time from the baseline year to the target year")
    rag: str | None = Field(description="green, amber, red; null: not rated")
    trend: str | None = Field(description="improving, worsening, flat (rising/falling when undecided); null: <2 values")
    note: str = Field(description="Why progress is missing or clamped: no_value, no_target, no_baseline, "
                                  "target_is_baseline, beyond_target, away_from_target, target_year_passed")
    observations_in_round: int
    on_time: int
    open_flags: int
    synthetic: bool = Field(False, description=SYNTHETIC)


class DataQualityOut(Schema):
    assigned: int
    with_value: int
    completeness: int | None = Field(description="Percent of assigned indicators with a value in the round's year")
    observations: int
    on_time: int
    timeliness: int | None = Field(description="Percent of the round year's values entered by the deadline")
    open_flags: int


class CityScorecardOut(Schema):
    city: str
    round: int
    deadline: dt.date | None
    data_quality: DataQualityOut
    rag_counts: dict[str, int]
    items: list[ScorecardRowOut]
    count: int


@router.get("/monitoring/cities/{slug}/scorecard", response={200: CityScorecardOut, **ERROR_RESPONSES},
            auth=optional_auth, summary="A city's scorecard")
def city_scorecard(request: ApiRequest, slug: str, round: int | None = None):
    user = caller(request)
    city = _city(user, slug)
    info = _round(user, round)
    card = queries.city_scorecard(user, city, info, API_LANGUAGE)
    q = card.quality
    items = [r.as_dict() for r in card.rows]
    return {"city": city.slug, "round": info.year, "deadline": info.deadline, "rag_counts": card.counts,
            "data_quality": {"assigned": q.assigned, "with_value": q.with_value,
                             "completeness": scorecard.percent(q.completeness), "observations": q.observations,
                             "on_time": q.on_time,
                             "timeliness": scorecard.percent(q.timeliness) if info.deadline else None,
                             "open_flags": q.open_flags},
            "items": items, "count": len(items)}


# --- Network scorecard --------------------------------------------------------------------------------------


class NetworkRowOut(Schema):
    city: str = Field(alias="slug")
    name: str
    country: str
    assigned: int
    green: int
    amber: int
    red: int
    not_rated: int
    with_value: int
    completeness: int | None
    observations: int
    on_time: int
    timeliness: int | None
    open_flags: int
    synthetic: bool = Field(False, description=SYNTHETIC)


@router.get("/monitoring/scorecards", response=list[NetworkRowOut], auth=optional_auth,
            summary="The network scorecard: a row per reporting city")
@paginate
def network_scorecard(request: ApiRequest, round: int | None = None):
    user = caller(request)
    return queries.network_scorecard(user, _round(user, round, with_cities=True), API_LANGUAGE)


# --- Compare ------------------------------------------------------------------------------------------------


class CompareRowOut(Schema):
    city: str = Field(alias="slug")
    name: str
    country: str
    period: str
    value: float
    target: float | None
    target_year: int | None
    population: float | None
    population_year: int | None
    area: float | None
    area_year: int | None
    band: str | None
    normalised: float | None
    normalised_target: float | None
    synthetic: bool = Field(False, description=SYNTHETIC)


class LeftOutOut(Schema):
    city: str = Field(alias="slug")
    reason: str


class CompareOut(Schema):
    indicator: str
    period: str | None
    normalise: str
    band: str | None
    unit: str
    items: list[CompareRowOut]
    count: int
    left_out: list[LeftOutOut]


@router.get("/monitoring/compare", response={200: CompareOut, **ERROR_RESPONSES}, auth=optional_auth,
            summary="Compare the cities on an indicator")
def compare(request: ApiRequest, indicator: str, period: str | None = None, normalise: str = "none",
            band: str | None = None):
    user = caller(request)
    item = _indicator(user, indicator)
    try:
        result = queries.compare(user, item, period or None, normalise, band or None, API_LANGUAGE)
    except queries.AnalysisError as exc:
        raise HttpError(422, exc.message) from None
    return {"indicator": item.code, "period": result.period, "normalise": result.normalise, "band": result.band,
            "unit": result.unit, "items": result.rows, "count": len(result.rows), "left_out": result.left_out}


# --- Roll-ups -----------------------------------------------------------------------------------------------


class RollupFilter(Schema):
    by: str = Field("country", description="country, focus_area or outcome")
    indicator: str | None = None
    period: str | None = Field(None, description="YYYY, YYYY-Qn or YYYY-MM; default: the latest year with data")


class RollupOut(Schema):
    by: str
    period: str
    group_code: str = Field(description="ISO3 country code or framework node code; empty: not tagged")
    group_name: str
    indicator: str = Field(alias="code")
    name: str
    unit: str
    aggregation: str
    cities: int
    value: float | None
    target: float | None
    target_cities: int
    without_population: int
    synthetic: bool = Field(False, description=SYNTHETIC)


@router.get("/monitoring/rollups", response=list[RollupOut], auth=optional_auth,
            summary="Network roll-ups by country, focus area or outcome")
@paginate
def rollups(request: ApiRequest, filters: Query[RollupFilter]):
    user = caller(request)
    item = _indicator(user, filters.indicator) if filters.indicator else None
    try:
        result = queries.rollups(user, filters.by, filters.period or None, item, API_LANGUAGE)
    except queries.AnalysisError as exc:
        raise HttpError(422, exc.message) from None
    return [{**row, "by": result.by, "period": result.period} for row in result.rows]


# --- Pivot --------------------------------------------------------------------------------------------------


class PivotOut(Schema):
    indicator: str
    city: str
    period: str
    value: float
    target: float | None
    target_year: int | None
    synthetic: bool = Field(False, description=SYNTHETIC)


@router.get("/monitoring/pivot", response=list[PivotOut], auth=optional_auth,
            summary="Values by indicator, city and period (with targets)")
@paginate
def pivot(request: ApiRequest, indicator: str = Query(..., description="Codes, comma-separated (at most 20)"),
          cities: str | None = Query(None, description="City slugs, comma-separated; default: all"),
          periods: str | None = Query(None, description="Periods, comma-separated; default: all")):
    try:
        return queries.pivot(caller(request), indicator, cities, periods)
    except queries.AnalysisError as exc:
        raise HttpError(422, exc.message) from None
