"""Finance API: appraise a cash-flow model and run its Monte Carlo; projects' business cases."""

import datetime as dt
import secrets
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from ascn.core import synthetic
from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404
from ascn.core.money import is_currency
from ascn.plans.models import Project

from .. import calculation, engine
from ..actions import business_cases as actions
from ..models import BusinessCase
from ..queries import business_cases as queries

# Each endpoint keeps the operation id it had when the finance API was one module
# (`ascn_finance_api_<function>`): clients generated from the schema name their methods after them.
router = Router()

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


class PaddedOut(Schema):
    field: str = Field(description="The line's amounts, named as sent: `lines[1].values`")
    message: str = Field(description="The years padded with 0, e.g. `padded with 0 for years 11 to 15`")


def padded(paddings: tuple[engine.Padding, ...], where: str = "", start_year: int | None = None) -> list[dict]:
    """The lines padded to the horizon, each named as the caller sent it (`where` is the model's own name)."""
    return [{"field": f"{where}lines[{p.line}].values", "message": calculation.padding_message(p, start_year)}
            for p in paddings]


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


@router.post("/finance/appraise", response={200: dict[str, Any], **ERROR_RESPONSES},
             operation_id="ascn_finance_api_appraise", summary="Appraise a model")
def appraise(request: ApiRequest, payload: AppraiseIn):
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
    model, paddings = engine.pad_lines(to_model(payload))
    result = engine.appraise(model, is_currency).as_dict()
    result["padded"] = padded(paddings)
    result["tornado"] = [
        {"driver": bar.driver, "low_npv": bar.low_npv, "high_npv": bar.high_npv,
         "low_economic_npv": bar.low_economic_npv, "high_economic_npv": bar.high_economic_npv}
        for bar in engine.tornado(model, payload.sensitivity_change)]
    result["switching_values"] = [value.as_dict() for value in engine.switching_values(model)]
    result["scenarios"] = engine.scenarios(model, payload.scenarios)
    return result


@router.post("/finance/simulate", response={200: dict[str, Any], **ERROR_RESPONSES},
             operation_id="ascn_finance_api_simulate", summary="Monte Carlo of a model")
def simulate(request: ApiRequest, payload: SimulateIn):
    """Monte Carlo of both NPVs: P(NPV < 0), P10/P50/P90, mean, standard deviation and a histogram.
    Each driver multiplies a part of the model; the seed is returned so the run can be repeated."""
    model, paddings = engine.pad_lines(to_model(payload.model))
    problems = engine.validate(model, is_currency)
    if problems:
        raise engine.ModelError([(f"model.{name}", message) for name, message in problems])
    seed = payload.seed if payload.seed is not None else secrets.randbelow(2**63)
    drivers = {name: engine.Distribution(**d.dict()) for name, d in payload.drivers.items()}
    result = engine.simulate(model, drivers, iterations=payload.iterations, seed=seed,
                             correlation=payload.correlation, bins=payload.bins)
    return {"iterations": result.iterations, "seed": result.seed, "padded": padded(paddings, "model."),
            "financial_npv": vars(result.financial_npv), "economic_npv": vars(result.economic_npv)}


class RiskIn(Schema):
    drivers: dict[str, DistributionIn] = Field(default_factory=dict, description="Multiplier distributions by "
                                               "driver; empty: no Monte Carlo")
    iterations: int = 10_000
    seed: int | None = Field(None, description="Kept with the case; one is chosen if absent")
    correlation: list[list[float]] | None = None


class SensitivityIn(Schema):
    change: float = Field(0.2, description="± change of each driver in the tornado")
    scenarios: dict[str, dict[str, float]] = Field(default_factory=dict)


class CaseModelIn(ModelIn):
    start_year: int | None = Field(None, ge=1900, le=2200, description="Calendar year of year 0 (display only)")


class BusinessCaseWrite(Schema):
    scenario: str | None = Field(None, max_length=100)
    description: str | None = None
    model: CaseModelIn | None = None
    risk: RiskIn | None = None
    sensitivity: SensitivityIn | None = None
    is_preferred: bool | None = None
    is_published: bool | None = None


class BusinessCaseIn(BusinessCaseWrite):
    scenario: str = Field(max_length=100)
    model: CaseModelIn


class BusinessCaseOut(Schema):
    id: int
    project: int = Field(alias="project_id")
    scenario: str
    description: str
    is_preferred: bool
    is_published: bool
    currency: str
    financial_npv: float | None
    financial_irr: float | None = Field(description="The IRR when unique; see the detail for every root")
    economic_npv: float | None
    economic_irr: float | None
    benefit_cost_ratio: float | None
    payback_years: float | None
    minimum_dscr: float | None
    probability_negative_npv: float | None = Field(description="From the Monte Carlo; null if none was run")
    updated_at: dt.datetime
    synthetic: bool = Field(False, description=synthetic.API_FIELD)

    @staticmethod
    def resolve_currency(obj: BusinessCase) -> str:
        return obj.inputs.get("currency", "USD")

    @staticmethod
    def resolve_financial_npv(obj: BusinessCase) -> float | None:
        return obj.appraisal.get("financial_npv")

    @staticmethod
    def resolve_financial_irr(obj: BusinessCase) -> float | None:
        return (obj.appraisal.get("financial_irr") or {}).get("value")

    @staticmethod
    def resolve_economic_npv(obj: BusinessCase) -> float | None:
        return obj.appraisal.get("economic_npv")

    @staticmethod
    def resolve_economic_irr(obj: BusinessCase) -> float | None:
        return (obj.appraisal.get("economic_irr") or {}).get("value")

    @staticmethod
    def resolve_benefit_cost_ratio(obj: BusinessCase) -> float | None:
        return obj.appraisal.get("benefit_cost_ratio")

    @staticmethod
    def resolve_payback_years(obj: BusinessCase) -> float | None:
        return obj.appraisal.get("payback_years")

    @staticmethod
    def resolve_minimum_dscr(obj: BusinessCase) -> float | None:
        return obj.appraisal.get("minimum_dscr")

    @staticmethod
    def resolve_probability_negative_npv(obj: BusinessCase) -> float | None:
        return obj.simulation["financial_npv"]["probability_negative"] if obj.simulation else None


