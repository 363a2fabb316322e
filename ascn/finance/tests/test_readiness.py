"""Readiness and bankability (pure): the catalogue's shape, stage gates, the score and what would raise it,
the automatic checks from the appraisal, and the bankability verdict."""

import re
from collections import Counter

import pytest

from ascn.core import translator
from ascn.finance import readiness as r
from ascn.finance.readiness import CRITERIA, DIMENSIONS, STAGES, Answer, AppraisalFacts, assess, run_check

MET = Answer("met")

# An appraisal that meets every automatic check (no debt: the debt check does not apply).
GOOD_FACTS = AppraisalFacts(financial_npv=150_000, economic_npv=2_500_000, benefit_cost_ratio=1.8,
                            probability_negative_npv=0.1, funding_gap=0)


def met_up_to(stage: str, **overrides: Answer) -> dict[str, Answer]:
    """Every criterion the city answers, met, in all stages up to `stage`; `overrides` by code (dots as __)."""
    last = STAGES.index(stage)
    answers = {c.code: MET for c in CRITERIA if not c.check and STAGES.index(c.stage) <= last}
    answers.update({code.replace("__", "."): answer for code, answer in overrides.items()})
    return answers


def statuses(readiness: r.Readiness, stage: str) -> dict[str, str]:
    return {x.criterion.code: x.status for x in readiness.results if x.criterion.stage == stage}


# --- The catalogue ------------------------------------------------------------------------------------------------


def test_every_stage_and_dimension_has_criteria_with_stable_codes_and_weights():
    assert len(CRITERIA) == 45
    assert Counter(c.stage for c in CRITERIA) == {"concept": 7, "pre_feasibility": 7, "feasibility": 8,
                                                  "structuring": 8, "transaction": 7, "financial_close": 8}
    assert {(c.stage, c.dimension) for c in CRITERIA} == {(s, d) for s in STAGES for d in DIMENSIONS}
    codes = [c.code for c in CRITERIA]
    assert len(set(codes)) == len(codes)
    for c in CRITERIA:
        stage, dimension, short = c.code.split(".")
        assert (stage, dimension) == (c.stage, c.dimension) and short
        assert c.weight in (1, 2, 3)
        assert c.text.endswith(".") and c.evidence.endswith(".")
        assert r.criterion(c.code) is c
    order = [(STAGES.index(c.stage), DIMENSIONS.index(c.dimension)) for c in CRITERIA]
    assert order == sorted(order)


def test_the_five_automatic_checks_sit_where_the_appraisal_decides():
    assert {c.code: c.check for c in CRITERIA if c.check} == {
        "pre_feasibility.financial.economic_case": "economic_case",
        "feasibility.financial.financial_case": "financial_case",
        "feasibility.financial.risk": "risk_quantified",
        "structuring.financial.debt_service": "debt_service",
        "financial_close.financial.funding_closed": "funding_closed",
    }


def test_lookups_names_and_unknown_codes():
    assert r.criterion("concept.institutional.sponsor").label == "A sponsoring department and a project lead are named."
    assert [c.code for c in r.criteria_for("concept")] == [
        "concept.institutional.sponsor", "concept.institutional.strategy", "concept.legal.mandate",
        "concept.technical.scope", "concept.financial.cost_estimate", "concept.environmental_social.screening",
        "concept.stakeholder.need",
    ]
    assert r.stage_name("pre_feasibility") == "Pre-feasibility"
    assert r.stage_name("financial_close") == "Financial close"
    assert r.dimension_name("environmental_social") == "Environmental and social"
    assert list(r.STAGE_NAMES) == list(STAGES) and list(r.DIMENSION_NAMES) == list(DIMENSIONS)
    assert r.gettext_noop("Concept") == "Concept"
    with pytest.raises(KeyError):
        r.criterion("concept.institutional.nothing")
    with pytest.raises(ValueError, match="procurement"):
        r.criteria_for("procurement")


# --- Gates ----------------------------------------------------------------------------------------------------------


