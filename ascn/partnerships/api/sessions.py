"""API of the business-matching sessions, under /api/v1/partnerships/sessions: the sessions you may see (the
published ones; the Secretariat all), their slots, participants and schedule; the Secretariat's token prepares
a session, asks for its schedule (made in the background: 202, then read `solve_status`) and publishes it.
The same permissions as the pages: a draft is not found for anyone but the Secretariat, a change of a
published session by anyone else is forbidden (403) and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404
from ascn.core.permissions import can_edit
from ascn.network.models import City, Partner

from ..actions import sessions as actions
from ..choices import SessionRuleKind, SessionState
from ..models import MatchingSession, SessionParticipant, SessionRule, SessionSlot
from ..queries import sessions as queries

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

router = Router()


class SessionOut(Schema):
    id: int
    title: str
    event: str
    place: str
    timezone: str = Field(description="IANA time zone of the event: slots and agendas are in it")
    tables: int = Field(description="Tables per slot")
    state: SessionState
    slots: int = Field(alias="slot_count", description="Number of time slots")
    participants: int = Field(alias="participant_count")
    meetings: int = Field(alias="meeting_count", description="Meetings in the stored schedule")
    solve_status: str = Field(description="“queued” or “running” while a schedule is being made; then “optimal”, "
                                          "“time_limit” (the gap says how far from the best it can be), “refused” "
                                          "or “failed” (the previous schedule is kept); empty before the first")
    solved_at: dt.datetime | None
    score: float | None = Field(description="Total match score of the schedule")
    bound: float | None = Field(description="Best possible score of any schedule of the session")
    gap: float | None = Field(description="(bound - score) / bound: 0 is proven optimal")
    greedy_score: float | None = Field(description="Score of the greedy baseline")
    ratio_to_greedy: float | None = Field(description="score / greedy_score")
    solve_seconds: float | None
    stale: bool = Field(description="Slots, participants or rules changed after the schedule was made")

    @staticmethod
    def resolve_ratio_to_greedy(obj: MatchingSession) -> float | None:
        return queries.ratio_to_greedy(obj)

    @staticmethod
    def resolve_stale(obj: MatchingSession) -> bool:
        return queries.is_stale(obj)



class SessionDetailOut(SessionOut):
    problems: list[str] = Field(description="Why the last solve was refused or failed (read from the audit trail)")

    @staticmethod
    def resolve_problems(obj: MatchingSession) -> list[str]:
        return queries.last_problems(obj)


class SessionWrite(Schema):
    title: str | None = Field(None, min_length=1, max_length=250)
    event: str | None = Field(None, max_length=250)
    place: str | None = Field(None, max_length=250)
    timezone: str | None = Field(None, max_length=64, description="IANA name, e.g. Asia/Jakarta")
    tables: int | None = Field(None, ge=1, le=10_000, description="Tables per slot")


class SessionIn(SessionWrite):
    title: str = Field(min_length=1, max_length=250)


class SlotOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class SlotIn(Schema):
    starts_at: dt.datetime = Field(description="Without an offset: in the session's time zone")
    ends_at: dt.datetime


class SlotsIn(Schema):
    first: dt.datetime = Field(description="Start of the first slot (without an offset: in the session's zone)")
    count: int = Field(ge=1, le=actions.MAX_GENERATED_SLOTS)
    minutes: int = Field(ge=1, le=actions.MAX_SLOT_MINUTES, description="Length of each slot")
    pause: int = Field(0, ge=0, le=actions.MAX_SLOT_MINUTES, description="Minutes between slots")


class ParticipantOut(Schema):
    id: int
    side: str = Field(description="“city” or “partner”")
    slug: str
    name: str
    available: list[int] = Field(description="Ids of the slots it can meet in; none: every slot")

    @staticmethod
    def resolve_side(obj: SessionParticipant) -> str:
        return queries.participant_side(obj)

    @staticmethod
    def resolve_slug(obj: SessionParticipant) -> str:
        return queries.participant_slug(obj)

    @staticmethod
    def resolve_name(obj: SessionParticipant) -> str:
        return queries.participant_name(obj)

    @staticmethod
    def resolve_available(obj: SessionParticipant) -> list[int]:
        return sorted(slot.pk for slot in obj.available.all())


class ParticipantsIn(Schema):
    cities: list[str] = Field(default_factory=list, description="City slugs")
    partners: list[str] = Field(default_factory=list, description="Partner slugs")


class AvailabilityIn(Schema):
    slots: list[int] = Field(description="Slot ids; none: every slot")


class RuleOut(Schema):
    id: int
    kind: SessionRuleKind = Field(description="“pin”: must meet; “forbid”: must not meet")
    city: str = Field(alias="city.city.slug")
    partner: str = Field(alias="partner.partner.slug")
    slot: int | None = Field(alias="slot_id", description="The slot a pinned meeting must take (none: any)")


class RuleIn(Schema):
    city: str = Field(description="Slug of a city of the session")
    partner: str = Field(description="Slug of a partner of the session")
    kind: SessionRuleKind
    slot: int | None = Field(None, description="Slot id, for a pin only")


class MeetingOut(Schema):
    slot: int = Field(alias="slot_id")
    starts_at: dt.datetime = Field(alias="slot.starts_at")
    ends_at: dt.datetime = Field(alias="slot.ends_at")
    table: int
    city: str = Field(alias="city.city.slug")
    partner: str = Field(alias="partner.partner.slug")
    score: float
    pinned: bool


class StateIn(Schema):
    state: SessionState


def _session(request: ApiRequest, pk: int) -> MatchingSession:
    return visible_or_404(queries.sessions(caller(request)), _("No business-matching session with the id %(id)s.")
                          % {"id": pk}, pk=pk)


def _aware(session: MatchingSession, value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else value.replace(tzinfo=queries.session_zone(session))


def _records(model: Any, values: list[str], field: str) -> list[Any]:
    found = list(model.objects.filter(slug__in=values))
    missing = sorted(set(values) - {r.slug for r in found})
    if missing:
        raise ValidationError({field: _("Unknown: %(values)s.") % {"values": ", ".join(missing)}})
    return found


def _member(session: MatchingSession, side: str, slug: str) -> SessionParticipant:
    found = queries.participant(session, side, slug)
    if found is None:
        message = (_("“%(slug)s” is not a city of this session.") if side == "city"
                   else _("“%(slug)s” is not a partner of this session."))
        raise ValidationError({side: message % {"slug": slug}})
    return found


def _slot(session: MatchingSession, slot_id: int) -> SessionSlot:
    return visible_or_404(SessionSlot.objects.filter(session=session),
                          _("No slot with the id %(id)s in this session.") % {"id": slot_id}, pk=slot_id)


def _editor(user: Actor, session: MatchingSession) -> None:
    if not can_edit(user, session):
        raise PermissionDenied(_("You may not change this record."))


# --- Reads ------------------------------------------------------------------------------------------------


@router.get("/partnerships/sessions", response=list[SessionOut], auth=optional_auth,
            summary="Business-matching sessions")
@paginate
def list_sessions(request: ApiRequest):
    """The sessions you may see: published ones; the Secretariat's token drafts too. Newest first."""
    return queries.sessions(caller(request))


