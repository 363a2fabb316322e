"""The appraisal and risk engine of business cases: pure NumPy (SciPy for two distribution functions),
no Django, so it can be tested and benchmarked alone.

Conventions: yearly flows, `flows[0]` falls in year 0 (today, undiscounted), money in is positive.
Rates are decimals (0.08 is 8 %). Every function raises `ModelError` (a ValueError naming the field)
on input it cannot compute with, never a NumPy warning or a NaN.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Literal, NamedTuple

import numpy as np

from ascn.core.translator import gettext as _

MAX_YEARS = 100
MAX_LINES = 200
MAX_ABS_VALUE = 1e15
MAX_ITERATIONS = 1_000_000
ROOT_TOLERANCE = 1e-12
EPSILON = float(np.finfo(float).eps)
LARGEST_FLOAT = float(np.finfo(float).max)
# Where xirr looks for roots, in s = log(1 + rate): 1 + rate from 1e-15 (about the closest to -100 % that
# a float rate still tells apart from it) to 1e300, and densely from 1e-4 (-99.99 %) to 1e6.
LOG_GROWTH_RANGE = (math.log(1e-15), math.log(1e300))
XIRR_DENSE_GRID = np.linspace(math.log(1e-4), math.log(1e6), 4001)


class ModelError(ValueError):
    """Input the engine cannot compute with; `problems` are (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))


