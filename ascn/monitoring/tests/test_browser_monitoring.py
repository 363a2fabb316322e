"""Monitoring end to end in a real browser (Chromium driven by Playwright against a running server, from the kit
in ascn/core/testing/browser.py):
indicator data and the scorecard, the M&E report, and the annual report workflow across three accounts.

The module's server and its database are shared by the tests, which run in file order and each also pass
alone: the indicator data is entered while Da Nang's 2025 report is not started (an accepted report locks
the year's figures), and the M&E report is generated before that report is accepted (accepting it records
its lines as progress updates dated the round's as-of date, which brings Da Nang's SCAP18-DN1, last updated
in 2018, into the 2025 figures: 135 projects instead of the 134 published)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

# The kit's fixtures (`server`: a development server on its own seeded database, one per module; `page`: a
# fresh Chromium page per test that fails the test on any JavaScript error) come through the root conftest.
from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms for anything that waits on the server (HTMX answers)
# The tests' task backend runs the M&E generation inside the Generate request: figures, then an HTML page and a
# PDF per language (three PDFs, 8 s on a quiet 2-core machine, over 30 s on a loaded one).
GENERATION_WAIT = 150_000
INDICATOR = "EC: ICT: ICT: 1C"
INDICATOR_LABEL = "EC: ICT: ICT: 1C Household Internet Access"


def switch_to(page, server: str, username: str, password: str, next_path: str) -> None:
    """Another person at the keyboard: forget the previous session, then sign in."""
    page.context.clear_cookies()
    sign_in(page, server, username, password, next_path)


def mark_page(page) -> None:
    """Leave a mark in the window, which survives HTMX swaps and is gone after any page load, and count the
    swaps HTMX has settled."""
    page.evaluate("""() => {
        window.__notReloaded = true;
        window.__settled = 0;
        document.body.addEventListener("htmx:afterSettle", () => { window.__settled += 1; });
    }""")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"


def swapped_after(page, action) -> None:
    """Run `action` and wait until HTMX has swapped in the answer it causes (on a page marked by mark_page)."""
    before = page.evaluate("window.__settled")
    action()
    page.wait_for_function(f"window.__settled > {before}", timeout=WAIT)


def messages(page) -> list[str]:
    return page.locator("ul.messages li").all_inner_texts()


def test_indicator_data_with_inline_validation_scorecard_and_chart(server, page):
    # The Secretariat words the indicator's percentage unit its own way in the back office (the seed gives
    # "%" and "higher" from ITU's page; a percentage is never negative).
    sign_in(page, server, "secretariat", "demo-secretariat", "/admin/monitoring/indicator/")
    page.fill("#searchbar", "Household Internet")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.press("#searchbar", "Enter")
    page.locator("#result_list a", has_text=INDICATOR).click()
    page.wait_for_selector("#indicator_form")
    page.fill("#id_unit", "% of households")
    page.select_option("#id_direction", "higher")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("#indicator_form input[name=_save]").click()
    assert page.locator(".messagelist li").all_inner_texts() == [
        f"The indicator “{INDICATOR_LABEL}” was changed successfully."]

    # The Da Nang officer assigns it.
    switch_to(page, server, "csco.danang", "demo-csco-danang", "/monitoring/cities/da-nang/data/")
    assert page.get_by_test_id("open-periods").inner_text() == "Open for entry: 2025."
    assert page.get_by_test_id("result-count").inner_text() == "0 assigned indicators"
    assign = page.locator("form[action='/monitoring/cities/da-nang/data/assign/']")
    assign.locator("select[name=indicator]").select_option(label=INDICATOR_LABEL)
    with page.expect_navigation(wait_until="domcontentloaded"):
        assign.get_by_role("button", name="Assign").click()
    assert messages(page) == [f"{INDICATOR} assigned to Da Nang."]
    row = page.get_by_test_id("assignments").locator("tbody tr")
    assert row.locator("td").all_inner_texts()[:6] == [
        INDICATOR, "Household Internet Access", "% of households", "not set", "no value yet", "no target"]

    # Baseline and target, on the indicator's page.
    row.get_by_role("link", name=INDICATOR).click()
    page.wait_for_selector("[data-testid=baseline]")
    page.fill("#id_baseline-baseline_value", "62")
    page.fill("#id_baseline-baseline_year", "2020")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Save the baseline").click()
    assert messages(page) == ["Baseline saved."]
    assert page.get_by_test_id("baseline").inner_text() == "62 (2020)"
    page.fill("#id_target-year", "2030")
    page.fill("#id_target-value", "90")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Set the target").click()
    assert messages(page) == ["Target saved."]
    assert page.get_by_test_id("targets").inner_text() == "90 (2030)"

    # A value: a negative percentage is refused with its reason while the form is filled in, without a reload.
    page.locator(".breadcrumbs a", has_text="Indicator data of Da Nang").click()
    page.wait_for_selector("#entry-form")
    page.wait_for_load_state("load")  # htmx listens once the page has loaded (a busy machine changed it sooner)
    mark_page(page)
    assert page.input_value("#entry-form input[name=period]") == "2025"  # the open period is proposed
    # Each change is checked by the server (after a 200 ms pause) and the form swapped in again: wait for
    # each swap before the next change, as the swapped-in form replaces the fields.
    swapped_after(page, lambda: page.select_option("#entry-form select[name=indicator]", label=INDICATOR_LABEL))
    page.fill("#entry-form input[name=source]", "Da Nang Department of Information and Communications")
    swapped_after(page, lambda: page.dispatch_event("#entry-form input[name=source]", "change"))
    page.fill("#entry-form input[name=value]", "-1")
    swapped_after(page, lambda: page.dispatch_event("#entry-form input[name=value]", "change"))
    assert page.locator("#entry-form .field.invalid .field-error").all_inner_texts() == [
        "-1 is negative; this indicator counts or rates something and cannot be below 0"]
    assert page.locator("#entry-form .field.invalid label").inner_text() == "Value:"
    assert_not_reloaded(page)
    assert page.url == server + "/monitoring/cities/da-nang/data/"
    assert page.input_value("#entry-form input[name=value]") == "-1"  # what was typed stays
    assert page.input_value("#entry-form input[name=source]") == "Da Nang Department of Information and Communications"
    page.fill("#entry-form input[name=value]", "75")
    swapped_after(page, lambda: page.dispatch_event("#entry-form input[name=value]", "change"))
    assert page.locator("#entry-form .field.invalid").count() == 0
    assert page.locator("[data-testid=flag-preview]").count() == 0  # nothing unusual to flag either
    assert_not_reloaded(page)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("#entry-form button[type=submit]").click()
    assert messages(page) == [f"Saved: {INDICATOR} 2025."]
    cells = page.get_by_test_id("assignments").locator("tbody tr td").all_inner_texts()
    assert cells[3:8] == ["62 (2020)", "75 (2025)", "90 (2030)", "15", "Reported"]

    # The scorecard: baseline, latest value, target and progress (75 - 62) / (90 - 62) = 46 %.
    page.goto(server + "/monitoring/cities/da-nang/scorecard/")
    line = page.get_by_test_id("scorecard").locator(f"tbody tr[data-indicator='{INDICATOR}']")
    assert line.locator("td").all_inner_texts()[:6] == [
        f"{INDICATOR} Household Internet Access (% of households)", "62 (2020)", "75 (2025)", "90 (2030)",
        "46 %", "Slightly behind"]
    assert page.get_by_test_id("data-quality").locator(".stat-label").first.inner_text() == \
        "Completeness: 1 of 1 indicators reported"

    # Its series chart, swapped into the page and drawn by vega-embed.
    line.get_by_role("button", name="Chart").click()
    panel = page.locator("#series-panel")
    panel.locator(".chart svg").first.wait_for(timeout=WAIT)
    assert panel.locator("h2").inner_text() == INDICATOR_LABEL
    assert panel.locator(".chart").inner_text() != "Chart unavailable"
    assert panel.locator(".chart svg .mark-symbol path").count() >= 2  # the 2025 value and the 2030 target
    assert panel.locator("table tbody tr td").all_inner_texts()[:4] == ["2025", "75", "90 (2030)", "Reported"]

    # The comparison with the indicator chosen draws its bars (charts.js loads Vega for them).
    page.goto(server + "/monitoring/compare/?" + urlencode({"indicator": INDICATOR}))
    chart = page.locator('[data-chart="chart-compare"]')
    chart.locator("svg .mark-rect path").first.wait_for(timeout=WAIT)
    assert chart.inner_text() != "The chart could not be drawn."
    assert page.get_by_test_id("comparison").locator("tbody tr[data-city='da-nang'] td").all_inner_texts()[2] == "75"


def test_me_report_generated_with_progress_and_read(server, page):
    sign_in(page, server, "secretariat", "demo-secretariat", "/monitoring/reports/")
    status = page.locator("#me-status-2025")
    assert status.get_attribute("data-state") == "none"
    assert status.locator(".muted").first.inner_text() == "Not generated yet"
    status.get_by_role("button", name="Generate").click()
    expect(status).to_have_attribute("data-state", "done", timeout=GENERATION_WAIT)  # after the progress, if any
    expect(status.locator(".status")).to_have_text("Done")
    assert status.get_by_role("link", name="Read").count() == 1
    assert status.get_by_role("button", name="Generate again").count() == 1

    page.get_by_role("link", name="2025", exact=True).click()
    page.wait_for_url(server + "/monitoring/reports/2025/", wait_until="domcontentloaded")
    assert page.locator(".me-report h1").inner_text() == "ASCN Monitoring and Evaluation Report 2025"
    assert page.locator("[data-figure=projects]").inner_text() == "134"
    assert page.locator("#introduction > p").first.inner_text() == (
        "As of Sept. 30, 2025, the member cities report 134 smart city projects in 35 cities.")
    assert [row.locator("td").all_inner_texts()[:2] for row in page.locator("#statuses tbody tr").all()] == [
        ["Ongoing", "108"], ["Planning", "8"], ["Completed", "18"]]
    assert page.locator("#statuses tfoot th").all_inner_texts()[:2] == ["Total", "134"]

    # The PDF: its link, or the page says why there is none (WeasyPrint needs Pango on the server).
    tools = page.locator(".report-tools")
    link = tools.get_by_role("link", name="Download the PDF")
    if link.count():
        assert link.get_attribute("href") == "/monitoring/reports/2025.pdf"
        response = page.request.get(server + "/monitoring/reports/2025.pdf")
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")
    else:
        assert tools.locator(".muted").inner_text() == "This version has no PDF: the server could not print it."


def test_annual_report_from_draft_to_accepted(server, page):
    # The Secretariat opens the 2025 round's reports.
    sign_in(page, server, "secretariat", "demo-secretariat", "/monitoring/annual-reports/")
    progress = page.get_by_test_id("progress").locator("tr[data-year='2025']")
    assert progress.locator("td").nth(2).inner_text() == "35"  # not started
    with page.expect_navigation(wait_until="domcontentloaded"):
        progress.get_by_role("button", name="Open the 2025 reports").click()
    assert page.url == server + "/monitoring/annual-reports/?year=2025"
    assert messages(page) == ["35 draft reports started for the 2025 round."]
    progress = page.get_by_test_id("progress").locator("tr[data-year='2025']")
    assert progress.locator("td").nth(2).inner_text() == "0"
    assert progress.locator("td[data-state=draft]").inner_text() == "35"
    assert page.get_by_test_id("result-count").inner_text() == "35 reports"

    # The Da Nang officer opens the city's report and edits a project line.
    switch_to(page, server, "csco.danang", "demo-csco-danang", "/monitoring/annual-reports/")
    assert page.get_by_test_id("result-count").inner_text() == "1 report"
    page.locator("#results a", has_text="Da Nang").click()
    page.wait_for_selector("#lines")
    report_url = page.url
    assert re.fullmatch(re.escape(server) + r"/monitoring/annual-reports/\d+/", report_url)
    assert page.locator("h1").inner_text() == "Annual report 2025: Da Nang"
    assert page.get_by_test_id("state").inner_text() == "Draft"
    assert page.locator("#lines article h3").all_inner_texts() == [
        "A111 · Intelligent Operation Centre", "A112 · Smart Water Management System",
        "SCAP18-DN1 · Intelligent Traffic Control System"]
    # The whole report is one form: a refused value comes back beside its field, with what was typed.
    line = page.locator("#lines article", has_text="A111")
    line.get_by_label("Percent complete").fill("150")
    line.get_by_label("Progress").fill("The operation centre runs in three districts.")
    with page.expect_navigation(url=report_url, wait_until="domcontentloaded"):
        page.get_by_role("button", name="Save the report").click()
    line = page.locator("#lines article", has_text="A111")
    assert line.locator(".field.invalid .field-error").all_inner_texts() == [
        "Ensure this value is less than or equal to 100."]
    assert line.locator(".field.invalid label").inner_text() == "Percent complete:"
    assert line.get_by_label("Percent complete").input_value() == "150"  # what was typed stays
    assert line.get_by_label("Progress").input_value() == "The operation centre runs in three districts."
    line.get_by_label("Percent complete").fill("80")
    with page.expect_navigation(url=report_url, wait_until="domcontentloaded"):
        page.get_by_role("button", name="Save the report").click()
    assert messages(page) == ["Saved."]
    page.reload(wait_until="domcontentloaded")  # saved: a fresh page shows the new values
    line = page.locator("#lines article", has_text="A111")
    assert line.get_by_label("Percent complete").input_value() == "80"
    assert line.get_by_label("Progress").input_value() == "The operation centre runs in three districts."
    assert line.get_by_label("Status").input_value() == "ongoing"

    # ... and submits it, the form saved first.
    assert page.locator("#workflow button[data-action]").count() == 0
    with page.expect_navigation(url=report_url, wait_until="domcontentloaded"):
        page.get_by_role("button", name="Save and submit").click()
    assert messages(page) == ["Saved and submitted: the report of Da Nang now waits on the National Representative."]
    assert page.get_by_test_id("state").inner_text() == "Submitted"
    assert page.locator("#workflow p.muted").inner_text() == "Nothing for you to do on this report now."
    assert page.locator("#report-form").count() == 0  # no longer editable

    # Viet Nam's National Representative finds it in the inbox; returning it needs a reason.
    switch_to(page, server, "nr.vietnam", "demo-nr-vietnam", "/monitoring/inbox/")
    assert page.get_by_test_id("due-count").inner_text() == "1"
    page.locator("#due tr[data-city=da-nang] a").click()
    page.wait_for_url(report_url, wait_until="domcontentloaded")
    assert page.locator("#workflow button[data-action]").all_inner_texts() == ["Endorse", "Return"]
    mark_page(page)
    page.locator("#workflow button[data-action=return]").click()
    expect(page.locator("#workflow .field.invalid .field-error")).to_have_text(
        ["Give the reason to return the report."], timeout=WAIT)
    assert_not_reloaded(page)
    assert page.get_by_test_id("state").inner_text() == "Submitted"
    with page.expect_navigation(url=report_url, wait_until="domcontentloaded"):
        page.locator("#workflow button[data-action=endorse]").click()
    assert messages(page) == ["Report of Da Nang: Endorsed."]
    assert page.get_by_test_id("state").inner_text() == "Endorsed"

    # The Secretariat accepts it.
    switch_to(page, server, "secretariat", "demo-secretariat", "/monitoring/inbox/")
    page.locator("#due tr[data-city=da-nang] a").click()
    page.wait_for_url(report_url, wait_until="domcontentloaded")
    assert page.locator("#workflow button[data-action]").all_inner_texts() == ["Accept", "Return"]
    with page.expect_navigation(url=report_url, wait_until="domcontentloaded"):
        page.locator("#workflow button[data-action=accept]").click()
    assert messages(page) == ["Report of Da Nang: Accepted."]
    assert page.get_by_test_id("state").inner_text() == "Accepted"
    assert page.locator("#workflow p.muted").first.inner_text() == (
        "This report is accepted and locked. Its project lines are the projects' progress as of the round's date.")
    history = page.get_by_test_id("history").locator("tbody tr")
    assert [row.locator("td").all_inner_texts()[1:] for row in history.all()] == [
        ["City officer / CSCO, Da Nang (City officer / CSCO)", "Submit: Draft → Submitted", "—"],
        ["National Representative, Viet Nam (National Representative)", "Endorse: Submitted → Endorsed", "—"],
        ["Secretariat (all; back office) (Secretariat)", "Accept: Endorsed → Accepted", "—"],
    ]
    facts = page.locator("#lines article", has_text="A111").locator("dl.facts")
    assert facts.locator("dd").all_inner_texts()[:3] == [
        "Ongoing", "80 %", "The operation centre runs in three districts."]

    # An accepted report locks the city's figures for the year.
    page.locator("#indicators a", has_text="Indicator data of Da Nang").click()
    page.wait_for_url(server + "/monitoring/cities/da-nang/data/", wait_until="domcontentloaded")
    assert page.get_by_test_id("open-periods").inner_text() == (
        "No period is open for entry: there is no open reporting round for this city, or its report is locked.")
