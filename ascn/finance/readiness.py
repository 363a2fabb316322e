"""Project readiness and bankability: stage gates from concept to financial close, and what would raise the score.
Pure Python, no Django: the city's answers and the appraisal of the chosen business case come in as plain data.

Each stage of project preparation (after the PPP project cycle: identification, options analysis, feasibility and
value for money, structuring and risk allocation, transaction, financial close) has criteria in six dimensions.
The city answers most of them; a few are decided by the business case's appraisal (economic and financial NPV,
Monte Carlo risk, debt service, funding gap), whatever the city answered.

A gate is passed when every criterion of its stage and of all earlier stages is met or not applicable. The score
counts the criteria of every stage up to the target stage (by default the next gate), each by its weight: met
counts 1, partial 0.5, not met 0, and a criterion that does not apply leaves both sides of the fraction.
Bankability combines that readiness with the appraisal's figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from ascn.core import numbers
from ascn.core.translator import gettext as _

STAGES = ("concept", "pre_feasibility", "feasibility", "structuring", "transaction", "financial_close")
DIMENSIONS = ("institutional", "legal", "technical", "financial", "environmental_social", "stakeholder")
STATUSES = ("met", "partial", "not_met", "not_applicable")
CHECKS = ("economic_case", "financial_case", "risk_quantified", "debt_service", "funding_closed")

Status = Literal["met", "partial", "not_met", "not_applicable"]
Verdict = Literal["bankable", "needs_concessional_support", "not_yet", "not_viable"]

MIN_DSCR = 1.2                  # the minimum debt service coverage ratio lenders usually ask for
MAX_LOSS_PROBABILITY = 0.2      # the highest acceptable chance of a negative financial NPV
BANKABLE_FROM = "feasibility"   # the gate a project must have passed to be called bankable



def gettext_noop(message: str) -> str:
    """Marks a module-level message for extraction; it is translated when read, through `_`."""
    return message


STAGE_NAMES: dict[str, str] = {
    "concept": gettext_noop("Concept"),
    "pre_feasibility": gettext_noop("Pre-feasibility"),
    "feasibility": gettext_noop("Feasibility"),
    "structuring": gettext_noop("Structuring"),
    "transaction": gettext_noop("Transaction"),
    "financial_close": gettext_noop("Financial close"),
}

DIMENSION_NAMES: dict[str, str] = {
    "institutional": gettext_noop("Institutional"),
    "legal": gettext_noop("Legal"),
    "technical": gettext_noop("Technical"),
    "financial": gettext_noop("Financial"),
    "environmental_social": gettext_noop("Environmental and social"),
    "stakeholder": gettext_noop("Stakeholder"),
}


def stage_name(stage: str) -> str:
    return _(STAGE_NAMES[stage])


def dimension_name(dimension: str) -> str:
    return _(DIMENSION_NAMES[dimension])


# --- The catalogue ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One statement a project must make true before it passes its stage's gate."""

    code: str        # "<stage>.<dimension>.<short>": stable, stored with the answers; never change once written
    stage: str
    dimension: str
    text: str        # English; translated by `label`
    evidence: str    # English: what shows it is met; translated by `evidence_hint`
    weight: int      # 1, 2 or 3
    check: str = ""  # an automatic check from the appraisal (CHECKS); "" = answered by the city

    @property
    def label(self) -> str:
        return _(self.text)

    @property
    def evidence_hint(self) -> str:
        return _(self.evidence)


def _c(code: str, text: str, evidence: str, weight: int, check: str = "") -> Criterion:
    stage, dimension, _short = code.split(".")
    return Criterion(code, stage, dimension, text, evidence, weight, check)


