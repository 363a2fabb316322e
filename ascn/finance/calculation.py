"""A business case's stored JSON in, every result out: the bridge between what the workspace and the
API store and the pure engine. No Django here either, so the API, the actions and the bench share it.

Shapes (the same as the API's `ModelIn`, `SimulateIn` and `AppraiseIn`):
- inputs: {"years", "discount_rate", "lines": [{"kind", "values", "label", "currency", "escalate"}], "currency",
  "rates", "inflation", "residual_value", "economic_discount_rate", "conversion_factors", "loans", "grants",
  "start_year"}
- risk: {"drivers": {driver: {"kind", "low", "mode", "high", "mean", "sd"}}, "iterations", "seed",
  "correlation"}; empty: no Monte Carlo
- sensitivity: {"change": 0.2, "scenarios": {name: {driver: multiplier}}}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ascn.core.translator import gettext as _

from . import engine

DEFAULT_CHANGE = 0.2
DEFAULT_ITERATIONS = 10_000
RANGE = "\u2013"  # an en dash, between the first and last year of a span


def model_from(inputs: Mapping[str, Any]) -> engine.CashFlowModel:
    """The engine's model from stored inputs (validated by `engine.validate`, not here)."""
    factors = inputs.get("conversion_factors") or {}
    return engine.CashFlowModel(
        years=inputs.get("years", 0), discount_rate=inputs.get("discount_rate", math.nan),
        lines=tuple(engine.Line(kind=line["kind"], values=tuple(line.get("values", ())),
                                label=line.get("label", ""), currency=line.get("currency", ""),
                                escalate=line.get("escalate", True)) for line in inputs.get("lines", ())),
        currency=inputs.get("currency") or "USD", rates=dict(inputs.get("rates") or {}),
        inflation=inputs.get("inflation", 0.0), residual_value=inputs.get("residual_value", 0.0),
        economic_discount_rate=inputs.get("economic_discount_rate"),
        conversion_factors=engine.ConversionFactors(**{k: factors[k] for k in ("capex", "opex", "revenue")
                                                      if k in factors}),
        loans=tuple(engine.Loan(**loan) for loan in inputs.get("loans", ())),
        grants=tuple(engine.Grant(**grant) for grant in inputs.get("grants", ())),
        start_year=inputs.get("start_year"),
    )


def pad_inputs(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[engine.Padding, ...]]:
    """Stored inputs with each line's row that stops short of the horizon padded with zeros
    (`engine.padded_row`, the one rule), and what was padded."""
    padded = dict(inputs)
    if not isinstance(inputs.get("lines"), list | tuple):
        return padded, ()
    lines, paddings = [], []
    for index, line in enumerate(inputs["lines"]):
        values = line.get("values") if isinstance(line, Mapping) else None
        if isinstance(values, list | tuple):
            row, span = engine.padded_row(values, inputs.get("years", 0))
            if span is not None:
                line = {**line, "values": row}
                paddings.append(engine.Padding(index, *span))
        lines.append(line)
    padded["lines"] = lines
    return padded, tuple(paddings)


def padded_years(padding: engine.Padding, start_year: int | None = None) -> str:
    """The years a padding covers as people read them, a span with an en dash: calendar years from
    `start_year` ("2031\u20132035", "2035"), else the model's ("years 11\u201315", "year 15")."""
    if start_year is not None:
        first, last = start_year + padding.first, start_year + padding.last
        return str(first) if first == last else f"{first}{RANGE}{last}"
    if padding.first == padding.last:
        return _("year %(year)s") % {"year": padding.first}
    return _("years %(first)s to %(last)s") % {"first": padding.first, "last": padding.last}


def padding_message(padding: engine.Padding, start_year: int | None = None) -> str:
    """What a caller is told about a padded line, as a problem is told about its field."""
    return _("padded with 0 for %(years)s") % {"years": padded_years(padding, start_year)}


def drivers_from(risk: Mapping[str, Any]) -> dict[str, engine.Distribution]:
    return {name: engine.Distribution(**spec) for name, spec in (risk.get("drivers") or {}).items()}


