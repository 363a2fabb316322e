"""The demo's synthetic dataset (`manage.py demo_data`, run by `make run` in development): made-up records that let
the analysis pages, the reporting workflow and the financing toolkit be tried on a seeded site, which holds no
indicator values of its own.

What it makes, every record flagged `synthetic` (see `ascn.core.synthetic`) and labelled on its pages, in its
exports and in the API:

- indicator values of `INDICATORS` (units set, a direction each, so scorecards rate them) for every city that
  was a member at the end of each year from `FIRST_YEAR` to `LAST_YEAR`, and for the demo round's year: all of
  them from the cities that have started their report in it, about `PARTIAL` of them from the others (so the
  round's completeness varies); each city and indicator gets a synthetic assignment with a 2019 baseline and
  targets for 2025 and 2030. Values come from a fixed random seed (the same data every run), in
  each unit's plausible range, and are loaded through the one observations path (`load_batch`, synthetic);
  those of the years before the demo round are then marked verified, so the review queue holds the round's;
- the demo round (`ROUND_YEAR`, created flagged synthetic when absent) with reports in every state, moved
  there through the real workflow by the demo accounts (`csco.danang`, `nr.vietnam`, `secretariat`): the
  Secretariat opens them, the cities' lines get made-up progress, and each is submitted, returned, endorsed
  and accepted by whoever may. ASCN's own rounds (2021 to 2025, with published figures) are never touched,
  and accepting a synthetic report writes no progress to the city's real projects;
- a business case (with a loan, a Monte Carlo and scenarios) and a readiness assessment on a Da Nang project,
  by its city officer, unpublished;
- partnerships: offers of JICA made by `partner.jica` (one published for Viet Nam's cities, one draft) and
  needs of Da Nang stated by `csco.danang` (one published, one draft), titled "Demo:", so that the match
  pages, interest and the cooperation pipeline can be tried. No real partner's offer is made up as if it
  were reference data: these are the demo accounts' own, flagged synthetic like the rest.

Running it again first removes the synthetic rows it made before (only rows flagged synthetic), then makes
them again, all in one transaction. It never changes a real record: values are added only where a city,
indicator and period has none, assignments only where the city has none, a business case and a readiness
assessment only on a project without them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ascn.core import synthetic
from ascn.core.actions import record
from ascn.core.choices import AuditAction
from ascn.core.models import User
from ascn.finance import readiness
from ascn.finance.actions import business_cases as case_actions
from ascn.finance.actions import readiness as readiness_actions
from ascn.finance.models import BusinessCase, ReadinessAssessment
from ascn.framework.models import FrameworkNode
from ascn.monitoring import importing
from ascn.monitoring import workflow as steps
from ascn.monitoring.actions import reports as report_actions
from ascn.monitoring.actions import rounds as round_actions
from ascn.monitoring.actions.observations import load_batch
from ascn.monitoring.choices import Verification
from ascn.monitoring.models import CityIndicator, CityReport, Indicator, MEReport, Observation, ReportingRound, Target
from ascn.network.actions import DEMO_ACCOUNTS, ensure_demo_accounts
from ascn.network.models import City, Country
from ascn.partnerships.actions import offers as offer_actions
from ascn.partnerships.models import Need, Offer
from ascn.plans.models import Project

VIA = "demo"
SEED = 2026_13
FIRST_YEAR, LAST_YEAR = 2019, 2025
BASELINE_YEAR = FIRST_YEAR
TARGET_YEARS = (2025, 2030)
ROUND_YEAR = 2026
PARTIAL = 0.6  # the share of the demo round year's values entered by cities that have not started their report
SOURCE = synthetic.SOURCE
TEXT = "Synthetic demo text (manage.py demo_data), made up for trying the platform: not reported by the city."


SeriesOf = dict[tuple[int, str], tuple[float, list[tuple[int, float]], list[tuple[int, float]]]]
"""Per (city id, indicator code): the baseline, the values by year and the targets by year."""


@dataclass(frozen=True)
class Spec:
    """An indicator the demo fills: its plausible range in its unit, and which way is better."""

    code: str
    low: float
    high: float
    better: str  # "higher" or "lower", as the indicator's direction
    decimals: int = 1


INDICATORS = (
    Spec("EC: I: ES: 3C", 92, 100, "higher"),          # Access to Electricity, %
    Spec("EC: I: T: 5A", 1.15, 2.1, "lower", 2),        # Travel Time Index, ratio
    Spec("EC: ICT: ES: 1C", 3, 85, "higher"),          # Smart Electricity Meters, %
    Spec("EC: ICT: ICT: 1C", 45, 98, "higher"),        # Household Internet Access, %
    Spec("EC: ICT: ICT: 2C", 8, 55, "higher"),         # Fixed Broadband Subscriptions, %
    Spec("EC: ICT: PS: 1A", 5, 75, "higher"),          # Open Data, %
    Spec("EC: ICT: T: 1C", 10, 90, "higher"),          # Dynamic Public Transport Information, %
    Spec("EC: ICT: T: 2C", 10, 85, "higher"),          # Traffic Monitoring, %
    Spec("EC: P: EM: 1C", 1.5, 9, "lower"),            # Unemployment Rate, %
    Spec("SC: EH: ED: 2C", 85, 100, "higher"),         # School Enrollment, %
    Spec("SC: EH: ED: 4C", 88, 100, "higher"),         # Adult Literacy, %
    Spec("SC: EH: H: 4A", 80, 420, "higher", 0),       # In-Patient Hospital Beds, per 100,000
    Spec("SC: SH: SA: 4A", 2, 35, "lower"),            # Population Living in Disaster Prone Areas, %
    Spec("SC: SH: SA: 9C", 4, 26, "lower"),            # Traffic Fatalities, per 100,000
)



@dataclass(frozen=True)
class Context:
    """A context indicator the demo fills so that population bands and comparisons per km² have something to
    work on: a level drawn between low and high (uniformly, so no city is an outlier among its peers), growing
    by a yearly rate drawn from growth; no targets."""

    code: str
    low: float
    high: float
    growth: tuple[float, float]


CONTEXT = (
    Context("ASCN-POP", 300_000, 3_500_000, (0.004, 0.025)),  # inhabitants: three population bands
    Context("ASCN-AREA", 100, 1_600, (0.0, 0.0)),             # km²
)

# The demo round's reports: city slug -> the state the workflow takes it to (cities not listed: not started).
REPORTS = {
    "da-nang": steps.RETURNED,          # by csco.danang, returned by nr.vietnam: the city officer's turn
    "ha-noi": steps.SUBMITTED,          # waits for nr.vietnam's endorsement
    "ho-chi-minh-city": steps.ENDORSED,  # waits for the Secretariat's acceptance
    "bangkok": steps.ACCEPTED,
    "singapore": steps.ACCEPTED,
    "jakarta": steps.SUBMITTED,
    "phnom-penh": steps.DRAFT,
    "vientiane": steps.DRAFT,
}
CASE_CITY = "da-nang"


@dataclass
class Done:
    """What a run did: rows removed and made, by kind, and what was left out and why."""

    removed: Counter[str] = field(default_factory=Counter)
    made: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


# --- Removing the previous run ------------------------------------------------------------------------------------


def remove(done: Done | None = None) -> Done:
    """Delete every synthetic row (and nothing else): M&E reports generated for a synthetic round, synthetic
    reports and rounds, values, assignments (with their targets), business cases and readiness assessments."""
    done = done or Done()
    with transaction.atomic():
        rounds = list(ReportingRound.objects.filter(synthetic=True))
        for report in MEReport.objects.filter(round__in=rounds).prefetch_related("editions"):
            for edition in report.editions.all():
                if edition.pdf:
                    edition.pdf.delete(save=False)
            report.delete()
            done.removed["M&E reports"] += 1
        reports = CityReport.objects.filter(synthetic=True)
        done.removed["reports"] += reports.count()
        reports.delete()
        kept = ReportingRound.objects.filter(synthetic=True, reports__synthetic=False).distinct()
        for reporting_round in kept:
            done.notes.append(f"Round {reporting_round.year} kept: it holds real reports.")
        removable = ReportingRound.objects.filter(synthetic=True).exclude(pk__in=kept)
        done.removed["rounds"] += removable.count()
        removable.delete()
        done.removed["values"] += Observation.objects.filter(synthetic=True).delete()[0]
        done.removed["assignments"] += _remove_assignments(done)
        for case in BusinessCase.objects.filter(synthetic=True).select_related("project"):
            case_actions.delete_business_case(None, case, via=VIA)
            done.removed["business cases"] += 1
        assessments = ReadinessAssessment.objects.filter(synthetic=True)
        done.removed["readiness assessments"] += assessments.count()
        assessments.delete()
        done.removed["offers"] += _delete_tagged(Offer.objects.filter(synthetic=True))
        done.removed["needs"] += _delete_tagged(Need.objects.filter(synthetic=True))
    synthetic.forget()
    return done


def _remove_assignments(done: Done) -> int:
    """Synthetic assignments, but not one a city has since recorded a real value on (its baseline and targets
    stay with that value)."""
    assignments = CityIndicator.objects.filter(synthetic=True)
    real = set(Observation.objects.filter(synthetic=False).filter(
        Q(city_id__in=assignments.values("city_id")) & Q(indicator_id__in=assignments.values("indicator_id")))
        .values_list("city_id", "indicator_id"))
    keep = [pk for pk, city_id, indicator_id in assignments.values_list("pk", "city_id", "indicator_id")
            if (city_id, indicator_id) in real]
    if keep:
        done.notes.append(f"{len(keep)} synthetic assignments kept: cities have recorded real values on them.")
    removed = assignments.exclude(pk__in=keep)
    Target.objects.filter(assignment__in=removed).delete()
    count, _rows = removed.delete()
    return count


# --- Making the data ----------------------------------------------------------------------------------------------


def make(today: dt.date | None = None) -> Done:
    """Remove the previous synthetic rows and make them again (one transaction); returns what was done."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    done = Done()
    with transaction.atomic():
        remove(done)
        accounts = _accounts()
        reporting_round = _demo_round(accounts["secretariat"], today, done)
        started_cities = _reports(accounts, reporting_round, done) if reporting_round else set()
        _values(started_cities, done)
        _business_case(accounts, done)
        _partnerships(accounts, done)
    synthetic.forget()
    done.seconds = time.perf_counter() - started
    return done


