"""Benchmark the finance engine (issue: financing toolkit): appraisal of one model and a Monte Carlo.

- Appraisal: `engine.appraise` of a 30-year model (capex, opex, revenue, benefits, output, a loan with
  grace, a grant, conversion factors): every result. Target: under 5 ms. Reference: numpy-financial's
  npv, irr and mirr of the same model's yearly flows, in Python.
- Monte Carlo: `engine.simulate` with 100,000 iterations of the same model and five drivers (PERT,
  triangular, normal, lognormal and uniform; two correlated). Target: under 1 s. Reference: the same
  draws evaluated one iteration at a time with numpy-financial's npv in a Python loop.

- Business case: `calculation.calculate` of the same model stored as JSON, as every save and every live
  recalculation of the workspace editor runs it: appraisal, tornado, switching values, two named
  scenarios and a 10,000-iteration Monte Carlo. The issue sets no target; the reference is the
  appraisal alone, to show what sensitivity and risk add to each recalculation.

Run from the project root:  .venv/bin/python bench/bench_finance.py [--iterations N] [--repeat N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_APPRAISAL_MS = 5.0
TARGET_SIMULATION_S = 1.0


def model():
    from ascn.finance import engine as e

    years = 30
    operating = [0.0, 0.0] + [1.0] * (years - 1)
    return e.CashFlowModel(
        years=years, discount_rate=0.08, currency="USD", rates={"JPY": 0.0067}, inflation=0.02,
        residual_value=5e6, conversion_factors=e.ConversionFactors(capex=0.9, opex=0.95, revenue=1.0),
        lines=(e.Line("capex", [40e6, 30e6] + [0.0] * (years - 1)),
               e.Line("capex", [0.0, 1.5e9] + [0.0] * (years - 1), currency="JPY"),
               e.Line("opex", [2e6 * v for v in operating]), e.Line("revenue", [7e6 * v for v in operating]),
               e.Line("economic_benefit", [4e6 * v for v in operating]),
               e.Line("output", [1e6 * v for v in operating])),
        loans=(e.Loan(40e6, 0.03, 20, grace_years=2),), grants=(e.Grant(5e6, 0),),
    )


def drivers():
    from ascn.finance import engine as e

    return {"capex": e.Distribution("pert", low=0.9, mode=1.0, high=1.5),
            "revenue": e.Distribution("triangular", low=0.7, mode=1.0, high=1.1),
            "opex": e.Distribution("normal", mean=1.0, sd=0.1),
            "economic_benefit": e.Distribution("lognormal", mean=1.0, sd=0.2),
            "discount_rate": e.Distribution("uniform", low=0.8, high=1.2)}


CORRELATION = [[1, 0.5, 0, 0, 0], [0.5, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]]


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def measure_appraisal(repeat: int) -> dict:
    import numpy_financial as npf

    from ascn.finance import engine as e

    m = model()
    e.appraise(m)  # warm-up (imports, caches)
    engine = timed(lambda: e.appraise(m), repeat)
    flows = e.financial_flows(e.components(m))

    def reference():
        npf.npv(m.discount_rate, flows)
        npf.irr(flows)
        npf.mirr(flows, m.discount_rate, m.discount_rate)

    numpy_financial = timed(reference, repeat)
    return {"engine_median_ms": statistics.median(engine) * 1000, "engine_max_ms": max(engine) * 1000,
            "reference_median_ms": statistics.median(numpy_financial) * 1000}


def measure_simulation(iterations: int, repeat: int) -> dict:
    import numpy as np
    import numpy_financial as npf

    from ascn.finance import engine as e

    m, d = model(), drivers()
    e.simulate(m, d, iterations=1000, seed=1, correlation=CORRELATION)  # warm-up
    engine = timed(lambda: e.simulate(m, d, iterations=iterations, seed=42, correlation=CORRELATION), repeat)
    result = e.simulate(m, d, iterations=iterations, seed=42, correlation=CORRELATION)

    # The reference: the same draws, one iteration at a time, numpy-financial's npv of each flow series.
    rng = np.random.default_rng(42)
    scores = rng.standard_normal((iterations, len(d))) @ np.linalg.cholesky(CORRELATION).T
    multipliers = {name: d[name].from_normal(scores[:, i]) for i, name in enumerate(d)}
    c = e.components(m)
    t0 = time.perf_counter()
    npvs = np.empty(iterations)
    for i in range(iterations):
        flows = (multipliers["revenue"][i] * c.revenue + c.residual - multipliers["capex"][i] * c.capex
                 - multipliers["opex"][i] * c.opex)
        npvs[i] = npf.npv(m.discount_rate * multipliers["discount_rate"][i], flows)
    reference_s = time.perf_counter() - t0
    agreement = abs(float(np.median(npvs)) - result.financial_npv.p50) / abs(result.financial_npv.p50)
    return {"iterations": iterations, "engine_median_s": statistics.median(engine), "engine_max_s": max(engine),
            "reference_s": reference_s, "median_npv_relative_difference": agreement}


def stored_case() -> tuple[dict, dict, dict]:
    """The benchmark model as a business case stores it (the API's JSON shape)."""
    import dataclasses

    m = model()
    inputs = {"years": m.years, "discount_rate": m.discount_rate, "currency": m.currency, "rates": dict(m.rates),
              "inflation": m.inflation, "residual_value": m.residual_value,
              "conversion_factors": dataclasses.asdict(m.conversion_factors),
              "lines": [{**dataclasses.asdict(line), "values": list(line.values)} for line in m.lines],
              "loans": [dataclasses.asdict(loan) for loan in m.loans],
              "grants": [dataclasses.asdict(grant) for grant in m.grants]}
    risk = {"drivers": {name: dataclasses.asdict(d) for name, d in drivers().items()}, "iterations": 10_000,
            "seed": 7, "correlation": CORRELATION}
    sensitivity = {"change": 0.2, "scenarios": {"Pessimistic": {"capex": 1.3, "revenue": 0.8},
                                                "Optimistic": {"capex": 0.9, "revenue": 1.1}}}
    return inputs, risk, sensitivity


def measure_business_case(repeat: int) -> dict:
    from ascn.finance import calculation, engine

    inputs, risk, sensitivity = stored_case()
    calculation.calculate(inputs, risk, sensitivity)  # warm-up
    case = timed(lambda: calculation.calculate(inputs, risk, sensitivity), repeat)
    appraisal = timed(lambda: engine.appraise(calculation.model_from(inputs)), repeat)
    return {"case_median_ms": statistics.median(case) * 1000, "case_max_ms": max(case) * 1000,
            "appraisal_median_ms": statistics.median(appraisal) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    appraisal = measure_appraisal(max(args.repeat * 40, 100))
    simulation = measure_simulation(args.iterations, args.repeat)
    case = measure_business_case(max(args.repeat * 4, 20))
    a, s = appraisal, simulation
    print(f"Appraisal of one 30-year model: median {a['engine_median_ms']:.2f} ms, max {a['engine_max_ms']:.2f} ms "
          f"(target {TARGET_APPRAISAL_MS:.0f} ms: ratio {a['engine_median_ms'] / TARGET_APPRAISAL_MS:.2f}); "
          f"numpy-financial npv+irr+mirr of its flows {a['reference_median_ms']:.2f} ms "
          f"(ratio {a['engine_median_ms'] / a['reference_median_ms']:.1f})")
    print(f"Monte Carlo, {s['iterations']:,} iterations: median {s['engine_median_s']:.3f} s, "
          f"max {s['engine_max_s']:.3f} s (target {TARGET_SIMULATION_S:.0f} s: ratio "
          f"{s['engine_median_s'] / TARGET_SIMULATION_S:.2f}); numpy-financial npv in a Python loop "
          f"{s['reference_s']:.2f} s (speed-up {s['reference_s'] / s['engine_median_s']:.1f}x); "
          f"median NPVs agree to {s['median_npv_relative_difference']:.1e} relative")
    print(f"Business case (appraisal, tornado, switching values, 2 scenarios, Monte Carlo of 10,000): median "
          f"{case['case_median_ms']:.1f} ms, max {case['case_max_ms']:.1f} ms; the appraisal alone "
          f"{case['appraisal_median_ms']:.2f} ms (ratio {case['case_median_ms'] / case['appraisal_median_ms']:.1f})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"appraisal": appraisal, "simulation": simulation,
                                         "business_case": case}, indent=2))


if __name__ == "__main__":
    main()
