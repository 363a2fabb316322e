"""Finance API: the instrument catalogue and the financing-option guide."""

from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404
from ascn.plans.choices import ProjectStage

from .. import engine, guide
from ..choices import InstrumentCategory, RevenueProfile
from ..models import FinancingInstrument
from ..queries import catalogue as queries

# Each endpoint keeps the operation id it had when the finance API was one module
# (`ascn_finance_api_<function>`): clients generated from the schema name their methods after them.
router = Router()


class InstrumentOut(Schema):
    slug: str
    name: str = Field(alias="display_name")
    category: InstrumentCategory
    summary: str
    suits: str
    requires: str
    typical_tenor: str
    typical_cost: str
    revenue_profiles: list[RevenueProfile]
    stages: list[str] = Field(description="Project stages it is used at; empty: any")
    min_size_usd: Decimal | None
    max_size_usd: Decimal | None
    needs_borrowing_powers: bool
    needs_creditworthiness: bool
    needs_revenue_stream: bool
    needs_ppp_framework: bool
    focus_areas: list[str] = Field(description="Focus-area codes it is used for; empty: any")
    providers: list[str] = Field(description="Slugs of the network's partners that provide it")
    case_studies: list[str] = Field(description="Slugs of the knowledge hub's case studies of it")
    source: str

    @staticmethod
    def resolve_focus_areas(obj: FinancingInstrument) -> list[str]:
        return [n.code for n in obj.focus_areas.all()]

    @staticmethod
    def resolve_providers(obj: FinancingInstrument) -> list[str]:
        return [p.slug for p in obj.providers.all()]

    @staticmethod
    def resolve_case_studies(obj: FinancingInstrument) -> list[str]:
        return [c.slug for c in getattr(obj, "published_case_studies", [])]  # attached by the knowledge hub

    # The texts in the language of the Accept-Language header, English when not translated.
    @staticmethod
    def resolve_summary(obj: FinancingInstrument) -> str:
        return obj.translated("summary")

    @staticmethod
    def resolve_suits(obj: FinancingInstrument) -> str:
        return obj.translated("suits")

    @staticmethod
    def resolve_requires(obj: FinancingInstrument) -> str:
        return obj.translated("requires")

    @staticmethod
    def resolve_typical_tenor(obj: FinancingInstrument) -> str:
        return obj.translated("typical_tenor")

    @staticmethod
    def resolve_typical_cost(obj: FinancingInstrument) -> str:
        return obj.translated("typical_cost")


class InstrumentFilter(Schema):
    category: InstrumentCategory | None = None
    focus_area: str | None = Field(None, description="Focus-area code; instruments for any focus area included")


@router.get("/finance/instruments", response=list[InstrumentOut], auth=optional_auth,
            operation_id="ascn_finance_api_list_instruments", summary="The financing instrument catalogue")
@paginate
def list_instruments(request: ApiRequest, filters: Query[InstrumentFilter]):
    return queries.instruments(caller(request), filters.category, filters.focus_area)


@router.get("/finance/instruments/{slug}", response={200: InstrumentOut, **ERROR_RESPONSES}, auth=optional_auth,
            operation_id="ascn_finance_api_get_instrument", summary="One financing instrument")
def get_instrument(request: ApiRequest, slug: str):
    return visible_or_404(queries.instruments(caller(request)),
                          _("No financing instrument “%(slug)s”.") % {"slug": slug}, slug=slug)


class GuideIn(Schema):
    revenue: RevenueProfile = Field(description="full: pays for itself from user charges; partial; none")
    size_usd: float | None = Field(None, ge=0, le=engine.MAX_ABS_VALUE, description="Capital cost in US dollars")
    city_may_borrow: bool = False
    city_creditworthy: bool = False
    ppp_framework: bool = False
    focus_area: str = ""
    stage: ProjectStage | Literal[""] = ""


class ReasonOut(Schema):
    fits: bool
    text: str


class FitOut(Schema):
    slug: str
    name: str
    verdict: Literal["good", "possible", "unsuitable"]
    score: int
    reasons: list[ReasonOut]


@router.post("/finance/guide", response={200: list[FitOut], **ERROR_RESPONSES}, auth=optional_auth,
             operation_id="ascn_finance_api_rank_instruments", summary="Rank the instruments for a project")
def rank_instruments(request: ApiRequest, payload: GuideIn):
    """Every instrument of the catalogue ranked for the project described: good fits first, then
    possible ones, unsuitable ones last; each with the reasons it fits or not."""
    project = guide.Project(**payload.dict())
    return [{"slug": item.slug, "name": item.display_name, "verdict": fit.verdict, "score": fit.score,
             "reasons": [{"fits": r.fits, "text": r.text} for r in fit.reasons]}
            for item, fit in queries.ranked_instruments(caller(request), project)]
