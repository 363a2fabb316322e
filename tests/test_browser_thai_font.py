"""Thai text is drawn on a machine that has no Thai font: the stylesheet ships Noto Sans Thai as "ASCN Thai" (the
vendored PDF font), so the language switch's "ภาษาไทย" and every /th/ page read as Thai, not as empty boxes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

THAI = "ภาษาไทย"


@pytest.mark.parametrize("weight", ["400", "700"])
def test_the_shipped_thai_font_loads_and_draws_thai(server, page, weight):
    page.goto(server + "/th/")
    faces = page.evaluate("""async ([weight, text]) => {
        const loaded = await document.fonts.load(`${weight} 16px "ASCN Thai"`, text);
        return loaded.map(face => [face.family, face.weight, face.status]);
    }""", [weight, THAI])
    assert faces == [["ASCN Thai", weight, "loaded"]]
    assert page.evaluate("(text) => document.fonts.check('16px \"ASCN Thai\"', text)", THAI)


def test_the_page_font_stack_falls_back_to_the_shipped_thai_font(server, page):
    page.goto(server + "/th/")
    stack = page.evaluate("getComputedStyle(document.documentElement).fontFamily")
    assert stack.startswith('"ASCN Thai", system-ui')
    # the switch's Thai label is as wide as Thai glyphs make it, not as a row of same-width boxes would be
    widths = page.evaluate("""async (text) => {
        await document.fonts.load('16px "ASCN Thai"', text);
        const probe = document.createElement('span');
        probe.style.cssText = 'position: absolute; display: inline-block; white-space: nowrap; font: 16px "ASCN Thai"';
        document.body.append(probe);
        const measure = t => { probe.textContent = t; return probe.getBoundingClientRect().width; };
        return [measure('ก'), measure('ไ')];
    }""", THAI)
    assert widths[0] > 0 and widths[0] != widths[1]


def test_bold_and_regular_thai_are_drawn_with_noto_sans_thai(server, page):
    """What Chromium itself reports drawing each element's text with (CSS.getPlatformFontsForNode): Thai glyphs come
    from Noto Sans Thai in headings (bold), the brand, the menu button and body text."""
    page.set_viewport_size({"width": 390, "height": 800})  # the menu button shows
    page.goto(server + "/th/")
    page.evaluate("document.fonts.ready")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    for selector in ("h1", ".brand", ".menu-toggle", ".lead"):
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        families = {font["familyName"] for font in fonts if font["glyphCount"] > 3}
        assert "Noto Sans Thai" in families, (selector, fonts)  # was DejaVu Sans Bold alone, as boxes


def test_chart_labels_in_thai_are_drawn_with_noto_sans_thai(server, page):
    """Vega draws its labels in the page's font stack: the trend chart's Thai axis titles are Noto Sans Thai."""
    page.goto(server + "/th/monitoring/trends/")
    label = page.locator("[data-chart] svg text", has_text="โครงการ").first
    label.wait_for(timeout=30_000)
    assert label.evaluate("(e) => getComputedStyle(e).fontFamily").startswith('"ASCN Thai"')
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-chart] svg text"})["nodeIds"]
    thai = [node for node in nodes if "โครงการ" in cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": thai[0]})["fonts"]
    assert "Noto Sans Thai" in {font["familyName"] for font in fonts}, fonts
