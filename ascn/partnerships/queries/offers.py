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
from ascn.plans.choices import SupportKind
from ascn.plans.models import SupportNeed

from ..choices import CooperationKind, NeedState, OfferState
from ..models import Need, Offer, Programme

if TYPE_CHECKING:
    from ascn.core.permissions import Actor, ScopedQuerySet
    from ascn.framework.models import FrameworkNode
    from ascn.network.models import City
    from ascn.plans.models import Project


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


# --- City needs: stated needs and the support published projects require, side by side -------------------


@dataclass(frozen=True)
class NeedFilters:
    """What the public list of needs and `GET /api/v1/partnerships/needs` filter by."""

    kind: Annotated[SupportKind | None, OneOf(SupportKind)] = None
    country: Annotated[str | None, Field(description="ISO3 of a member country"), Text(3)] = None
    city: Annotated[str | None, Field(description="City slug"), Text(80)] = None
    focus_area: Annotated[str | None, Field(description="Framework code of a focus area or an enabler"),
                          Text(100)] = None

    def active(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if value}


@dataclass(frozen=True)
class NeedRow:
    """One need as the lists show it, from either source: a city's stated need (`key` "n<id>") or one support
    need of a published project (`key` "p<id>", the SupportNeed's id; its amount is the project's funding gap
    in the project's currency). Nothing is copied: the project's rows are read where they are."""

    key: str
    title: str
    kind: str
    details: str
    city: City
    amount: Decimal | None
    currency: str
    stage: str
    state: str
    tags: tuple[FrameworkNode, ...]
    need: Need | None = None
    project: Project | None = None

    @property
    def source(self) -> str:
        return "stated" if self.need is not None else "project"

    def get_kind_display(self) -> str:
        return str(SupportKind(self.kind).label) if self.kind in SupportKind.values else self.kind

    def get_stage_display(self) -> str:
        from ascn.plans.choices import ProjectStage

        return str(ProjectStage(self.stage).label) if self.stage in ProjectStage.values else ""

    def get_state_display(self) -> str:
        return str(NeedState(self.state).label) if self.state in NeedState.values else self.state


def stated_needs(user: Actor | None, filters: NeedFilters | None = None) -> ScopedQuerySet[Need]:
    """The stated needs the user may see (the public and partners: published ones; a city officer: its own
    city's too; a National Representative: its country's; the Secretariat: all), filtered, newest first."""
    filters = filters or NeedFilters()
    qs = (Need.objects.visible_to(user).select_related("city__country")
          .prefetch_related("framework_tags__node"))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.country:
        qs = qs.filter(city__country__iso3=filters.country)
    if filters.city:
        qs = qs.filter(city__slug=filters.city)
    if filters.focus_area:
        qs = qs.filter(pk__in=Need.objects.filter(framework_tags__node__code=filters.focus_area).values("pk"))
    return qs.order_by("-updated_at", "-id")


def project_needs(user: Actor | None, filters: NeedFilters | None = None) -> Any:
    """The support needs of published projects the user may see, filtered (a project's focus area counts as
    one of its tags)."""
    filters = filters or NeedFilters()
    qs = (SupportNeed.objects.visible_to(user).filter(project__is_published=True)
          .select_related("project__city__country", "project__focus_area")
          .prefetch_related("project__framework_tags__node"))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.country:
        qs = qs.filter(project__city__country__iso3=filters.country)
    if filters.city:
        qs = qs.filter(project__city__slug=filters.city)
    if filters.focus_area:
        from ascn.plans.models import Project

        tagged = Project.objects.filter(framework_tags__node__code=filters.focus_area).values("pk")
        qs = qs.filter(Q(project__focus_area__code=filters.focus_area) | Q(project__in=tagged))
    return qs.order_by("-project__updated_at", "project_id", "kind")


def _stated_row(need: Need) -> NeedRow:
    return NeedRow(key=f"n{need.pk}", title=need.title, kind=need.kind, details=need.description, city=need.city,
                   amount=need.amount, currency=need.currency, stage=need.stage, state=need.state,
                   tags=tuple(t.node for t in need.framework_tags.all()), need=need)


def _project_row(support: SupportNeed) -> NeedRow:
    project = support.project
    tags = [t.node for t in project.framework_tags.all()]
    if project.focus_area_id and all(node.pk != project.focus_area_id for node in tags):
        tags.insert(0, project.focus_area)
    return NeedRow(key=f"p{support.pk}", title=project.title, kind=support.kind, details=support.details,
                   city=project.city, amount=project.funding_gap, currency=project.currency if
                   project.cost_estimate is not None else "", stage=project.stage, state=NeedState.PUBLISHED,
                   tags=tuple(tags), project=project)


def needs(user: Actor | None, filters: NeedFilters | None = None) -> list[NeedRow]:
    """Both sources as one list: the stated needs first (newest first), then the published projects' support
    needs. Two queries plus their prefetches whatever the number of rows; the caller paginates the list."""
    return ([_stated_row(need) for need in stated_needs(user, filters)]
            + [_project_row(support) for support in project_needs(user, filters)])


def need(user: Actor | None, key: str) -> NeedRow | None:
    """The need with `key` ("n12": a stated need; "p34": a project's support need) if the user may see it."""
    if len(key) < 2 or key[0] not in "np" or not key[1:].isdigit():
        return None
    pk = int(key[1:])
    if key[0] == "n":
        found = stated_needs(user).filter(pk=pk).first()
        return _stated_row(found) if found else None
    support = project_needs(user).filter(pk=pk).first()
    return _project_row(support) if support else None


def editable_needs(user: Actor | None) -> ScopedQuerySet[Need]:
    """The stated needs the user may change (a city officer: its city's; the Secretariat: all), newest first."""
    return Need.objects.editable_by(user).select_related("city__country").order_by("-updated_at", "-id")
