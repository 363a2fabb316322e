# ruff: noqa: F811  (the fixtures of test_sessions are imported by name and taken as arguments)
"""Business-matching sessions' pages: the grid and the participants in public once published, each
participant's agenda as a page, a PDF and an iCal file (parsed back with icalendar), and the Secretariat's
workspace page (preparing, scheduling with "scheduling…" until done, refusals that change nothing)."""

import datetime as dt

import icalendar
import pytest
from django.test import Client

from ascn.core.models import AuditEntry
from ascn.core.testing.pdf import pdf_fonts, pdf_text
from ascn.partnerships.actions import sessions as actions
from ascn.partnerships.models import SessionMeeting, SessionRule, SessionSlot

from .test_sessions import BANGKOK, DAY, NAMES, fixed_scores, schedule_of, session, solve, state, who  # noqa: F401

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "none", "partner", "csco", "nr", "secretariat")


def client_as(role, accounts):
    client = Client()
    if role != "anonymous":
        client.force_login(accounts[role])
    return client


@pytest.fixture
def published(session, secretariat, django_capture_on_commit_callbacks):
    solve(secretariat, session, django_capture_on_commit_callbacks)
    actions.publish_session(secretariat, session)
    session.refresh_from_db()
    return session


# --- Public pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_the_secretariats_only(session, accounts, role):
    client = client_as(role, accounts)
    for url in (f"/partnerships/sessions/{session.pk}/", f"/partnerships/sessions/{session.pk}/participants/",
                f"/partnerships/sessions/{session.pk}/agenda/city/da-nang.ics",
                f"/partnerships/sessions/{session.pk}/calendar.ics"):
        assert client.get(url).status_code == (200 if role == "secretariat" else 404), url


@pytest.mark.parametrize("role", ROLES)
def test_the_grid_of_a_published_session(published, accounts, role, django_assert_max_num_queries):
    client = client_as(role, accounts)
    with django_assert_max_num_queries(16):
        response = client.get(f"/partnerships/sessions/{published.pk}/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.slot.starts_at, [(m.city.city.slug, m.partner.partner.slug) if m else None for m in r.cells])
            for r in rows] == [(DAY, [("ha-noi", "jica")]), (DAY + dt.timedelta(minutes=30), [("da-nang", "jica")])]
    html = response.content.decode()
    assert "09:00" in html and "09:30" in html  # in the session's time zone, whatever the site's
    assert response.context["ratio"] == pytest.approx(1.7 / 1.4)
    import re

    figures = {k: " ".join(re.sub(r"<[^>]+>", " ", v).split())
               for k, v in re.findall(r'data-testid="(score|bound|gap|greedy)">(.*?)</dd>', html, re.S)}
    assert figures == {"score": "1.7", "bound": "1.7", "gap": "0 % (proven optimal)",
                       "greedy": "1.4 (the schedule scores 1.214 times the baseline)"}
    listing = client.get("/partnerships/sessions/")
    assert [s.pk for s in listing.context["page"]] == [published.pk]


def test_the_participants_and_their_meetings(published, client):
    response = client.get(f"/partnerships/sessions/{published.pk}/participants/")
    assert [(p.pk, side, slug, count) for p, side, slug, count in response.context["rows"]] == [
        (who(published, "da-nang").pk, "city", "da-nang", 1), (who(published, "ha-noi").pk, "city", "ha-noi", 1),
        (who(published, "adb").pk, "partner", "adb", 0), (who(published, "jica").pk, "partner", "jica", 2)]


def test_an_agenda_page(published, client):
    response = client.get(f"/partnerships/sessions/{published.pk}/agenda/partner/jica/")
    assert [(r["starts_at"].strftime("%H:%M"), r["table"], r["other"].city.slug) for r in response.context["rows"]] == [
        ("09:00", 1, "ha-noi"), ("09:30", 1, "da-nang")]
    assert client.get(f"/partnerships/sessions/{published.pk}/agenda/partner/undp/").status_code == 404
    assert client.get(f"/partnerships/sessions/{published.pk}/agenda/planet/jica/").status_code == 404


