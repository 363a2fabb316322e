"""The appraisal and risk engine (pure: no database). Cross-checked against numpy-financial and
Excel's documented examples; every model problem names its field."""

import datetime as dt
import math
from decimal import Decimal, localcontext

import numpy as np
import numpy_financial as npf
import pytest

from ascn.core import translator
from ascn.finance import engine as e

RELATIVE = 1e-9


def close(a: float, b: float, rel: float = RELATIVE) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def random_conventional_flows(rng: np.random.Generator) -> np.ndarray:
    """An outlay, then inflows (one sign change), 2 to 40 years, amounts over several magnitudes."""
    years = int(rng.integers(1, 40))
    scale = 10 ** rng.uniform(2, 9)
    return np.concatenate([[-scale * rng.uniform(0.5, 2)], scale * rng.uniform(0, 0.4, years)])


# --- Cross-checks with numpy-financial -----------------------------------------------------------------


def test_npv_pmt_and_mirr_match_numpy_financial_on_thousands_of_random_cases():
    rng = np.random.default_rng(20261123)
    for _ in range(3000):
        flows = random_conventional_flows(rng)
        rate = float(rng.uniform(-0.5, 0.5))
        assert close(e.npv(rate, flows), float(npf.npv(rate, flows)))
        finance, reinvest = float(rng.uniform(0, 0.2)), float(rng.uniform(0, 0.2))
        assert close(e.mirr(flows, finance, reinvest), float(npf.mirr(flows, finance, reinvest)))
        periods, principal = int(rng.integers(1, 480)), float(rng.uniform(1e3, 1e9))
        for at_start in (False, True):
            expected = float(npf.pmt(rate / 12, periods, principal, when="begin" if at_start else "end"))
            assert close(e.pmt(rate / 12, periods, principal, at_start=at_start), expected)
    assert e.pmt(0.0, 10, 1000.0) == -100.0


def test_irr_matches_numpy_financial_wherever_the_rate_is_unique():
    rng = np.random.default_rng(7)
    compared = 0
    for _ in range(3000):
        flows = random_conventional_flows(rng)
        result, expected = e.irr(flows), float(npf.irr(flows))
        if math.isnan(expected):
            assert result.status == "none"
            continue
        assert result.status == "unique" and result.sign_changes == 1
        assert close(result.value, expected)
        assert abs(e.npv(result.value, flows)) <= 1e-9 * np.abs(flows).sum()
        compared += 1
    assert compared > 2500


def test_numpy_financial_docstring_examples():
    assert close(e.irr([-100, 39, 59, 55, 20]).value, 0.28094842115996066)
    assert round(e.irr([-100, 0, 0, 74]).value, 5) == -0.0955
    # numpy-financial returns the root closest to zero (-0.0833); there are two, and the engine says so.
    both = e.irr([-100, 100, 0, -7])
    assert (both.status, [round(r, 4) for r in both.roots]) == ("multiple", [-0.6789, -0.0833])


# --- IRR that is not unique ------------------------------------------------------------------------------


def test_several_sign_changes_report_every_root_and_no_single_rate():
    result = e.irr([-1, 6, -11, 6])  # NPV = -(x - 1)(x - 1/2)(x - 1/3) with x = 1/(1+r): r = 0, 1, 2
    assert result.status == "multiple" and result.value is None and result.sign_changes == 3
    assert [round(r, 12) for r in result.roots] == [0.0, 1.0, 2.0]
    assert "3 rates make the net present value zero" in result.message
    assert "no single internal rate of return" in result.message
    two = e.irr([-100, 230, -132])  # r = 10 % and 20 %
    assert [round(r, 12) for r in two.roots] == [0.1, 0.2] and two.status == "multiple"


def test_several_sign_changes_with_one_root_give_that_root():
    flows = [-100, 10, -5, 150]
    result = e.irr(flows)
    assert (result.status, result.sign_changes) == ("unique", 3)
    assert abs(e.npv(result.value, flows)) < 1e-9


@pytest.mark.parametrize(("flows", "reason"), [
    ([100, 50, 10], "the flows never change sign"),
    ([-5, 0, -1], "the flows never change sign"),
    ([-100, 50, 50, 50, -100], "no rate above -100 % makes the net present value zero"),
])
def test_no_root_is_said_plainly(flows, reason):
    result = e.irr(flows)
    assert (result.status, result.value, result.roots) == ("none", None, ())
    assert result.message == f"There is no internal rate of return: {reason}."


# --- Dated flows: Excel's documented examples ----------------------------------------------------------

