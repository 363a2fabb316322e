"""Reads of the cooperation pipeline shown to users, through the permission layer.

A record is public once agreed (agreed, in implementation, completed). Before that it is seen by its parties
(the partner's users, the city's officers and, for a city-to-city twinning, the twin city's officers), by the
National Representative of either city's country and by the Secretariat. The model's `access` scopes by the
first city only, so the twin city is added here (`visible`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from pydantic import Field

from ascn.core.choices import Role
from ascn.core.filters import OneOf, Text
from ascn.core.money import UsdAmount, to_usd
from ascn.core.permissions import Principal
from ascn.plans.models import Project

from .. import workflow
from ..choices import AGREED_STATES, CooperationKind, CooperationState
from ..models import CooperationComment, CooperationRecord, CooperationTransition

if TYPE_CHECKING:
    from ascn.core.permissions import Actor


@dataclass(frozen=True)
class CooperationFilters:
    """What the lists of cooperation records and `GET /api/v1/partnerships/cooperation` filter by."""

    kind: Annotated[CooperationKind | None, OneOf(CooperationKind)] = None
    state: Annotated[CooperationState | None, OneOf(CooperationState)] = None
    partner: Annotated[str | None, Field(description="Partner slug"), Text(80)] = None
    programme: Annotated[str | None, Field(description="Programme slug"), Text(80)] = None
    country: Annotated[str | None, Field(description="ISO3 of the city's (or the twin city's) country"),
                       Text(3)] = None
    city: Annotated[str | None, Field(description="City slug (the city or the twin city)"), Text(80)] = None
    focus_area: Annotated[str | None, Field(description="Framework code of a focus area or an enabler"),
                          Text(100)] = None

    def active(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if value}


def role_on(user: Actor | None, record: CooperationRecord) -> str | None:
    """The workflow role `user` holds on `record` (`workflow.SECRETARIAT`, `PARTNER`, `CITY`, `NATIONAL_REP`), or
    None when it is none of the record's parties or reviewers."""
    principal = Principal.of(user)
    if principal.is_secretariat:
        return workflow.SECRETARIAT
    if principal.role == Role.PARTNER and principal.partner_id and principal.partner_id == record.partner_id:
        return workflow.PARTNER
    if principal.role == Role.CITY_OFFICER and principal.city_id and principal.city_id in (record.city_id,
                                                                                           record.twin_city_id):
        return workflow.CITY
    if principal.role == Role.NATIONAL_REP and principal.country_id and principal.country_id in (
            record.city.country_id, record.twin_city.country_id if record.twin_city else None):
        return workflow.NATIONAL_REP
    return None


def _twin_scope(principal: Principal) -> Q | None:
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        return Q(twin_city_id=principal.city_id)
    if principal.role == Role.NATIONAL_REP and principal.country_id:
        return Q(twin_city__country_id=principal.country_id)
    return None


def visible(user: Actor | None) -> QuerySet[CooperationRecord]:
    """Every record the user may see (see the module's docstring)."""
    rows = CooperationRecord.objects.visible_to(user)
    twin = _twin_scope(Principal.of(user))
    return rows if twin is None else rows | CooperationRecord.objects.filter(twin)


def involved(user: Actor | None) -> QuerySet[CooperationRecord]:
    """The records the user takes part in or reviews (its own, not every public one); the Secretariat's: all."""
    principal = Principal.of(user)
    if principal.is_secretariat:
        return CooperationRecord.objects.all()
    own = CooperationRecord.access.scope_filter(principal)
    twin = _twin_scope(principal)
    if own is None:
        return CooperationRecord.objects.none()
    return CooperationRecord.objects.filter(own | twin if twin is not None else own)


def _filtered(rows: QuerySet[CooperationRecord], filters: CooperationFilters) -> QuerySet[CooperationRecord]:
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.partner:
        rows = rows.filter(partner__slug=filters.partner)
    if filters.programme:
        rows = rows.filter(programme__slug=filters.programme)
    if filters.country:
        rows = rows.filter(Q(city__country__iso3=filters.country) | Q(twin_city__country__iso3=filters.country))
    if filters.city:
        rows = rows.filter(Q(city__slug=filters.city) | Q(twin_city__slug=filters.city))
    if filters.focus_area:
        tagged = CooperationRecord.objects.filter(framework_tags__node__code=filters.focus_area).values("pk")
        rows = rows.filter(pk__in=tagged)
    return rows