_CATALOGUE = (
    # Concept: the project is identified and owned.
    _c("concept.institutional.sponsor",
       gettext_noop("A sponsoring department and a project lead are named."),
       gettext_noop("Decision or memo naming the department and lead."), 3),
    _c("concept.institutional.strategy",
       gettext_noop("The project serves the city's development plan or smart city strategy."),
       gettext_noop("The section of the plan or strategy the project serves."), 2),
    _c("concept.legal.mandate",
       gettext_noop("The service lies within the city's responsibilities."),
       gettext_noop("The law or decree that gives the city this responsibility."), 1),
    _c("concept.technical.scope",
       gettext_noop("The problem, the proposed solution and its rough scope are described."),
       gettext_noop("A project concept note of a few pages."), 2),
    _c("concept.financial.cost_estimate",
       gettext_noop("A first estimate of the cost, accurate to an order of magnitude, exists."),
       gettext_noop("Cost estimate with its sources: benchmarks or similar projects."), 1),
    _c("concept.environmental_social.screening",
       gettext_noop("A first screening of environmental and social risks is done."),
       gettext_noop("Screening checklist or note, with the risk category."), 1),
    _c("concept.stakeholder.need",
       gettext_noop("The need is documented from residents' or users' evidence."),
       gettext_noop("Survey, complaints, service statistics or consultation notes."), 2),
    # Pre-feasibility: options are compared and the case for the preferred one is made.
    _c("pre_feasibility.institutional.team",
       gettext_noop("A project team with the skills to prepare the project is in place, or advisers are budgeted."),
       gettext_noop("Team list with roles, or terms of reference and budget for advisers."), 2),
    _c("pre_feasibility.legal.powers",
       gettext_noop("The city's legal power to deliver the project (and to borrow or contract a PPP if needed) "
                    "is confirmed."),
       gettext_noop("Legal opinion, or a letter from the ministry concerned."), 3),
    _c("pre_feasibility.technical.options",
       gettext_noop("Options, including doing nothing, are compared and one is preferred."),
       gettext_noop("Options analysis with its criteria and result."), 3),
    _c("pre_feasibility.financial.economic_case",
       gettext_noop("The benefits to society exceed the costs."),
       gettext_noop("The business case's economic appraisal: economic NPV and benefit-cost ratio."), 3,
       "economic_case"),
    _c("pre_feasibility.financial.funding_sources",
       gettext_noop("Likely funding sources, and how each would be repaid, are identified."),
       gettext_noop("Funding note listing budget, grants, loans or private finance."), 2),
    _c("pre_feasibility.environmental_social.risks",
       gettext_noop("The main environmental, social and climate risks of the preferred option are identified."),
       gettext_noop("Scoping report or risk note."), 2),
    _c("pre_feasibility.stakeholder.consultation",
       gettext_noop("Affected groups are mapped and first consultations are held."),
       gettext_noop("Stakeholder map and minutes of the consultations."), 2),
    # Feasibility: the preferred option is studied in depth and the delivery model is chosen.
    _c("feasibility.institutional.steering",
       gettext_noop("A steering committee oversees the project and takes its decisions on time."),
       gettext_noop("Terms of reference and minutes of the committee."), 2),
    _c("feasibility.legal.permits",
       gettext_noop("The permits and licences the project needs are listed, with who grants them and when."),
       gettext_noop("Permits schedule."), 2),
    _c("feasibility.technical.study",
       gettext_noop("A feasibility study with preliminary design, site, demand forecast and cost estimate is "
                    "complete."),
       gettext_noop("Feasibility study report."), 3),
    _c("feasibility.financial.financial_case",
       gettext_noop("The project's own cash flows cover its costs, or the viability gap is known."),
       gettext_noop("The business case's financial appraisal: financial NPV."), 3, "financial_case"),
    _c("feasibility.financial.risk",
       gettext_noop("The uncertainty of the financial result is measured."),
       gettext_noop("Monte Carlo simulation of the business case."), 2, "risk_quantified"),
    _c("feasibility.financial.value_for_money",
       gettext_noop("The delivery model (public works, PPP or other) is chosen on value for money."),
       gettext_noop("Value-for-money or procurement-options analysis."), 2),
    _c("feasibility.environmental_social.esia",
       gettext_noop("An environmental and social impact assessment is done, with mitigation costed."),
       gettext_noop("Impact assessment report and its approval; mitigation costs in the budget."), 3),
    _c("feasibility.stakeholder.disclosure",
       gettext_noop("The findings are shared with the people affected and their views are recorded."),
       gettext_noop("Records of the public consultation and of the answers given."), 2),
    # Structuring: the deal, the risks and the financing are set out.
    _c("structuring.institutional.implementing_agency",
       gettext_noop("The agency that will deliver and run the project is set up, with staff and budget."),
       gettext_noop("Establishment decision, organisation chart and budget line."), 2),
    _c("structuring.legal.land",
       gettext_noop("Land and rights of way are secured, or a plan with dates exists."),
       gettext_noop("Land titles, acquisition plan or resettlement action plan with dates."), 3),
    _c("structuring.legal.risk_allocation",
       gettext_noop("The contract structure and the allocation of risks between the parties are set out."),
       gettext_noop("Risk allocation matrix and term sheet."), 2),
    _c("structuring.technical.specifications",
       gettext_noop("The output specifications and performance standards are written."),
       gettext_noop("Output or technical specifications, with the performance indicators."), 2),
    _c("structuring.financial.debt_service",
       gettext_noop("The project's cash flows service its debt with a safe margin."),
       gettext_noop("Minimum debt service coverage ratio in the business case."), 3, "debt_service"),
    _c("structuring.financial.financing_plan",
       gettext_noop("A financing plan names the sources, their terms and the budget committed for each year."),
       gettext_noop("Financing plan and multi-year budget commitment."), 2),
    _c("structuring.environmental_social.management_plan",
       gettext_noop("An environmental and social management plan, with responsibilities and budget, is agreed."),
       gettext_noop("Management plan and its budget."), 2),
    _c("structuring.stakeholder.support",
       gettext_noop("Key stakeholders (ministries, utilities, communities) support the chosen structure."),
       gettext_noop("Letters of support or meeting minutes."), 2),
    # Transaction: the partner or contractor is procured.
    _c("transaction.institutional.procurement_committee",
       gettext_noop("A procurement committee and an evaluation team are appointed, with conflict-of-interest "
                    "rules."),
       gettext_noop("Appointment decision and signed declarations of interest."), 2),
    _c("transaction.legal.documents",
       gettext_noop("The procurement documents, including the draft contract, are approved."),
       gettext_noop("Approved tender documents and draft contract."), 3),
    _c("transaction.technical.evaluation",
       gettext_noop("The bids are evaluated against the published technical and financial criteria."),
       gettext_noop("Bid evaluation report."), 2),
    _c("transaction.financial.affordability",
       gettext_noop("The preferred bid is within the approved budget or affordability limit."),
       gettext_noop("Comparison of the bid with the budget and the public sector comparator."), 2),
    _c("transaction.environmental_social.obligations",
       gettext_noop("The environmental and social obligations are written into the contract."),
       gettext_noop("Contract clauses and the management plan annexed to the contract."), 1),
    _c("transaction.stakeholder.market",
       gettext_noop("The market is sounded and enough bidders are interested."),
       gettext_noop("Market sounding report or list of interested firms."), 2),
    _c("transaction.stakeholder.award_notice",
       gettext_noop("The award decision is published, with a period for complaints."),
       gettext_noop("Published notice of award."), 1),
    # Financial close: the contracts and the financing are signed and effective.
    _c("financial_close.institutional.contract_management",
       gettext_noop("A contract management team and its procedures are in place."),
       gettext_noop("Team appointment and contract management manual."), 2),
    _c("financial_close.legal.contract_signed",
       gettext_noop("The project contract is signed and effective."),
       gettext_noop("Signed contract."), 3),
    _c("financial_close.legal.conditions_precedent",
       gettext_noop("The conditions precedent are met."),
       gettext_noop("Confirmation of each condition, signed by the parties."), 3),
    _c("financial_close.technical.ready_to_build",
       gettext_noop("The final design is approved and the site is ready for works to start."),
       gettext_noop("Design approval and site handover record."), 2),
    _c("financial_close.financial.agreements",
       gettext_noop("The loan and financing agreements are signed."),
       gettext_noop("Signed loan, grant or financing agreements."), 3),
    _c("financial_close.financial.funding_closed",
       gettext_noop("The full cost is covered by secured funding."),
       gettext_noop("The business case's funding sources, each marked secured."), 3, "funding_closed"),
    _c("financial_close.environmental_social.permits",
       gettext_noop("The environmental permits are granted and the lenders' safeguard conditions are met."),
       gettext_noop("Permits and the lenders' confirmation."), 2),
    _c("financial_close.stakeholder.grievance",
       gettext_noop("Residents will be informed during the works and can raise complaints through a grievance "
                    "mechanism."),
       gettext_noop("Communication plan and grievance procedure."), 1),
)

