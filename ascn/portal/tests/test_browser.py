"""End to end in a real browser: Chromium driven by Playwright against a running server (the kit, with its
`server` and `page` fixtures, is ascn/core/testing/browser.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import translation

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser


def test_home_map_city_profile_and_language_switch(server, page):
    page.goto(server + "/")
    page.wait_for_selector(".map[data-ready=true]")
    markers = page.locator("#map .leaflet-marker-icon")
    assert markers.count() == 38
    page.wait_for_selector("#map path.leaflet-interactive, #map svg path", state="attached")
    if os.environ.get("ASCN_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["ASCN_SCREENSHOTS"]) / "home.png"), full_page=True)

    page.locator('#map .leaflet-marker-icon[title^="Da Nang"]').dispatch_event("click")
    link = page.locator(".leaflet-popup a.popup-link")
    link.wait_for(state="visible")
    assert link.get_attribute("href") == "/cities/da-nang/"
    # A DOM click on the link itself: a pointer click can land on the map while the popup pans into view.
    with page.expect_navigation(url=server + "/cities/da-nang/", wait_until="domcontentloaded"):
        link.dispatch_event("click")
    assert page.locator("h1").inner_text().startswith("Da Nang")
    assert "Đà Nẵng" in page.locator("h1").inner_text()
    assert page.locator("#city-map .leaflet-marker-icon").count() == 1

    page.locator('.languages a[data-lang="vi"]').click()
    page.wait_for_url(server + "/vi/cities/da-nang/", wait_until="domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "vi"
    with translation.override("vi"):
        cities_vi = translation.gettext("Cities")
        profile_vi = translation.gettext("Profile")
    assert cities_vi != "Cities", "the Vietnamese catalogue is not compiled"
    assert page.locator(".main-nav a").first.inner_text() == cities_vi
    assert page.locator("h2").first.inner_text() == profile_vi
    if os.environ.get("ASCN_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["ASCN_SCREENSHOTS"]) / "city-vi.png"), full_page=True)

    page.locator('.languages a[data-lang="th"]').click()
    page.wait_for_url(server + "/th/cities/da-nang/", wait_until="domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "th"


def test_city_filters_update_results_without_reload(server, page):
    page.goto(server + "/cities/")
    assert page.locator('[data-testid="result-count"]').inner_text() == "38 cities"
    page.select_option("#id_country", "THA")
    page.wait_for_function("document.querySelector('[data-testid=result-count]').innerText.startsWith('6 ')")
    assert "country=THA" in page.url
    page.fill("#id_as_of", "2020-01-01")
    page.dispatch_event("#id_as_of", "change")
    page.wait_for_function("document.querySelector('[data-testid=result-count]').innerText.startsWith('3 ')")
    assert page.locator("#results tbody tr").count() == 3


def test_project_form_reports_a_bad_value_while_it_is_filled_in(server, page):
    sign_in(page, server, "csco.danang", "demo-csco-danang", "/projects/new/")
    page.fill("#id_title", "Smart parking pilot")
    page.fill("#id_currency", "XYZ")
    page.dispatch_event("#id_currency", "change")
    message = page.locator("#project-form .field.invalid .field-error")
    message.first.wait_for(state="visible")
    assert message.all_inner_texts() == ["“XYZ” is not an ISO 4217 currency code."]  # untouched fields: no error yet
    assert page.url == server + "/projects/new/"  # nothing was submitted
    assert page.input_value("#id_title") == "Smart parking pilot"  # what was typed stays
    page.fill("#id_currency", "USD")
    page.dispatch_event("#id_currency", "change")
    page.wait_for_function("!document.querySelector('#project-form .field.invalid')")


def test_plan_form_reports_a_bad_value_while_it_is_filled_in(server, page):
    sign_in(page, server, "csco.danang", "demo-csco-danang", "/cities/da-nang/plan/")
    page.locator("a[href^='/plans/'][href$='/edit/']").first.click()
    page.wait_for_selector("#plan-form")
    page.wait_for_load_state()  # htmx (deferred) listens for the change only once the page has loaded
    page.fill("#id_horizon_year", "1990")
    page.dispatch_event("#id_horizon_year", "change")
    page.locator("#plan-form .field.invalid .field-error").first.wait_for(state="visible")
    assert page.locator("#plan-form .field-error").all_inner_texts() == [
        "Ensure this value is greater than or equal to 2018.", "The horizon cannot be before the plan's year."]


def test_business_case_recalculates_as_it_is_typed_and_draws_its_charts(server, page):
    sign_in(page, server, "csco.danang", "demo-csco-danang", "/projects/?city=da-nang")
    page.locator("#results td a[href^='/projects/']").first.click()
    page.wait_for_selector("h1")
    page.locator("a[href$='/business-cases/new/']").first.click()
    page.wait_for_selector("#case-form")
    results = page.locator("#case-results")
    # The first calculation runs on load: a new case has no amounts yet, so its charts say so instead of drawing.
    results.locator(".chart-empty").first.wait_for()
    page.fill("#id_lines-0-values", "1000 0x20")
    page.select_option("#id_lines-1-kind", "revenue")
    page.fill("#id_lines-1-values", "0 300x20")
    page.wait_for_function("[...document.querySelectorAll('#case-results .stat')].some("
                           "s => s.innerText.includes('Financial NPV') && s.innerText.includes('1,945'))")
    results.locator(".chart svg").nth(1).wait_for()  # the swapped-in specs are drawn again
    assert results.locator(".chart svg").count() == 2  # cash flows and tornado
    page.fill("#id_lines-1-values", "0 300x25")
    results.locator(".error li").first.wait_for()
    assert results.locator(".error li").all_inner_texts() == [
        "Lines row 2, Amounts by year (from year 0): has 26 amounts, 5 more than the 21 years of the horizon "
        "(years 0 to 20): remove the extra amounts or lengthen the horizon"]
    page.fill("#id_lines-1-values", "0 300x20")
    page.fill("#id_scenario", "Parking fees")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("#case-form button.primary").click()
    assert page.locator("h1").inner_text() == "Parking fees"
    page.locator("#case-results .chart svg").nth(1).wait_for()
    if os.environ.get("ASCN_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["ASCN_SCREENSHOTS"]) / "business-case.png"), full_page=True)
    page.locator("a.button[href$='/readiness/']").first.click()
    page.wait_for_selector("#readiness-board")
    before = int(page.locator("[data-score]").inner_text())
    criterion = page.locator("li[id='concept.institutional.sponsor']")
    criterion.locator("select[name$='-status']").select_option("met")
    criterion.locator("textarea[name$='-evidence']").fill("Decision naming the Smart City Office")
    page.get_by_role("button", name="Save the answers").click()  # one save for every criterion's answer
    page.wait_for_function(f"document.querySelector('[data-score]').innerText !== '{before}'")
    assert int(page.locator("[data-score]").inner_text()) > before
    assert "Decision naming the Smart City Office" in page.locator(
        "li[id='concept.institutional.sponsor'] textarea").input_value()
    if os.environ.get("ASCN_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["ASCN_SCREENSHOTS"]) / "readiness.png"), full_page=True)
