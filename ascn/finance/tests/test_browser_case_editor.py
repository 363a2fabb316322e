"""The business case editor in a real browser (Chromium driven by Playwright against a running server, from the
kit in ascn/core/testing/browser.py): rows typed in several tables, a loan added and a grant removed in place
without a reload, a short amount row padded with a visible note, and plain numbers everywhere (no "e+")."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

# The kit's fixtures (`server`: a development server on its own seeded database, one per module; `page`: a
# fresh Chromium page per test that fails the test on any JavaScript error) come through the root conftest.
from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms for anything that waits on the server (HTMX answers)
EXPONENT = re.compile(r"\d[eE][+-]?\d")
PADDED = "Lines row 2, Amounts by year (from year 0): padded with 0 for 2032\u20132036"


def mark_page(page) -> None:
    """Leave a mark in the window, which survives HTMX swaps and is gone after any page load."""
    page.evaluate("() => { window.__notReloaded = true; }")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"


def input_values(page) -> list[str]:
    return page.eval_on_selector_all("#case-form input:not([name=csrfmiddlewaretoken]), #case-form textarea",
                                     "els => els.map(e => e.value)")


def open_new_case(page, server: str) -> None:
    sign_in(page, server, "csco.danang", "demo-csco-danang", "/projects/?city=da-nang")
    page.locator("#results td a[href^='/projects/']").first.click()
    page.wait_for_selector("h1")
    page.locator("a[href$='/business-cases/new/']").first.click()
    page.wait_for_selector("#case-form")
    # The first calculation runs on load: the seeded projects have no cost estimate, so every amount is 0 and the
    # charts say what they need instead of drawing empty frames.
    page.locator("#case-results .chart-empty").first.wait_for()


def test_rows_are_added_and_removed_in_place_and_a_short_row_is_padded(server, page):
    open_new_case(page, server)
    page.fill("#id_scenario", "Bus depot")
    page.fill("#id_start_year", "2026")
    page.fill("#id_years", "10")
    page.fill("#id_lines-0-values", "1500000 0x10")
    page.select_option("#id_lines-1-kind", "revenue")
    page.fill("#id_lines-1-label", "Fares")
    page.fill("#id_lines-1-values", "0 650000x5")  # years 0 to 5 of 10: padded with 0 for 2032 to 2036
    results = page.locator("#case-results")
    expect(results.locator("[data-notes] li")).to_have_text([PADDED], timeout=WAIT)

    mark_page(page)
    page.get_by_role("button", name="Add a loan").click()
    principal = page.locator("#id_loans-0-principal")
    principal.wait_for()
    assert_not_reloaded(page)
    assert page.input_value("#id_lines-0-values") == "1500000 0x10"  # what was typed before is still there
    assert page.input_value("#id_lines-1-values") == "0 650000x5"
    assert page.input_value("#id_lines-1-label") == "Fares"
    assert page.input_value("#id_scenario") == "Bus depot"
    new_row = page.locator("#loans-rows tr:not(.none)")
    expect(new_row).to_have_count(1)
    expect(new_row.locator(".field-error")).to_have_count(0)  # nothing typed in it yet: no "required"
    expect(new_row.locator("td.invalid")).to_have_count(0)
    assert page.input_value("#id_loans-0-grace_years") == "0" and page.input_value("#id_loans-0-drawdown_year") == "0"
    assert page.is_checked("#id_loans-0-capitalise_grace_interest")
    assert page.input_value("#id_loans-TOTAL_FORMS") == "1"

    principal.fill("1000000")
    page.fill("#id_loans-0-rate", "5")
    page.fill("#id_loans-0-tenor_years", "4")
    page.fill("#id_loans-0-grace_years", "1")
    minimum = results.locator(".stat", has_text="Minimum DSCR").locator(".stat-value")
    expect(minimum).not_to_have_text("no debt service", timeout=WAIT)  # the results follow the typing

    page.get_by_role("button", name="Add a grant").click()
    page.locator("#id_grants-0-amount").fill("200000")
    page.locator("#grants-rows tr:not(.none) [data-remove-row]").click()  # changed my mind
    expect(page.locator("#grants-rows tr:not(.none)")).to_be_hidden()
    expect(page.locator("#grants-rows tr.none")).to_be_visible()  # "None." again
    assert page.is_checked("#id_grants-0-DELETE")
    assert_not_reloaded(page)

    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("#case-form button.primary").click()
    assert page.locator("h1").inner_text() == "Bus depot"
    assert PADDED in page.locator("ul.messages").inner_text()
    page.locator("#case-results .chart svg").nth(1).wait_for()
    assert not EXPONENT.search(page.locator("main").inner_text())  # figures, yearly table, charts' labels
    assert page.locator("#case-results .stat", has_text="Minimum DSCR").locator(".stat-value").inner_text() != "\u2013"

    page.locator("a.button[href$='/edit/']").click()
    page.wait_for_selector("#case-form")
    assert page.input_value("#id_lines-0-values") == "1500000 0x10"
    assert page.input_value("#id_lines-1-values") == "0 650000x5 0x5"  # stored padded
    assert page.input_value("#id_loans-0-principal") == "1000000"
    assert page.input_value("#id_loans-0-rate") == "5"
    assert page.locator("#id_grants-0-amount").count() == 0  # the removed grant was not saved
    assert not [value for value in input_values(page) if EXPONENT.search(value)]