EXCEL_DATES = [dt.date(2008, 1, 1), dt.date(2008, 3, 1), dt.date(2008, 10, 30), dt.date(2009, 2, 15),
               dt.date(2009, 4, 1)]
EXCEL_VALUES = [-10000, 2750, 4250, 3250, 2750]


def exact_xnpv(rate: float, values, dates) -> float:
    """XNPV summed in high precision (fractional powers in floating point, one term at a time)."""
    from fractions import Fraction

    total = Fraction(0)
    for value, day in zip(values, dates, strict=True):
        total += Fraction(value) / Fraction((1 + rate) ** ((day - dates[0]).days / 365))
    return float(total)


def test_xnpv_matches_excels_example():
    """Microsoft's XNPV page: rate 9 %, these five flows → 2086.647602."""
    value = e.xnpv(0.09, EXCEL_VALUES, EXCEL_DATES)
    assert close(value, 2086.647602, rel=1e-9)
    assert close(value, exact_xnpv(0.09, EXCEL_VALUES, EXCEL_DATES), rel=1e-12)


def test_xirr_matches_excels_example_and_is_an_exact_root():
    """Microsoft's XIRR page gives 0.373362535 and says Excel iterates until the rate is accurate
    within 0.000001 % (1e-8); the engine's root is exact, so it agrees with the page to that accuracy
    and makes XNPV zero to within 1e-9 of the flows' size."""
    result = e.xirr(EXCEL_VALUES, EXCEL_DATES)
    assert result.status == "unique"
    assert abs(result.value - 0.373362535) <= 1e-8
    assert abs(e.xnpv(result.value, EXCEL_VALUES, EXCEL_DATES)) <= 1e-9 * sum(map(abs, EXCEL_VALUES))


def test_xirr_reports_several_roots_and_none():
    dates = [dt.date(2021, 1, 1), dt.date(2022, 1, 1), dt.date(2023, 1, 1)]  # 365 days apart: whole years
    assert [round(r, 9) for r in e.xirr([-100, 230, -132], dates).roots] == [0.1, 0.2]
    assert e.xirr([100, 230, 132], dates).status == "none"


def test_dated_flows_are_checked():
    with pytest.raises(e.ModelError, match="dates: has 2 dates for 3 values"):
        e.xnpv(0.1, [1, 2, 3], EXCEL_DATES[:2])
    with pytest.raises(e.ModelError, match="dates: no date may precede the first one"):
        e.xirr([-1, 2], [dt.date(2020, 2, 1), dt.date(2020, 1, 1)])


# --- Close and double roots, extreme rates, discounting near -100 % ---------------------------------------

YEARS = [dt.date(2021, 1, 1), dt.date(2022, 1, 1), dt.date(2023, 1, 1)]  # 365 days apart: whole years


def xirr_in_whole_years(flows):
    return e.xirr(flows, YEARS[:len(flows)])


RATE_FINDERS = [pytest.param(e.irr, id="irr"), pytest.param(xirr_in_whole_years, id="xirr")]


def exact_rates(c0: str, c1: str, c2: str) -> list[Decimal]:
    """The rates r where c0 + c1/(1+r) + c2/(1+r)² is zero, for the flows as written in decimal (not as
    binary floats), in 60-digit arithmetic: the quadratic formula in x = 1/(1+r)."""
    with localcontext() as context:
        context.prec = 60
        a, b, c = Decimal(c2), Decimal(c1), Decimal(c0)
        discriminant = b * b - 4 * a * c
        if discriminant < 0:
            return []
        xs = {(-b - discriminant.sqrt()) / (2 * a), (-b + discriminant.sqrt()) / (2 * a)}
        return sorted(1 / x - 1 for x in xs if x > 0)


@pytest.mark.parametrize("finder", RATE_FINDERS)
def test_two_roots_closer_than_the_xirr_grid_are_both_found(finder):
    """(1 - 1.1x)(1 - 1.101x): roots at exactly 10 % and 10.1 %, 0.09 % apart in 1 + r, within one step
    of xirr's grid (0.58 %). The NPV's slope there is a thousandth of its terms, so rounding moves the
    roots by up to about 1e-13 (those of the binary flows are 10 % - 8.9e-15 and 10.1 % + 8.9e-15)."""
    assert exact_rates("1", "-2.201", "1.2111") == [Decimal("0.1"), Decimal("0.101")]
    result = finder([1, -2.201, 1.2111])
    assert (result.status, result.value, result.sign_changes, len(result.roots)) == ("multiple", None, 2, 2)
    assert abs(result.roots[0] - 0.1) <= 1e-12
    assert abs(result.roots[1] - 0.101) <= 1e-12
    assert "2 rates make the net present value zero (10.0000%, 10.1000%)" in result.message


