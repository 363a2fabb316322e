"""Benchmark the finance engine (issue: financing toolkit): appraisal of one model and a Monte Carlo.

- Appraisal: `engine.appraise` of a 30-year model (capex, opex, revenue, benefits, output, a loan with
  grace, a grant, conversion factors): every result. Target: under 5 ms. Reference: numpy-financial's
  npv, irr and mirr of the same model's yearly flows, in Python.
- Monte Carlo: `engine.simulate` with 100,000 iterations of the same model and five drivers (PERT,
  triangular, normal, lognormal and uniform; two correlated). Target: under 1 s. Reference: the same
  work in the best plain NumPy a user would write (SciPy's special functions for the inverse CDFs): draw
  the same correlated multipliers from the same seed, build the drawn flows matrices (one matrix product
  of the multipliers with the model's yearly amounts, financial and economic), discount them with one
  product of each flows matrix with the discount factors (one discount vector per draw, since the
  discount rate is drawn too, so a row-wise product with a draws x years matrix of factors), and the same
  summary statistics of both NPVs (mean, standard deviation, 10/50/90th percentiles, probability of a
  negative NPV, 40-bin histogram). It is handed the model's yearly amounts as arrays; the engine starts
  from the model (and validates it) on every call. Both results are checked to agree.

- Business case: `calculation.calculate` of the same model stored as JSON, as every save and every live
  recalculation of the workspace editor runs it: appraisal, tornado, switching values, two named
  scenarios and a 10,000-iteration Monte Carlo. The issue sets no target; the reference is the
  appraisal alone, to show what sensitivity and risk add to each recalculation.

Each engine measure and its reference are timed alternately in the same process (the order swapped every
other repeat), so that other jobs on a shared machine weigh on both alike and the ratio is taken within
one run.

Run from the project root:  .venv/bin/python bench/bench_finance.py [--iterations N] [--repeat N] [--json PATH]
The raw results go to bench/results/finance.json unless --json PATH or --no-json says otherwise.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import harness

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


CORRELATION: list[list[float]] = [
    [1, 0.5, 0, 0, 0], [0.5, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]]


def alternated(first: Callable[[], object], second: Callable[[], object], repeat: int
               ) -> tuple[list[float], list[float]]:
    """Time `first` and `second` `repeat` times each, alternately (the order swapped every other time)."""
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(repeat):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            fn = (first, second)[which]
            t0 = time.perf_counter()
            fn()
            times[which].append(time.perf_counter() - t0)
    return times


def measure_appraisal(repeat: int) -> dict:
    import numpy_financial as npf

    from ascn.finance import engine as e

    m = model()
    flows = e.financial_flows(e.components(m))

    def reference():
        npf.npv(m.discount_rate, flows)
        npf.irr(flows)
        npf.mirr(flows, m.discount_rate, m.discount_rate)

    e.appraise(m)  # warm-up (imports, caches)
    reference()
    engine, numpy_financial = alternated(lambda: e.appraise(m), reference, repeat)
    return {"runs": repeat, "engine_median_ms": statistics.median(engine) * 1000,
            "engine_max_ms": max(engine) * 1000, "reference_median_ms": statistics.median(numpy_financial) * 1000,
            "reference_max_ms": max(numpy_financial) * 1000}


def _draw(d, z):
    """Multipliers with distribution `d` from standard normal scores `z` (the Gaussian copula), in plain
    NumPy with SciPy's special functions: what a user writes for these five distributions."""
    import numpy as np
    from scipy.special import betaincinv, ndtr

    if d.kind == "normal":
        return d.mean + d.sd * z
    if d.kind == "lognormal":
        sigma2 = np.log1p((d.sd / d.mean) ** 2)
        return np.exp(np.log(d.mean) - sigma2 / 2 + np.sqrt(sigma2) * z)
    u = ndtr(z)
    width = d.high - d.low
    if d.kind == "uniform":
        return d.low + u * width
    if d.kind == "pert":
        alpha, beta = 1 + 4 * (d.mode - d.low) / width, 1 + 4 * (d.high - d.mode) / width
        return d.low + betaincinv(alpha, beta, u) * width
    split = (d.mode - d.low) / width  # triangular
    return np.where(u < split, d.low + np.sqrt(u * width * (d.mode - d.low)),
                    d.high - np.sqrt((1 - u) * width * (d.high - d.mode)))


