"""Matchmaking on the platform's records: the needs and offers a user may see turned into `matching` inputs
(money in US dollars through the core rate table), ranked with the Secretariat's weights.

One place builds the inputs (`board`), so the match pages, the API, the interest flow and the business-matching
sessions score pairs the same way. The inputs are small on the platform (hundreds of needs, tens of offers)
and are built per request; the pure module's benchmark covers 10,000 x 2,000.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from ascn.plans.choices import SupportKind
from ascn.plans.models import SupportNeed

from .. import matching
from ..choices import CooperationKind, NeedState, OfferState
from ..models import MatchWeights, Need, Offer
from .offers import NeedRow, in_usd, latest_rates, needs

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

# What each kind of offer gives, in the vocabulary of the support a city requires (plus the instruments a
# financing offer names, so that a need's instruments could meet them).
OFFER_KIND_SUPPORT: dict[str, frozenset[str]] = {
    CooperationKind.FINANCING: frozenset({SupportKind.FINANCIAL}),
    CooperationKind.TECHNICAL_ASSISTANCE: frozenset({SupportKind.TECHNICAL, SupportKind.ADVISORY}),
    CooperationKind.CAPACITY_BUILDING: frozenset({SupportKind.TRAINING, SupportKind.ADVISORY}),
    CooperationKind.TWINNING: frozenset({SupportKind.PARTNER, SupportKind.ADVISORY}),
    CooperationKind.BUSINESS_MATCHING: frozenset({SupportKind.PARTNER}),
}
DEFAULT_LIMIT = 20


def current_weights() -> matching.Weights:
    """The Secretariat's weights (the defaults of `matching.Weights` until it sets them)."""
    row = MatchWeights.objects.order_by("pk").first()
    if row is None:
        return matching.Weights()
    return matching.Weights(framework=row.framework, ticket=row.ticket, kind=row.kind,
                            stage_readiness=row.stage_readiness, text=row.text)


def weights_row() -> MatchWeights | None:
    return MatchWeights.objects.select_related("updated_by").order_by("pk").first()


def published_offers(user: Actor | None) -> list[Offer]:
    """The published offers the user may see, with what scoring reads, oldest first (ids break ties)."""
    return list(Offer.objects.visible_to(user).filter(state=OfferState.PUBLISHED).select_related("partner")
                .prefetch_related("countries", "cities", "framework_tags__node").order_by("id"))


Rates = dict[str, tuple[Decimal, dt.date]]


def _usd(amount: Decimal | None, currency: str, rates: Rates) -> float | None:
    if amount is None:
        return None
    converted = in_usd(amount, currency, rates)
    return float(converted.amount) if converted is not None else None


def _need_input(index: int, row: NeedRow, rates: Rates) -> matching.Need:
    return matching.Need(id=index, country_id=row.city.country_id, city_id=row.city.pk,
                         tag_ids=frozenset(node.pk for node in row.tags), stage=row.stage,
                         funding_gap=_usd(row.amount, row.currency, rates), kinds=frozenset({row.kind}),
                         text=_need_text(row))


def _offer_input(offer: Offer, rates: Rates) -> matching.Offer:
    kinds = set(OFFER_KIND_SUPPORT.get(offer.kind, frozenset()))
    return matching.Offer(id=offer.pk, country_ids=frozenset(c.pk for c in offer.countries.all()),
                          city_ids=frozenset(c.pk for c in offer.cities.all()),
                          tag_ids=frozenset(t.node_id for t in offer.framework_tags.all()),
                          stages=frozenset(offer.stages), min_ticket=_usd(offer.ticket_min, offer.currency, rates),
                          max_ticket=_usd(offer.ticket_max, offer.currency, rates), kinds=frozenset(kinds),
                          text=_offer_text(offer))


@dataclass(frozen=True)
class Board:
    """The needs and offers a user may see, prepared for scoring: `rows[i]` is need id i of `features`."""

    rows: tuple[NeedRow, ...]
    offers: dict[int, Offer]
    features: matching.Features
    weights: matching.Weights

    def need_id(self, key: str) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row.key == key), None)


def _need_text(row: NeedRow) -> str:
    return f"{row.title}\n{row.details}"


def _offer_text(offer: Offer) -> str:
    return f"{offer.title}\n{offer.description}"


