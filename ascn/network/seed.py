"""Reference data of the network registry (fixtures built from the shared reference files)."""

from __future__ import annotations

from typing import Any

from ascn.core import actions
from ascn.core.seeding import (
    CsvLoader,
    RowError,
    choice,
    fixture,
    lookup,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_list,
    required,
)

from .choices import CITY_ROLES, COUNTRY_ROLES, MeetingMode, OfficeRole, PartnerKind
from .models import Chairmanship, City, CityMembership, Country, Partner, Person, RoleTerm, ShepherdTerm

APP = "ascn.network"


def country_values(row: dict[str, str]) -> dict[str, Any]:
    i18n = {lang: {"name": row[f"name_{lang}"]} for lang in ("vi", "th") if row[f"name_{lang}"]}
    return {
        "iso3": required(row, "iso3"), "name": required(row, "name"), "joined_on": parse_date(row, "joined_on"),
        "joined_on_basis": row["joined_on_basis"], "nr_agency": row["nr_agency"], "source": row["source"],
        "i18n": i18n,
    }


def city_values(row: dict[str, str]) -> dict[str, Any]:
    return {
        "slug": required(row, "slug"), "name": required(row, "name"), "local_name": row["local_name"],
        "aliases": parse_list(row, "aliases"), "country": lookup(Country, "iso3", row, "country_iso3"),
        "pilot": parse_bool(row, "pilot"), "latitude": parse_decimal(row, "latitude"),
        "longitude": parse_decimal(row, "longitude"), "source": row["source"],
    }


def membership_values(row: dict[str, str]) -> dict[str, Any]:
    return {
        "city": lookup(City, "slug", row, "city_slug"), "joined_on": parse_date(row, "joined_on"),
        "left_on": parse_date(row, "left_on", optional=True), "basis": row["basis"], "source": row["source"],
    }


def person_values(row: dict[str, str]) -> dict[str, Any]:
    return {"key": required(row, "key"), "position": row["position"], "agency": required(row, "agency")}


def save_term(person: Person, row: dict[str, str]) -> bool:
    """Each seeded person holds the one term described on its row; returns whether it changed."""
    role = choice(row, "role", OfficeRole)
    city = lookup(City, "slug", row, "city_slug", optional=True)
    country = lookup(Country, "iso3", row, "country_iso3", optional=True)
    if role in CITY_ROLES and city is None:
        raise RowError("a CSCO row needs city_slug")
    if role in COUNTRY_ROLES and country is None:
        raise RowError("a National Representative row needs country_iso3")
    values = {"role": role, "country": country, "city": city,
              "starts_on": parse_date(row, "starts_on", optional=True),
              "ends_on": parse_date(row, "ends_on", optional=True), "source": row["source"]}
    term = person.terms.first()
    if term is None:
        actions.create_audited(None, RoleTerm(person=person, **values), via="seed")
        return True
    return bool(actions.update_audited(None, term, values, via="seed"))


def chair_values(row: dict[str, str]) -> dict[str, Any]:
    return {
        "year": parse_int(row, "year"), "country": lookup(Country, "iso3", row, "chair_country_iso3"),
        "annual_meeting_number": parse_int(row, "annual_meeting_number", optional=True),
        "meeting_date": parse_date(row, "meeting_date", optional=True), "meeting_place": row["meeting_place"],
        "meeting_mode": choice(row, "mode", MeetingMode, optional=True), "source": row["source"],
    }


def shepherd_values(row: dict[str, str]) -> dict[str, Any]:
    return {
        "country": lookup(Country, "iso3", row, "country_iso3"), "starts_on": parse_date(row, "starts_on"),
        "ends_on": parse_date(row, "ends_on", optional=True),
        "planned_end_year": parse_int(row, "planned_end_year"), "note": row["note"], "source": row["source"],
    }


def partner_values(row: dict[str, str]) -> dict[str, Any]:
    iso3 = row["country_iso3"]
    if iso3 and (len(iso3) != 3 or not iso3.isalpha() or not iso3.isupper()):
        raise RowError(f"country_iso3 {iso3!r} is not an ISO 3166-1 alpha-3 code")
    return {
        "slug": required(row, "slug"), "name": required(row, "name"), "kind": choice(row, "kind", PartnerKind),
        "country_iso3": iso3, "notes": row["notes"], "source": row["source"],
    }


LOADERS = [
    CsvLoader("countries", fixture(APP, "countries.csv"), Country, ("iso3",),
              ("iso3", "name", "name_vi", "name_th", "joined_on", "joined_on_basis", "nr_agency", "source"),
              country_values),
    CsvLoader("cities", fixture(APP, "cities.csv"), City, ("slug",),
              ("slug", "name", "local_name", "aliases", "country_iso3", "pilot", "latitude", "longitude", "source"),
              city_values),
    CsvLoader("memberships", fixture(APP, "memberships.csv"), CityMembership, ("city", "joined_on"),
              ("city_slug", "joined_on", "left_on", "basis", "source"), membership_values),
    CsvLoader("offices", fixture(APP, "role_terms.csv"), Person, ("key",),
              ("key", "role", "country_iso3", "city_slug", "position", "agency", "starts_on", "ends_on", "source"),
              person_values, after_save=save_term),
    CsvLoader("chairs", fixture(APP, "chairs.csv"), Chairmanship, ("year",),
              ("year", "chair_country_iso3", "annual_meeting_number", "meeting_date", "meeting_place", "mode",
               "source"), chair_values),
    CsvLoader("shepherd terms", fixture(APP, "shepherd_terms.csv"), ShepherdTerm, ("starts_on",),
              ("country_iso3", "starts_on", "ends_on", "planned_end_year", "note", "source"), shepherd_values),
    CsvLoader("partners", fixture(APP, "partners.csv"), Partner, ("slug",),
              ("slug", "name", "kind", "country_iso3", "notes", "source"), partner_values),
]
