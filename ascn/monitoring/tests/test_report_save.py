"""One save for the whole annual report: every line, the summary and the highlight in one POST through
`actions.reports.save_report`, all or nothing, with every typed value kept on a refusal, each error beside
its field, and a form drawn before someone else's save refused rather than overwriting it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import formats, timezone

from ascn.core.models import AuditEntry
from ascn.core.testing.forms import form_fields
from ascn.monitoring.actions import reports as actions
from ascn.monitoring.models import CityReport, ProjectReport
from conftest import make_user

from .test_reports import (  # noqa: F401
    client_of,
    line_fields,
    media_root_fixture,
    on_day_fixture,
    round_2025_fixture,
    snapshot,
    started,
    submitted,
)

pytestmark = pytest.mark.django_db

COMPLETED_AT_100 = "A completed project is 100 percent complete."


def url(report: CityReport) -> str:
    return f"/monitoring/annual-reports/{report.pk}/"


def opened(client: Client, report: CityReport) -> dict[str, str]:
    """The report form as the page draws it (with its version), as a browser would send it unchanged."""
    return form_fields(client.get(url(report)).content.decode(), "report-form")


def lines(report: CityReport) -> dict[str, ProjectReport]:
    return {ln.project.reference: ln for ln in report.project_lines.select_related("project")}


def stored(report: CityReport) -> dict[str, tuple]:
    """Everything the form edits, as stored: the summary and each line's values with its highlight."""
    report.refresh_from_db()
    values: dict[str, tuple] = {"summary": (report.summary,)}
    for reference, ln in lines(report).items():
        values[reference] = (ln.status, ln.percent_complete, ln.progress, ln.partner_support, ln.challenges,
                             ln.is_highlighted)
    return values


def audit_of(report: CityReport) -> list[tuple]:
    """The report's and its lines' update entries: (what, actor, changes, via), oldest first."""
    ids = {str(ln.pk): ref for ref, ln in lines(report).items()}
    found = []
    for entry in AuditEntry.objects.filter(action="update").order_by("created_at", "id"):
        if entry.content_type.model == "projectreport" and entry.object_id in ids:
            found.append((ids[entry.object_id], entry.actor.username, entry.changes, entry.via))
        elif entry.content_type.model == "cityreport" and entry.object_id == str(report.pk):
            found.append(("report", entry.actor.username, entry.changes, entry.via))
    return found


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture(name="report")
def report_fixture(round_2025, csco_danang, on_day) -> CityReport:
    return started(round_2025, csco_danang)


# --- The defect's sequences -----------------------------------------------------------------------


def test_progress_typed_in_one_line_is_saved_with_the_line_saved_next_to_it(report, csco_danang):
    """Type progress into line A, then save with line B changed too: both are stored by the one save."""
    officer = client_of(csco_danang)
    line = lines(report)
    fields = opened(officer, report)
    fields.update(line_fields(line["A111"], {"progress": "The operation centre runs in three districts."}))
    fields.update(line_fields(line["A112"], {"percent_complete": "60", "progress": "Sensors installed."}))

    answer = officer.post(url(report), fields)

    assert (answer.status_code, answer["Location"]) == (302, url(report))
    assert said(answer) == ["Saved."]
    assert stored(report) == {
        "summary": ("",),
        "A111": ("ongoing", None, "The operation centre runs in three districts.", "", "", False),
        "A112": ("ongoing", 60, "Sensors installed.", "", "", False),
        "SCAP18-DN1": ("planning", None, "", "", "", False),
    }
    assert audit_of(report) == [
        ("A111", "csco-dn", {"progress": ["", "The operation centre runs in three districts."]}, "web"),
        ("A112", "csco-dn", {"percent_complete": [None, 60], "progress": ["", "Sensors installed."]}, "web"),
    ]