@pytest.mark.parametrize("finder", RATE_FINDERS)
@pytest.mark.parametrize(("flows", "rate"), [
    pytest.param(("-1", "2.2", "-1.21"), "0.1", id="10%"),   # binary 2.2 and 1.21 split it: 10 % ± 1.5e-8
    pytest.param(("-1", "2.4", "-1.44"), "0.2", id="20%"),   # binary 2.4 and 1.44 leave no root at all
    pytest.param(("-1", "4", "-4"), "1", id="100%"),         # exact in binary: -(1 - 2x)²
    pytest.param(("-4", "4", "-1"), "-0.5", id="-50%"),      # -(2 - x)²
])
def test_a_double_root_is_found_and_reported_once(finder, flows, rate):
    """A negative multiple of (1 - (1 + rate)·x)², x = 1/(1 + r): the NPV touches zero at `rate` and is
    negative at every other rate."""
    assert exact_rates(*flows) == [Decimal(rate)]
    result = finder([float(value) for value in flows])
    assert (result.status, len(result.roots), result.sign_changes) == ("unique", 1, 2)
    assert abs(result.value - float(rate)) <= 1e-15
    assert result.message == "One rate makes the net present value zero."


def test_xirr_in_whole_years_finds_the_roots_irr_finds():
    """irr takes the polynomial's roots (np.roots), xirr searches a grid: two methods, one answer."""
    rng = np.random.default_rng(11)
    dates = [dt.date(2001, 1, 1) + dt.timedelta(days=365 * year) for year in range(12)]
    several = 0
    for _ in range(300):
        flows = rng.normal(size=int(rng.integers(2, 12))) * 10 ** rng.uniform(0, 6)
        expected, result = e.irr(flows), e.xirr(flows, dates[:flows.size])
        assert len(result.roots) == len(expected.roots)
        assert all(close(a, b, rel=1e-9) or abs(a - b) <= 1e-12 for a, b in zip(result.roots, expected.roots, strict=True))
        several += len(expected.roots) > 1
    assert several > 20


def test_irr_has_no_ceiling_on_the_rate():
    """-1 now and 10,000,000 in a year: 1 + r = 10⁷, r = 9,999,999 (numpy-financial agrees). xirr solves
    for s = log(1 + r) = 16.1, whose last place is worth 3.6e-15 of 1 + r: a few of those, under 1e-13."""
    result = e.irr([-1, 1e7])
    assert result.status == "unique" and result.value == pytest.approx(9_999_999, rel=1e-15)
    assert float(npf.irr([-1, 1e7])) == pytest.approx(9_999_999, rel=1e-15)
    assert e.irr([-1, 1e15]).value == pytest.approx(1e15 - 1, rel=1e-15)
    assert xirr_in_whole_years([-1, 1e7]).value == pytest.approx(9_999_999, rel=1e-13)


@pytest.mark.parametrize("finder", RATE_FINDERS)
def test_rates_below_minus_99_99_percent_are_found(finder):
    """-1 now and 0.00005 in a year: 1 + r = 5e-5, r = -99.995 %, below xirr's former grid (-99.99 %);
    to within the spacing of floats next to -1 (1.1e-16)."""
    assert Decimal.from_float(5e-5) - 1 == pytest.approx(Decimal("-0.99995"), abs=Decimal("1e-20"))
    result = finder([-1, 5e-5])
    assert result.status == "unique" and abs(result.value - -0.99995) <= 2.3e-16


def test_xirr_searches_down_to_where_a_float_rate_stays_above_minus_100_percent():
    """1 + r = 1e-12 is found; 1 + r = 1e-20 is a rate no float tells apart from -100 %."""
    assert abs(xirr_in_whole_years([-1, 1e-12]).value - (1e-12 - 1)) <= 2.3e-16
    assert 1e-20 - 1 == -1.0
    assert xirr_in_whole_years([-1, 1e-20]).status == "none"


TOO_CLOSE_TO_MINUS_100 = "is too close to -100 %: the present value of these flows is too large to compute"