def _accounts() -> dict[str, User]:
    names = [account.username for account in DEMO_ACCOUNTS]
    found = {user.username: user for user in User.objects.filter(username__in=names)}
    if len(found) < len(names):
        found = {user.username: user for user in ensure_demo_accounts()}
    return {"secretariat": found["secretariat"], "nr": found["nr.vietnam"], "csco": found["csco.danang"],
            "partner": found["partner.jica"]}


def _demo_round(secretariat: User, today: dt.date, done: Done) -> ReportingRound | None:
    """The demo round: created flagged synthetic, open today, its reporting cities the members on its as-of date.
    A real round of that year is left alone (and gets no synthetic report)."""
    existing = ReportingRound.objects.filter(year=ROUND_YEAR).first()
    if existing is not None:
        done.notes.append(f"The {ROUND_YEAR} round is real: no synthetic report was made in it.")
        return None
    as_of = dt.date(ROUND_YEAR, 9, 30)
    opens_on = min(today, dt.date(ROUND_YEAR, 6, 1))
    closes_on = max(today + dt.timedelta(days=60), as_of)
    data = {"year": ROUND_YEAR, "as_of": as_of, "opens_on": opens_on, "closes_on": closes_on, "source": SOURCE}
    members = list(City.objects.as_of(as_of))
    reporting_round = round_actions.create_round(secretariat, data, members, via=VIA, synthetic=True)
    done.made["rounds"] += 1
    return reporting_round


