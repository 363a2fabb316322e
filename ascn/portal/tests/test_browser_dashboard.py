"""The Secretariat's round at a glance in a real browser (Chromium driven by Playwright, with the kit's `browser`
and `page` fixtures from ascn/core/testing/browser.py): on a server whose 2025 round opened twenty days ago and
closed three days ago, with reports in every state, the numbers the workspace shows equal the reports' states
counted in the server's database, and the bar is drawn with a segment per state as wide as its share.

This module starts its own server (as the kit's `server` does) so that the test can read the server's database."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from ascn.core.testing.browser import free_port, sign_in

pytestmark = pytest.mark.browser

# Each city's steps, taken by the demo Secretariat account; the other reporting cities have not started.
ROUND = """
import datetime as dt
from ascn.core.models import User
from ascn.monitoring.actions import reports as actions
from ascn.monitoring.models import ReportingRound
from ascn.network.models import City

today = dt.date.today()
sec = User.objects.get(username="secretariat")
round_ = ReportingRound.objects.get(year=2025)
round_.opens_on, round_.closes_on = today - dt.timedelta(days=20), today - dt.timedelta(days=3)
round_.save()
steps = {"da-nang": [], "yangon": [], "ha-noi": ["submit"], "phuket": ["submit"], "ho-chi-minh-city": ["submit", "endorse"],
         "bangkok": ["submit", "endorse", "accept"], "chiang-mai": ["submit", "return"]}
for slug, taken in steps.items():
    report = actions.start_report(sec, round_, City.objects.get(slug=slug))
    for step in taken:
        actions.transition_report(sec, report, step, reason="Figures missing" if step == "return" else "")
"""


@pytest.fixture(scope="module")
def server_and_database(chromium_executable, tmp_path_factory):
    """A development server on its own migrated and seeded SQLite database with the round above, and the
    database's path."""
    folder = tmp_path_factory.mktemp("dashboard")
    database = folder / "db.sqlite3"
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "ascn.settings",
           "MAP_TILE_URL": ""}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    for command in (["migrate", "--no-input", "-v", "0"], ["seed"], ["demo_accounts"], ["shell", "-c", ROUND]):
        subprocess.run(manage + command, env=env, check=True, capture_output=True, timeout=180)
    port = free_port()
    process = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{url}/livez", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the development server did not start")
        yield url, database
    finally:
        process.terminate()
        process.wait(timeout=10)


def stored_states(database: Path) -> dict[str, int]:
    """The 2025 round counted from the server's database: reports by state, reporting cities without a report,
    and the overdue ones by the documented rule (not submitted, the deadline — the city's extension, else the
    round's closing date — passed, the round not closed)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        (round_id, closes_on, closed_at), = db.execute(
            "SELECT id, closes_on, closed_at FROM monitoring_reportinground WHERE year = 2025").fetchall()
        cities = [row[0] for row in db.execute(
            "SELECT city_id FROM monitoring_reportinground_cities WHERE reportinground_id = ?", (round_id,))]
        reports = {city: (state, due_on) for city, state, due_on in db.execute(
            "SELECT city_id, state, due_on FROM monitoring_cityreport WHERE round_id = ?", (round_id,))}
    counts = {"not_started": sum(1 for c in cities if c not in reports)}
    for state in ("draft", "returned", "submitted", "endorsed", "accepted"):
        counts[state] = sum(1 for s, _due in reports.values() if s == state)
    today = dt.date.today().isoformat()
    counts["overdue"] = 0 if closed_at else sum(
        1 for c in cities
        if reports.get(c, ("not_started", None))[0] in ("not_started", "draft", "returned")
        and max(filter(None, [closes_on, reports.get(c, (None, None))[1]])) < today)
    counts["cities"] = len(cities)
    return counts


def test_the_secretariats_round_overview_matches_the_reports_and_draws_its_bar(server_and_database, page):
    server, database = server_and_database
    stored = stored_states(database)
    assert stored == {"not_started": 28, "draft": 2, "returned": 1, "submitted": 2, "endorsed": 1, "accepted": 1,
                      "overdue": 31, "cities": 35}

    sign_in(page, server, "secretariat", "demo-secretariat", "/workspace/")
    glance = page.locator("#round-overview")
    shown = {state: int(glance.get_by_test_id(f"count-{state}").inner_text())
             for state in ("not_started", "draft", "returned", "submitted", "endorsed", "accepted", "overdue")}
    assert shown == {k: v for k, v in stored.items() if k != "cities"}
    assert "35 reporting cities." in glance.get_by_test_id("round-status").inner_text()
    assert glance.get_by_test_id("round-summary").inner_text().startswith(
        "1 report waits for your acceptance · 31 overdue")

    # The bar: drawn (visible, with a height), one coloured segment per state with cities, in the workflow's
    # order, each as wide as its share of the reporting cities.
    bar = glance.get_by_test_id("state-bar")
    box = bar.bounding_box()
    assert bar.is_visible() and box is not None and box["height"] >= 10 and box["width"] > 300
    assert bar.get_attribute("aria-hidden") == "true"  # decoration: the numbers above are the text
    segments = bar.locator("span").evaluate_all(
        "spans => spans.map(s => ({state: s.dataset.state, width: s.getBoundingClientRect().width,"
        " colour: getComputedStyle(s).backgroundColor}))")
    assert [s["state"] for s in segments] == ["not_started", "draft", "returned", "submitted", "endorsed", "accepted"]
    for segment in segments:
        assert segment["width"] == pytest.approx(box["width"] * stored[segment["state"]] / stored["cities"], abs=1.5)
    assert len({s["colour"] for s in segments}) == 6 and "rgba(0, 0, 0, 0)" not in {s["colour"] for s in segments}
    assert sum(s["width"] for s in segments) == pytest.approx(box["width"], abs=2)

    # The report waiting for acceptance links to its page.
    with page.expect_navigation(wait_until="domcontentloaded"):
        glance.get_by_test_id("to-accept").get_by_role("link", name="Ho Chi Minh City's 2025 report").click()
    assert page.locator("h1").inner_text() == "Annual report 2025: Ho Chi Minh City"
