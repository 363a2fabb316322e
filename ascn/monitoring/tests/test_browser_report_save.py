"""The annual report's one save in a real browser (Chromium driven by Playwright against a running server, from
the kit in ascn/core/testing/browser.py): the Da Nang city officer fills several lines, the summary and the
highlight, one line refused (completed at 90 %), saves once, finds the error beside that field and every typed
value still there, is warned before leaving with unsaved edits, fixes the line and saves everything."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser

COMPLETED_AT_100 = "A completed project is 100 percent complete."
TYPED = {
    "A111": {"Status": "completed", "Percent complete": "90", "Progress": "Opened in June in three districts.",
             "Partner support": "JICA training for the operators"},
    "A112": {"Percent complete": "60", "Progress": "Sensors installed on the main network.",
             "Challenges": "Late deliveries of meters"},
    "SCAP18-DN1": {"Status": "ongoing", "Percent complete": "15", "Challenges": "Land acquisition"},
}
SUMMARY = "Two centres running; the traffic system has started."


def start_da_nang_report(page, server: str) -> str:
    """The Secretariat starts Da Nang's 2025 report (the seeded round has no dates, so the city cannot start it
    itself); returns the report's address."""
    sign_in(page, server, "secretariat", "demo-secretariat", "/monitoring/annual-reports/")
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    answer = page.request.post(server + "/monitoring/annual-reports/start/", max_redirects=0,
                               form={"year": "2025", "city": "da-nang", "csrfmiddlewaretoken": token})
    assert answer.status == 302, answer.status
    page.context.clear_cookies()
    return server + answer.headers["location"]


def line(page, reference: str):
    return page.locator("#lines article", has_text=reference)


def fill_line(page, reference: str, values: dict[str, str]) -> None:
    article = line(page, reference)
    for label, value in values.items():
        field = article.get_by_label(label)
        if label == "Status":
            field.select_option(value)
        else:
            field.fill(value)


def assert_line(page, reference: str, values: dict[str, str]) -> None:
    article = line(page, reference)
    assert {label: article.get_by_label(label).input_value() for label in values} == values


def test_a_whole_report_saved_once_with_one_line_refused_loses_nothing(server, page):
    report_url = start_da_nang_report(page, server)
    path = report_url.removeprefix(server)
    sign_in(page, server, "csco.danang", "demo-csco-danang", path)
    assert page.locator("h1").inner_text() == "Annual report 2025: Da Nang"
    status = page.locator("#report-form [data-unsaved-status]")
    expect(status).to_be_hidden()

    # Several lines, the summary and the highlight, typed before one save.
    for reference, values in TYPED.items():
        fill_line(page, reference, values)
    page.get_by_label("Summary of the year").fill(SUMMARY)
    page.get_by_label("Highlight A112").check()
    expect(status).to_have_text("Unsaved changes")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Save the report").click()
    assert dialogs == []  # saving is not leaving

    # Refused: nothing saved, the error beside the field, the list at the top focused, every value as typed.
    problems = page.get_by_test_id("problems")
    expect(problems).to_be_focused()
    assert problems.locator("h2").inner_text() == "Nothing was saved: 1 problem, listed below."
    assert problems.locator("li").all_inner_texts() == [
        f"A111 · Intelligent Operation Centre: Percent complete: {COMPLETED_AT_100}"]
    percent = line(page, "A111").get_by_label("Percent complete")
    invalid = line(page, "A111").locator(".field.invalid")
    assert invalid.locator("label").inner_text() == "Percent complete:"
    assert invalid.locator(".field-error").inner_text() == COMPLETED_AT_100
    assert percent.get_attribute("aria-invalid") == "true"
    assert page.locator(f"#{percent.get_attribute('aria-describedby')}").inner_text() == COMPLETED_AT_100
    assert page.locator("#report-form .field.invalid").count() == 1
    for reference, values in TYPED.items():
        assert_line(page, reference, values)
    assert page.get_by_label("Summary of the year").input_value() == SUMMARY
    assert page.get_by_label("Highlight A112").is_checked()
    expect(status).to_have_text("Unsaved changes")  # what came back is not saved yet
    problems.get_by_role("link").click()
    expect(percent).to_be_focused()  # the list links to the field

    # Leaving now would lose it: the browser asks, and staying keeps everything.
    percent.fill("100")
    page.get_by_role("link", name="Annual reports", exact=True).first.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.split("#")[0] == report_url  # stayed
    assert_line(page, "A111", {**TYPED["A111"], "Percent complete": "100"})

    # Fixed, one save stores every line, the summary and the highlight.
    with page.expect_navigation(url=report_url, wait_until="domcontentloaded"):
        page.get_by_role("button", name="Save the report").click()
    assert page.locator("ul.messages li").all_inner_texts() == ["Saved."]
    assert dialogs == ["beforeunload"]
    page.reload(wait_until="domcontentloaded")
    assert_line(page, "A111", {**TYPED["A111"], "Percent complete": "100"})
    assert_line(page, "A112", {**TYPED["A112"], "Status": "ongoing"})
    assert_line(page, "SCAP18-DN1", TYPED["SCAP18-DN1"])
    assert page.get_by_label("Summary of the year").input_value() == SUMMARY
    assert page.get_by_label("Highlight A112").is_checked()
    assert line(page, "A112").locator("h3 .tag").inner_text() == "highlighted"
    expect(status).to_be_hidden()

    # A page without unsaved edits is left without a question.
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("link", name="Annual reports", exact=True).first.click()
    assert dialogs == ["beforeunload"]
    assert re.fullmatch(re.escape(server) + r"/monitoring/annual-reports/", page.url)
