"""API of the network registry: countries, cities, memberships, offices (roles), chairs."""


import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404
from ascn.core.permissions import Principal

from . import actions, queries
from .choices import OfficeRole
from .models import City, CityMembership, Country, RoleTerm

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

router = Router(tags=["network"])


# --- Schemas ------------------------------------------------------------------------------------


class CountryOut(Schema):
    iso3: str
    name: str
    joined_on: dt.date
    joined_on_basis: str
    nr_agency: str
    city_count: int = Field(description="Member cities today.")
    source: str


class CountryIn(Schema):
    iso3: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3")
    name: str = Field(min_length=1, max_length=100)
    joined_on: dt.date
    joined_on_basis: str = ""
    nr_agency: str = Field("", max_length=200)
    source: str = Field("", max_length=500)


class CountryPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    joined_on: dt.date | None = None
    joined_on_basis: str | None = None
    nr_agency: str | None = Field(None, max_length=200)
    source: str | None = Field(None, max_length=500)


class MembershipOut(Schema):
    id: int
    joined_on: dt.date
    left_on: dt.date | None
    basis: str
    source: str


class MembershipIn(Schema):
    joined_on: dt.date
    left_on: dt.date | None = None
    basis: str = Field("", max_length=300)
    source: str = Field("", max_length=500)


class MembershipPatch(Schema):
    joined_on: dt.date | None = None
    left_on: dt.date | None = None
    basis: str | None = Field(None, max_length=300)
    source: str | None = Field(None, max_length=500)


class CityOut(Schema):
    slug: str
    name: str
    local_name: str
    aliases: list[str]
    country: str = Field(alias="country.iso3", description="ISO3 of the country")
    country_name: str = Field(alias="country.name")
    pilot: bool
    latitude: Decimal
    longitude: Decimal
    joined_on: dt.date | None = Field(description="First day of membership")
    source: str

    @staticmethod
    def resolve_joined_on(obj: City) -> dt.date | None:
        return getattr(obj, "first_joined_on", None)


class OfficeOut(Schema):
    """A term of office. Contact details only reach the Secretariat, NRs and city officers."""

    id: int
    role: str
    role_label: str = Field(alias="get_role_display")
    country: str | None = Field(None, alias="country.iso3")
    city: str | None = Field(None, alias="city.slug")
    position: str = Field(alias="person.position")
    agency: str = Field(alias="person.agency")
    name: str = Field(alias="person.name")
    starts_on: dt.date | None
    ends_on: dt.date | None
    source: str
    email: str | None = Field(None, description="Only for the Secretariat, NRs and city officers")
    phone: str | None = Field(None, description="Only for the Secretariat, NRs and city officers")

    @staticmethod
    def resolve_email(obj: RoleTerm, context: dict[str, Any] | None) -> str | None:
        return obj.person.email if _sees_contacts(context) else None

    @staticmethod
    def resolve_phone(obj: RoleTerm, context: dict[str, Any] | None) -> str | None:
        return obj.person.phone if _sees_contacts(context) else None


def _sees_contacts(context: dict[str, Any] | None) -> bool:
    request = (context or {}).get("request")
    return Principal.of(caller(request) if request else None).is_network_member


class CityDetailOut(CityOut):
    memberships: list[MembershipOut]
    offices: list[OfficeOut]
    member_today: bool

    @staticmethod
    def resolve_offices(obj: City) -> list[RoleTerm]:
        """The terms in office today (from the prefetched terms of queries.city_details)."""
        return queries.current_terms(obj.role_terms.all(), queries.today())

    @staticmethod
    def resolve_member_today(obj: City) -> bool:
        return queries.is_member(obj, queries.today())


class CityIn(Schema):
    slug: str | None = Field(None, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)
    name: str = Field(min_length=1, max_length=120)
    local_name: str = Field("", max_length=120)
    aliases: list[str] = []
    country: str = Field(pattern=r"^[A-Z]{3}$", description="ISO3 of the country")
    pilot: bool = False
    latitude: Decimal = Field(ge=-90, le=90, decimal_places=4)
    longitude: Decimal = Field(ge=-180, le=180, decimal_places=4)
    source: str = Field("", max_length=500)
    joined_on: dt.date | None = Field(None, description="Creates the first membership span")
    basis: str = Field("", max_length=300)


class CityPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    local_name: str | None = Field(None, max_length=120)
    aliases: list[str] | None = None
    country: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    pilot: bool | None = None
    latitude: Decimal | None = Field(None, ge=-90, le=90, decimal_places=4)
    longitude: Decimal | None = Field(None, ge=-180, le=180, decimal_places=4)
    source: str | None = Field(None, max_length=500)


class OfficeIn(Schema):
    role: OfficeRole
    country: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="For National Representatives")
    city: str | None = Field(None, description="City slug, for CSCOs")
    position: str = Field("", max_length=200)
    agency: str = Field(min_length=1, max_length=300)
    name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=50)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    source: str = Field("", max_length=500)


