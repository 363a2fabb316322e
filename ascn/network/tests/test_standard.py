"""The standard tests of the registry's models (ascn.core.testing.bases): who sees and edits which rows
through the permission layer, the pages and the API; list shapes, pagination and query counts; detail
pages and endpoints; audited writes, and refused writes that change nothing.

Rows in the scopes: a city's own row is the seeded city of the scope (the CSCO's city is Da Nang), a new
one is "Zeta <n>"; countries and terms of office are made new; a partner's own row is the seeded partner of
the scope, published or not as the scope says."""

import datetime as dt
import itertools
from decimal import Decimal
from string import ascii_uppercase

import pytest

from ascn.core.testing.bases import (
    FOREIGN,
    FOREIGN_DRAFT,
    OWN,
    OWN_DRAFT,
    SAME_COUNTRY,
    ListApi,
    ListPage,
    ModelCase,
    Scope,
    Write,
    every_role,
    standard_tests,
)
from ascn.network.models import City, CityMembership, Country, Partner, Person, RoleTerm

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count()
NEW_IN_VIETNAM = Scope("new_in_vietnam", country="VNM")  # a city made for the test, in the NR's country
LAOS = Scope("laos", country="LAO")


# --- Cities -------------------------------------------------------------------------------------------------


def make_city(scope: Scope, n: int) -> City:
    if n == 0 and scope.city:
        return City.objects.get(slug=scope.city)
    number = next(NUMBERS)
    return City.objects.create(slug=f"zeta-{number}", name=f"Zeta {number}", country=Country.objects.get(
        iso3=scope.country), latitude=Decimal("10.5000"), longitude=Decimal("106.5000"))


def city_form(city: City, **changes: str) -> dict[str, str]:
    """The city's edit form as posted, with `changes`."""
    return {"name": city.name, "local_name": city.local_name, "aliases": "; ".join(city.aliases),
            "latitude": str(city.latitude), "longitude": str(city.longitude), "source": city.source, **changes}


def city_path(city: City) -> str:
    return f"/cities/{city.slug}"


def city_edit(city: City) -> str:
    return f"/cities/{city.slug}/edit/"


EVERY_CITY = {"own", "same_country", "foreign"}

CITY = ModelCase(
    name="city", model=City, key="slug", make=make_city, scopes=(OWN, SAME_COUNTRY, FOREIGN),
    visible=every_role(*EVERY_CITY),
    editable={"csco": {"own"}, "nr": {"own", "same_country"}, "secretariat": EVERY_CITY},
    list_page=ListPage("/cities/", per_page=25, max_queries=4), list_api=ListApi("/cities"),
    detail_page=lambda city: f"/cities/{city.slug}/", detail_api=city_path,
    tables=(CityMembership,),
    writes=(
        Write("create", "api", "/cities", scope=NEW_IN_VIETNAM, allowed={"secretariat", "nr"}, data={
            "name": "Phu Quoc", "country": "VNM", "latitude": "10.2270", "longitude": "103.9670",
            "aliases": ["Phu Quoc Island"], "joined_on": "2027-01-01", "basis": "test"},
            stored={"slug": "phu-quoc", "name": "Phu Quoc", "country__iso3": "VNM", "aliases": ["Phu Quoc Island"],
                    "latitude": Decimal("10.2270"), "longitude": Decimal("103.9670"),
                    "memberships__joined_on": dt.date(2027, 1, 1), "memberships__basis": "test"},
            returns={"slug": "phu-quoc", "country": "VNM", "joined_on": "2027-01-01", "member_today": False}),
        Write("create", "api", "/cities", scope=LAOS, data={
            "name": "Luang Namtha", "country": "LAO", "latitude": "20.9500", "longitude": "101.4000",
            "aliases": ["Louang Namtha"], "joined_on": "2027-01-01", "basis": "test"},
            stored={"slug": "luang-namtha", "country__iso3": "LAO", "aliases": ["Louang Namtha"],
                    "memberships__joined_on": dt.date(2027, 1, 1)},
            returns={"slug": "luang-namtha", "country": "LAO", "local_name": "", "joined_on": "2027-01-01"}),
        Write("update", "api", city_path, scope=OWN, data={"local_name": "TP Đà Nẵng"},
              allowed={"secretariat", "nr", "csco"}, stored={"local_name": "TP Đà Nẵng"},
              changes={"local_name": ["Đà Nẵng", "TP Đà Nẵng"]}, returns={"slug": "da-nang", "local_name": "TP Đà Nẵng"}),
        Write("update", "api", city_path, scope=SAME_COUNTRY, data={"aliases": ["Hanoi", "HN"]},
              allowed={"secretariat", "nr"}, stored={"aliases": ["Hanoi", "HN"]},
              changes={"aliases": [["Hanoi"], ["Hanoi", "HN"]]}),
        Write("update", "api", city_path, scope=FOREIGN, data={"name": "Bangkok Metropolis"},
              stored={"name": "Bangkok Metropolis", "slug": "bangkok"}, changes={"name": ["Bangkok", "Bangkok Metropolis"]}),
        Write("delete", "api", city_path, scope=NEW_IN_VIETNAM),
        Write("update", "page", city_edit, scope=OWN, data=lambda city: city_form(city, aliases="Danang; Da Nang City"),
              allowed={"secretariat", "nr", "csco"}, stored={"aliases": ["Danang", "Da Nang City"]},
              changes={"aliases": [["Danang"], ["Danang", "Da Nang City"]]}),
        Write("update", "page", city_edit, scope=SAME_COUNTRY, data=lambda city: city_form(city, local_name="Thủ đô Hà Nội"),
              allowed={"secretariat", "nr"}, stored={"local_name": "Thủ đô Hà Nội", "name": "Ha Noi"},
              changes={"local_name": ["Hà Nội", "Thủ đô Hà Nội"]}),
        Write("update", "page", city_edit, scope=FOREIGN, data=lambda city: city_form(city, latitude="13.7500"),
              stored={"latitude": Decimal("13.7500")}, changes={"latitude": ["13.7563", "13.7500"]}),
    ),
)
globals().update(standard_tests(CITY))