class BusinessCaseDetailOut(BusinessCaseOut):
    model: dict[str, Any] = Field(alias="inputs")
    risk: dict[str, Any]
    sensitivity: dict[str, Any]
    results: dict[str, Any] = Field(description="appraisal (with the yearly table), tornado, switching_values, "
                                                "scenarios, simulation")
    padded: list[PaddedOut] = Field(default_factory=list, description="The lines this request's model had "
                                    "shorter than the horizon, stored padded with 0 to it; empty on a GET")

    @staticmethod
    def resolve_padded(obj: BusinessCase) -> list[dict]:
        return getattr(obj, "padded_lines", [])


def project_or_404(request: ApiRequest, pk: int) -> Project:
    """The project of the path, if the caller may see it."""
    return visible_or_404(Project.objects.visible_to(caller(request)), _("No project with the id %(id)s.") % {"id": pk},
                          pk=pk)


def _case_of(request: ApiRequest, pk: int, case_id: int) -> BusinessCase:
    return visible_or_404(queries.business_cases(caller(request), project_or_404(request, pk)),
                          _("No business case with the id %(id)s in this project.") % {"id": case_id}, pk=case_id)


def _case_data(payload: BusinessCaseWrite) -> tuple[dict[str, Any], list[dict]]:
    """The fields the caller sent (a nested model, risk or sensitivity whole, with its defaults), the
    model's short lines padded to the horizon as the editor pads them; and what was padded."""
    data: dict[str, Any] = {}
    for name in payload.model_fields_set:
        value = getattr(payload, name)
        if name == "description":
            data[name] = value or ""
        elif isinstance(value, Schema):
            data["inputs" if name == "model" else name] = value.dict()
        elif value is not None:
            data[name] = value
    if "inputs" not in data:
        return data, []
    data["inputs"], paddings = calculation.pad_inputs(data["inputs"])
    return data, padded(paddings, "model.", data["inputs"].get("start_year"))


def _renamed(exc: ValidationError) -> ValidationError:
    """The stored `inputs` are the API's `model`: name the fields as the caller sent them."""
    return ValidationError({(f"model{name[6:]}" if name.startswith("inputs") else name): messages
                            for name, messages in exc.message_dict.items()})


@router.get("/projects/{pk}/business-cases", response={200: list[BusinessCaseOut], **ERROR_RESPONSES},
            auth=optional_auth, operation_id="ascn_finance_api_list_business_cases",
            summary="A project's business cases")
@paginate
def list_business_cases(request: ApiRequest, pk: int):
    """The scenarios of the project's business case the caller may see (published ones for the public),
    the preferred one first, with their key results."""
    return queries.business_cases(caller(request), project_or_404(request, pk))


@router.get("/projects/{pk}/business-cases/{case_id}", response={200: BusinessCaseDetailOut, **ERROR_RESPONSES},
            auth=optional_auth, operation_id="ascn_finance_api_get_business_case",
            summary="One business case with its model and every result")
def get_business_case(request: ApiRequest, pk: int, case_id: int):
    return _case_of(request, pk, case_id)


@router.post("/projects/{pk}/business-cases", response={201: BusinessCaseDetailOut, **ERROR_RESPONSES},
             auth=token_auth, operation_id="ascn_finance_api_create_business_case",
             summary="Add a business case scenario")
def create_business_case(request: ApiRequest, pk: int, payload: BusinessCaseIn):
    """Store a scenario (the model as `POST /finance/appraise` takes it); its results are computed
    at once. City officers for their city's projects; the Secretariat for all."""
    data, paddings = _case_data(payload)
    try:
        case = actions.create_business_case(request.auth, project_or_404(request, pk), data, via="api")
    except ValidationError as exc:
        raise _renamed(exc) from None
    case.padded_lines = paddings  # type: ignore[attr-defined]  # said in the answer, not stored
    return Status(201, case)


@router.patch("/projects/{pk}/business-cases/{case_id}", response={200: BusinessCaseDetailOut, **ERROR_RESPONSES},
              auth=token_auth, operation_id="ascn_finance_api_update_business_case",
              summary="Change a business case scenario")
def update_business_case(request: ApiRequest, pk: int, case_id: int, payload: BusinessCaseWrite):
    case = _case_of(request, pk, case_id)
    data, paddings = _case_data(payload)
    try:
        actions.update_business_case(request.auth, case, data, via="api")
    except ValidationError as exc:
        raise _renamed(exc) from None
    case = _case_of(request, pk, case_id)
    case.padded_lines = paddings  # type: ignore[attr-defined]  # said in the answer, not stored
    return case


@router.delete("/projects/{pk}/business-cases/{case_id}", response={204: None, **ERROR_RESPONSES},
               auth=token_auth, operation_id="ascn_finance_api_delete_business_case",
               summary="Delete a business case scenario")
def delete_business_case(request: ApiRequest, pk: int, case_id: int):
    actions.delete_business_case(request.auth, _case_of(request, pk, case_id), via="api")
    return Status(204, None)