def test_a_refused_line_stores_nothing_and_every_typed_value_comes_back(report, csco_danang):
    """A completed project at 90 percent in the same save as another line, the summary and the highlight:
    nothing is written, the page comes back with both lines as typed and the error beside the field; fixed,
    the same form saves everything."""
    officer = client_of(csco_danang)
    line = lines(report)
    a111, a112 = line["A111"].pk, line["A112"].pk
    before, entries = stored(report), AuditEntry.objects.count()
    fields = opened(officer, report)
    typed = {
        "summary": "Two centres running.", "highlight": str(a112),
        **line_fields(line["A111"], {"status": "completed", "percent_complete": "90", "progress": "Opened in June.",
                                     "partner_support": "JICA training"}),
        **line_fields(line["A112"], {"percent_complete": "60", "progress": "Sensors installed.",
                                     "challenges": "Late deliveries"}),
    }
    fields.update(typed)

    answer = officer.post(url(report), fields)

    html = answer.content.decode()
    assert answer.status_code == 422
    assert stored(report) == before and AuditEntry.objects.count() == entries  # nothing written
    kept = form_fields(html, "report-form")
    assert {name: kept[name] for name in typed} == typed
    assert kept["version"] == fields["version"] and kept["opened_at"] == fields["opened_at"]
    # The error beside its field, tied to it for assistive technology, and listed at the top.
    field_id = f"id_line-{a111}-percent_complete"
    assert f'<small class="field-error" id="{field_id}_error">{COMPLETED_AT_100}</small>' in html
    assert re.search(rf'<input type="number" name="line-{a111}-percent_complete" value="90" min="0" max="100" '
                     rf'aria-invalid="true" aria-describedby="{field_id}_error" id="{field_id}">', html)
    assert f'<label for="{field_id}">Percent complete:</label>' in html
    summary = html[html.index('data-testid="problems"'):]
    summary = summary[:summary.index("</div>")]
    assert 'role="alert" tabindex="-1" autofocus' in html[html.index('<div class="error error-summary"'):]
    assert "Nothing was saved: 1 problem, listed below." in summary
    assert re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary) == [
        (field_id, f"A111 · Intelligent Operation Centre: Percent complete: {COMPLETED_AT_100}")]
    assert 'data-dirty="true"' in html  # the unsaved-edits guard keeps watching what came back

    kept[f"line-{a111}-percent_complete"] = "100"
    answer = officer.post(url(report), kept)

    assert (answer.status_code, answer["Location"]) == (302, url(report))
    assert stored(report) == {
        "summary": ("Two centres running.",),
        "A111": ("completed", 100, "Opened in June.", "JICA training", "", False),
        "A112": ("ongoing", 60, "Sensors installed.", "", "Late deliveries", True),
        "SCAP18-DN1": ("planning", None, "", "", "", False),
    }
    assert [(what, changes) for what, _who, changes, _via in audit_of(report)] == [
        ("A111", {"status": ["ongoing", "completed"], "percent_complete": [None, 100],
                  "progress": ["", "Opened in June."], "partner_support": ["", "JICA training"]}),
        ("A112", {"percent_complete": [None, 60], "progress": ["", "Sensors installed."],
                  "challenges": ["", "Late deliveries"], "is_highlighted": [False, True]}),
        ("report", {"summary": ["", "Two centres running."]}),
    ]


def test_every_problem_is_listed_at_once_in_page_order(report, csco_danang):
    officer = client_of(csco_danang)
    line = lines(report)
    fields = opened(officer, report)
    fields.update({"summary": "x" * 20001,
                   **line_fields(line["A111"], {"status": "completed", "percent_complete": "90"}),
                   **line_fields(line["A112"], {"percent_complete": "150"}),
                   **line_fields(line["SCAP18-DN1"], {"status": ""})})
    before = stored(report)

    html = officer.post(url(report), fields).content.decode()

    assert stored(report) == before
    assert "Nothing was saved: 4 problems, listed below." in html
    summary = html[html.index('data-testid="problems"'):]
    assert re.findall(r'<li><a href="#([^"]+)">', summary[:summary.index("</div>")]) == [
        "id_summary", f"id_line-{line['A111'].pk}-percent_complete", f"id_line-{line['A112'].pk}-percent_complete",
        f"id_line-{line['SCAP18-DN1'].pk}-status"]
    assert "Ensure this value has at most 20000 characters (it has 20001)." in summary
    assert "Ensure this value is less than or equal to 100." in summary and "This field is required." in summary


# --- Two tabs, or coming back late ----------------------------------------------------------------