@router.get("/partnerships/sessions/{pk}", response={200: SessionDetailOut, **ERROR_RESPONSES}, auth=optional_auth)
def get_session(request: ApiRequest, pk: int):
    return _session(request, pk)


@router.get("/partnerships/sessions/{pk}/slots", response={200: list[SlotOut], **ERROR_RESPONSES},
            auth=optional_auth)
@paginate
def list_slots(request: ApiRequest, pk: int):
    return queries.slots(_session(request, pk))


@router.get("/partnerships/sessions/{pk}/participants", response={200: list[ParticipantOut], **ERROR_RESPONSES},
            auth=optional_auth)
@paginate
def list_participants(request: ApiRequest, pk: int):
    """Cities first, then partners, by name; each with the slots it can meet in."""
    return queries.participants(_session(request, pk))


@router.get("/partnerships/sessions/{pk}/meetings", response={200: list[MeetingOut], **ERROR_RESPONSES},
            auth=optional_auth)
@paginate
def list_meetings(request: ApiRequest, pk: int):
    """The stored schedule, by slot and table."""
    return queries.meetings(_session(request, pk))


@router.get("/partnerships/sessions/{pk}/rules", response={200: list[RuleOut], **ERROR_RESPONSES},
            auth=token_auth)
@paginate
def list_rules(request: ApiRequest, pk: int):
    """The organisers' pins and forbids (the Secretariat's)."""
    session = _session(request, pk)
    _editor(request.auth, session)
    return queries.rules(session)