@pytest.mark.parametrize(("compute", "field"), [
    pytest.param(lambda: e.npv(-0.999999, [1.0] * 101), "discount_rate", id="npv"),
    pytest.param(lambda: e.npv(-0.999999, [1e-300] * 101), "discount_rate", id="npv-factors"),  # these alone overflow
    pytest.param(lambda: e.discounted_payback(-0.999999, [-1.0] + [1.0] * 100), "discount_rate",
                 id="discounted_payback"),
    pytest.param(lambda: e.benefit_cost_ratio(-0.999999, [-1.0] + [1.0] * 100), "discount_rate",
                 id="benefit_cost_ratio"),
    pytest.param(lambda: e.mirr([-1.0] * 50 + [1.0] * 51, -0.999999, 0.1), "finance_rate", id="mirr-finance"),
    pytest.param(lambda: e.mirr([-1.0] + [1.0] * 100, 0.1, -0.999999), "reinvest_rate", id="mirr-reinvest"),
])
def test_a_rate_whose_present_values_overflow_is_refused_naming_it(compute, field):
    """At -99.9999 % a flow in year 100 is worth (1 - 0.999999)^-100 = 1e600 times itself today: beyond
    the largest float (1.8e308). The engine says which rate, instead of NumPy's warning and infinity."""
    with localcontext() as context:
        context.prec = 40
        assert (1 + Decimal.from_float(-0.999999)) ** -100 > Decimal.from_float(float(np.finfo(float).max))
    with pytest.raises(e.ModelError) as caught:
        compute()
    assert caught.value.problems == [(field, TOO_CLOSE_TO_MINUS_100)]


def test_present_values_up_to_the_float_range_are_still_computed():
    """Fifty years at -99.9999 % come to about 1.000001e300, which a float holds."""
    rate = -0.999999
    with localcontext() as context:
        context.prec = 40
        exact = sum((1 + Decimal.from_float(rate)) ** -year for year in range(51))
    assert close(e.npv(rate, [1.0] * 51), float(exact), rel=1e-13)
    assert close(e.npv(-0.5, [1.0] * 101), 2.0**101 - 1, rel=1e-15)


# --- Paybacks and ratios --------------------------------------------------------------------------------


@pytest.mark.parametrize(("flows", "years"), [
    ([-100, 50, 50, 50], 2.0),
    ([-100, 30, 30, 30, 30], 3 + 10 / 30),
    ([-100, 150, -100, 60], 2 + 50 / 60),  # back below zero in year 2: payback counts from there
    ([10, 5], 0.0),
    ([-100, 10, 10], None),
])
def test_payback(flows, years):
    assert e.payback(flows) == (pytest.approx(years, rel=1e-12) if years is not None else None)


def test_discounted_payback_and_benefit_cost_ratio():
    flows = [-100, 60, 60]
    factors = [1, 1 / 1.1, 1 / 1.21]
    discounted = [f * v for f, v in zip(factors, flows, strict=True)]
    assert e.discounted_payback(0.1, flows) == pytest.approx(1 + (100 - discounted[1]) / discounted[2], rel=1e-12)
    assert e.benefit_cost_ratio(0.1, flows) == pytest.approx((60 / 1.1 + 60 / 1.21) / 100, rel=1e-12)
    assert e.benefit_cost_ratio(0.1, [1, 2]) is None


def test_short_form():
    result = e.appraise_flows(0.08, [-1000, 300, 400, 500])
    assert result["npv"] == pytest.approx(-1000 + 300 / 1.08 + 400 / 1.08**2 + 500 / 1.08**3, rel=1e-12)
    assert result["irr"] == pytest.approx(float(npf.irr([-1000, 300, 400, 500])), rel=1e-9)
    assert result["payback_years"] == pytest.approx(2 + 300 / 500)
    assert result["bcr"] == pytest.approx((300 / 1.08 + 400 / 1.08**2 + 500 / 1.08**3) / 1000, rel=1e-12)
    assert result["irr_detail"]["status"] == "unique"


# --- The model -------------------------------------------------------------------------------------------


def small_model(**changes) -> e.CashFlowModel:
    """Three years: build for 1,000 in year 0, then 100 a year to run, 500 a year of revenue."""
    base = dict(
        years=3, discount_rate=0.1, currency="USD",
        lines=(e.Line("capex", [1000, 0, 0, 0]), e.Line("opex", [0, 100, 100, 100]),
               e.Line("revenue", [0, 500, 500, 500]), e.Line("economic_benefit", [0, 50, 50, 50]),
               e.Line("output", [0, 10, 10, 10])),
    )
    return e.CashFlowModel(**(base | changes))