def _listed(rows: QuerySet[CooperationRecord]) -> QuerySet[CooperationRecord]:
    return (rows.select_related("partner", "programme", "city__country", "twin_city__country")
            .prefetch_related("framework_tags__node").order_by("-updated_at", "-id"))


def records(user: Actor | None, filters: CooperationFilters | None = None) -> QuerySet[CooperationRecord]:
    """The records the user may see, filtered, newest change first, with what the lists show in a fixed number
    of queries."""
    return _listed(_filtered(visible(user), filters or CooperationFilters()))


def agreed(user: Actor | None, filters: CooperationFilters | None = None) -> QuerySet[CooperationRecord]:
    """The public list: agreed cooperation (agreed, in implementation, completed)."""
    return records(user, filters).filter(state__in=AGREED_STATES)


def my_records(user: Actor | None, filters: CooperationFilters | None = None) -> QuerySet[CooperationRecord]:
    """The workspace list: the records the user takes part in or reviews, every stage."""
    return _listed(_filtered(involved(user), filters or CooperationFilters()))


def partner_records(user: Actor | None, partner_id: int) -> QuerySet[CooperationRecord]:
    return records(user).filter(partner_id=partner_id)


def state_counts(rows: QuerySet[CooperationRecord]) -> dict[str, int]:
    """How many of `rows` are in each state (every state present)."""
    counts = dict(rows.order_by().values_list("state").annotate(n=Count("id")))
    return {state: counts.get(state, 0) for state in CooperationState.values}


def detail(user: Actor | None, pk: int) -> CooperationRecord | None:
    """One record the user may see, with its steps, comments, projects and tags loaded."""
    return (visible(user).filter(pk=pk)
            .select_related("partner", "programme", "offer", "city__country", "twin_city__country")
            .prefetch_related("framework_tags__node",
                              Prefetch("transitions", queryset=CooperationTransition.objects.select_related("by")),
                              Prefetch("comments", queryset=CooperationComment.objects.select_related("author")),
                              Prefetch("projects", queryset=Project.objects.select_related("city")
                                       .prefetch_related("partners").order_by("title", "id")))
            .first())


def linkable_projects(record: CooperationRecord) -> QuerySet[Project]:
    """The projects a record may fund or support: the city's (and the twin city's)."""
    cities = [record.city_id] + ([record.twin_city_id] if record.twin_city_id else [])
    return Project.objects.filter(city_id__in=cities).select_related("city").order_by("title", "id")


# --- The Secretariat's dashboard --------------------------------------------------------------------------


@dataclass
class Group:
    """One row of a breakdown: how many records, and the money committed (agreed budgets) in US dollars."""

    key: str
    label: str
    count: int = 0
    committed: int = 0  # agreed records with a budget
    usd: Decimal = Decimal(0)
    without_rate: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "records": self.count, "agreed_with_budget": self.committed,
                "committed_usd": str(self.usd), "without_rate": self.without_rate}


@dataclass
class Dashboard:
    """The cooperation records counted by partner, programme, country, focus area, stage and year of agreement,
    with the money committed in US dollars (each budget at the latest rate on or before its agreement date; the
    rates used are named, the budgets without a rate listed apart)."""

    total: int
    committed_usd: Decimal
    breakdowns: dict[str, list[Group]]
    rates: list[tuple[str, dt.date, Decimal]]  # (currency, as of, units per USD) of every rate used
    without_rate: list[CooperationRecord] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per record, for the downloads


BREAKDOWNS = ("stage", "partner", "programme", "country", "focus_area", "year")


def commits(record: CooperationRecord) -> bool:
    """Whether the record commits money: agreed (or further) with a budget in a currency."""
    return record.state in AGREED_STATES and record.budget is not None and bool(record.currency)


def committed_usd(record: CooperationRecord) -> UsdAmount | None:
    """A committing record's budget in dollars at the latest rate on or before its agreement date; None when
    there is no such rate (nothing is invented)."""
    assert record.budget is not None
    return to_usd(record.budget, record.currency, record.agreed_on or record.updated_at.date())


