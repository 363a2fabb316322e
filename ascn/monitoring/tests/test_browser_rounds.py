"""The Secretariat runs a reporting round in a real browser (Chromium driven by Playwright against a running server,
from the kit in ascn/core/testing/browser.py), from the monitoring pages only: it creates the round with the
members proposed from its as-of date, opens the reports of three cities, extends one city's deadline and sends
the reminders, and sees who was reminded, without ever visiting the back office (/admin/).

The round is dated from the real day the test runs: it opened twenty days ago and closes in three, so the
reminders to the cities are due."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

# The kit's fixtures (`server`: a development server on its own seeded database, one per module; `page`: a
# fresh Chromium page per test that fails the test on any JavaScript error) come through the root conftest.
from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms for anything that waits on the server (HTMX answers)


def messages(page) -> list[str]:
    return page.locator("ul.messages li").all_inner_texts()


def row(page, slug: str):
    return page.get_by_test_id("round-table").locator(f"tr[data-city='{slug}']")


def test_the_secretariat_runs_a_round_without_the_back_office(server, page):
    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url))
    today = dt.date.today()
    opens, closes, extended = today - dt.timedelta(days=20), today + dt.timedelta(days=3), today + dt.timedelta(days=17)

    # The list of rounds: the seeded ones, and a new round for the first year without one.
    sign_in(page, server, "secretariat", "demo-secretariat", "/monitoring/rounds/")
    years = {int(y) for y in page.get_by_test_id("rounds").locator("tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.year)")}
    year = next(y for y in range(today.year, today.year + 10) if y not in years)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("link", name="New round").click()

    # Dates typed, then the members on the as-of date proposed; one city is unticked before saving.
    page.fill("#id_year", str(year))
    page.fill("#id_as_of", f"{year}-09-30")
    page.fill("#id_opens_on", opens.isoformat())
    page.fill("#id_closes_on", closes.isoformat())
    page.fill("#id_source", "Decision of the annual meeting")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Propose the members on the as-of date").click()
    ticked = page.locator("#cities input[type=checkbox]:checked")
    assert ticked.count() == 38  # every member on 30 September (Dili joined on 1 January 2026)
    assert page.input_value("#id_closes_on") == closes.isoformat()  # what was typed stays
    page.get_by_label("Luang Prabang (Lao PDR)").uncheck()
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Create the round").click()
    assert page.url == f"{server}/monitoring/rounds/{year}/"
    assert messages(page) == [f"The {year} round is created with 37 reporting cities."]
    assert page.get_by_test_id("round-status").inner_text() == "Open"
    assert page.get_by_test_id("city-count").inner_text() == "37"
    assert row(page, "luang-prabang").count() == 0

    # Reports opened for three chosen cities.
    for name in ("Da Nang", "Ha Noi", "Bangkok"):
        page.get_by_label(f"Open the report of {name}").check()
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Open the chosen cities' reports").click()
    assert messages(page) == ["3 reports opened: Bangkok, Da Nang, Ha Noi."]
    assert [row(page, slug).get_attribute("data-state") for slug in ("bangkok", "da-nang", "ha-noi", "yangon")] == [
        "draft", "draft", "draft", "not_started"]
    assert row(page, "da-nang").get_by_test_id("deadline-words").inner_text() == "due in 3 days"

    # One city's deadline extended, with a reason; a date before the closing date is refused beside its field.
    page.select_option("#id_extend-city", label="Bangkok")
    page.fill("#id_extend-due_on", closes.isoformat())
    page.fill("#id_extend-reason", "The city council approves its figures late this year.")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Save the extension").click()
    errors = page.locator("#extend-form .field.invalid .field-error").all_inner_texts()
    assert len(errors) == 1 and errors[0].startswith("An extension runs past the round's closing date")
    assert page.input_value("#id_extend-reason") == "The city council approves its figures late this year."
    page.fill("#id_extend-due_on", extended.isoformat())
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Save the extension").click()
    assert len(messages(page)) == 1 and messages(page)[0].startswith("The deadline of Bangkok is extended to ")
    assert row(page, "bangkok").get_by_test_id("extended").inner_text().startswith("extended to ")
    assert row(page, "bangkok").get_by_test_id("deadline-words").inner_text() == "due in 17 days"

    # Reminders now: the Da Nang officer (the demo account) is due one; the cities that had not started get
    # their drafts. A second click the same day finds nobody.
    page.get_by_role("button", name="Send reminders now").click()
    result = page.get_by_test_id("reminded")
    expect(result).to_be_visible(timeout=WAIT)
    assert result.locator("li").all_inner_texts() == [
        "City officer / CSCO, Da Nang <csco.danang@demo.invalid> · to submit: Da Nang"]
    assert "34 drafts started for cities that had not started their report." in result.inner_text()
    page.get_by_role("button", name="Send reminders now").click()
    expect(page.get_by_test_id("reminded")).to_contain_text("Nobody was due a reminder.", timeout=WAIT)

    # The history says who did what.
    page.reload(wait_until="domcontentloaded")
    history = page.locator("#history > ul > li").all_inner_texts()
    assert any("secretariat sent reminders now (1 e-mail)" in line for line in history)
    assert any(f"secretariat extended the deadline of Bangkok to {extended.isoformat()}" in line for line in history)
    assert any("secretariat created the round with 37 reporting cities" in line for line in history)

    assert [url for url in visited if re.search(r"/admin(/|$)", url)] == []
