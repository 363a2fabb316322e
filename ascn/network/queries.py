"""Reads of the network registry shown to users, always through the permission layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from .choices import COUNTRY_ROLES
from .models import Chairmanship, City, CityMembership, CityQuerySet, Country, CountryQuerySet, RoleTerm, ShepherdTerm

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from ascn.core.permissions import Actor

    class FirstJoined(TypedDict):
        first_joined_on: dt.date | None  # the first day of the city's first membership

    class CityCount(TypedDict):
        city_count: int  # member cities on the date asked

    # The rows of `cities`/`city_details` and of `countries`/`country_detail`, with their annotations.
    CityWithFirstJoin = WithAnnotations[City, FirstJoined]
    CountryWithCityCount = WithAnnotations[Country, CityCount]


def today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class CityFilters:
    country: str | None = None  # ISO3
    joined_year: int | None = None
    as_of: dt.date | None = None
    pilot: bool | None = None
    q: str | None = None


def cities(user: Actor | None, filters: CityFilters | None = None) -> CityQuerySet[CityWithFirstJoin]:
    """Cities the user may see, filtered; each annotated with `first_joined_on`."""
    f = filters or CityFilters()
    qs = City.objects.visible_to(user).select_related("country")
    if f.country:
        qs = qs.filter(country__iso3=f.country.upper())
    if f.as_of:
        qs = qs.filter(id__in=City.objects.as_of(f.as_of).values("id"))
    if f.pilot is not None:
        qs = qs.filter(pilot=f.pilot)
    if f.q:
        qs = qs.search(f.q)
    annotated = qs.annotate(first_joined_on=Min("memberships__joined_on"))
    if f.joined_year:
        annotated = annotated.filter(first_joined_on__year=f.joined_year)
    return annotated.order_by("name")


def city_details(user: Actor | None) -> CityQuerySet[CityWithFirstJoin]:
    """The cities the user may see, each with its memberships and current offices (pick one with
    `visible_or_404`)."""
    return (
        City.objects.visible_to(user)
        .select_related("country")
        # One Prefetch per call: the stubs type all the Prefetch arguments of one call with one queryset type.
        .prefetch_related(Prefetch("memberships", queryset=CityMembership.objects.order_by("joined_on")))
        .prefetch_related(Prefetch("role_terms", queryset=RoleTerm.objects.select_related("person", "country", "city")
                                   .order_by("role")))
        .annotate(first_joined_on=Min("memberships__joined_on"))
    )


def is_member(city: City, date: dt.date) -> bool:
    """Whether `city` (with prefetched memberships) was a member on `date`."""
    return any(m.joined_on <= date and (m.left_on is None or m.left_on > date) for m in city.memberships.all())


def current_terms(terms: QuerySet[RoleTerm] | list[RoleTerm], date: dt.date) -> list[RoleTerm]:
    return [t for t in terms
            if (t.starts_on is None or t.starts_on <= date) and (t.ends_on is None or t.ends_on > date)]


def countries(user: Actor | None, as_of: dt.date | None = None) -> CountryQuerySet[CountryWithCityCount]:
    """Countries with the number of member cities as of `as_of` (today by default)."""
    date = as_of or today()
    member_ids = City.objects.as_of(date).values("id")
    qs = Country.objects.visible_to(user)
    if as_of:
        qs = qs.as_of(as_of)
    return qs.annotate(
        city_count=Count("cities", filter=Q(cities__id__in=member_ids), distinct=True)
    ).order_by("name")


def country_detail(user: Actor | None, iso3: str) -> CountryWithCityCount:
    return countries(user).get(iso3=iso3.upper())


def role_terms(user: Actor | None, *, country: str | None = None, city: str | None = None, role: str | None = None,
               as_of: dt.date | None = None) -> QuerySet[RoleTerm]:
    qs = RoleTerm.objects.visible_to(user).select_related("person", "country", "city__country")
    if country:
        qs = qs.filter(country__iso3=country.upper())
    if city:
        qs = qs.filter(city__slug=city)
    if role:
        qs = qs.filter(role=role)
    if as_of:
        qs = qs.current(as_of)
    return qs.order_by("country__name", "city__name", "role", "id")


def editable_offices(user: Actor | None) -> QuerySet[RoleTerm]:
    """The terms of office the user maintains, newest first within each place."""
    return (RoleTerm.objects.editable_by(user).select_related("person", "country", "city__country")
            .order_by("country__name", "city__name", "role", "-starts_on", "id"))


def national_terms(terms: list[RoleTerm]) -> list[RoleTerm]:
    return [t for t in terms if t.role in COUNTRY_ROLES]


@dataclass(frozen=True)
class ChairYear:
    chairmanship: Chairmanship
    shepherd: ShepherdTerm | None


def shepherd_on(terms: list[ShepherdTerm], date: dt.date) -> ShepherdTerm | None:
    return next((t for t in terms if t.starts_on <= date and (t.ends_on is None or t.ends_on > date)), None)


def shepherd_terms(user: Actor | None) -> list[ShepherdTerm]:
    """All Shepherd terms in order, each with `renews` set when it renews the same country's term."""
    terms = list(ShepherdTerm.objects.visible_to(user).select_related("country").order_by("starts_on"))
    for previous, term in zip([None, *terms], terms, strict=False):
        term.renews = previous is not None and previous.country_id == term.country_id
    return terms


def chair_timeline(user: Actor | None) -> list[ChairYear]:
    """Each year's Chair and annual meeting, with the Shepherd in office after that meeting."""
    terms = shepherd_terms(user)
    chairs = Chairmanship.objects.visible_to(user).select_related("country").order_by("year")
    return [ChairYear(c, shepherd_on(terms, c.shepherd_reference_date)) for c in chairs]


@dataclass(frozen=True)
class NetworkGlance:
    date: dt.date
    country_count: int
    city_count: int
    pilot_count: int
    chair: Chairmanship | None
    shepherd: ShepherdTerm | None


def glance(user: Actor | None, date: dt.date | None = None) -> NetworkGlance:
    """The network at a glance on `date`: member countries and cities, the Chair and the Shepherd."""
    date = date or today()
    member_cities = City.objects.visible_to(user).as_of(date)
    return NetworkGlance(
        date=date,
        country_count=Country.objects.visible_to(user).filter(cities__in=member_cities).distinct().count(),
        city_count=member_cities.count(),
        pilot_count=member_cities.filter(pilot=True).count(),
        chair=Chairmanship.objects.visible_to(user).select_related("country").filter(year=date.year).first(),
        shepherd=ShepherdTerm.objects.visible_to(user).select_related("country").current(date).first(),
    )


def map_points(user: Actor | None, date: dt.date | None = None) -> list[dict[str, Any]]:
    """Member cities on `date` as plain dicts for the map."""
    qs = City.objects.visible_to(user).as_of(date or today()).select_related("country").order_by("name")
    return [
        {
            "slug": c.slug, "name": c.name, "local_name": c.local_name, "country": c.country.display_name,
            "lat": float(c.latitude), "lng": float(c.longitude), "pilot": c.pilot,
        }
        for c in qs
    ]


def editable_cities(user: Actor | None) -> QuerySet[City]:
    return City.objects.editable_by(user).select_related("country").order_by("country__name", "name")