def _check(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise ModelError(problems)


def _series(values: Sequence[float] | np.ndarray, name: str = "cash_flows", *, min_length: int = 1) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    problems = []
    if array.ndim != 1:
        problems.append((name, _("must be a list of numbers")))
    elif array.size < min_length:
        problems.append((name, _("needs at least %(minimum)s values") % {"minimum": min_length}))
    elif array.size > MAX_YEARS + 1:
        problems.append((name, _("has %(count)s values; at most %(maximum)s (years 0 to %(last)s)")
                         % {"count": array.size, "maximum": MAX_YEARS + 1, "last": MAX_YEARS}))
    elif not np.all(np.isfinite(array)):
        problems.append((name, _("must hold finite numbers only")))
    elif np.any(np.abs(array) > MAX_ABS_VALUE):
        problems.append((name, _("holds a value beyond ±%(limit)s") % {"limit": f"{MAX_ABS_VALUE:,.0f}"}))
    _check(problems)
    return array


def _rate(rate: float, name: str = "discount_rate") -> float:
    if not isinstance(rate, int | float) or not math.isfinite(rate) or rate <= -1 or rate > 10:
        raise ModelError([(name, _("must be a finite rate above -1 (-100 %) and at most 10 (1,000 %)"))])
    return float(rate)


# --- Discounting -------------------------------------------------------------------------------------


def discount_factors(rate: float, years: int) -> np.ndarray:
    return (1.0 + rate) ** -np.arange(years, dtype=float)


def _discounted(rate: float, values: np.ndarray, name: str = "discount_rate") -> np.ndarray:
    """`values` times their discount factors at a checked `rate`; refused, naming `name`, when the rate is
    so close to -100 % that a present value or their sum would exceed the largest float (below a zero rate
    only: above, no factor exceeds 1)."""
    if rate >= 0:
        return values * discount_factors(rate, values.size)
    largest = max(float(np.max(np.abs(values))), 1.0)  # at least 1: the factors alone must not overflow
    if math.log(largest) - (values.size - 1) * math.log1p(rate) > math.log(LARGEST_FLOAT / values.size):
        raise ModelError([(name, _("is too close to -100 %: the present value of these flows is too large "
                                   "to compute"))])
    return values * discount_factors(rate, values.size)


def npv(rate: float, flows: Sequence[float] | np.ndarray) -> float:
    """Net present value, the first flow undiscounted (as numpy-financial's npv, unlike Excel's NPV)."""
    values = _series(flows)
    return float(np.sum(_discounted(_rate(rate), values)))


def pmt(rate: float, periods: int, present_value: float, future_value: float = 0.0, *,
        at_start: bool = False) -> float:
    """The level payment per period that repays `present_value` (negative: money paid out)."""
    rate = _rate(rate, "rate")
    if periods < 1:
        raise ModelError([("periods", _("must be at least 1"))])
    if rate == 0:
        return -(future_value + present_value) / periods
    growth = (1.0 + rate) ** periods
    factor = (1.0 + rate * at_start) * (growth - 1.0) / rate
    return -(future_value + present_value * growth) / factor


@dataclass(frozen=True)
class RateResult:
    """An internal rate of return: `value` when exactly one rate makes the NPV zero, every such rate
    in `roots`, and what that means in `status` ("unique", "multiple" or "none") and `message`."""

    value: float | None
    roots: tuple[float, ...]
    status: Literal["unique", "multiple", "none"]
    sign_changes: int
    message: str

    def as_dict(self) -> dict:
        return {"value": self.value, "roots": list(self.roots), "status": self.status,
                "sign_changes": self.sign_changes, "message": self.message}


def sign_changes(values: np.ndarray) -> int:
    signs = np.sign(values[values != 0])
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def _rate_result(roots: list[float], changes: int) -> RateResult:
    unique = sorted(_distinct(roots))
    if not unique:
        message = (_("There is no internal rate of return: the flows never change sign.") if changes == 0 else
                   _("There is no internal rate of return: no rate above -100 % makes the net present value zero."))
        return RateResult(None, (), "none", changes, message)
    if len(unique) == 1:
        return RateResult(unique[0], (unique[0],), "unique", changes, _("One rate makes the net present value zero."))
    shown = ", ".join(f"{r:.4%}" for r in unique)
    return RateResult(None, tuple(unique), "multiple", changes,
                      _("The flows change sign %(changes)s times and %(count)s rates make the net present value "
                        "zero (%(rates)s): no single internal rate of return; judge by the net present value.")
                      % {"changes": changes, "count": len(unique), "rates": shown})


def _distinct(roots: list[float]) -> list[float]:
    kept: list[float] = []
    for r in sorted(roots):
        if not kept or abs(r - kept[-1]) > 1e-9 * max(1.0, abs(r)):
            kept.append(r)
    return kept


def irr(flows: Sequence[float] | np.ndarray) -> RateResult:
    """Every rate above -100 % that makes the NPV zero: the real positive roots x of Σ c_t·x^t
    (x = 1/(1+r)), each refined by Newton steps on the NPV itself. A double root, where the NPV touches
    zero at an extremum, counts once, at the extremum (`_touching`)."""
    values = _series(flows, min_length=2)
    changes = sign_changes(values)
    if changes == 0:
        return _rate_result([], 0)
    years = np.arange(values.size, dtype=float)
    roots = np.roots(values[::-1])
    real = (np.abs(roots.imag) <= 1e-7 * np.maximum(1.0, np.abs(roots))) & (roots.real > 0)
    candidates = sorted(roots[real].real.tolist())
    # A double root counts twice among the sign changes (Descartes): with one change, the root is simple.
    maybe_double = _paired(candidates) if changes > 1 else [False] * len(candidates)
    found = []
    for x, paired in zip(candidates, maybe_double, strict=True):
        start = 1.0 / x - 1.0
        rate = _refine(values, start)
        touch = _touching(values, years, start if rate is None else rate) if paired else None
        if touch is not None:
            found.append(touch)
        elif rate is not None:
            found.append(rate)
    return _rate_result(found, changes)


def _paired(candidates: list[float]) -> list[bool]:
    """Which of the sorted candidates lie within 1e-3 of a neighbour's size: rounding splits a double root
    into two such (a real pair, or a complex pair with one real part). Few, so plain Python is quickest."""
    close = [False, *(high - low <= 1e-3 * high for low, high in itertools.pairwise(candidates)), False]
    return [close[i] or close[i + 1] for i in range(len(candidates))]


def _refine(values: np.ndarray, rate: float) -> float | None:
    """Newton steps on NPV(rate); the rate if the NPV there is zero to working precision. The discount
    factors are scaled to at most 1 (`_scaled_factors`): neither the steps nor the test change, and no
    rate above -100 % overflows them."""
    t = np.arange(values.size, dtype=float)
    for _step in range(50):
        if not -1.0 < rate < math.inf:
            return None
        factors = _scaled_factors(rate, t)
        value = float(np.dot(values, factors))
        slope = float(np.dot(-t * values, factors)) / (1.0 + rate)
        if slope == 0:
            break
        step = value / slope
        rate -= step
        if abs(step) <= ROOT_TOLERANCE * max(1.0, abs(rate)):
            break
    if not -1.0 < rate < math.inf:
        return None
    factors = _scaled_factors(rate, t)
    scale = float(np.dot(np.abs(values), factors))
    return rate if abs(float(np.dot(values, factors))) <= 1e-9 * max(scale, 1e-300) else None


def _scaled_factors(rate: float, t: np.ndarray) -> np.ndarray:
    """(1 + rate)^-t divided by its largest value (at t = 0 above a zero rate, at the last t below)."""
    return (1.0 + rate) ** (-t if rate >= 0 else t[-1] - t)


class _Npv(NamedTuple):
    """XNPV at s = log(1 + rate) with its derivatives in s, all divided by the largest discount factor
    (their signs and ratios are what count, at any rate)."""

    value: float
    slope: float
    curvature: float
    scale: float  # the sum of the absolute discounted flows
    noise: float  # how far from zero rounding alone can leave `value`: of the flows, factors and sum


def _npv_at(values: np.ndarray, years: np.ndarray, s: float) -> _Npv:
    logs = -years * s
    terms = values * np.exp(logs - logs.max())
    moments = years * terms
    reach = float(np.abs(logs).max())  # the exponents' size: their rounding grows with it
    scale = float(np.abs(terms).sum())
    noise = 4 * EPSILON * (values.size + 2 + 2 * reach) * scale
    return _Npv(float(terms.sum()), -float(moments.sum()), float((years * moments).sum()), scale, noise)


def _npv_and_slope(values: np.ndarray, years: np.ndarray, s: float) -> tuple[float, float]:
    at = _npv_at(values, years, s)
    return at.value, at.slope


def _slope_and_curvature(values: np.ndarray, years: np.ndarray, s: float) -> tuple[float, float]:
    at = _npv_at(values, years, s)
    return at.slope, at.curvature


def _touching(values: np.ndarray, years: np.ndarray, rate: float) -> float | None:
    """The double root at or next to `rate`, a root or near-root where the NPV barely slopes: the nearby
    extremum, if the NPV is zero there to rounding; else None. Rounding the flows to binary splits a double
    root into two roots (2.2 and 1.21: 10 % ± 1.5e-8) or none (2.4 and 1.44); the extremum is the root."""
    if not -1.0 < rate < math.inf:
        return None
    s = math.log1p(rate)
    at = _npv_at(values, years, s)
    if abs(at.slope) > 1e-5 * max(float(years.max()), 1.0) * at.scale:
        return None  # a plain root, far from any extremum (a shortcut: the test below decides)
    extremum = _newton(partial(_slope_and_curvature, values, years), s)
    if not abs(extremum - s) <= 1e-4 * max(1.0, abs(s)):
        return None
    at = _npv_at(values, years, extremum)
    return math.expm1(extremum) if abs(at.value) <= at.noise else None


def _newton(function: Callable[[float], tuple[float, float]], x: float) -> float:
    """Newton steps from `x` on a function giving (value, slope); NaN if they do not settle."""
    for _step in range(50):
        value, slope = function(x)
        if value == 0:
            return x
        if slope == 0:
            return math.nan
        step = value / slope
        x -= step
        if not math.isfinite(x):
            return math.nan
        if abs(step) <= ROOT_TOLERANCE * max(1.0, abs(x)):
            return x
    return math.nan


def mirr(flows: Sequence[float] | np.ndarray, finance_rate: float, reinvest_rate: float) -> float | None:
    """Modified IRR: outflows financed at `finance_rate`, inflows reinvested at `reinvest_rate`;
    None without both inflows and outflows."""
    values = _series(flows, min_length=2)
    finance_rate, reinvest_rate = _rate(finance_rate, "finance_rate"), _rate(reinvest_rate, "reinvest_rate")
    inflows, outflows = np.where(values > 0, values, 0.0), np.where(values < 0, values, 0.0)
    if not inflows.any() or not outflows.any():
        return None
    future = abs(float(np.sum(_discounted(reinvest_rate, inflows, "reinvest_rate"))))
    present = abs(float(np.sum(_discounted(finance_rate, outflows, "finance_rate"))))
    return (future / present) ** (1.0 / (values.size - 1)) * (1.0 + reinvest_rate) - 1.0


def payback(flows: Sequence[float] | np.ndarray) -> float | None:
    """Years until the cumulative flow turns non-negative for good, interpolated within the year;
    None if it never does."""
    values = _series(flows)
    cumulative = np.cumsum(values)
    if cumulative[-1] < 0:
        return None
    negative = np.nonzero(cumulative < 0)[0]
    if negative.size == 0:
        return 0.0
    last = int(negative[-1])  # the cumulative flow stays non-negative after this year
    return last + float(-cumulative[last] / values[last + 1])


def discounted_payback(rate: float, flows: Sequence[float] | np.ndarray) -> float | None:
    values = _series(flows)
    return payback(_discounted(_rate(rate), values))


def benefit_cost_ratio(rate: float, flows: Sequence[float] | np.ndarray) -> float | None:
    """Present value of the inflows over that of the outflows; None without outflows."""
    present = _discounted(_rate(rate), _series(flows))
    costs = -float(np.sum(np.where(present < 0, present, 0.0)))
    return float(np.sum(np.where(present > 0, present, 0.0))) / costs if costs > 0 else None


# --- Dated flows (Excel's XNPV and XIRR) --------------------------------------------------------------


def _dated(flows: Sequence[float], dates: Sequence[dt.date]) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(flows, dtype=float)
    problems = []
    if values.ndim != 1 or values.size < 2:
        problems.append(("cash_flows", _("needs at least two dated values")))
    elif len(dates) != values.size:
        problems.append(("dates", _("has %(dates)s dates for %(values)s values")
                         % {"dates": len(dates), "values": values.size}))
    elif values.size > 10_000:
        problems.append(("cash_flows", _("has more than 10,000 values")))
    elif not np.all(np.isfinite(values)):
        problems.append(("cash_flows", _("must hold finite numbers only")))
    _check(problems)
    first = dates[0]
    days = np.array([(d - first).days for d in dates], dtype=float)
    if np.any(days < 0):
        _check([("dates", _("no date may precede the first one"))])
    return values, days / 365.0


def xnpv(rate: float, flows: Sequence[float], dates: Sequence[dt.date]) -> float:
    """Excel's XNPV: each flow discounted by (1 + rate)^(days since the first date / 365)."""
    values, years = _dated(flows, dates)
    return float(np.sum(values * (1.0 + _rate(rate)) ** -years))


def xirr(flows: Sequence[float], dates: Sequence[dt.date]) -> RateResult:
    """Every rate that makes XNPV zero. In s = log(1 + rate), XNPV = Σ c·e^(-years·s) has its roots between
    bounds set by the flows (`_root_bounds`). On a grid of s spanning them (256 steps, and 4,000 steps from
    -99.99 % to 10⁶ where that range lies within them), a sign change of XNPV brackets a root, and a sign
    change of its slope an extremum: a double root where XNPV is zero to rounding, a root on each side where
    XNPV crosses zero. Each root is then solved to machine precision. So two roots closer together than a
    grid step are found; three or more within one step are not."""
    values, years = _dated(flows, dates)
    changes = sign_changes(values)
    if changes == 0:
        return _rate_result([], 0)
    values = values / np.max(np.abs(values))  # the same roots, and no sum can overflow
    bounds = _root_bounds(values, years)
    roots = [] if bounds is None else _grid_roots(values, years, _search_points(*bounds))
    return _rate_result([_settled(values, years, math.expm1(s)) for s in roots], changes)


def _root_bounds(values: np.ndarray, years: np.ndarray) -> tuple[float, float] | None:
    """Limits on s = log(1 + rate) beyond which one flow outweighs all the others together, so XNPV has no
    root outside: the first date's flow for high rates, the last date's for low ones (flows summed per
    date); within LOG_GROWTH_RANGE. None when those sums never change sign."""
    unique, index = np.unique(years, return_inverse=True)
    totals = np.bincount(index, weights=values)
    totals, unique = totals[totals != 0], unique[totals != 0]
    if sign_changes(totals) == 0:
        return None
    size = np.abs(totals)
    high = max(math.log(size[1:].sum() / size[0]) / (unique[1] - unique[0]), 0.0)
    low = min(math.log(size[-1] / size[:-1].sum()) / (unique[-1] - unique[-2]), 0.0)
    return (max(low - 1e-3 * (1 - low), LOG_GROWTH_RANGE[0]),  # a margin: two flows have their root at a bound
            min(high + 1e-3 * (1 + high), LOG_GROWTH_RANGE[1]))


def _search_points(low: float, high: float) -> np.ndarray:
    """The grid of s between the bounds: 256 steps from `low` to `high`, with the dense grid within them."""
    dense = XIRR_DENSE_GRID
    dense = dense[(dense > low) & (dense < high)]
    return np.unique(np.concatenate([np.linspace(low, high, 257), dense]))


def _npv_on_grid(values: np.ndarray, years: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """XNPV and its slope at every point, each divided by the point's largest discount factor; the
    factors (points by flows) are built in blocks of some 65,000, small enough to stay in the cache."""
    coefficients = np.column_stack([values, -years * values])
    rows = max(1, 2**16 // values.size)
    blocks = []
    for start in range(0, points.size, rows):
        logs = -np.outer(points[start:start + rows], years)
        logs -= logs.max(axis=1, keepdims=True)
        blocks.append(np.exp(logs, out=logs) @ coefficients)
    both = np.vstack(blocks)
    return both[:, 0], both[:, 1]


def _grid_roots(values: np.ndarray, years: np.ndarray, points: np.ndarray) -> list[float]:
    """The roots (in s) the grid brackets: at its points, between points where XNPV changes sign, and
    around extrema between points where XNPV keeps its sign and its slope changes sign."""
    totals, slopes = _npv_on_grid(values, years, points)
    sign, slope_sign = np.sign(totals), np.sign(slopes)
    npv_and_slope = partial(_npv_and_slope, values, years)
    roots = [float(s) for s in points[sign == 0]]
    roots += [_solve(npv_and_slope, float(points[i]), float(points[i + 1]))
              for i in np.nonzero(sign[:-1] * sign[1:] < 0)[0]]
    for i in np.nonzero((sign[:-1] * sign[1:] > 0) & (slope_sign[:-1] != slope_sign[1:]))[0]:
        roots += _roots_around_extremum(values, years, float(points[i]), float(points[i + 1]))
    return roots


def _roots_around_extremum(values: np.ndarray, years: np.ndarray, low: float, high: float) -> list[float]:
    """Between points where XNPV has one sign and its slope two: the extremum if XNPV is zero there to
    rounding (a double root); a root on each side of it if XNPV changes sign there; else none."""
    extremum = _solve(partial(_slope_and_curvature, values, years), low, high)
    at = _npv_at(values, years, extremum)
    if abs(at.value) <= at.noise:
        return [extremum]
    if (at.value > 0) == (_npv_at(values, years, low).value > 0):
        return []
    npv_and_slope = partial(_npv_and_slope, values, years)
    return [_solve(npv_and_slope, low, extremum), _solve(npv_and_slope, extremum, high)]


def _solve(function: Callable[[float], tuple[float, float]], low: float, high: float) -> float:
    """The zero of a function giving (value, slope) between `low` and `high`, where its signs differ:
    Newton steps, halving the bracket instead when a step would leave it or shrink it too slowly."""
    value_low = function(low)[0]
    if value_low == 0:
        return low
    x, previous = 0.5 * (low + high), high - low
    for _step in range(200):
        value, slope = function(x)
        if value == 0:
            return x
        if (value > 0) == (value_low > 0):
            low = x
        else:
            high = x
        following = x - value / slope if slope else math.nan
        if not (low < following < high and abs(following - x) < 0.5 * previous):
            following = 0.5 * (low + high)
        previous = abs(following - x)
        if previous <= 2 * EPSILON * max(1.0, abs(following)):
            return following
        x = following
    return x


def _settled(values: np.ndarray, years: np.ndarray, rate: float) -> float:
    """The root, or the double root it is one half of (`_touching`)."""
    touch = _touching(values, years, rate)
    return rate if touch is None else touch


# --- The cash-flow model ------------------------------------------------------------------------------

LINE_KINDS = ("capex", "opex", "revenue", "avoided_cost", "economic_benefit", "output")
DRIVERS = ("capex", "opex", "revenue", "avoided_cost", "economic_benefit", "residual_value", "discount_rate")


@dataclass(frozen=True)
class Line:
    """One input line: amounts per year (years 0 to the horizon), in `currency` (default: the model's)."""

    kind: Literal["capex", "opex", "revenue", "avoided_cost", "economic_benefit", "output"]
    values: Sequence[float]
    label: str = ""
    currency: str = ""
    escalate: bool = True  # operating lines grow with inflation; capex and output never do


@dataclass(frozen=True)
class Loan:
    principal: float
    rate: float
    tenor_years: int                 # years of repayment after the grace period
    grace_years: int = 0             # years without repayment after the drawdown
    repayment: Literal["annuity", "straight"] = "annuity"
    drawdown_year: int = 0
    capitalise_grace_interest: bool = True  # interest during construction added to the principal
    currency: str = ""


@dataclass(frozen=True)
class Grant:
    amount: float
    year: int = 0
    currency: str = ""


@dataclass(frozen=True)
class ConversionFactors:
    """Financial to economic prices (shadow pricing): taxes and distortions removed per line kind."""

    capex: float = 1.0
    opex: float = 1.0
    revenue: float = 1.0


@dataclass(frozen=True)
class CashFlowModel:
    years: int                                   # the horizon: flows for years 0 … years
    discount_rate: float
    lines: tuple[Line, ...]
    currency: str = "USD"
    rates: Mapping[str, float] = field(default_factory=dict)  # 1 unit of a currency in `currency`
    inflation: float = 0.0
    residual_value: float = 0.0                  # in the final year, in `currency`
    economic_discount_rate: float | None = None  # default: the financial rate
    conversion_factors: ConversionFactors = ConversionFactors()
    loans: tuple[Loan, ...] = ()
    grants: tuple[Grant, ...] = ()
    start_year: int | None = None                # calendar year of year 0, for display only


def validate(model: CashFlowModel, known_currency: Callable[[str], bool] | None = None) -> list[tuple[str, str]]:
    """Every problem of a model, as (field, message): nothing is computed from a model that has one."""
    problems: list[tuple[str, str]] = []
    if not isinstance(model.years, int) or not 1 <= model.years <= MAX_YEARS:
        problems.append(("years", _("must be a whole number of years from 1 to %(maximum)s") % {"maximum": MAX_YEARS}))
        return problems
    for name in ("discount_rate", "inflation"):
        try:
            _rate(getattr(model, name), name)
        except ModelError as exc:
            problems += exc.problems
    if model.economic_discount_rate is not None:
        try:
            _rate(model.economic_discount_rate, "economic_discount_rate")
        except ModelError as exc:
            problems += exc.problems
    if not math.isfinite(model.residual_value) or abs(model.residual_value) > MAX_ABS_VALUE:
        problems.append(("residual_value", _("must be a finite amount")))
    if not model.lines:
        problems.append(("lines", _("give at least one line (capex, opex, revenue, …)")))
    if len(model.lines) > MAX_LINES:
        problems.append(("lines", _("at most %(maximum)s lines") % {"maximum": MAX_LINES}))
    currencies = {model.currency, *model.rates}
    for code, rate in model.rates.items():
        if known_currency and not known_currency(code):
            problems.append((f"rates.{code}", _("“%(code)s” is not an ISO 4217 currency code") % {"code": code}))
        if not isinstance(rate, int | float) or not math.isfinite(rate) or rate <= 0:
            problems.append((f"rates.{code}", _("must be a positive finite number")))
    if known_currency and not known_currency(model.currency):
        problems.append(("currency", _("“%(code)s” is not an ISO 4217 currency code") % {"code": model.currency}))
    for i, line in enumerate(model.lines):
        where = f"lines[{i}]"
        if line.kind not in LINE_KINDS:
            problems.append((f"{where}.kind", _("must be one of %(choices)s") % {"choices": ", ".join(LINE_KINDS)}))
        values = np.asarray(line.values, dtype=float) if _numeric(line.values) else None
        if values is None or values.ndim != 1:
            problems.append((f"{where}.values", _("must be a list of numbers")))
        elif values.size != model.years + 1:
            problems.append((f"{where}.values", _length_problem(values.size, model.years)))
        elif not np.all(np.isfinite(values)) or np.any(np.abs(values) > MAX_ABS_VALUE):
            problems.append((f"{where}.values", _("must hold finite amounts")))
        elif line.kind != "output" and np.any(values < 0):
            problems.append((f"{where}.values",
                             _("amounts are positive; the kind says whether money comes in or out")))
        problems += _currency_problems(where, line.currency, currencies)
    for i, loan in enumerate(model.loans):
        where = f"loans[{i}]"
        if not math.isfinite(loan.principal) or not 0 < loan.principal <= MAX_ABS_VALUE:
            problems.append((f"{where}.principal", _("must be a positive amount")))
        try:
            _rate(loan.rate, f"{where}.rate")
        except ModelError as exc:
            problems += exc.problems
        if loan.tenor_years < 1:
            problems.append((f"{where}.tenor_years", _("must be at least 1")))
        if loan.grace_years < 0:
            problems.append((f"{where}.grace_years", _("cannot be negative")))
        if not 0 <= loan.drawdown_year <= model.years:
            problems.append((f"{where}.drawdown_year", _("must be a year from 0 to %(last)s") % {"last": model.years}))
        elif loan.drawdown_year + loan.grace_years + loan.tenor_years > model.years:
            problems.append((where, _("is not repaid within the horizon (drawdown + grace + tenor > years)")))
        if loan.repayment not in ("annuity", "straight"):
            problems.append((f"{where}.repayment", _("must be annuity or straight")))
        problems += _currency_problems(where, loan.currency, currencies)
    for i, grant in enumerate(model.grants):
        where = f"grants[{i}]"
        if not math.isfinite(grant.amount) or not 0 < grant.amount <= MAX_ABS_VALUE:
            problems.append((f"{where}.amount", _("must be a positive amount")))
        if not 0 <= grant.year <= model.years:
            problems.append((f"{where}.year", _("must be a year from 0 to %(last)s") % {"last": model.years}))
        problems += _currency_problems(where, grant.currency, currencies)
    factors = model.conversion_factors
    for name in ("capex", "opex", "revenue"):
        value = getattr(factors, name)
        if not isinstance(value, int | float) or not math.isfinite(value) or not 0 <= value <= 10:
            problems.append((f"conversion_factors.{name}", _("must be a number from 0 to 10")))
    return problems


def _length_problem(count: int, years: int) -> str:
    """Why a line's row does not fit the horizon: too long (the extra amounts have no year), or empty (a
    shorter row is padded with zeros by `pad` before it gets here)."""
    figures = {"count": count, "expected": years + 1, "last": years, "extra": count - years - 1}
    if count > years + 1:
        return _("has %(count)s amounts, %(extra)s more than the %(expected)s years of the horizon (years 0 to "
                 "%(last)s): remove the extra amounts or lengthen the horizon") % figures
    return _("has %(count)s amounts; the horizon has %(expected)s years (years 0 to %(last)s)") % figures


def _currency_problems(where: str, code: str, currencies: set[str]) -> list[tuple[str, str]]:
    """A line, loan or grant in a currency other than the model's needs that currency's rate."""
    if not code or code in currencies:
        return []
    return [(f"{where}.currency", _("“%(code)s” has no rate in `rates`") % {"code": code})]


def _numeric(values: object) -> bool:
    try:
        np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


# --- Short rows ---------------------------------------------------------------------------------------
#
# A line's row that stops short of the horizon is taken as zeros for the years it leaves out (a cost
# paid once, a revenue that has not started yet), and the caller says so; a longer row is refused by
# `validate`, since its extra amounts have no year. The web editor and the API both pad through here.


@dataclass(frozen=True)
class Padding:
    """Zeros added to the row of line `line` (its position in the model) for years `first` to `last`."""

    line: int
    first: int
    last: int


def padded_row(values: Sequence[float], years: int) -> tuple[list[float], tuple[int, int] | None]:
    """A row of amounts with zeros added up to the horizon (years 0 to `years`), and the first and last
    year padded; None when nothing was added: a full or longer row, an empty one, or an invalid horizon
    (all left for `validate` to judge)."""
    row = list(values)
    if not isinstance(years, int) or not 1 <= years <= MAX_YEARS or not 0 < len(row) < years + 1:
        return row, None
    first = len(row)
    return row + [0.0] * (years + 1 - first), (first, years)


def pad_lines(model: CashFlowModel) -> tuple[CashFlowModel, tuple[Padding, ...]]:
    """The model with each short line padded with zeros to the horizon, and what was padded."""
    lines, paddings = [], []
    for index, line in enumerate(model.lines):
        values = line.values
        if isinstance(values, Sequence) and not isinstance(values, str):
            row, span = padded_row(values, model.years)
            if span is not None:
                line = replace(line, values=tuple(row))
                paddings.append(Padding(index, *span))
        lines.append(line)
    return replace(model, lines=tuple(lines)), tuple(paddings)


@dataclass(frozen=True)
class Components:
    """The model's yearly amounts in its currency (positive), before any driver multiplier."""

    capex: np.ndarray
    opex: np.ndarray
    revenue: np.ndarray
    avoided_cost: np.ndarray
    economic_benefit: np.ndarray
    output: np.ndarray
    residual: np.ndarray


def components(model: CashFlowModel) -> Components:
    n = model.years + 1
    totals = {kind: np.zeros(n) for kind in LINE_KINDS}
    growth = (1.0 + model.inflation) ** np.arange(n, dtype=float)
    for line in model.lines:
        amounts = np.asarray(line.values, dtype=float) * _to_model_currency(model, line.currency)
        if line.escalate and line.kind not in ("capex", "output"):
            amounts = amounts * growth
        totals[line.kind] = totals[line.kind] + amounts
    residual = np.zeros(n)
    residual[-1] = model.residual_value
    return Components(residual=residual, **totals)


def _to_model_currency(model: CashFlowModel, code: str) -> float:
    return 1.0 if not code or code == model.currency else float(model.rates[code])


def financial_flows(c: Components) -> np.ndarray:
    return c.revenue + c.residual - c.capex - c.opex


def economic_flows(c: Components, f: ConversionFactors) -> np.ndarray:
    """Resource costs at economic prices against the benefits to society: revenue (at its factor),
    avoided costs and wider economic benefits; the residual value at the capex factor."""
    return (c.revenue * f.revenue + c.avoided_cost + c.economic_benefit + c.residual * f.capex
            - c.capex * f.capex - c.opex * f.opex)


@dataclass(frozen=True)
class DebtSchedule:
    drawdown: np.ndarray
    interest: np.ndarray       # paid in the year
    principal: np.ndarray      # repaid in the year
    capitalised: np.ndarray    # interest added to the balance in the year
    balance: np.ndarray        # at the end of the year

    @property
    def service(self) -> np.ndarray:
        return self.interest + self.principal


def debt_schedule(model: CashFlowModel) -> DebtSchedule:
    n = model.years + 1
    total = {name: np.zeros(n) for name in ("drawdown", "interest", "principal", "capitalised", "balance")}
    for loan in model.loans:
        one = _loan_schedule(loan, n, _to_model_currency(model, loan.currency))
        for name in total:
            total[name] += one[name]
    return DebtSchedule(**total)


def _loan_schedule(loan: Loan, n: int, fx: float) -> dict[str, np.ndarray]:
    s = {name: np.zeros(n) for name in ("drawdown", "interest", "principal", "capitalised", "balance")}
    balance = loan.principal * fx
    s["drawdown"][loan.drawdown_year] = balance
    s["balance"][loan.drawdown_year] = balance
    first_repayment = loan.drawdown_year + loan.grace_years + 1
    for year in range(loan.drawdown_year + 1, first_repayment):  # grace: interest only, or capitalised
        interest = balance * loan.rate
        if loan.capitalise_grace_interest:
            s["capitalised"][year] = interest
            balance += interest
        else:
            s["interest"][year] = interest
        s["balance"][year] = balance
    level = -pmt(loan.rate, loan.tenor_years, balance) if loan.repayment == "annuity" else 0.0
    straight = balance / loan.tenor_years
    for year in range(first_repayment, first_repayment + loan.tenor_years):
        interest = balance * loan.rate
        repaid = level - interest if loan.repayment == "annuity" else straight
        repaid = min(repaid, balance) if year < first_repayment + loan.tenor_years - 1 else balance
        s["interest"][year], s["principal"][year] = interest, repaid
        balance -= repaid
        s["balance"][year] = balance
    return s


def grants_by_year(model: CashFlowModel) -> np.ndarray:
    amounts = np.zeros(model.years + 1)
    for grant in model.grants:
        amounts[grant.year] += grant.amount * _to_model_currency(model, grant.currency)
    return amounts


@dataclass(frozen=True)
class Coverage:
    """The debt service coverage ratio (DSCR) as a lender tests it.

    DSCR in a year = cash available for debt service (revenue - operating cost) / debt service (interest
    paid + principal repaid); defined only in years with debt service. The minimum that decides
    bankability is taken over the years the debt is serviced from operations: years with debt service in
    which principal is repaid or the project earns revenue ("tested"). A grace year before operations,
    with interest paid but neither revenue nor repayment ("grace", the construction period whose interest
    the loan or the equity funds), is shown but does not set the minimum. No debt service: no minimum."""

    dscr: list[float | None]
    basis: list[str]
    minimum: float | None


def coverage(cfads: np.ndarray, service: np.ndarray, principal: np.ndarray, revenue: np.ndarray) -> Coverage:
    serviced = service > 0
    tested = serviced & ((principal > 0) | (revenue > 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(serviced, cfads / np.where(serviced, service, 1.0), np.nan)
    dscr = [float(v) if s else None for v, s in zip(ratios, serviced, strict=True)]
    basis = ["tested" if t else "grace" if s else "" for t, s in zip(tested, serviced, strict=True)]
    return Coverage(dscr, basis, float(ratios[tested].min()) if tested.any() else None)


@dataclass(frozen=True)
class Appraisal:
    currency: str
    financial_npv: float
    financial_irr: RateResult
    economic_npv: float
    economic_irr: RateResult
    benefit_cost_ratio: float | None           # economic: PV(benefits) / PV(costs)
    financial_benefit_cost_ratio: float | None
    payback_years: float | None
    discounted_payback_years: float | None
    mirr: float | None
    levelised_unit_cost: float | None          # PV(capex + opex) / PV(output)
    equity_npv: float
    equity_irr: RateResult
    dscr: list[float | None]                   # per year; None where no debt is serviced
    dscr_basis: list[str]                      # per year: "tested", "grace" or "" (see `Coverage`)
    minimum_dscr: float | None                 # over the tested years; None without debt service
    table: dict[str, list[float]]              # the yearly flows behind every figure

    def as_dict(self) -> dict:
        result = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("financial_irr", "economic_irr", "equity_irr"):
            result[name] = getattr(self, name).as_dict()
        return result


def appraise(model: CashFlowModel, known_currency: Callable[[str], bool] | None = None) -> Appraisal:
    """Every result of a model: financial and economic NPV and IRR, ratios, paybacks, MIRR, levelised
    unit cost, the equity view with the financing, and DSCR per year."""
    _check(validate(model, known_currency))
    c = components(model)
    n = model.years + 1
    rate = model.discount_rate
    economic_rate = model.economic_discount_rate if model.economic_discount_rate is not None else rate
    project = financial_flows(c)
    economic = economic_flows(c, model.conversion_factors)
    debt = debt_schedule(model)
    grants = grants_by_year(model)
    equity = project + debt.drawdown + grants - debt.service
    cfads = c.revenue - c.opex
    cover = coverage(cfads, debt.service, debt.principal, c.revenue)
    factors = discount_factors(rate, n)
    economic_factors = discount_factors(economic_rate, n)
    costs_pv = float(np.sum((c.capex * model.conversion_factors.capex + c.opex * model.conversion_factors.opex)
                            * economic_factors))
    benefits_pv = float(np.sum((c.revenue * model.conversion_factors.revenue + c.avoided_cost + c.economic_benefit
                                + c.residual * model.conversion_factors.capex) * economic_factors))
    output_pv = float(np.sum(c.output * factors))
    table = {"year": [float(y) for y in range(n)], "capex": c.capex, "opex": c.opex, "revenue": c.revenue,
             "avoided_cost": c.avoided_cost, "economic_benefit": c.economic_benefit, "residual_value": c.residual,
             "financial_flow": project, "economic_flow": economic, "discount_factor": factors,
             "loan_drawdown": debt.drawdown, "interest": debt.interest, "principal": debt.principal,
             "capitalised_interest": debt.capitalised, "debt_balance": debt.balance, "grants": grants,
             "equity_flow": equity, "cfads": cfads}
    return Appraisal(
        currency=model.currency,
        financial_npv=float(np.sum(project * factors)),
        financial_irr=irr(project),
        economic_npv=float(np.sum(economic * economic_factors)),
        economic_irr=irr(economic),
        benefit_cost_ratio=benefits_pv / costs_pv if costs_pv > 0 else None,
        financial_benefit_cost_ratio=benefit_cost_ratio(rate, project),
        payback_years=payback(project),
        discounted_payback_years=discounted_payback(rate, project),
        mirr=mirr(project, rate, rate),
        levelised_unit_cost=(float(np.sum((c.capex + c.opex) * factors)) / output_pv) if output_pv > 0 else None,
        equity_npv=float(np.sum(equity * factors)),
        equity_irr=irr(equity),
        dscr=cover.dscr,
        dscr_basis=cover.basis,
        minimum_dscr=cover.minimum,
        table={name: [float(v) for v in values] for name, values in table.items()},
    )


def appraise_flows(discount_rate: float, flows: Sequence[float]) -> dict:
    """The short form: results of one yearly series of net flows (year 0 first)."""
    values = _series(flows, min_length=2)
    rate = _rate(discount_rate)
    result = irr(values)
    return {
        "npv": npv(rate, values), "irr": result.value, "irr_detail": result.as_dict(),
        "payback_years": payback(values), "discounted_payback_years": discounted_payback(rate, values),
        "bcr": benefit_cost_ratio(rate, values), "mirr": mirr(values, rate, rate),
    }


# --- Sensitivity --------------------------------------------------------------------------------------
#
# A driver multiplies one part of the model: the capex, opex, revenue, avoided-cost and benefit lines,
# the residual value, or the discount rates (financial and economic together). Both NPVs are linear
# in every driver but the discount rate, which is what makes switching values exact.


def _weights(model: CashFlowModel, c: Components) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per driver, its yearly contribution to the financial and to the economic flows (signed)."""
    f = model.conversion_factors
    zero = np.zeros(model.years + 1)
    return {
        "capex": (-c.capex, -c.capex * f.capex),
        "opex": (-c.opex, -c.opex * f.opex),
        "revenue": (c.revenue, c.revenue * f.revenue),
        "avoided_cost": (zero, c.avoided_cost),
        "economic_benefit": (zero, c.economic_benefit),
        "residual_value": (c.residual, c.residual * f.capex),
    }


def _rates(model: CashFlowModel) -> tuple[float, float]:
    economic = model.economic_discount_rate if model.economic_discount_rate is not None else model.discount_rate
    return model.discount_rate, economic


def npvs(model: CashFlowModel, multipliers: Mapping[str, float] | None = None) -> tuple[float, float]:
    """Financial and economic NPV with the drivers multiplied (1.0: as in the model)."""
    m = {name: 1.0 for name in DRIVERS} | dict(multipliers or {})
    unknown = set(m) - set(DRIVERS)
    if unknown:
        raise ModelError([("drivers", _("unknown driver(s): %(names)s") % {"names": ", ".join(sorted(unknown))})])
    c = components(model)
    rate, economic_rate = (r * m["discount_rate"] for r in _rates(model))
    for name, value in (("discount_rate", rate), ("economic_discount_rate", economic_rate)):
        _rate(value, name)
    n = model.years + 1
    weights = _weights(model, c)
    financial = sum(m[name] * w[0] for name, w in weights.items())
    economic = sum(m[name] * w[1] for name, w in weights.items())
    return (float(np.sum(financial * discount_factors(rate, n))),
            float(np.sum(economic * discount_factors(economic_rate, n))))


@dataclass(frozen=True)
class TornadoBar:
    driver: str
    low_npv: float          # financial NPV with the driver at (1 - change)
    high_npv: float         # … at (1 + change)
    low_economic_npv: float
    high_economic_npv: float

    @property
    def swing(self) -> float:
        return abs(self.high_npv - self.low_npv)


def tornado(model: CashFlowModel, change: float = 0.2) -> list[TornadoBar]:
    """Both NPVs with each driver moved by ±`change` (0.2: ±20 %), widest financial swing first;
    drivers that are empty in the model are left out."""
    if not 0 < change < 1:
        raise ModelError([("change", _("must be between 0 and 1 (e.g. 0.2 for ±20 %)"))])
    _check(validate(model))
    c = components(model)
    present = [name for name, w in _weights(model, c).items() if np.any(w[0]) or np.any(w[1])]
    bars = []
    for name in [*present, "discount_rate"]:
        low, low_e = npvs(model, {name: 1 - change})
        high, high_e = npvs(model, {name: 1 + change})
        bars.append(TornadoBar(name, low, high, low_e, high_e))
    return sorted(bars, key=lambda bar: (-bar.swing, bar.driver))


@dataclass(frozen=True)
class SwitchingValue:
    driver: str
    financial: float | None  # the relative change of the driver that brings the financial NPV to zero
    economic: float | None   # … the economic NPV

    def as_dict(self) -> dict:
        return {"driver": self.driver, "financial": self.financial, "economic": self.economic}


def switching_values(model: CashFlowModel) -> list[SwitchingValue]:
    """For each driver, the change (-0.25: a 25 % fall) that makes each NPV exactly zero; None where
    no change of that driver can (it does not enter that NPV, or only a negative amount would do).
    For the discount rate it is the change that brings the rate to the (unique) IRR."""
    _check(validate(model))
    c = components(model)
    rate, economic_rate = _rates(model)
    n = model.years + 1
    base, base_e = npvs(model)
    values = []
    for name, (weight, weight_e) in _weights(model, c).items():
        contribution = float(np.sum(weight * discount_factors(rate, n)))
        contribution_e = float(np.sum(weight_e * discount_factors(economic_rate, n)))
        values.append(SwitchingValue(name, _switch(base, contribution), _switch(base_e, contribution_e)))
    financial_irr = irr(financial_flows(c)).value
    economic_irr = irr(economic_flows(c, model.conversion_factors)).value
    values.append(SwitchingValue(
        "discount_rate",
        financial_irr / rate - 1 if financial_irr is not None and rate else None,
        economic_irr / economic_rate - 1 if economic_irr is not None and economic_rate else None))
    return values


def _switch(base: float, contribution: float) -> float | None:
    """NPV(m) = base + (m - 1)·contribution; the change m - 1 where that is zero, if m stays ≥ 0."""
    if contribution == 0:
        return None
    change = -base / contribution
    return change if change >= -1 else None


def scenarios(model: CashFlowModel, named: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Both NPVs of each named set of driver multipliers, e.g. {"pessimistic": {"capex": 1.3, …}}."""
    _check(validate(model))
    result = {}
    for name, multipliers in named.items():
        financial, economic = npvs(model, multipliers)
        result[name] = {"financial_npv": financial, "economic_npv": economic}
    return result


# --- Monte Carlo ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """A driver's multiplier (for the discount rate too) as a probability distribution."""

    kind: Literal["triangular", "pert", "normal", "lognormal", "uniform"]
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None

    def problems(self, where: str) -> list[tuple[str, str]]:
        needs = {"triangular": ("low", "mode", "high"), "pert": ("low", "mode", "high"),
                 "uniform": ("low", "high"), "normal": ("mean", "sd"), "lognormal": ("mean", "sd")}
        if self.kind not in needs:
            return [(f"{where}.kind", _("must be one of %(choices)s") % {"choices": ", ".join(needs)})]
        missing = [name for name in needs[self.kind]
                   if not isinstance(getattr(self, name), int | float) or not math.isfinite(getattr(self, name))]
        if missing:
            return [(f"{where}.{name}", _("a %(kind)s distribution needs a finite %(name)s")
                     % {"kind": self.kind, "name": name}) for name in missing]
        if self.kind in ("triangular", "pert"):
            low, mode, high = self._given("low"), self._given("mode"), self._given("high")
            if not (low <= mode <= high and low < high):
                return [(where, _("needs low ≤ mode ≤ high, with low < high"))]
        elif self.kind == "uniform":
            if not self._given("low") < self._given("high"):
                return [(where, _("needs low < high"))]
        else:  # normal, lognormal
            if not self._given("sd") > 0:
                return [(f"{where}.sd", _("must be above 0"))]
            if self.kind == "lognormal" and not self._given("mean") > 0:
                return [(f"{where}.mean", _("must be above 0"))]
        return []

    def _given(self, name: Literal["low", "mode", "high", "mean", "sd"]) -> float:
        """A parameter the kind needs, once `problems` has found it a finite number (ModelError if absent)."""
        value: float | None = getattr(self, name)
        if value is None:
            raise ModelError([(name, _("a %(kind)s distribution needs a finite %(name)s")
                               % {"kind": self.kind, "name": name})])
        return float(value)

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        """Values with this distribution from standard normal scores (the Gaussian copula); call it once
        `problems` finds none."""
        from scipy.special import betaincinv, ndtr

        if self.kind == "normal":
            return self._given("mean") + self._given("sd") * z
        if self.kind == "lognormal":
            mean = self._given("mean")
            sigma2 = math.log1p((self._given("sd") / mean) ** 2)
            return np.exp(math.log(mean) - sigma2 / 2 + math.sqrt(sigma2) * z)
        u = ndtr(z)
        low, high = self._given("low"), self._given("high")
        if self.kind == "uniform":
            return low + u * (high - low)
        mode, width = self._given("mode"), high - low
        if self.kind == "pert":
            alpha, beta = 1 + 4 * (mode - low) / width, 1 + 4 * (high - mode) / width
            return low + betaincinv(alpha, beta, u) * width
        split = (mode - low) / width  # triangular
        return np.where(u < split, low + np.sqrt(u * width * (mode - low)),
                        high - np.sqrt((1 - u) * width * (high - mode)))


@dataclass(frozen=True)
class Summary:
    mean: float
    sd: float
    p10: float
    p50: float
    p90: float
    probability_negative: float
    histogram_edges: list[float]
    histogram_counts: list[int]

    @classmethod
    def of(cls, values: np.ndarray, bins: int) -> Summary:
        p10, p50, p90 = np.percentile(values, [10, 50, 90])
        if np.ptp(values) == 0:
            edges, counts = np.array([values[0], values[0]]), np.array([values.size])
        else:
            counts, edges = np.histogram(values, bins=bins)
        return cls(float(values.mean()), float(values.std()), float(p10), float(p50), float(p90),
                   float(np.mean(values < 0)), [float(e) for e in edges], [int(c) for c in counts])


@dataclass(frozen=True)
class Simulation:
    iterations: int
    seed: int
    financial_npv: Summary
    economic_npv: Summary


def simulate(model: CashFlowModel, drivers: Mapping[str, Distribution], *, iterations: int = 10_000, seed: int,
             correlation: Sequence[Sequence[float]] | None = None, bins: int = 40) -> Simulation:
    """Monte Carlo of both NPVs: each driver's multiplier drawn from its distribution (correlated
    through a Gaussian copula when `correlation` is given, in the order of `drivers`), all draws at
    once. The same seed gives the same result."""
    problems = validate(model)
    if not isinstance(iterations, int) or not 100 <= iterations <= MAX_ITERATIONS:
        problems.append(("iterations", _("must be a whole number from 100 to %(maximum)s")
                         % {"maximum": f"{MAX_ITERATIONS:,}"}))
    if not isinstance(seed, int) or not 0 <= seed < 2**63:
        problems.append(("seed", _("must be a whole number from 0 to 2^63 - 1")))
    if not drivers:
        problems.append(("drivers", _("give at least one driver with a distribution")))
    for name, distribution in drivers.items():
        if name not in DRIVERS:
            problems.append((f"drivers.{name}", _("is not a driver; drivers are %(drivers)s")
                             % {"drivers": ", ".join(DRIVERS)}))
        problems += distribution.problems(f"drivers.{name}")
    if not 2 <= bins <= 200:
        problems.append(("bins", _("must be from 2 to 200")))
    names = list(drivers)
    cholesky = None
    if correlation is not None:
        cholesky, problem = _cholesky(correlation, len(names))
        if problem:
            problems.append(("correlation", problem))
    _check(problems)
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((iterations, len(names)))
    if cholesky is not None:
        scores = scores @ cholesky.T
    multipliers = {name: drivers[name].from_normal(scores[:, i]) for i, name in enumerate(names)}
    financial, economic = _npv_draws(model, multipliers, iterations)
    return Simulation(iterations, seed, Summary.of(financial, bins), Summary.of(economic, bins))


def _cholesky(matrix: Sequence[Sequence[float]], size: int) -> tuple[np.ndarray | None, str]:
    try:
        c = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        return None, _("must be a square matrix of numbers")
    if c.shape != (size, size):
        return None, _("must be %(size)s x %(size)s, one row and column per driver in the order given") % {"size": size}
    if not np.all(np.isfinite(c)) or not np.allclose(c, c.T) or not np.allclose(np.diag(c), 1) or np.any(np.abs(c) > 1):
        return None, _("must be symmetric, with ones on the diagonal and values from -1 to 1")
    try:
        return np.linalg.cholesky(c), ""
    except np.linalg.LinAlgError:
        return None, _("is not positive definite (the correlations contradict each other)")


def _npv_draws(model: CashFlowModel, multipliers: Mapping[str, np.ndarray], iterations: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Both NPVs for every draw: a matrix product of the multipliers with each driver's present value,
    or, when the discount rate varies, with a matrix of discount factors."""
    c = components(model)
    n = model.years + 1
    rate, economic_rate = _rates(model)
    weights = _weights(model, c)
    drivers = list(weights)
    m = np.column_stack([multipliers.get(name, np.ones(iterations)) for name in drivers])  # iterations x drivers
    financial_w = np.column_stack([weights[name][0] for name in drivers])                 # years x drivers
    economic_w = np.column_stack([weights[name][1] for name in drivers])
    t = np.arange(n, dtype=float)
    if "discount_rate" not in multipliers:
        financial_pv = discount_factors(rate, n) @ financial_w                            # drivers
        economic_pv = discount_factors(economic_rate, n) @ economic_w
        return m @ financial_pv, m @ economic_pv
    scale = multipliers["discount_rate"]
    if np.any(rate * scale <= -1) or np.any(economic_rate * scale <= -1):
        raise ModelError([("drivers.discount_rate", _("draws a discount rate at or below -100 %"))])
    financial_f = np.exp(-np.outer(np.log1p(rate * scale), t))                            # iterations x years
    economic_f = np.exp(-np.outer(np.log1p(economic_rate * scale), t))
    return (np.einsum("ij,ij->i", financial_f @ financial_w, m),
            np.einsum("ij,ij->i", economic_f @ economic_w, m))
