"""Business-matching sessions (actions and queries): preparing a session, scheduling it in the background task,
pins and forbids, the refusal of a session that cannot be scheduled (nothing changes), and who may do what."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ascn.core.models import AuditEntry
from ascn.network.models import City, Partner
from ascn.partnerships.actions import sessions as actions
from ascn.partnerships.models import MatchingSession, SessionMeeting, SessionParticipant, SessionRule, SessionSlot
from ascn.partnerships.queries import sessions as queries

pytestmark = pytest.mark.django_db

BANGKOK = ZoneInfo("Asia/Bangkok")
DAY = dt.datetime(2026, 3, 10, 9, 0, tzinfo=BANGKOK)
NAMES = {"da-nang": "Da Nang", "ha-noi": "Ha Noi", "jica": "Japan International Cooperation Agency (JICA)",
         "adb": "Asian Development Bank (ADB)"}
# The match scores the tests schedule by (the real ones come from the cities' needs and the partners' offers:
# see test_the_scores_are_the_matching_modules).
SCORES = {("da-nang", "jica"): 0.9, ("da-nang", "adb"): 0.5, ("ha-noi", "jica"): 0.8, ("ha-noi", "adb"): 0.1}
DENIED = ("anonymous", "none", "partner", "csco", "nr")


@pytest.fixture
def fixed_scores(monkeypatch):
    def scores(people):
        city = {c.slug: c.pk for c in City.objects.filter(slug__in=["da-nang", "ha-noi"])}
        partner = {p.slug: p.pk for p in Partner.objects.filter(slug__in=["jica", "adb"])}
        return {(city[c], partner[p]): value for (c, p), value in SCORES.items()}

    monkeypatch.setattr(queries, "scores", scores)


@pytest.fixture
def session(secretariat, fixed_scores):
    """Two slots of 30 minutes from 09:00 in Bangkok, one table; Da Nang and Ha Noi (available at 09:00 only),
    JICA and ADB."""
    s = actions.create_session(secretariat, {"title": "ASEAN-Japan business matching", "event": "HLM 2026",
                                             "place": "Bangkok", "timezone": "Asia/Bangkok", "tables": 1})
    actions.generate_slots(secretariat, s, DAY, 2, 30)
    actions.add_participants(secretariat, s, cities=City.objects.filter(slug__in=["da-nang", "ha-noi"]),
                             partners=Partner.objects.filter(slug__in=["jica", "adb"]))
    first = s.slots.order_by("starts_at").first()
    actions.set_availability(secretariat, who(s, "ha-noi"), [first])
    return s


def who(session, slug):
    return SessionParticipant.objects.get(session=session, **({"city__slug": slug} if slug in ("da-nang", "ha-noi")
                                                               else {"partner__slug": slug}))


def slot_at(session, hour, minute):
    return session.slots.get(starts_at=DAY.replace(hour=hour, minute=minute))


def schedule_of(session):
    return [(m.slot.starts_at.astimezone(BANGKOK).strftime("%H:%M"), m.table, m.city.city.slug, m.partner.partner.slug,
             m.score, m.pinned) for m in queries.meetings(session)]


def solve(actor, session, capture):
    with capture(execute=True):
        actions.request_solve(actor, session)
    session.refresh_from_db()


def state(session):
    """Everything a denied or refused write must leave as it was."""
    session.refresh_from_db()
    return (session.title, session.tables, session.state, session.solve_status, session.score,
            schedule_of(session), SessionSlot.objects.filter(session=session).count(),
            sorted(SessionParticipant.objects.filter(session=session).values_list("pk", flat=True)),
            list(SessionRule.objects.filter(session=session).values_list("kind", "city_id", "partner_id", "slot_id")),
            AuditEntry.objects.count())


# --- Preparing a session ---------------------------------------------------------------------------------------


def test_a_session_is_prepared_with_one_audit_entry_per_write(session):
    entries = AuditEntry.objects.filter(object_id=str(session.pk), content_type__model="matchingsession")
    assert entries.count() == 4
    first = entries.order_by("id").first()
    assert first.action == "create" and first.changes["title"] == [None, "ASEAN-Japan business matching"]
    assert [(s.starts_at, s.ends_at) for s in queries.slots(session)] == [
        (DAY, DAY + dt.timedelta(minutes=30)), (DAY + dt.timedelta(minutes=30), DAY + dt.timedelta(minutes=60))]
    slots_entry = entries.order_by("id")[1]
    assert slots_entry.changes == {"slots": [None, ["2026-03-10 09:00-09:30", "2026-03-10 09:30-10:00"]]}
    assert entries.order_by("id")[2].changes == {"participants": [None, [
        "city:da-nang", "city:ha-noi", "partner:adb", "partner:jica"]]}
    assert entries.order_by("id")[3].changes == {"available": ["city:ha-noi", [], ["09:00"]]}


def test_generated_slots_may_have_a_pause(secretariat):
    s = actions.create_session(secretariat, {"title": "Side session", "timezone": "Asia/Bangkok"})
    rows = actions.generate_slots(secretariat, s, DAY, 3, 20, pause=10)
    assert [(r.starts_at.astimezone(BANGKOK).strftime("%H:%M"), r.ends_at.astimezone(BANGKOK).strftime("%H:%M"))
            for r in rows] == [("09:00", "09:20"), ("09:30", "09:50"), ("10:00", "10:20")]


def test_an_overlapping_slot_is_refused_and_nothing_changes(session, secretariat):
    before = state(session)
    with pytest.raises(ValidationError) as refused:
        actions.add_slot(secretariat, session, DAY + dt.timedelta(minutes=15), DAY + dt.timedelta(minutes=45))
    assert refused.value.message_dict == {"starts_at": [
        "The slot 2026-03-10 09:15-09:45 overlaps the slot 2026-03-10 09:00-09:30."]}
    assert state(session) == before


@pytest.mark.parametrize(("data", "errors"), [
    ({"timezone": "Mars/Olympus"}, {"timezone": [
        "“Mars/Olympus” is not a time zone: give an IANA name such as Asia/Jakarta."]}),
    ({"tables": 0}, {"tables": ["Ensure this value is greater than or equal to 1."]}),
    ({"title": ""}, {"title": ["This field cannot be blank."]}),
])
def test_bad_session_fields_are_refused_and_nothing_changes(session, secretariat, data, errors):
    before = state(session)
    with pytest.raises(ValidationError) as refused:
        actions.update_session(secretariat, session, data)
    assert refused.value.message_dict == errors
    assert state(session) == before


def test_a_slot_that_ends_before_it_starts_is_refused(session, secretariat):
    before = state(session)
    with pytest.raises(ValidationError) as refused:
        actions.add_slot(secretariat, session, DAY + dt.timedelta(hours=3), DAY + dt.timedelta(hours=2))
    assert refused.value.message_dict == {"ends_at": ["The slot must end after it starts."]}
    assert state(session) == before


# --- Scheduling ------------------------------------------------------------------------------------------


def test_a_session_is_scheduled_in_the_background_and_stored(session, secretariat,
                                                             django_capture_on_commit_callbacks):
    solve(secretariat, session, django_capture_on_commit_callbacks)
    # Ha Noi can only meet at 09:00, and there is one table: the best is Ha Noi-JICA then Da Nang-JICA.
    assert schedule_of(session) == [("09:00", 1, "ha-noi", "jica", 0.8, False),
                                    ("09:30", 1, "da-nang", "jica", 0.9, False)]
    assert session.solve_status == "optimal"
    assert session.score == pytest.approx(1.7)
    assert session.bound == pytest.approx(1.7)
    assert session.gap == pytest.approx(0.0)
    # The greedy baseline seats Da Nang-JICA (0.9) at 09:00 first, which leaves Ha Noi no table: 0.9 + 0.5.
    assert session.greedy_score == pytest.approx(1.4)
    assert queries.ratio_to_greedy(session) == pytest.approx(1.7 / 1.4)
    assert session.solved_at is not None and session.solve_seconds >= 0
    assert not queries.is_stale(session) and not queries.is_busy(session)
    last = AuditEntry.objects.filter(object_id=str(session.pk), content_type__model="matchingsession").first()
    assert last.actor == secretariat and last.via == "web, task"
    assert last.changes == {"score": [None, pytest.approx(1.7)], "bound": [None, pytest.approx(1.7)],
                            "gap": [None, pytest.approx(0.0)], "greedy_score": [None, pytest.approx(1.4)],
                            "solve_status": ["running", "optimal"], "meetings": [0, 2]}


def test_a_pin_and_a_forbid_change_the_schedule(session, secretariat, django_capture_on_commit_callbacks):
    actions.set_rule(secretariat, session, who(session, "da-nang"), who(session, "adb"), "pin",
                     slot=slot_at(session, 9, 0))
    actions.set_rule(secretariat, session, who(session, "ha-noi"), who(session, "jica"), "forbid")
    assert queries.is_stale(session) is False  # nothing was scheduled yet
    solve(secretariat, session, django_capture_on_commit_callbacks)
    # 09:00 holds the pin, so Ha Noi (there at 09:00 only) meets nobody; Da Nang meets JICA at 09:30.
    assert schedule_of(session) == [("09:00", 1, "da-nang", "adb", 0.5, True),
                                    ("09:30", 1, "da-nang", "jica", 0.9, False)]
    assert session.score == pytest.approx(1.4)


def test_a_new_schedule_replaces_the_previous_one(session, secretariat, django_capture_on_commit_callbacks):
    solve(secretariat, session, django_capture_on_commit_callbacks)
    actions.set_rule(secretariat, session, who(session, "da-nang"), who(session, "jica"), "forbid")
    session.refresh_from_db()
    assert queries.is_stale(session)
    solve(secretariat, session, django_capture_on_commit_callbacks)
    assert schedule_of(session) == [("09:00", 1, "ha-noi", "jica", 0.8, False),
                                    ("09:30", 1, "da-nang", "adb", 0.5, False)]
    assert SessionMeeting.objects.filter(session=session).count() == 2
    assert not queries.is_stale(session)


def test_more_pinned_meetings_than_slots_are_refused_and_nothing_changes(session, secretariat,
                                                                          django_capture_on_commit_callbacks):
    solve(secretariat, session, django_capture_on_commit_callbacks)
    actions.set_rule(secretariat, session, who(session, "ha-noi"), who(session, "jica"), "pin")
    actions.set_rule(secretariat, session, who(session, "ha-noi"), who(session, "adb"), "pin")
    before = state(session)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError) as refused:
        actions.request_solve(secretariat, session)
    assert refused.value.message_dict == {"rules": ["Ha Noi has 2 pinned meetings but is available in 1 slots"]}
    assert callbacks == []
    assert state(session) == before
    assert schedule_of(session)[0] == ("09:00", 1, "ha-noi", "jica", 0.8, False)


def test_a_session_without_slots_is_refused(secretariat, fixed_scores):
    s = actions.create_session(secretariat, {"title": "Empty", "timezone": "Asia/Bangkok"})
    with pytest.raises(ValidationError) as refused:
        actions.request_solve(secretariat, s)
    assert refused.value.message_dict == {"slots": ["give at least one slot"]}
    s.refresh_from_db()
    assert s.solve_status == ""


def test_pins_the_solver_cannot_place_together_keep_the_previous_schedule(session, secretariat,
                                                                          django_capture_on_commit_callbacks):
    solve(secretariat, session, django_capture_on_commit_callbacks)
    previous = schedule_of(session)
    # Ha Noi can only meet JICA at 09:00, and Da Nang-JICA is pinned to 09:00 too: JICA cannot be at both.
    actions.set_rule(secretariat, session, who(session, "ha-noi"), who(session, "jica"), "pin")
    actions.set_rule(secretariat, session, who(session, "da-nang"), who(session, "jica"), "pin",
                     slot=slot_at(session, 9, 0))
    solve(secretariat, session, django_capture_on_commit_callbacks)
    assert session.solve_status == "refused"
    assert schedule_of(session) == previous
    assert session.score == pytest.approx(1.7)
    assert queries.last_problems(session) == [
        "the pinned meetings cannot all be placed in the slots and tables available; unpin some meetings or add "
        "slots or tables"]


def test_a_second_request_while_one_is_queued_is_refused(session, secretariat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        actions.request_solve(secretariat, session)
    session.refresh_from_db()
    assert session.solve_status == "queued" and queries.is_busy(session)
    with pytest.raises(ValidationError) as refused:
        actions.request_solve(secretariat, session)
    assert refused.value.message_dict == {"schedule": [
        "A schedule of this session is already being made; wait for it to finish."]}


def test_publishing_needs_a_schedule(session, secretariat, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError) as refused:
        actions.publish_session(secretariat, session)
    assert refused.value.message_dict == {"state": ["The session has no schedule yet: schedule it before publishing."]}
    solve(secretariat, session, django_capture_on_commit_callbacks)
    assert actions.publish_session(secretariat, session) == {"state": ["draft", "published"]}
    session.refresh_from_db()
    assert session.state == "published" and not queries.is_stale(session)
    assert actions.unpublish_session(secretariat, session) == {"state": ["published", "draft"]}


def test_removing_a_participant_removes_its_meetings_and_rules(session, secretariat,
                                                               django_capture_on_commit_callbacks):
    actions.set_rule(secretariat, session, who(session, "ha-noi"), who(session, "adb"), "forbid")
    solve(secretariat, session, django_capture_on_commit_callbacks)
    actions.remove_participant(secretariat, who(session, "ha-noi"))
    assert schedule_of(session) == [("09:30", 1, "da-nang", "jica", 0.9, False)]
    assert SessionRule.objects.filter(session=session).count() == 0
    session.refresh_from_db()
    assert queries.is_stale(session)


# --- Who may do what -------------------------------------------------------------------------------------------


def _as(role, accounts):
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser() if role == "anonymous" else accounts[role]


WRITES = {
    "update": lambda s, a: actions.update_session(a, s, {"title": "Changed"}),
    "slot": lambda s, a: actions.add_slot(a, s, DAY + dt.timedelta(hours=2), DAY + dt.timedelta(hours=3)),
    "generate": lambda s, a: actions.generate_slots(a, s, DAY + dt.timedelta(hours=2), 2, 30),
    "remove_slot": lambda s, a: actions.remove_slot(a, slot_at(s, 9, 30)),
    "participants": lambda s, a: actions.add_participants(a, s, cities=City.objects.filter(slug="bangkok")),
    "availability": lambda s, a: actions.set_availability(a, who(s, "da-nang"), [slot_at(s, 9, 0)]),
    "remove_participant": lambda s, a: actions.remove_participant(a, who(s, "adb")),
    "rule": lambda s, a: actions.set_rule(a, s, who(s, "da-nang"), who(s, "adb"), "pin"),
    "solve": lambda s, a: actions.request_solve(a, s),
    "publish": lambda s, a: actions.publish_session(a, s),
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("role", DENIED)
def test_only_the_secretariat_changes_a_session_and_a_denied_change_changes_nothing(session, accounts, role, write,
                                                                                      django_capture_on_commit_callbacks):
    before = state(session)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        WRITES[write](session, _as(role, accounts))
    assert state(session) == before


@pytest.mark.parametrize("role", ("anonymous", "none", "partner", "csco", "nr"))
def test_only_the_secretariat_creates_a_session(accounts, role):
    count = MatchingSession.objects.count()
    with pytest.raises(PermissionDenied):
        actions.create_session(_as(role, accounts), {"title": "X"})
    assert MatchingSession.objects.count() == count


def test_drafts_are_the_secretariats_and_published_sessions_everyones(session, accounts,
                                                                      django_capture_on_commit_callbacks):
    assert [s.pk for s in queries.sessions(accounts["secretariat"])] == [session.pk]
    for role in DENIED:
        assert list(queries.sessions(_as(role, accounts))) == []
    solve(accounts["secretariat"], session, django_capture_on_commit_callbacks)
    actions.publish_session(accounts["secretariat"], session)
    for role in DENIED:
        rows = list(queries.sessions(_as(role, accounts)))
        assert [(s.pk, s.slot_count, s.participant_count, s.meeting_count) for s in rows] == [(session.pk, 2, 4, 2)]


def test_a_partner_sees_its_sessions_and_next_meetings(session, accounts, django_capture_on_commit_callbacks):
    assert list(queries.own_participations(accounts["partner"])) == []  # a draft
    solve(accounts["secretariat"], session, django_capture_on_commit_callbacks)
    actions.publish_session(accounts["secretariat"], session)
    assert [p.session_id for p in queries.own_participations(accounts["partner"])] == [session.pk]
    assert [p.session_id for p in queries.own_participations(accounts["csco"])] == [session.pk]
    assert queries.own_participations(accounts["nr"]) is None
    assert queries.next_meetings(accounts["nr"]) == []
    # The next meetings (slots still ahead) are tested on the dashboard (test_sessions_pages).


# --- The scores --------------------------------------------------------------------------------------------------


def test_the_scores_are_the_matching_modules(secretariat):
    """Without the fixed scores: the pairs' scores are `pair_scores` of the cities' published needs and the
    partners' published offers; a pair with no eligible match is no candidate."""
    from decimal import Decimal

    from ascn.partnerships.actions import offers as offer_actions
    from ascn.partnerships.queries import matching, offers

    da_nang, jica = City.objects.get(slug="da-nang"), Partner.objects.get(slug="jica")
    offer_actions.create_need(secretariat, da_nang, {"title": "Traffic signals", "kind": "technical"}, publish=True)
    offer = offer_actions.create_offer(secretariat, jica, {"title": "Adaptive traffic signals",
                                                           "kind": "technical_assistance",
                                                           "ticket_min": Decimal(1000), "currency": "USD"},
                                       publish=True)
    s = actions.create_session(secretariat, {"title": "Scores", "timezone": "Asia/Bangkok"})
    actions.generate_slots(secretariat, s, DAY, 1, 30)
    actions.add_participants(secretariat, s, cities=[da_nang], partners=[jica])
    prepared = queries.prepare(s)
    rows = [row for row in offers.needs(None) if row.city.pk == da_nang.pk]
    expected = matching.pair_scores(rows, [offer])[(da_nang.pk, jica.pk)]
    assert [(c.city, c.partner, c.score) for c in prepared.problem.candidates] == [
        ("Da Nang", NAMES["jica"], pytest.approx(expected))]
    assert prepared.unscored == []


