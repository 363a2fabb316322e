"""Writes of matchmaking: the Secretariat's weights, and each side's interest in a match (a published offer and
a published need, eligible for each other). When both sides are interested, the pair opens a cooperation record
(state "interest") and both sides are told by e-mail once the transaction commits.

Who acts for a side: for "partner" a partner user of the offer's partner, for "city" a city officer of the
need's city; the Secretariat may act for either. Permission checked, validated, atomic, one audit entry per
write.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction, Role
from ascn.core.models import User
from ascn.core.permissions import Principal, require_secretariat
from ascn.framework.models import FrameworkTag

from .. import matching
from ..choices import CooperationState, InterestSide, NeedState, OfferState
from ..models import CooperationRecord, CooperationTransition, Interest, MatchWeights, Offer
from ..queries import matching as match_queries
from ..queries import offers as offer_queries
from ..queries.interest import record_path

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

    from ..queries.offers import NeedRow

logger = logging.getLogger(__name__)
NOTE_MAX = 1000
TITLE_MAX = 250


# --- The Secretariat's weights --------------------------------------------------------------------------


def _weights_error(values: dict[str, float]) -> ValidationError:
    """The refusal of weights `matching.Weights` does not take, naming the field at fault."""
    for name in matching.COMPONENTS:
        value = values[name]
        if not math.isfinite(value):
            return ValidationError({name: _("The weight of “%(component)s” must be a finite number.")
                                    % {"component": name}})
        if value < 0:
            return ValidationError({name: _("The weight must be zero or more.")})
    return ValidationError({"__all__": _("At least one weight must be above zero.")})


def set_weights(actor: Actor, data: dict[str, Any], via: str = "web") -> dict[str, list[Any]]:
    """Set the weights of the match score's components (the Secretariat only); the rankings use them at once.
    `data` holds some or all of the five components. Returns {component: [old, new]} ({} when nothing
    changed, nothing written)."""
    require_secretariat(actor)
    data = core.only_fields(data, set(matching.COMPONENTS))
    row = MatchWeights.objects.order_by("pk").first()
    current = match_queries.current_weights()
    values: dict[str, float] = {name: getattr(current, name) for name in matching.COMPONENTS}
    for name, value in data.items():
        try:
            values[name] = float(value)
        except (TypeError, ValueError):
            raise ValidationError({name: _("Give a number.")}) from None
    try:
        matching.Weights(**values)
    except matching.WeightsError:
        raise _weights_error(values) from None
    with transaction.atomic():
        if row is None:
            row = MatchWeights(**values, updated_by=actor if isinstance(actor, User) else None)
            row.full_clean()
            row.save()
            changes: dict[str, list[Any]] = {name: [getattr(current, name), values[name]]
                                              for name in matching.COMPONENTS}
            core.record(actor, AuditAction.CREATE, row, changes, via)
            return changes
        changes = {name: [getattr(row, name), values[name]] for name in matching.COMPONENTS
                   if getattr(row, name) != values[name]}
        if not changes:
            return {}
        for name in matching.COMPONENTS:
            setattr(row, name, values[name])
        row.updated_by = actor if isinstance(actor, User) else None
        row.full_clean()
        row.save()
        core.record(actor, AuditAction.UPDATE, row, changes, via)
    return changes


# --- Interest -------------------------------------------------------------------------------------------


def may_act_for(actor: Actor | None, side: str, offer: Offer, city_id: int) -> bool:
    """Whether `actor` may express (or withdraw) interest for `side` of a match of `offer` with a need of the
    city `city_id`."""
    principal = Principal.of(actor)
    if principal.is_secretariat:
        return True
    if side == InterestSide.PARTNER:
        return principal.role == Role.PARTNER and principal.partner_id == offer.partner_id
    if side == InterestSide.CITY:
        return principal.role == Role.CITY_OFFICER and principal.city_id == city_id
    return False


def sides_of(actor: Actor | None, offer: Offer, city_id: int) -> list[str]:
    """The sides `actor` may act for in a match (the Secretariat: both)."""
    return [side for side in InterestSide.values if may_act_for(actor, side, offer, city_id)]


def _published_offer(actor: Actor, offer: Offer) -> Offer:
    found = (Offer.objects.visible_to(actor).filter(pk=offer.pk, state=OfferState.PUBLISHED)
             .select_related("partner", "programme").first())
    if found is None:
        raise ValidationError({"offer": _("No published offer with the id %(id)s.") % {"id": offer.pk}})
    return found


def _published_need(actor: Actor, need_key: str) -> NeedRow:
    row = offer_queries.need(actor, need_key)
    if row is None or row.state != NeedState.PUBLISHED:
        raise ValidationError({"need": _("No published need “%(key)s”.") % {"key": need_key}})
    return row


def _other(side: str) -> str:
    return InterestSide.CITY if side == InterestSide.PARTNER else InterestSide.PARTNER


def express_interest(actor: Actor, offer: Offer, need_key: str, side: str, note: str = "",
                     via: str = "web") -> Interest:
    """`side` ("city" or "partner") is interested in the match of `offer` and the need `need_key`, with a short
    note. Refused for a side the actor does not act for, an offer or need not published (or not visible to the
    actor), an ineligible pair (with the reason) and a second time. When the other side is already interested,
    a cooperation record is opened and both sides are e-mailed after the commit."""
    if side not in InterestSide.values:
        raise ValidationError({"side": _("Choose “city” or “partner”.")})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Keep the note to %(max)s characters (it has %(length)s).")
                               % {"max": NOTE_MAX, "length": len(note)}})
    offer = _published_offer(actor, offer)
    row = _published_need(actor, need_key)
    if not may_act_for(actor, side, offer, row.city.pk):
        raise PermissionDenied(_("Only the users of that side of the match (or the ASEAN Secretariat) may "
                                 "express its interest."))
    reason = match_queries.explain(actor, offer, row)
    if isinstance(reason, matching.Ineligibility):
        raise ValidationError({"need": reason.message})
    with transaction.atomic():
        # The offer's row is the pair's lock: two sides saying yes at the same moment are taken one after the
        # other (PostgreSQL), so the second sees the first and opens the record (SQLite runs one writer anyway).
        Offer.objects.select_for_update().filter(pk=offer.pk).values_list("pk", flat=True).first()
        pair = Interest.objects.filter(offer=offer, need_key=row.key)
        existing = {interest.side: interest for interest in pair}
        if side in existing:
            raise ValidationError({"side": _("This side has already expressed interest in this match.")})
        other = existing.get(_other(side))
        record = _open_record(actor, offer, row, via) if other is not None and other.record_id is None else None
        interest = Interest(offer=offer, need_key=row.key, city=row.city, side=side, note=note,
                            by=actor if isinstance(actor, User) else None,
                            record=record or (other.record if other is not None else None))
        try:
            with transaction.atomic():
                core.create_audited(actor, interest, via)
        except IntegrityError:
            raise ValidationError({"side": _("This side has already expressed interest in this match.")}) from None
        if record is not None and other is not None:
            Interest.objects.filter(pk=other.pk).update(record=record)
            record_pk = record.pk
            transaction.on_commit(lambda: notify_mutual_interest(record_pk))
    return interest


def _open_record(actor: Actor, offer: Offer, row: NeedRow, via: str) -> CooperationRecord:
    """The cooperation record a mutual interest opens (state "interest"), with its first step and the offer's
    framework tags; one audit entry. Call it inside the action's transaction."""
    title = f"{offer.title} · {row.title}"
    record = CooperationRecord(title=title[:TITLE_MAX], kind=offer.kind, programme=offer.programme,
                               partner=offer.partner, city=row.city, offer=offer, need_key=row.key,
                               state=CooperationState.INTEREST)
    record.full_clean()
    record.save()
    if row.project is not None:
        record.projects.set([row.project])
    nodes = [tag.node_id for tag in offer.framework_tags.all()]
    content_type = ContentType.objects.get_for_model(CooperationRecord)
    FrameworkTag.objects.bulk_create([FrameworkTag(content_type=content_type, object_id=record.pk, node_id=node)
                                      for node in dict.fromkeys(nodes)])
    principal = Principal.of(actor)
    CooperationTransition.objects.create(record=record, action="open", from_state=CooperationState.INTEREST,
                                         to_state=CooperationState.INTEREST,
                                         by=actor if isinstance(actor, User) else None, role=principal.role or "",
                                         at=timezone.now())
    changes: dict[str, list[Any]] = {
        "title": [None, record.title], "kind": [None, record.kind], "partner": [None, offer.partner_id],
        "city": [None, row.city.pk], "offer": [None, offer.pk], "need_key": [None, row.key],
        "state": [None, record.state], "opened_by": [None, "mutual interest"]}
    if row.project is not None:
        changes["projects"] = [[], [row.project.pk]]
    if offer.programme_id:
        changes["programme"] = [None, offer.programme_id]
    core.record(actor, AuditAction.CREATE, record, changes, via)
    return record