# --- Countries ----------------------------------------------------------------------------------------------


def make_country(scope: Scope, n: int) -> Country:
    """A new country (countries have no scope of their own: only the Secretariat edits them)."""
    number = next(NUMBERS) % (26 * 26)
    code = f"Z{ascii_uppercase[number // 26]}{ascii_uppercase[number % 26]}"
    return Country.objects.create(iso3=code, name=f"Zetaland {code}", joined_on=dt.date(2030, 1, 1))


def country_path(country: Country) -> str:
    return f"/countries/{country.iso3}"


COUNTRY = ModelCase(
    name="country", model=Country, key="iso3", make=make_country, scopes=(OWN, FOREIGN),
    visible=every_role("own", "foreign"), editable={"secretariat": {"own", "foreign"}},
    list_page=ListPage("/countries/", rows="countries", max_queries=1), list_api=ListApi("/countries"),
    detail_page=lambda country: f"/countries/{country.iso3}/", detail_api=country_path,
    writes=(
        Write("create", "api", "/countries", scope=FOREIGN,
              data={"iso3": "XTS", "name": "Testland", "joined_on": "2030-01-01"},
              stored={"iso3": "XTS", "name": "Testland", "joined_on": dt.date(2030, 1, 1), "nr_agency": ""},
              returns={"iso3": "XTS", "name": "Testland", "city_count": 0}),
        Write("update", "api", country_path, scope=FOREIGN, data={"nr_agency": "Ministry of Tests"},
              stored={"nr_agency": "Ministry of Tests"}, changes={"nr_agency": ["", "Ministry of Tests"]},
              returns={"nr_agency": "Ministry of Tests", "city_count": 0}),
        Write("delete", "api", country_path, scope=FOREIGN),
    ),
)
globals().update(standard_tests(COUNTRY))


# --- Offices (terms of office) ------------------------------------------------------------------------------


def make_term(scope: Scope, n: int) -> RoleTerm:
    """A new alternate National Representative's term in the scope's country."""
    number = next(NUMBERS)
    person = Person.objects.create(key=f"zeta-{number}", position="Adviser", agency=f"Zeta agency {number}")
    return RoleTerm.objects.create(person=person, role="nr_alternate", country=Country.objects.get(iso3=scope.country))


def office_form(term: RoleTerm, **changes: str) -> dict[str, str]:
    """The term's edit form as posted, with `changes`."""
    person = term.person
    return {"position": person.position, "agency": person.agency, "name": person.name, "email": person.email,
            "phone": person.phone, "starts_on": str(term.starts_on or ""), "ends_on": str(term.ends_on or ""),
            **changes}


def office_path(term: RoleTerm) -> str:
    return f"/roles/{term.pk}"


def office_edit(term: RoleTerm) -> str:
    return f"/workspace/offices/{term.pk}/"


def hanoi_csco_alternate(scope: Scope) -> dict[str, object]:
    return {"role": "csco_alternate", "city": City.objects.get(slug="ha-noi").pk, "position": "Director",
            "agency": "Ha Noi Department of Science", "email": "dost@example.invalid", "starts_on": "2026-03-01"}


