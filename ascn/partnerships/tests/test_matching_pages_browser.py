"""A match from both sides in a real browser (the kit's `server`, `browser` and `page` fixtures).

Da Nang's officer publishes a need; JICA's partner user publishes an offer for Viet Nam, opens its ranked city
needs, reads the breakdown, asks why a need is missing, and expresses interest with a note; the city's officer
finds the interest received on /workspace/interest/, answers from the need's ranked offers, and both sides then
see the mutual interest with the link to the cooperation record."""

from __future__ import annotations

import pytest

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_partner_and_a_city_meet_on_a_match(server, page, browser):
    sign_in(page, server, "csco.danang", "demo-csco-danang", "/workspace/needs/new/")
    page.fill("#id_title", "Adaptive traffic signal control")
    page.select_option("#id_kind", "technical")
    page.fill("#id_description", "Adaptive traffic signals on the main corridors.")
    page.locator("#need-form button[type=submit]").click()
    page.wait_for_url(f"{server}/partnerships/needs/n*/")
    need_url = page.url
    need_key = need_url.rstrip("/").rsplit("/", 1)[1]
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_test_id("matches-link").count() == 1

    partner = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    try:
        sign_in(partner, server, "partner.jica", "demo-partner-jica", "/workspace/offers/new/")
        partner.fill("#id_title", "Traffic signal studies")
        partner.select_option("#id_kind", "technical_assistance")
        partner.fill("#id_description", "Studies of adaptive traffic signals.")
        partner.get_by_label("Viet Nam").check()
        partner.locator("#offer-form button[type=submit]").click()
        partner.wait_for_url(f"{server}/partnerships/offers/*/")
        partner.get_by_role("button", name="Publish").click()
        partner.wait_for_load_state("domcontentloaded")
        partner.get_by_test_id("matches-link").click()
        partner.wait_for_url(f"{server}/partnerships/offers/*/matches/")
        match = partner.locator(f"li.match[data-key='{need_key}']")
        assert match.locator("[data-testid=breakdown] tbody tr").count() == 5
        assert match.locator("[data-component=text] th").inner_text() == "Text similarity"

        partner.fill("#why-need", "n999999")
        partner.locator("#why-form button").click()
        partner.wait_for_load_state("domcontentloaded")
        assert partner.get_by_test_id("explanation").inner_text().strip() == "No need you may see has the key “n999999”."

        match = partner.locator(f"li.match[data-key='{need_key}']")
        match.locator("[data-testid=interest-partner] textarea").fill("We can fund the studies.")
        match.locator("[data-testid=interest-partner] button").click()
        partner.wait_for_load_state("domcontentloaded")
        assert "Interest sent" in partner.locator(".messages").inner_text()
        assert partner.locator(f"li.match[data-key='{need_key}'] [data-testid=partner-interest]").inner_text() == \
            "The partner is interested. “We can fund the studies.”"

        page.goto(f"{server}/workspace/interest/")
        received = page.get_by_test_id("received")
        assert "We can fund the studies." in received.inner_text()
        received.get_by_role("link", name="Adaptive traffic signal control").click()
        page.wait_for_url(f"{server}/partnerships/needs/{need_key}/matches/")
        offer = page.locator("li.match").filter(has_text="Traffic signal studies")
        offer.locator("[data-testid=interest-city] textarea").fill("Welcome: let us talk.")
        offer.locator("[data-testid=interest-city] button").click()
        page.wait_for_load_state("domcontentloaded")
        assert "Both sides are interested" in page.locator(".messages").inner_text()
        assert page.locator("li.match").filter(has_text="Traffic signal studies").get_by_test_id("mutual").count() == 1

        partner.goto(f"{server}/workspace/interest/")
        link = partner.get_by_test_id("received").get_by_test_id("record-link")
        assert link.get_attribute("href").startswith("/workspace/cooperation/")
    finally:
        partner.context.close()
