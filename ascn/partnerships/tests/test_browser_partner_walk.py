"""The whole way from a partner's offer to a signed MoU on a city's project, in one browser walk (the kit's
`server`, `browser` and `page` fixtures; three people in three browser contexts).

partner.jica edits its organisation's profile, publishes an offer for Viet Nam, reads its ranked city needs with
their breakdowns and expresses interest in Da Nang's need; csco.danang sees the interest received and answers, which
opens a cooperation record; the city answers with a proposal on its project and submits it; nr.vietnam comments; the
partner records the MoU; the city updates the project from the agreement, and the project's page shows JICA and the
secured amount."""

from __future__ import annotations

import pytest

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser

NEED = "Smart water metering in two districts"
OFFER = "Smart water feasibility studies"
PROJECT = "Smart Water Management System"


def other(browser, server: str, username: str, password: str, next_path: str):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    page.set_default_timeout(60_000)
    sign_in(page, server, username, password, next_path)
    return page


def test_a_partner_goes_from_its_offer_to_an_mou_on_a_city_project(server, page, browser):
    # The city states a need and shares it with partners.
    city = other(browser, server, "csco.danang", "demo-csco-danang", "/workspace/needs/new/")
    nr = None
    try:
        city.fill("#id_title", NEED)
        city.select_option("#id_kind", "technical")
        city.fill("#id_description", "Smart water meters and leak detection studies.")
        city.locator("#need-form button[type=submit]").click()
        city.wait_for_url(f"{server}/partnerships/needs/n*/")
        need_key = city.url.rstrip("/").rsplit("/", 1)[1]
        city.get_by_role("button", name="Publish").click()
        city.wait_for_load_state("domcontentloaded")

        # The partner edits its profile and publishes an offer.
        sign_in(page, server, "partner.jica", "demo-partner-jica", "/workspace/")
        page.get_by_role("link", name="Edit your organisation").click()
        page.wait_for_url(f"{server}/workspace/organisation/")
        page.fill("#id_notes", "Water and mobility studies with the network's cities.")
        page.locator("#profile-form button[type=submit]").click()
        page.wait_for_url(f"{server}/partnerships/partners/jica/")
        assert page.get_by_test_id("notes").inner_text() == "Water and mobility studies with the network's cities."
        page.goto(f"{server}/workspace/offers/new/")
        page.fill("#id_title", OFFER)
        page.select_option("#id_kind", "technical_assistance")
        page.fill("#id_description", "Feasibility studies of smart water meters and leak detection.")
        page.get_by_label("Viet Nam").check()
        page.locator("#offer-form button[type=submit]").click()
        page.wait_for_url(f"{server}/partnerships/offers/*/")
        page.get_by_role("button", name="Publish").click()
        page.wait_for_load_state("domcontentloaded")

        # Its ranked needs, each with the reasons (component, weight, contribution); interest in Da Nang's.
        page.get_by_test_id("matches-link").click()
        page.wait_for_url(f"{server}/partnerships/offers/*/matches/")
        match = page.locator(f"li.match[data-key='{need_key}']")
        assert match.locator("[data-testid=breakdown] tbody tr").count() == 5
        match.locator("[data-testid=interest-partner] textarea").fill("We can fund the feasibility study.")
        match.locator("[data-testid=interest-partner] button").click()
        page.wait_for_load_state("domcontentloaded")
        assert "Interest sent" in page.locator(".messages").inner_text()

        # The city sees the interest and answers: a cooperation record opens.
        city.goto(f"{server}/workspace/interest/")
        received = city.get_by_test_id("received")
        assert "We can fund the feasibility study." in received.inner_text()
        received.get_by_role("link", name=NEED).click()
        city.wait_for_url(f"{server}/partnerships/needs/{need_key}/matches/")
        row = city.locator("li.match").filter(has_text=OFFER)
        row.locator("[data-testid=interest-city] textarea").fill("Welcome: let us prepare a proposal.")
        row.locator("[data-testid=interest-city] button").click()
        city.wait_for_load_state("domcontentloaded")
        assert "Both sides are interested" in city.locator(".messages").inner_text()
        city.goto(f"{server}/workspace/interest/")
        record_path = city.get_by_test_id("received").get_by_test_id("record-link").get_attribute("href")
        record_url = f"{server}{record_path}"

        # The city answers with a proposal on its project and submits it for review.
        city.goto(record_url)
        assert city.get_by_test_id("state").inner_text() == "Expression of interest"
        city.get_by_role("button", name="Answer with a proposal").click()
        city.wait_for_load_state("domcontentloaded")
        assert city.get_by_test_id("state").inner_text() == "Proposal"
        city.get_by_label(PROJECT).check()
        city.get_by_role("button", name="Save the linked projects").click()
        city.wait_for_load_state("domcontentloaded")
        project_path = city.get_by_test_id("linked-projects").get_by_role("link", name=PROJECT).get_attribute("href")
        city.goto(f"{server}{project_path}edit/")
        city.fill("#id_cost_estimate", "500000")
        city.wait_for_load_state("networkidle")
        city.locator("#project-form button[type=submit]").click()
        city.wait_for_url(f"{server}{project_path}")
        city.goto(record_url)
        city.get_by_role("link", name="Edit the proposal").click()
        city.fill("#id_scope", "Feasibility study of smart meters and leak detection in two districts")
        city.fill("#id_budget", "150000")
        city.fill("#id_currency", "USD")
        city.locator("#cooperation-form button[type=submit]").click()
        city.wait_for_url(record_url)
        city.get_by_role("button", name="Submit for review").click()
        city.wait_for_load_state("domcontentloaded")
        assert city.get_by_test_id("state").inner_text() == "Under review"

        # The National Representative comments; the partner records the MoU.
        nr = other(browser, server, "nr.vietnam", "demo-nr-vietnam", record_path)
        nr.fill("#id_text", "Consistent with the city's action plan.")
        nr.get_by_role("button", name="Add the comment").click()
        nr.wait_for_load_state("domcontentloaded")
        page.goto(record_url)
        assert "Consistent with the city's action plan." in page.get_by_test_id("comments").inner_text()
        page.select_option("#id_agree_agreement", "mou")
        page.fill("#id_agree_agreed_on", "2026-06-15")
        page.fill("#id_agree_signatories", "Chairman of the City People's Committee; Chief Representative of the "
                                           "partner's office")
        page.get_by_role("button", name="Record the agreement").click()
        page.wait_for_load_state("domcontentloaded")
        assert page.get_by_test_id("state").inner_text() == "Agreed"

        # The city updates its project from the agreement: the project shows the partner and the secured amount.
        city.goto(record_url)
        city.get_by_role("button", name="Update the projects from this agreement").click()
        city.wait_for_load_state("domcontentloaded")
        city.goto(f"{server}{project_path}")
        facts = city.locator("dl.facts").first.inner_text()
        assert "Funding secured\nUSD 150,000" in facts
        assert "Partners\nJapan International Cooperation Agency" in facts
    finally:
        city.context.close()
        if nr is not None:
            nr.context.close()