def test_nothing_answered_passes_no_gate():
    readiness = assess({})
    assert (readiness.gate_passed, readiness.next_stage, readiness.score) == (None, "concept", 0)
    assert readiness.summary == "No gate passed yet; 7 criteria stand before the concept gate."
    first = readiness.results[0]
    assert (first.status, first.automatic, first.reason, first.evidence) == ("not_met", False, "Not answered yet.", "")


def test_partial_does_not_pass_a_gate_but_not_applicable_does():
    partial = assess(met_up_to("concept", concept__legal__mandate=Answer("partial")))
    assert (partial.gate_passed, partial.next_stage) == (None, "concept")
    assert partial.summary == "No gate passed yet; 1 criterion stands before the concept gate."

    not_applicable = assess(met_up_to("concept", concept__legal__mandate=Answer("not_applicable")))
    assert (not_applicable.gate_passed, not_applicable.next_stage) == ("concept", "pre_feasibility")
    assert not_applicable.summary == "Passed the concept gate; 7 criteria stand before pre-feasibility."
    assert not_applicable.stage_scores["concept"] == 100


def test_a_gap_at_an_earlier_stage_stops_the_gate_even_when_later_stages_are_met():
    answers = met_up_to("financial_close", concept__stakeholder__need=Answer("not_met"))
    readiness = assess(answers, GOOD_FACTS)
    assert (readiness.gate_passed, readiness.next_stage) == (None, "concept")
    assert readiness.stage_scores["financial_close"] == 100
    assert [i.criterion.code for i in readiness.improvements] == ["concept.stakeholder.need"]

    feasibility = assess(met_up_to("feasibility", pre_feasibility__legal__powers=Answer("partial")), GOOD_FACTS)
    assert (feasibility.gate_passed, feasibility.next_stage) == ("concept", "pre_feasibility")
    assert feasibility.summary == "Passed the concept gate; 1 criterion stands before pre-feasibility."


def test_every_gate_passed():
    readiness = assess(met_up_to("financial_close"), GOOD_FACTS)
    assert (readiness.gate_passed, readiness.next_stage, readiness.score) == ("financial_close", None, 100)
    assert readiness.summary == "Passed every gate, up to financial close."
    assert readiness.improvements == ()
    assert set(readiness.stage_scores.values()) == {100}
    assert statuses(readiness, "structuring")["structuring.financial.debt_service"] == "not_applicable"


def test_the_automatic_checks_decide_whatever_the_city_answered():
    answers = met_up_to("pre_feasibility")
    answers["pre_feasibility.financial.economic_case"] = Answer("met", "We are sure.")
    readiness = assess(answers)  # no business case
    result = next(x for x in readiness.results if x.criterion.code == "pre_feasibility.financial.economic_case")
    assert (result.status, result.automatic, result.evidence) == ("not_met", True, "")
    assert result.reason == "A business case is needed: choose one for the project and compute its appraisal."
    assert readiness.gate_passed == "concept"
    assert assess(answers, GOOD_FACTS).gate_passed == "pre_feasibility"


# --- Score and improvements -----------------------------------------------------------------------------------------

# Concept, weights: sponsor 3 met, strategy 2 n/a (out of the count), mandate 1 partial, scope 2 met,
# cost estimate 1 unanswered, screening 1 partial, need 2 not met.
# Counted weight 3 + 1 + 2 + 1 + 1 + 2 = 10; credited 3 + 0.5 + 2 + 0 + 0.5 + 0 = 6: score 60.
SMALL_CASE = {
    "concept.institutional.sponsor": Answer("met", "Decision 12/2025"),
    "concept.institutional.strategy": Answer("not_applicable"),
    "concept.legal.mandate": Answer("partial"),
    "concept.technical.scope": MET,
    "concept.environmental_social.screening": Answer("partial"),
    "concept.stakeholder.need": Answer("not_met"),
}