def _summary(npv, bins: int) -> dict:
    import numpy as np

    p10, p50, p90 = np.percentile(npv, [10, 50, 90])
    counts, edges = np.histogram(npv, bins=bins)
    return {"mean": float(npv.mean()), "sd": float(npv.std()), "p10": float(p10), "p50": float(p50),
            "p90": float(p90), "probability_negative": float(np.mean(npv < 0)), "histogram": (counts, edges)}


def plain_numpy_simulation(amounts: dict, rate: float, factors, drivers_: dict, iterations: int, seed: int,
                           bins: int = 40) -> dict:
    """The reference Monte Carlo: the engine's work written directly in NumPy for this model's drivers."""
    import numpy as np

    names = list(drivers_)
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((iterations, len(names))) @ np.linalg.cholesky(np.asarray(CORRELATION, float)).T
    draws = {name: _draw(drivers_[name], scores[:, i]) for i, name in enumerate(names)}
    ones = np.ones(iterations)
    # The drawn flows, draws x years: one matrix product of the multipliers with the yearly amounts.
    multipliers = np.column_stack([draws["capex"], draws["opex"], draws["revenue"], draws["economic_benefit"], ones])
    a = amounts
    financial_w = np.vstack([-a["capex"], -a["opex"], a["revenue"], 0 * a["economic_benefit"], a["residual"]])
    economic_w = np.vstack([-a["capex"] * factors.capex, -a["opex"] * factors.opex, a["revenue"] * factors.revenue,
                            a["economic_benefit"], a["avoided_cost"] + a["residual"] * factors.capex])
    financial_flows = multipliers @ financial_w
    economic_flows = multipliers @ economic_w
    # One discount vector per draw (the rate is drawn); each NPV a row-wise product with the flows.
    discount = (1 + rate * draws["discount_rate"])[:, None] ** -np.arange(a["capex"].size, dtype=float)
    financial = np.einsum("ij,ij->i", financial_flows, discount)
    economic = np.einsum("ij,ij->i", economic_flows, discount)
    return {"financial_npv": _summary(financial, bins), "economic_npv": _summary(economic, bins)}


