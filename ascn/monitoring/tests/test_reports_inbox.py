"""Each account's inbox of annual reports, the dashboard summary, and the daily reminder e-mails."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ascn.core.models import User
from ascn.core.templatetags.dates import day_words, deadline_words
from ascn.monitoring.actions import reports as actions
from ascn.monitoring.actions import rounds as round_actions
from ascn.monitoring.models import CityReport, ReminderSent, ReportingRound
from ascn.monitoring.queries import reports as queries
from ascn.monitoring.tasks.reports import send_report_reminders
from conftest import make_user

from .test_reports import city, client_of, media_root_fixture, on_day_fixture, round_2025_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(round_2025, secretariat) -> dict[str, CityReport]:
    """Da Nang drafting, Ha Noi and Chiang Mai submitted, Ho Chi Minh City endorsed, Phuket accepted."""
    steps = {"da-nang": [], "ha-noi": ["submit"], "chiang-mai": ["submit"], "ho-chi-minh-city": ["submit", "endorse"],
             "phuket": ["submit", "endorse", "accept"]}
    result = {}
    for slug, actions_taken in steps.items():
        report = actions.start_report(secretariat, round_2025, city(slug))
        for action in actions_taken:
            actions.transition_report(secretariat, report, action)
        result[slug] = report
    return result


def rows(items) -> list[tuple]:
    return [(i.city.slug, i.state, i.overdue, i.days_left) for i in items]


def test_a_city_officer_sees_their_draft_due_then_overdue_then_waiting(reports, csco_danang, on_day):
    box = queries.inbox(csco_danang)
    assert (rows(box.due), box.overdue, box.waiting) == ([("da-nang", "draft", False, 11)], [], [])
    on_day(dt.date(2025, 11, 5))
    box = queries.inbox(csco_danang)
    assert (box.due, rows(box.overdue)) == ([], [("da-nang", "draft", True, -5)])
    assert box.overdue[0].days_overdue == 5
    actions.transition_report(csco_danang, reports["da-nang"], "submit")
    box = queries.inbox(csco_danang)
    assert (box.due, box.overdue, rows(box.waiting)) == ([], [], [("da-nang", "submitted", False, -5)])


def test_a_city_without_a_report_is_asked_to_start_it(reports, on_day):
    officer = make_user("csco-bkk", "city_officer", city="bangkok")
    box = queries.inbox(officer)
    assert rows(box.due) == [("bangkok", "not_started", False, 11)] and box.due[0].report is None
    page = client_of(officer).get("/monitoring/inbox/").content.decode()
    assert 'data-city="bangkok" data-state="not_started"' in page and "Start it" in page


def test_a_national_representative_sees_submitted_reports_of_their_country(reports, nr_vietnam, nr_thailand,
                                                                           on_day):
    box = queries.inbox(nr_vietnam)
    assert rows(box.due) == [("ha-noi", "submitted", False, 11)] and box.overdue == []
    assert rows(box.waiting) == [("da-nang", "draft", False, 11), ("ho-chi-minh-city", "endorsed", False, 11)]
    assert rows(queries.inbox(nr_thailand).due) == [("chiang-mai", "submitted", False, 11)]
    # After the close the draft of Da Nang is overdue (the NR sees it there too); Ha Noi submitted on time and
    # still waits for the NR, without being late.
    on_day(dt.date(2025, 11, 1))
    box = queries.inbox(nr_vietnam)
    assert rows(box.overdue) == [("da-nang", "draft", True, -1)]
    assert rows(box.due) == [("ha-noi", "submitted", False, -1)]
    assert rows(box.waiting) == [("ho-chi-minh-city", "endorsed", False, -1)]


def test_the_secretariat_sees_endorsed_reports_and_every_citys_state(reports, secretariat, on_day):
    box = queries.inbox(secretariat)
    assert rows(box.due) == [("ho-chi-minh-city", "endorsed", False, 11)]
    assert rows(box.waiting) == [("chiang-mai", "submitted", False, 11), ("ha-noi", "submitted", False, 11)]
    (block,) = box.overview
    assert (block["round"].year, block["open"], len(block["rows"])) == (2025, True, 35)
    assert [(value, n) for value, _label, n in block["counts"]] == [
        ("not_started", 30), ("draft", 1), ("submitted", 2), ("endorsed", 1), ("accepted", 1), ("returned", 0)]
    desk = client_of(secretariat)
    desk.get("/monitoring/inbox/")
    with CaptureQueriesContext(connection) as counted:
        page = desk.get("/monitoring/inbox/").content.decode()
    assert 'data-testid="due-count">1<' in page and 'data-testid="waiting-count">2<' in page
    assert "Not started: 30" in page and "Accepted: 1" in page
    # Session, user, submitted and endorsed, active rounds, rounds with their cities (2), the rounds' reports.
    assert len(counted) == 7


def test_the_inbox_page_has_empty_states_and_needs_an_account(reports, partner_jica, csco_danang, on_day):
    page = client_of(partner_jica).get("/monitoring/inbox/").content.decode()
    assert "your role has no step in them" in page and "Nothing overdue." in page
    assert "Nothing waits for you." in page and "Nothing in your scope waits on someone else." in page
    assert client_of(partner_jica).get("/monitoring/inbox/").status_code == 200
    assert Client().get("/monitoring/inbox/")["Location"] == "/accounts/login/?next=/monitoring/inbox/"
    dashboard = client_of(csco_danang).get("/workspace/").content.decode()
    assert "1 report waits for you" in dashboard and "/monitoring/inbox/" in dashboard


def test_the_inbox_endpoint(reports, nr_vietnam, secretariat, api_as, on_day):
    body = api_as(nr_vietnam).get("/monitoring/inbox").json()
    assert body["due"] == [{"year": 2025, "city": "ha-noi", "city_name": "Ha Noi", "country": "VNM",
                            "report": reports["ha-noi"].pk, "state": "submitted", "closes_on": "2025-10-31",
                            "deadline": "2025-10-31", "extended": False,
                            "overdue": False, "days_left": 11}]
    assert (body["overdue"], [w["city"] for w in body["waiting"]]) == ([], ["da-nang", "ho-chi-minh-city"])

    # After the closing date, with the round closed: Da Nang's extension is its deadline.
    on_day(dt.date(2025, 11, 4))
    round_actions.extend_deadline(secretariat, reports["da-nang"].round, city("da-nang"), dt.date(2025, 11, 15),
                                  "Census figures")
    round_actions.close_round(secretariat, reports["da-nang"].round)
    waiting = {w["city"]: w for w in api_as(nr_vietnam).get("/monitoring/inbox").json()["waiting"]}
    assert {k: waiting["da-nang"][k] for k in ("closes_on", "deadline", "extended", "overdue", "days_left")} == {
        "closes_on": "2025-10-31", "deadline": "2025-11-15", "extended": True, "overdue": False, "days_left": 11}
    # Its report waits on the reviewers: not late, however late the day.
    assert {k: waiting["ho-chi-minh-city"][k] for k in ("state", "deadline", "extended", "overdue")} == {
        "state": "endorsed", "deadline": "2025-10-31", "extended": False, "overdue": False}
    # A city that had not submitted when the round closed, without an extension, has nothing left to do.
    round_actions.extend_deadline(secretariat, reports["da-nang"].round, city("da-nang"), None, "Withdrawn")
    assert "da-nang" not in [w["city"] for w in api_as(nr_vietnam).get("/monitoring/inbox").json()["waiting"]]


# --- Overdue and dates in words -------------------------------------------------------------------


def test_the_inbox_counts_every_report_past_its_deadline_as_the_round_table_does(reports, secretariat, csco_danang,
                                                                                 on_day):
    on_day(dt.date(2025, 11, 4))  # four days after the closing date
    box = queries.inbox(secretariat)
    (block,) = box.overview
    late = [row.city.slug for row in block["rows"] if row.overdue]
    # The 30 cities that have not started and Da Nang's draft: the city has not submitted by its deadline.
    assert len(late) == block["overdue"] == len(box.overdue) == 31
    assert [i.city.slug for i in box.overdue] == sorted(late, key=lambda slug: city(slug).name)
    assert "da-nang" in late and {i.state for i in box.overdue} == {"not_started", "draft"}
    # Submitted, endorsed and accepted reports are not late: they wait on the reviewers.
    assert rows(box.due) == [("ho-chi-minh-city", "endorsed", False, -4)]
    page = client_of(secretariat).get("/monitoring/inbox/").content.decode()
    assert 'data-testid="overdue-count">31<' in page and "Nothing overdue." not in page
    assert page.count("4 days late") == 31 * 2  # in the overdue list and in the round's table
    assert "31 overdue" in client_of(secretariat).get("/workspace/").content.decode()
    assert "1 overdue" in client_of(csco_danang).get("/workspace/").content.decode()

    # An extension takes Da Nang off the list; a closed round has nothing overdue.
    reports["da-nang"].due_on = dt.date(2025, 11, 15)
    reports["da-nang"].save()
    assert len(queries.inbox(secretariat).overdue) == 30 and queries.inbox(csco_danang).overdue == []
    ReportingRound.objects.filter(year=2025).update(closed_at=dt.datetime(2025, 11, 4, tzinfo=dt.UTC))
    assert queries.inbox(secretariat).overdue == []


def deadline_cell(page: str, slug: str) -> str:
    """The deadline cell of a city's first row in a page."""
    row = page[page.index(f'data-city="{slug}"'):]
    row = row[:row.index("</tr>")]
    return " ".join(row[row.rindex("<td>"):].split())