def test_score_arithmetic_on_a_small_case():
    readiness = assess(SMALL_CASE)
    assert readiness.score == 60
    assert readiness.stage_scores == {"concept": 60, "pre_feasibility": 0, "feasibility": 0, "structuring": 0,
                                      "transaction": 0, "financial_close": 0}
    # institutional 3/3, legal 0.5/1, technical 2/2, financial 0/1, environmental and social 0.5/1, stakeholder 0/2
    assert readiness.dimension_scores == {"institutional": 100, "legal": 50, "technical": 100, "financial": 0,
                                          "environmental_social": 50, "stakeholder": 0}
    assert readiness.results[0].evidence == "Decision 12/2025"
    assert readiness.results[2].reason == ""


def test_improvements_are_ordered_by_points_and_meeting_the_top_one_adds_its_points():
    readiness = assess(SMALL_CASE)
    assert [(i.criterion.code, i.points, i.blocks_gate) for i in readiness.improvements] == [
        ("concept.stakeholder.need", 20.0, True),                 # 2 of 10, from 0
        ("concept.financial.cost_estimate", 10.0, True),          # 1 of 10, from 0
        ("concept.legal.mandate", 5.0, True),                     # 1 of 10, from 0.5
        ("concept.environmental_social.screening", 5.0, True),    # same; later in the catalogue
    ]
    top = readiness.improvements[0]
    assert top.action == ("Meet: The need is documented from residents' or users' evidence "
                          "(evidence: Survey, complaints, service statistics or consultation notes)")
    assert readiness.improvements[2].action.startswith("Complete: The service lies within")
    better = assess({**SMALL_CASE, top.criterion.code: MET})
    assert abs(better.score - (readiness.score + top.points)) <= 0.1
    assert better.score == 80


def test_a_later_target_counts_more_stages_and_puts_gate_blockers_first():
    readiness = assess(SMALL_CASE, target="pre_feasibility")
    # Pre-feasibility adds 2 + 3 + 3 + 3 + 2 + 2 + 2 = 17, all unmet: 6 / 27 = 22.2 %.
    assert readiness.score == 22
    assert [(i.criterion.code, i.points, i.blocks_gate) for i in readiness.improvements] == [
        ("concept.stakeholder.need", 7.4, True),                          # 2 / 27
        ("concept.financial.cost_estimate", 3.7, True),                   # 1 / 27
        ("concept.legal.mandate", 1.9, True),                             # 0.5 / 27
        ("concept.environmental_social.screening", 1.9, True),
        ("pre_feasibility.legal.powers", 11.1, False),                    # 3 / 27
        ("pre_feasibility.technical.options", 11.1, False),
        ("pre_feasibility.financial.economic_case", 11.1, False),
        ("pre_feasibility.institutional.team", 7.4, False),               # 2 / 27
        ("pre_feasibility.financial.funding_sources", 7.4, False),
        ("pre_feasibility.environmental_social.risks", 7.4, False),
        ("pre_feasibility.stakeholder.consultation", 7.4, False),
    ]
    economic = readiness.improvements[6]
    assert economic.action == "Choose a business case for the project and compute its appraisal."
    # An earlier target than the next gate counts only what is already settled.
    passed = assess(met_up_to("concept"), target="concept")
    assert (passed.score, passed.improvements) == (100, ())


def test_actions_for_automatic_checks_say_what_to_change_in_the_business_case():
    facts = AppraisalFacts(financial_npv=10, economic_npv=20, benefit_cost_ratio=1.2, has_debt=True,
                           minimum_dscr=1.05, probability_negative_npv=0.3, funding_gap=2_000_000)
    readiness = assess(met_up_to("transaction"), facts, target="financial_close")
    actions = {i.criterion.code: i.action for i in readiness.improvements}
    assert actions["feasibility.financial.risk"] == (
        "Run the Monte Carlo on the business case and bring the chance of a negative financial NPV to 20 % or less.")
    assert actions["structuring.financial.debt_service"] == (
        "In the business case, raise the minimum DSCR to at least 1.20: lengthen the loan, borrow less or raise "
        "net revenue.")
    assert actions["financial_close.financial.funding_closed"] == (
        "Secure funding for the remaining 2,000,000 and mark its sources as secured in the business case.")