CRITERIA: tuple[Criterion, ...] = tuple(sorted(
    _CATALOGUE, key=lambda c: (STAGES.index(c.stage), DIMENSIONS.index(c.dimension))))
_BY_CODE = {c.code: c for c in CRITERIA}
CODES = frozenset(_BY_CODE)


def criterion(code: str) -> Criterion:
    """The criterion with this code; KeyError if there is none."""
    return _BY_CODE[code]


def criteria_for(stage: str) -> tuple[Criterion, ...]:
    """The criteria of one stage, in catalogue order."""
    if stage not in STAGES:
        raise ValueError(f"Unknown stage: {stage}")
    return tuple(c for c in CRITERIA if c.stage == stage)


# --- Inputs ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: Status
    evidence: str = ""   # free text or a link given by the city


@dataclass(frozen=True)
class AppraisalFacts:
    """What the readiness score takes from the project's chosen business case (None: not computed)."""

    financial_npv: float | None = None
    economic_npv: float | None = None
    benefit_cost_ratio: float | None = None        # economic
    minimum_dscr: float | None = None              # None when the case has no debt
    has_debt: bool = False
    probability_negative_npv: float | None = None  # financial, from the Monte Carlo; None if not simulated
    funding_gap: float | None = None               # cost not yet covered by secured funding; None unknown


