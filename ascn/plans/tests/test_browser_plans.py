"""A city officer edits a strategic target in place in a real browser (Chromium driven by Playwright against a
running server, from the kit in ascn/core/testing/browser.py): Edit turns the row into a form with its values,
a bad value is refused beside its field, Save swaps the row back with the new values, Cancel leaves it as it
was; the page is never reloaded. The pipeline's filters fold away on a phone, naming those in use."""

from __future__ import annotations

import pytest

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms for an HTMX answer on a busy machine


def mark_page(page) -> None:
    """A mark that survives HTMX swaps and is gone after any page load, and a count of settled swaps."""
    page.evaluate("""() => {
        window.__notReloaded = true;
        window.__settled = 0;
        document.body.addEventListener("htmx:afterSettle", () => { window.__settled += 1; });
    }""")


def swapped_after(page, action) -> None:
    before = page.evaluate("window.__settled")
    action()
    page.wait_for_function(f"window.__settled > {before}", timeout=WAIT)


def test_a_city_officer_edits_a_target_in_place(server, page):
    sign_in(page, server, "csco.danang", "demo-csco-danang", "/cities/da-nang/plan/")
    page.locator("a[href^='/plans/'][href$='/edit/']").first.click()
    page.wait_for_selector("#plan-form")
    mark_page(page)
    rows = page.locator("[data-testid=target-row]")
    assert rows.count() == 3
    row_id = rows.nth(1).get_attribute("id")
    target = f"#{row_id}"
    assert "Smart applications in 16 key domains" in page.locator(target).inner_text()

    swapped_after(page, lambda: page.locator(f"{target} a", has_text="Edit").click())
    editor = page.locator(f"{target}.editing")
    statement = editor.locator("textarea[name$='-statement']")
    assert statement.input_value() == "Smart applications in 16 key domains"
    assert editor.locator("input[name$='-unit']").input_value() == "domains"
    assert editor.locator("input[name$='-target_year']").input_value() == "2025"

    statement.fill("")
    editor.locator("input[name$='-baseline_value']").fill("12")
    swapped_after(page, lambda: editor.locator("button", has_text="Save").click())
    errors = page.locator(f"{target}.editing .field-error")
    assert errors.all_inner_texts() == ["This field is required.", "Give the baseline value and its year together."]

    page.locator(f"{target} textarea[name$='-statement']").fill("Smart applications in 20 key domains")
    page.locator(f"{target} input[name$='-baseline_year']").fill("2018")
    page.locator(f"{target} input[name$='-target_value']").fill("20")
    page.locator(f"{target} input[name$='-target_year']").fill("2030")
    swapped_after(page, lambda: page.locator(f"{target} button", has_text="Save").click())
    saved = page.locator(f"{target}[data-testid=target-row]")
    text = saved.inner_text()
    assert "Smart applications in 20 key domains" in text and "12 domains (2018)" in text
    assert "20 domains" in text and "2030" in text and "Target saved." in text

    swapped_after(page, lambda: saved.locator("a", has_text="Edit").click())
    page.locator(f"{target} textarea[name$='-statement']").fill("Something else")
    swapped_after(page, lambda: page.locator(f"{target} a", has_text="Cancel").click())
    assert "Smart applications in 20 key domains" in page.locator(target).inner_text()
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"

    page.reload(wait_until="domcontentloaded")
    assert "Smart applications in 20 key domains" in page.locator(target).inner_text()
    assert page.locator("[data-testid=target-row]").count() == 3


PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_pipelines_filters_fold_away_and_name_those_in_use(server, page, browser):
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/projects/?country=VNM", wait_until="load")
    facets = page.get_by_test_id("facets")
    assert facets.get_attribute("open") is None  # folded: the results come right after its summary
    assert page.get_by_test_id("chosen-filters").inner_text() == "Viet Nam"
    assert page.locator(".facet").first.is_hidden()
    summary_bottom = facets.locator("summary").bounding_box()
    count = page.get_by_test_id("result-count").bounding_box()
    assert count["y"] - (summary_bottom["y"] + summary_bottom["height"]) < 60

    # Opened, a filter is chosen: the results are swapped in and the filters fold away again, naming both.
    mark_page(page)
    facets.locator("summary").click()
    ongoing = page.locator(".facet[data-facet=status] a", has_text="Ongoing")
    assert ongoing.is_visible()
    swapped_after(page, ongoing.click)
    assert page.get_by_test_id("facets").get_attribute("open") is None
    assert page.get_by_test_id("chosen-filters").locator(".tag").all_inner_texts() == ["Viet Nam", "Ongoing"]
    assert page.evaluate("window.__notReloaded === true")

    # Wide again, they open; on a wide screen they start open.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function("document.querySelector('[data-testid=facets]').open")
    page.goto(f"{server}/projects/", wait_until="load")
    assert page.get_by_test_id("facets").get_attribute("open") == ""
    assert page.get_by_test_id("chosen-filters").count() == 0


def test_without_scripts_the_pipelines_filters_stay_open_on_a_phone(server, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}/projects/?status=ongoing")
        assert page.get_by_test_id("facets").get_attribute("open") == ""
        assert page.locator(".facet[data-facet=country] a").first.is_visible()
        assert page.get_by_test_id("chosen-filters").inner_text() == "Ongoing"
    finally:
        context.close()