def test_only_member_cities_and_published_partners_take_part(session, secretariat):
    from ascn.network.models import Country

    outsider = City.objects.create(slug="atlantis", name="Atlantis", country=Country.objects.get(iso3="VNM"),
                                   latitude=10, longitude=106)
    hidden = Partner.objects.create(slug="hidden", name="Hidden Fund", kind="company", is_published=False)
    before = state(session)
    with pytest.raises(ValidationError) as refused:
        actions.add_participants(secretariat, session, cities=[outsider])
    assert refused.value.message_dict == {"cities": ["Not member cities of the network today: Atlantis."]}
    with pytest.raises(ValidationError) as refused:
        actions.add_participants(secretariat, session, partners=[hidden])
    assert refused.value.message_dict == {"partners": ["Not published partners: Hidden Fund."]}
    assert state(session) == before


def test_removing_a_slot_records_its_meetings_and_pins(session, secretariat, django_capture_on_commit_callbacks):
    solve(secretariat, session, django_capture_on_commit_callbacks)
    actions.set_rule(secretariat, session, who(session, "da-nang"), who(session, "adb"), "pin",
                     slot=slot_at(session, 9, 30))
    actions.remove_slot(secretariat, slot_at(session, 9, 30))
    entry = AuditEntry.objects.filter(object_id=str(session.pk), content_type__model="matchingsession").first()
    assert entry.changes == {"slots": ["2026-03-10 09:30-10:00", None], "meetings": [1, 0], "pins": [1, 0]}
    assert schedule_of(session) == [("09:00", 1, "ha-noi", "jica", 0.8, False)]
    assert SessionRule.objects.filter(session=session).count() == 0
