"""Every write of the partnerships app: permission checked, validated, atomic, audited (one entry per write)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core import audit
from ascn.core.choices import AuditAction
from ascn.core.models import ExchangeRate
from ascn.core.permissions import Principal, require_create, require_edit, require_secretariat
from ascn.framework.choices import NodeKind
from ascn.framework.models import FrameworkNode, FrameworkTag

from ..choices import NeedState, OfferState
from ..models import Need, Offer, Programme, SurveyResponse

if TYPE_CHECKING:
    from ascn.core.permissions import Actor
    from ascn.network.models import City, Country, Partner

OFFER_FIELDS = {"programme", "title", "description", "kind", "ticket_min", "ticket_max", "currency", "instruments",
                "stages", "deadline", "contact_role"}
NEED_FIELDS = {"title", "description", "kind", "amount", "currency", "stage"}
PROFILE_FIELDS = {"name", "country_iso3", "notes"}
TAG_KINDS = {NodeKind.FOCUS_AREA, NodeKind.ENABLER}


def today() -> dt.date:
    return timezone.localdate()


# --- Framework tags (focus areas and enablers), recorded in the write's own audit entry -------------------


def _set_tags(obj: models.Model, nodes: Iterable[FrameworkNode]) -> list[list[str]] | None:
    """Tag `obj` with exactly `nodes` (focus areas and enablers, none primary); [codes before, after] or None
    when nothing changed. Call it inside the action's transaction."""
    wanted = list(dict.fromkeys(nodes))
    if any(node.kind not in TAG_KINDS for node in wanted):
        raise ValidationError({"tags": _("Choose among the focus areas and enablers.")})
    content_type = ContentType.objects.get_for_model(type(obj))
    current = FrameworkTag.objects.filter(content_type=content_type, object_id=obj.pk)
    before = sorted(current.values_list("node__code", flat=True))
    after = sorted(node.code for node in wanted)
    if before == after:
        return None
    current.delete()
    FrameworkTag.objects.bulk_create([FrameworkTag(content_type=content_type, object_id=obj.pk, node=node)
                                      for node in wanted])
    return [before, after]


# --- Programmes (reference data: the seed and the back office) --------------------------------------------


def _update(actor: Actor, obj: models.Model, data: dict[str, Any], via: str,
            links: Callable[[], dict[str, list[Any]]] = dict,
            check: Callable[[dict[str, Any]], None] | None = None) -> dict[str, list[Any]]:
    """Set `data` on `obj` and validate it (`check(before)` may refuse more); then, in one transaction, save it if
    a field changed, set its links (`links()` returns their changes) and record one audit entry. Returns
    {field: [old, new]} ({} when nothing changed, nothing written)."""
    before = audit.snapshot(obj)
    for name, value in data.items():
        setattr(obj, name, value)
    obj.full_clean()
    if check is not None:
        check(before)
    with transaction.atomic():
        changes = audit.diff(before, audit.snapshot(obj))
        if changes:
            obj.save()
        changes.update(links())
        if changes:
            core.record(actor, AuditAction.UPDATE, obj, changes, via)
    return changes


def _tag_links(obj: models.Model, tags: Iterable[FrameworkNode] | None) -> Callable[[], dict[str, list[Any]]]:
    def links() -> dict[str, list[Any]]:
        change = None if tags is None else _set_tags(obj, tags)
        return {} if change is None else {"tags": change}
    return links


def set_programme_partners(actor: Actor | None, programme: Programme, partners: Iterable[Partner],
                           via: str = "web") -> dict[str, list[Any]]:
    """Set the partners behind a programme; returns what changed. Without an actor (the seed) no permission
    is checked."""
    if actor is not None:
        require_edit(actor, programme)
    with transaction.atomic():
        change = core.set_links(programme.partners, partners, "slug")
        if change is None:
            return {}
        core.record(actor, AuditAction.UPDATE, programme, {"partners": change}, via)
    return {"partners": change}


# --- Offers ---------------------------------------------------------------------------------------------


CENT = Decimal("0.01")


def _offer_data(data: dict[str, Any]) -> dict[str, Any]:
    """The fields an action takes, ticket sizes to the cent (stored and audited as the page shows them, never
    in exponent notation)."""
    data = core.only_fields(data, OFFER_FIELDS)
    for name in ("ticket_min", "ticket_max"):
        value = data.get(name)
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
            if amount.is_finite():
                data[name] = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return data


def _check_publishable(offer: Offer) -> None:
    if offer.deadline is not None and offer.deadline < today():
        raise ValidationError({"deadline": _("The deadline has passed: give a later one to publish the offer.")})


def _links(offer: Offer, countries: Iterable[Country] | None, cities: Iterable[City] | None,
           tags: Iterable[FrameworkNode] | None) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name, values, key in (("countries", countries, "iso3"), ("cities", cities, "slug")):
        if values is not None:
            change = core.set_links(getattr(offer, name), values, key)
            if change is not None:
                changes[name] = change
    changes.update(_tag_links(offer, tags)())
    return changes


def create_offer(actor: Actor, partner: Partner, data: dict[str, Any], *, countries: Iterable[Country] = (),
                 cities: Iterable[City] = (), tags: Iterable[FrameworkNode] = (), publish: bool = False,
                 via: str = "web", synthetic: bool = False) -> Offer:
    """A new offer of `partner` (its own partner users, or the Secretariat), a draft unless `publish`.
    `synthetic` marks the demo's made-up offers (`manage.py demo_data` only)."""
    require_create(actor, Offer, partner_id=partner.pk)
    offer = Offer(partner=partner, synthetic=synthetic, **_offer_data(data))
    offer.state = OfferState.PUBLISHED if publish else OfferState.DRAFT
    offer.full_clean()
    if publish:
        _check_publishable(offer)
    with transaction.atomic():
        offer.save()
        values = audit.as_json(audit.snapshot(offer))
        changes: dict[str, list[Any]] = {name: [None, value] for name, value in values.items()}
        changes.update(_links(offer, countries, cities, tags))
        core.record(actor, AuditAction.CREATE, offer, changes, via)
    return offer