# --- Automatic checks -----------------------------------------------------------------------------------------------


def _amount(value: float) -> str:
    """A money figure with thousands separators and no decimals, in the reader's language: 1,234,567."""
    return numbers.for_people(value, 0)


def _ratio(value: float) -> str:
    return numbers.for_people(value, 2, fixed=True)


def _percent(value: float) -> str:
    """A probability as a whole percentage: 0.35 -> "35 %"."""
    return f"{round(100 * value)} %"


def run_check(check: str, facts: AppraisalFacts | None) -> tuple[Status, str]:
    """The status of an automatic check and the translated reason for it."""
    if check not in CHECKS:
        raise ValueError(f"Unknown check: {check}")
    if facts is None:
        return "not_met", _("A business case is needed: choose one for the project and compute its appraisal.")
    return _CHECK_FUNCTIONS[check](facts)


def _economic_case(facts: AppraisalFacts) -> tuple[Status, str]:
    npv, bcr = facts.economic_npv, facts.benefit_cost_ratio
    if npv is None:
        return "not_met", _("The economic NPV is not computed yet: add the economic appraisal to the business case.")
    if npv <= 0:
        return "not_met", _("Economic NPV %(npv)s: the benefits to society do not exceed the costs.") % {
            "npv": _amount(npv)}
    if bcr is None:
        return "partial", _("Economic NPV %(npv)s is positive, but the benefit-cost ratio is not computed.") % {
            "npv": _amount(npv)}
    if bcr < 1:
        return "not_met", _("Economic NPV %(npv)s, but the benefit-cost ratio %(bcr)s is below 1.") % {
            "npv": _amount(npv), "bcr": _ratio(bcr)}
    return "met", _("Economic NPV %(npv)s and benefit-cost ratio %(bcr)s: the project is worth more to society "
                    "than it costs.") % {"npv": _amount(npv), "bcr": _ratio(bcr)}


def _financial_case(facts: AppraisalFacts) -> tuple[Status, str]:
    npv, economic = facts.financial_npv, facts.economic_npv
    if npv is None:
        return "not_met", _("The financial NPV is not computed yet: add the financial appraisal to the business "
                            "case.")
    if npv >= 0:
        return "met", _("Financial NPV %(npv)s: the project's own cash flows cover its costs.") % {
            "npv": _amount(npv)}
    if economic is not None and economic > 0:
        return "partial", _("Financial NPV %(npv)s against economic NPV %(economic)s: a viability gap that grants "
                            "or blended finance must fill.") % {"npv": _amount(npv), "economic": _amount(economic)}
    return "not_met", _("Financial NPV %(npv)s, and no positive economic NPV to justify support.") % {
        "npv": _amount(npv)}


def _risk_quantified(facts: AppraisalFacts) -> tuple[Status, str]:
    probability = facts.probability_negative_npv
    if probability is None:
        return "not_met", _("The risk is not simulated yet: run the Monte Carlo on the business case.")
    figures = {"probability": _percent(probability), "limit": _percent(MAX_LOSS_PROBABILITY)}
    if probability <= MAX_LOSS_PROBABILITY:
        return "met", _("Monte Carlo: a %(probability)s chance of a negative financial NPV, within the "
                        "%(limit)s limit.") % figures
    return "partial", _("Monte Carlo: a %(probability)s chance of a negative financial NPV, above the %(limit)s "
                        "limit: reduce the risks or share them.") % figures