def test_an_agenda_imports_into_a_calendar_parser(published, client):
    response = client.get(f"/partnerships/sessions/{published.pk}/agenda/partner/jica.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["PRODID"]) == "-//ASEAN Smart Cities Network//ASCN Platform business matching//EN"
    assert str(calendar["VERSION"]) == "2.0"
    events = calendar.walk("VEVENT")
    jica, hanoi, danang = who(published, "jica"), who(published, "ha-noi"), who(published, "da-nang")
    assert [(e["UID"], e.decoded("DTSTART"), e.decoded("DTEND"), str(e["SUMMARY"]), str(e["LOCATION"]))
            for e in events] == [
        (f"session-{published.pk}-meeting-{hanoi.pk}-{jica.pk}@ascn-platform", DAY, DAY + dt.timedelta(minutes=30),
         "Business matching: Ha Noi", "Bangkok, Table 1"),
        (f"session-{published.pk}-meeting-{danang.pk}-{jica.pk}@ascn-platform", DAY + dt.timedelta(minutes=30),
         DAY + dt.timedelta(minutes=60), "Business matching: Da Nang", "Bangkok, Table 1")]
    for event in events:
        assert event["DTSTART"].params["TZID"] == "Asia/Bangkok"
        assert event.decoded("DTSTAMP") == published.solved_at.astimezone(dt.UTC).replace(microsecond=0)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Bangkok"]


def test_the_whole_sessions_calendar(published, client):
    calendar = icalendar.Calendar.from_ical(client.get(f"/partnerships/sessions/{published.pk}/calendar.ics").content)
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in calendar.walk("VEVENT")] == [
        (f"Business matching: Ha Noi and {NAMES['jica']}", DAY),
        (f"Business matching: Da Nang and {NAMES['jica']}", DAY + dt.timedelta(minutes=30))]


def test_a_uid_stays_when_a_new_schedule_moves_the_meeting(published, secretariat, client,
                                                           django_capture_on_commit_callbacks):
    url = f"/partnerships/sessions/{published.pk}/agenda/city/da-nang.ics"
    before = {str(e["UID"]): e.decoded("DTSTART") for e in icalendar.Calendar.from_ical(
        client.get(url).content).walk("VEVENT")}
    actions.set_availability(secretariat, who(published, "ha-noi"), [
        published.slots.get(starts_at=DAY + dt.timedelta(minutes=30))])
    solve(secretariat, published, django_capture_on_commit_callbacks)
    after = {str(e["UID"]): e.decoded("DTSTART") for e in icalendar.Calendar.from_ical(
        client.get(url).content).walk("VEVENT")}
    assert list(after) == list(before)
    assert list(before.values()) == [DAY + dt.timedelta(minutes=30)] and list(after.values()) == [DAY]