def problems(inputs: Mapping[str, Any], risk: Mapping[str, Any], sensitivity: Mapping[str, Any],
             known_currency: Callable[[str], bool] | None = None) -> list[tuple[str, str]]:
    """Every problem of a business case's settings, as (field, message), fields prefixed by their part
    ("inputs.lines[0].values", "risk.drivers.capex.low", "sensitivity.change")."""
    found = [(f"inputs.{name}", message) for name, message in engine.validate(model_from(inputs), known_currency)]
    change = sensitivity.get("change", DEFAULT_CHANGE)
    if not isinstance(change, int | float) or not 0 < change < 1:
        found.append(("sensitivity.change", engine._("must be between 0 and 1 (e.g. 0.2 for ±20 %)")))
    for name, multipliers in (sensitivity.get("scenarios") or {}).items():
        for driver, value in multipliers.items():
            if driver not in engine.DRIVERS:
                found.append((f"sensitivity.scenarios.{name}.{driver}",
                              engine._("is not a driver; drivers are %(drivers)s")
                              % {"drivers": ", ".join(engine.DRIVERS)}))
            elif not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                found.append((f"sensitivity.scenarios.{name}.{driver}",
                              engine._("must be a multiplier of 0 or more")))
    for name, distribution in drivers_from(risk).items():
        if name not in engine.DRIVERS:
            found.append((f"risk.drivers.{name}", engine._("is not a driver; drivers are %(drivers)s")
                          % {"drivers": ", ".join(engine.DRIVERS)}))
        found += [(f"risk.{field}", message) for field, message in distribution.problems(f"drivers.{name}")]
    iterations = risk.get("iterations", DEFAULT_ITERATIONS)
    if risk.get("drivers") and (not isinstance(iterations, int) or not 100 <= iterations <= 100_000):
        found.append(("risk.iterations", engine._("must be a whole number from 100 to 100,000")))
    return found


def calculate(inputs: Mapping[str, Any], risk: Mapping[str, Any], sensitivity: Mapping[str, Any],
              known_currency: Callable[[str], bool] | None = None) -> dict[str, Any]:
    """Every result of a business case, JSON-ready: the appraisal (with its yearly table), the tornado,
    switching values, named scenarios and, when the risk settings name drivers, the Monte Carlo.
    Raises engine.ModelError listing every problem."""
    found = problems(inputs, risk, sensitivity, known_currency)
    if found:
        raise engine.ModelError(found)
    model = model_from(inputs)
    change = sensitivity.get("change", DEFAULT_CHANGE)
    results: dict[str, Any] = {
        "appraisal": engine.appraise(model).as_dict(),
        "sensitivity_change": change,
        "tornado": [{"driver": bar.driver, "low_npv": bar.low_npv, "high_npv": bar.high_npv,
                     "low_economic_npv": bar.low_economic_npv, "high_economic_npv": bar.high_economic_npv}
                    for bar in engine.tornado(model, change)],
        "switching_values": [value.as_dict() for value in engine.switching_values(model)],
        "scenarios": engine.scenarios(model, sensitivity.get("scenarios") or {}),
        "simulation": None,
    }
    drivers = drivers_from(risk)
    if drivers:
        simulation = engine.simulate(model, drivers, iterations=risk.get("iterations", DEFAULT_ITERATIONS),
                                     seed=risk["seed"], correlation=risk.get("correlation"))
        results["simulation"] = {"iterations": simulation.iterations, "seed": simulation.seed,
                                 "financial_npv": vars(simulation.financial_npv),
                                 "economic_npv": vars(simulation.economic_npv)}
    return results


def capital_cost_usd(inputs: Mapping[str, Any], results: Mapping[str, Any]) -> float | None:
    """A computed case's capital cost (the sum of its yearly capex, converted to the case's currency as the
    engine does) in US dollars: as it is for a case in dollars, at the case's own rate for dollars otherwise;
    None when it has no capex or no such rate."""
    appraisal = results.get("appraisal") or {}
    total = float(sum((appraisal.get("table") or {}).get("capex") or ()))
    if total <= 0:
        return None
    currency = appraisal.get("currency") or inputs.get("currency") or "USD"
    if currency == "USD":
        return total
    rate = (inputs.get("rates") or {}).get("USD")  # 1 US dollar in the case's currency
    return total / float(rate) if rate else None