def withdraw_interest(actor: Actor, interest: Interest, via: str = "web") -> None:
    """Withdraw one side's interest (that side's users, or the Secretariat). Once both sides were interested
    the cooperation record carries on: withdraw the record instead."""
    offer = Offer.objects.get(pk=interest.offer_id)
    if not may_act_for(actor, interest.side, offer, interest.city_id):
        raise PermissionDenied(_("Only the users of that side of the match (or the ASEAN Secretariat) may "
                                 "withdraw its interest."))
    if interest.record_id is not None:
        raise ValidationError({"record": _("Both sides are interested and a cooperation record is open: withdraw "
                                           "the cooperation record instead.")})
    with transaction.atomic():
        core.delete_audited(actor, interest, via)


# --- The e-mail of a mutual interest --------------------------------------------------------------------


def recipients(record: CooperationRecord) -> list[str]:
    """The e-mail addresses of both sides: the partner's users and the city's officers (active, with an
    address), each once, sorted."""
    users = User.objects.filter(is_active=True).exclude(email="")
    partner = users.filter(role=Role.PARTNER, partner_id=record.partner_id) if record.partner_id else users.none()
    city = users.filter(role=Role.CITY_OFFICER, city_id=record.city_id)
    return sorted({*partner.values_list("email", flat=True), *city.values_list("email", flat=True)})