def _reports(accounts: dict[str, User], reporting_round: ReportingRound, done: Done) -> set[int]:
    """The demo round's reports, each taken to its state through the workflow by who may take each step.
    Returns the ids of the cities that have started their report."""
    secretariat, nr, csco = accounts["secretariat"], accounts["nr"], accounts["csco"]
    reporting = {city.slug: city for city in reporting_round.cities.all()}
    chosen = [reporting[slug] for slug in REPORTS if slug in reporting]
    missing = sorted(set(REPORTS) - set(reporting))
    if missing:
        done.notes.append(f"Not reporting in the demo round, so left out: {', '.join(missing)}.")
    reports = report_actions.open_round_reports(secretariat, reporting_round, via=VIA, cities=chosen)
    for report in reports:
        state = REPORTS[report.city.slug]
        city_actor = csco if csco.city_id == report.city_id else secretariat
        nr_actor = nr if nr.country_id == report.city.country_id else secretariat
        _fill(city_actor, report)
        if state != steps.DRAFT:
            report_actions.transition_report(city_actor, report, steps.SUBMIT, via=VIA)
        if state == steps.RETURNED:
            report_actions.transition_report(nr_actor, report, steps.RETURN, via=VIA, reason=(
                "Synthetic demo step: please add this year's figures for the highlighted project."))
        if state in (steps.ENDORSED, steps.ACCEPTED):
            report_actions.transition_report(nr_actor, report, steps.ENDORSE, via=VIA)
        if state == steps.ACCEPTED:
            report_actions.transition_report(secretariat, report, steps.ACCEPT, via=VIA)
        done.states[state] += 1
    done.made["reports"] += len(reports)
    done.states["not started"] += len(reporting) - len(reports)
    return {report.city_id for report in reports}


