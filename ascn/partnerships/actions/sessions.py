"""Writes of the business-matching sessions: the Secretariat prepares a session (its fields, time slots,
participants with their availability, pins and forbids), asks for a schedule, and publishes it.

Every write checks that the actor may change the session (the Secretariat only), validates, writes inside one
transaction and records one audit entry on the session, whose `changes` say what changed (the slots, the
participants, a rule, the schedule's figures). A change of the slots, participants or rules moves the session's
`updated_at`, so a page can say that the schedule was made before it (`queries.sessions.is_stale`); changes of
the solve's status and the state do not.

A schedule is asked for with `request_solve`: the session is checked at once (`scheduling.validate`), so a
session that cannot be scheduled is refused with every problem and nothing changes; otherwise the solve is
queued and the background task (`tasks.solve_session`) runs `run_solve`, which replaces the previous schedule
in one transaction, or, if the solver refuses (pins that cannot all be placed), keeps it and records why.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core import audit
from ascn.core.choices import AuditAction
from ascn.core.models import User
from ascn.core.permissions import require_create, require_edit
from ascn.network.models import City

from .. import scheduling
from ..choices import SessionRuleKind, SessionState
from ..models import MatchingSession, SessionMeeting, SessionParticipant, SessionRule, SessionSlot
from ..queries import sessions as queries

if TYPE_CHECKING:
    from ascn.core.permissions import Actor
    from ascn.network.models import Partner

logger = logging.getLogger(__name__)

SESSION_FIELDS = {"title", "event", "place", "timezone", "tables"}
MAX_GENERATED_SLOTS = 100
MAX_SLOT_MINUTES = 24 * 60
# Where the solver's problems go in a refusal: the session's part each field of `scheduling` is about.
PROBLEM_FIELDS = {"slots": "slots", "tables": "tables", "participants": "participants", "pins": "rules",
                  "forbidden": "rules", "candidates": "participants", "time_limit": "schedule"}


def _touch(session: MatchingSession) -> None:
    """The slots, participants or rules changed: a schedule made before is out of date."""
    session.updated_at = timezone.now()
    MatchingSession.objects.filter(pk=session.pk).update(updated_at=session.updated_at)


def _set(session: MatchingSession, **values: Any) -> None:
    """Set status fields without moving `updated_at` (they do not change what is scheduled)."""
    for name, value in values.items():
        setattr(session, name, value)
    MatchingSession.objects.filter(pk=session.pk).update(**values)


def _editable(actor: Actor, session: MatchingSession) -> None:
    require_edit(actor, session)


def _check_zone(name: Any) -> None:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError({"timezone": _("“%(zone)s” is not a time zone: give an IANA name such as "
                                             "Asia/Jakarta.") % {"zone": name}}) from exc


# --- The session ----------------------------------------------------------------------------------------


def create_session(actor: Actor, data: dict[str, Any], via: str = "web") -> MatchingSession:
    """A new draft session (the Secretariat)."""
    require_create(actor, MatchingSession)
    values = core.only_fields(data, SESSION_FIELDS)
    session = MatchingSession(**values)
    _check_zone(session.timezone)
    session.full_clean()
    with transaction.atomic():
        core.create_audited(actor, session, via)
    return session


def update_session(actor: Actor, session: MatchingSession, data: dict[str, Any], via: str = "web"
                   ) -> dict[str, list[Any]]:
    """Change the session's fields; returns {field: [old, new]} ({} when nothing changed, nothing written)."""
    _editable(actor, session)
    values = core.only_fields(data, SESSION_FIELDS)
    before = audit.snapshot(session)
    for name, value in values.items():
        setattr(session, name, value)
    _check_zone(session.timezone)
    try:
        session.full_clean()
    except ValidationError:
        session.refresh_from_db()
        raise
    changes = audit.diff(before, audit.snapshot(session))
    if not changes:
        return {}
    fields = sorted(changes)
    if {"tables", "timezone"} & set(changes):  # what the schedule depends on
        fields.append("updated_at")
    with transaction.atomic():
        session.save(update_fields=fields)
        core.record(actor, AuditAction.UPDATE, session, changes, via)
    return changes


