"""The shared test bases (ascn.core.testing.bases): which tests a case gives, and that each generated check
fails when the declaration is wrong (a wrong expectation must never pass quietly)."""

import itertools
from decimal import Decimal

import pytest

from ascn.core.testing.bases import (
    FOREIGN,
    FOREIGN_DRAFT,
    OWN,
    OWN_DRAFT,
    ROLES,
    SAME_COUNTRY,
    ListApi,
    ListPage,
    ModelCase,
    Scope,
    Write,
    every_role,
    standard_tests,
)
from ascn.network.models import City, Country, Partner

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count()
EVERY_CITY = {"own", "same_country", "foreign"}


def make_city(scope: Scope, n: int) -> City:
    if n == 0 and scope.city:
        return City.objects.get(slug=scope.city)
    number = next(NUMBERS)
    return City.objects.create(slug=f"bases-{number}", name=f"Bases {number}",
                               country=Country.objects.get(iso3=scope.country), latitude=Decimal("1.0000"),
                               longitude=Decimal("100.0000"))


def make_partner(scope: Scope, n: int) -> Partner:
    Partner.objects.filter(slug=scope.partner).update(is_published=scope.published)
    return Partner.objects.get(slug=scope.partner)


def city_case(**changes) -> ModelCase:
    """The cities as they are, with `changes` to the declaration."""
    declared = {
        "name": "city", "model": City, "key": "slug", "make": make_city, "scopes": (OWN, SAME_COUNTRY, FOREIGN),
        "visible": every_role(*EVERY_CITY),
        "editable": {"csco": {"own"}, "nr": {"own", "same_country"}, "secretariat": EVERY_CITY},
        **changes,
    }
    return ModelCase(**declared)


def partner_case(**changes) -> ModelCase:
    declared = {
        "name": "partner", "model": Partner, "key": "slug", "make": make_partner,
        "scopes": (OWN_DRAFT, FOREIGN, FOREIGN_DRAFT),
        "visible": {**every_role("foreign"), "partner": {"own_draft", "foreign"},
                    "secretariat": {"own_draft", "foreign", "foreign_draft"}},
        "editable": {"partner": {"own_draft"}, "secretariat": {"own_draft", "foreign", "foreign_draft"}},
        **changes,
    }
    return ModelCase(**declared)


def city_path(city: City) -> str:
    return f"/cities/{city.slug}"


RENAME_OWN = Write("update", "api", city_path, scope=OWN, data={"local_name": "TP Đà Nẵng"},
                   allowed={"secretariat", "nr", "csco"}, stored={"local_name": "TP Đà Nẵng"},
                   changes={"local_name": ["Đà Nẵng", "TP Đà Nẵng"]})


def only_test(case: ModelCase, suffix: str):
    return standard_tests(case)[f"test_{case.name}_{suffix}"]


# --- What a case gives ---------------------------------------------------------------------------------------


def test_a_case_without_channels_gives_only_the_matrix():
    assert list(standard_tests(partner_case())) == ["test_partner_matrix"]


def test_a_case_gives_one_test_per_declared_channel_and_write():
    case = city_case(list_page=ListPage("/cities/", per_page=25), list_api=ListApi("/cities"),
                     detail_page=lambda city: f"/cities/{city.slug}/", detail_api=city_path,
                     writes=(RENAME_OWN, Write("delete", "api", city_path, scope=Scope("new", country="VNM"))))
    assert sorted(standard_tests(case)) == [
        "test_city_api_delete_new", "test_city_api_update_own", "test_city_detail_api", "test_city_detail_page",
        "test_city_list_api", "test_city_list_api_pages", "test_city_list_api_queries", "test_city_list_page",
        "test_city_list_page_pagination", "test_city_list_page_queries", "test_city_matrix",
    ]


def test_an_unpaginated_list_page_has_no_pagination_test_and_a_case_without_api_no_api_test():
    tests = standard_tests(city_case(list_page=ListPage("/countries/", rows="countries")))
    assert sorted(tests) == ["test_city_list_page", "test_city_list_page_queries", "test_city_matrix"]