def _fill(actor: User, report: CityReport) -> None:
    """A made-up summary and made-up progress on each project line (the first highlighted), saved as the city's
    officer saves the report form."""
    lines = list(report.project_lines.order_by("pk"))
    data: dict[str, Any] = {"summary": TEXT, "lines": {
        line.pk: {"progress": TEXT, "challenges": "Synthetic demo text: none reported.",
                  "is_highlighted": index == 0} for index, line in enumerate(lines)}}
    report_actions.save_report(actor, report, data, via=VIA)


def _values(started: set[int], done: Done) -> None:
    """Assignments with baselines and targets, then the values through the observations load (synthetic)."""
    codes = [s.code for s in INDICATORS] + [c.code for c in CONTEXT]
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes).exclude(unit="")}
    specs = [s for s in INDICATORS if s.code in indicators]
    if len(indicators) < len(codes):
        left_out = sorted(set(codes) - set(indicators))
        done.notes.append(f"Indicators left out (not in the catalogue or without a unit): {', '.join(left_out)}.")
    members = {year: set(City.objects.as_of(dt.date(year, 12, 31)).values_list("pk", flat=True))
               for year in range(FIRST_YEAR, ROUND_YEAR + 1)}
    years_of: dict[int, list[int]] = {}
    for year, ids in members.items():
        for city_id in ids:
            years_of.setdefault(city_id, []).append(year)
    cities = {c.pk: c for c in City.objects.filter(pk__in=years_of).order_by("pk")}
    taken = set(CityIndicator.objects.filter(city_id__in=cities, indicator__code__in=list(indicators))
                .values_list("city_id", "indicator_id"))
    contexts = [c for c in CONTEXT if c.code in indicators]
    series = _series(specs, sorted(cities), years_of, started) | _context_series(contexts, sorted(cities), years_of)
    assignments, targets, records = [], [], []
    for (city_id, code), (baseline, points, goals) in series.items():
        indicator = indicators[code]
        if (city_id, indicator.pk) in taken:
            continue
        assignments.append(CityIndicator(city_id=city_id, indicator=indicator, baseline_value=baseline,
                                         baseline_year=BASELINE_YEAR, notes=TEXT, synthetic=True))
        targets.append(goals)
        records += [{"city": cities[city_id].slug, "indicator": code, "period": str(year), "value": value,
                     "source": SOURCE, "method": "Synthetic", "comment": TEXT} for year, value in points]
    if len(assignments) < len(series):
        done.notes.append(f"{len(series) - len(assignments)} city and indicator pairs left out: already assigned.")
    _assign(assignments, targets, done)
    if records:
        summary = load_batch(None, importing.batch_from_records(records), commit=True, via=VIA, name="demo_data",
                             as_system=True, synthetic=True)
        if not summary.committed:
            first = summary.errors[0] if summary.errors else {"reason": summary.problem}
            raise ValueError(f"The synthetic values were refused ({summary.error_total} errors; first: "
                             f"{first.get('reason')}).")
        done.made["values"] += summary.created
        # The years before the demo round were reviewed long ago: only the round's values wait for review.
        done.made["of them verified"] += Observation.objects.filter(synthetic=True, year__lt=ROUND_YEAR).update(
            verification=Verification.VERIFIED)
        if summary.flag_count:
            done.notes.append(f"{summary.flag_count} synthetic values flagged for review by the usual checks.")