def test_appraisal_of_a_small_model_by_hand():
    result = e.appraise(small_model(conversion_factors=e.ConversionFactors(capex=0.8, opex=0.9, revenue=1.0)))
    d = [1, 1 / 1.1, 1 / 1.21, 1 / 1.331]
    assert result.financial_npv == pytest.approx(-1000 + 400 * (d[1] + d[2] + d[3]), rel=1e-12)
    assert result.economic_npv == pytest.approx(-800 + (500 + 50 - 90) * (d[1] + d[2] + d[3]), rel=1e-12)
    assert result.benefit_cost_ratio == pytest.approx(550 * sum(d[1:]) / (800 + 90 * sum(d[1:])), rel=1e-12)
    assert result.financial_irr.value == pytest.approx(float(npf.irr([-1000, 400, 400, 400])), rel=1e-9)
    assert result.payback_years == pytest.approx(2.5)
    assert result.levelised_unit_cost == pytest.approx((1000 + 100 * sum(d[1:])) / (10 * sum(d[1:])), rel=1e-12)
    assert result.table["financial_flow"] == [-1000.0, 400.0, 400.0, 400.0]
    assert result.dscr == [None] * 4 and result.minimum_dscr is None
    assert result.equity_npv == pytest.approx(result.financial_npv, rel=1e-12)  # no financing: equity is the project


def test_inflation_and_currencies():
    model = small_model(
        inflation=0.05, rates={"JPY": 0.01},
        lines=(e.Line("capex", [100000, 0, 0, 0], currency="JPY"), e.Line("opex", [0, 100, 100, 100]),
               e.Line("revenue", [0, 500, 500, 500], escalate=False)))
    table = e.appraise(model).table
    assert table["capex"] == [1000.0, 0.0, 0.0, 0.0]                      # converted at 0.01 USD per JPY
    assert table["opex"] == pytest.approx([0, 105, 110.25, 115.7625])      # escalated 5 % a year
    assert table["revenue"] == [0.0, 500.0, 500.0, 500.0]                  # as given


def test_annuity_loan_with_capitalised_grace_interest_and_dscr():
    loan = e.Loan(principal=600, rate=0.05, tenor_years=2, grace_years=1)
    result = e.appraise(small_model(loans=(loan,), grants=(e.Grant(100, 0),)))
    table = result.table
    balance = 600 * 1.05                                                   # year 1: interest capitalised
    payment = -float(npf.pmt(0.05, 2, balance))
    assert table["capitalised_interest"] == pytest.approx([0, 30, 0, 0])
    assert table["interest"] == pytest.approx([0, 0, balance * 0.05, (balance - (payment - balance * 0.05)) * 0.05])
    assert sum(table["principal"]) == pytest.approx(balance, rel=1e-12)
    assert table["debt_balance"][-1] == pytest.approx(0, abs=1e-9)
    service = [i + p for i, p in zip(table["interest"], table["principal"], strict=True)]
    assert service[2] == pytest.approx(payment) and service[3] == pytest.approx(payment)
    assert result.dscr == [None, None, pytest.approx(400 / payment), pytest.approx(400 / payment)]
    assert result.minimum_dscr == pytest.approx(400 / payment)
    assert table["equity_flow"][0] == pytest.approx(-1000 + 600 + 100)


def test_straight_line_loan_with_interest_paid_in_the_grace_year():
    loan = e.Loan(principal=600, rate=0.05, tenor_years=2, grace_years=1, repayment="straight",
                  capitalise_grace_interest=False)
    table = e.appraise(small_model(loans=(loan,))).table
    assert table["interest"] == pytest.approx([0, 30, 30, 15])
    assert table["principal"] == pytest.approx([0, 0, 300, 300])


def grace_year_model(revenue: list[float], opex: list[float]) -> e.CashFlowModel:
    """Four years: build for 1,000 in year 0 with a 600 loan at 5 %, one grace year with its interest paid,
    then three years of straight-line repayment (200 a year)."""
    loan = e.Loan(principal=600, rate=0.05, tenor_years=3, grace_years=1, repayment="straight",
                  capitalise_grace_interest=False)
    return e.CashFlowModel(years=4, discount_rate=0.08, loans=(loan,),
                           lines=(e.Line("capex", [1000, 0, 0, 0, 0]), e.Line("revenue", revenue),
                                  e.Line("opex", opex)))