def test_a_form_opened_before_someone_elses_save_is_refused_and_says_who_and_when(report, csco_danang):
    colleague = make_user("lan.dn", "city_officer", city="da-nang", first_name="Lan", last_name="Pham")
    mine, theirs = client_of(csco_danang), client_of(colleague)
    line = lines(report)
    my_form, their_form = opened(mine, report), opened(theirs, report)
    their_form.update(line_fields(line["A111"], {"progress": "Their account of the year."}))
    assert theirs.post(url(report), their_form).status_code == 302
    after_theirs = stored(report)
    their_entry = AuditEntry.objects.filter(action="update").latest("id")
    my_form.update({"summary": "My summary.",
                    **line_fields(line["A112"], {"progress": "My account of A112."})})

    answer = mine.post(url(report), my_form)

    html = answer.content.decode()
    assert answer.status_code == 409
    assert stored(report) == after_theirs  # their change stands, nothing of mine is written
    when = formats.date_format(timezone.localtime(their_entry.created_at), "DATETIME_FORMAT")
    assert (f"Lan Pham saved this report on {when}, after you opened it. Nothing was saved, so that their changes "
            "are not overwritten") in html
    kept = form_fields(html, "report-form")
    assert (kept["summary"], kept[f"line-{line['A112'].pk}-progress"]) == ("My summary.", "My account of A112.")
    assert kept[f"line-{line['A111'].pk}-progress"] == ""  # what I had, with what they saved noted beside it
    assert f"Lan Pham saved here on {when}: “Their account of the year.”." in html
    assert html.count('data-testid="note"') == 1
    assert kept["version"] != my_form["version"]

    # Told, I save again: my form replaces theirs, knowingly.
    assert mine.post(url(report), kept).status_code == 302
    assert stored(report)["A111"][2] == "" and stored(report)["A112"][2] == "My account of A112."


def test_a_stale_form_with_its_own_problems_lists_both(report, csco_danang, secretariat):
    officer = client_of(csco_danang)
    line = lines(report)
    fields = opened(officer, report)
    actions.save_report(secretariat, report, {"summary": "Changed by the Secretariat."})
    fields.update(line_fields(line["A111"], {"percent_complete": "150"}))

    answer = officer.post(url(report), fields)

    html = answer.content.decode()
    assert answer.status_code == 409
    assert "Nothing was saved: 2 problems, listed below." in html
    assert "sec saved this report on" in html  # the account has no name: its user name
    assert "Ensure this value is less than or equal to 100." in html


def test_a_step_of_the_workflow_in_between_does_not_make_the_form_stale(report, csco_danang, nr_vietnam):
    officer = client_of(csco_danang)
    fields = opened(officer, report)
    actions.transition_report(csco_danang, report, "submit")
    actions.transition_report(nr_vietnam, report, "return", "Add the water figures.")
    fields["summary"] = "Water figures added."
    assert officer.post(url(report), fields).status_code == 302
    assert stored(report)["summary"] == ("Water figures added.",)


# --- Who may save, and when -----------------------------------------------------------------------


def test_only_the_citys_officers_and_the_secretariat_save_and_others_change_nothing(report, csco_danang, nr_vietnam,
                                                                                  partner_jica, secretariat):
    fields = opened(client_of(csco_danang), report)
    fields["summary"] = "Not yours to write."
    before, entries = snapshot(report), AuditEntry.objects.count()
    assert client_of(nr_vietnam).post(url(report), fields).status_code == 403
    assert client_of(make_user("csco-hn", "city_officer", city="ha-noi")).post(url(report),
                                                                               fields).status_code == 404
    assert client_of(partner_jica).post(url(report), fields).status_code == 404
    anonymous = Client().post(url(report), fields)
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/accounts/login/?next={url(report)}")
    assert snapshot(report) == before and AuditEntry.objects.count() == entries
    assert 'id="report-form"' not in client_of(nr_vietnam).get(url(report)).content.decode()

    fields["summary"] = "Written by the Secretariat."
    assert client_of(secretariat).post(url(report), fields).status_code == 302
    assert stored(report)["summary"] == ("Written by the Secretariat.",)


def test_a_submitted_report_refuses_the_save_and_keeps_what_was_typed(round_2025, csco_danang, secretariat):
    report = started(round_2025, csco_danang)
    officer = client_of(csco_danang)
    fields = opened(officer, report)
    actions.transition_report(secretariat, report, "submit")  # in another tab, say
    fields["summary"] = "Typed after the submission."
    before = snapshot(report)

    answer = officer.post(url(report), fields)

    html = answer.content.decode()
    assert answer.status_code == 422 and snapshot(report) == before
    assert "The report is submitted: it can be changed only while it is a draft or returned." in html
    assert form_fields(html, "report-form")["summary"] == "Typed after the submission."
    assert "Save the report" not in html


# --- Save and submit, the highlight ---------------------------------------------------------------


