"""A cooperation record from the expression of interest to an MoU, in a real browser (Chromium driven by Playwright
with the kit's `server`, `browser` and `page` fixtures from ascn/core/testing/browser.py).

partner.jica opens a record with Da Nang; csco.danang, in a second browser context, sees the interest and answers
with a proposal (scope, budget, linked project) and submits it for review; nr.vietnam comments; the partner is
refused an agreement without its date and signatories (the messages beside the fields), then records the MoU; the
city updates its project from the agreement, and the project's page shows JICA and the new secured amount."""

from __future__ import annotations

import pytest

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser

TITLE = "Smart water management pilot with JICA"


def second(browser, server: str, username: str, password: str, next_path: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    page.set_default_timeout(60_000)
    sign_in(page, server, username, password, next_path)
    return page


def test_a_partner_and_a_city_move_a_record_to_an_mou_and_the_project_shows_it(server, page, browser):
    sign_in(page, server, "partner.jica", "demo-partner-jica", "/workspace/cooperation/new/")
    page.fill("#id_title", TITLE)
    page.select_option("#id_kind", "technical_assistance")
    page.select_option("#id_city", label="Da Nang")
    page.locator("#cooperation-form button[type=submit]").click()
    page.wait_for_url(f"{server}/workspace/cooperation/*/")
    record_url = page.url
    assert page.get_by_test_id("state").inner_text() == "Expression of interest"

    city = second(browser, server, "csco.danang", "demo-csco-danang", "/workspace/cooperation/")
    nr = None
    try:
        city.get_by_role("link", name=TITLE).click()
        city.wait_for_url(record_url)
        city.get_by_role("button", name="Answer with a proposal").click()
        city.wait_for_load_state("domcontentloaded")
        assert city.get_by_test_id("state").inner_text() == "Proposal"
        city.get_by_label("Smart Water Management System").check()
        city.get_by_role("button", name="Save the linked projects").click()
        city.wait_for_load_state("domcontentloaded")
        assert city.get_by_test_id("linked-projects").inner_text().startswith("Smart Water Management System")
        project_path = city.get_by_test_id("linked-projects").get_by_role("link").get_attribute("href")
        city.goto(f"{server}{project_path}edit/")  # the city records the project's cost estimate first
        city.fill("#id_cost_estimate", "500000")
        city.wait_for_load_state("networkidle")
        city.locator("#project-form button[type=submit]").click()
        city.wait_for_url(f"{server}{project_path}")
        city.goto(record_url)
        city.get_by_role("link", name="Edit the proposal").click()
        city.fill("#id_scope", "Leak detection and smart meters in two districts")
        city.fill("#id_budget", "120000")
        city.fill("#id_currency", "usd")
        city.locator("#cooperation-form button[type=submit]").click()
        city.wait_for_url(record_url)
        assert city.get_by_test_id("budget").inner_text().startswith("USD 120,000")
        city.get_by_role("button", name="Submit for review").click()
        city.wait_for_load_state("domcontentloaded")
        assert city.get_by_test_id("state").inner_text() == "Under review"

        nr = second(browser, server, "nr.vietnam", "demo-nr-vietnam", "/workspace/cooperation/")
        nr.get_by_role("link", name=TITLE).click()
        nr.wait_for_url(record_url)
        assert nr.get_by_role("button", name="Record the agreement").count() == 0
        nr.fill("#id_text", "Aligned with the national water strategy.")
        nr.get_by_role("button", name="Add the comment").click()
        nr.wait_for_load_state("domcontentloaded")
        assert "Aligned with the national water strategy." in nr.get_by_test_id("comments").inner_text()

        page.goto(record_url)
        assert "Aligned with the national water strategy." in page.get_by_test_id("comments").inner_text()
        page.select_option("#id_agree_agreement", "mou")
        page.get_by_role("button", name="Record the agreement").click()
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("#id_agree_agreed_on_error").inner_text() == "Give the date the agreement was signed."
        assert page.locator("#id_agree_signatories_error").inner_text() == (
            "Give the signatories' roles (offices, never a person's name).")
        assert page.get_by_test_id("state").inner_text() == "Under review"
        page.select_option("#id_agree_agreement", "mou")
        page.fill("#id_agree_agreed_on", "2026-03-02")
        page.fill("#id_agree_signatories", "Chairman of the City People's Committee; Chief Representative of the "
                                           "partner's office")
        page.get_by_role("button", name="Record the agreement").click()
        page.wait_for_load_state("domcontentloaded")
        assert page.get_by_test_id("state").inner_text() == "Agreed"
        assert page.get_by_test_id("agreement").inner_text() == (
            "Memorandum of understanding, signed on March 2, 2026")

        city.goto(record_url)
        apply = city.get_by_test_id("apply")
        assert "raise its secured funding by USD 120,000 to USD 120,000" in apply.inner_text()
        city.get_by_role("button", name="Update the projects from this agreement").click()
        city.wait_for_load_state("domcontentloaded")
        city.get_by_test_id("linked-projects").get_by_role("link", name="Smart Water Management System").click()
        city.wait_for_url(f"{server}/projects/*/")
        facts = city.locator("dl.facts").first.inner_text()
        assert "Funding secured\nUSD 120,000" in facts
        assert "Funding gap\nUSD 380,000" in facts
        assert "Partners\nJapan International Cooperation Agency" in facts
    finally:
        city.context.close()
        if nr is not None:
            nr.context.close()
