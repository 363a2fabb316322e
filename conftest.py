"""Shared test kit: a seeded database, one account per role, API helpers; and, as plugins, the kits under
ascn/core/testing/ (browser, shared reference files, PDF checks)."""

from __future__ import annotations

import pytest
from django.test import Client

from ascn.core import synthetic
from ascn.core.actions import create_api_token, seed_reference_data
from ascn.core.choices import Role

pytest_plugins = ["ascn.core.testing.browser", "ascn.core.testing.reference", "ascn.core.testing.pdf"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the reference data loaded once."""
    with django_db_blocker.unblock():
        seed_reference_data()
    # A fresh test database holds no synthetic (demo) records, so the site-wide notice needs no query per page;
    # the demo's actions forget this when they write (see ascn.core.synthetic).
    synthetic.assume(False)


@pytest.fixture(autouse=True)
def english_by_default():
    """Requests to /vi/ or /th/ leave their language active in the thread; start each test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


def make_user(username: str, role: str = "", **scope):
    from ascn.core.models import User
    from ascn.network.models import City, Country, Partner

    if "country" in scope and isinstance(scope["country"], str):
        scope["country"] = Country.objects.get(iso3=scope["country"])
    if "city" in scope and isinstance(scope["city"], str):
        scope["city"] = City.objects.get(slug=scope["city"])
    if "partner" in scope and isinstance(scope["partner"], str):
        scope["partner"] = Partner.objects.get(slug=scope["partner"])
    user = User(username=username, role=role, email=f"{username}@example.invalid",
                is_staff=role == Role.SECRETARIAT, **scope)
    user.set_password("pw-" + username)
    user.full_clean()
    user.save()
    return user


@pytest.fixture
def secretariat(db):
    return make_user("sec", Role.SECRETARIAT)


@pytest.fixture
def nr_vietnam(db):
    return make_user("nr-vn", Role.NATIONAL_REP, country="VNM")


@pytest.fixture
def nr_thailand(db):
    return make_user("nr-th", Role.NATIONAL_REP, country="THA")


@pytest.fixture
def csco_danang(db):
    return make_user("csco-dn", Role.CITY_OFFICER, city="da-nang")


@pytest.fixture
def partner_jica(db):
    return make_user("partner-jica", Role.PARTNER, partner="jica")


@pytest.fixture
def no_role_user(db):
    return make_user("plain")


@pytest.fixture
def accounts(secretariat, nr_vietnam, csco_danang, partner_jica, no_role_user):
    return {"secretariat": secretariat, "nr": nr_vietnam, "csco": csco_danang, "partner": partner_jica,
            "none": no_role_user}


class ApiClient:
    """A test client that speaks JSON to /api/v1/ with an optional bearer token."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, data=None):
        kwargs = {"headers": self.headers}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path: str):
        return self._call("get", path)

    def post(self, path: str, data: dict):
        return self._call("post", path, data)

    def put(self, path: str, data: dict):
        return self._call("put", path, data)

    def patch(self, path: str, data: dict):
        return self._call("patch", path, data)

    def delete(self, path: str):
        return self._call("delete", path)


@pytest.fixture
def api():
    return ApiClient()


@pytest.fixture
def api_as():
    """api_as(user) -> an ApiClient authenticated with a fresh token of `user`."""

    def build(user) -> ApiClient:
        _token, secret = create_api_token(user, "test token", via="test")
        return ApiClient(secret)

    return build
