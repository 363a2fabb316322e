"""Reads of the partnerships app shown to users, through the permission layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from pydantic import Field

from ascn.core.filters import OneOf, Text
from ascn.core.models import ExchangeRate
from ascn.core.money import UsdAmount, convert_to_usd
from ascn.network.models import Partner

from .choices import CooperationKind, OfferState
from .models import Offer, Programme

if TYPE_CHECKING:
    from ascn.core.permissions import Actor, ScopedQuerySet


@dataclass(frozen=True)
class OfferFilters:
    """What the public list of offers and `GET /api/v1/partnerships/offers` filter by (`core/filters.py`)."""

    kind: Annotated[CooperationKind | None, OneOf(CooperationKind)] = None
    country: Annotated[str | None, Field(description="ISO3 of a member country: the offers open to it"),
                       Text(3)] = None
    focus_area: Annotated[str | None, Field(description="Framework code of a focus area or an enabler"),
                          Text(100)] = None
    partner: Annotated[str | None, Field(description="Partner slug"), Text(80)] = None
    q: Annotated[str | None, Field(description="Text in the title or description"), Text(100)] = None

    def active(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if value}


def programmes(user: Actor | None) -> ScopedQuerySet[Programme]:
    """The programmes (public reference data), each with its partners and tags in a fixed number of queries."""
    return (Programme.objects.visible_to(user)
            .prefetch_related(Prefetch("partners", queryset=Partner.objects.visible_to(user).order_by("name")))
            .prefetch_related("framework_tags__node").order_by("name", "id"))


def offers(user: Actor | None, filters: OfferFilters | None = None) -> ScopedQuerySet[Offer]:
    """The offers the user may see (the public: published offers of published partners; a partner: its own
    too; the Secretariat: all), filtered, newest first, with what the lists show in a fixed number of
    queries."""
    filters = filters or OfferFilters()
    qs = (Offer.objects.visible_to(user).select_related("partner", "programme")
          .prefetch_related("countries", "cities__country", "framework_tags__node"))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.partner:
        qs = qs.filter(partner__slug=filters.partner)
    if filters.country:
        open_to_all = Offer.objects.filter(countries__isnull=True, cities__isnull=True).values("pk")
        named = Offer.objects.filter(Q(countries__iso3=filters.country)
                                     | Q(cities__country__iso3=filters.country)).values("pk")
        qs = qs.filter(Q(pk__in=open_to_all) | Q(pk__in=named))
    if filters.focus_area:
        qs = qs.filter(pk__in=Offer.objects.filter(framework_tags__node__code=filters.focus_area).values("pk"))
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    return qs.order_by("-updated_at", "-id")


def partner_offers(user: Actor | None, partner: Partner) -> ScopedQuerySet[Offer]:
    """A partner's offers the user may see, newest first."""
    return offers(user, OfferFilters(partner=partner.slug))


def editable_offers(user: Actor | None) -> ScopedQuerySet[Offer]:
    """The offers the user may change (a partner: its own organisation's; the Secretariat: all), newest first."""
    return (Offer.objects.editable_by(user).select_related("partner", "programme")
            .order_by("-updated_at", "-id"))


def offer_counts(user: Actor | None) -> dict[str, int]:
    """How many offers the user may change, per state (every state present)."""
    counts = dict(Offer.objects.editable_by(user).order_by().values_list("state").annotate(n=Count("id")))
    return {state: counts.get(state, 0) for state in OfferState.values}


def partners(user: Actor | None) -> ScopedQuerySet[Partner]:
    return Partner.objects.visible_to(user).prefetch_related("framework_tags__node").order_by("name")


def partner_programmes(user: Actor | None, partner: Partner) -> ScopedQuerySet[Programme]:
    return programmes(user).filter(partners=partner)


def rates(user: Actor | None) -> Any:
    """The rate table, newest first per currency (public: the rates behind the amounts the pages show)."""
    return ExchangeRate.objects.order_by("currency", "-as_of")


def latest_rates(on: dt.date | None = None) -> dict[str, tuple[Decimal, dt.date]]:
    """The latest rate of each currency on or before `on` (default: today), in one query."""
    day = on or timezone.localdate()
    latest: dict[str, tuple[Decimal, dt.date]] = {}
    for currency, units, as_of in (ExchangeRate.objects.filter(as_of__lte=day).order_by("currency", "-as_of")
                                   .values_list("currency", "units_per_usd", "as_of")):
        latest.setdefault(currency, (units, as_of))
    return latest


def in_usd(amount: Decimal | None, currency: str, table: dict[str, tuple[Decimal, dt.date]]) -> UsdAmount | None:
    """`amount` in US dollars with a rate of `table` (from latest_rates); None without an amount or a rate."""
    if amount is None or not currency:
        return None
    if currency == "USD":
        return UsdAmount(amount, None, Decimal(1))
    if currency not in table:
        return None
    units, as_of = table[currency]
    return UsdAmount(convert_to_usd(amount, units), as_of, units)
