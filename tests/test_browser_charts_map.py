"""Charts and maps as a reader sees them, in Chromium (the kit: ascn/core/testing/browser.py; one server and one
browser for the module):

- a new business case, all zeros, shows what its charts need instead of empty charts, and Vega logs nothing
  (it warned "Infinite extent" on an empty scale);
- a 50-year case draws its cash flows with year labels that do not run into each other and a legend whose labels
  are whole and inside the chart, on a desktop and on a phone, in English, Vietnamese and Thai;
- the map shows every pin whole inside its frame (Ha Noi was cut at the top on the Viet Nam filter), after an HTMX
  filter too, and for a single pin;
- the map's controls (zoom buttons, attribution, a popup's close button) speak the page's language."""

from __future__ import annotations

import itertools

import pytest
from django.utils import translation
from playwright.sync_api import expect

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms for anything that waits on the server
EMPTY = "Add amounts to see the chart"
YEARS = 50
LEGEND = ("Revenue", "Capital expenditure", "Operating expenditure", "Cumulative financial flow")


@pytest.fixture
def console(page):
    """Every console warning and error of the page (Vega logs its warnings there)."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}")
            if message.type in ("warning", "error") else None)
    return messages


def open_new_case(page, server: str) -> None:
    sign_in(page, server, "csco.danang", "demo-csco-danang", "/projects/?city=da-nang")
    page.locator("#results td a[href^='/projects/']").first.click()
    page.wait_for_selector("h1")
    page.locator("a[href$='/business-cases/new/']").first.click()
    page.wait_for_selector("#case-form")


def test_a_new_case_without_amounts_shows_what_its_charts_need(server, page, console):
    vega: list[str] = []
    page.on("request", lambda request: vega.append(request.url) if "/vendor/vega/" in request.url else None)
    open_new_case(page, server)  # the seeded projects have no cost estimate: every amount is 0
    results = page.locator("#case-results")
    expect(results.locator(".chart-empty")).to_have_count(2, timeout=WAIT)  # cash flows and tornado
    assert results.locator(".chart-empty").all_inner_texts() == [EMPTY, EMPTY]
    assert results.locator(".chart svg").count() == 0
    assert vega == []  # nothing to draw: Vega's 839 KB are not loaded
    page.fill("#id_lines-0-values", "1000000 0x20")
    page.select_option("#id_lines-1-kind", "revenue")
    page.fill("#id_lines-1-values", "0 150000x20")
    expect(results.locator(".chart svg")).to_have_count(2, timeout=WAIT)  # figures: the charts are drawn
    expect(results.locator(".chart-empty")).to_have_count(0)
    assert sorted(url.rsplit("/", 1)[1] for url in vega) == ["vega-embed.min.js", "vega-lite.min.js", "vega.min.js"]
    page.wait_for_timeout(300)  # let Vega finish logging, if it would
    assert console == []


def boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, """els => els.map(e => {
        const r = e.getBoundingClientRect();
        return {text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                shown: getComputedStyle(e).opacity !== '0' && e.getAttribute('opacity') !== '0'};
    })""")


def assert_readable_cash_flows(page, legend: tuple[str, ...], where: str) -> None:
    chart = "#case-results .chart[data-chart=chart-cash-flows]"
    page.locator(f"{chart} svg .role-legend").wait_for()
    page.wait_for_timeout(300)  # a legend too wide is laid out again in columns
    frame = boxes(page, f"{chart} svg")[0]
    labels = boxes(page, f"{chart} svg .role-legend-label text")
    assert [label["text"] for label in labels] == list(legend), where  # whole labels, none cut with "…"
    for label in labels:
        assert frame["left"] - 1 <= label["left"] and label["right"] <= frame["right"] + 1, (where, label)
    years = [y for y in boxes(page, f"{chart} svg .role-axis-label text") if y["text"].isdigit() and y["shown"]]
    years = [y for y in years if 1900 < int(y["text"]) < 2200]
    assert 3 <= len(years) <= 12, (where, [y["text"] for y in years])
    assert years[0]["text"] == "2026", where
    for left, right in itertools.pairwise(years):
        assert left["right"] <= right["left"], (where, left["text"], right["text"])  # no overlap


def test_a_fifty_year_case_draws_readable_years_and_whole_legends(server, page, console):
    open_new_case(page, server)
    page.fill("#id_scenario", "Fifty years")
    page.fill("#id_start_year", "2026")
    page.fill("#id_years", str(YEARS))
    page.fill("#id_lines-0-values", f"10000000 0x{YEARS}")
    page.select_option("#id_lines-1-kind", "revenue")
    page.fill("#id_lines-1-values", f"0 1300000x{YEARS}")
    page.get_by_role("button", name="Add a line").click()
    page.locator("#id_lines-2-kind").wait_for()
    page.select_option("#id_lines-2-kind", "opex")
    page.fill("#id_lines-2-values", f"0 200000x{YEARS}")
    expect(page.locator("#case-results .chart svg")).to_have_count(2, timeout=WAIT)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("#case-form button.primary").click()
    address = page.url
    assert "/financing/business-cases/" in address
    for language, width in (("en", 1280), ("en", 390), ("vi", 390), ("th", 390), ("th", 1280)):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(address.replace("/financing/", "/financing/" if language == "en" else f"/{language}/financing/"))
        with translation.override(language):
            legend = tuple(translation.gettext(name) for name in LEGEND)
        assert_readable_cash_flows(page, legend, f"{language} at {width} px")
    assert console == []


def marker_boxes(page, map_selector: str) -> tuple[dict, list[dict], dict]:
    page.locator(f"{map_selector}[data-ready=true]").wait_for()
    page.wait_for_timeout(300)
    frame = boxes(page, map_selector)[0]
    pins = boxes(page, f"{map_selector} .leaflet-marker-icon")
    controls = boxes(page, f"{map_selector} .leaflet-control-zoom")[0]
    return frame, pins, controls


def assert_pins_inside(page, map_selector: str, count: int) -> None:
    frame, pins, controls = marker_boxes(page, map_selector)
    assert len(pins) == count
    icon = page.locator(map_selector).get_attribute("data-icon")  # the template's static URL (hashed in production)
    assert page.eval_on_selector_all(f"{map_selector} img.leaflet-marker-icon",
                                     "els => els.map(e => [e.getAttribute('src'), e.complete && e.naturalWidth > 0])"
                                     ) == [[icon, True]] * count
    for pin in pins:
        assert frame["left"] <= pin["left"] and pin["right"] <= frame["right"], pin
        assert frame["top"] <= pin["top"] and pin["bottom"] <= frame["bottom"], pin
        under_controls = pin["left"] < controls["right"] and pin["top"] < controls["bottom"]
        assert not under_controls, pin


def test_every_pin_shows_whole_inside_the_map(server, page):
    page.goto(server + "/projects/")
    page.locator("#pipeline-map[data-ready=true]").wait_for()
    page.locator('[data-facet=country] a', has_text="Viet Nam").click()  # the filter, swapped in by HTMX
    page.wait_for_url("**country=VNM**")
    expect(page.locator("[data-testid=result-count]")).to_contain_text("project")
    assert_pins_inside(page, "#pipeline-map", 3)  # Ha Noi, Da Nang, Ho Chi Minh City
    page.goto(server + "/projects/?country=VNM")  # the same page loaded whole
    assert_pins_inside(page, "#pipeline-map", 3)
    page.goto(server + "/countries/VNM/")
    assert_pins_inside(page, "#country-map", 3)
    page.goto(server + "/cities/ha-noi/")  # one pin
    assert_pins_inside(page, "#city-map", 1)


@pytest.mark.parametrize("language", ["vi", "th"])
def test_the_map_controls_speak_the_page_language(server, page, language):
    with translation.override(language):
        zoom_in, zoom_out, close, outline = (translation.gettext(text) for text in (
            "Zoom in", "Zoom out", "Close", "Country outlines: Natural Earth"))
        library = translation.gettext("A JavaScript library for interactive maps")
    page.goto(f"{server}/{language}/countries/VNM/")
    page.locator("#country-map[data-ready=true]").wait_for()
    assert page.locator("#country-map").get_attribute("data-zoom-in") == zoom_in
    for selector, text in ((".leaflet-control-zoom-in", zoom_in), (".leaflet-control-zoom-out", zoom_out)):
        button = page.locator(f"#country-map {selector}")
        assert (button.get_attribute("title"), button.get_attribute("aria-label")) == (text, text)
    attribution = page.locator("#country-map .leaflet-control-attribution")
    expect(attribution).to_contain_text(outline)
    assert attribution.locator("a[href='https://leafletjs.com']").get_attribute("title") == library
    page.locator("#country-map .leaflet-marker-icon").first.dispatch_event("click")
    button = page.locator("#country-map .leaflet-popup-close-button")
    button.wait_for()
    assert button.get_attribute("aria-label") == close