def test_an_agenda_prints(published, client, weasyprint):
    response = client.get(f"/partnerships/sessions/{published.pk}/agenda/city/da-nang.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Agenda of Da Nang" in text
    assert NAMES["jica"] in text
    assert "Times in Asia/Bangkok" in text
    jica = client.get(f"/partnerships/sessions/{published.pk}/agenda/partner/jica.pdf")
    jica_text = pdf_text(jica.content)
    assert "Ha Noi (Hà Nội), Viet Nam" in jica_text and "Da Nang (Đà Nẵng), Viet Nam" in jica_text
    assert any("Vietnamese" in font for font in pdf_fonts(jica.content))


def test_a_thai_name_prints(published, secretariat, client, weasyprint):
    from ascn.network.models import City

    actions.add_participants(secretariat, published, cities=City.objects.filter(slug="bangkok"))
    response = client.get(f"/th/partnerships/sessions/{published.pk}/agenda/city/bangkok.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "กรุงเทพมหานคร" in text
    assert any("Thai" in font for font in pdf_fonts(response.content))


# --- The workspace page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ("none", "partner", "csco", "nr"))
def test_the_workspace_is_the_secretariats(session, accounts, role):
    client = client_as(role, accounts)
    assert client.get("/workspace/sessions/").status_code == 403
    assert client.get(f"/workspace/sessions/{session.pk}/").status_code in (403, 404)
    before = state(session)
    for url, data in ((f"/workspace/sessions/{session.pk}/schedule/", {}),
                      (f"/workspace/sessions/{session.pk}/slots/generate/",
                       {"gen-first": "2026-03-10T14:00", "gen-count": "2", "gen-minutes": "30", "gen-pause": "0"}),
                      (f"/workspace/sessions/{session.pk}/publish/", {}),
                      (f"/workspace/sessions/{session.pk}/", {"title": "X", "timezone": "UTC", "tables": "3"})):
        assert client.post(url, data).status_code in (403, 404)
    assert state(session) == before
    anonymous = Client()
    assert anonymous.get("/workspace/sessions/").status_code == 302
    assert anonymous.post(f"/workspace/sessions/{session.pk}/schedule/").status_code == 302
    assert state(session) == before


def test_the_secretariat_prepares_and_schedules_a_session(secretariat, fixed_scores,
                                                          django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(secretariat)
    response = client.post("/workspace/sessions/new/", {"title": "Side session", "event": "ASCN Annual Meeting",
                                                        "place": "Ha Noi", "timezone": "Asia/Ho_Chi_Minh",
                                                        "tables": "2"})
    assert response.status_code == 302
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert client.post(f"/workspace/sessions/{pk}/slots/generate/", {
        "gen-first": "2026-11-02T14:00", "gen-count": "3", "gen-minutes": "20", "gen-pause": "5"}).status_code == 302
    zone = __import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")
    assert [s.starts_at.astimezone(zone).strftime("%H:%M") for s in SessionSlot.objects.filter(session_id=pk)
            .order_by("starts_at")] == ["14:00", "14:25", "14:50"]
    from ascn.network.models import City, Partner

    cities = City.objects.filter(slug__in=["da-nang", "ha-noi"]).order_by("slug")
    partners = Partner.objects.filter(slug__in=["jica", "adb"]).order_by("slug")
    assert client.post(f"/workspace/sessions/{pk}/participants/", {
        "add-cities": [c.pk for c in cities], "add-partners": [p.pk for p in partners]}).status_code == 302
    page = client.get(f"/workspace/sessions/{pk}/")
    assert page.status_code == 200
    assert page.context["prepared"].scored_pairs == 4
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(f"/workspace/sessions/{pk}/schedule/", HTTP_HX_REQUEST="true")
    assert queued.status_code == 200
    assert SessionMeeting.objects.filter(session_id=pk).count() == 4
    html = client.get(f"/workspace/sessions/{pk}/status/").content.decode()
    assert 'data-state="optimal"' in html and "hx-trigger" not in html
    assert "(proven optimal)" in html


def test_scheduling_shows_scheduling_until_done(session, secretariat, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/workspace/sessions/{session.pk}/schedule/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="scheduling"' in html and "Scheduling…" in html
    assert f'hx-get="/workspace/sessions/{session.pk}/status/"' in html
    poll = client.get(f"/workspace/sessions/{session.pk}/status/")
    assert "Scheduling…" in poll.content.decode()


def test_a_refused_schedule_lists_each_problem_and_changes_nothing(session, secretariat,
                                                                   django_capture_on_commit_callbacks):
    solve(secretariat, session, django_capture_on_commit_callbacks)
    actions.set_rule(secretariat, session, who(session, "ha-noi"), who(session, "jica"), "pin")
    actions.set_rule(secretariat, session, who(session, "ha-noi"), who(session, "adb"), "pin")
    client = Client()
    client.force_login(secretariat)
    before = state(session)
    response = client.post(f"/workspace/sessions/{session.pk}/schedule/", HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert response.context["refusal"] == ["Ha Noi has 2 pinned meetings but is available in 1 slots"]
    assert state(session) == before


def test_a_bad_slot_is_refused_on_the_page_and_nothing_changes(session, secretariat):
    client = Client()
    client.force_login(secretariat)
    before = state(session)
    response = client.post(f"/workspace/sessions/{session.pk}/slots/", {
        "slot-starts_at": "2026-03-10T09:15", "slot-ends_at": "2026-03-10T09:45"})
    assert response.status_code == 422
    assert response.context["slot_form"].errors == {"starts_at": [
        "The slot 2026-03-10 09:15-09:45 overlaps the slot 2026-03-10 09:00-09:30."]}
    assert state(session) == before


def test_pins_and_forbids_on_the_page(session, secretariat):
    client = Client()
    client.force_login(secretariat)
    slot = session.slots.get(starts_at=DAY)
    assert client.post(f"/workspace/sessions/{session.pk}/rules/", {
        "rule-city": who(session, "da-nang").pk, "rule-partner": who(session, "adb").pk, "rule-kind": "pin",
        "rule-slot": slot.pk}).status_code == 302
    rule = SessionRule.objects.get(session=session)
    assert (rule.kind, rule.slot_id) == ("pin", slot.pk)
    entry = AuditEntry.objects.filter(object_id=str(session.pk), content_type__model="matchingsession").first()
    assert entry.changes == {"rule": [None, "pin"], "pair": ["city:da-nang", "partner:adb"],
                             "slot": [None, "2026-03-10 09:00-09:30"]}
    assert client.post(f"/workspace/sessions/{session.pk}/rules/{rule.pk}/remove/").status_code == 302
    assert not SessionRule.objects.filter(session=session).exists()


def test_a_participants_availability_on_the_page(session, secretariat):
    client = Client()
    client.force_login(secretariat)
    danang = who(session, "da-nang")
    late = session.slots.get(starts_at=DAY + dt.timedelta(minutes=30))
    assert client.post(f"/workspace/sessions/{session.pk}/participants/{danang.pk}/",
                       {f"p{danang.pk}-available": [late.pk]}).status_code == 302
    assert list(danang.available.all()) == [late]


def test_the_workspace_page_counts_its_queries(session, secretariat, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ascn.network.models import City

    client = Client()
    client.force_login(secretariat)
    with CaptureQueriesContext(connection) as four:
        response = client.get(f"/workspace/sessions/{session.pk}/")
    assert response.status_code == 200
    actions.add_participants(secretariat, session, cities=City.objects.exclude(slug__in=["da-nang", "ha-noi"])[:10])
    with django_assert_num_queries(len(four)):  # the same with 14 participants: no query per participant
        assert client.get(f"/workspace/sessions/{session.pk}/").status_code == 200
    assert [str(p) for p, _form in response.context["people"]] == ["Da Nang", "Ha Noi", NAMES["adb"], NAMES["jica"]]
    assert schedule_of(session) == []


# --- The dashboard panels ------------------------------------------------------------------------------------


@pytest.fixture
def panels(monkeypatch):
    """The sessions' panels registered in a copy of the panel registry, so that other tests' dashboards keep
    theirs."""
    import importlib
    import sys

    from ascn.core import panels as registry

    monkeypatch.setattr(registry, "_registry", {slot: list(p) for slot, p in registry._registry.items()})
    name = "ascn.partnerships.panels_sessions"
    importlib.reload(sys.modules[name]) if name in sys.modules else importlib.import_module(name)


def test_a_partner_and_a_city_officer_see_their_sessions_and_next_meetings(panels, secretariat, accounts,
                                                                           fixed_scores,
                                                                           django_capture_on_commit_callbacks):
    from django.utils import timezone

    from ascn.network.models import City, Partner

    tomorrow = (timezone.now() + dt.timedelta(days=1)).astimezone(BANGKOK).replace(hour=9, minute=0, second=0,
                                                                                   microsecond=0)
    s = actions.create_session(secretariat, {"title": "Annual meeting side session", "timezone": "Asia/Bangkok",
                                             "tables": 1, "place": "Bangkok"})
    actions.generate_slots(secretariat, s, tomorrow, 2, 30)
    actions.add_participants(secretariat, s, cities=City.objects.filter(slug__in=["da-nang", "ha-noi"]),
                             partners=Partner.objects.filter(slug__in=["jica", "adb"]))
    solve(secretariat, s, django_capture_on_commit_callbacks)
    partner = client_as("partner", accounts)
    assert "own-sessions-title" not in partner.get("/workspace/").content.decode()  # a draft: no panel yet
    actions.publish_session(secretariat, s)
    html = partner.get("/workspace/").content.decode()
    assert "own-sessions-title" in html
    assert f'href="/partnerships/sessions/{s.pk}/agenda/partner/jica/"' in html
    assert f'href="/partnerships/sessions/{s.pk}/agenda/partner/jica.ics"' in html
    # Tables: one; JICA meets Da Nang (0.9) and Ha Noi (0.8), one in each slot.
    import re

    items = re.findall(r'data-testid="next-meetings">(.*?)</ul>', html, re.S)[0]
    from django.utils.dateformat import format as date_format

    day = date_format(tomorrow, "N j, Y")
    lines = [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in re.findall(r"<li>(.*?)</li>", items, re.S)]
    assert sorted(lines) == [f"{day} 09:00 (Asia/Bangkok) · table 1 · Da Nang Annual meeting side session",
                             f"{day} 09:30 (Asia/Bangkok) · table 1 · Ha Noi Annual meeting side session"] or sorted(
        lines) == [f"{day} 09:00 (Asia/Bangkok) · table 1 · Ha Noi Annual meeting side session",
                   f"{day} 09:30 (Asia/Bangkok) · table 1 · Da Nang Annual meeting side session"]
    city = client_as("csco", accounts).get("/workspace/").content.decode()
    assert f'href="/partnerships/sessions/{s.pk}/agenda/city/da-nang/"' in city
    assert "Japan International Cooperation Agency (JICA)" in city
    nr = client_as("nr", accounts).get("/workspace/").content.decode()
    assert "own-sessions-title" not in nr
    secretariat_html = client_as("secretariat", accounts).get("/workspace/").content.decode()
    assert "1 in preparation, 0 published" not in secretariat_html
    assert "0 in preparation, 1 published" in secretariat_html


def test_the_secretariats_list_of_sessions(session, secretariat, django_assert_max_num_queries):
    client = Client()
    client.force_login(secretariat)
    with django_assert_max_num_queries(10):
        response = client.get("/workspace/sessions/")
    assert [(s.pk, s.slot_count, s.participant_count, s.meeting_count) for s in response.context["page"]] == [
        (session.pk, 2, 4, 0)]
    assert client.get("/workspace/sessions/new/").status_code == 200
    refused = client.post("/workspace/sessions/new/", {"title": "X", "timezone": "Nowhere/Land", "tables": "2"})
    assert refused.status_code == 422
    assert refused.context["form"].errors == {"timezone": [
        "“Nowhere/Land” is not a time zone: give an IANA name such as Asia/Jakarta."]}
    assert [s.pk for s in response.context["page"]] == [session.pk]


def test_scheduling_without_scripts_redirects_with_a_message(session, secretariat,
                                                            django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/workspace/sessions/{session.pk}/schedule/", follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Scheduling… the page shows the result when it is done."]
    assert schedule_of(session) == [("09:00", 1, "ha-noi", "jica", 0.8, False),
                                    ("09:30", 1, "da-nang", "jica", 0.9, False)]


@pytest.mark.parametrize("language", ("vi", "th"))
def test_the_pages_render_in_each_language(published, secretariat, client, language):
    for url in (f"/{language}/partnerships/sessions/{published.pk}/",
                f"/{language}/partnerships/sessions/{published.pk}/agenda/city/da-nang/",
                f"/{language}/partnerships/sessions/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}"' in response.content.decode()
    client.force_login(secretariat)
    assert client.get(f"/{language}/workspace/sessions/{published.pk}/").status_code == 200
