"""API of monitoring and evaluation: the indicator catalogue and the reporting rounds."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404

from ..choices import Aggregation, Direction, IndicatorFamily, IndicatorLevel
from ..models import ReportingRound
from ..queries import catalogue as queries

router = Router()


class IndicatorOut(Schema):
    id: int
    code: str
    name: str = Field(alias="display_name")
    family: IndicatorFamily
    dimension: str
    sub_dimension: str
    category: str
    level: IndicatorLevel | str
    unit: str
    direction: Direction | str = Field(description="higher or lower is better; empty: not decided yet")
    aggregation: Aggregation
    numerator: str
    denominator: str
    sdgs: list[int]
    source: str


class IndicatorFilter(Schema):
    family: IndicatorFamily | None = None
    dimension: str | None = None
    level: IndicatorLevel | None = None
    q: str | None = Field(None, description="Part of the code or the name")


class RoundOut(Schema):
    year: int
    as_of: dt.date
    opens_on: dt.date | None
    closes_on: dt.date | None
    cities: list[str] = Field(description="Slugs of the reporting cities")
    source: str

    @staticmethod
    def resolve_cities(obj: ReportingRound) -> list[str]:
        return sorted(c.slug for c in obj.cities.all())


@router.get("/monitoring/indicators", response=list[IndicatorOut], auth=optional_auth, summary="The indicators")
@paginate
def list_indicators(request: ApiRequest, filters: Query[IndicatorFilter]):
    return queries.indicators(caller(request), filters.family, filters.dimension, filters.level, filters.q)


@router.get("/monitoring/indicators/{pk}", response={200: IndicatorOut, **ERROR_RESPONSES}, auth=optional_auth,
            summary="One indicator")
def get_indicator(request: ApiRequest, pk: int):
    return visible_or_404(queries.indicators(caller(request)), _("No indicator with the id %(id)s.") % {"id": pk},
                          pk=pk)


@router.get("/monitoring/rounds", response=list[RoundOut], auth=optional_auth, summary="The reporting rounds")
@paginate
def list_rounds(request: ApiRequest):
    return queries.rounds(caller(request)).prefetch_related("cities")