def update_offer(actor: Actor, offer: Offer, data: dict[str, Any], *, countries: Iterable[Country] | None = None,
                 cities: Iterable[City] | None = None, tags: Iterable[FrameworkNode] | None = None,
                 via: str = "web") -> dict[str, list[Any]]:
    """Change an offer's fields and links; returns {field: [old, new]} ({} when nothing changed, nothing
    written). A published offer's new deadline may not be past."""
    require_edit(actor, offer)

    def check(before: dict[str, Any]) -> None:
        if offer.state == OfferState.PUBLISHED and offer.deadline != before["deadline"]:
            _check_publishable(offer)

    return _update(actor, offer, _offer_data(data), via, lambda: _links(offer, countries, cities, tags), check)


def _move(actor: Actor, offer: Offer, state: OfferState, via: str) -> dict[str, list[Any]]:
    require_edit(actor, offer)
    if offer.state == state:
        return {}
    if state == OfferState.PUBLISHED:
        _check_publishable(offer)
    with transaction.atomic():
        return core.update_audited(actor, offer, {"state": state}, via)


def publish_offer(actor: Actor, offer: Offer, via: str = "web") -> dict[str, list[Any]]:
    """Publish a draft or reopen a closed offer (refused when its deadline has passed)."""
    return _move(actor, offer, OfferState.PUBLISHED, via)


def close_offer(actor: Actor, offer: Offer, via: str = "web") -> dict[str, list[Any]]:
    """Close an offer: it leaves the public pages and stays in its partner's workspace."""
    return _move(actor, offer, OfferState.CLOSED, via)


# --- A city's stated needs -----------------------------------------------------------------------------


def _need_data(data: dict[str, Any]) -> dict[str, Any]:
    data = core.only_fields(data, NEED_FIELDS)
    value = data.get("amount")
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if amount.is_finite():
            data["amount"] = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(data.get("currency"), str):
        data["currency"] = data["currency"].strip().upper()
    return data


def create_need(actor: Actor, city: City, data: dict[str, Any], *, tags: Iterable[FrameworkNode] = (),
                publish: bool = False, via: str = "web", response: SurveyResponse | None = None,
                synthetic: bool = False) -> Need:
    """A new stated need of `city` (its city officers, or the Secretariat), a draft unless `publish`; `response`
    is the survey answer it is made from (of the same city), `synthetic` marks the demo's made-up needs."""
    require_create(actor, Need, city_id=city.pk)
    if response is not None and response.city_id != city.pk:
        raise ValidationError({"response": _("The survey answer is another city's.")})
    need = Need(city=city, response=response, synthetic=synthetic, **_need_data(data))
    need.state = NeedState.PUBLISHED if publish else NeedState.DRAFT
    need.full_clean()
    with transaction.atomic():
        need.save()
        values = audit.as_json(audit.snapshot(need))
        changes: dict[str, list[Any]] = {name: [None, value] for name, value in values.items()}
        change = _set_tags(need, tags)
        if change is not None:
            changes["tags"] = change
        core.record(actor, AuditAction.CREATE, need, changes, via)
    return need


def update_need(actor: Actor, need: Need, data: dict[str, Any], *, tags: Iterable[FrameworkNode] | None = None,
                via: str = "web") -> dict[str, list[Any]]:
    """Change a stated need; returns {field: [old, new]} ({} when nothing changed, nothing written)."""
    require_edit(actor, need)
    return _update(actor, need, _need_data(data), via, _tag_links(need, tags))


def _move_need(actor: Actor, need: Need, state: NeedState, via: str) -> dict[str, list[Any]]:
    require_edit(actor, need)
    if need.state == state:
        return {}
    with transaction.atomic():
        return core.update_audited(actor, need, {"state": state}, via)


def publish_need(actor: Actor, need: Need, via: str = "web") -> dict[str, list[Any]]:
    """Share a need with partners (publish a draft or reopen a closed need)."""
    return _move_need(actor, need, NeedState.PUBLISHED, via)


def close_need(actor: Actor, need: Need, via: str = "web") -> dict[str, list[Any]]:
    """Close a need: it leaves the public pages and stays in the city's workspace."""
    return _move_need(actor, need, NeedState.CLOSED, via)


# --- The partner's profile ------------------------------------------------------------------------------


def update_partner_profile(actor: Actor, partner: Partner, data: dict[str, Any],
                           tags: Iterable[FrameworkNode] | None = None, via: str = "web") -> dict[str, list[Any]]:
    """A partner's own users (or the Secretariat) change its profile: notes, country and framework tags; its
    name is the Secretariat's to change."""
    require_edit(actor, partner)
    data = core.only_fields(data, PROFILE_FIELDS)
    if "name" in data and data["name"] != partner.name and not Principal.of(actor).is_secretariat:
        raise PermissionDenied(_("Only the ASEAN Secretariat may rename an organisation."))
    return _update(actor, partner, data, via, _tag_links(partner, tags))


# --- Exchange rates -------------------------------------------------------------------------------------


def add_exchange_rate(actor: Actor, data: dict[str, Any], via: str = "web") -> ExchangeRate:
    """Record a rate (the Secretariat): units of a currency per US dollar on a date, with its source."""
    require_secretariat(actor)
    rate = ExchangeRate(**core.only_fields(data, {"currency", "units_per_usd", "as_of", "source"}))
    with transaction.atomic():
        return core.create_audited(actor, rate, via)