class OfficePatch(Schema):
    position: str | None = Field(None, max_length=200)
    agency: str | None = Field(None, min_length=1, max_length=300)
    name: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=50)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    source: str | None = Field(None, max_length=500)


class CityFilter(FilterSchema):
    country: str | None = Field(None, description="ISO3 code, e.g. VNM")
    as_of: dt.date | None = Field(None, description="Only cities that were members on this date")
    joined_year: int | None = Field(None, ge=2018, le=2100, description="Year of first membership")
    pilot: bool | None = None
    q: str | None = Field(None, max_length=100, description="Name, local name or alias (accents optional)")


class ChairOut(Schema):
    year: int
    chair: str
    chair_name: str
    shepherd: str | None
    shepherd_name: str | None
    annual_meeting_number: int | None
    meeting_date: dt.date | None
    meeting_place: str
    meeting_mode: str
    source: str


class ShepherdTermOut(Schema):
    country: str
    country_name: str
    starts_on: dt.date
    ends_on: dt.date | None
    planned_end_year: int
    renews_previous: bool
    note: str
    source: str


def _country(iso3: str) -> Country:
    """The country of a path parameter (404 when unknown)."""
    return visible_or_404(Country.objects.all(), _("No country with the code “%(code)s”.") % {"code": iso3},
                          iso3=iso3.upper())


def _country_field(iso3: str, field: str = "country") -> Country:
    """The country named in a request body (422 naming the field when unknown)."""
    country = Country.objects.filter(iso3=iso3.upper()).first()
    if country is None:
        raise ValidationError({field: _("Unknown country code “%(code)s”.") % {"code": iso3}})
    return country


def _city_field(slug: str, field: str = "city") -> City:
    city = City.objects.filter(slug=slug).first()
    if city is None:
        raise ValidationError({field: _("Unknown city “%(slug)s”.") % {"slug": slug}})
    return city


def _city_for(user: "Actor", slug: str) -> City:
    return visible_or_404(queries.city_details(user), _("No city with the slug “%(slug)s”.") % {"slug": slug},
                          slug=slug)


# --- Countries ------------------------------------------------------------------------------------


@router.get("/countries", response=list[CountryOut], auth=optional_auth, summary="List member countries")
@paginate
def list_countries(request: ApiRequest, as_of: dt.date | None = None):
    """Member countries (those that had joined on `as_of`, if given) with their member-city counts."""
    return queries.countries(caller(request), as_of)


@router.get("/countries/{iso3}", response={200: CountryOut, **ERROR_RESPONSES}, auth=optional_auth)
def get_country(request: ApiRequest, iso3: str):
    return visible_or_404(queries.countries(caller(request)),
                          _("No country with the code “%(code)s”.") % {"code": iso3}, iso3=iso3.upper())


@router.post("/countries", response={201: CountryOut, **ERROR_RESPONSES}, auth=token_auth)
def create_country(request: ApiRequest, payload: CountryIn):
    country = actions.create_country(request.auth, payload.dict(), via="api")
    return Status(201, queries.country_detail(request.auth, country.iso3))


@router.patch("/countries/{iso3}", response={200: CountryOut, **ERROR_RESPONSES}, auth=token_auth)
def update_country(request: ApiRequest, iso3: str, payload: CountryPatch):
    country = _country(iso3)
    actions.update_country(request.auth, country, payload.dict(exclude_unset=True), via="api")
    return queries.country_detail(request.auth, country.iso3)


@router.delete("/countries/{iso3}", response={204: None, **ERROR_RESPONSES}, auth=token_auth)
def delete_country(request: ApiRequest, iso3: str):
    actions.delete_country(request.auth, _country(iso3), via="api")
    return Status(204, None)


# --- Cities ---------------------------------------------------------------------------------------


@router.get("/cities", response=list[CityOut], auth=optional_auth, summary="List member cities")
@paginate
def list_cities(request: ApiRequest, filters: Query[CityFilter]):
    """Cities, optionally only those that were members on `as_of`, of a `country`, or joined in a year."""
    return queries.cities(caller(request), queries.CityFilters(**filters.dict()))


@router.get("/cities/{slug}", response={200: CityDetailOut, **ERROR_RESPONSES}, auth=optional_auth)
def get_city(request: ApiRequest, slug: str):
    return _city_for(caller(request), slug)


@router.post("/cities", response={201: CityDetailOut, **ERROR_RESPONSES}, auth=token_auth)
def create_city(request: ApiRequest, payload: CityIn):
    data = payload.dict(exclude={"joined_on", "basis"}, exclude_none=True)
    data["country"] = _country_field(payload.country)
    city = actions.create_city(request.auth, data, joined_on=payload.joined_on, basis=payload.basis, via="api")
    return Status(201, get_city(request, city.slug))