def _series(specs: list[Spec], city_ids: list[int], years_of: dict[int, list[int]], started: set[int]
            ) -> dict[tuple[int, str], tuple[float, list[tuple[int, float]], list[tuple[int, float]]]]:
    """Per city and indicator: the baseline, the values by year and the targets. A level in the unit's range, a
    yearly move (mostly the better way, at each city's own pace) and small noise; targets ask for a move that
    some cities beat and others miss, so the scorecards show green, amber and red. In the demo round's year a
    city that has not started its report has entered only some values."""
    gen = rng()
    out = {}
    for spec in specs:
        span = spec.high - spec.low
        sign = 1.0 if spec.better == "higher" else -1.0
        for city_id in city_ids:
            level = gen.uniform(spec.low + 0.1 * span, spec.high - 0.35 * span) if sign > 0 else \
                gen.uniform(spec.low + 0.35 * span, spec.high - 0.1 * span)
            pace = gen.uniform(-0.006, 0.035) * span           # per year, in the better direction
            ambition = gen.uniform(0.08, 0.2) * span           # asked for by 2025
            noise = gen.normal(0.0, 0.004 * span, size=ROUND_YEAR - FIRST_YEAR + 1)
            entered = city_id in started or gen.random() < PARTIAL
            points = []
            for year in years_of.get(city_id, []):
                if year > LAST_YEAR and not entered:
                    continue
                value = level + sign * pace * (year - FIRST_YEAR) + noise[year - FIRST_YEAR]
                points.append((year, _bounded(value, spec)))
            baseline = _bounded(level, spec)
            goals = [(2025, _bounded(level + sign * ambition, spec)),
                     (2030, _bounded(level + sign * ambition * 1.8, spec))]
            out[(city_id, spec.code)] = (baseline, points, goals)
    return out


def _context_series(contexts: list[Context], city_ids: list[int], years_of: dict[int, list[int]]) -> SeriesOf:
    """Per city and context indicator: the baseline and the values by year (whole numbers), no targets. Drawn
    after the indicators' series from a generator of its own, so adding them changed none of those."""
    gen = np.random.default_rng(SEED + 1)
    out: SeriesOf = {}
    for context in contexts:
        for city_id in city_ids:
            level = gen.uniform(context.low, context.high)
            growth = gen.uniform(*context.growth)
            points = [(year, float(round(level * (1 + growth) ** (year - FIRST_YEAR))))
                      for year in years_of.get(city_id, [])]
            out[(city_id, context.code)] = (float(round(level)), points, [])
    return out


def _bounded(value: float, spec: Spec) -> float:
    return round(float(min(max(value, spec.low), spec.high)), spec.decimals)