def measure_simulation(iterations: int, repeat: int) -> dict:
    import dataclasses

    import numpy as np

    from ascn.finance import engine as e

    m, d = model(), drivers()
    amounts = dataclasses.asdict(e.components(m))  # the model's yearly amounts, as plain arrays

    def engine():
        return e.simulate(m, d, iterations=iterations, seed=42, correlation=CORRELATION)

    def reference():
        return plain_numpy_simulation(amounts, m.discount_rate, m.conversion_factors, d, iterations, seed=42)

    mine, theirs = engine(), reference()  # warm-up, and the check that both compute the same
    worst = 0.0
    for kind in ("financial_npv", "economic_npv"):
        summary = getattr(mine, kind)
        for stat in ("mean", "sd", "p10", "p50", "p90"):
            worst = max(worst, abs(theirs[kind][stat] - getattr(summary, stat)) / abs(getattr(summary, stat)))
        counts, edges = theirs[kind]["histogram"]
        if theirs[kind]["probability_negative"] != summary.probability_negative or \
                list(counts) != summary.histogram_counts or not np.allclose(edges, summary.histogram_edges):
            raise SystemExit(f"The plain NumPy reference does not compute the engine's {kind} summary.")
    if worst > 1e-9:
        raise SystemExit(f"The plain NumPy reference differs from the engine by {worst:.1e} (relative).")
    engine_s, reference_s = alternated(engine, reference, repeat)
    return {"iterations": iterations, "runs": repeat, "engine_median_s": statistics.median(engine_s),
            "engine_max_s": max(engine_s), "reference_median_s": statistics.median(reference_s),
            "reference_max_s": max(reference_s), "summary_max_relative_difference": worst}


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
    engine.appraise(calculation.model_from(inputs))
    case, appraisal = alternated(lambda: calculation.calculate(inputs, risk, sensitivity),
                                 lambda: engine.appraise(calculation.model_from(inputs)), repeat)
    return {"runs": repeat, "case_median_ms": statistics.median(case) * 1000, "case_max_ms": max(case) * 1000,
            "appraisal_median_ms": statistics.median(appraisal) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    harness.add_json_args(parser, "finance")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 100 or not 100 <= args.iterations <= 1_000_000:
        raise SystemExit("--repeat must be 1..100 and --iterations 100..1000000.")
    started = harness.started_at()
    machine = harness.machine_info(sys.executable, None)
    appraisal = measure_appraisal(max(args.repeat * 40, 100))
    simulation = measure_simulation(args.iterations, args.repeat)
    case = measure_business_case(max(args.repeat * 4, 20))
    a, s, c = appraisal, simulation, case
    ratios = {
        "appraisal_to_target": a["engine_median_ms"] / TARGET_APPRAISAL_MS,
        "appraisal_to_numpy_financial": a["engine_median_ms"] / a["reference_median_ms"],
        "monte_carlo_to_target": s["engine_median_s"] / TARGET_SIMULATION_S,
        "monte_carlo_to_plain_numpy": s["engine_median_s"] / s["reference_median_s"],
        "business_case_to_appraisal": c["case_median_ms"] / c["appraisal_median_ms"],
    }
    print(f"machine: {machine['nproc']} cores ({machine['cpu']}), load average {machine['load_average_at_start']}")
    print(f"Appraisal of one 30-year model ({a['runs']} runs): median {a['engine_median_ms']:.2f} ms, max "
          f"{a['engine_max_ms']:.2f} ms (target {TARGET_APPRAISAL_MS:.0f} ms: ratio "
          f"{ratios['appraisal_to_target']:.2f}); numpy-financial npv+irr+mirr of its flows "
          f"{a['reference_median_ms']:.2f} ms (engine / reference: {ratios['appraisal_to_numpy_financial']:.1f})")
    print(f"Monte Carlo, {s['iterations']:,} iterations ({s['runs']} runs): median {s['engine_median_s']:.3f} s, "
          f"max {s['engine_max_s']:.3f} s (target {TARGET_SIMULATION_S:.0f} s: ratio "
          f"{ratios['monte_carlo_to_target']:.2f}); the same in plain NumPy {s['reference_median_s']:.3f} s "
          f"(engine / reference: {ratios['monte_carlo_to_plain_numpy']:.2f}); summaries agree to "
          f"{s['summary_max_relative_difference']:.1e} relative")
    print(f"Business case (appraisal, tornado, switching values, 2 scenarios, Monte Carlo of 10,000; {c['runs']} "
          f"runs): median {c['case_median_ms']:.1f} ms, max {c['case_max_ms']:.1f} ms; the appraisal alone "
          f"{c['appraisal_median_ms']:.2f} ms (ratio {ratios['business_case_to_appraisal']:.1f})")
    import numpy
    import numpy_financial
    import scipy

    harness.write_json(
        harness.json_path(args), "finance", started=started,
        command_line=harness.command("bench_finance.py", {"--iterations": args.iterations, "--repeat": args.repeat}),
        machine={**machine, "numpy": numpy.__version__, "scipy": scipy.__version__,
                 "numpy_financial": numpy_financial.__version__},
        config={"iterations": args.iterations, "repeat": args.repeat, "appraisal_runs": a["runs"],
                "business_case_runs": c["runs"], "model": "30 years, USD and JPY capex, opex, revenue, economic "
                "benefits, output, residual value, conversion factors, a 20-year annuity loan with 2 grace years, "
                "a grant", "drivers": "capex PERT, revenue triangular (correlated 0.5 with capex), opex normal, "
                "economic benefit lognormal, discount rate uniform", "timing": "engine and reference alternated "
                "in the same process, the order swapped every other run, after a warm-up of each",
                "targets": {"appraisal_ms": TARGET_APPRAISAL_MS, "monte_carlo_s": TARGET_SIMULATION_S}},
        figures={"appraisal": appraisal, "monte_carlo": simulation, "business_case": case},
        ratios={**ratios, "references": {
            "appraisal": "numpy-financial npv + irr + mirr of the model's financial flows",
            "monte_carlo": "the same draws, flows, NPVs and summaries in plain NumPy (see plain_numpy_simulation)",
            "business_case": "engine.appraise of the same stored model alone"}})


if __name__ == "__main__":
    main()
