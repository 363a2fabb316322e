"""Pages of matchmaking: an offer's ranked needs and a need's ranked offers, each match with its score's
breakdown and the interest buttons of the user's side; "why is this one missing?"; the Secretariat's weights;
the interest a user's side sent and received."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascn.core.choices import Role
from ascn.core.permissions import Principal

from .. import matching
from ..actions import matching as actions
from ..choices import InterestSide, NeedState, OfferState
from ..forms.matching import COMPONENT_LABELS, InterestForm, PreviewForm, WeightsForm
from ..models import Interest, Offer
from ..queries import interest as queries
from ..queries import matching as scoring
from ..queries import offers as offer_queries

if TYPE_CHECKING:
    from ascn.core.http import Request, SignedInRequest

    from ..queries.offers import NeedRow

PAGE_SIZE = 20
PREVIEW_ROWS = 5


def component_labels() -> dict[str, str]:
    """Each component's name on the pages (the weights' field names)."""
    return {name: str(COMPONENT_LABELS[name]) for name in matching.COMPONENTS}


@dataclass(frozen=True)
class Part:
    label: str
    component: matching.Component


def parts(match: matching.Match, labels: dict[str, str]) -> list[Part]:
    return [Part(labels[c.name], c) for c in match.components]


@dataclass
class Item:
    """One row of a match page: the need or the offer matched, the match, its breakdown, the interest in it
    the user may see, and the sides the user may still express interest for."""

    match: matching.Match
    parts: list[Part]
    row: NeedRow | None = None
    offer: Offer | None = None
    pair: queries.PairInterest = field(default_factory=queries.PairInterest)
    sides: list[tuple[str, str]] = field(default_factory=list)


def _open_sides(user: Any, offer: Offer, row: NeedRow, pair: queries.PairInterest) -> list[tuple[str, str]]:
    labels: dict[str, str] = {InterestSide.PARTNER: _("Express interest for the partner"),
                              InterestSide.CITY: _("Express interest for the city")}
    return [(side, labels[side]) for side in actions.sides_of(user, offer, row.city.pk)
            if pair.of(side) is None]


def _query_without(request: Request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# --- An offer's needs and a need's offers ---------------------------------------------------------------


def offer_matches(request: Request, pk: int) -> HttpResponse:
    """The published needs the user may see, ranked for a published offer, with "why is a need missing?"."""
    offer = (Offer.objects.visible_to(request.user).select_related("partner")
             .prefetch_related("countries", "cities", "framework_tags__node").filter(pk=pk).first())
    if offer is None:
        raise Http404(_("No offer at this address."))
    context: dict[str, Any] = {"offer": offer, "labels": component_labels()}
    if offer.state != OfferState.PUBLISHED:
        return render(request, "partnerships/match_offer.html", {**context, "unpublished": True})
    ranked = queries.ranked_needs(request.user, offer)
    labels = context["labels"]
    page = Paginator(ranked.matches, PAGE_SIZE).get_page(request.GET.get("page"))
    pairs = queries.pair_interest(request.user, offer=offer)
    items = []
    for m in page.object_list:
        row = ranked.board.rows[m.need_id]
        pair = pairs.get((offer.pk, row.key), queries.PairInterest())
        items.append(Item(m, parts(m, labels), row=row, pair=pair, sides=_open_sides(request.user, offer, row, pair)))
    asked = (request.GET.get("need") or "").strip()
    return render(request, "partnerships/match_offer.html", {
        **context, "page": page, "items": items, "count": len(ranked.matches), "asked": asked,
        "explanation": _explain_need(request, ranked, offer, asked) if asked else None,
        "query": _query_without(request, "page"), "weights": ranked.board.weights})


def _explain_need(request: Request, ranked: queries.Ranked, offer: Offer, key: str) -> dict[str, Any]:
    """Why the need `key` is (or is not) in the offer's ranking, scored with the page's own inputs."""
    row = offer_queries.need(request.user, key)
    if row is None:
        return {"message": _("No need you may see has the key “%(key)s”.") % {"key": key}}
    if row.state != NeedState.PUBLISHED:
        return {"row": row, "message": _("This need is not published: only published needs are matched.")}
    need_id = ranked.board.need_id(row.key)
    if need_id is None:  # pragma: no cover - a published need the user sees is on the board
        return {"row": row, "message": _("This need is not among the needs you may see.")}
    return _explanation(row, matching.explain(ranked.board.features, need_id, offer.pk, ranked.board.weights),
                        ranked.matches, lambda m: m.need_id == need_id)


def _explanation(subject: Any, result: matching.Match | matching.Ineligibility, ranking: list[matching.Match],
                 same: Any) -> dict[str, Any]:
    if isinstance(result, matching.Ineligibility):
        return {"subject": subject, "code": result.code, "message": result.message}
    rank = next((m.rank for m in ranking if same(m)), None)
    return {"subject": subject, "match": result, "parts": parts(result, component_labels()), "rank": rank}


def need_matches(request: Request, key: str) -> HttpResponse:
    """The published offers the user may see, ranked for a published need, with "why is an offer missing?"."""
    row = offer_queries.need(request.user, key)
    if row is None:
        raise Http404(_("No need at this address."))
    context: dict[str, Any] = {"row": row, "labels": component_labels()}
    if row.state != NeedState.PUBLISHED:
        return render(request, "partnerships/match_need.html", {**context, "unpublished": True})
    ranked = queries.ranked_offers(request.user, row)
    page = Paginator(ranked.matches, PAGE_SIZE).get_page(request.GET.get("page"))
    pairs = queries.pair_interest(request.user, need_key=row.key)
    items = []
    for m in page.object_list:
        offer = ranked.board.offers[m.offer_id]
        pair = pairs.get((offer.pk, row.key), queries.PairInterest())
        items.append(Item(m, parts(m, context["labels"]), offer=offer, pair=pair,
                          sides=_open_sides(request.user, offer, row, pair)))
    asked = (request.GET.get("offer") or "").strip()
    return render(request, "partnerships/match_need.html", {
        **context, "page": page, "items": items, "count": len(ranked.matches), "asked": asked,
        "explanation": _explain_offer(request, ranked, asked) if asked else None,
        "query": _query_without(request, "page"), "weights": ranked.board.weights})


def _explain_offer(request: Request, ranked: queries.Ranked, asked: str) -> dict[str, Any]:
    offer = (Offer.objects.visible_to(request.user).filter(pk=int(asked)).first() if asked.isdigit() and
             len(asked) < 12 else None)
    if offer is None:
        return {"message": _("No offer you may see has the id “%(id)s”.") % {"id": asked}}
    if offer.pk not in ranked.board.offers:
        return {"subject": offer, "message": _("This offer is not published: only published offers are matched.")}
    result = matching.explain(ranked.board.features, 0, offer.pk, ranked.board.weights)
    return _explanation(offer, result, ranked.matches, lambda m: m.offer_id == offer.pk)


# --- Interest -------------------------------------------------------------------------------------------


def _back(request: Request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_POST
def interest_express(request: SignedInRequest) -> HttpResponse:
    form = InterestForm(request.POST)
    if not form.is_valid():
        for name, texts in form.errors.items():
            for text in texts:
                messages.error(request, f"{name}: {text}")
        return redirect(_back(request, reverse("partnerships:interests")))
    offer = Offer.objects.visible_to(request.user).filter(pk=form.cleaned_data["offer"]).first()
    if offer is None:
        raise Http404(_("No offer at this address."))
    fallback = reverse("partnerships:offer_matches", args=[offer.pk])
    try:
        interest = actions.express_interest(request.user, offer, form.cleaned_data["need"], form.cleaned_data["side"],
                                            form.cleaned_data["note"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if interest.record_id:
            messages.success(request, _("Both sides are interested: a cooperation record is open and both sides "
                                        "have been told."))
        else:
            messages.success(request, _("Interest sent: the other side sees it in its workspace."))
    return redirect(_back(request, fallback))


@login_required
@require_POST
def interest_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    interest = Interest.objects.visible_to(request.user).filter(pk=pk).first()
    if interest is None:
        raise Http404(_("No interest at this address."))
    try:
        actions.withdraw_interest(request.user, interest)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Interest withdrawn."))
    return redirect(_back(request, reverse("partnerships:interests")))


@dataclass(frozen=True)
class Listed:
    interest: Interest
    title: str
    may_withdraw: bool

    @property
    def record_url(self) -> str | None:
        return queries.record_path(self.interest.record_id) if self.interest.record_id is not None else None


def _listed(user: Any, page_rows: list[Interest]) -> list[Listed]:
    titles = queries.need_titles({i.need_key for i in page_rows})
    return [Listed(i, titles.get(i.need_key, i.need_key),
                   i.record_id is None and actions.may_act_for(user, i.side, i.offer, i.city_id))
            for i in page_rows]


@login_required
def interests(request: SignedInRequest) -> HttpResponse:
    """Interest sent and received by the user's side (a partner, a city officer); for the Secretariat and a
    National Representative every interest they may see."""
    principal = Principal.of(request.user)
    side = queries.own_side(request.user)
    if side is None and principal.role not in (Role.SECRETARIAT, Role.NATIONAL_REP):
        raise PermissionDenied(_("Only partners, city officers, National Representatives and the Secretariat "
                                 "follow interest in matches."))
    if side is None:
        page = Paginator(queries.interests(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "partnerships/interest_list.html", {
            "side": None, "all": _listed(request.user, list(page.object_list)), "page": page, "query": ""})
    sent_page = Paginator(queries.sent(request.user), PAGE_SIZE).get_page(request.GET.get("sent"))
    received_page = Paginator(queries.received(request.user), PAGE_SIZE).get_page(request.GET.get("received"))
    return render(request, "partnerships/interest_list.html", {
        "side": side, "sent": _listed(request.user, list(sent_page.object_list)), "sent_page": sent_page,
        "received": _listed(request.user, list(received_page.object_list)), "received_page": received_page})


# --- The Secretariat's weights --------------------------------------------------------------------------


def _preview(request: SignedInRequest, key: str, proposed: matching.Weights | None) -> dict[str, Any]:
    """The sample need's best offers with the current weights and with the proposed ones."""
    row = offer_queries.need(request.user, key)
    if row is None or row.state != NeedState.PUBLISHED:
        return {"message": _("No published need has the key “%(key)s”.") % {"key": key}}
    b = scoring.board(request.user, need_rows=[row])
    if not b.offers:
        return {"row": row, "message": _("No published offer to rank.")}

    def top(weights: matching.Weights) -> list[tuple[Offer, matching.Match]]:
        ranking = matching.rank(b.features, weights, offers_per_need=PREVIEW_ROWS, needs_per_offer=0)
        return [(b.offers[m.offer_id], m) for m in ranking.offers_for_needs.matches(0)]

    return {"row": row, "current": top(b.weights), "proposed": top(proposed) if proposed else None}