def test_a_grace_year_with_interest_and_no_revenue_is_shown_but_does_not_set_the_minimum_dscr():
    # The example: operations start in year 2; year 1 pays 30 of interest with nothing earned.
    result = e.appraise(grace_year_model([0, 0, 500, 500, 500], [0, 0, 100, 100, 100]))
    assert result.table["interest"] == pytest.approx([0, 30, 30, 20, 10])
    assert result.table["principal"] == pytest.approx([0, 0, 200, 200, 200])
    assert result.dscr == [None, 0.0, pytest.approx(400 / 230), pytest.approx(400 / 220), pytest.approx(400 / 210)]
    assert result.dscr_basis == ["", "grace", "tested", "tested", "tested"]
    assert result.minimum_dscr == pytest.approx(400 / 230)  # not the grace year's 0


def test_a_grace_year_in_operation_is_tested_like_a_repayment_year():
    # Revenue from year 1: the project already runs, so its cash must cover the grace year's interest.
    result = e.appraise(grace_year_model([0, 50, 500, 500, 500], [0, 100, 100, 100, 100]))
    assert result.dscr_basis == ["", "tested", "tested", "tested", "tested"]
    assert result.minimum_dscr == pytest.approx(-50 / 30)


def test_dscr_without_debt_service():
    assert e.appraise(small_model()).dscr_basis == [""] * 4  # no loan: no DSCR, no minimum
    capitalised = e.appraise(small_model(loans=(e.Loan(principal=600, rate=0.05, tenor_years=2, grace_years=1),)))
    assert capitalised.dscr_basis == ["", "", "tested", "tested"]  # grace interest added to the loan: no service
    coverage = e.coverage(np.array([5.0, 5.0]), np.zeros(2), np.zeros(2), np.array([10.0, 10.0]))
    assert (coverage.dscr, coverage.basis, coverage.minimum) == ([None, None], ["", ""], None)


def test_a_short_row_is_padded_with_zeros_and_a_long_one_left_to_validate():
    assert e.padded_row([1, 2], 3) == ([1, 2, 0.0, 0.0], (2, 3))
    assert e.padded_row([7, 7, 7], 3) == ([7, 7, 7, 0.0], (3, 3))
    for row, years in (([1, 2, 3, 4], 3), ([1] * 6, 3), ([], 3), ([1], 0), ([1], e.MAX_YEARS + 1)):
        assert e.padded_row(row, years) == (row, None)
    model, paddings = e.pad_lines(small_model(lines=(e.Line("capex", [1000]), e.Line("revenue", [0, 500, 500, 500]),
                                                     e.Line("opex", [0, 100]))))
    assert paddings == (e.Padding(0, 1, 3), e.Padding(2, 2, 3))
    assert [list(line.values) for line in model.lines] == [[1000, 0, 0, 0], [0, 500, 500, 500], [0, 100, 0, 0]]
    assert e.validate(model) == []


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"years": -3}, "years", "must be a whole number of years from 1 to 100"),
    ({"years": 500}, "years", "must be a whole number of years from 1 to 100"),
    ({"discount_rate": float("nan")}, "discount_rate", "must be a finite rate"),
    ({"discount_rate": -1.0}, "discount_rate", "must be a finite rate"),
    ({"lines": (e.Line("capex", [1, 2]),)}, "lines[0].values",
     "has 2 amounts; the horizon has 4 years (years 0 to 3)"),  # the engine alone does not pad (see pad_lines)
    ({"lines": (e.Line("capex", [1, 2, 0, 0, 0, 0]),)}, "lines[0].values",
     "has 6 amounts, 2 more than the 4 years of the horizon (years 0 to 3): remove the extra amounts or lengthen "
     "the horizon"),
    ({"lines": (e.Line("capex", [1, 2, float("inf"), 0]),)}, "lines[0].values", "must hold finite amounts"),
    ({"lines": (e.Line("capex", [1, 2, 1e16, 0]),)}, "lines[0].values", "must hold finite amounts"),
    ({"lines": (e.Line("capex", [1, -2, 0, 0]),)}, "lines[0].values", "amounts are positive"),
    ({"lines": (e.Line("subsidy", [1, 2, 0, 0]),)}, "lines[0].kind", "must be one of"),
    ({"lines": (e.Line("capex", [1, 0, 0, 0], currency="XYZ"),)}, "lines[0].currency", "has no rate"),
    ({"lines": ()}, "lines", "give at least one line"),
    ({"loans": (e.Loan(100, 0.05, 5),)}, "loans[0]", "is not repaid within the horizon"),
    ({"loans": (e.Loan(-1, 0.05, 1),)}, "loans[0].principal", "must be a positive amount"),
    ({"grants": (e.Grant(10, 9),)}, "grants[0].year", "must be a year from 0 to 3"),
    ({"rates": {"JPY": 0}}, "rates.JPY", "must be a positive finite number"),
    ({"conversion_factors": e.ConversionFactors(capex=-1)}, "conversion_factors.capex", "from 0 to 10"),
])
def test_every_model_problem_names_its_field(changes, field, message):
    with pytest.raises(e.ModelError) as caught:
        e.appraise(small_model(**changes))
    assert any(name == field and message in text for name, text in caught.value.problems), caught.value.problems


