"""Finance API: appraise a cash-flow model and run its Monte Carlo; the instrument catalogue and the guide."""

import secrets
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth
from ascn.core.money import is_currency
from ascn.plans.choices import ProjectStage

from . import engine, guide, queries
from .choices import InstrumentCategory, RevenueProfile
from .models import FinancingInstrument

router = Router(tags=["finance"])

YEARS = engine.MAX_YEARS + 1


class LineIn(Schema):
    kind: Literal["capex", "opex", "revenue", "avoided_cost", "economic_benefit", "output"]
    values: list[float] = Field(max_length=YEARS, description="Amounts for years 0 … years (positive)")
    label: str = Field("", max_length=200)
    currency: str = Field("", max_length=3, description="ISO 4217; default: the model's currency")
    escalate: bool = Field(True, description="Grows with inflation (operating lines only)")


class LoanIn(Schema):
    principal: float
    rate: float
    tenor_years: int = Field(description="Years of repayment after the grace period")
    grace_years: int = 0
    repayment: Literal["annuity", "straight"] = "annuity"
    drawdown_year: int = 0
    capitalise_grace_interest: bool = True
    currency: str = Field("", max_length=3)


class GrantIn(Schema):
    amount: float
    year: int = 0
    currency: str = Field("", max_length=3)


class ConversionFactorsIn(Schema):
    capex: float = 1.0
    opex: float = 1.0
    revenue: float = 1.0


class ModelOptions(Schema):
    """What a model has besides its horizon, rate and lines (all optional)."""

    currency: str = Field("USD", max_length=3)
    rates: dict[str, float] = Field(default_factory=dict, description="Value of 1 unit of each currency in `currency`")
    inflation: float = 0.0
    residual_value: float = 0.0
    economic_discount_rate: float | None = None
    conversion_factors: ConversionFactorsIn = Field(default_factory=ConversionFactorsIn)
    loans: list[LoanIn] = Field(default_factory=list, max_length=20)
    grants: list[GrantIn] = Field(default_factory=list, max_length=20)


class ModelIn(ModelOptions):
    years: int = Field(description="Horizon: flows for years 0 … years")
    discount_rate: float
    lines: list[LineIn] = Field(max_length=engine.MAX_LINES)


class AppraiseIn(ModelOptions):
    """Either the short form (`discount_rate` and `cash_flows`: yearly net flows from year 0) or a whole
    model (`years`, `lines`, …), with optional sensitivity settings."""

    discount_rate: float
    cash_flows: list[float] | None = Field(None, max_length=YEARS)
    years: int | None = None
    lines: list[LineIn] | None = Field(None, max_length=engine.MAX_LINES)
    sensitivity_change: float = Field(0.2, description="± change of each driver in the tornado (0.2: ±20 %)")
    scenarios: dict[str, dict[str, float]] = Field(
        default_factory=dict, description='Named driver multipliers, e.g. {"pessimistic": {"capex": 1.3}}')


class DistributionIn(Schema):
    kind: Literal["triangular", "pert", "normal", "lognormal", "uniform"]
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None


class SimulateIn(Schema):
    model: ModelIn
    drivers: dict[str, DistributionIn] = Field(description="Multiplier distributions by driver: "
                                                           + ", ".join(engine.DRIVERS))
    iterations: int = 10_000
    seed: int | None = Field(None, description="Same seed, same result; one is chosen and returned if absent")
    correlation: list[list[float]] | None = Field(None, description="Rank-free correlation of the drivers' "
                                                                  "normal scores, in the order of `drivers`")
    bins: int = 40


def to_model(data: ModelIn | AppraiseIn) -> engine.CashFlowModel:
    return engine.CashFlowModel(
        years=data.years if data.years is not None else 0, discount_rate=data.discount_rate,
        lines=tuple(engine.Line(**line.dict()) for line in data.lines or ()),
        currency=data.currency, rates=dict(data.rates), inflation=data.inflation,
        residual_value=data.residual_value, economic_discount_rate=data.economic_discount_rate,
        conversion_factors=engine.ConversionFactors(**data.conversion_factors.dict()),
        loans=tuple(engine.Loan(**loan.dict()) for loan in data.loans),
        grants=tuple(engine.Grant(**grant.dict()) for grant in data.grants),
    )