# --- Writes (the Secretariat) -----------------------------------------------------------------------------


@router.post("/partnerships/sessions", response={201: SessionDetailOut, **ERROR_RESPONSES}, auth=token_auth)
def create_session(request: ApiRequest, payload: SessionIn):
    """A new draft session."""
    session = actions.create_session(request.auth, payload.dict(exclude_unset=True), via="api")
    return Status(201, _session(request, session.pk))


@router.patch("/partnerships/sessions/{pk}", response={200: SessionDetailOut, **ERROR_RESPONSES}, auth=token_auth)
def update_session(request: ApiRequest, pk: int, payload: SessionWrite):
    session = _session(request, pk)
    data = {name: "" if value is None else value for name, value in payload.dict(exclude_unset=True).items()
            if value is not None or name in ("event", "place")}  # a blank event or place is "", not null
    actions.update_session(request.auth, session, data, via="api")
    return _session(request, pk)


@router.patch("/partnerships/sessions/{pk}/state", response={200: SessionDetailOut, **ERROR_RESPONSES}, auth=token_auth)
def move_session(request: ApiRequest, pk: int, payload: StateIn):
    """Publish (refused without a schedule or while one is being made) or take back to draft."""
    session = _session(request, pk)
    if payload.state == SessionState.PUBLISHED:
        actions.publish_session(request.auth, session, via="api")
    else:
        actions.unpublish_session(request.auth, session, via="api")
    return _session(request, pk)


@router.post("/partnerships/sessions/{pk}/slots", response={201: SlotOut, **ERROR_RESPONSES}, auth=token_auth)
def add_slot(request: ApiRequest, pk: int, payload: SlotIn):
    session = _session(request, pk)
    slot = actions.add_slot(request.auth, session, _aware(session, payload.starts_at), _aware(session, payload.ends_at),
                            via="api")
    return Status(201, slot)


@router.post("/partnerships/sessions/{pk}/slots/generate", response={201: list[SlotOut], **ERROR_RESPONSES},
             auth=token_auth)
def generate_slots(request: ApiRequest, pk: int, payload: SlotsIn):
    """`count` slots of `minutes` from `first`, `pause` minutes apart."""
    session = _session(request, pk)
    rows = actions.generate_slots(request.auth, session, _aware(session, payload.first), payload.count,
                                  payload.minutes, payload.pause, via="api")
    return Status(201, rows)


@router.delete("/partnerships/sessions/{pk}/slots/{slot_id}", response={204: None, **ERROR_RESPONSES},
               auth=token_auth)
def remove_slot(request: ApiRequest, pk: int, slot_id: int):
    """Remove a slot, with its meetings and the pins to it."""
    session = _session(request, pk)
    actions.remove_slot(request.auth, _slot(session, slot_id), via="api")
    return Status(204, None)


@router.post("/partnerships/sessions/{pk}/participants", response={201: list[ParticipantOut], **ERROR_RESPONSES},
             auth=token_auth)