def _assign(assignments: list[CityIndicator], targets: list[list[tuple[int, float]]], done: Done) -> None:
    """The synthetic assignments and their targets in two inserts, and one audit entry per city."""
    if not assignments:
        return
    made = CityIndicator.objects.bulk_create(assignments)
    Target.objects.bulk_create([Target(assignment=a, year=year, value=value)
                                for a, goals in zip(made, targets, strict=True) for year, value in goals])
    per_city = Counter(a.city_id for a in made)
    for city in City.objects.filter(pk__in=per_city).order_by("pk"):
        record(None, AuditAction.UPDATE, city, {"synthetic assignments": [None, per_city[city.pk]]}, VIA)
    done.made["assignments"] += len(made)
    done.made["targets"] += sum(len(goals) for goals in targets)


# --- The business case and readiness ------------------------------------------------------------------------------

YEARS = 15
CASE_INPUTS: dict[str, Any] = {
    "years": YEARS, "discount_rate": 0.08, "economic_discount_rate": 0.06, "currency": "USD",
    "start_year": ROUND_YEAR + 1, "inflation": 0.03, "residual_value": 500_000,
    "lines": [
        {"kind": "capex", "label": "Sensors, cameras and control centre (synthetic)",
         "values": [3_000_000, 2_500_000] + [0] * (YEARS - 1)},
        {"kind": "opex", "label": "Operation and maintenance (synthetic)",
         "values": [0, 150_000] + [320_000] * (YEARS - 1)},
        {"kind": "revenue", "label": "Parking fees (synthetic)", "values": [0, 200_000] + [780_000] * (YEARS - 1)},
        {"kind": "economic_benefit", "label": "Time saved by drivers (synthetic)",
         "values": [0, 100_000] + [450_000] * (YEARS - 1)},
    ],
    "loans": [{"principal": 3_000_000, "rate": 0.05, "tenor_years": 10, "grace_years": 2}],
    "grants": [{"amount": 500_000, "year": 0}],
}
CASE_RISK = {"drivers": {"revenue": {"kind": "triangular", "low": 0.7, "mode": 1.0, "high": 1.15},
                         "capex": {"kind": "triangular", "low": 0.95, "mode": 1.0, "high": 1.35}},
             "iterations": 2000, "seed": SEED}
CASE_SENSITIVITY = {"change": 0.2, "scenarios": {"Slow uptake (synthetic)": {"revenue": 0.75},
                                                 "Cost overrun (synthetic)": {"capex": 1.3}}}
ANSWERS = {"met": ("concept.institutional.sponsor", "concept.institutional.strategy", "concept.legal.mandate",
                   "concept.technical.scope", "concept.financial.cost_estimate"),
           "partial": ("concept.environmental_social.screening",),
           "not_met": ("concept.stakeholder.need",)}


def _business_case(accounts: dict[str, User], done: Done) -> None:
    """A business case and a readiness assessment on the first Da Nang project that has neither, by the city's
    officer; both unpublished."""
    csco = accounts["csco"]
    project = (Project.objects.filter(city__slug=CASE_CITY, business_cases__isnull=True, readiness__isnull=True)
               .order_by("reference", "pk").first())
    if project is None:
        done.notes.append(f"No project of {CASE_CITY} without a business case: none made.")
        return
    case = case_actions.create_business_case(csco, project, {
        "scenario": "Synthetic demo case", "description": TEXT, "inputs": CASE_INPUTS, "risk": CASE_RISK,
        "sensitivity": CASE_SENSITIVITY}, via=VIA, synthetic=True)
    done.made["business cases"] += 1
    assessment = readiness_actions.assessment_for(csco, project, via=VIA, synthetic=True)
    known = {criterion.code for criterion in readiness.CRITERIA}
    answers = {code: {"status": status, "evidence": TEXT} for status, codes in ANSWERS.items() for code in codes
               if code in known}
    readiness_actions.save_answers(csco, project, answers, via=VIA)
    done.made["readiness assessments"] += 1
    done.notes.append(f"Business case “{case.scenario}” and readiness on {project.reference or project.pk} "
                      f"“{project.title}” ({assessment.project.city.name}).")


