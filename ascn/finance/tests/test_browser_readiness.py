"""Readiness answers' one save in a real browser (Chromium driven by Playwright against a running server, from the
kit in ascn/core/testing/browser.py): the Da Nang city officer answers several criteria, one with a link that is
not one, saves once, finds the error beside that field and every answer as typed (the board swapped in by HTMX,
the score unchanged), is warned before leaving, fixes the link and saves: the score follows. An HTMX request from
outside the form that would replace it asks first."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser

PATH = "/financing/projects/111/readiness/"  # A111, Da Nang's Intelligent Operation Centre


def criterion(page, code: str):
    return page.locator(f"li[id='{code}']")


def test_readiness_answers_saved_once_with_one_refused_lose_nothing(server, page):
    sign_in(page, server, "csco.danang", "demo-csco-danang", PATH)
    score = page.locator("[data-score]")
    before = score.inner_text()
    status = page.locator("#readiness-form [data-unsaved-status]")
    expect(status).to_be_hidden()

    sponsor, need = criterion(page, "concept.institutional.sponsor"), criterion(page, "concept.stakeholder.need")
    sponsor.get_by_label("Status").select_option("met")
    sponsor.get_by_label("Evidence").fill("Decision naming the Smart City Office")
    need.get_by_label("Status").select_option("partial")
    need.get_by_label("Link").fill("residents survey 2025")
    expect(status).to_have_text("Unsaved changes")
    page.get_by_role("button", name="Save the answers").click()

    problems = page.get_by_test_id("problems")
    expect(problems).to_be_focused()
    assert problems.locator("h2").inner_text() == "Nothing was saved: 1 problem, listed below."
    need = criterion(page, "concept.stakeholder.need")
    assert need.locator(".field.invalid label").inner_text() == "Link:"
    assert need.locator(".field.invalid .field-error").inner_text() == "Enter a valid URL."
    assert need.get_by_label("Link").input_value() == "residents survey 2025"
    assert need.get_by_label("Status").input_value() == "partial"
    sponsor = criterion(page, "concept.institutional.sponsor")
    assert sponsor.get_by_label("Status").input_value() == "met"
    assert sponsor.get_by_label("Evidence").input_value() == "Decision naming the Smart City Office"
    assert score.inner_text() == before  # nothing saved
    expect(status).to_have_text("Unsaved changes")

    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    need.get_by_label("Link").fill("https://example.org/residents-survey-2025")
    page.locator(".breadcrumbs a").first.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and page.url == server + PATH

    page.get_by_role("button", name="Save the answers").click()
    expect(page.get_by_test_id("saved")).to_have_text("Saved: 2 answers changed.")
    assert int(score.inner_text()) > int(before)
    expect(status).to_be_hidden()
    page.reload(wait_until="domcontentloaded")
    assert criterion(page, "concept.stakeholder.need").get_by_label("Link").input_value() == \
        "https://example.org/residents-survey-2025"
    assert criterion(page, "concept.institutional.sponsor").get_by_label("Evidence").input_value() == \
        "Decision naming the Smart City Office"

    # An HTMX request from outside the form that would replace it asks first (the guard's confirm()).
    criterion(page, "concept.technical.scope").get_by_label("Evidence").fill("Concept note of March")
    page.evaluate("""() => {
        const button = document.createElement("button");
        button.id = "reload-board";
        button.setAttribute("hx-get", window.location.pathname);
        button.setAttribute("hx-select", "#readiness-board");
        button.setAttribute("hx-target", "#readiness-board");
        button.setAttribute("hx-swap", "outerHTML");
        button.textContent = "Reload the board";
        document.querySelector("h1").after(button);
        htmx.process(button);
    }""")
    page.locator("#reload-board").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload", "confirm"]
    assert criterion(page, "concept.technical.scope").get_by_label("Evidence").input_value() == "Concept note of March"
    page.remove_listener("dialog", dismiss)
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.locator("#reload-board").click()
    expect(criterion(page, "concept.technical.scope").get_by_label("Evidence")).to_have_value("")
    assert dialogs[-1] == "These answers have changes that are not saved. Leave the page and lose them?"
    expect(status).to_be_hidden()
    page.on("dialog", dismiss)
    asked = len(dialogs)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator(".breadcrumbs a").first.click()
    assert len(dialogs) == asked  # nothing unsaved: left without a question