def test_unknown_currency_codes_are_refused_when_a_code_list_is_given():
    model = small_model(currency="ABC", rates={"QQQ": 2.0})
    problems = e.validate(model, known_currency={"USD", "JPY"}.__contains__)
    assert ("currency", "“ABC” is not an ISO 4217 currency code") in problems
    assert ("rates.QQQ", "“QQQ” is not an ISO 4217 currency code") in problems


def test_messages_use_the_installed_translator():
    with translator.using(str.upper):
        problems = e.validate(small_model(lines=(e.Line("capex", [1, -2, 0, 0]),)))
        assert problems == [("lines[0].values", "AMOUNTS ARE POSITIVE; THE KIND SAYS WHETHER MONEY COMES IN OR OUT")]
        assert e.irr([100, 50, 10]).message == "THERE IS NO INTERNAL RATE OF RETURN: THE FLOWS NEVER CHANGE SIGN."


# --- Sensitivity --------------------------------------------------------------------------------------------


def test_tornado_bars_are_the_npvs_with_each_driver_moved_and_widest_first():
    model = small_model()
    bars = e.tornado(model, 0.2)
    assert [b.driver for b in bars] == sorted([b.driver for b in bars], key=lambda n: -next(
        x.swing for x in bars if x.driver == n))
    revenue = next(b for b in bars if b.driver == "revenue")
    assert revenue.low_npv == pytest.approx(e.npvs(model, {"revenue": 0.8})[0], rel=1e-12)
    assert revenue.high_npv == pytest.approx(-1000 + (600 - 100) * sum(1.1 ** -t for t in (1, 2, 3)), rel=1e-12)
    assert {b.driver for b in bars} == {"capex", "opex", "revenue", "economic_benefit", "discount_rate"}


def test_switching_values_bring_each_npv_to_zero():
    model = small_model(conversion_factors=e.ConversionFactors(capex=0.8, opex=0.9))
    for value in e.switching_values(model):
        if value.driver == "discount_rate":
            continue
        if value.financial is not None:
            assert e.npvs(model, {value.driver: 1 + value.financial})[0] == pytest.approx(0, abs=1e-7)
        if value.economic is not None:
            assert e.npvs(model, {value.driver: 1 + value.economic})[1] == pytest.approx(0, abs=1e-7)
    rate = next(v for v in e.switching_values(model) if v.driver == "discount_rate")
    assert 0.1 * (1 + rate.financial) == pytest.approx(float(npf.irr([-1000, 400, 400, 400])), rel=1e-9)
    capex = next(v for v in e.switching_values(model) if v.driver == "capex")
    assert capex.financial == pytest.approx(400 * sum(1.1 ** -t for t in (1, 2, 3)) / 1000 - 1, rel=1e-12)


def test_named_scenarios():
    result = e.scenarios(small_model(), {"base": {}, "late and dear": {"capex": 1.3, "revenue": 0.9}})
    assert result["base"]["financial_npv"] == pytest.approx(e.appraise(small_model()).financial_npv)
    assert result["late and dear"]["financial_npv"] == pytest.approx(
        -1300 + (450 - 100) * sum(1.1 ** -t for t in (1, 2, 3)), rel=1e-12)
    with pytest.raises(e.ModelError, match="unknown driver"):
        e.scenarios(small_model(), {"x": {"tax": 1.1}})


# --- Monte Carlo ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("distribution", "mean", "sd"), [
    (e.Distribution("uniform", low=0.8, high=1.2), 1.0, 0.4 / math.sqrt(12)),
    (e.Distribution("triangular", low=0.9, mode=1.0, high=1.4), 3.3 / 3, None),
    (e.Distribution("pert", low=0.9, mode=1.0, high=1.5), (0.9 + 4 + 1.5) / 6, None),
    (e.Distribution("normal", mean=1.0, sd=0.1), 1.0, 0.1),
    (e.Distribution("lognormal", mean=1.2, sd=0.3), 1.2, 0.3),
])
def test_distributions_have_their_moments(distribution, mean, sd):
    z = np.random.default_rng(3).standard_normal(400_000)
    draws = distribution.from_normal(z)
    assert draws.mean() == pytest.approx(mean, rel=2e-3)
    if sd is not None:
        assert draws.std() == pytest.approx(sd, rel=1e-2)
    if distribution.low is not None:
        assert distribution.low <= draws.min() and draws.max() <= distribution.high