def test_unknown_codes_statuses_and_targets_raise():
    with pytest.raises(ValueError, match=r"concept\.legal\.nothing, zzz"):
        assess({"zzz": MET, "concept.legal.nothing": MET, "concept.legal.mandate": MET})
    with pytest.raises(ValueError, match="procurement"):
        assess({}, target="procurement")
    with pytest.raises(ValueError, match=r"concept\.legal\.mandate"):
        assess({"concept.legal.mandate": Answer("done")})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="nothing"):
        run_check("nothing", GOOD_FACTS)


# --- Automatic checks -----------------------------------------------------------------------------------------------


def check(name: str, **facts) -> tuple[str, str]:
    return run_check(name, AppraisalFacts(**facts))


def test_every_check_without_a_business_case_is_not_met():
    for name in r.CHECKS:
        status, reason = run_check(name, None)
        assert status == "not_met"
        assert "business case is needed" in reason


def test_economic_case():
    status, reason = check("economic_case", economic_npv=1_234_567.4, benefit_cost_ratio=1.456)
    assert status == "met" and "1,234,567" in reason and "1.46" in reason
    status, reason = check("economic_case", economic_npv=500_000)
    assert status == "partial" and "500,000" in reason and "benefit-cost ratio is not computed" in reason
    status, reason = check("economic_case", economic_npv=-75_000, benefit_cost_ratio=0.9)
    assert status == "not_met" and "-75,000" in reason
    status, reason = check("economic_case", economic_npv=500_000, benefit_cost_ratio=0.95)
    assert status == "not_met" and "0.95" in reason
    assert check("economic_case")[0] == "not_met"


def test_financial_case():
    status, reason = check("financial_case", financial_npv=0)
    assert status == "met" and "Financial NPV 0:" in reason
    status, reason = check("financial_case", financial_npv=-300_000, economic_npv=2_000_000)
    assert status == "partial"
    assert reason == ("Financial NPV -300,000 against economic NPV 2,000,000: a viability gap that grants or "
                      "blended finance must fill.")
    status, reason = check("financial_case", financial_npv=-300_000, economic_npv=-1)
    assert status == "not_met" and "-300,000" in reason
    assert check("financial_case", economic_npv=2_000_000)[0] == "not_met"


def test_risk_quantified():
    status, reason = check("risk_quantified", probability_negative_npv=0.2)
    assert status == "met" and "20 %" in reason
    status, reason = check("risk_quantified", probability_negative_npv=0.349)
    assert status == "partial"
    assert reason == ("Monte Carlo: a 35 % chance of a negative financial NPV, above the 20 % limit: reduce the "
                      "risks or share them.")
    status, reason = check("risk_quantified")
    assert status == "not_met" and "run the Monte Carlo" in reason


def test_debt_service():
    assert check("debt_service", minimum_dscr=0.5) == ("not_applicable", "The business case has no debt.")
    status, reason = check("debt_service", has_debt=True, minimum_dscr=1.2)
    assert status == "met" and "1.20" in reason
    status, reason = check("debt_service", has_debt=True, minimum_dscr=1.1)
    assert status == "partial" and "1.10" in reason
    status, reason = check("debt_service", has_debt=True, minimum_dscr=1.0)
    assert status == "partial" and "1.00" in reason
    status, reason = check("debt_service", has_debt=True, minimum_dscr=0.87)
    assert status == "not_met" and "0.87" in reason
    status, reason = check("debt_service", has_debt=True)
    assert status == "not_met" and "not computed" in reason


def test_funding_closed():
    assert check("funding_closed", funding_gap=0) == ("met", "Secured funding covers the full cost.")
    assert check("funding_closed", funding_gap=-10)[0] == "met"
    assert check("funding_closed", funding_gap=2_500_000.6) == (
        "not_met", "A funding gap of 2,500,001 remains to be secured.")
    status, reason = check("funding_closed")
    assert status == "not_met" and "not known" in reason