def compose(record: CooperationRecord) -> tuple[str, str]:
    """The subject and body of the mutual-interest e-mail, in English (its readers' languages differ)."""
    from django.conf import settings

    with translation.override("en"):
        subject = _("Mutual interest: %(title)s") % {"title": record.title}
        link = settings.SITE_URL.rstrip("/") + record_path(record.pk, neutral=True)
        body = "\n\n".join([
            _("The city and the partner are both interested in this match:"),
            record.title,
            _("A cooperation record is open at the stage “expression of interest”: %(link)s") % {"link": link},
            _("This message was sent by the ASCN Platform to the users of both sides."),
        ])
    return subject, body


def notify_mutual_interest(record_pk: int) -> int:
    """E-mail both sides of a record opened by mutual interest, one message per address (no one sees the
    others' addresses); returns how many were written to.
    A failure to send is logged: the record and the dashboards already show the mutual interest."""
    record = CooperationRecord.objects.select_related("partner", "city").filter(pk=record_pk).first()
    if record is None:
        return 0
    to = recipients(record)
    if not to:
        return 0
    subject, body = compose(record)
    try:
        send_mass_mail([(subject, body, None, [address]) for address in to])
    except Exception:  # the e-mail is a notice; the record and the dashboards are what count
        logger.exception("The mutual-interest e-mail of cooperation record %s was not sent.", record_pk)
        return 0
    return len(to)