def _debt_service(facts: AppraisalFacts) -> tuple[Status, str]:
    dscr = facts.minimum_dscr
    if not facts.has_debt:
        return "not_applicable", _("The business case has no debt.")
    if dscr is None:
        return "not_met", _("The business case has debt, but its debt service coverage ratio is not computed.")
    figures = {"dscr": _ratio(dscr), "minimum": _ratio(MIN_DSCR)}
    if dscr >= MIN_DSCR:
        return "met", _("Minimum DSCR %(dscr)s, at or above the %(minimum)s lenders usually require.") % figures
    if dscr >= 1:
        return "partial", _("Minimum DSCR %(dscr)s: the debt is covered, but with less margin than the %(minimum)s "
                            "lenders usually require.") % figures
    return "not_met", _("Minimum DSCR %(dscr)s: in some years the cash flows do not cover the debt service.") % figures


def _funding_closed(facts: AppraisalFacts) -> tuple[Status, str]:
    gap = facts.funding_gap
    if gap is None:
        return "not_met", _("The funding gap is not known: record the funding sources in the business case.")
    if gap <= 0:
        return "met", _("Secured funding covers the full cost.")
    return "not_met", _("A funding gap of %(gap)s remains to be secured.") % {"gap": _amount(gap)}


_CHECK_FUNCTIONS: dict[str, Callable[[AppraisalFacts], tuple[Status, str]]] = {
    "economic_case": _economic_case,
    "financial_case": _financial_case,
    "risk_quantified": _risk_quantified,
    "debt_service": _debt_service,
    "funding_closed": _funding_closed,
}


# --- The assessment -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    status: Status
    evidence: str
    automatic: bool  # decided by the appraisal, whatever the city answered
    reason: str      # translated: why, for automatic checks; "" when answered; "Not answered yet." otherwise


@dataclass(frozen=True)
class Improvement:
    criterion: Criterion
    points: float      # how much the score would rise if this criterion were met (1 decimal)
    blocks_gate: bool  # it stands between the project and its next gate
    action: str        # translated: what to do


@dataclass(frozen=True)
class Bankability:
    verdict: Verdict
    reasons: tuple[str, ...]  # translated sentences


@dataclass(frozen=True)
class Readiness:
    results: tuple[CriterionResult, ...]   # every criterion, in CRITERIA order
    gate_passed: str | None                # the last stage passed, with all before it; None: not even concept
    next_stage: str | None                 # the stage after gate_passed; None once financial close is passed
    score: int                             # 0 to 100 over the counted criteria (see `assess`)
    stage_scores: dict[str, int]           # per stage, 0 to 100 over that stage's criteria
    dimension_scores: dict[str, int]       # per dimension, 0 to 100 over the counted criteria
    improvements: tuple[Improvement, ...]  # gate blockers first, then the largest rise, then catalogue order
    summary: str                           # one translated sentence
    bankability: Bankability


VALUES: dict[str, float] = {"met": 1.0, "partial": 0.5, "not_met": 0.0}


def assess(answers: Mapping[str, Answer], facts: AppraisalFacts | None = None,
           target: str | None = None) -> Readiness:
    """The project's readiness from the city's answers (by criterion code) and its business case's appraisal.

    Score: the counted criteria are those of every stage up to and including `target` (by default the next
    gate's stage, or financial close once every gate is passed). Each counts its weight: met 1, partial 0.5,
    not met 0 (also when unanswered); a criterion that does not apply leaves numerator and denominator.
    score = round(100 * sum / total), 0 when nothing counts. An improvement's points are the exact rise of that
    fraction (x 100, to 1 decimal) if its criterion were met. Stage and dimension scores use the same rule.
    Unknown codes in `answers`, an unknown status or an unknown target raise ValueError.
    """
    _validate(answers, target)
    results = tuple(_result(c, answers.get(c.code), facts) for c in CRITERIA)
    gate_passed = _gate_passed(results)
    next_stage = _next_stage(gate_passed)
    last = target or next_stage or STAGES[-1]
    counted = [r for r in results if STAGES.index(r.criterion.stage) <= STAGES.index(last)]
    total = _total_weight(counted)
    blockers = [r for r in results if r.criterion.stage == next_stage and r.status in ("not_met", "partial")]
    return Readiness(
        results=results,
        gate_passed=gate_passed,
        next_stage=next_stage,
        score=_score(counted),
        stage_scores={s: _score([r for r in results if r.criterion.stage == s]) for s in STAGES},
        dimension_scores={d: _score([r for r in counted if r.criterion.dimension == d]) for d in DIMENSIONS},
        improvements=_improvements(counted, total, next_stage, facts),
        summary=_summary(gate_passed, next_stage, len(blockers)),
        bankability=_bankability(facts, gate_passed),
    )


