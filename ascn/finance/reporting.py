"""A business case's results as people read them: the key figures with their meaning, the charts and
the yearly table. The page, the live preview, the PDF and the XLSX all take them from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ascn.core import numbers

from . import charts, engine
from .choices import DriverName
from .readiness import MIN_DSCR

TABLE_ROWS = ("capex", "opex", "revenue", "avoided_cost", "economic_benefit", "residual_value", "financial_flow",
              "economic_flow", "loan_drawdown", "interest", "principal", "debt_balance", "grants", "equity_flow",
              "cfads")


NONE = "\u2013"  # an en dash: the figure is not defined


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""
    negative: bool = False


def _number(value: float, decimals: int) -> str:
    """Exactly `decimals` decimals, in the reader's language (core.numbers: never an exponent)."""
    return numbers.for_people(value, decimals, fixed=True)


def amount(value: float | None, currency: str = "") -> str:
    if value is None:
        return NONE
    text = numbers.for_people(value, 0)
    return f"{text} {currency}".strip()


def unit_cost(value: float | None, currency: str) -> str:
    """Cents matter for a cost per unit below 100; whole units above."""
    if value is None or value >= 100:
        return amount(value, currency)
    return f"{ratio(value)} {currency}"


def percent(value: float | None, decimals: int = 2) -> str:
    return NONE if value is None else _number(value * 100, decimals) + " %"


def ratio(value: float | None) -> str:
    return NONE if value is None else _number(value, 2)


def years(value: float | None) -> str:
    return _("never") if value is None else _("%(years)s years") % {"years": _number(value, 1)}


def rate_result(result: dict[str, Any]) -> tuple[str, str]:
    """An IRR as text: the root when unique, every root when several, and the engine's explanation."""
    roots = result.get("roots") or []
    if result.get("status") == "unique":
        return percent(result["value"]), ""
    if roots:
        return ", ".join(percent(r) for r in roots), result.get("message", "")
    return NONE, result.get("message", "")


def figures(results: dict[str, Any]) -> list[Figure]:
    a = results["appraisal"]
    currency = a["currency"]
    irr, irr_note = rate_result(a["financial_irr"])
    eirr, eirr_note = rate_result(a["economic_irr"])
    equity_irr, equity_note = rate_result(a["equity_irr"])
    rows = [
        Figure(_("Financial NPV"), amount(a["financial_npv"], currency), _("Project flows at the discount rate."),
               a["financial_npv"] < 0),
        Figure(_("Financial IRR"), irr, irr_note),
        Figure(_("Economic NPV"), amount(a["economic_npv"], currency),
               _("Society's costs and benefits at economic prices."), a["economic_npv"] < 0),
        Figure(_("Economic IRR"), eirr, eirr_note),
        Figure(_("Benefit-cost ratio"), ratio(a["benefit_cost_ratio"]), _("Economic: present benefits over costs."),
               a["benefit_cost_ratio"] is not None and a["benefit_cost_ratio"] < 1),
        Figure(_("Payback"), years(a["payback_years"])),
        Figure(_("Discounted payback"), years(a["discounted_payback_years"])),
        Figure(_("MIRR"), percent(a["mirr"]), _("Financed and reinvested at the discount rate.")),
        Figure(_("Levelised unit cost"), unit_cost(a["levelised_unit_cost"], currency),
               _("Present cost per unit of output.")),
        Figure(_("Equity NPV"), amount(a["equity_npv"], currency), _("After loans and grants."), a["equity_npv"] < 0),
        Figure(_("Equity IRR"), equity_irr, equity_note),
        minimum_dscr(a),
    ]
    simulation = results.get("simulation")
    if simulation:
        npv = simulation["financial_npv"]
        rows.append(Figure(_("P(NPV < 0)"), percent(npv["probability_negative"], 1),
                           _("P10 %(p10)s · P50 %(p50)s · P90 %(p90)s")
                           % {"p10": amount(npv["p10"]), "p50": amount(npv["p50"]), "p90": amount(npv["p90"])}))
    return rows


