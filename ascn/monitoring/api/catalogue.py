"""API of monitoring and evaluation: the indicator catalogue and the reporting rounds."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import editable_or_403, visible_or_404

from ..actions import catalogue as actions
from ..choices import Aggregation, Direction, IndicatorFamily, IndicatorLevel
from ..models import ReportingRound
from ..queries import catalogue as queries

router = Router()


class IndicatorOut(Schema):
    id: int
    code: str
    name: str = Field(description="The English name (translations in `translations`)")
    family: IndicatorFamily
    dimension: str
    sub_dimension: str
    category: str
    level: IndicatorLevel | str
    unit: str = Field(description="Empty: not defined yet (values are refused until the Secretariat sets it)")
    direction: Direction | str = Field(description="higher or lower is better; empty: not decided yet")
    aggregation: Aggregation
    numerator: str
    denominator: str
    multiplier: float | None = Field(description="What numerator / denominator is multiplied by (100 for a "
                                                 "percentage); empty: taken from the unit")
    calculation: str
    definition_source: str = Field(description="The page(s) stating the unit and calculation, separated by ' ; '")
    sdgs: list[int]
    source: str
    translations: dict[str, dict[str, str]] = Field(
        alias="i18n", description='The texts in Vietnamese and Thai by language code: {"vi": {"name": ..., '
                                  '"dimension": ..., "sub_dimension": ..., "category": ...}, "th": {...}}')


class DefinitionIn(Schema):
    """The fields to change; those left out are kept."""

    unit: str | None = Field(None, max_length=60)
    multiplier: float | None = Field(None, description="Empty (null) with the field given: taken from the unit")
    calculation: str | None = Field(None, max_length=500)
    numerator: str | None = Field(None, max_length=300)
    denominator: str | None = Field(None, max_length=300)
    direction: str | None = Field(None, max_length=10, description="higher, lower, or \"\" for not decided")
    definition_source: str | None = Field(None, max_length=500)


class DefinitionOut(Schema):
    indicator: IndicatorOut
    changed: list[str] = Field(description="The fields that changed")
    values: int = Field(description="Stored values of the indicator checked again (0 if the unit and multiplier "
                                    "did not change)")
    recomputed: int = Field(description="Values recomputed from their numerator and denominator")
    reflagged: int = Field(description="Values whose validation flags changed")
    queued: bool = Field(description="true: the values are recomputed by a background task (counts not known yet)")


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
    synthetic: bool = Field(False, description="True for the demo's round (manage.py demo_data): its reports are "
                                               "made up, not ASCN data")

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


@router.patch("/monitoring/indicators/{pk}/definition", response={200: DefinitionOut, **ERROR_RESPONSES},
              auth=token_auth, summary="Set an indicator's unit and calculation (Secretariat)")
def set_definition(request: ApiRequest, pk: int, payload: DefinitionIn):
    """A new unit or multiplier recomputes the indicator's stored values from their numerator and denominator
    and flags them again (in the background for a large indicator)."""
    indicator = editable_or_403(request.auth, queries.indicators(request.auth),
                                _("No indicator with the id %(id)s.") % {"id": pk}, pk=pk)
    change = actions.update_definition(request.auth, indicator, payload.dict(exclude_unset=True), via="api")
    count = change.recount or actions.Recount()
    return {"indicator": indicator, "changed": sorted(change.changes), "values": count.rows,
            "recomputed": count.recomputed, "reflagged": count.reflagged, "queued": count.queued}


@router.get("/monitoring/rounds", response=list[RoundOut], auth=optional_auth, summary="The reporting rounds")
@paginate
def list_rounds(request: ApiRequest):
    return queries.rounds(caller(request)).prefetch_related("cities")