# --- Bankability ----------------------------------------------------------------------------------------------------


def test_bankable_needs_a_positive_financial_case_safe_debt_service_and_the_feasibility_gate():
    facts = AppraisalFacts(financial_npv=150_000, economic_npv=2_500_000, benefit_cost_ratio=1.8, has_debt=True,
                           minimum_dscr=1.35, probability_negative_npv=0.1)
    readiness = assess(met_up_to("feasibility"), facts)
    assert readiness.gate_passed == "feasibility"
    assert readiness.bankability == r.Bankability("bankable", (
        "The financial NPV is 150,000: the project's revenue repays its costs.",
        "The minimum DSCR is 1.35, at or above the 1.20 lenders usually require.",
        "The project has passed the feasibility gate.",
    ))


def test_not_yet_says_what_is_missing():
    thin_margin = AppraisalFacts(financial_npv=150_000, economic_npv=2_500_000, benefit_cost_ratio=1.8,
                                 has_debt=True, minimum_dscr=1.1, probability_negative_npv=0.1)
    bankability = assess(met_up_to("feasibility"), thin_margin).bankability
    assert bankability.verdict == "not_yet"
    assert "The minimum DSCR is 1.10, below the 1.20 lenders usually require." in bankability.reasons

    early = assess(met_up_to("concept"), GOOD_FACTS).bankability
    assert early.verdict == "not_yet"
    assert early.reasons[-1] == "Readiness stands at the concept gate, below the feasibility gate lenders expect."

    no_case = assess(met_up_to("feasibility")).bankability
    assert no_case == r.Bankability("not_yet", (
        "No business case is appraised yet: choose one and compute its financial NPV.",
        "Readiness stands at the concept gate, below the feasibility gate lenders expect.",
    ))


def test_a_project_that_destroys_value_is_not_viable_whatever_its_readiness():
    facts = AppraisalFacts(financial_npv=500_000, economic_npv=-1_234_567.4)
    bankability = assess(met_up_to("financial_close"), facts).bankability
    assert bankability == r.Bankability("not_viable", (
        "The economic NPV is -1,234,567: the project destroys value for society; reconsider its design.",
    ))


def test_viable_for_society_but_not_for_lenders_needs_concessional_support():
    facts = AppraisalFacts(financial_npv=-400_000, economic_npv=2_500_000, benefit_cost_ratio=1.4)
    bankability = assess({}, facts).bankability
    assert bankability == r.Bankability("needs_concessional_support", (
        "The economic NPV is 2,500,000 but the financial NPV is -400,000: viable for society, not for lenders.",
        "Grants, blended finance or availability payments must fill the viability gap.",
    ))


# --- Translation ----------------------------------------------------------------------------------------------------


def shout(message: str) -> str:
    """Upper-cases a message, leaving its %(name)s placeholders as they are."""
    return "".join(part if re.fullmatch(r"%\(\w+\)s", part) else part.upper()
                   for part in re.split(r"(%\(\w+\)s)", message))


def test_the_installed_translator_is_used():
    with translator.using(shout):
        readiness = assess({}, AppraisalFacts(probability_negative_npv=0.35))
        assert readiness.results[0].criterion.label == "A SPONSORING DEPARTMENT AND A PROJECT LEAD ARE NAMED."
        assert readiness.results[0].reason == "NOT ANSWERED YET."
        risk = next(x for x in readiness.results if x.criterion.check == "risk_quantified")
        assert risk.reason.startswith("MONTE CARLO: A 35 % CHANCE")
        assert readiness.summary == "NO GATE PASSED YET; 7 CRITERIA STAND BEFORE THE concept GATE."
        assert r.stage_name("financial_close") == "FINANCIAL CLOSE"
    assert r.criterion("concept.institutional.sponsor").label == "A sponsoring department and a project lead are named."
