"""A needs survey from building to a need, in a real browser (Chromium driven by Playwright with the kit's `server`,
`browser` and `page` fixtures from ascn/core/testing/browser.py).

The Secretariat builds a survey (two questions), chooses Da Nang and Bangkok and opens it; Da Nang's officer
saves a draft, then submits; the Secretariat closes the survey while the officer still has the page open, so the
officer's next submit is refused with the closing time and changes nothing; the Secretariat reads the results with
their charts, downloads the answers as CSV and makes a need from Da Nang's answer."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from ascn.core.testing.browser import sign_in

pytestmark = pytest.mark.browser

TITLE = "Smart mobility needs 2026"


def test_a_survey_goes_out_is_answered_tabulated_exported_and_becomes_a_need(server, page, browser):
    sign_in(page, server, "secretariat", "demo-secretariat", "/workspace/surveys/")
    page.get_by_role("button", name="New survey").click()
    page.wait_for_url(re.compile(r".*/workspace/surveys/new/.*"))
    page.fill("#id_title", TITLE)
    page.fill("#id_description", "What support the cities need for urban mobility.")
    page.get_by_label("Da Nang (Viet Nam)").check()
    page.get_by_label("Bangkok (Thailand)").check()
    page.locator("#survey-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/workspace/surveys/\d+/edit/"))
    survey_path = page.url.removeprefix(server).removesuffix("edit/")
    survey_id = survey_path.strip("/").split("/")[-1]

    page.fill("#id_new-text", "Stage of your mobility plan")
    page.select_option("#id_new-kind", "single")
    page.fill("#id_new-choices_text", "Idea\nPlan adopted\nImplementing")
    page.check("#id_new-required")
    page.locator("#question-form button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    page.fill("#id_new-text", "Focus areas of your needs")
    page.select_option("#id_new-kind", "focus_areas")
    page.locator("#question-form button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("[data-testid=question-rows] tbody tr").count() == 2
    page.goto(f"{server}/partnerships/surveys/{survey_id}/")
    page.get_by_role("button", name="Open", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_test_id("survey-state").inner_text() == "Open"

    city = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    try:
        sign_in(city, server, "csco.danang", "demo-csco-danang", "/workspace/surveys/")
        row = city.locator("[data-testid=workspace-surveys] tr", has_text=TITLE)
        assert row.get_by_test_id("answer-state").inner_text().startswith("Not started")
        row.get_by_role("link", name="Answer").click()
        city.wait_for_url(f"{server}/workspace/surveys/{survey_id}/answer/")
        city.get_by_label("Built Infrastructure").check()
        city.get_by_role("button", name="Save draft").click()
        city.wait_for_load_state("domcontentloaded")
        assert city.get_by_test_id("answer-state").inner_text() == "Saved as a draft: submit it when it is complete."
        assert city.get_by_label("Built Infrastructure").is_checked()
        city.get_by_role("button", name="Submit").click()
        city.wait_for_load_state("domcontentloaded")
        assert city.get_by_test_id("form-errors").inner_text() == "Nothing was saved: correct the answers marked below."
        assert city.locator(".field-error").first.inner_text() == "Answer this question: it is required."
        city.get_by_label("Implementing").check()
        city.get_by_role("button", name="Submit").click()
        city.wait_for_load_state("domcontentloaded")
        assert city.get_by_test_id("answer-state").inner_text().startswith("Submitted on ")

        page.goto(f"{server}/partnerships/surveys/{survey_id}/")
        page.get_by_role("button", name="Close").click()
        page.wait_for_load_state("domcontentloaded")
        assert page.get_by_test_id("survey-state").inner_text() == "Closed"

        city.get_by_label("Plan adopted").check()
        city.get_by_role("button", name="Submit").click()
        city.wait_for_load_state("domcontentloaded")
        refusal = city.get_by_test_id("form-errors").inner_text()
        assert refusal.startswith("This survey closed on ")
        assert refusal.endswith(": answers are no longer taken. Nothing was saved.")
        assert city.get_by_role("button", name="Submit").count() == 0
        city.goto(f"{server}/workspace/surveys/{survey_id}/answer/")
        assert city.get_by_label("Implementing").is_checked()
    finally:
        city.context.close()

    page.get_by_role("link", name="Results").click()
    page.wait_for_url(f"{server}/workspace/surveys/{survey_id}/results/")
    assert page.get_by_test_id("results-summary").inner_text() == "1 submitted answer of 2 cities asked."
    page.locator("[data-chart=chart-countries] svg").wait_for()
    page.locator("[data-chart=chart-focus] svg").wait_for()
    rows = page.locator("[data-testid=countries] tbody tr")
    assert [rows.nth(i).inner_text().split("\t") for i in range(rows.count())] == [
        ["Thailand", "1", "0", "0.0"], ["Viet Nam", "1", "1", "100.0"]]

    with page.expect_download() as download:
        page.get_by_role("link", name="Answers as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.reader(io.StringIO(text)))
    assert exported[0][-2:] == ["Q1. Stage of your mobility plan", "Q2. Focus areas of your needs"]
    assert [exported[1][0], exported[1][3], *exported[1][-2:]] == ["da-nang", "submitted", "Implementing",
                                                                  "built_infrastructure"]

    page.get_by_role("link", name="Make a need from this answer").click()
    page.wait_for_url(f"{server}/workspace/surveys/{survey_id}/answers/da-nang/need/")
    assert page.input_value("#id_title") == TITLE
    assert page.get_by_label("Built Infrastructure").is_checked()
    page.fill("#id_title", "Traffic management studies")
    page.select_option("#id_kind", "technical")
    page.get_by_role("button", name="Save the need").click()
    page.wait_for_url(re.compile(r".*/partnerships/needs/n\d+/"))
    assert page.locator("h1").inner_text() == "Traffic management studies"