def dashboard(user: Actor | None) -> Dashboard:
    """The Secretariat's figures over every record it may see (all of them)."""
    records_ = list(visible(user).select_related("partner", "programme", "city__country", "twin_city__country")
                    .prefetch_related("framework_tags__node").order_by("id"))
    groups: dict[str, dict[str, Group]] = {name: {} for name in BREAKDOWNS}
    rates: dict[tuple[str, dt.date], Decimal] = {}
    without: list[CooperationRecord] = []
    rows: list[dict[str, Any]] = []
    total_usd = Decimal(0)
    for record in records_:
        counts = commits(record)
        money = committed_usd(record) if counts else None
        for name, pairs in _keys(record).items():
            for key, label in pairs:
                group = groups[name].setdefault(key, Group(key, label))
                group.count += 1
                if counts and money is None:
                    group.without_rate += 1
                elif money is not None:
                    group.committed += 1
                    group.usd += money.amount
        if counts and money is None:
            without.append(record)
        elif money is not None:
            total_usd += money.amount
            if money.as_of is not None:
                rates[(record.currency, money.as_of)] = money.units_per_usd
        rows.append(_row(record, money, no_rate=counts and money is None))
    ordered = {name: sorted(found.values(), key=lambda g: (-g.count, g.label)) for name, found in groups.items()}
    ordered["stage"] = [groups["stage"].get(s, Group(s, str(CooperationState(s).label)))
                        for s in CooperationState.values]
    ordered["year"] = sorted(groups["year"].values(), key=lambda g: g.key)
    return Dashboard(total=len(records_), committed_usd=total_usd, breakdowns=ordered,
                     rates=sorted((c, d, u) for (c, d), u in rates.items()), without_rate=without, rows=rows)


def _keys(record: CooperationRecord) -> dict[str, list[tuple[str, str]]]:
    """The groups a record counts in, per breakdown ("" for none: no partner, no programme, not agreed)."""
    countries = {record.city.country.iso3: record.city.country.name}
    if record.twin_city is not None:
        countries[record.twin_city.country.iso3] = record.twin_city.country.name
    areas = [(t.node.code, t.node.display_name) for t in record.framework_tags.all()]
    year = str(record.agreed_on.year) if record.agreed_on and record.state in AGREED_STATES else ""
    return {
        "stage": [(record.state, str(record.get_state_display()))],
        "partner": [(record.partner.slug, record.partner.name) if record.partner else ("", _("City to city"))],
        "programme": [(record.programme.slug, record.programme.name) if record.programme
                      else ("", _("No programme"))],
        "country": sorted(countries.items()),
        "focus_area": areas or [("", _("Not tagged"))],
        "year": [(year, year)] if year else [],
    }


COLUMNS = ["id", "title", "kind", "state", "partner", "programme", "city", "twin_city", "country", "focus_areas",
           "budget", "currency", "agreement", "agreed_on", "committed_usd", "rate_as_of", "units_per_usd", "no_rate"]


def _row(record: CooperationRecord, usd: UsdAmount | None, no_rate: bool) -> dict[str, Any]:
    return {
        "id": record.pk, "title": record.title, "kind": record.kind, "state": record.state,
        "partner": record.partner.slug if record.partner else "",
        "programme": record.programme.slug if record.programme else "",
        "city": record.city.slug, "twin_city": record.twin_city.slug if record.twin_city else "",
        "country": record.city.country.iso3,
        "focus_areas": "; ".join(sorted(t.node.code for t in record.framework_tags.all())),
        "budget": str(record.budget) if record.budget is not None else "", "currency": record.currency,
        "agreement": record.agreement, "agreed_on": record.agreed_on.isoformat() if record.agreed_on else "",
        "committed_usd": str(usd.amount) if usd else "",
        "rate_as_of": usd.as_of.isoformat() if usd and usd.as_of else "",
        "units_per_usd": str(usd.units_per_usd) if usd and usd.as_of else "",
        "no_rate": no_rate,
    }


def by_year(board: Dashboard) -> list[dict[str, Any]]:
    """Money committed per year of agreement, for the chart (exact dollars as strings beside the float)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for group in board.breakdowns["year"]:
        totals[group.key] += group.usd
    return [{"year": year, "usd": float(amount), "usd_exact": str(amount)} for year, amount in sorted(totals.items())]