def _validate(answers: Mapping[str, Answer], target: str | None) -> None:
    unknown = sorted(code for code in answers if code not in _BY_CODE)
    if unknown:
        raise ValueError(f"Unknown criterion codes: {', '.join(unknown)}")
    wrong = sorted(code for code, answer in answers.items() if answer.status not in STATUSES)
    if wrong:
        raise ValueError(f"Unknown answer status for: {', '.join(wrong)}")
    if target is not None and target not in STAGES:
        raise ValueError(f"Unknown target stage: {target}")


def _result(criterion: Criterion, answer: Answer | None, facts: AppraisalFacts | None) -> CriterionResult:
    if criterion.check:
        status, reason = run_check(criterion.check, facts)
        return CriterionResult(criterion, status, "", True, reason)
    if answer is None:
        return CriterionResult(criterion, "not_met", "", False, _("Not answered yet."))
    return CriterionResult(criterion, answer.status, answer.evidence, False, "")


def _gate_passed(results: tuple[CriterionResult, ...]) -> str | None:
    passed = None
    for stage in STAGES:
        if any(r.status not in ("met", "not_applicable") for r in results if r.criterion.stage == stage):
            break
        passed = stage
    return passed


def _next_stage(gate_passed: str | None) -> str | None:
    if gate_passed is None:
        return STAGES[0]
    index = STAGES.index(gate_passed) + 1
    return STAGES[index] if index < len(STAGES) else None


def _total_weight(results: list[CriterionResult]) -> int:
    return sum(r.criterion.weight for r in results if r.status != "not_applicable")


def _fraction(results: list[CriterionResult]) -> float:
    total = _total_weight(results)
    if not total:
        return 0.0
    return sum(r.criterion.weight * VALUES[r.status] for r in results if r.status != "not_applicable") / total


def _score(results: list[CriterionResult]) -> int:
    return round(100 * _fraction(results))


def _improvements(counted: list[CriterionResult], total: int, next_stage: str | None,
                  facts: AppraisalFacts | None) -> tuple[Improvement, ...]:
    ranked = []
    for index, r in enumerate(counted):
        if r.status in ("not_met", "partial"):
            points = round(100 * r.criterion.weight * (1 - VALUES[r.status]) / total, 1)
            blocks = r.criterion.stage == next_stage
            ranked.append(((not blocks, -points, index), Improvement(r.criterion, points, blocks, _action(r, facts))))
    return tuple(improvement for _key, improvement in sorted(ranked, key=lambda item: item[0]))


def _action(result: CriterionResult, facts: AppraisalFacts | None) -> str:
    c = result.criterion
    if c.check:
        return _check_action(c.check, facts)
    figures = {"label": c.label.rstrip("."), "hint": c.evidence_hint.rstrip(".")}
    if result.status == "partial":
        return _("Complete: %(label)s (evidence: %(hint)s)") % figures
    return _("Meet: %(label)s (evidence: %(hint)s)") % figures


def _check_action(check: str, facts: AppraisalFacts | None) -> str:
    if facts is None:
        return _("Choose a business case for the project and compute its appraisal.")
    if check == "economic_case":
        return _("In the business case, reach an economic NPV above 0 and a benefit-cost ratio of at least 1: "
                 "count the benefits to society, or reduce the costs.")
    if check == "financial_case":
        return _("In the business case, reach a financial NPV of at least 0: raise revenue, cut costs, or add "
                 "grants to close the viability gap.")
    if check == "risk_quantified":
        return _("Run the Monte Carlo on the business case and bring the chance of a negative financial NPV to "
                 "%(limit)s or less.") % {"limit": _percent(MAX_LOSS_PROBABILITY)}
    if check == "debt_service":
        return _("In the business case, raise the minimum DSCR to at least %(minimum)s: lengthen the loan, borrow "
                 "less or raise net revenue.") % {"minimum": _ratio(MIN_DSCR)}
    if facts.funding_gap is not None and facts.funding_gap > 0:
        return _("Secure funding for the remaining %(gap)s and mark its sources as secured in the business "
                 "case.") % {"gap": _amount(facts.funding_gap)}
    return _("Record the funding sources in the business case and mark those that are secured.")