def test_role_tests_run_for_every_role_and_all_use_the_database():
    tests = standard_tests(city_case(list_api=ListApi("/cities"), writes=(RENAME_OWN,)))
    marks = {name: {mark.name: mark.args for mark in test.pytestmark} for name, test in tests.items()}
    assert all("django_db" in found for found in marks.values())
    by_role = {name for name, found in marks.items() if found.get("parametrize") == ("role", list(ROLES))}
    assert by_role == {"test_city_matrix", "test_city_list_api", "test_city_api_update_own"}
    assert tests["test_city_matrix"].__doc__.startswith("City: for each role, the permission layer")


def test_a_declaration_with_a_typo_is_refused():
    with pytest.raises(ValueError, match="unknown role 'csc'"):
        city_case(editable={"csc": {"own"}})
    with pytest.raises(ValueError, match=r"unknown scopes \['owm'\]"):
        city_case(visible={"nr": {"owm"}})
    with pytest.raises(ValueError, match=r"unknown roles \['admin'\]"):
        city_case(writes=(Write("update", "api", city_path, allowed={"admin"}),))
    with pytest.raises(ValueError, match="two writes have the same name"):
        city_case(writes=(RENAME_OWN, RENAME_OWN))


# --- A right declaration passes, a wrong one fails -----------------------------------------------------------


def test_the_matrix_passes_as_declared_and_fails_on_a_wrong_expectation(accounts):
    for role in ROLES:
        only_test(partner_case(), "matrix")(role=role, accounts=accounts)
    leaky = partner_case(visible={**every_role("foreign", "own_draft"), "secretariat": {"own_draft", "foreign",
                                                                                        "foreign_draft"}})
    with pytest.raises(AssertionError):
        only_test(leaky, "matrix")(role="anonymous", accounts=accounts)
    too_generous = partner_case(editable={"partner": {"own_draft", "foreign"}, "secretariat": set()})
    with pytest.raises(AssertionError):
        only_test(too_generous, "matrix")(role="partner", accounts=accounts)


def test_list_checks_fail_when_a_role_is_said_to_see_less_than_it_is_shown(accounts, client, api, api_as):
    hidden = city_case(visible={**every_role(*EVERY_CITY), "none": {"own"}},
                       list_page=ListPage("/cities/", per_page=25), list_api=ListApi("/cities"))
    with pytest.raises(AssertionError):
        only_test(hidden, "list_page")(role="none", accounts=accounts, client=client)
    with pytest.raises(AssertionError):
        only_test(hidden, "list_api")(role="none", accounts=accounts, api=api, api_as=api_as)


def test_a_list_page_said_to_turn_a_role_away_fails_when_it_does_not(accounts, client):
    case = city_case(list_page=ListPage("/cities/", per_page=25, refused={"partner": 403}))
    with pytest.raises(AssertionError):
        only_test(case, "list_page")(role="partner", accounts=accounts, client=client)


def test_query_counts_fail_above_the_ceiling(accounts, client, api, api_as):
    tight = city_case(list_page=ListPage("/cities/", per_page=25, max_queries=1), list_api=ListApi("/cities",
                                                                                                   max_queries=1))
    with pytest.raises(AssertionError):
        only_test(tight, "list_api_queries")(accounts=accounts, api=api, api_as=api_as)
    with pytest.raises(AssertionError):
        only_test(tight, "list_page_queries")(accounts=accounts, client=client)


def test_pagination_fails_on_a_wrong_page_size(accounts, client):
    with pytest.raises(AssertionError):
        only_test(city_case(list_page=ListPage("/cities/", per_page=20)), "list_page_pagination")(
            accounts=accounts, client=client)


