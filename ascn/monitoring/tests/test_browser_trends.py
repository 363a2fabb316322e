"""The trends page in a real browser (Chromium through Playwright, the kit in ascn/core/testing/browser.py): a
visitor finds it from the M&E reports and the monitoring hub, and its three charts draw from their specs, loading
the Vega scripts; the analysis pages with no chart to draw do not load them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms
VEGA = ["vega-embed.min.js", "vega-lite.min.js", "vega.min.js"]


@pytest.fixture
def vega(page) -> list[str]:
    """The file names of the Vega scripts the page has requested so far."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url.rsplit("/", 1)[1])
            if "/vendor/vega/" in request.url else None)
    return requested


def test_the_analysis_pages_without_a_chart_to_draw_load_no_vega(server, page, vega):
    # The comparison and the roll-ups before an indicator is chosen, the network scorecard (tables only).
    for path in ("/monitoring/compare/", "/monitoring/network/", "/monitoring/scorecards/"):
        page.goto(f"{server}{path}", wait_until="load")
        assert page.locator("script[src*='/js/charts.js'][data-vega]").count() == 1, path
        page.wait_for_timeout(200)  # anything charts.js would load has been asked for
        assert vega == [], path


def test_a_visitor_reads_the_trend_with_its_charts_and_tables(server, page, vega):
    page.goto(f"{server}/monitoring/reports/")
    page.get_by_role("link", name="The network's trend across rounds").click()
    page.wait_for_url(f"{server}/monitoring/trends/", wait_until="domcontentloaded")
    assert page.locator("h1").inner_text() == "The network's trend across reporting rounds"
    for key in ("projects", "status", "focus-areas"):
        chart = page.locator(f'[data-chart="chart-{key}"]')
        chart.locator("svg").first.wait_for(timeout=WAIT)
        assert chart.inner_text() != "Chart unavailable"
    # 2021 to 2025 published and the computed 2025: six points on the projects chart
    assert page.locator('[data-chart="chart-projects"] svg .mark-symbol.role-mark path').count() == 6
    assert sorted(vega) == VEGA  # loaded once, by charts.js, for the charts that have something to draw
    rows = page.locator("#table-projects tbody tr")
    assert [rows.nth(i).locator("th, td").all_inner_texts()[:3] for i in range(rows.count())] == [
        ["2021", "Published", "65"], ["2022", "Published", "77"], ["2023", "Published", "86"],
        ["2024", "Published", "108"], ["2025", "Published", "134"], ["2025", "Computed", "134"]]
    assert rows.first.locator(".source a").get_attribute("href") == (
        "https://asean.org/wp-content/uploads/2022/10/2022-ASCN-ME-Report-Final_21Sep2022-for-public.pdf")
    page.goto(f"{server}/monitoring/")
    page.get_by_role("link", name="Trend across rounds").click()
    page.wait_for_url(f"{server}/monitoring/trends/", wait_until="domcontentloaded")


# Each word of the source cells' own text (the links' text, addresses, may break) and how many lines it takes.
WORD_LINES = """() => {
  const words = [];
  document.querySelectorAll(".trend-table td.source").forEach(cell => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest("a")) { continue; }
      for (const match of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        words.push([match[0], tops.size]);
      }
    }
  });
  return words;
}"""


def test_on_a_phone_the_source_cells_keep_their_words_whole(server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/monitoring/trends/", wait_until="load")
    words = page.evaluate(WORD_LINES)
    assert {"Published", "report:"} <= {word for word, lines in words}  # the cells were read
    assert [word for word, lines in words if lines > 1] == []  # no word broken across lines
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