NOT_MAINTAINERS = {"none": 404, "partner": 404, "csco": 404}  # the page looks the term up among the user's own

OFFICE = ModelCase(
    name="office", model=RoleTerm, key="id", missing=0, make=make_term, scopes=(OWN, FOREIGN),
    visible=every_role("own", "foreign"), editable={"nr": {"own"}, "secretariat": {"own", "foreign"}},
    list_api=ListApi("/roles"),
    list_page=ListPage("/workspace/offices/", rows="terms", shows="editable", role="secretariat", max_queries=6,
                       refused={"anonymous": 302, "none": 403, "partner": 403, "csco": 403}),
    tables=(Person,),
    writes=(
        Write("create", "api", "/roles", scope=OWN, allowed={"secretariat", "nr"}, data={
            "role": "csco_alternate", "city": "ho-chi-minh-city", "position": "Director",
            "agency": "Department of Science and Technology", "email": "dost@example.invalid",
            "starts_on": "2026-03-01"},
            stored={"role": "csco_alternate", "country__iso3": "VNM", "city__slug": "ho-chi-minh-city",
                    "person__position": "Director", "person__agency": "Department of Science and Technology",
                    "person__email": "dost@example.invalid", "starts_on": dt.date(2026, 3, 1), "ends_on": None},
            returns={"country": "VNM", "city": "ho-chi-minh-city", "email": "dost@example.invalid"}),
        Write("create", "api", "/roles", scope=FOREIGN,
              data={"role": "nr_alternate", "country": "THA", "agency": "Digital Economy Promotion Agency"},
              stored={"role": "nr_alternate", "country__iso3": "THA", "city": None,
                      "person__agency": "Digital Economy Promotion Agency"},
              returns={"country": "THA", "city": None, "agency": "Digital Economy Promotion Agency"}),
        Write("update", "api", office_path, scope=OWN, data={"ends_on": "2027-01-01"}, allowed={"secretariat", "nr"},
              stored={"ends_on": dt.date(2027, 1, 1)}, changes={"ends_on": [None, "2027-01-01"]},
              returns={"ends_on": "2027-01-01"}),
        Write("update", "api", office_path, scope=FOREIGN, data={"source": "checked 2026"},
              stored={"source": "checked 2026"}, changes={"source": ["", "checked 2026"]}),
        Write("delete", "api", office_path, scope=OWN, allowed={"secretariat", "nr"}),
        Write("create", "page", "/workspace/offices/", scope=SAME_COUNTRY, data=hanoi_csco_alternate,
              allowed={"secretariat", "nr"},
              stored={"role": "csco_alternate", "country__iso3": "VNM", "city__slug": "ha-noi",
                      "person__agency": "Ha Noi Department of Science", "person__email": "dost@example.invalid",
                      "starts_on": dt.date(2026, 3, 1)}),
        Write("update", "page", office_edit, scope=OWN, data=lambda term: office_form(term, ends_on="2026-06-30"),
              allowed={"secretariat", "nr"}, refused=NOT_MAINTAINERS, stored={"ends_on": dt.date(2026, 6, 30)},
              changes={"ends_on": [None, "2026-06-30"]}),
        Write("update", "page", office_edit, scope=FOREIGN, data=lambda term: office_form(term, starts_on="2025-01-01"),
              refused={**NOT_MAINTAINERS, "nr": 404}, stored={"starts_on": dt.date(2025, 1, 1)},
              changes={"starts_on": [None, "2025-01-01"]}),
    ),
)
globals().update(standard_tests(OFFICE))


# --- Partner organisations ----------------------------------------------------------------------------------


def make_partner(scope: Scope, n: int) -> Partner:
    if n == 0:
        Partner.objects.filter(slug=scope.partner).update(is_published=scope.published)
        return Partner.objects.get(slug=scope.partner)
    number = next(NUMBERS)
    return Partner.objects.create(slug=f"zeta-{number}", name=f"Zeta {number}", kind="agency",
                                  is_published=scope.published)


PARTNER = ModelCase(
    name="partner", model=Partner, key="slug", make=make_partner, scopes=(OWN_DRAFT, FOREIGN, FOREIGN_DRAFT),
    visible={**every_role("foreign"), "partner": {"own_draft", "foreign"},
             "secretariat": {"own_draft", "foreign", "foreign_draft"}},
    editable={"partner": {"own_draft"}, "secretariat": {"own_draft", "foreign", "foreign_draft"}},
)
globals().update(standard_tests(PARTNER))