@pytest.mark.parametrize(("day", "words"), [
    (dt.date(2025, 10, 20), "due in 11 days"), (dt.date(2025, 10, 30), "due tomorrow"),
    (dt.date(2025, 10, 31), "due today"), (dt.date(2025, 11, 1), "1 day late"), (dt.date(2025, 11, 4), "4 days late"),
])
def test_dates_are_in_the_same_words_for_every_role(reports, secretariat, nr_vietnam, csco_danang, on_day, day,
                                                    words):
    on_day(day)
    cells = set()
    for user in (csco_danang, nr_vietnam, secretariat):
        page = client_of(user).get("/monitoring/inbox/").content.decode()
        assert "in -" not in page and " -" not in page.replace("<!--", "")
        cells.add(deadline_cell(page, "da-nang"))
    round_page = client_of(secretariat).get("/monitoring/rounds/2025/").content.decode()
    cells.add(deadline_cell(round_page, "da-nang"))
    (cell,) = cells
    assert f'data-testid="deadline-words">{words}</span>' in cell
    # A submitted report waits on its reviewers: no words about the city's deadline, for anyone.
    pages = [client_of(u).get("/monitoring/inbox/").content.decode() for u in (nr_vietnam, secretariat)]
    assert {deadline_cell(p, "ha-noi") for p in pages} == {"<td>Oct. 31, 2025</td>"}