def publish_session(actor: Actor, session: MatchingSession, via: str = "web") -> dict[str, list[Any]]:
    """Publish the session with its schedule: the public sees its grid and agendas."""
    _editable(actor, session)
    if session.state == SessionState.PUBLISHED:
        return {}
    if queries.is_busy(session):
        raise ValidationError({"state": _("The schedule is being made: publish the session when it is done.")})
    if not SessionMeeting.objects.filter(session=session).exists():
        raise ValidationError({"state": _("The session has no schedule yet: schedule it before publishing.")})
    return _move(actor, session, SessionState.PUBLISHED, via)


def unpublish_session(actor: Actor, session: MatchingSession, via: str = "web") -> dict[str, list[Any]]:
    """Take the session back to draft: it leaves the public pages."""
    _editable(actor, session)
    if session.state == SessionState.DRAFT:
        return {}
    return _move(actor, session, SessionState.DRAFT, via)


def _move(actor: Actor, session: MatchingSession, state: str, via: str) -> dict[str, list[Any]]:
    changes = {"state": [session.state, state]}
    with transaction.atomic():
        _set(session, state=state)
        core.record(actor, AuditAction.UPDATE, session, changes, via)
    return changes


# --- Time slots -----------------------------------------------------------------------------------------


def _label(session: MatchingSession, starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    zone = queries.session_zone(session)
    start, end = timezone.localtime(starts_at, zone), timezone.localtime(ends_at, zone)
    return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"


def _check_slots(session: MatchingSession, new: list[tuple[dt.datetime, dt.datetime]]) -> None:
    """Refuse slots that end before they start, are longer than a day, or overlap each other or the session's
    slots (a participant cannot be at two tables at once)."""
    existing = [(s.starts_at, s.ends_at) for s in session.slots.all()]
    for index, (start, end) in enumerate(new):
        if timezone.is_naive(start) or timezone.is_naive(end):
            raise ValidationError({"starts_at": _("Give the time with its time zone.")})
        if end <= start:
            raise ValidationError({"ends_at": _("The slot must end after it starts.")})
        if end - start > dt.timedelta(minutes=MAX_SLOT_MINUTES):
            raise ValidationError({"ends_at": _("A slot lasts at most a day.")})
        for other_start, other_end in existing + new[:index]:
            if start < other_end and other_start < end:
                raise ValidationError({"starts_at": _("The slot %(new)s overlaps the slot %(old)s.") % {
                    "new": _label(session, start, end), "old": _label(session, other_start, other_end)}})


def _add_slots(actor: Actor, session: MatchingSession, new: list[tuple[dt.datetime, dt.datetime]],
               via: str) -> list[SessionSlot]:
    _editable(actor, session)
    with transaction.atomic():
        MatchingSession.objects.select_for_update().filter(pk=session.pk).first()  # one change of slots at a time
        _check_slots(session, new)
        rows = SessionSlot.objects.bulk_create([SessionSlot(session=session, starts_at=start, ends_at=end)
                                                for start, end in new])
        core.record(actor, AuditAction.UPDATE, session,
                    {"slots": [None, [_label(session, start, end) for start, end in new]]}, via)
        _touch(session)
    return rows


def add_slot(actor: Actor, session: MatchingSession, starts_at: dt.datetime, ends_at: dt.datetime,
             via: str = "web") -> SessionSlot:
    """One time slot (aware datetimes)."""
    return _add_slots(actor, session, [(starts_at, ends_at)], via)[0]


def generate_slots(actor: Actor, session: MatchingSession, first: dt.datetime, count: int, minutes: int,
                   pause: int = 0, via: str = "web") -> list[SessionSlot]:
    """`count` slots of `minutes` each from `first` (aware), `pause` minutes apart; one audit entry."""
    _editable(actor, session)
    if not 1 <= count <= MAX_GENERATED_SLOTS:
        raise ValidationError({"count": _("Give from 1 to %(maximum)s slots.") % {"maximum": MAX_GENERATED_SLOTS}})
    if not 1 <= minutes <= MAX_SLOT_MINUTES:
        raise ValidationError({"minutes": _("A slot lasts from 1 minute to a day.")})
    if not 0 <= pause <= MAX_SLOT_MINUTES:
        raise ValidationError({"pause": _("The pause lasts from 0 minutes to a day.")})
    step = dt.timedelta(minutes=minutes + pause)
    length = dt.timedelta(minutes=minutes)
    return _add_slots(actor, session, [(first + i * step, first + i * step + length) for i in range(count)], via)


def remove_slot(actor: Actor, slot: SessionSlot, via: str = "web") -> None:
    """Remove a slot, with its meetings and the pins to it."""
    session = slot.session
    _editable(actor, session)
    with transaction.atomic():
        meetings = SessionMeeting.objects.filter(slot=slot).count()
        pins = SessionRule.objects.filter(slot=slot).count()
        core.record(actor, AuditAction.UPDATE, session,
                    {"slots": [_label(session, slot.starts_at, slot.ends_at), None],
                     **({"meetings": [meetings, 0]} if meetings else {}),
                     **({"pins": [pins, 0]} if pins else {})}, via)
        slot.delete()
        _touch(session)


# --- Participants ---------------------------------------------------------------------------------------


def add_participants(actor: Actor, session: MatchingSession, cities: Iterable[City] = (),
                     partners: Iterable[Partner] = (), via: str = "web") -> list[SessionParticipant]:
    """Add member cities and published partners (those already in the session are left as they are); one
    audit entry."""
    _editable(actor, session)
    city_list, partner_list = list(dict.fromkeys(cities)), list(dict.fromkeys(partners))
    if not city_list and not partner_list:
        raise ValidationError({"participants": _("Choose at least one city or partner.")})
    members = set(City.objects.as_of(timezone.localdate()).filter(pk__in=[c.pk for c in city_list])
                  .values_list("pk", flat=True))
    outside = sorted(c.name for c in city_list if c.pk not in members)
    if outside:
        raise ValidationError({"cities": _("Not member cities of the network today: %(names)s.")
                               % {"names": ", ".join(outside)}})
    hidden = sorted(p.name for p in partner_list if not p.is_published)
    if hidden:
        raise ValidationError({"partners": _("Not published partners: %(names)s.") % {"names": ", ".join(hidden)}})
    with transaction.atomic():
        present = session.participants.all()
        have_cities = set(present.filter(city__isnull=False).values_list("city_id", flat=True))
        have_partners = set(present.filter(partner__isnull=False).values_list("partner_id", flat=True))
        rows = ([SessionParticipant(session=session, city=c) for c in city_list if c.pk not in have_cities]
                + [SessionParticipant(session=session, partner=p) for p in partner_list if p.pk not in have_partners])
        if not rows:
            return []
        SessionParticipant.objects.bulk_create(rows)
        core.record(actor, AuditAction.UPDATE, session, {"participants": [None, sorted(
            [f"city:{c.slug}" for c in city_list if c.pk not in have_cities]
            + [f"partner:{p.slug}" for p in partner_list if p.pk not in have_partners])]}, via)
        _touch(session)
    return rows


def _who(participant: SessionParticipant) -> str:
    return (f"city:{participant.city.slug}" if participant.city_id  # type: ignore[union-attr]
            else f"partner:{participant.partner.slug}")  # type: ignore[union-attr]


def set_availability(actor: Actor, participant: SessionParticipant, slots: Iterable[SessionSlot],
                     via: str = "web") -> dict[str, list[Any]]:
    """The slots the participant can meet in (none: every slot); returns the change ({}: nothing changed)."""
    session = participant.session
    _editable(actor, session)
    wanted = list(dict.fromkeys(slots))
    if any(slot.session_id != session.pk for slot in wanted):
        raise ValidationError({"available": _("Choose among this session's slots.")})
    with transaction.atomic():
        change = core.set_links(participant.available, wanted, "pk")
        if change is None:
            return {}
        labels = queries.slot_labels(session, queries.slots(session))
        named = [[labels.get(pk, str(pk)) for pk in side] for side in change]
        changes = {"available": [_who(participant), *named]}
        core.record(actor, AuditAction.UPDATE, session, changes, via)
        _touch(session)
    return changes


def remove_participant(actor: Actor, participant: SessionParticipant, via: str = "web") -> None:
    """Remove a participant, with its meetings and its pins and forbids."""
    session = participant.session
    _editable(actor, session)
    with transaction.atomic():
        SessionRule.objects.filter(session=session).filter(city=participant).delete()
        SessionRule.objects.filter(session=session).filter(partner=participant).delete()
        core.record(actor, AuditAction.UPDATE, session, {"participants": [_who(participant), None]}, via)
        participant.delete()
        _touch(session)


# --- Pins and forbids -----------------------------------------------------------------------------------


def set_rule(actor: Actor, session: MatchingSession, city: SessionParticipant, partner: SessionParticipant,
             kind: str, slot: SessionSlot | None = None, via: str = "web") -> SessionRule:
    """Pin a pair (to `slot`, or any slot both can attend) or forbid it; replaces the pair's earlier rule."""
    _editable(actor, session)
    if city.session_id != session.pk or not city.city_id:
        raise ValidationError({"city": _("Choose a city of this session.")})
    if partner.session_id != session.pk or not partner.partner_id:
        raise ValidationError({"partner": _("Choose a partner of this session.")})
    if kind not in SessionRuleKind.values:
        raise ValidationError({"kind": _("Choose “must meet” or “must not meet”.")})
    if slot is not None and (slot.session_id != session.pk or kind != SessionRuleKind.PIN):
        raise ValidationError({"slot": _("Only a pinned meeting takes a slot, one of this session's.")})
    with transaction.atomic():
        rule = SessionRule.objects.filter(session=session, city=city, partner=partner).first()
        before = [rule.kind, rule.slot_id] if rule else None
        if rule is None:
            rule = SessionRule(session=session, city=city, partner=partner)
        rule.kind, rule.slot = kind, slot
        if before == [kind, slot.pk if slot else None]:
            return rule
        rule.save()
        label = _label(session, slot.starts_at, slot.ends_at) if slot else None
        core.record(actor, AuditAction.UPDATE, session, {
            "rule": [None if before is None else before[0], kind], "pair": [_who(city), _who(partner)],
            **({"slot": [None, label]} if label else {})}, via)
        _touch(session)
    return rule


def remove_rule(actor: Actor, rule: SessionRule, via: str = "web") -> None:
    session = rule.session
    _editable(actor, session)
    with transaction.atomic():
        core.record(actor, AuditAction.UPDATE, session, {
            "rule": [rule.kind, None], "pair": [_who(rule.city), _who(rule.partner)]}, via)
        rule.delete()
        _touch(session)


# --- Scheduling -------------------------------------------------------------------------------------------


def refusal(problems: list[tuple[str, str]]) -> ValidationError:
    """The solver's (field, message) problems as a ValidationError keyed by the session's parts."""
    errors: dict[str, list[str]] = {}
    for name, message in problems:
        root = name.split("[", 1)[0].split(".", 1)[0]
        errors.setdefault(PROBLEM_FIELDS.get(root, "schedule"), []).append(message)
    return ValidationError(errors)


def request_solve(actor: Actor, session: MatchingSession, via: str = "web") -> MatchingSession:
    """Queue a new schedule of the session (the task starts after commit). A session the scheduler would
    refuse (no slot, a pin that cannot be met, more pinned meetings than a participant's slots...) is refused
    at once with each problem, and nothing changes: the previous schedule stays."""
    from ..tasks import solve_session

    _editable(actor, session)
    with transaction.atomic():
        MatchingSession.objects.select_for_update().filter(pk=session.pk).first()  # one request at a time
        session.refresh_from_db()
        if queries.is_busy(session):
            raise ValidationError({"schedule": _("A schedule of this session is already being made; wait for it "
                                                 "to finish.")})
        problems = scheduling.validate(queries.prepare(session).problem)
        if problems:
            raise refusal(problems)
        changes = {"solve_status": [session.solve_status or None, "queued"]}
        _set(session, solve_status="queued")
        core.record(actor, AuditAction.UPDATE, session, changes, via)
        actor_id = actor.pk if isinstance(actor, User) else None
        transaction.on_commit(lambda: solve_session.enqueue(session.pk, actor_id, via))
    return session


def run_solve(session_id: int, actor_id: int | None = None, via: str = "web",
              time_limit: float = queries.SOLVE_TIME_LIMIT) -> MatchingSession | None:
    """Solve a queued session and store its schedule (the task's work). A session that is not queued any more
    is left as it is. The new meetings replace the old ones and the figures are stored in one transaction; a
    refusal keeps the previous schedule and records its problems in the audit entry."""
    claimed = MatchingSession.objects.filter(pk=session_id, solve_status="queued").update(solve_status="running")
    session = MatchingSession.objects.filter(pk=session_id).first()
    if not claimed or session is None:
        return session
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    via = f"{via}, task"[:20]
    try:
        prepared = queries.prepare(session)
        schedule = scheduling.solve(prepared.problem, time_limit=time_limit)
    except scheduling.SchedulingError as exc:
        with transaction.atomic():
            _set(session, solve_status="refused")
            core.record(actor, AuditAction.UPDATE, session, {"solve_status": ["running", "refused"],
                                                             "problems": [list(p) for p in exc.problems]}, via)
        return session
    except Exception as exc:  # any other error ends the solve as failed, the previous schedule kept
        logger.exception("Business-matching session %s: the solve failed", session_id)
        with transaction.atomic():
            _set(session, solve_status="failed")
            problems = [["schedule", str(exc) or type(exc).__name__]]
            core.record(actor, AuditAction.UPDATE, session,
                        {"solve_status": ["running", "failed"], "problems": problems}, via)
        return session
    store_schedule(actor, session, prepared, schedule, via)
    return session


def store_schedule(actor: Actor | None, session: MatchingSession, prepared: queries.Prepared,
                   schedule: scheduling.Schedule, via: str) -> None:
    """Replace the session's meetings with the schedule's and store its figures, in one transaction."""
    before = {name: getattr(session, name) for name in ("score", "bound", "gap", "greedy_score")}
    old_count = SessionMeeting.objects.filter(session=session).count()
    people = prepared.people
    rows = [SessionMeeting(session=session, slot=prepared.slot_of[str(m.slot)], table=m.table,
                           city=people["city", str(m.city)], partner=people["partner", str(m.partner)],
                           score=m.score, pinned=m.pinned) for m in schedule.meetings]
    figures = {"score": schedule.score, "bound": schedule.bound, "gap": schedule.gap,
               "greedy_score": schedule.greedy_score}
    with transaction.atomic():
        SessionMeeting.objects.filter(session=session).delete()
        SessionMeeting.objects.bulk_create(rows)
        now = timezone.now()
        _set(session, solved_at=now, solve_status=schedule.status, solve_seconds=schedule.seconds, **figures)
        changes: dict[str, list[Any]] = {name: [before[name], value] for name, value in figures.items()
                                         if before[name] != value}
        changes["solve_status"] = ["running", schedule.status]
        changes["meetings"] = [old_count, len(rows)]
        core.record(actor, AuditAction.UPDATE, session, changes, via)