def test_save_and_submit_saves_first_then_submits(report, csco_danang):
    officer = client_of(csco_danang)
    line = lines(report)
    fields = opened(officer, report)
    fields.update({"then": "submit", **line_fields(line["A111"], {"status": "completed", "percent_complete": "100"})})
    answer = officer.post(url(report), fields)
    assert (answer.status_code, answer["Location"]) == (302, url(report))
    assert said(answer) == ["Saved and submitted: the report of Da Nang now waits on the National Representative."]
    report.refresh_from_db()
    assert report.state == "submitted" and stored(report)["A111"][:2] == ("completed", 100)


def test_a_refused_submission_keeps_the_save_and_says_why(report, csco_danang):
    officer = client_of(csco_danang)
    line = lines(report)
    fields = opened(officer, report)
    fields.update({"then": "submit", **line_fields(line["A111"], {"status": "completed", "percent_complete": "",
                                                                  "progress": "Opened in June."})})
    answer = officer.post(url(report), fields)
    assert answer.status_code == 302
    assert said(answer) == ["Your changes are saved, but the report was not submitted: “Intelligent Operation "
                            "Centre” is completed: give 100 as its percent complete."]
    report.refresh_from_db()
    assert report.state == "draft" and stored(report)["A111"][:3] == ("completed", None, "Opened in June.")


def test_one_highlight_per_report_chosen_or_cleared_on_the_form(report, csco_danang):
    officer = client_of(csco_danang)
    line = lines(report)
    fields = opened(officer, report)
    assert fields["highlight"] == ""  # "No highlighted project" is chosen
    fields["highlight"] = str(line["A111"].pk)
    officer.post(url(report), fields)
    fields = opened(officer, report)
    assert fields["highlight"] == str(line["A111"].pk)
    fields["highlight"] = str(line["SCAP18-DN1"].pk)
    officer.post(url(report), fields)
    assert [ref for ref, values in stored(report).items() if values[-1] is True] == ["SCAP18-DN1"]
    fields = opened(officer, report)
    fields["highlight"] = ""
    assert said(officer.post(url(report), fields)) == ["Saved."]
    assert [ref for ref, values in stored(report).items() if values[-1] is True] == []
    assert said(officer.post(url(report), opened(officer, report))) == [
        "Nothing to save: the report was already as shown."]


def test_the_page_offers_the_one_form_with_its_guard_and_no_separate_submit(report, csco_danang):
    html = client_of(csco_danang).get(url(report)).content.decode()
    form = html[html.index('<form id="report-form"'):html.index("</form>", html.index('<form id="report-form"'))]
    assert 'data-warn-unsaved="This report has changes that are not saved. Leave the page and lose them?"' in form
    assert "data-dirty" not in form and 'data-unsaved-status hidden' in form
    assert form.count('type="submit"') == 2 and 'name="then" value="submit"' in form
    assert 'data-action="submit"' not in html
    assert "Submit the report with “Save and submit” at the end of the report" in html
    assert '<script src="/static/js/unsaved.js" defer></script>' in html


# --- The action -----------------------------------------------------------------------------------


def test_the_action_checks_everything_before_writing_anything(report, csco_danang):
    line = lines(report)
    a111, a112 = line["A111"].pk, line["A112"].pk
    before, entries = stored(report), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        actions.save_report(csco_danang, report, {"summary": "Kept?", "lines": {
            a111: {"status": "completed", "percent_complete": 90},
            a112: {"percent_complete": 60, "colour": "blue", "is_highlighted": True},
            999999: {"progress": "Nobody's line"}}})
    assert caught.value.message_dict == {
        f"lines.{a111}.percent_complete": [COMPLETED_AT_100],
        f"lines.{a112}.colour": ["This field cannot be set here."],
        "lines.999999": ["This report has no project line 999999."],
    }
    with pytest.raises(ValidationError) as caught:
        actions.save_report(csco_danang, report, {"lines": {a111: {"is_highlighted": True},
                                                            a112: {"is_highlighted": True}}})
    one = ["Highlight one project only: the M&E report features one project per city."]
    assert caught.value.message_dict == {f"lines.{a111}.is_highlighted": one, f"lines.{a112}.is_highlighted": one}
    with pytest.raises(ValidationError) as caught:
        actions.save_report(csco_danang, report, {"lines": {a111: {"status": "ongoing"}}}, whole=True)
    assert caught.value.message_dict == {
        "summary": ["Give the summary (it may be empty)."],
        **{f"lines.{a111}.{name}": ["Give this field: the whole line is saved."]
           for name in ("challenges", "is_highlighted", "partner_support", "percent_complete", "progress")},
        "lines": ["Every project line is saved together; missing: Smart Water Management System, Intelligent "
                  "Traffic Control System."],
    }
    assert stored(report) == before and AuditEntry.objects.count() == entries