def test_simulation_is_reproducible_by_seed_and_follows_the_model():
    model = small_model()
    drivers = {"capex": e.Distribution("pert", low=0.9, mode=1.0, high=1.3),
               "revenue": e.Distribution("triangular", low=0.8, mode=1.0, high=1.05)}
    one = e.simulate(model, drivers, iterations=20_000, seed=11)
    assert one == e.simulate(model, drivers, iterations=20_000, seed=11)
    assert one != e.simulate(model, drivers, iterations=20_000, seed=12)
    assert sum(one.financial_npv.histogram_counts) == 20_000
    assert one.financial_npv.p10 < one.financial_npv.p50 < one.financial_npv.p90
    # The NPV is linear in the multipliers: its mean is the NPV at the mean multipliers.
    expected = e.npvs(model, {"capex": (0.9 + 4 + 1.3) / 6, "revenue": 2.85 / 3})[0]
    standard_error = one.financial_npv.sd / math.sqrt(20_000)
    assert abs(one.financial_npv.mean - expected) < 4 * standard_error
    certain = e.simulate(model, {"opex": e.Distribution("uniform", low=0.999999, high=1.000001)},
                         iterations=1000, seed=1)
    assert certain.financial_npv.probability_negative == (1.0 if e.npvs(model)[0] < 0 else 0.0)


def test_simulated_discount_rate_stays_within_its_extremes():
    model = small_model()
    result = e.simulate(model, {"discount_rate": e.Distribution("uniform", low=0.5, high=1.5)},
                        iterations=20_000, seed=5)
    low, high = e.npvs(model, {"discount_rate": 1.5})[0], e.npvs(model, {"discount_rate": 0.5})[0]
    assert low < result.financial_npv.p10 < result.financial_npv.p50 < result.financial_npv.p90 < high


def test_correlation_changes_the_spread_as_it_should():
    """NPV = revenue - opex (+ …): revenue and opex moving together offset each other, moving apart
    they add up."""
    model = small_model()
    drivers = {"revenue": e.Distribution("normal", mean=1.0, sd=0.1),
               "opex": e.Distribution("normal", mean=1.0, sd=0.1)}
    spread = {rho: e.simulate(model, drivers, iterations=50_000, seed=9,
                              correlation=[[1, rho], [rho, 1]]).financial_npv.sd for rho in (-0.8, 0.0, 0.8)}
    revenue_pv, opex_pv = 500 * sum(1.1 ** -t for t in (1, 2, 3)) * 0.1, 100 * sum(1.1 ** -t for t in (1, 2, 3)) * 0.1
    for rho, sd in spread.items():
        expected = math.sqrt(revenue_pv**2 + opex_pv**2 - 2 * rho * revenue_pv * opex_pv)
        assert sd == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"drivers": {"tax": e.Distribution("uniform", low=0, high=1)}}, "drivers.tax"),
    ({"drivers": {"capex": e.Distribution("triangular", low=1, mode=0.5, high=2)}}, "drivers.capex"),
    ({"drivers": {"capex": e.Distribution("normal", mean=1)}}, "drivers.capex.sd"),
    ({"drivers": {"capex": e.Distribution("uniform", low=0.9, high=1.1)}, "iterations": 10}, "iterations"),
    ({"drivers": {"capex": e.Distribution("uniform", low=0.9, high=1.1)}, "iterations": 10**8}, "iterations"),
    ({"drivers": {"capex": e.Distribution("uniform", low=0.9, high=1.1),
                  "opex": e.Distribution("uniform", low=0.9, high=1.1)}, "correlation": [[1, 2], [2, 1]]}, "correlation"),
    ({"drivers": {"capex": e.Distribution("uniform", low=0.9, high=1.1),
                  "opex": e.Distribution("uniform", low=0.9, high=1.1),
                  "revenue": e.Distribution("uniform", low=0.9, high=1.1)},
      "correlation": [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]}, "correlation"),
    ({"drivers": {}}, "drivers"),
])
def test_bad_simulations_name_the_field(kwargs, field):
    arguments = {"iterations": 1000, "seed": 1} | kwargs
    drivers = arguments.pop("drivers")
    with pytest.raises(e.ModelError) as caught:
        e.simulate(small_model(), drivers, **arguments)
    assert field in [name for name, _message in caught.value.problems]
