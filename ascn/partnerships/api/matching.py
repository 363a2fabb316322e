"""API of matchmaking under /api/v1/partnerships/: an offer's ranked needs and a need's ranked offers with each
match's components, why a pair is missing, the Secretariat's weights, and each side's interest in a match.
The same permissions as the pages: reads through the permission layer, writes through `actions.matching`."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404

from .. import matching
from ..actions import matching as actions
from ..choices import InterestSide, NeedState, OfferState
from ..models import Interest, Offer
from ..queries import interest as queries
from ..queries import matching as scoring
from ..queries import offers as offer_queries

router = Router()


class ComponentOut(Schema):
    name: str = Field(description="framework, ticket, kind, stage_readiness or text")
    value: float = Field(description="The component's raw value, in [0, 1] (0.5 when an input is missing)")
    weight: float = Field(description="The Secretariat's weight, normalised (the weights sum to 1)")
    contribution: float = Field(description="value x weight; the score is the sum of the contributions")


class PairInterestOut(Schema):
    city: bool = Field(description="The city has expressed interest in this match")
    partner: bool = Field(description="The partner has expressed interest in this match")
    record: int | None = Field(description="The cooperation record a mutual interest opened")


class NeedMatchOut(Schema):
    rank: int = Field(description="1 for the best; ties: higher text similarity, then the need's place in the "
                                  "list of needs (stated needs newest first, then projects' support needs)")
    score: float
    need: str = Field(description="The need's key")
    title: str
    city: str = Field(description="City slug")
    kind: str
    components: list[ComponentOut]
    interest: PairInterestOut = Field(description="The interest you may see in this match")


class OfferMatchOut(Schema):
    rank: int = Field(description="1 for the best; ties: higher text similarity, then the lower offer id")
    score: float
    offer: int
    title: str
    partner: str = Field(description="Partner slug")
    kind: str
    components: list[ComponentOut]
    interest: PairInterestOut


class ExplainOut(Schema):
    offer: int
    need: str
    eligible: bool
    code: str | None = Field(description="Why the pair is not eligible: outside_countries, outside_cities, "
                                         "stage_not_served, gap_far_below_ticket or gap_far_above_ticket")
    message: str | None = Field(description="The reason in the request's language")
    rank: int | None = Field(description="The need's rank among the offer's matches (eligible pairs)")
    score: float | None
    components: list[ComponentOut]


class WeightsOut(Schema):
    framework: float
    ticket: float
    kind: float
    stage_readiness: float
    text: float
    normalised: dict[str, float] = Field(description="Each weight divided by their sum: its share of the score")
    updated_at: dt.datetime | None = Field(description="When the Secretariat last set them (null: the defaults)")


class WeightsIn(Schema):
    framework: float = Field(ge=0)
    ticket: float = Field(ge=0)
    kind: float = Field(ge=0)
    stage_readiness: float = Field(ge=0)
    text: float = Field(ge=0)


class InterestOut(Schema):
    id: int
    offer: int = Field(alias="offer_id")
    need: str = Field(alias="need_key", description="The need's key")
    city: str = Field(alias="city.slug")
    side: InterestSide
    note: str
    record: int | None = Field(alias="record_id", description="The cooperation record a mutual interest opened")
    created_at: dt.datetime


class InterestIn(Schema):
    offer: int
    need: str = Field(max_length=20, description="The need's key: n<id> or p<id>")
    side: InterestSide = Field(description="The side you act for (the Secretariat: either)")
    note: str = Field("", max_length=actions.NOTE_MAX)


def _components(match: matching.Match) -> list[dict[str, Any]]:
    return [{"name": c.name, "value": c.value, "weight": c.weight, "contribution": c.contribution}
            for c in match.components]


def _pair(pairs: dict[tuple[int, str], queries.PairInterest], offer_id: int, key: str) -> dict[str, Any]:
    pair = pairs.get((offer_id, key), queries.PairInterest())
    return {"city": pair.city is not None, "partner": pair.partner is not None, "record": pair.record_id}


def _published_offer(request: ApiRequest, pk: int) -> Offer:
    offer = visible_or_404(Offer.objects.visible_to(caller(request)).select_related("partner"),
                           _("No offer with the id %(id)s.") % {"id": pk}, pk=pk)
    if offer.state != OfferState.PUBLISHED:
        raise ValidationError({"offer": _("This offer is not published: it is matched once it is.")})
    return offer


def _published_need(request: ApiRequest, key: str) -> offer_queries.NeedRow:
    row = offer_queries.need(caller(request), key)
    if row is None:
        raise Http404(_("No need “%(key)s”.") % {"key": key})
    if row.state != NeedState.PUBLISHED:
        raise ValidationError({"need": _("This need is not published: it is matched once it is.")})
    return row


@router.get("/partnerships/offers/{pk}/matches", response={200: list[NeedMatchOut], **ERROR_RESPONSES},
            auth=optional_auth, summary="An offer's ranked needs")
@paginate
def offer_matches(request: ApiRequest, pk: int):
    """The published needs you may see that are eligible for a published offer, best first, each with its
    score's components. Ineligible pairs never appear: `matches/explain` says why."""
    offer = _published_offer(request, pk)
    ranked = queries.ranked_needs(caller(request), offer)
    pairs = queries.pair_interest(caller(request), offer=offer)
    items = []
    for m in ranked.matches:
        row = ranked.board.rows[m.need_id]
        items.append({"rank": m.rank, "score": m.score, "need": row.key, "title": row.title, "city": row.city.slug,
                      "kind": row.kind, "components": _components(m), "interest": _pair(pairs, offer.pk, row.key)})
    return items


