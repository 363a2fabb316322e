"""The permission matrix: for each role, what it sees and edits, and that denied writes change nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from ascn.core.models import AuditEntry
from ascn.network import actions
from ascn.network.models import City, CityMembership, Country, Partner, RoleTerm

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "none", "partner", "csco", "nr", "secretariat"]


def who(accounts, role):
    return AnonymousUser() if role == "anonymous" else accounts[role]


@pytest.mark.parametrize(("role", "visible", "editable"), [
    ("anonymous", 38, set()),
    ("none", 38, set()),
    ("partner", 38, set()),
    ("csco", 38, {"da-nang"}),
    ("nr", 38, {"da-nang", "ha-noi", "ho-chi-minh-city"}),
    ("secretariat", 38, None),
])
def test_city_matrix(accounts, role, visible, editable):
    user = who(accounts, role)
    assert City.objects.visible_to(user).count() == visible
    slugs = set(City.objects.editable_by(user).values_list("slug", flat=True))
    assert slugs == (set(City.objects.values_list("slug", flat=True)) if editable is None else editable)


@pytest.mark.parametrize(("role", "editable"), [
    ("anonymous", 0), ("none", 0), ("partner", 0), ("csco", 0), ("nr", 0), ("secretariat", 11),
])
def test_country_matrix(accounts, role, editable):
    user = who(accounts, role)
    assert Country.objects.visible_to(user).count() == 11
    assert Country.objects.editable_by(user).count() == editable


@pytest.mark.parametrize(("role", "editable"), [
    ("anonymous", 0), ("none", 0), ("partner", 0), ("csco", 0), ("nr", 4), ("secretariat", 50),
])
def test_office_matrix(accounts, role, editable):
    """NRs maintain their own country's offices (its NR and its cities' CSCOs); CSCOs do not."""
    user = who(accounts, role)
    assert RoleTerm.objects.visible_to(user).count() == 50
    editable_terms = RoleTerm.objects.editable_by(user)
    assert editable_terms.count() == editable
    if role == "nr":
        assert set(editable_terms.values_list("country__iso3", flat=True)) == {"VNM"}


@pytest.mark.parametrize(("role", "visible", "editable"), [
    ("anonymous", 25, 0), ("none", 25, 0), ("partner", 26, 1), ("csco", 25, 0), ("nr", 25, 0),
    ("secretariat", 26, 26),
])
def test_partner_matrix_with_an_unpublished_record(accounts, role, visible, editable):
    Partner.objects.filter(slug="jica").update(is_published=False)
    user = who(accounts, role)
    assert Partner.objects.visible_to(user).count() == visible
    assert Partner.objects.editable_by(user).count() == editable
    if role == "partner":
        assert list(Partner.objects.editable_by(user).values_list("slug", flat=True)) == ["jica"]


def test_memberships_are_for_the_secretariat_and_the_nr_of_the_country(accounts):
    bangkok, danang = City.objects.get(slug="bangkok"), City.objects.get(slug="da-nang")
    with pytest.raises(PermissionDenied):
        actions.add_membership(accounts["nr"], bangkok, {"joined_on": "2030-01-01"})
    with pytest.raises(PermissionDenied):
        actions.update_membership(accounts["csco"], danang.memberships.get(), {"left_on": "2030-01-01"})
    assert CityMembership.objects.filter(left_on__isnull=False).count() == 0
    assert CityMembership.objects.editable_by(accounts["nr"]).count() == 3
    assert CityMembership.objects.editable_by(accounts["csco"]).count() == 0
    actions.update_membership(accounts["nr"], danang.memberships.get(), {"left_on": "2030-01-01"})
    assert str(danang.memberships.get().left_on) == "2030-01-01"


def test_only_the_secretariat_removes_a_city(accounts):
    danang = City.objects.get(slug="da-nang")
    for role in ("csco", "nr"):
        with pytest.raises(PermissionDenied):
            actions.delete_city(accounts[role], danang)
    assert City.objects.filter(slug="da-nang").exists()


def snapshot():
    return (
        list(City.objects.order_by("pk").values()), list(Country.objects.order_by("pk").values()),
        list(RoleTerm.objects.order_by("pk").values()), AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("role", ["anonymous", "none", "partner", "csco", "nr"])
def test_denied_writes_change_nothing(accounts, role):
    user = who(accounts, role)
    before = snapshot()
    bangkok = City.objects.get(slug="bangkok")
    thailand = Country.objects.get(iso3="THA")
    attempts = [
        lambda: actions.update_city(user, bangkok, {"name": "Changed"}),
        lambda: actions.delete_city(user, bangkok),
        lambda: actions.create_city(user, {"name": "New", "country": thailand, "latitude": 1, "longitude": 1}),
        lambda: actions.update_country(user, thailand, {"name": "Changed"}),
        lambda: actions.delete_country(user, thailand),
        lambda: actions.create_country(user, {"iso3": "XXX", "name": "X", "joined_on": "2020-01-01"}),
        lambda: actions.create_role_term(user, {"agency": "X"}, {"role": "csco", "city": bangkok}),
        lambda: actions.delete_role_term(user, RoleTerm.objects.get(city=bangkok)),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert snapshot() == before


def test_city_officer_edits_own_city_only(accounts):
    csco = accounts["csco"]
    danang = City.objects.get(slug="da-nang")
    changes = actions.update_city(csco, danang, {"local_name": "TP Đà Nẵng"})
    assert changes == {"local_name": ["Đà Nẵng", "TP Đà Nẵng"]}
    entry = AuditEntry.objects.get(object_id=str(danang.pk), content_type__model="city", action="update")
    assert (entry.actor, entry.changes, entry.via) == (csco, {"local_name": ["Đà Nẵng", "TP Đà Nẵng"]}, "web")
    hanoi = City.objects.get(slug="ha-noi")
    with pytest.raises(PermissionDenied):
        actions.update_city(csco, hanoi, {"local_name": "x"})
    hanoi.refresh_from_db()
    assert hanoi.local_name == "Hà Nội"


def test_nr_cannot_move_a_city_to_another_country(accounts):
    danang = City.objects.get(slug="da-nang")
    with pytest.raises(PermissionDenied):
        actions.update_city(accounts["nr"], danang, {"country": Country.objects.get(iso3="THA")})
    danang.refresh_from_db()
    assert danang.country.iso3 == "VNM"


def test_an_inactive_account_is_the_public(accounts):
    secretariat = accounts["secretariat"]
    secretariat.is_active = False
    assert City.objects.editable_by(secretariat).count() == 0