def _summary(gate_passed: str | None, next_stage: str | None, blockers: int) -> str:
    if next_stage is None:
        return _("Passed every gate, up to financial close.")
    figures = {"count": blockers, "next": stage_name(next_stage).lower()}
    if gate_passed is None:
        if blockers == 1:
            return _("No gate passed yet; 1 criterion stands before the %(next)s gate.") % figures
        return _("No gate passed yet; %(count)s criteria stand before the %(next)s gate.") % figures
    figures["passed"] = stage_name(gate_passed).lower()
    if blockers == 1:
        return _("Passed the %(passed)s gate; 1 criterion stands before %(next)s.") % figures
    return _("Passed the %(passed)s gate; %(count)s criteria stand before %(next)s.") % figures


# --- Bankability ----------------------------------------------------------------------------------------------------


def _bankability(facts: AppraisalFacts | None, gate_passed: str | None) -> Bankability:
    """Readiness combined with the appraisal: the project's worth to society first, then to lenders."""
    if facts is not None and facts.economic_npv is not None and facts.economic_npv < 0:
        return Bankability("not_viable", (
            _("The economic NPV is %(npv)s: the project destroys value for society; reconsider its design.") % {
                "npv": _amount(facts.economic_npv)},
        ))
    if (facts is not None and facts.economic_npv is not None and facts.economic_npv > 0
            and facts.financial_npv is not None and facts.financial_npv < 0):
        return Bankability("needs_concessional_support", (
            _("The economic NPV is %(economic)s but the financial NPV is %(financial)s: viable for society, not "
              "for lenders.") % {"economic": _amount(facts.economic_npv), "financial": _amount(facts.financial_npv)},
            _("Grants, blended finance or availability payments must fill the viability gap."),
        ))
    gate_ok = gate_passed is not None and STAGES.index(gate_passed) >= STAGES.index(BANKABLE_FROM)
    if facts is None or facts.financial_npv is None:
        missing = [_("No business case is appraised yet: choose one and compute its financial NPV.")]
        return Bankability("not_yet", (*missing, _gate_reason(gate_ok, gate_passed)))
    reasons = [_financial_reason(facts.financial_npv)]
    debt_reason, debt_ok = _debt_reason(facts)
    reasons.append(debt_reason)
    reasons.append(_gate_reason(gate_ok, gate_passed))
    verdict: Verdict = "bankable" if facts.financial_npv >= 0 and debt_ok and gate_ok else "not_yet"
    return Bankability(verdict, tuple(reasons))


def _financial_reason(npv: float) -> str:
    if npv >= 0:
        return _("The financial NPV is %(npv)s: the project's revenue repays its costs.") % {"npv": _amount(npv)}
    return _("The financial NPV is %(npv)s, and no positive economic NPV justifies support yet.") % {
        "npv": _amount(npv)}


def _debt_reason(facts: AppraisalFacts) -> tuple[str, bool]:
    if not facts.has_debt:
        return _("The business case has no debt to service."), True
    if facts.minimum_dscr is None:
        return _("The business case has debt, but its minimum DSCR is not computed."), False
    figures = {"dscr": _ratio(facts.minimum_dscr), "minimum": _ratio(MIN_DSCR)}
    if facts.minimum_dscr >= MIN_DSCR:
        return _("The minimum DSCR is %(dscr)s, at or above the %(minimum)s lenders usually require.") % figures, True
    return _("The minimum DSCR is %(dscr)s, below the %(minimum)s lenders usually require.") % figures, False


def _gate_reason(gate_ok: bool, gate_passed: str | None) -> str:
    figures = {"needed": stage_name(BANKABLE_FROM).lower()}
    if gate_passed is None:
        return _("No readiness gate is passed yet; lenders expect the %(needed)s gate.") % figures
    figures["stage"] = stage_name(gate_passed).lower()
    if gate_ok:
        return _("The project has passed the %(stage)s gate.") % figures
    return _("Readiness stands at the %(stage)s gate, below the %(needed)s gate lenders expect.") % figures