@router.patch("/cities/{slug}", response={200: CityDetailOut, **ERROR_RESPONSES}, auth=token_auth)
def update_city(request: ApiRequest, slug: str, payload: CityPatch):
    city = get_object_or_404(City, slug=slug)
    data = payload.dict(exclude_unset=True)
    if "country" in data:
        data["country"] = _country_field(data["country"])
    actions.update_city(request.auth, city, data, via="api")
    return get_city(request, slug)


@router.delete("/cities/{slug}", response={204: None, **ERROR_RESPONSES}, auth=token_auth)
def delete_city(request: ApiRequest, slug: str):
    actions.delete_city(request.auth, get_object_or_404(City, slug=slug), via="api")
    return Status(204, None)


@router.post("/cities/{slug}/memberships", response={201: MembershipOut, **ERROR_RESPONSES}, auth=token_auth)
def add_membership(request: ApiRequest, slug: str, payload: MembershipIn):
    city = get_object_or_404(City, slug=slug)
    return Status(201, actions.add_membership(request.auth, city, payload.dict(), via="api"))


@router.patch("/cities/{slug}/memberships/{membership_id}", response={200: MembershipOut, **ERROR_RESPONSES},
              auth=token_auth)
def update_membership(request: ApiRequest, slug: str, membership_id: int, payload: MembershipPatch):
    membership = get_object_or_404(CityMembership, pk=membership_id, city__slug=slug)
    actions.update_membership(request.auth, membership, payload.dict(exclude_unset=True), via="api")
    return membership


# --- Offices (roles with terms) -------------------------------------------------------------------


@router.get("/roles", response=list[OfficeOut], auth=optional_auth, summary="List offices and terms")
@paginate
def list_roles(request: ApiRequest, country: str | None = None, city: str | None = None,
               role: OfficeRole | None = None, as_of: dt.date | None = None):
    """National Representatives, CSCOs and the Secretariat, by position and agency. Contact details
    are returned only to the Secretariat, National Representatives and city officers."""
    return queries.role_terms(caller(request), country=country, city=city, role=role, as_of=as_of)


def _office_fields(payload: Schema) -> tuple[dict, dict]:
    data = payload.dict(exclude_unset=True)
    person = {k: data.pop(k) for k in list(data) if k in actions.PERSON_FIELDS}
    return person, data


@router.post("/roles", response={201: OfficeOut, **ERROR_RESPONSES}, auth=token_auth)
def create_role(request: ApiRequest, payload: OfficeIn):
    person, term = _office_fields(payload)
    person.setdefault("agency", payload.agency)
    if term.get("country"):
        term["country"] = _country_field(term["country"])
    if term.get("city"):
        term["city"] = _city_field(term["city"])
    return Status(201, actions.create_role_term(request.auth, person, term, via="api"))


@router.patch("/roles/{term_id}", response={200: OfficeOut, **ERROR_RESPONSES}, auth=token_auth)
def update_role(request: ApiRequest, term_id: int, payload: OfficePatch):
    term = get_object_or_404(RoleTerm.objects.select_related("person", "country", "city"), pk=term_id)
    person, data = _office_fields(payload)
    actions.update_role_term(request.auth, term, person, data, via="api")
    return term


@router.delete("/roles/{term_id}", response={204: None, **ERROR_RESPONSES}, auth=token_auth)
def delete_role(request: ApiRequest, term_id: int):
    actions.delete_role_term(request.auth, get_object_or_404(RoleTerm, pk=term_id), via="api")
    return Status(204, None)


# --- Chairs and Shepherds ---------------------------------------------------------------------------


@router.get("/chairs", response=list[ChairOut], auth=optional_auth, summary="Chairs by year")
@paginate
def list_chairs(request: ApiRequest):
    """Each year's ASCN Chair (the ASEAN Chair), annual meeting, and the Shepherd in office after it."""
    return [
        {
            "year": row.chairmanship.year, "chair": row.chairmanship.country.iso3,
            "chair_name": row.chairmanship.country.name,
            "shepherd": row.shepherd.country.iso3 if row.shepherd else None,
            "shepherd_name": row.shepherd.country.name if row.shepherd else None,
            "annual_meeting_number": row.chairmanship.annual_meeting_number,
            "meeting_date": row.chairmanship.meeting_date, "meeting_place": row.chairmanship.meeting_place,
            "meeting_mode": row.chairmanship.meeting_mode, "source": row.chairmanship.source,
        }
        for row in queries.chair_timeline(caller(request))
    ]


@router.get("/shepherd-terms", response=list[ShepherdTermOut], auth=optional_auth, summary="Shepherd terms")
@paginate
def list_shepherd_terms(request: ApiRequest):
    return [
        {"country": t.country.iso3, "country_name": t.country.name, "starts_on": t.starts_on,
         "ends_on": t.ends_on, "planned_end_year": t.planned_end_year, "renews_previous": t.renews,
         "note": t.note, "source": t.source}
        for t in queries.shepherd_terms(caller(request))
    ]