def test_the_date_words_helper():
    today = dt.date(2025, 11, 4)
    assert [deadline_words(today + dt.timedelta(days=n), today) for n in (3, 1, 0, -1, -4)] == [
        "due in 3 days", "due tomorrow", "due today", "1 day late", "4 days late"]
    assert [day_words(today + dt.timedelta(days=n), today) for n in (3, 1, 0, -1, -4)] == [
        "in 3 days", "tomorrow", "today", "yesterday", "4 days ago"]
    assert deadline_words(None, today) == "" and day_words(today, None) == ""


# --- Reminders ------------------------------------------------------------------------------------


def sent() -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def test_reminders_go_to_whoever_must_act_once_a_day(reports, secretariat, csco_danang, nr_vietnam, nr_thailand):
    other_desk = make_user("sec-2", "secretariat")
    make_user("csco-dn-2", "city_officer", city="da-nang")
    User.objects.filter(username="csco-dn-2").update(email="")  # no address: nothing to send
    make_user("old-nr", "national_rep", country="VNM")
    User.objects.filter(username="old-nr").update(is_active=False)  # a former NR: nothing to send

    # Eleven days before the close: the NRs and the Secretariat, not yet the city.
    assert send_report_reminders.call("2025-10-20") == {"started": 0, "sent": 4}
    assert sent() == [
        ("nr-th@example.invalid", "Reminder: 1 annual report of 2025 waits for your endorsement"),
        ("nr-vn@example.invalid", "Reminder: 1 annual report of 2025 waits for your endorsement"),
        ("sec-2@example.invalid", "Reminder: 1 annual report of 2025 waits for acceptance"),
        ("sec@example.invalid", "Reminder: 1 annual report of 2025 waits for acceptance"),
    ]
    to_nr = next(m for m in mail.outbox if m.to == ["nr-vn@example.invalid"])
    assert f"- Ha Noi (Viet Nam): /monitoring/annual-reports/{reports['ha-noi'].pk}/" in to_nr.body
    assert "The round closes on 2025-10-31." in to_nr.body
    assert send_report_reminders.call("2025-10-20") == {"started": 0, "sent": 0}
    assert len(mail.outbox) == 4

    # Six days before: the city too; the 30 cities that had not started get their drafts.
    mail.outbox.clear()
    assert send_report_reminders.call("2025-10-25") == {"started": 30, "sent": 5}
    assert ("csco-dn@example.invalid", "Reminder: the 2025 annual report of Da Nang is due on 2025-10-31") in sent()
    assert CityReport.objects.filter(round__year=2025).count() == 35
    assert set(ReminderSent.objects.filter(sent_on=dt.date(2025, 10, 25)).values_list(
        "report__city__slug", "kind", "recipient__username")) == {
        ("da-nang", "submit", "csco-dn"), ("ha-noi", "endorse", "nr-vn"), ("chiang-mai", "endorse", "nr-th"),
        ("ho-chi-minh-city", "accept", "sec"), ("ho-chi-minh-city", "accept", "sec-2")}
    assert send_report_reminders.call("2025-10-25") == {"started": 0, "sent": 0}

    # After the close the city's reminder says it is overdue; a submitted report stops it.
    mail.outbox.clear()
    actions.transition_report(nr_vietnam, reports["ha-noi"], "endorse")
    send_report_reminders.call("2025-11-02")
    assert sent() == [
        ("csco-dn@example.invalid", "Overdue: the 2025 annual report of Da Nang was due on 2025-10-31"),
        ("nr-th@example.invalid", "Reminder: 1 annual report of 2025 waits for your endorsement"),
        ("sec-2@example.invalid", "Reminder: 2 annual reports of 2025 wait for acceptance"),
        ("sec@example.invalid", "Reminder: 2 annual reports of 2025 wait for acceptance"),
    ]
    assert "The round closed on 2025-10-31." in mail.outbox[0].body
    assert other_desk.email == "sec-2@example.invalid"


def test_rounds_not_open_send_nothing(reports):
    ReportingRound.objects.filter(year=2025).update(opens_on=None, closes_on=None)
    assert send_report_reminders.call("2025-10-20") == {"started": 0, "sent": 0}
    assert mail.outbox == []


def test_the_command_runs_the_reminders(reports, nr_vietnam):
    out = StringIO()
    call_command("send_report_reminders", "--date", "2025-10-20", stdout=out)
    assert out.getvalue() == "Reminders sent: 2; drafts started for late cities: 0.\n"
    assert sent() == [("nr-vn@example.invalid", "Reminder: 1 annual report of 2025 waits for your endorsement"),
                      ("sec@example.invalid", "Reminder: 1 annual report of 2025 waits for acceptance")]
    out = StringIO()
    call_command("send_report_reminders", "--date", "2025-10-21", "--enqueue", stdout=out)
    assert out.getvalue().startswith("Reminders queued (task ")
    assert len(mail.outbox) == 4  # the immediate backend in tests ran it at once: the next day's two
    with pytest.raises(Exception, match="is not a date in the form YYYY-MM-DD"):
        call_command("send_report_reminders", "--date", "20 Oct")