def minimum_dscr(a: dict[str, Any]) -> Figure:
    """The lowest DSCR over the years the debt is serviced from operations (grace years before operations
    left out, see `engine.Coverage`); "no debt service" for a case without it."""
    value = a["minimum_dscr"]
    if value is None and not any(a.get("dscr") or ()):
        return Figure(_("Minimum DSCR"), _("no debt service"), _("The case has no loan to repay."))
    return Figure(_("Minimum DSCR"), ratio(value),
                  _("Cash available for debt service over debt service, lowest over the repayment and operating "
                    "years (grace years without revenue are left out)."),
                  value is not None and value < MIN_DSCR)


def dscr_row(a: dict[str, Any]) -> list[tuple[str, str]]:
    """The DSCR of each year for the yearly table, with its basis ("tested", "grace" or ""); empty without
    debt service."""
    values = a.get("dscr") or []
    if not any(v is not None for v in values):
        return []
    basis = a.get("dscr_basis") or ["tested" if v is not None else "" for v in values]
    return [(ratio(v) if v is not None else NONE, kind) for v, kind in zip(values, basis, strict=True)]


def driver_names() -> dict[str, str]:
    return {choice.value: str(choice.label) for choice in DriverName}


def chart_specs(results: dict[str, Any], inputs: dict[str, Any]) -> dict[str, dict]:
    """Vega-Lite specs of the cash flows, the tornado and (after a Monte Carlo) the NPV distribution."""
    a = results["appraisal"]
    specs = {
        "cash_flows": charts.cash_flows(a["table"], a["currency"], inputs.get("start_year")),
        "tornado": charts.tornado([engine.TornadoBar(**bar) for bar in results["tornado"]], a["financial_npv"],
                                  a["currency"], driver_names()),
    }
    if results.get("simulation"):
        specs["npv_distribution"] = charts.npv_distribution(engine.Summary(**results["simulation"]["financial_npv"]),
                                                            a["currency"])
    return specs


def row_labels() -> dict[str, str]:
    return {"capex": _("Capital cost"), "opex": _("Operating cost"), "revenue": _("Revenue"),
            "avoided_cost": _("Avoided cost"), "economic_benefit": _("Economic benefit"),
            "residual_value": _("Residual value"), "financial_flow": _("Net financial flow"),
            "economic_flow": _("Net economic flow"), "loan_drawdown": _("Loan drawdown"), "interest": _("Interest"),
            "principal": _("Principal repaid"), "debt_balance": _("Debt outstanding"), "grants": _("Grants"),
            "equity_flow": _("Equity flow"), "cfads": _("Cash available for debt service")}


def yearly_table(results: dict[str, Any], start_year: int | None) -> tuple[list[str], list[tuple[str, list[float]]]]:
    """Column headings (years) and the rows that are not all zero, as they appear in the model."""
    table = results["appraisal"]["table"]
    headings = [str(int(y) + start_year) if start_year else str(int(y)) for y in table["year"]]
    labels = row_labels()
    rows = [(labels[name], table[name]) for name in TABLE_ROWS if any(table[name])]
    return headings, rows


def switching_rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    names = driver_names()
    return [(names.get(v["driver"], v["driver"]), _signed_percent(v["financial"]), _signed_percent(v["economic"]))
            for v in results["switching_values"]]


def _signed_percent(value: float | None) -> str:
    if value is None:
        return _("none")
    return ("+" if value > 0 else "") + percent(value, 1)


def scenario_rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    currency = results["appraisal"]["currency"]
    return [(name, amount(v["financial_npv"], currency), amount(v["economic_npv"], currency))
            for name, v in results["scenarios"].items()]


def context(results: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """Everything the results partial shows."""
    headings, rows = yearly_table(results, inputs.get("start_year"))
    return {"figures": figures(results), "charts": chart_specs(results, inputs), "years": headings,
            "table_rows": rows, "dscr_row": dscr_row(results["appraisal"]),
            "switching": switching_rows(results), "scenario_rows": scenario_rows(results),
            "change": percent(results["sensitivity_change"], 0), "simulation": results.get("simulation")}
