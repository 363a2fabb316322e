"""Reads of the business-matching sessions: the sessions a user may see, a session's grid, one participant's
agenda, and the session's records turned into a `scheduling.SchedulingProblem` (with the match scores of
`queries.matching.pair_scores`).

Access follows `MatchingSession.access`: the public (and every account) sees published sessions, the
Secretariat all of them, drafts included. A session's slots, participants, rules and meetings are read through
the session, so whoever sees the session sees them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q
from django.utils import timezone

from ascn.core.choices import Role
from ascn.core.models import AuditEntry
from ascn.core.permissions import Principal

from .. import scheduling
from ..choices import SessionRuleKind, SessionState
from ..models import MatchingSession, SessionMeeting, SessionParticipant, SessionRule, SessionSlot
from .matching import pair_scores, published_offers
from .offers import needs

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

SIDES = ("city", "partner")
# The solver's time limit in the background task: the scale (300 participants, 16 slots) is proven
# optimal in about 2 s (docs/partnerships-scheduling.md); larger events get the best schedule found in this
# time and its gap.
SOLVE_TIME_LIMIT = 60.0
# A solve queued or running for longer than this is taken as lost (a worker stopped mid-way).
BUSY_FOR = dt.timedelta(minutes=15)
BUSY_STATES = ("queued", "running")


def sessions(user: Actor | None) -> Any:
    """The sessions the user may see (published ones; the Secretariat all), newest first, with their counts."""
    return (MatchingSession.objects.visible_to(user)
            .annotate(slot_count=Count("slots", distinct=True), participant_count=Count("participants", distinct=True),
                      meeting_count=Count("meetings", distinct=True))
            .order_by("-created_at", "-id"))


def session_zone(session: MatchingSession) -> dt.tzinfo:
    """The session's time zone (UTC if the stored name is unknown to this server's zone database)."""
    try:
        return ZoneInfo(session.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _entries(session: MatchingSession) -> Any:
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(MatchingSession),
                                     object_id=str(session.pk)).order_by("-created_at", "-id")


def is_busy(session: MatchingSession, now: dt.datetime | None = None) -> bool:
    """Whether a solve of the session is queued or running, and was asked for less than BUSY_FOR ago (after
    that it is taken as lost, a worker stopped mid-way, and a new one may be asked for)."""
    if session.solve_status not in BUSY_STATES:
        return False
    asked = _entries(session).filter(changes__has_key="solve_status").values_list("created_at", flat=True).first()
    return asked is not None and asked > (now or timezone.now()) - BUSY_FOR


def last_problems(session: MatchingSession) -> list[str]:
    """The messages of the last refused or failed solve (what the solver said; the audit entry keeps them)."""
    if session.solve_status not in ("refused", "failed"):
        return []
    changes = _entries(session).filter(changes__has_key="problems").values_list("changes", flat=True).first()
    return [str(message) for _field, message in (changes or {}).get("problems", [])]


def is_stale(session: MatchingSession) -> bool:
    """Whether the session's slots, participants, rules, tables or time zone changed after its schedule was
    made (those writes move `updated_at`; the solve's own do not)."""
    return session.solved_at is not None and session.updated_at > session.solved_at


def participant_name(p: SessionParticipant) -> str:
    return p.city.name if p.city_id else p.partner.name  # type: ignore[union-attr]


def participant_side(p: SessionParticipant) -> str:
    return "city" if p.city_id else "partner"


def participant_slug(p: SessionParticipant) -> str:
    return p.city.slug if p.city_id else p.partner.slug  # type: ignore[union-attr]


def slots(session: MatchingSession) -> list[SessionSlot]:
    return list(session.slots.order_by("starts_at", "id"))


def participants(session: MatchingSession) -> Any:
    """The session's participants, cities first, then partners, by name; with what their rows show."""
    return (session.participants.select_related("city__country", "partner").prefetch_related("available")
            .order_by(F("city__name").asc(nulls_last=True), "partner__name", "id"))


def participant(session: MatchingSession, side: str, slug: str) -> SessionParticipant | None:
    if side not in SIDES:
        return None
    return (session.participants.select_related("city__country", "partner")
            .filter(**{f"{side}__slug": slug}).first())


def rules(session: MatchingSession) -> Any:
    return (SessionRule.objects.filter(session=session)
            .select_related("city__city", "partner__partner", "slot").order_by("kind", "id"))


def meetings(session: MatchingSession) -> Any:
    """The schedule, in slot and table order."""
    return (SessionMeeting.objects.filter(session=session)
            .select_related("slot", "city__city__country", "partner__partner")
            .order_by("slot__starts_at", "table", "id"))


def agenda(session: MatchingSession, who: SessionParticipant) -> list[SessionMeeting]:
    """One participant's meetings, in time order."""
    side = participant_side(who)
    return list(meetings(session).filter(**{side: who}))


def meeting_counts(session: MatchingSession, people: list[SessionParticipant]) -> dict[int, int]:
    """How many meetings each of `people` has in the schedule (two queries whatever their number)."""
    ids = [p.pk for p in people]
    rows = SessionMeeting.objects.filter(session=session)
    counts: Counter[int] = Counter()
    for side in SIDES:
        for pk, count in rows.filter(**{f"{side}__in": ids}).values_list(side).annotate(n=Count("id")):
            counts[pk] += count
    return dict(counts)


@dataclass(frozen=True)
class GridRow:
    slot: SessionSlot
    cells: list[SessionMeeting | None]


def grid(session: MatchingSession, slot_rows: list[SessionSlot]) -> tuple[list[int], list[GridRow]]:
    """The tables (numbered from 1) and, for each of `slot_rows`, the meeting at each table (None: free)."""
    found = meetings(session).filter(slot__in=slot_rows)
    by_slot: dict[int, dict[int, SessionMeeting]] = {}
    highest = session.tables
    for m in found:
        by_slot.setdefault(m.slot_id, {})[m.table] = m
        highest = max(highest, m.table)
    tables = list(range(1, highest + 1))
    return tables, [GridRow(slot, [by_slot.get(slot.pk, {}).get(t) for t in tables]) for slot in slot_rows]


def ratio_to_greedy(session: MatchingSession) -> float | None:
    if session.score is None or not session.greedy_score:
        return None
    return session.score / session.greedy_score


# --- The session as a scheduling problem -------------------------------------------------------------------


@dataclass
class Prepared:
    """A session's records as the solver's input, and the way back from its ids: a participant is known to
    the solver by its name (unique per side, else with its slug), a slot by its local start."""

    problem: scheduling.SchedulingProblem
    people: dict[tuple[str, str], SessionParticipant]
    slot_of: dict[str, SessionSlot]
    unscored: list[SessionParticipant] = field(default_factory=list)  # no pair with a score

    @property
    def scored_pairs(self) -> int:
        return len(self.problem.candidates)


def slot_labels(session: MatchingSession, rows: list[SessionSlot]) -> dict[int, str]:
    """Each slot's start in the session's time zone: the time alone when every slot is on one day."""
    zone = session_zone(session)
    local = {slot.pk: timezone.localtime(slot.starts_at, zone) for slot in rows}
    one_day = len({value.date() for value in local.values()}) <= 1
    labels = {pk: value.strftime("%H:%M" if one_day else "%Y-%m-%d %H:%M") for pk, value in local.items()}
    counts = Counter(labels.values())
    return {pk: label if counts[label] == 1 else f"{label} #{pk}" for pk, label in labels.items()}


def _names(people: list[SessionParticipant]) -> dict[int, str]:
    counts = Counter((participant_side(p), participant_name(p)) for p in people)
    return {p.pk: participant_name(p) if counts[participant_side(p), participant_name(p)] == 1
            else f"{participant_name(p)} ({participant_slug(p)})" for p in people}


def scores(people: list[SessionParticipant]) -> dict[tuple[int, int], float]:
    """The best match score of each (city id, partner id) of the participants: the cities' published needs
    against the partners' published offers (what the public may see, so a draft never steers a schedule)."""
    city_ids = {p.city_id for p in people if p.city_id}
    partner_ids = {p.partner_id for p in people if p.partner_id}
    if not city_ids or not partner_ids:
        return {}
    rows = [row for row in needs(None) if row.city.pk in city_ids]
    offers = [offer for offer in published_offers(None) if offer.partner_id in partner_ids]
    return pair_scores(rows, offers)


def prepare(session: MatchingSession) -> Prepared:
    """The session's slots, tables, participants (with their slots), scored pairs, pins and forbids."""
    slot_rows = slots(session)
    labels = slot_labels(session, slot_rows)
    people = list(participants(session))
    names = _names(people)
    found = scores(people)
    entrants = [scheduling.Participant(
        names[p.pk], participant_side(p),  # type: ignore[arg-type]
        None if not p.available.all() else [labels[s.pk] for s in sorted(p.available.all(), key=lambda s: s.starts_at)])
        for p in people]
    cities = [p for p in people if p.city_id]
    partners = [p for p in people if p.partner_id]
    candidates = [scheduling.Candidate(names[c.pk], names[q.pk], found[c.city_id, q.partner_id])
                  for c in cities for q in partners if (c.city_id, q.partner_id) in found]
    scored = {name for candidate in candidates for name in (("city", candidate.city), ("partner", candidate.partner))}
    unscored = [p for p in people if (participant_side(p), names[p.pk]) not in scored]
    pins, forbidden = [], []
    for rule in rules(session):
        pair = (names[rule.city_id], names[rule.partner_id])
        if rule.kind == SessionRuleKind.PIN:
            pins.append(scheduling.Pin(*pair, slot=labels[rule.slot_id] if rule.slot_id else None))
        else:
            forbidden.append(pair)
    problem = scheduling.SchedulingProblem(participants=entrants, slots=[labels[s.pk] for s in slot_rows],
                                           tables=session.tables, candidates=candidates, pins=pins,
                                           forbidden=forbidden)
    return Prepared(problem, {(participant_side(p), names[p.pk]): p for p in people},
                    {labels[s.pk]: s for s in slot_rows}, unscored)


# --- A participant's sessions (the dashboard) ---------------------------------------------------------------


def own_participations(user: Actor | None) -> Any:
    """The participations of the user's city or partner organisation in the sessions it may see (published
    ones), newest session first; None for other roles."""
    principal = Principal.of(user)
    if principal.city_id and principal.role == Role.CITY_OFFICER:
        scope = Q(city_id=principal.city_id)
    elif principal.partner_id and principal.role == Role.PARTNER:
        scope = Q(partner_id=principal.partner_id)
    else:
        return None
    return (SessionParticipant.objects.filter(scope, session__in=MatchingSession.objects.visible_to(user))
            .select_related("session", "city", "partner").order_by("-session__created_at", "-session_id"))


def next_meetings(user: Actor | None, limit: int = 5) -> list[SessionMeeting]:
    """The next meetings of the user's city or organisation in published sessions, soonest first."""
    own = own_participations(user)
    if own is None:
        return []
    ids = own.values("pk")
    return list(SessionMeeting.objects.filter(Q(city__in=ids) | Q(partner__in=ids), slot__ends_at__gte=timezone.now(),
                                              session__state=SessionState.PUBLISHED)
                .select_related("slot", "session", "city__city", "partner__partner")
                .order_by("slot__starts_at", "id")[:limit])
