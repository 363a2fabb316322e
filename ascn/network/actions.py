"""Every write to the network registry: permission check, validation, atomic write, audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.text import slugify

from ascn.core import actions as core
from ascn.core.choices import Role
from ascn.core.models import User
from ascn.core.permissions import require_create, require_edit, require_secretariat

from .models import City, CityMembership, Country, Partner, Person, RoleTerm

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

COUNTRY_FIELDS = {"iso3", "name", "joined_on", "joined_on_basis", "nr_agency", "source", "i18n"}
CITY_FIELDS = {"slug", "name", "local_name", "aliases", "country", "pilot", "latitude", "longitude", "source"}
MEMBERSHIP_FIELDS = {"joined_on", "left_on", "basis", "source"}
PERSON_FIELDS = {"name", "position", "agency", "email", "phone"}
TERM_FIELDS = {"role", "country", "city", "starts_on", "ends_on", "source"}




# --- Countries ------------------------------------------------------------------------------------


def create_country(actor: Actor, data: dict[str, Any], via: str = "web") -> Country:
    require_create(actor, Country)
    country = Country(**core.only_fields(data, COUNTRY_FIELDS))
    with transaction.atomic():
        core.create_audited(actor, country, via)
    return country


def update_country(actor: Actor, country: Country, data: dict[str, Any], via: str = "web") -> dict[str, list[Any]]:
    require_edit(actor, country)
    with transaction.atomic():
        return core.update_audited(actor, country, core.only_fields(data, COUNTRY_FIELDS), via)


def delete_country(actor: Actor, country: Country, via: str = "web") -> None:
    require_edit(actor, country)
    with transaction.atomic():
        core.delete_audited(actor, country, via)


# --- Cities ---------------------------------------------------------------------------------------


def create_city(actor: Actor, data: dict[str, Any], joined_on: dt.date | None = None, basis: str = "",
                via: str = "web") -> City:
    """Create a city and, with `joined_on`, its first membership span."""
    data = core.only_fields(data, CITY_FIELDS)
    country: Country = data["country"]
    require_create(actor, City, country_id=country.pk)
    data.setdefault("slug", slugify(data.get("name", "")))
    city = City(**data)
    with transaction.atomic():
        core.create_audited(actor, city, via)
        if joined_on:
            core.create_audited(actor, CityMembership(city=city, joined_on=joined_on, basis=basis), via)
    return city


def update_city(actor: Actor, city: City, data: dict[str, Any], via: str = "web") -> dict[str, list[Any]]:
    require_edit(actor, city)
    data = core.only_fields(data, CITY_FIELDS)
    if "country" in data and data["country"] != city.country:
        # Moving a city to another country is a registry decision: it needs rights on the target too.
        require_create(actor, City, country_id=data["country"].pk)
    with transaction.atomic():
        return core.update_audited(actor, city, data, via)


def delete_city(actor: Actor, city: City, via: str = "web") -> None:
    require_secretariat(actor)
    with transaction.atomic():
        for membership in city.memberships.all():
            core.delete_audited(actor, membership, via)
        core.delete_audited(actor, city, via)


def add_membership(actor: Actor, city: City, data: dict[str, Any], via: str = "web") -> CityMembership:
    """Record a city joining (and possibly leaving): the Secretariat, or the NR of its country."""
    require_create(actor, CityMembership, country_id=city.country_id)
    membership = CityMembership(city=city, **core.only_fields(data, MEMBERSHIP_FIELDS))
    with transaction.atomic():
        core.create_audited(actor, membership, via)
    return membership


def update_membership(actor: Actor, membership: CityMembership, data: dict[str, Any],
                      via: str = "web") -> dict[str, list[Any]]:
    require_edit(actor, membership)
    with transaction.atomic():
        return core.update_audited(actor, membership, core.only_fields(data, MEMBERSHIP_FIELDS), via)


# --- Offices and terms ------------------------------------------------------------------------------


def _term_scope(data: dict[str, Any]) -> dict[str, Any]:
    city = data.get("city")
    country = city.country if city else data.get("country")
    return {"country_id": country.pk if country else None}


def create_role_term(actor: Actor, person_data: dict[str, Any], term_data: dict[str, Any],
                     via: str = "web") -> RoleTerm:
    """Record a new term of office together with the person holding it."""
    term_data = core.only_fields(term_data, TERM_FIELDS)
    require_create(actor, RoleTerm, **_term_scope(term_data))
    person_data = core.only_fields(person_data, PERSON_FIELDS)
    with transaction.atomic():
        person = Person(key=_person_key(person_data, term_data), **person_data)
        core.create_audited(actor, person, via)
        city = term_data.get("city")
        if city is not None:
            term_data = {**term_data, "country": city.country}
        term = RoleTerm(person=person, **term_data)
        core.create_audited(actor, term, via)
    return term


def _person_key(person_data: dict[str, Any], term_data: dict[str, Any]) -> str:
    where = term_data.get("city") or term_data.get("country")
    place = getattr(where, "slug", None) or getattr(where, "iso3", "")
    base = slugify(f"{term_data.get('role', '').replace('_', '-')}-{place}")
    base = base[:60] or "person"
    key, n = base, 1
    while Person.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


def update_role_term(actor: Actor, term: RoleTerm, person_data: dict[str, Any], term_data: dict[str, Any],
                     via: str = "web") -> dict[str, list[Any]]:
    require_edit(actor, term)
    term_data = core.only_fields(term_data, TERM_FIELDS)
    if term_data:
        require_create(actor, RoleTerm, **_term_scope({"country": term.country, "city": term.city, **term_data}))
    with transaction.atomic():
        changes = core.update_audited(actor, term.person, core.only_fields(person_data, PERSON_FIELDS), via)
        changes.update(core.update_audited(actor, term, term_data, via))
    return changes


def delete_role_term(actor: Actor, term: RoleTerm, via: str = "web") -> None:
    require_edit(actor, term)
    with transaction.atomic():
        person = term.person
        core.delete_audited(actor, term, via)
        if not person.terms.exists():
            core.delete_audited(actor, person, via)


# --- Demo accounts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: str  # ISO3, city slug or partner slug
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("secretariat", "demo-secretariat", Role.SECRETARIAT, "", "Secretariat (all; back office)"),
    DemoAccount("nr.vietnam", "demo-nr-vietnam", Role.NATIONAL_REP, "VNM", "National Representative, Viet Nam"),
    DemoAccount("csco.danang", "demo-csco-danang", Role.CITY_OFFICER, "da-nang", "City officer / CSCO, Da Nang"),
    DemoAccount("partner.jica", "demo-partner-jica", Role.PARTNER, "jica", "Partner, JICA"),
)


def ensure_demo_accounts() -> list[User]:
    """Create the fictional demo accounts, or reset their role, scope and password."""
    scopes: dict[str, tuple[type[Country | City | Partner], str, str]] = {
        Role.NATIONAL_REP: (Country, "iso3", "country"), Role.CITY_OFFICER: (City, "slug", "city"),
        Role.PARTNER: (Partner, "slug", "partner"),
    }
    users = []
    with transaction.atomic():
        for demo in DEMO_ACCOUNTS:
            user = User.objects.filter(username=demo.username).first() or User(username=demo.username)
            user.role = demo.role
            user.country = user.city = user.partner = None
            if demo.role in scopes:
                model, key, attr = scopes[demo.role]
                target = model.objects.filter(**{key: demo.scope}).first()
                if target is None:
                    raise LookupError(f"The demo account {demo.username} needs {model.__name__} {demo.scope!r}.")
                setattr(user, attr, target)
            user.email = f"{demo.username}@demo.invalid"
            user.first_name = demo.description
            user.is_staff = demo.role == Role.SECRETARIAT
            user.set_password(demo.password)
            user.full_clean()
            user.save()
            users.append(user)
    return users