def test_the_action_saves_parts_and_returns_what_changed(report, csco_danang):
    line = lines(report)
    changes = actions.save_report(csco_danang, report, {"lines": {line["A112"].pk: {"percent_complete": 35,
                                                                                   "is_highlighted": True}}})
    assert (changes.report, changes.lines) == ({}, {line["A112"].pk: {"percent_complete": [None, 35],
                                                                      "is_highlighted": [False, True]}})
    changes = actions.save_report(csco_danang, report, {"summary": "A good year.",
                                                        "lines": {line["A111"].pk: {"is_highlighted": True}}})
    assert changes.report == {"summary": ["", "A good year."]}
    assert changes.lines == {line["A111"].pk: {"is_highlighted": [False, True]},
                             line["A112"].pk: {"is_highlighted": [True, False]}}
    assert report.summary == "A good year."
    assert not actions.save_report(csco_danang, report, {"summary": "A good year."})


def test_the_action_refuses_a_stale_version_with_the_changes_made_since(report, csco_danang, secretariat):
    line = lines(report)
    all_lines = list(report.project_lines.all())
    version = actions.report_version(report, all_lines)
    opened_at = timezone.now()
    actions.save_report(secretariat, report, {"lines": {line["A111"].pk: {"progress": "Updated.",
                                                                          "percent_complete": 40}}})
    actions.transition_report(secretariat, report, "submit")
    actions.transition_report(secretariat, report, "return", "Check A111.")
    before = stored(report)
    with pytest.raises(actions.StaleReport) as caught:
        actions.save_report(csco_danang, report, {"summary": "Mine."}, version=version, opened_at=opened_at)
    assert [(c.who, c.keys) for c in caught.value.changes] == [
        ("sec", (f"lines.{line['A111'].pk}.percent_complete", f"lines.{line['A111'].pk}.progress"))]
    assert list(caught.value.message_dict) == ["version"]
    assert stored(report) == before
    fresh = actions.report_version(report, list(report.project_lines.all()))
    assert fresh != version
    assert actions.save_report(csco_danang, report, {"summary": "Mine."}, version=fresh).report == {
        "summary": ["", "Mine."]}


def test_the_version_follows_the_content_only(report, secretariat):
    all_lines = list(report.project_lines.all())
    version = actions.report_version(report, all_lines)
    assert version == actions.report_version(report, list(reversed(all_lines)))
    CityReport.objects.filter(pk=report.pk).update(due_on=dt.date(2025, 11, 30), state="returned")
    report.refresh_from_db()
    assert actions.report_version(report, list(report.project_lines.all())) == version
    report.summary = "Changed."
    assert actions.report_version(report, all_lines) != version


def test_the_single_line_save_keeps_its_field_names_and_refusals(report, csco_danang, nr_vietnam):
    line = report.project_lines.select_related("project", "report__city").get(project__reference="A112")
    with pytest.raises(ValidationError) as caught:
        actions.update_project_line(csco_danang, line, {"status": "completed", "percent_complete": 80})
    assert caught.value.message_dict == {"percent_complete": [COMPLETED_AT_100]}
    with pytest.raises(ValidationError) as caught:
        actions.update_project_line(csco_danang, line, {"report": 3})
    assert caught.value.message_dict == {"report": ["This field cannot be set here."]}
    with pytest.raises(PermissionDenied):
        actions.update_project_line(nr_vietnam, line, {"percent_complete": 80})
    assert actions.update_project_line(csco_danang, line, {"percent_complete": 80}) == {
        "percent_complete": [None, 80]}
    assert line.percent_complete == 80


def test_a_form_with_a_mangled_version_is_refused_as_stale_not_saved(report, csco_danang):
    officer = client_of(csco_danang)
    fields = opened(officer, report)
    fields.update({"version": "not-a-version", "opened_at": "yesterday", "summary": "Typed."})
    answer = officer.post(url(report), fields)
    html = answer.content.decode()
    assert answer.status_code == 409 and stored(report)["summary"] == ("",)
    assert "This report was changed after you opened it. Nothing was saved" in html
    assert form_fields(html, "report-form")["summary"] == "Typed."