def add_participants(request: ApiRequest, pk: int, payload: ParticipantsIn):
    """Add cities and partners by slug (those already in the session are left as they are); returns those
    added."""
    session = _session(request, pk)
    _editor(request.auth, session)
    cities, partners = _records(City, payload.cities, "cities"), _records(Partner, payload.partners, "partners")
    rows = actions.add_participants(request.auth, session, cities, partners, via="api")
    return Status(201, list(queries.participants(session).filter(pk__in=[r.pk for r in rows])))


@router.put("/partnerships/sessions/{pk}/participants/{participant_id}/availability",
            response={200: ParticipantOut, **ERROR_RESPONSES}, auth=token_auth)
def set_availability(request: ApiRequest, pk: int, participant_id: int, payload: AvailabilityIn):
    session = _session(request, pk)
    _editor(request.auth, session)
    who = visible_or_404(queries.participants(session), _("No participant with the id %(id)s in this session.")
                         % {"id": participant_id}, pk=participant_id)
    slots = list(SessionSlot.objects.filter(session=session, pk__in=payload.slots))
    unknown = sorted(set(payload.slots) - {s.pk for s in slots})
    if unknown:
        raise ValidationError({"slots": _("Not slots of this session: %(ids)s.") % {
            "ids": ", ".join(str(i) for i in unknown)}})
    actions.set_availability(request.auth, who, slots, via="api")
    return queries.participants(session).get(pk=who.pk)


@router.delete("/partnerships/sessions/{pk}/participants/{participant_id}", response={204: None, **ERROR_RESPONSES},
               auth=token_auth)
def remove_participant(request: ApiRequest, pk: int, participant_id: int):
    """Remove a participant, with its meetings and its pins and forbids."""
    session = _session(request, pk)
    who = visible_or_404(queries.participants(session), _("No participant with the id %(id)s in this session.")
                         % {"id": participant_id}, pk=participant_id)
    actions.remove_participant(request.auth, who, via="api")
    return Status(204, None)


@router.post("/partnerships/sessions/{pk}/rules", response={201: RuleOut, **ERROR_RESPONSES}, auth=token_auth)
def set_rule(request: ApiRequest, pk: int, payload: RuleIn):
    """Pin a pair (to a slot, or any slot both can attend) or forbid it; replaces the pair's earlier rule."""
    session = _session(request, pk)
    _editor(request.auth, session)
    slot = _slot(session, payload.slot) if payload.slot is not None else None
    rule = actions.set_rule(request.auth, session, _member(session, "city", payload.city),
                            _member(session, "partner", payload.partner), str(payload.kind), slot, via="api")
    return Status(201, queries.rules(session).get(pk=rule.pk))


@router.delete("/partnerships/sessions/{pk}/rules/{rule_id}", response={204: None, **ERROR_RESPONSES},
               auth=token_auth)
def remove_rule(request: ApiRequest, pk: int, rule_id: int):
    session = _session(request, pk)
    _editor(request.auth, session)
    rule = visible_or_404(SessionRule.objects.filter(session=session).select_related("city__city", "partner__partner"),
                          _("No rule with the id %(id)s in this session.") % {"id": rule_id}, pk=rule_id)
    actions.remove_rule(request.auth, rule, via="api")
    return Status(204, None)


@router.post("/partnerships/sessions/{pk}/solve", response={202: SessionDetailOut, **ERROR_RESPONSES}, auth=token_auth)
def solve(request: ApiRequest, pk: int):
    """Ask for a new schedule, made in the background: poll the session until `solve_status` is no longer
    “queued” or “running”. A session that cannot be scheduled as it is (e.g. more pinned meetings for a
    participant than its slots) is refused with each problem (422), and nothing changes."""
    session = _session(request, pk)
    actions.request_solve(request.auth, session, via="api")
    return Status(202, _session(request, pk))