def test_detail_checks_fail_when_a_visible_row_is_said_to_be_hidden(accounts, client, api, api_as):
    hidden = city_case(visible={**every_role(*EVERY_CITY), "anonymous": {"own", "same_country"}},
                       detail_page=lambda city: f"/cities/{city.slug}/", detail_api=city_path)
    with pytest.raises(AssertionError):
        only_test(hidden, "detail_page")(role="anonymous", accounts=accounts, client=client)
    with pytest.raises(AssertionError):
        only_test(hidden, "detail_api")(role="anonymous", accounts=accounts, api=api, api_as=api_as)


def test_a_write_passes_as_declared(accounts, client, api, api_as):
    test = only_test(city_case(writes=(RENAME_OWN,)), "api_update_own")
    test(role="csco", accounts=accounts, client=client, api=api, api_as=api_as)
    test(role="partner", accounts=accounts, client=client, api=api, api_as=api_as)


@pytest.mark.parametrize("wrong", [
    {"allowed": {"secretariat", "nr"}},                                # the CSCO is in fact allowed
    {"stored": {"local_name": "Đà Nẵng"}},                             # not the value stored
    {"changes": {"local_name": ["Da Nang", "TP Đà Nẵng"]}},            # not the change recorded
    {"returns": {"local_name": "Đà Nẵng"}},                            # not the value answered
])
def test_a_write_fails_on_a_wrong_expectation_of_the_allowed_role(wrong, accounts, client, api, api_as):
    declared = {"action": "update", "channel": "api", "url": city_path, "scope": OWN,
                "data": {"local_name": "TP Đà Nẵng"}, "allowed": {"secretariat", "nr", "csco"},
                "stored": {"local_name": "TP Đà Nẵng"}, "changes": {"local_name": ["Đà Nẵng", "TP Đà Nẵng"]}}
    test = only_test(city_case(writes=(Write(**{**declared, **wrong}),)), "api_update_own")
    with pytest.raises(AssertionError):
        test(role="csco", accounts=accounts, client=client, api=api, api_as=api_as)


def test_a_refused_write_fails_on_a_wrong_status(accounts, client, api, api_as):
    wrong = Write("update", "page", lambda city: f"/cities/{city.slug}/edit/", scope=OWN,
                  data={"name": "X", "latitude": "1", "longitude": "1"}, refused={"partner": 404})
    with pytest.raises(AssertionError):
        only_test(city_case(writes=(wrong,)), "page_update_own")(
            role="partner", accounts=accounts, client=client, api=api, api_as=api_as)


def test_a_write_that_is_answered_as_declared_but_changes_something_fails(accounts, client, api, api_as):
    """The snapshot, not the status, catches a write that went through: here the NR is declared refused with
    the 200 it really gets, so only the comparison of the rows before and after can fail."""
    sneaky = Write("update", "api", city_path, scope=OWN, data={"local_name": "TP Đà Nẵng"}, refused={"nr": 200})
    with pytest.raises(AssertionError, match="a refused write changed something"):
        only_test(city_case(writes=(sneaky,)), "api_update_own")(
            role="nr", accounts=accounts, client=client, api=api, api_as=api_as)


def test_a_create_fails_when_a_refused_role_is_said_to_be_allowed(accounts, client, api, api_as):
    refused_create = Write("create", "api", "/cities", scope=OWN, allowed={"secretariat", "csco"},
                           data={"name": "Hoi An", "country": "VNM", "latitude": "15.8801", "longitude": "108.3380"},
                           stored={"slug": "hoi-an"})
    test = only_test(city_case(writes=(refused_create,)), "api_create_own")
    test(role="secretariat", accounts=accounts, client=client, api=api, api_as=api_as)
    with pytest.raises(AssertionError):
        test(role="csco", accounts=accounts, client=client, api=api, api_as=api_as)
    assert list(City.objects.filter(slug="hoi-an").values_list("country__iso3", flat=True)) == ["VNM"]


def test_standard_scopes_name_the_accounts_scope():
    assert (OWN.country, OWN.city, OWN.partner, OWN.published) == ("VNM", "da-nang", "jica", True)
    assert (OWN_DRAFT.published, FOREIGN_DRAFT.published) == (False, False)
    assert {SAME_COUNTRY.country, FOREIGN.country} == {"VNM", "THA"}
