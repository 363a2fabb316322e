"""A business-matching session from the Secretariat's workspace to its public grid, in a real browser (Chromium
driven by Playwright with the kit's `server`, `browser` and `page` fixtures from ascn/core/testing/browser.py).

The Secretariat creates a session, adds a series of slots and two participants (the browser server's database
holds no published needs or offers, so the pair has no score: the page says so), pins their meeting to the first slot, schedules
it (the status is swapped in by HTMX), publishes it, and the public reads the grid and the agenda."""

from __future__ import annotations

import pytest

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser


def test_the_secretariat_schedules_a_session_the_public_reads(server, page, browser):
    sign_in(page, server, "secretariat", "demo-secretariat", "/workspace/sessions/new/")
    page.fill("#id_title", "ASEAN-Japan business matching")
    page.fill("#id_place", "Ha Noi")
    page.fill("#id_timezone", "Asia/Ho_Chi_Minh")
    page.fill("#id_tables", "2")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/workspace/sessions/*/")
    edit = page.url
    page.fill("#id_gen-first", "2026-11-02T14:00")
    page.fill("#id_gen-count", "2")
    page.fill("#id_gen-minutes", "20")
    page.fill("#id_gen-pause", "5")
    page.get_by_role("button", name="Add the slots").click()
    page.wait_for_url(edit)
    assert page.get_by_test_id("slots").locator("li").count() == 2
    page.select_option("#id_add-cities", label="Da Nang")
    page.select_option("#id_add-partners", label="Japan International Cooperation Agency (JICA)")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(edit)
    assert "Da Nang" in page.get_by_test_id("unscored").inner_text()
    page.select_option("#id_rule-city", label="Da Nang")
    page.select_option("#id_rule-partner", label="Japan International Cooperation Agency (JICA)")
    page.select_option("#id_rule-kind", "pin")
    page.select_option("#id_rule-slot", index=1)  # the first slot
    page.get_by_role("button", name="Save the rule").click()
    page.wait_for_url(edit)
    page.get_by_test_id("schedule").click()
    page.wait_for_selector('#session-status[data-state="optimal"]')
    assert page.get_by_test_id("score").inner_text() == "0"
    assert page.get_by_test_id("gap").inner_text() == "0 % (proven optimal)"
    page.get_by_test_id("publish").click()
    page.wait_for_url(edit)

    public = browser.new_page()
    pk = edit.rstrip("/").rsplit("/", 1)[1]
    public.goto(f"{server}/partnerships/sessions/{pk}/")
    cells = public.get_by_test_id("grid").locator("tbody td")
    assert [cells.nth(i).inner_text().split("\n") for i in range(cells.count())] == [
        ["Da Nang", "Japan International Cooperation Agency (JICA) pinned"], ["—"], ["—"], ["—"]]
    public.get_by_role("link", name="Da Nang").click()
    rows = public.get_by_test_id("agenda").locator("tbody tr td")
    assert rows.nth(0).inner_text() == "Nov. 2, 2026 14:00\u201314:20"  # an en dash between the times
    public.close()