def text_corpus() -> list[str]:
    """The texts the text similarity is fitted on: every published need and offer, whoever asks, so that a
    pair scores the same on every page (an offer's matches, a need's matches, a dashboard, a session). Three
    queries of two columns each (the texts as `_need_text` and `_offer_text` write them)."""
    stated = Need.objects.visible_to(None).filter(state=NeedState.PUBLISHED).values_list("title", "description")
    support = (SupportNeed.objects.visible_to(None).filter(project__is_published=True)
               .values_list("project__title", "details"))
    offers = (Offer.objects.visible_to(None).filter(state=OfferState.PUBLISHED)
              .values_list("title", "description"))
    return [f"{title}\n{text}" for query in (stated, support, offers) for title, text in query]


def published_needs(user: Actor | None) -> list[NeedRow]:
    """The published needs the user may see (only published needs and offers are matched)."""
    return [row for row in needs(user) if row.state == NeedState.PUBLISHED]


def board(user: Actor | None, *, need_rows: Sequence[NeedRow] | None = None,
          offers: Iterable[Offer] | None = None) -> Board:
    """The inputs for `user` (the published needs and offers it may see, unless given), the text similarity
    fitted on `text_corpus()`."""
    rows = tuple(published_needs(user) if need_rows is None else need_rows)
    offer_list = list(published_offers(user) if offers is None else offers)
    rates = latest_rates()
    features = matching.prepare([_need_input(i, row, rates) for i, row in enumerate(rows)],
                                [_offer_input(offer, rates) for offer in offer_list], corpus=text_corpus())
    return Board(rows, {offer.pk: offer for offer in offer_list}, features, current_weights())


@dataclass(frozen=True)
class NeedMatch:
    row: NeedRow
    match: matching.Match


@dataclass(frozen=True)
class OfferMatch:
    offer: Offer
    match: matching.Match


def needs_for_offer(user: Actor | None, offer: Offer, limit: int = DEFAULT_LIMIT) -> list[NeedMatch]:
    """The needs the user may see, ranked for `offer` (eligible ones only), with breakdowns."""
    b = board(user, offers=[offer])
    if not b.rows:
        return []
    ranking = matching.rank(b.features, b.weights, offers_per_need=0, needs_per_offer=limit).needs_for_offers
    return [NeedMatch(b.rows[m.need_id], m) for m in ranking.matches(offer.pk)]


def offers_for_need(user: Actor | None, row: NeedRow, limit: int = DEFAULT_LIMIT) -> list[OfferMatch]:
    """The published offers the user may see, ranked for the need `row`, with breakdowns."""
    b = board(user, need_rows=[row])
    if not b.offers:
        return []
    ranking = matching.rank(b.features, b.weights, offers_per_need=limit, needs_per_offer=0).offers_for_needs
    return [OfferMatch(b.offers[m.offer_id], m) for m in ranking.matches(0)]


def explain(user: Actor | None, offer: Offer, row: NeedRow) -> matching.Match | matching.Ineligibility:
    """One pair's score with its breakdown, or why it is not eligible (for "why is this pair missing?")."""
    b = board(user, need_rows=[row], offers=[offer])
    return matching.explain(b.features, 0, offer.pk, b.weights)


def pair_scores(rows: Sequence[NeedRow], offers: Sequence[Offer], weights: matching.Weights | None = None
                ) -> dict[tuple[int, int], float]:
    """For each (city id, partner id) the best score among the eligible pairs of the city's needs and the
    partner's offers (what a business-matching session schedules by); pairs with no eligible match are left
    out."""
    if not rows or not offers:
        return {}
    rates = latest_rates()
    features = matching.prepare([_need_input(i, row, rates) for i, row in enumerate(rows)],
                                [_offer_input(offer, rates) for offer in offers], corpus=text_corpus())
    w = (weights or current_weights()).normalised()
    city = np.array([row.city.pk for row in rows], dtype=np.int64)
    partner = np.array([offer.partner_id for offer in offers], dtype=np.int64)
    best: dict[tuple[int, int], float] = {}
    chunk = matching.default_chunk_size(len(offers))
    for start in range(0, len(rows), chunk):
        part = slice(start, min(start + chunk, len(rows)))
        score = matching.weighted_score(matching.component_matrices(features, part), w)
        eligible = matching.eligible_matrix(features, part)
        for r, o in zip(*np.nonzero(eligible), strict=True):
            key = (int(city[part][r]), int(partner[o]))
            value = float(score[r, o])
            if value > best.get(key, -1.0):
                best[key] = value
    return best