@router.get("/partnerships/needs/{key}/matches", response={200: list[OfferMatchOut], **ERROR_RESPONSES},
            auth=optional_auth, summary="A need's ranked offers")
@paginate
def need_matches(request: ApiRequest, key: str):
    """The published offers you may see that are eligible for a published need, best first, with components."""
    row = _published_need(request, key)
    ranked = queries.ranked_offers(caller(request), row)
    pairs = queries.pair_interest(caller(request), need_key=row.key)
    items = []
    for m in ranked.matches:
        offer = ranked.board.offers[m.offer_id]
        items.append({"rank": m.rank, "score": m.score, "offer": offer.pk, "title": offer.title,
                      "partner": offer.partner.slug, "kind": offer.kind, "components": _components(m),
                      "interest": _pair(pairs, offer.pk, row.key)})
    return items


@router.get("/partnerships/matches/explain", response={200: ExplainOut, **ERROR_RESPONSES}, auth=optional_auth,
            summary="Why a pair scores what it scores, or is missing")
def explain(request: ApiRequest, offer: int, need: str):
    """One pair of a published offer and a published need: its components and its rank among the offer's
    matches, or why it is not eligible (a stable `code` and a `message`)."""
    found = _published_offer(request, offer)
    row = _published_need(request, need)
    ranked = queries.ranked_needs(caller(request), found)
    need_id = ranked.board.need_id(row.key)
    if need_id is None:  # pragma: no cover - a published need the caller sees is on the board
        raise Http404(_("No need “%(key)s”.") % {"key": need})
    result = matching.explain(ranked.board.features, need_id, found.pk, ranked.board.weights)
    if isinstance(result, matching.Ineligibility):
        return {"offer": found.pk, "need": row.key, "eligible": False, "code": result.code,
                "message": result.message, "rank": None, "score": None, "components": []}
    rank = next((m.rank for m in ranked.matches if m.need_id == need_id), None)
    return {"offer": found.pk, "need": row.key, "eligible": True, "code": None, "message": None, "rank": rank,
            "score": result.score, "components": _components(result)}


def _weights() -> dict[str, Any]:
    current = scoring.current_weights()
    row = scoring.weights_row()
    values = {name: getattr(current, name) for name in matching.COMPONENTS}
    return {**values, "normalised": dict(zip(matching.COMPONENTS, map(float, current.normalised()), strict=True)),
            "updated_at": row.updated_at if row else None}


@router.get("/partnerships/match-weights", response=WeightsOut, auth=optional_auth, summary="Match weights")
def get_weights(request: ApiRequest):
    """The weights of the match score's components (the defaults until the Secretariat sets them)."""
    return _weights()


@router.put("/partnerships/match-weights", response={200: WeightsOut, **ERROR_RESPONSES}, auth=token_auth)
def put_weights(request: ApiRequest, payload: WeightsIn):
    """Set the five weights (the Secretariat only); every ranking uses them at once. At least one must be above
    zero."""
    actions.set_weights(request.auth, payload.dict(), via="api")
    return _weights()


@router.get("/partnerships/interests", response=list[InterestOut], auth=token_auth, summary="Interest in matches")
@paginate
def list_interests(request: ApiRequest, offer: int | None = None, need: str | None = None,
                   side: InterestSide | None = None):
    """The interest you may see: a partner's in its offers, a city officer's in its city's needs, a National
    Representative's country's, the Secretariat's all; newest first."""
    rows = queries.interests(request.auth)
    if offer is not None:
        rows = rows.filter(offer_id=offer)
    if need:
        rows = rows.filter(need_key=need)
    if side:
        rows = rows.filter(side=side)
    return rows


@router.post("/partnerships/interests", response={201: InterestOut, **ERROR_RESPONSES}, auth=token_auth)
def create_interest(request: ApiRequest, payload: InterestIn):
    """Express your side's interest in a match, with a short note. When the other side is already interested a
    cooperation record opens (`record`) and both sides are e-mailed."""
    offer = visible_or_404(Offer.objects.visible_to(request.auth),
                           _("No offer with the id %(id)s.") % {"id": payload.offer}, pk=payload.offer)
    interest = actions.express_interest(request.auth, offer, payload.need, str(payload.side), payload.note,
                                        via="api")
    return Status(201, queries.interests(request.auth).get(pk=interest.pk))


@router.delete("/partnerships/interests/{pk}", response={204: None, **ERROR_RESPONSES}, auth=token_auth)
def delete_interest(request: ApiRequest, pk: int):
    """Withdraw your side's interest (refused once both sides are interested: withdraw the record instead)."""
    interest = visible_or_404(Interest.objects.visible_to(request.auth),
                              _("No interest with the id %(id)s.") % {"id": pk}, pk=pk)
    actions.withdraw_interest(request.auth, interest, via="api")
    return Status(204, None)