def _delete_tagged(rows: Any) -> int:
    """Delete rows (their framework tags go with them: the generic relation cascades); how many rows."""
    count = rows.count()
    rows.delete()
    return int(count)


def _nodes(*codes: str) -> list[FrameworkNode]:
    return list(FrameworkNode.objects.filter(code__in=codes).order_by("code"))


def _partnerships(accounts: dict[str, User], done: Done) -> None:
    """Offers of the demo partner account's organisation and needs of the demo city officer's city."""
    partner_user, csco = accounts["partner"], accounts["csco"]
    if partner_user.partner is None or csco.city is None:
        done.notes.append("No demo offers or needs: the demo partner or city account has no organisation or city.")
        return
    viet_nam = Country.objects.filter(iso3="VNM")
    offer_actions.create_offer(partner_user, partner_user.partner, {
        "title": "Demo: technical assistance for adaptive traffic management", "kind": "technical_assistance",
        "description": f"Adaptive traffic signals, traffic data platforms and feasibility studies. {TEXT}",
        "stages": ["pre_feasibility", "feasibility"], "contact_role": "Demo partner's smart-city desk"},
        countries=viet_nam, tags=_nodes("built_infrastructure", "technological_digital_solutions"), publish=True,
        via=VIA, synthetic=True)
    offer_actions.create_offer(partner_user, partner_user.partner, {
        "title": "Demo: loans for smart water networks (draft)", "kind": "financing", "ticket_min": 1_000_000,
        "ticket_max": 20_000_000, "currency": "USD", "instruments": ["loan"], "description": TEXT},
        tags=_nodes("quality_environment"), via=VIA, synthetic=True)
    offer_actions.create_need(csco, csco.city, {
        "title": "Demo: flood early-warning sensors and a traffic data platform", "kind": "technical",
        "amount": 500_000, "currency": "USD", "stage": "feasibility",
        "description": f"Water-level sensors on the rivers and adaptive traffic signals downtown. {TEXT}"},
        tags=_nodes("quality_environment", "built_infrastructure"), publish=True, via=VIA, synthetic=True)
    offer_actions.create_need(csco, csco.city, {
        "title": "Demo: training for the city's data officers (draft)", "kind": "training", "description": TEXT},
        tags=_nodes("technological_digital_solutions"), via=VIA, synthetic=True)
    done.made["offers"] += 2
    done.made["needs"] += 2


def removed_text(done: Done) -> str:
    return ", ".join(_counted(n, kind) for kind, n in sorted(done.removed.items()) if n) or "nothing"


def _counted(n: int, kind: str) -> str:
    """"1 round", "8 reports": the kinds are counted in the plural, and "of them verified" stays as it is."""
    if n == 1 and kind.endswith("s"):
        kind = kind[:-1]
    return f"{n} {kind}"


def summary_lines(done: Done, heading: Callable[[str], str] = str) -> list[str]:
    """What the command prints."""
    lines = [heading("Synthetic demo data (not ASCN data):")]
    lines.append(f"  removed from the previous run: {removed_text(done)}")
    made = ", ".join(_counted(n, kind) for kind, n in done.made.items() if n) or "nothing"
    lines.append(f"  made: {made}")
    if done.states:
        order = ["not started", steps.DRAFT, steps.RETURNED, steps.SUBMITTED, steps.ENDORSED, steps.ACCEPTED]
        lines.append("  demo round reports: " + ", ".join(f"{done.states[s]} {s}" for s in order if done.states[s]))
    lines += [f"  {note}" for note in done.notes]
    lines.append(f"  in {done.seconds:.1f} s. Every synthetic record is marked “Synthetic” on its page, in exports "
                 "and in the API.")
    return lines
