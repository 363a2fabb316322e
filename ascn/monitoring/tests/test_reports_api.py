"""The API of the city annual reports: the workflow end to end, refusals, visibility and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ascn.core.models import AuditEntry
from ascn.monitoring.actions import reports as actions
from ascn.monitoring.models import CityReport, ReportTransition
from ascn.plans.models import ProgressUpdate, Project

from .test_reports import (  # noqa: F401
    city,
    history,
    media_root_fixture,
    on_day_fixture,
    round_2025_fixture,
    snapshot,
    started,
    submitted,
)

pytestmark = pytest.mark.django_db


def test_the_full_workflow_through_the_api(round_2025, csco_danang, nr_vietnam, secretariat, api_as, on_day):
    officer, nr, desk = api_as(csco_danang), api_as(nr_vietnam), api_as(secretariat)
    answer = officer.post("/monitoring/city-reports", {"year": 2025, "city": "da-nang"})
    assert answer.status_code == 201
    body = answer.json()
    pk = body["id"]
    assert (body["year"], body["city"], body["country"], body["state"], body["waiting_on"], body["actions"]) == (
        2025, "da-nang", "VNM", "draft", "city_officer", ["submit"])
    assert [(ln["reference"], ln["status"], ln["percent_complete"]) for ln in body["lines"]] == [
        ("A111", "ongoing", None), ("A112", "ongoing", None), ("SCAP18-DN1", "planning", None)]
    assert officer.post("/monitoring/city-reports", {"year": 2025, "city": "da-nang"}).status_code == 200

    assert officer.patch(f"/monitoring/city-reports/{pk}", {"summary": "A good year."}).json()["summary"] == \
        "A good year."
    line = body["lines"][2]
    changed = officer.patch(f"/monitoring/city-reports/{pk}/lines/{line['id']}",
                            {"status": "ongoing", "percent_complete": 15, "challenges": "Land acquisition"})
    assert changed.status_code == 200
    assert (changed.json()["status"], changed.json()["percent_complete"], changed.json()["challenges"]) == (
        "ongoing", 15, "Land acquisition")

    steps = [(officer, "submit", "draft", "submitted"), (nr, "endorse", "submitted", "endorsed"),
             (desk, "accept", "endorsed", "accepted")]
    for client, action, before, after in steps:
        answer = client.post(f"/monitoring/city-reports/{pk}/transitions", {"action": action, "reason": ""})
        assert answer.status_code == 201
        assert {k: answer.json()[k] for k in ("action", "from_state", "to_state")} == {
            "action": action, "from_state": before, "to_state": after}

    detail = officer.get(f"/monitoring/city-reports/{pk}").json()
    assert (detail["state"], detail["waiting_on"], detail["actions"]) == ("accepted", None, [])
    assert [(t["action"], t["actor"]) for t in detail["transitions"]] == [
        ("submit", "csco-dn"), ("endorse", "nr-vn"), ("accept", "sec")]
    assert desk.get(f"/monitoring/city-reports/{pk}").json()["actions"] == ["reopen"]
    # The traffic system moved from planning to ongoing with the accepted report (a new update of 30 Sep).
    update = ProgressUpdate.objects.get(project__reference="SCAP18-DN1", date=dt.date(2025, 9, 30))
    assert (update.status, update.percent_complete, update.challenges, update.author) == (
        "ongoing", 15, "Land acquisition", secretariat)
    assert Project.objects.get(reference="SCAP18-DN1").status == "ongoing"


def test_refusals_answer_in_the_api_format_and_change_nothing(round_2025, csco_danang, nr_thailand,
                                                                     nr_vietnam, secretariat, api_as, on_day):
    report = submitted(round_2025, secretariat)
    path = f"/monitoring/city-reports/{report.pk}/transitions"
    before = snapshot(report)

    answer = api_as(nr_vietnam).post(path, {"action": "return", "reason": ""})
    assert answer.status_code == 422
    assert answer.json() == {"detail": "reason: Give the reason to return the report.", "code": "invalid_record",
                             "errors": [{"field": "reason", "message": "Give the reason to return the report."}]}
    answer = api_as(nr_thailand).post(path, {"action": "endorse", "reason": ""})
    assert answer.status_code == 404  # outside the NR's scope: not even visible
    answer = api_as(csco_danang).post(path, {"action": "endorse", "reason": ""})
    assert answer.json() == {"detail": "You may not endorse the annual report of Da Nang.",
                             "code": "permission_denied"}
    answer = api_as(nr_vietnam).post(path, {"action": "approve", "reason": ""})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "action"
    assert api_as(csco_danang).patch(f"/monitoring/city-reports/{report.pk}", {"summary": "x"}).status_code == 422
    assert api_as(csco_danang).get(f"/monitoring/city-reports/{report.pk}").json()["actions"] == []
    assert snapshot(report) == before

    actions.transition_report(nr_vietnam, report, "endorse")
    answer = api_as(csco_danang).post(path, {"action": "accept", "reason": ""})
    assert (answer.status_code, answer.json()["code"]) == (403, "permission_denied")
    answer = api_as(nr_vietnam).post(path, {"action": "return", "reason": "Redo."})
    assert answer.json()["detail"] == "Your role may not return a report that is endorsed."
    assert ReportTransition.objects.filter(report=report).count() == 2

    answer = api_as(secretariat).post(path, {"action": "accept", "reason": ""})
    assert answer.status_code == 201
    line = report.project_lines.first()
    answer = api_as(secretariat).patch(f"/monitoring/city-reports/{report.pk}/lines/{line.pk}",
                                       {"percent_complete": 90})
    assert answer.json()["errors"] == [{"field": "state", "message":
                                        "The report is accepted and locked; the Secretariat can reopen it with a "
                                        "reason."}]
    answer = api_as(secretariat).post(path, {"action": "reopen", "reason": "Correct A111."})
    assert (answer.status_code, answer.json()["to_state"], answer.json()["reason"]) == (201, "returned",
                                                                                         "Correct A111.")
    assert api_as(secretariat).patch(f"/monitoring/city-reports/{report.pk}/lines/{line.pk}",
                                     {"percent_complete": 90}).json()["percent_complete"] == 90


def test_writes_need_a_token_and_a_role(round_2025, api, api_as, partner_jica, nr_vietnam):
    assert api.post("/monitoring/city-reports", {"year": 2025, "city": "da-nang"}).status_code == 401
    answer = api_as(nr_vietnam).post("/monitoring/city-reports", {"year": 2025, "city": "da-nang"})
    assert (answer.status_code, answer.json()["detail"]) == (403, "You may not start the annual report of Da Nang.")
    assert api_as(partner_jica).post("/monitoring/city-reports", {"year": 2025, "city": "da-nang"}).status_code == 403
    assert api_as(nr_vietnam).post("/monitoring/city-reports", {"year": 1999, "city": "da-nang"}).status_code == 404
    assert CityReport.objects.count() == 0
    assert api.get("/monitoring/inbox").status_code == 401


def test_the_list_shows_only_what_the_caller_may_see(round_2025, secretariat, api, api_as, partner_jica,
                                                     nr_vietnam):
    actions.open_round_reports(secretariat, round_2025)
    accepted = CityReport.objects.get(city__slug="chiang-mai")
    for step in ("submit", "endorse", "accept"):
        actions.transition_report(secretariat, accepted, step)

    public = api.get("/monitoring/city-reports").json()
    assert (public["count"], [r["city"] for r in public["items"]]) == (1, ["chiang-mai"])
    assert api_as(partner_jica).get("/monitoring/city-reports").json()["count"] == 1
    draft = CityReport.objects.get(city__slug="da-nang")
    assert api.get(f"/monitoring/city-reports/{draft.pk}").status_code == 404
    assert api_as(partner_jica).get(f"/monitoring/city-reports/{draft.pk}").status_code == 404
    vietnam = api_as(nr_vietnam).get("/monitoring/city-reports?country=VNM&state=draft&year=2025").json()
    assert [r["city"] for r in vietnam["items"]] == ["da-nang", "ha-noi", "ho-chi-minh-city"]
    desk = api_as(secretariat)
    assert desk.get("/monitoring/city-reports?limit=100").json()["count"] == 35
    assert desk.get("/monitoring/city-reports?state=accepted").json()["items"][0]["city"] == "chiang-mai"
    assert desk.get("/monitoring/city-reports?city=da-nang").json()["items"][0]["state"] == "draft"


def test_the_list_endpoint_takes_the_same_queries_for_2_or_35_reports(round_2025, secretariat, api_as):
    desk = api_as(secretariat)
    for slug in ("da-nang", "ha-noi"):
        started(round_2025, secretariat, slug)
    desk.get("/monitoring/city-reports")
    with CaptureQueriesContext(connection) as small:
        assert desk.get("/monitoring/city-reports?limit=100").json()["count"] == 2
    actions.open_round_reports(secretariat, round_2025)
    with CaptureQueriesContext(connection) as large:
        assert len(desk.get("/monitoring/city-reports?limit=100").json()["items"]) == 35
    # Token, count, the page.
    assert len(small) == len(large) == 3


def whole(body: dict, **changes: dict) -> dict:
    """The report as GET gives it, as PUT takes it, with some lines changed: `A111={...}`."""
    lines = []
    for line in body["lines"]:
        fields = {k: line[k] for k in ("id", "status", "percent_complete", "progress", "partner_support",
                                       "challenges", "is_highlighted")}
        lines.append({**fields, **changes.get(line["reference"], {})})
    return {"version": body["version"], "summary": body["summary"], "lines": lines}


def stored_lines(report: CityReport) -> list[tuple]:
    return list(report.project_lines.order_by("project__reference").values_list(
        "project__reference", "status", "percent_complete", "progress", "is_highlighted"))


def test_a_whole_report_is_put_at_once_or_not_at_all(round_2025, csco_danang, api_as, on_day):
    report = started(round_2025, csco_danang)
    officer = api_as(csco_danang)
    body = officer.get(f"/monitoring/city-reports/{report.pk}").json()
    before, entries = stored_lines(report), AuditEntry.objects.count()

    refused = officer.put(f"/monitoring/city-reports/{report.pk}", {
        **whole(body, A111={"status": "completed", "percent_complete": 90, "progress": "Opened in June."},
                A112={"percent_complete": 60, "progress": "Sensors installed.", "is_highlighted": True}),
        "summary": "Two centres running."})
    a111 = next(line["id"] for line in body["lines"] if line["reference"] == "A111")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": f"lines.{a111}.percent_complete",
                                         "message": "A completed project is 100 percent complete."}]
    assert stored_lines(report) == before and AuditEntry.objects.count() == entries
    report.refresh_from_db()
    assert report.summary == ""

    saved = officer.put(f"/monitoring/city-reports/{report.pk}", {
        **whole(body, A111={"status": "completed", "percent_complete": 100, "progress": "Opened in June."},
                A112={"percent_complete": 60, "progress": "Sensors installed.", "is_highlighted": True}),
        "summary": "Two centres running."})
    assert saved.status_code == 200
    assert (saved.json()["summary"], saved.json()["version"] != body["version"]) == ("Two centres running.", True)
    assert stored_lines(report) == [("A111", "completed", 100, "Opened in June.", False),
                                    ("A112", "ongoing", 60, "Sensors installed.", True),
                                    ("SCAP18-DN1", "planning", None, "", False)]
    assert AuditEntry.objects.filter(via="api", actor=csco_danang).count() == 3  # two lines and the summary

    # The first version read is stale now: refused, naming who saved since.
    stale = officer.put(f"/monitoring/city-reports/{report.pk}", whole(body))
    assert (stale.status_code, stale.json()["code"]) == (409, "conflict")
    assert stale.json()["detail"].startswith("csco-dn saved this report on ")
    assert stored_lines(report)[0][1:3] == ("completed", 100)


def test_a_put_names_every_line_once(round_2025, csco_danang, nr_vietnam, api, api_as, on_day):
    report = started(round_2025, csco_danang)
    officer = api_as(csco_danang)
    body = officer.get(f"/monitoring/city-reports/{report.pk}").json()
    payload = whole(body)
    missing = officer.put(f"/monitoring/city-reports/{report.pk}", {**payload, "lines": payload["lines"][:2]})
    assert (missing.status_code, missing.json()["errors"]) == (422, [
        {"field": "lines", "message": "Every project line is saved together; missing: Intelligent Traffic Control "
                                      "System."}])
    twice = officer.put(f"/monitoring/city-reports/{report.pk}", {**payload, "lines": payload["lines"] +
                                                                  payload["lines"][:1]})
    assert (twice.status_code, twice.json()["detail"]) == (422, f"Line {payload['lines'][0]['id']} is given twice.")
    two = whole(body, A111={"is_highlighted": True}, A112={"is_highlighted": True})
    assert [e["message"] for e in officer.put(f"/monitoring/city-reports/{report.pk}", two).json()["errors"]] == [
        "Highlight one project only: the M&E report features one project per city."] * 2
    assert api_as(nr_vietnam).put(f"/monitoring/city-reports/{report.pk}", payload).status_code == 403
    assert api.put(f"/monitoring/city-reports/{report.pk}", payload).status_code == 401
    assert AuditEntry.objects.filter(via="api").count() == 0


def test_the_line_patch_saves_through_the_same_action(round_2025, csco_danang, api_as, on_day):
    report = started(round_2025, csco_danang)
    officer = api_as(csco_danang)
    line = report.project_lines.get(project__reference="A112")
    refused = officer.patch(f"/monitoring/city-reports/{report.pk}/lines/{line.pk}",
                            {"status": "completed", "percent_complete": 90})
    assert refused.json()["errors"] == [{"field": "percent_complete",
                                         "message": "A completed project is 100 percent complete."}]
    changed = officer.patch(f"/monitoring/city-reports/{report.pk}/lines/{line.pk}", {"is_highlighted": True})
    assert (changed.status_code, changed.json()["is_highlighted"]) == (200, True)
    entry = AuditEntry.objects.get(via="api")
    assert (entry.object_id, entry.changes, entry.via) == (str(line.pk), {"is_highlighted": [False, True]}, "api")