@router.post("/finance/appraise", response={200: dict[str, Any], **ERROR_RESPONSES}, summary="Appraise a model")
def appraise(request: HttpRequest, payload: AppraiseIn):
    """Every result of a cash-flow model: financial and economic NPV and IRR (every root, or why
    there is none), benefit-cost ratio, payback and discounted payback, MIRR, levelised unit cost,
    the equity view, DSCR per year, the yearly table, a tornado, switching values and named scenarios.
    The short form returns `npv`, `irr`, `payback_years`, `bcr` (and more) of one series of flows."""
    if payload.cash_flows is not None:
        if payload.lines or payload.years is not None:
            raise engine.ModelError([("cash_flows", _("give either cash_flows or a model (years, lines), not both"))])
        return engine.appraise_flows(payload.discount_rate, payload.cash_flows)
    if payload.years is None or not payload.lines:
        raise engine.ModelError([("cash_flows", _("give cash_flows, or a model with years and lines"))])
    model = to_model(payload)
    result = engine.appraise(model, is_currency).as_dict()
    result["tornado"] = [
        {"driver": bar.driver, "low_npv": bar.low_npv, "high_npv": bar.high_npv,
         "low_economic_npv": bar.low_economic_npv, "high_economic_npv": bar.high_economic_npv}
        for bar in engine.tornado(model, payload.sensitivity_change)]
    result["switching_values"] = [value.as_dict() for value in engine.switching_values(model)]
    result["scenarios"] = engine.scenarios(model, payload.scenarios)
    return result


@router.post("/finance/simulate", response={200: dict[str, Any], **ERROR_RESPONSES}, summary="Monte Carlo of a model")
def simulate(request: HttpRequest, payload: SimulateIn):
    """Monte Carlo of both NPVs: P(NPV < 0), P10/P50/P90, mean, standard deviation and a histogram.
    Each driver multiplies a part of the model; the seed is returned so the run can be repeated."""
    model = to_model(payload.model)
    problems = engine.validate(model, is_currency)
    if problems:
        raise engine.ModelError([(f"model.{name}", message) for name, message in problems])
    seed = payload.seed if payload.seed is not None else secrets.randbelow(2**63)
    drivers = {name: engine.Distribution(**d.dict()) for name, d in payload.drivers.items()}
    result = engine.simulate(model, drivers, iterations=payload.iterations, seed=seed,
                             correlation=payload.correlation, bins=payload.bins)
    return {"iterations": result.iterations, "seed": result.seed,
            "financial_npv": vars(result.financial_npv), "economic_npv": vars(result.economic_npv)}


# --- The instrument catalogue and the guide ------------------------------------------------------------


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
    source: str

    @staticmethod
    def resolve_focus_areas(obj: FinancingInstrument) -> list[str]:
        return [n.code for n in obj.focus_areas.all()]

    @staticmethod
    def resolve_providers(obj: FinancingInstrument) -> list[str]:
        return [p.slug for p in obj.providers.all()]


class InstrumentFilter(Schema):
    category: InstrumentCategory | None = None
    focus_area: str | None = Field(None, description="Focus-area code; instruments for any focus area included")


@router.get("/finance/instruments", response=list[InstrumentOut], auth=optional_auth,
            summary="The financing instrument catalogue")
@paginate
def list_instruments(request: HttpRequest, filters: Query[InstrumentFilter]):
    return queries.instruments(caller(request), filters.category, filters.focus_area)


@router.get("/finance/instruments/{slug}", response={200: InstrumentOut, **ERROR_RESPONSES}, auth=optional_auth,
            summary="One financing instrument")
def get_instrument(request: HttpRequest, slug: str):
    try:
        return queries.instrument(caller(request), slug)
    except FinancingInstrument.DoesNotExist:
        raise Http404(_("No financing instrument “%(slug)s”.") % {"slug": slug}) from None


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
             summary="Rank the instruments for a project")
def rank_instruments(request: HttpRequest, payload: GuideIn):
    """Every instrument of the catalogue ranked for the project described: good fits first, then
    possible ones, unsuitable ones last; each with the reasons it fits or not."""
    project = guide.Project(**payload.dict())
    return [{"slug": item.slug, "name": item.display_name, "verdict": fit.verdict, "score": fit.score,
             "reasons": [{"fits": r.fits, "text": r.text} for r in fit.reasons]}
            for item, fit in queries.ranked_instruments(caller(request), project)]
