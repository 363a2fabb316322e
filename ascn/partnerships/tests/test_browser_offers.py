"""A partner's offer from its workspace to the public list, in a real browser (Chromium driven by Playwright with the
kit's `server`, `browser` and `page` fixtures from ascn/core/testing/browser.py).

partner.jica signs in, edits its organisation's profile, starts an offer typing several fields, is refused a
smallest ticket above the largest with the message beside the field and every typed value kept, fixes it, saves,
publishes; the public then finds the offer on /partnerships/offers/."""

from __future__ import annotations

import pytest

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_partner_publishes_an_offer_the_public_sees(server, page, browser):
    sign_in(page, server, "partner.jica", "demo-partner-jica", "/workspace/")
    page.get_by_role("link", name="Edit your organisation").click()
    page.wait_for_url(f"{server}/workspace/organisation/")
    assert page.locator("#id_name").count() == 0
    page.fill("#id_notes", "Technical cooperation and studies with the network's cities.")
    page.get_by_label("Technological and Digital Solutions").check()
    page.locator("#profile-form button[type=submit]").click()
    page.wait_for_url(f"{server}/partnerships/partners/jica/")
    assert page.get_by_test_id("notes").inner_text() == "Technical cooperation and studies with the network's cities."
    assert page.get_by_test_id("tags").inner_text() == "Technological and Digital Solutions"

    page.goto(f"{server}/workspace/offers/new/")
    page.fill("#id_title", "Feasibility studies for urban mobility")
    page.select_option("#id_kind", "technical_assistance")
    page.fill("#id_description", "Studies for transport projects at the feasibility stage.")
    page.fill("#id_ticket_min", "5000000")
    page.fill("#id_ticket_max", "1000000")
    page.fill("#id_currency", "JPY")
    page.fill("#id_contact_role", "Urban and Regional Development Department")
    page.get_by_label("Grant").check()
    page.locator("#offer-form button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")

    error = page.locator("#id_ticket_min_error")
    assert error.inner_text() == "The smallest ticket is above the largest."
    assert page.locator("#id_ticket_min").evaluate("e => e.parentElement === document.querySelector("
                                                   "'#id_ticket_min_error').parentElement")
    assert [page.input_value(f"#id_{name}") for name in ("title", "description", "ticket_min", "ticket_max",
                                                         "currency", "contact_role")] == [
        "Feasibility studies for urban mobility", "Studies for transport projects at the feasibility stage.",
        "5000000", "1000000", "JPY", "Urban and Regional Development Department"]
    assert page.get_by_label("Grant").is_checked()

    page.fill("#id_ticket_min", "250000")
    page.locator("#offer-form button[type=submit]").click()
    page.wait_for_url(f"{server}/partnerships/offers/*/")
    assert page.get_by_test_id("state").inner_text() == "Draft"
    assert page.get_by_test_id("tickets").inner_text().startswith("JPY 250,000 \u2013 1,000,000")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_test_id("state").count() == 0
    offer_url = page.url

    public = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    try:
        public.goto(f"{server}/partnerships/offers/")
        public.get_by_role("link", name="Feasibility studies for urban mobility").click()
        public.wait_for_url(offer_url)
        assert public.locator("h1").inner_text() == "Feasibility studies for urban mobility"
        assert public.get_by_test_id("offer-actions").count() == 0
    finally:
        public.context.close()
