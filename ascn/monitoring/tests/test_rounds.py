"""Running a reporting round from the monitoring pages: creating it with the members on its as-of date as its
reporting cities, changing it while it runs, opening reports for all or chosen cities, extending one city's
deadline, closing and reopening, sending the reminders now; and assigning indicators to a city by set."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ascn.core.models import AuditEntry
from ascn.monitoring.actions import observations as observation_actions
from ascn.monitoring.actions import reports as actions
from ascn.monitoring.actions import rounds as round_actions
from ascn.monitoring.models import (
    CityIndicator,
    CityReport,
    Indicator,
    Observation,
    ReminderSent,
    ReportingRound,
    Target,
)
from ascn.monitoring.queries import reports as queries
from ascn.monitoring.tasks.reports import send_report_reminders
from ascn.network.models import City
from conftest import make_user

from .test_reports import city, client_of, media_root_fixture, on_day_fixture, round_2025_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

MEMBERS_2025 = 35  # member cities on 30 September 2025 (Denpasar, Semarang and Dili joined later)


def audit_count() -> int:
    return AuditEntry.objects.count()


def form_errors(response) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def round_state(year: int) -> tuple:
    """Everything a refused round action must leave as it was."""
    r = ReportingRound.objects.get(year=year)
    return (r.as_of, r.opens_on, r.closes_on, r.closed_at, sorted(r.cities.values_list("slug", flat=True)),
            sorted(CityReport.objects.filter(round=r).values_list("city__slug", "state", "due_on")), audit_count())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def started(round_2025, secretariat, *slugs: str, steps: tuple[str, ...] = ()) -> list[CityReport]:
    result = []
    for slug in slugs:
        report = actions.start_report(secretariat, round_2025, city(slug))
        for step in steps:
            actions.transition_report(secretariat, report, step)
        result.append(report)
    return result


# --- Who may run rounds ---------------------------------------------------------------------------

PAGES = ["/monitoring/rounds/", "/monitoring/rounds/new/", "/monitoring/rounds/2025/", "/monitoring/rounds/2025/edit/"]
POSTS = {"/monitoring/rounds/2025/open/": {"all": "1"},
         "/monitoring/rounds/2025/extend/": {"extend-city": "da-nang", "extend-due_on": "2025-11-15",
                                             "extend-reason": "Floods"},
         "/monitoring/rounds/2025/close/": {}, "/monitoring/rounds/2025/reopen/": {"reopen-reason": "Mistake"},
         "/monitoring/rounds/2025/remind/": {}, "/monitoring/rounds/new/": {"year": "2026"},
         "/monitoring/rounds/2025/edit/": {"as_of": "2025-09-30"}}


def test_only_the_secretariat_runs_rounds(round_2025, secretariat, nr_vietnam, csco_danang, partner_jica, on_day):
    for address in PAGES:
        assert Client().get(address)["Location"] == f"/accounts/login/?next={address}"
        for user in (nr_vietnam, csco_danang, partner_jica):
            assert client_of(user).get(address).status_code == 403
        assert client_of(secretariat).get(address).status_code == 200
    assert client_of(secretariat).get("/monitoring/rounds/1999/").status_code == 404
    before = (round_state(2025), ReportingRound.objects.count(), len(mail.outbox))
    for address, data in POSTS.items():
        assert Client().post(address, data).status_code == 302
        for user in (nr_vietnam, csco_danang, partner_jica):
            assert client_of(user).post(address, data).status_code == 403
    assert (round_state(2025), ReportingRound.objects.count(), len(mail.outbox)) == before
    with pytest.raises(Exception, match="Only the ASEAN Secretariat"):
        round_actions.close_round(nr_vietnam, round_2025)
    assert client_of(secretariat).get("/monitoring/rounds/2025/remind/").status_code == 405


# --- Creating and changing a round ----------------------------------------------------------------


def test_a_new_round_proposes_the_members_on_its_as_of_date_and_keeps_the_edited_list(secretariat, on_day):
    desk = client_of(secretariat)
    page = desk.get("/monitoring/rounds/new/")
    form = page.context["form"]
    # Today is 20 October 2025: the form proposes that year's round, as of 30 September, with its members.
    assert (form.initial["year"], form.initial["as_of"]) == (2025, dt.date(2025, 9, 30))
    assert len(form.initial["cities"]) == MEMBERS_2025 and "dili" not in form.initial["cities"]

    typed = {"year": "2026", "as_of": "2026-09-30", "opens_on": "2026-08-01", "closes_on": "2026-10-31",
             "source": "Concept note of the 2026 round", "cities": ["da-nang"]}
    proposed = desk.post("/monitoring/rounds/new/", {**typed, "propose": "1"})
    assert proposed.status_code == 200 and ReportingRound.objects.filter(year=2026).count() == 0
    members_2026 = sorted(City.objects.as_of(dt.date(2026, 9, 30)).values_list("slug", flat=True))
    assert sorted(proposed.context["form"].initial["cities"]) == members_2026 and len(members_2026) == 38
    assert proposed.context["form"].initial["source"] == "Concept note of the 2026 round"  # what was typed stays

    chosen = [slug for slug in members_2026 if slug != "dili"]  # the Secretariat unticks one
    answer = desk.post("/monitoring/rounds/new/", {**typed, "cities": chosen})
    assert (answer.status_code, answer["Location"]) == (302, "/monitoring/rounds/2026/")
    created = ReportingRound.objects.get(year=2026)
    assert (created.as_of, created.opens_on, created.closes_on, created.closed_at, created.source) == (
        dt.date(2026, 9, 30), dt.date(2026, 8, 1), dt.date(2026, 10, 31), None, "Concept note of the 2026 round")
    assert sorted(created.cities.values_list("slug", flat=True)) == chosen
    entry = AuditEntry.objects.get(content_type__model="reportinground", object_id=str(created.pk))
    assert (entry.actor, entry.action, entry.via) == (secretariat, "create", "web")
    assert entry.changes["cities"] == [None, chosen] and entry.changes["closes_on"] == [None, "2026-10-31"]
    assert "The 2026 round is created with 37 reporting cities." in messages_of(desk.get("/monitoring/rounds/2026/"))


@pytest.mark.parametrize(("typed", "errors"), [
    ({"closes_on": "2026-07-31"}, {"closes_on": ["The round cannot close before it opens."]}),
    ({"as_of": "2025-12-31"}, {"as_of": ["The as-of date falls in the round's year."]}),
    ({"year": "2025", "as_of": "2025-09-30"},
     {"year": ["There is already a 2025 round: open it to change its dates or cities."]}),
    ({"cities": []}, {"cities": ["Choose at least one reporting city."]}),
    ({"opens_on": "", "closes_on": "1 Oct"}, {"opens_on": ["Give the date the round opens to the cities."],
                                             "closes_on": ["Give a date in the form YYYY-MM-DD."]}),
    ({"year": "2017", "as_of": "2017-09-30"}, {"year": ["Ensure this value is greater than or equal to 2018."]}),
])
def test_a_bad_round_is_refused_beside_its_fields(secretariat, on_day, typed, errors):
    data = {"year": "2026", "as_of": "2026-09-30", "opens_on": "2026-08-01", "closes_on": "2026-10-31",
            "source": "", "cities": ["da-nang", "ha-noi"], **typed}
    before = (ReportingRound.objects.count(), audit_count())
    answer = client_of(secretariat).post("/monitoring/rounds/new/", data)
    assert answer.status_code == 422
    assert form_errors(answer) == errors
    page = answer.content.decode()
    for messages in errors.values():
        assert all(f'<small class="field-error" role="alert">{m}</small>'.replace("'", "&#x27;") in page
                   for m in messages)
    assert (ReportingRound.objects.count(), audit_count()) == before


def test_the_action_names_every_problem_at_once(secretariat):
    with pytest.raises(ValidationError) as refused:
        round_actions.create_round(secretariat, {"year": 2025, "as_of": dt.date(2024, 9, 30), "opens_on": None,
                                                 "closes_on": dt.date(2025, 10, 31)}, [])
    assert refused.value.message_dict == {
        "opens_on": ["Give the date the round opens to the cities."],
        "cities": ["Choose at least one reporting city."],
        "year": ["There is already a 2025 round: open it to change its dates or cities."],
        "as_of": ["The as-of date falls in the round's year."]}


def test_a_running_round_changes_its_dates_and_cities_but_keeps_cities_that_reported(round_2025, secretariat,
                                                                                     on_day):
    started(round_2025, secretariat, "da-nang")
    desk = client_of(secretariat)
    form = desk.get("/monitoring/rounds/2025/edit/").context["form"]
    assert "year" not in form.fields and len(form.initial["cities"]) == MEMBERS_2025
    cities = sorted(round_2025.cities.values_list("slug", flat=True))
    data = {"as_of": "2025-09-30", "opens_on": "2025-08-01", "closes_on": "2025-11-07", "source": "",
            "cities": [c for c in cities if c not in ("da-nang", "phuket")]}
    before = round_state(2025)
    refused = desk.post("/monitoring/rounds/2025/edit/", data)
    assert refused.status_code == 422 and form_errors(refused) == {
        "cities": ["These cities have started their 2025 report and stay reporting cities: Da Nang."]}
    assert round_state(2025) == before

    data["cities"].append("da-nang")
    answer = desk.post("/monitoring/rounds/2025/edit/", data)
    assert (answer.status_code, answer["Location"]) == (302, "/monitoring/rounds/2025/")
    round_2025.refresh_from_db()
    assert round_2025.closes_on == dt.date(2025, 11, 7) and round_2025.cities.count() == MEMBERS_2025 - 1
    entry = AuditEntry.objects.filter(content_type__model="reportinground", object_id=str(round_2025.pk)).first()
    assert entry.changes["closes_on"] == ["2025-10-31", "2025-11-07"]
    assert entry.changes["cities"][0] == cities and "phuket" not in entry.changes["cities"][1]
    history = desk.get("/monitoring/rounds/2025/").context["history"]
    assert (history[0].who, history[0].what) == ("sec", "changed the round")
    assert history[0].details == ("closes on: 2025-10-31 → 2025-11-07", "cities removed: phuket")
    assert desk.post("/monitoring/rounds/2025/edit/", data)["Location"] == "/monitoring/rounds/2025/"
    assert messages_of(desk.get("/monitoring/rounds/2025/"))[-1] == "Nothing changed."


# --- Opening reports ------------------------------------------------------------------------------


def test_reports_open_for_chosen_cities_once_then_for_every_remaining_city(round_2025, secretariat, on_day):
    desk = client_of(secretariat)
    answer = desk.post("/monitoring/rounds/2025/open/", {"cities": ["da-nang", "bangkok", "ha-noi"]})
    assert (answer.status_code, answer["Location"]) == (302, "/monitoring/rounds/2025/")
    assert sorted(CityReport.objects.filter(round=round_2025).values_list("city__slug", "state")) == [
        ("bangkok", "draft"), ("da-nang", "draft"), ("ha-noi", "draft")]
    page = desk.get("/monitoring/rounds/2025/")
    assert messages_of(page) == ["3 reports opened: Bangkok, Da Nang, Ha Noi."]
    assert [(row.city.slug, row.state) for row in page.context["table"]["rows"][:4]] == [
        ("bandar-seri-begawan", "not_started"), ("bangkok", "draft"), ("banyuwangi", "not_started"),
        ("battambang", "not_started")]

    before = round_state(2025)
    twice = desk.post("/monitoring/rounds/2025/open/", {"cities": ["da-nang", "phuket"]})
    assert twice.status_code == 422
    assert twice.context["open_form"].errors == {"cities": ["Select a valid choice. da-nang is not one of the "
                                                            "available choices."]}
    with pytest.raises(ValidationError) as refused:
        actions.open_round_reports(secretariat, round_2025, cities=[city("da-nang"), city("phuket"), city("dili")])
    assert refused.value.message_dict == {"cities": ["Dili does not report in the 2025 round.",
                                                     "The 2025 report of Da Nang is already open."]}
    nothing = desk.post("/monitoring/rounds/2025/open/", {})
    assert nothing.status_code == 422 and nothing.context["open_form"].errors == {
        "cities": ["Choose at least one city whose report to open."]}
    assert round_state(2025) == before

    every = desk.post("/monitoring/rounds/2025/open/", {"all": "1"})
    assert every.status_code == 302
    assert CityReport.objects.filter(round=round_2025).count() == MEMBERS_2025
    assert messages_of(desk.get("/monitoring/rounds/2025/"))[0].startswith("32 reports opened: Bandar Seri Begawan")
    again = desk.post("/monitoring/rounds/2025/open/", {"all": "1"})
    assert again.status_code == 302
    assert messages_of(desk.get("/monitoring/rounds/2025/")) == ["Every reporting city already has its 2025 report."]


# --- Extending one city's deadline ----------------------------------------------------------------


def test_an_extension_is_checked_recorded_with_its_reason_and_shown(round_2025, secretariat, csco_danang, on_day):
    desk = client_of(secretariat)
    (phuket,) = started(round_2025, secretariat, "phuket", steps=("submit", "endorse", "accept"))

    def extend(slug: str, due_on: str, reason: str = "Floods in the city centre"):
        return desk.post("/monitoring/rounds/2025/extend/", {"extend-city": slug, "extend-due_on": due_on,
                                                             "extend-reason": reason})

    before = round_state(2025)
    cases = [
        (extend("da-nang", "2025-10-31"), {"due_on": ["An extension runs past the round's closing date "
                                                      "(Oct. 31, 2025): choose a later date."]}),
        (extend("da-nang", "2025-11-15", "  "), {"reason": ["Give the reason for the extension; it is recorded "
                                                            "with it."]}),
        (extend("da-nang", ""), {"due_on": ["Give the date the extension runs to."]}),
        (extend("", "2025-11-15"), {"city": ["Choose the city to extend."]}),
        (extend("phuket", "2025-11-15"), {"city": ["Select a valid choice. phuket is not one of the available "
                                                   "choices."]}),
    ]
    for answer, errors in cases:
        assert answer.status_code == 422
        assert answer.context["extend_form"].errors == errors
    with pytest.raises(ValidationError) as refused:
        round_actions.extend_deadline(secretariat, round_2025, phuket.city, dt.date(2025, 11, 15), "Late data")
    assert refused.value.message_dict == {"city": ["The 2025 report of Phuket is accepted: it needs no extension."]}
    with pytest.raises(ValidationError) as refused:
        round_actions.extend_deadline(secretariat, round_2025, city("dili"), dt.date(2025, 11, 15), "Late data")
    assert refused.value.message_dict == {"city": ["Dili does not report in the 2025 round."]}
    assert round_state(2025) == before

    # Da Nang had not started: its draft is started to carry the extension.
    answer = extend("da-nang", "2025-11-15")
    assert (answer.status_code, answer["Location"]) == (302, "/monitoring/rounds/2025/#cities")
    report = CityReport.objects.get(round=round_2025, city__slug="da-nang")
    assert (report.state, report.due_on) == ("draft", dt.date(2025, 11, 15))
    entry = AuditEntry.objects.filter(content_type__model="cityreport", object_id=str(report.pk)).first()
    assert (entry.actor, entry.changes) == (secretariat, {"due_on": [None, "2025-11-15"],
                                                         "reason": [None, "Floods in the city centre"]})
    page = desk.get("/monitoring/rounds/2025/")
    assert messages_of(page) == ["The deadline of Da Nang is extended to Nov. 15, 2025."]
    row = next(r for r in page.context["table"]["rows"] if r.city.slug == "da-nang")
    assert (row.deadline, row.extended, row.days_left, row.overdue) == (dt.date(2025, 11, 15), True, 26, False)
    html = page.content.decode()
    assert "extended to Nov. 15, 2025</span> <span class=\"tag\" data-testid=\"deadline-words\">due in 26 days" in html
    assert page.context["history"][0].what == "extended the deadline of Da Nang to 2025-11-15"
    assert page.context["history"][0].details == ("Reason: Floods in the city centre",)
    # The city sees the same words in its inbox.
    assert "due in 26 days" in client_of(csco_danang).get("/monitoring/inbox/").content.decode()

    # Ending the extension needs a reason too.
    assert extend("da-nang", "", "").context["extend_form"].errors == {
        "reason": ["Give the reason for ending the extension; it is recorded."]}
    assert extend("da-nang", "", "The data arrived").status_code == 302
    report.refresh_from_db()
    assert report.due_on is None
    assert messages_of(desk.get("/monitoring/rounds/2025/"))[-1] == "The extension of Da Nang has ended."


def test_an_extension_cannot_end_in_the_past_or_without_a_closing_date(round_2025, secretariat, on_day):
    on_day(dt.date(2025, 11, 20))
    with pytest.raises(ValidationError) as refused:
        round_actions.extend_deadline(secretariat, round_2025, city("da-nang"), dt.date(2025, 11, 15), "Floods")
    assert refused.value.message_dict == {"due_on": ["An extension cannot end in the past: choose today "
                                                     "(Nov. 20, 2025) or later."]}
    ReportingRound.objects.filter(pk=round_2025.pk).update(closes_on=None)
    round_2025.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        round_actions.extend_deadline(secretariat, round_2025, city("da-nang"), dt.date(2025, 12, 15), "Floods")
    assert refused.value.message_dict == {"due_on": ["The 2025 round has no closing date yet: give it one before "
                                                     "extending a city's deadline."]}
    assert CityReport.objects.count() == 0


# --- Closing and reopening ------------------------------------------------------------------------


@pytest.fixture
def danang_values(round_2025):
    """Population assigned to Da Nang and Ha Noi, so that they may enter its value for 2025."""
    population = Indicator.objects.get(code="ASCN-POP")
    for slug in ("da-nang", "ha-noi"):
        CityIndicator.objects.create(city=city(slug), indicator=population)
    return population


def enter(user, slug: str, value: float) -> None:
    observation_actions.record_observation(user, city(slug), {"indicator": "ASCN-POP", "period": "2025",
                                                              "value": value})


def test_a_closed_round_takes_nothing_more_except_from_a_city_with_an_extension(round_2025, secretariat, csco_danang,
                                                                                 danang_values, on_day):
    danang, hanoi = started(round_2025, secretariat, "da-nang", "ha-noi")
    officer_hanoi = make_user("csco-hn", "city_officer", city="ha-noi")
    on_day(dt.date(2025, 11, 5))  # five days after the closing date
    with pytest.raises(ValidationError) as refused:
        enter(csco_danang, "da-nang", 1_250_000)
    assert refused.value.message_dict == {"period": ["2025 is not open: the 2025 round closed on 2025-10-31"]}

    desk = client_of(secretariat)
    desk.post("/monitoring/rounds/2025/extend/", {"extend-city": "da-nang", "extend-due_on": "2025-11-15",
                                                  "extend-reason": "Census figures due on 12 November"})
    enter(csco_danang, "da-nang", 1_250_000)  # the extension reopens value entry
    answer = desk.post("/monitoring/rounds/2025/close/")
    assert (answer.status_code, answer["Location"]) == (302, "/monitoring/rounds/2025/")
    round_2025.refresh_from_db()
    assert round_2025.closed_at is not None
    closed_on = round_2025.closed_at.astimezone().date().isoformat()
    entry = AuditEntry.objects.filter(content_type__model="reportinground").first()
    assert (entry.actor, list(entry.changes)) == (secretariat, ["closed_at"])
    page = desk.get("/monitoring/rounds/2025/")
    assert page.context["status"].key == "closed"
    assert messages_of(page) == ["The deadline of Da Nang is extended to Nov. 15, 2025.",
                                 "The 2025 round is closed. Cities with an extension may still report until it ends."]
    before = round_state(2025)
    assert desk.post("/monitoring/rounds/2025/close/").status_code == 302
    assert messages_of(desk.get("/monitoring/rounds/2025/"))[-1].startswith("The 2025 round was already closed on ")
    assert round_state(2025) == before

    # Da Nang's extension runs: it still enters values, edits and submits. Ha Noi has none: refused.
    enter(csco_danang, "da-nang", 1_260_000)
    assert Observation.objects.get(city__slug="da-nang").value == 1_260_000
    with pytest.raises(ValidationError) as refused:
        enter(officer_hanoi, "ha-noi", 8_000_000)
    assert refused.value.message_dict == {"period": [
        f"2025 is not open: the Secretariat closed the 2025 round on {closed_on}"]}
    with pytest.raises(ValidationError) as refused:
        actions.transition_report(officer_hanoi, hanoi, "submit")
    assert refused.value.message_dict == {"round": ["The 2025 round is closed: the report of Ha Noi takes no more "
                                                    "changes unless the Secretariat extends its deadline."]}
    with pytest.raises(ValidationError):
        actions.update_report(officer_hanoi, hanoi, {"summary": "Late"})
    with pytest.raises(ValidationError) as refused:
        actions.start_report(secretariat, round_2025, city("bangkok"))
    assert refused.value.message_dict == {"round": ["The 2025 round is closed: it takes no new reports."]}
    with pytest.raises(ValidationError) as refused:
        actions.open_round_reports(secretariat, round_2025)
    assert refused.value.message_dict == {"round": ["The 2025 round is closed: reopen it before opening reports."]}
    actions.transition_report(csco_danang, danang, "submit")
    assert CityReport.objects.get(pk=danang.pk).state == "submitted"
    # Nothing is overdue in a closed round: Ha Noi missed it.
    table = desk.get("/monitoring/rounds/2025/").context["table"]
    hanoi_row = next(r for r in table["rows"] if r.city.slug == "ha-noi")
    assert (table["overdue"], hanoi_row.missed, hanoi_row.overdue) == (0, True, False)
    # A city that had not started may still be given an extension once the round is closed: its draft is started.
    round_actions.extend_deadline(secretariat, round_2025, city("bangkok"), dt.date(2025, 11, 20), "Flooding")
    assert CityReport.objects.filter(round=round_2025, city__slug="bangkok").values_list("state", "due_on").get() \
        == ("draft", dt.date(2025, 11, 20))

    # Once the extension has ended, Da Nang is closed too.
    on_day(dt.date(2025, 11, 16))
    actions.transition_report(secretariat, danang, "return", "Add the census figures")
    with pytest.raises(ValidationError):
        enter(csco_danang, "da-nang", 1_270_000)

    # Reopening needs a reason.
    refused_page = desk.post("/monitoring/rounds/2025/reopen/", {"reopen-reason": " "})
    assert refused_page.status_code == 422 and refused_page.context["reopen_form"].errors == {
        "reason": ["Give the reason to reopen the round; it is recorded."]}
    assert desk.post("/monitoring/rounds/2025/reopen/", {"reopen-reason": "Two cities asked for a week"}).status_code \
        == 302
    round_2025.refresh_from_db()
    assert round_2025.closed_at is None
    history = desk.get("/monitoring/rounds/2025/").context["history"]
    assert [(h.what, h.details) for h in history[:3]] == [
        ("reopened the round", ("Reason: Two cities asked for a week",)),
        ("extended the deadline of Bangkok to 2025-11-20", ("Reason: Flooding",)), ("closed the round", ())]
    with pytest.raises(ValidationError) as refused:
        round_actions.reopen_round(secretariat, round_2025, "Again")
    assert refused.value.message_dict == {"round": ["The 2025 round is not closed."]}
    actions.update_report(officer_hanoi, hanoi, {"summary": "Late, but here"})


def test_a_round_that_has_not_opened_is_not_closed_and_a_closed_round_is_not_edited(round_2025, secretariat,
                                                                                     on_day):
    on_day(dt.date(2025, 7, 1))
    with pytest.raises(ValidationError) as refused:
        round_actions.close_round(secretariat, round_2025)
    assert refused.value.message_dict == {"round": ["The 2025 round has not opened yet: change its dates instead of "
                                                    "closing it."]}
    on_day(dt.date(2025, 11, 1))
    round_actions.close_round(secretariat, round_2025)
    with pytest.raises(ValidationError) as refused:
        round_actions.update_round(secretariat, round_2025, {"closes_on": dt.date(2025, 11, 30)},
                                   round_2025.cities.all())
    assert refused.value.message_dict == {"round": ["The 2025 round is closed: reopen it to change it."]}
    page = client_of(secretariat).get("/monitoring/rounds/2025/").content.decode()
    assert "Reopen the round" in page and "Close the round" not in page and "Change dates and cities" not in page


# --- Reminders ------------------------------------------------------------------------------------


def test_send_reminders_now_lists_who_was_reminded_and_shares_the_daily_rule(round_2025, secretariat, csco_danang,
                                                                              nr_vietnam, on_day):
    started(round_2025, secretariat, "da-nang")
    started(round_2025, secretariat, "ha-noi", steps=("submit",))
    desk = client_of(secretariat)

    # Eleven days before the close: the NR only; no city yet.
    answer = desk.post("/monitoring/rounds/2025/remind/")
    assert answer.status_code == 200
    reminded = answer.context["reminded"]
    assert [(r.recipient.username, r.kind, [x.city.slug for x in r.reports]) for r in reminded.sent] == [
        ("nr-vn", "endorse", ["ha-noi"])]
    html = answer.content.decode()
    assert 'data-recipient="nr-vn"' in html and "to endorse" in html
    again = desk.post("/monitoring/rounds/2025/remind/", HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and "Nobody was due a reminder." in again.content.decode()
    assert "<html" not in again.content.decode()  # HTMX: only the reminders part
    assert send_report_reminders.call("2025-10-20") == {"started": 0, "sent": 0}  # the command: nothing new
    assert len(mail.outbox) == 1

    # Five days before the close, the command first: then the button finds nobody.
    on_day(dt.date(2025, 10, 26))
    mail.outbox.clear()
    assert send_report_reminders.call("2025-10-26") == {"started": MEMBERS_2025 - 2, "sent": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["csco-dn@example.invalid", "nr-vn@example.invalid"]
    assert desk.post("/monitoring/rounds/2025/remind/").context["reminded"].sent == []
    assert ReminderSent.objects.filter(sent_on=dt.date(2025, 10, 26)).count() == 2

    # An extension moves the city's reminders with its deadline.
    round_actions.extend_deadline(secretariat, round_2025, city("da-nang"), dt.date(2025, 11, 30), "Census")
    on_day(dt.date(2025, 10, 27))
    mail.outbox.clear()
    done = desk.post("/monitoring/rounds/2025/remind/").context["reminded"]
    assert [(r.recipient.username, r.kind) for r in done.sent] == [("nr-vn", "endorse")]
    on_day(dt.date(2025, 11, 24))
    reminded = desk.post("/monitoring/rounds/2025/remind/").context["reminded"]
    assert ("csco-dn", "submit") in [(r.recipient.username, r.kind) for r in reminded.sent]
    extended_mail = next(m for m in mail.outbox if m.to == ["csco-dn@example.invalid"])
    assert extended_mail.subject == "Reminder: the 2025 annual report of Da Nang is due on 2025-11-30"
    assert "The deadline of Da Nang was extended to 2025-11-30." in extended_mail.body
    entry = AuditEntry.objects.filter(content_type__model="reportinground", object_id=str(round_2025.pk)).first()
    assert entry.actor == secretariat and "csco-dn: submit (da-nang)" in entry.changes["reminders"][1]

    # Closed: cities without an extension get no reminder; the review steps still do.
    round_actions.close_round(secretariat, round_2025)
    on_day(dt.date(2025, 11, 25))
    kinds = {(r.recipient.username, r.kind) for r in queries.reminders_due(dt.date(2025, 11, 25))}
    assert kinds == {("csco-dn", "submit"), ("nr-vn", "endorse")}


def test_the_round_list_shows_each_rounds_progress(round_2025, secretariat, on_day):
    started(round_2025, secretariat, "da-nang")
    started(round_2025, secretariat, "ha-noi", steps=("submit",))
    round_actions.extend_deadline(secretariat, round_2025, city("bangkok"), dt.date(2025, 11, 30), "Census")
    on_day(dt.date(2025, 11, 4))
    page = client_of(secretariat).get("/monitoring/rounds/")
    row = page.context["rows"][0]
    assert (row["round"].year, row["status"].key, row["cities"], row["not_started"], row["submitted"],
            row["overdue"], row["extended"]) == (2025, "past_close", MEMBERS_2025, MEMBERS_2025 - 3, 1,
                                                 MEMBERS_2025 - 2, 1)
    # The earlier rounds, seeded from the published reports, are closed.
    assert [(r["round"].year, r["status"].key) for r in page.context["rows"][1:]] == [
        (2024, "closed"), (2023, "closed"), (2022, "closed"), (2021, "closed")]


# --- Assigning indicators by set ------------------------------------------------------------------


def test_indicators_are_assigned_by_set_and_unassigned_unless_they_have_values(round_2025, csco_danang, nr_vietnam,
                                                                               secretariat, on_day):
    officer = client_of(csco_danang)
    page = officer.get("/monitoring/cities/da-nang/data/").content.decode()
    assert 'data-testid="assign-sets"' in page and "Assign all core U4SSC KPIs" in page

    answer = officer.post("/monitoring/cities/da-nang/data/assign/set/", {"set": "dimension",
                                                                         "dimension": "Environment"}, follow=True)
    assert answer.redirect_chain == [("/monitoring/cities/da-nang/data/#assign", 302)]
    assert messages_of(answer) == ["17 indicators assigned to Da Nang."]
    environment = Indicator.objects.filter(dimension="Environment").count()
    assert CityIndicator.objects.filter(city__slug="da-nang").count() == environment == 17
    answer = officer.post("/monitoring/cities/da-nang/data/assign/set/", {"set": "core"}, follow=True)
    assert messages_of(answer) == ["42 indicators assigned to Da Nang (12 of the set already were)."]
    assert CityIndicator.objects.filter(city__slug="da-nang").count() == 17 + 42
    again = officer.post("/monitoring/cities/da-nang/data/assign/set/", {"set": "core"}, follow=True)
    assert messages_of(again) == ["Nothing to add: the 54 indicators of this set are already assigned to Da Nang."]
    entries = AuditEntry.objects.filter(content_type__model="cityindicator", action="create", actor=csco_danang)
    assert entries.count() == 59

    # Copying from another city: indicators only, not its baselines or targets.
    desk = client_of(secretariat)
    assert messages_of(desk.post("/monitoring/cities/ha-noi/data/assign/set/", {"set": "dimension",
                                                                              "dimension": "Context"}, follow=True)) \
        == ["2 indicators assigned to Ha Noi."]
    CityIndicator.objects.filter(city__slug="ha-noi").update(baseline_value=8_000_000, baseline_year=2020)
    copied = desk.post("/monitoring/cities/da-nang/data/assign/set/", {"set": "city", "source": "ha-noi"},
                       follow=True)
    assert messages_of(copied) == ["2 indicators assigned to Da Nang."]
    population = CityIndicator.objects.get(city__slug="da-nang", indicator__code="ASCN-POP")
    assert (population.baseline_value, population.targets.count()) == (None, 0)
    for data, message in [
        ({"set": "city", "source": "da-nang"}, "Choose another city than Da Nang to copy from."),
        ({"set": "city", "source": "bangkok"}, "Bangkok has no indicator assigned to copy."),
        ({"set": "city", "source": ""}, "Choose the city to copy the indicators from."),
        ({"set": "dimension", "dimension": "Weather"}, "“Weather” is not a dimension of the indicator catalogue."),
        ({"set": ""}, "Choose which indicators to assign."),
    ]:
        assert messages_of(officer.post("/monitoring/cities/da-nang/data/assign/set/", data, follow=True)) == [
            message]
    before = (CityIndicator.objects.count(), audit_count())
    assert client_of(nr_vietnam).post("/monitoring/cities/da-nang/data/assign/set/", {"set": "core"}).status_code \
        == 403
    assert (CityIndicator.objects.count(), audit_count()) == before

    # Unassigning: refused while the city has values of the indicator; otherwise with its targets.
    enter(csco_danang, "da-nang", 1_250_000)
    refused = officer.post("/monitoring/cities/da-nang/data/unassign/", {"indicator": "ASCN-POP"}, follow=True)
    assert messages_of(refused) == ["Da Nang has 1 value of ASCN-POP: an indicator with values stays assigned."]
    area = CityIndicator.objects.get(city__slug="da-nang", indicator__code="ASCN-AREA")
    Target.objects.create(assignment=area, year=2030, value=1285)
    assert client_of(nr_vietnam).post("/monitoring/cities/da-nang/data/unassign/",
                                      {"indicator": "ASCN-AREA"}).status_code == 403
    done = officer.post("/monitoring/cities/da-nang/data/unassign/", {"indicator": "ASCN-AREA"}, follow=True)
    assert messages_of(done) == ["ASCN-AREA is no longer assigned to Da Nang; its baseline and 1 target went with it."]
    assert not CityIndicator.objects.filter(pk=area.pk).exists() and Target.objects.filter(year=2030).count() == 0
    assert set(AuditEntry.objects.filter(action="delete", actor=csco_danang)
               .values_list("content_type__model", flat=True)) == {"cityindicator", "target"}
    assert officer.post("/monitoring/cities/da-nang/data/unassign/", {"indicator": "ASCN-AREA"}).status_code == 404
    page = officer.get("/monitoring/cities/da-nang/data/").content.decode()
    assert "ASCN-POP Population · 1 value" in page


def test_the_round_pages_take_the_same_queries_whatever_their_size(round_2025, secretariat, on_day):
    desk = client_of(secretariat)

    def counted(address: str) -> int:
        desk.get(address)  # warm the session and the content types
        with CaptureQueriesContext(connection) as queries_made:
            assert desk.get(address).status_code == 200
        return len(queries_made)

    before = {address: counted(address) for address in ("/monitoring/rounds/", "/monitoring/rounds/2025/")}
    actions.open_round_reports(secretariat, round_2025)
    round_actions.extend_deadline(secretariat, round_2025, city("bangkok"), dt.date(2025, 11, 30), "Census")
    round_actions.update_round(secretariat, round_2025, {"closes_on": dt.date(2025, 11, 7)}, round_2025.cities.all())
    round_actions.create_round(secretariat, {"year": 2026, "as_of": dt.date(2026, 9, 30),
                                             "opens_on": dt.date(2026, 8, 1), "closes_on": dt.date(2026, 10, 31)},
                               City.objects.as_of(dt.date(2026, 9, 30)))
    after = {address: counted(address) for address in before}
    # Session and user; the list: the page of rounds, its count, the rounds with their cities (2), their reports.
    # The round: the round, its table (3), its history (report ids, entries).
    assert after == before == {"/monitoring/rounds/": 7, "/monitoring/rounds/2025/": 8}