@login_required
def weights(request: SignedInRequest) -> HttpResponse:
    """The Secretariat sets the weights of the match score; saving re-ranks every match page at once. "Preview"
    shows how a sample need's ranking would change, without saving."""
    if not Principal.of(request.user).is_secretariat:
        raise PermissionDenied(_("Only the ASEAN Secretariat sets the weights of the match score."))
    current = scoring.current_weights()
    initial = {name: getattr(current, name) for name in matching.COMPONENTS}
    form = WeightsForm(request.POST or None, initial=initial)
    preview_form = PreviewForm(request.POST or request.GET or None)
    sample = preview_form.cleaned_data.get("need", "") if preview_form.is_valid() else ""
    proposed: matching.Weights | None = None
    if request.method == "POST" and form.is_valid():
        try:
            proposed = matching.Weights(**form.values())
        except matching.WeightsError:
            form.add_error(None, _("At least one weight must be above zero."))
        if proposed is not None and "save" in request.POST:
            try:
                changes = actions.set_weights(request.user, form.values())
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                if changes:
                    messages.success(request, _("Weights saved: every ranking uses them now."))
                else:
                    messages.info(request, _("Nothing changed."))
                target = reverse("partnerships:match_weights")
                return redirect(f"{target}?need={sample}" if sample else target)
    row = scoring.weights_row()
    normalised = dict(zip(matching.COMPONENTS, current.normalised(), strict=True))
    labels = component_labels()
    return render(request, "partnerships/match_weights.html", {
        "form": form, "preview_form": preview_form, "row": row,
        "current": [(labels[name], getattr(current, name), normalised[name]) for name in matching.COMPONENTS],
        "preview": _preview(request, sample, proposed) if sample else None, "labels": labels,
    }, status=422 if form.errors else 200)


urlpatterns = [
    path("partnerships/offers/<int:pk>/matches/", offer_matches, name="offer_matches"),
    path("partnerships/needs/<str:key>/matches/", need_matches, name="need_matches"),
    path("workspace/matching/", weights, name="match_weights"),
    path("workspace/interest/", interests, name="interests"),
    path("workspace/interest/express/", interest_express, name="interest_express"),
    path("workspace/interest/<int:pk>/withdraw/", interest_withdraw, name="interest_withdraw"),
]
