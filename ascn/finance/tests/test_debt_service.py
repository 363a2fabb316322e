"""The minimum DSCR a lender tests: a grace year before operations (interest paid, no revenue, nothing repaid)
is shown in the yearly table, marked, but does not set the minimum that decides the readiness criterion and the
bankability verdict; a case without debt says so; stored results are brought to the rule by migration 0004."""

from __future__ import annotations

import dataclasses
import importlib
import re

import pytest
from django.apps import apps

from ascn.finance import readiness
from ascn.finance.actions import business_cases as actions
from ascn.finance.models import BusinessCase
from ascn.finance.queries.readiness import appraisal_facts
from ascn.plans.models import Project

from .test_business_cases import INPUTS as NO_DEBT
from .test_business_cases import pango_missing, pdf_text
from .test_readiness import met_up_to

pytestmark = pytest.mark.django_db

# Ten years from 2026: build for 1,000, a 600 loan at 5 % drawn at once, one grace year (2027) whose interest
# (30) is paid while nothing is earned yet, then eight years of straight repayment (75 a year) from the fees
# (400 a year from 2028, less 60 of running cost).
INPUTS = {
    "years": 10, "discount_rate": 0.08, "currency": "USD", "start_year": 2026,
    "lines": [{"kind": "capex", "values": [1000] + [0] * 10, "label": "Build"},
              {"kind": "revenue", "values": [0, 0] + [400] * 9, "label": "Fees"},
              {"kind": "opex", "values": [0, 0] + [60] * 9, "label": "Running"}],
    "loans": [{"principal": 600, "rate": 0.05, "tenor_years": 8, "grace_years": 1, "repayment": "straight",
               "capitalise_grace_interest": False}],
}
RISK = {"drivers": {"revenue": {"kind": "triangular", "low": 0.9, "mode": 1.0, "high": 1.1}}, "iterations": 1000,
        "seed": 1}
FIRST_REPAYMENT = 340 / (75 + 30)  # the lowest DSCR of the repayment years: 2028, the largest interest


def project() -> Project:
    return Project.objects.get(reference="A111")


def with_grace_year(actor) -> BusinessCase:
    return actions.create_business_case(actor, project(), {"scenario": "Grace year", "inputs": INPUTS,
                                                           "risk": RISK})


def test_the_grace_year_is_shown_but_the_minimum_is_over_the_repayment_years(csco_danang):
    appraisal = with_grace_year(csco_danang).appraisal
    assert appraisal["dscr"][:3] == [None, 0.0, pytest.approx(FIRST_REPAYMENT)]
    assert appraisal["dscr_basis"] == ["", "grace", *["tested"] * 8, ""]
    assert appraisal["minimum_dscr"] == pytest.approx(FIRST_REPAYMENT)


def test_the_grace_year_no_longer_decides_the_bankability_verdict(csco_danang):
    case = with_grace_year(csco_danang)
    facts = appraisal_facts(case, project())
    assert facts is not None and facts.has_debt
    result = readiness.assess(met_up_to("feasibility"), facts)
    assert result.bankability.verdict == "bankable"
    assert "The minimum DSCR is 3.24, at or above the 1.20 lenders usually require." in result.bankability.reasons
    assert readiness.run_check("debt_service", facts) == (
        "met", "Minimum DSCR 3.24, at or above the 1.20 lenders usually require.")
    # Taken over every year with debt service, the minimum was the grace year's 0, and the verdict "not yet".
    every_year = min(v for v in case.appraisal["dscr"] if v is not None)
    before = readiness.assess(met_up_to("feasibility"), dataclasses.replace(facts, minimum_dscr=every_year))
    assert before.bankability.verdict == "not_yet"
    assert "The minimum DSCR is 0.00, below the 1.20 lenders usually require." in before.bankability.reasons


def test_the_case_page_marks_the_grace_year_and_a_case_without_debt_says_so(client, csco_danang):
    case = with_grace_year(csco_danang)
    client.force_login(csco_danang)
    page = client.get(f"/financing/business-cases/{case.pk}/").content.decode()
    figure = re.search(r'Minimum DSCR</span>\s*<span class="stat-value small">([^<]*)</span>', page)
    assert figure and figure.group(1) == "3.24"
    row = re.search(r"<tr class=\"dscr\" data-dscr>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells[:3] == ["\u2013", "0.00 <small>grace</small>", "3.24"]
    assert cells[-1] == "\u2013"  # repaid by 2035: no debt service in 2036
    plain = actions.create_business_case(csco_danang, project(), {"scenario": "No loan", "inputs": NO_DEBT})
    page = client.get(f"/financing/business-cases/{plain.pk}/").content.decode()
    figure = re.search(r'Minimum DSCR</span>\s*<span class="stat-value small">([^<]*)</span>', page)
    assert figure and figure.group(1) == "no debt service"
    assert "data-dscr" not in page


@pytest.mark.skipif(pango_missing(), reason="PDF export needs the Pango library")
def test_the_pdf_prints_the_dscr_row_with_its_grace_year(client, csco_danang):
    case = with_grace_year(csco_danang)
    client.force_login(csco_danang)
    text = pdf_text(client.get(f"/financing/business-cases/{case.pk}/export.pdf").content)
    assert re.search(r"DSCR\s+\u2013\s+0\.00 grace\s+3\.24", text), text


def test_stored_results_are_brought_to_the_rule_by_the_migration(csco_danang):
    case = with_grace_year(csco_danang)
    computed = case.results["appraisal"]
    stale = {**case.results, "appraisal": {k: v for k, v in computed.items() if k != "dscr_basis"} | {
        "minimum_dscr": 0.0}}  # as stored before: every year with debt service counted
    BusinessCase.objects.filter(pk=case.pk).update(results=stale)
    migration = importlib.import_module("ascn.finance.migrations.0004_minimum_dscr_over_tested_years")
    migration.recompute(apps, None)
    case.refresh_from_db()
    assert case.results["appraisal"] == computed
