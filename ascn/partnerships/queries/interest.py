"""Reads of matchmaking shown to users: the interest expressed in matches (through the permission layer), the
ranked matches of a page with each pair's interest, and a partner's or a city's best matches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse
from django.utils import translation

from ascn.core.choices import Role
from ascn.core.permissions import Principal
from ascn.network.models import City
from ascn.plans.models import SupportNeed

from .. import matching
from ..choices import InterestSide, NeedState
from ..models import Interest, Need, Offer
from . import matching as scoring
from .offers import NeedFilters, NeedRow, needs

if TYPE_CHECKING:
    from ascn.core.permissions import Actor, ScopedQuerySet

DASHBOARD_ROWS = 5
RECORD_URL_NAMES = ("partnerships:cooperation_workspace", "partnerships:cooperation")  # the record's workspace page


def record_path(record_pk: int, *, neutral: bool = False) -> str:
    """The workspace page of a cooperation record (by its URL name when the page exists), in the active
    language's addresses, or without a language prefix when `neutral` (an e-mail's link)."""
    with translation.override(None if neutral else translation.get_language()):
        for name in RECORD_URL_NAMES:
            try:
                return reverse(name, args=[record_pk])
            except NoReverseMatch:
                continue
        return f"/workspace/cooperation/{record_pk}/"


def interests(user: Actor | None) -> ScopedQuerySet[Interest]:
    """The interest the user may see (a partner: in its offers; a city officer: in its city's needs; a National
    Representative: its country's; the Secretariat: all), newest first, with what the lists show."""
    return (Interest.objects.visible_to(user).select_related("offer__partner", "city__country", "by", "record")
            .order_by("-created_at", "-id"))


def own_side(user: Actor | None) -> str | None:
    """The side a partner's or a city officer's account acts for (None for the others)."""
    principal = Principal.of(user)
    if principal.role == Role.PARTNER and principal.partner_id:
        return InterestSide.PARTNER
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        return InterestSide.CITY
    return None


def sent(user: Actor | None) -> ScopedQuerySet[Interest]:
    """The interest the user's side expressed (none for accounts without a side)."""
    side = own_side(user)
    return interests(user).filter(side=side) if side else interests(user).none()


def received(user: Actor | None) -> ScopedQuerySet[Interest]:
    """The interest the other side expressed in the user's side's matches (none for accounts without a side)."""
    side = own_side(user)
    if side is None:
        return interests(user).none()
    other = InterestSide.CITY if side == InterestSide.PARTNER else InterestSide.PARTNER
    return interests(user).filter(side=other)


def need_titles(keys: set[str]) -> dict[str, str]:
    """The title of each need key (a stated need's title, a support need's project title), in two queries."""
    stated = {int(k[1:]) for k in keys if k.startswith("n") and k[1:].isdigit()}
    support = {int(k[1:]) for k in keys if k.startswith("p") and k[1:].isdigit()}
    titles = {f"n{pk}": title for pk, title in Need.objects.filter(pk__in=stated).values_list("pk", "title")}
    titles.update({f"p{pk}": title for pk, title in
                   SupportNeed.objects.filter(pk__in=support).values_list("pk", "project__title")})
    return titles


@dataclass
class PairInterest:
    """The interest in one match that the user may see: by side, and the record a mutual interest opened."""

    city: Interest | None = None
    partner: Interest | None = None

    @property
    def record_id(self) -> int | None:
        for interest in (self.city, self.partner):
            if interest is not None and interest.record_id is not None:
                return interest.record_id
        return None

    @property
    def record_url(self) -> str | None:
        return record_path(self.record_id) if self.record_id is not None else None

    def of(self, side: str) -> Interest | None:
        return self.city if side == InterestSide.CITY else self.partner


def pair_interest(user: Actor | None, *, offer: Offer | None = None, need_key: str | None = None
                  ) -> dict[tuple[int, str], PairInterest]:
    """The interest the user may see in the matches of an offer or of a need, by (offer id, need key)."""
    rows = Interest.objects.visible_to(user)
    if offer is not None:
        rows = rows.filter(offer=offer)
    if need_key is not None:
        rows = rows.filter(need_key=need_key)
    pairs: dict[tuple[int, str], PairInterest] = {}
    for interest in rows.select_related("by"):
        pair = pairs.setdefault((interest.offer_id, interest.need_key), PairInterest())
        setattr(pair, interest.side, interest)
    return pairs


def published(rows: list[NeedRow]) -> list[NeedRow]:
    return [row for row in rows if row.state == NeedState.PUBLISHED]


@dataclass(frozen=True)
class Ranked:
    """A page's ranking: every eligible match of one offer or one need, best first, and the board it came from
    (so that "why is this one missing?" is answered with the same inputs)."""

    board: scoring.Board
    matches: list[matching.Match] = field(default_factory=list)


def ranked_needs(user: Actor | None, offer: Offer) -> Ranked:
    """Every published need the user may see that is eligible for `offer`, ranked (`matching.rank`)."""
    b = scoring.board(user, need_rows=published(needs(user)), offers=[offer])
    if not b.rows:
        return Ranked(b)
    ranking = matching.rank(b.features, b.weights, offers_per_need=0, needs_per_offer=len(b.rows))
    return Ranked(b, ranking.needs_for_offers.matches(offer.pk))


def ranked_offers(user: Actor | None, row: NeedRow) -> Ranked:
    """Every published offer the user may see that is eligible for the need `row`, ranked."""
    b = scoring.board(user, need_rows=[row])
    if not b.offers:
        return Ranked(b)
    ranking = matching.rank(b.features, b.weights, offers_per_need=len(b.offers), needs_per_offer=0)
    return Ranked(b, ranking.offers_for_needs.matches(0))


@dataclass(frozen=True)
class BestMatch:
    row: NeedRow
    offer: Offer
    match: matching.Match


def best_matches(user: Actor | None, limit: int = DASHBOARD_ROWS) -> list[BestMatch]:
    """A partner's best matches across its published offers, or a city officer's across its city's published
    needs (best first, ties as in the rankings: text similarity, then the offer's id, then the need's key);
    nothing for the other roles. Only the user's own side is read first, and nothing more when it is empty."""
    principal = Principal.of(user)
    if principal.role == Role.PARTNER and principal.partner_id:
        offers = [offer for offer in scoring.published_offers(user) if offer.partner_id == principal.partner_id]
        rows = published(needs(user)) if offers else []
    elif principal.role == Role.CITY_OFFICER and principal.city_id:
        own_city = City.objects.filter(pk=principal.city_id).values_list("slug", flat=True).first() or ""
        rows = published(needs(user, NeedFilters(city=own_city)))
        offers = scoring.published_offers(user) if rows else []
    else:
        return []
    if not rows or not offers:
        return []
    b = scoring.board(user, need_rows=rows, offers=offers)
    ranking = matching.rank(b.features, b.weights, offers_per_need=limit, needs_per_offer=0).offers_for_needs
    found = [m for i in range(len(b.rows)) for m in ranking.matches(i)]
    text = matching.COMPONENTS.index("text")
    found.sort(key=lambda m: (-m.score, -m.components[text].value, m.offer_id, b.rows[m.need_id].key))
    return [BestMatch(b.rows[m.need_id], b.offers[m.offer_id], m) for m in found[:limit]]
