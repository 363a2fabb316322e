"""Standard tests for a model, declared once (in the spirit of NetBox's ViewTestCases and APIViewTestCases).

A test module describes its model with a `ModelCase` and takes the tests it gives:

    CITY = ModelCase(
        name="city", model=City, key="slug", make=make_city, scopes=(OWN, SAME_COUNTRY, FOREIGN),
        visible=every_role("own", "same_country", "foreign"),
        editable={"csco": {"own"}, "nr": {"own", "same_country"}, "secretariat": {"own", "same_country", "foreign"}},
        list_api=ListApi("/cities"), detail_api=lambda city: f"/cities/{city.slug}",
        writes=(Write("update", "api", lambda city: f"/cities/{city.slug}", scope=OWN, data={"name": "X"},
                      allowed={"secretariat", "nr", "csco"}, stored={"name": "X"}),),
    )
    globals().update(standard_tests(CITY))   # test_city_matrix, test_city_list_api, ...

Roles are the keys of the root conftest's `accounts` fixture (the Secretariat, the National Representative
of Viet Nam, the CSCO of Da Nang, a JICA partner, an account without a role) and "anonymous", the public.
The case's factory makes rows in named `Scope`s relative to those accounts; the expectations name, for each
role, the scopes whose rows it sees and edits (a role left out sees or edits none of them).

Tests are generated only for what the case declares (no list API, no list API tests), so none is ever
skipped. Each generated test's docstring says what it proves; the generators are public for a module that
wants only some of them. Page tests use pytest-django's `client`; API tests the root conftest's `api` and
`api_as`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page
from django.db import connection, models
from django.db.models import Max
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext

from ascn.core.models import AuditEntry

if TYPE_CHECKING:
    from django.test import Client

    from ascn.core.permissions import Actor

M = TypeVar("M", bound=models.Model)
TestFunction = Callable[..., None]
Response = Any  # the test client's response (its type in django-stubs is private)

ROLES: tuple[str, ...] = ("anonymous", "none", "partner", "csco", "nr", "secretariat")
"""Every role a standard test is run as: the public, then the keys of the `accounts` fixture."""


@dataclass(frozen=True)
class Scope:
    """Where a test row is made, relative to the role accounts: a country (ISO3), a city (slug), a partner
    organisation (slug) and whether the row is published. A factory uses what its model is scoped by."""

    name: str
    country: str = ""
    city: str = ""
    partner: str = ""
    published: bool = True


OWN = Scope("own", country="VNM", city="da-nang", partner="jica")
"""The scope of the accounts: Viet Nam (the NR), Da Nang (the CSCO), JICA (the partner)."""
OWN_DRAFT = Scope("own_draft", country="VNM", city="da-nang", partner="jica", published=False)
SAME_COUNTRY = Scope("same_country", country="VNM", city="ha-noi", partner="adb")
"""The NR's country, but another city and another organisation."""
FOREIGN = Scope("foreign", country="THA", city="bangkok", partner="adb")
"""Nobody's scope but the Secretariat's."""
FOREIGN_DRAFT = Scope("foreign_draft", country="THA", city="bangkok", partner="undp", published=False)


def every_role(*scopes: str) -> dict[str, frozenset[str]]:
    """The same expectation for every role, e.g. `visible=every_role("own", "foreign")` for public rows."""
    return {role: frozenset(scopes) for role in ROLES}


@dataclass(frozen=True)
class ListPage:
    """A server-rendered list of the model's rows.

    rows: the context variable holding them, a Paginator `Page` (walked with `?page=`) or any iterable.
    per_page: the size of a full page, for paginated lists (then the pagination test is generated).
    shows: whether the page lists the rows the user sees ("visible") or may change ("editable").
    refused: roles the page turns away, with the status (302: sent to log in).
    role: who lists rows in the pagination and query-count tests (their extra rows are made in the case's
    first scope, so that scope must be within what this role is shown).
    """

    url: str
    rows: str = "page"
    per_page: int | None = None
    shows: Literal["visible", "editable"] = "visible"
    refused: Mapping[str, int] = field(default_factory=dict)
    max_queries: int = 10
    role: str = "anonymous"


@dataclass(frozen=True)
class ListApi:
    """A list endpoint (`{"items": [...], "count": N}`, `limit`/`offset`), e.g. "/cities" under /api/v1.
    Items carry the case's `key`. `role` lists rows in the query-count test (anonymous: no token lookups)."""

    path: str
    max_queries: int = 2
    role: str = "anonymous"


Action = Literal["create", "update", "delete"]
Channel = Literal["page", "api"]
OK_STATUS: dict[tuple[Channel, Action], int] = {
    ("api", "create"): 201, ("api", "update"): 200, ("api", "delete"): 204,
    ("page", "create"): 302, ("page", "update"): 302, ("page", "delete"): 302,
}
API_METHODS: dict[Action, str] = {"create": "post", "update": "patch", "delete": "delete"}


@dataclass(frozen=True)
class Write:
    """One way to create, change or delete a row: a page's form (POST) or an API call (POST, PATCH, DELETE).

    url: a path, or for update and delete a function of the row (`make(scope, 0)`) returning it.
    data: the form or JSON body; or a function of the row (update, delete) or of the scope (create).
    allowed: the roles that succeed; every other role in `roles` is refused and changes nothing.
    stored: the exact values afterwards of these lookups on the row (e.g. "country__iso3").
    changes: the exact `changes` of the audit entry, when given.
    returns: exact values of these keys in the API's JSON answer.
    refused: a denied role's status where it is not the channel's default (403; the public: 401 from the API,
    sent to log in by a page), e.g. 404 where a page looks the row up among those the user may change.
    """

    action: Action
    channel: Channel
    url: str | Callable[[Any], str]
    scope: Scope = OWN
    data: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] = field(default_factory=dict)
    allowed: Collection[str] = ("secretariat",)
    stored: Mapping[str, Any] = field(default_factory=dict)
    changes: Mapping[str, Any] | None = None
    returns: Mapping[str, Any] = field(default_factory=dict)
    refused: Mapping[str, int] = field(default_factory=dict)
    roles: Collection[str] = ROLES
    name: str = ""

    @property
    def test_name(self) -> str:
        return self.name or f"{self.channel}_{self.action}_{self.scope.name}"

    def denied_status(self, role: str) -> int:
        if role in self.refused:
            return self.refused[role]
        if role == "anonymous":
            return 401 if self.channel == "api" else 302
        return 403


@dataclass(frozen=True)
class ModelCase(Generic[M]):
    """Everything the standard tests need to know about one model.

    make(scope, n): a saved row in `scope`. `n == 0` is the scope's row in the matrix, detail and write tests
    (it may be a seeded row: the CSCO's own city is Da Nang); every `n >= 1` must be a new row (the
    pagination and query-count tests make many).
    scopes: the rows of the matrix, one per scope (distinct rows).
    visible / editable: per role, the names of the scopes whose rows it sees / may change.
    key: the field that addresses a row in URLs and in API items; `missing` a value addressing none.
    tables: other tables a write touches, compared (with the model's own and the audit trail) after a denied
    write.
    """

    name: str
    model: type[M]
    make: Callable[[Scope, int], M]
    scopes: tuple[Scope, ...]
    visible: Mapping[str, Collection[str]]
    editable: Mapping[str, Collection[str]]
    key: str = "pk"
    missing: Any = "no-such-row"
    list_page: ListPage | None = None
    list_api: ListApi | None = None
    detail_page: Callable[[M], str] | None = None
    detail_api: Callable[[M], str] | None = None
    writes: tuple[Write, ...] = ()
    tables: tuple[type[models.Model], ...] = ()

    def __post_init__(self) -> None:
        """Refuse typos, which would otherwise make a generated test check less than it seems to."""
        names = {scope.name for scope in self.scopes}
        if len(names) != len(self.scopes):
            raise ValueError(f"{self.name}: two scopes have the same name")
        for label, expectation in (("visible", self.visible), ("editable", self.editable)):
            for role, scopes in expectation.items():
                if role not in ROLES:
                    raise ValueError(f"{self.name}.{label}: unknown role {role!r} (roles: {', '.join(ROLES)})")
                if unknown := set(scopes) - names:
                    raise ValueError(f"{self.name}.{label}[{role!r}]: unknown scopes {sorted(unknown)}")
        roles = [listing.role for listing in (self.list_page, self.list_api) if listing is not None]
        roles += [role for write in self.writes for role in (*write.allowed, *write.roles, *write.refused)]
        if unknown_roles := set(roles) - set(ROLES):
            raise ValueError(f"{self.name}: unknown roles {sorted(unknown_roles)}")
        if len({write.test_name for write in self.writes}) != len(self.writes):
            raise ValueError(f"{self.name}: two writes have the same name; give them a `name`")

    def rows(self) -> dict[str, M]:
        """One row per scope (`make(scope, 0)`), by scope name."""
        rows = {scope.name: self.make(scope, 0) for scope in self.scopes}
        assert len({row.pk for row in rows.values()}) == len(rows), f"{self.name}: the scopes' rows are not distinct"
        return rows

    def key_of(self, row: models.Model) -> Any:
        return getattr(row, self.key)

    def expected(self, expectation: Mapping[str, Collection[str]], role: str) -> set[str]:
        return set(expectation.get(role, ()))

    def manager(self) -> models.Manager[M]:
        return self.model._default_manager

    def scoped(self, user: Actor, shows: Literal["visible", "editable"] = "visible") -> models.QuerySet[M]:
        """The rows the permission layer gives `user`."""
        rows: Any = self.manager().all()
        return rows.visible_to(user) if shows == "visible" else rows.editable_by(user)


# --- Helpers shared by the generated tests -------------------------------------------------------------


def who(accounts: Mapping[str, Any], role: str) -> Actor:
    """The account of `role` from the `accounts` fixture, or AnonymousUser for "anonymous"."""
    return AnonymousUser() if role == "anonymous" else accounts[role]


def signed_in(client: Client, accounts: Mapping[str, Any], role: str) -> Client:
    """The test client signed in as `role` (signed out for the public)."""
    if role == "anonymous":
        client.logout()
    else:
        client.force_login(accounts[role])
    return client


def api_for(api: Any, api_as: Callable[[Any], Any], accounts: Mapping[str, Any], role: str) -> Any:
    """An API client acting as `role`: the anonymous one, or one with a fresh token of the account."""
    return api if role == "anonymous" else api_as(accounts[role])


def snapshot(tables: Iterable[type[models.Model]]) -> list[Any]:
    """Every row of `tables` and the ids of the audit entries: equal before and after means nothing changed."""
    rows: list[Any] = [list(model._default_manager.order_by("pk").values()) for model in tables]
    return [*rows, list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True))]


def count_queries(call: Callable[[], Response]) -> tuple[int, Response]:
    """The queries of `call()`, run once before to warm up what a first request does once (sessions, caches)."""
    call()
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return len(queries), response


def with_query(path: str, **params: Any) -> str:
    return path + ("&" if "?" in path else "?") + "&".join(f"{name}={value}" for name, value in params.items())


def page_rows(client: Client, listing: ListPage) -> list[Any]:
    """Every row the list page shows, walking `?page=` while a paginated page has a next one."""
    response = client.get(listing.url)
    assert response.status_code == 200, (listing.url, response.status_code)
    shown = response.context[listing.rows]
    if not isinstance(shown, Page):
        return list(shown)
    rows = list(shown.object_list)
    while shown.has_next():
        response = client.get(listing.url, {"page": shown.next_page_number()})
        assert response.status_code == 200, (listing.url, response.status_code)
        shown = response.context[listing.rows]
        rows += shown.object_list
    return rows


def api_items(caller: Any, path: str, limit: int = 500) -> list[dict[str, Any]]:
    """Every item of a list endpoint, walking `limit`/`offset`; each answer must be `{"items", "count"}`
    with the same count, and the items must add up to it."""
    items: list[dict[str, Any]] = []
    counts = set()
    while True:
        response = caller.get(with_query(path, limit=limit, offset=len(items)))
        assert response.status_code == 200, (path, response.status_code, response.json())
        body = response.json()
        assert set(body) == {"items", "count"}, body
        counts.add(body["count"])
        items += body["items"]
        if not body["items"] or len(items) >= body["count"]:
            break
    assert counts == {len(items)}, (path, counts, len(items))
    return items


def shown_scopes(case: ModelCase[Any], rows: Mapping[str, models.Model], keys: Iterable[Any]) -> set[str]:
    """The names of the scopes whose row is among `keys`."""
    found = set(keys)
    return {name for name, row in rows.items() if case.key_of(row) in found}


def assert_sent_to_log_in(response: Response) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL)), response["Location"]


def _named(doc: str, test: TestFunction, roles: Collection[str] | None = None) -> TestFunction:
    """`test` with its docstring, the database, and parametrised over `roles` when given."""
    test.__doc__ = doc
    marked = pytest.mark.django_db(test)
    return pytest.mark.parametrize("role", list(roles))(marked) if roles is not None else marked


# --- The matrix ------------------------------------------------------------------------------------------


def matrix_test(case: ModelCase[Any]) -> TestFunction:
    def test(role: str, accounts: Mapping[str, Any]) -> None:
        rows = case.rows()
        user = who(accounts, role)
        names = {row.pk: name for name, row in rows.items()}
        pks = list(names)
        seen = {names[pk] for pk in case.scoped(user, "visible").filter(pk__in=pks).values_list("pk", flat=True)}
        changed = {names[pk] for pk in case.scoped(user, "editable").filter(pk__in=pks).values_list("pk", flat=True)}
        assert {"visible": seen, "editable": changed} == {
            "visible": case.expected(case.visible, role), "editable": case.expected(case.editable, role)}

    return _named(f"{case.model.__name__}: for each role, the permission layer (`visible_to`, "
                  "`editable_by`) gives exactly the rows of the scopes the case expects.", test, ROLES)


# --- List pages ------------------------------------------------------------------------------------------


def list_page_tests(case: ModelCase[Any], listing: ListPage) -> dict[str, TestFunction]:
    label = case.model.__name__

    def rows_test(role: str, accounts: Mapping[str, Any], client: Client) -> None:
        rows = case.rows()
        signed_in(client, accounts, role)
        if role in listing.refused:
            response = client.get(listing.url)
            if listing.refused[role] == 302:
                assert_sent_to_log_in(response)
            else:
                assert response.status_code == listing.refused[role]
            return
        shown = [case.key_of(row) for row in page_rows(client, listing)]
        assert len(shown) == len(set(shown)), "a row is listed twice"
        expectation = case.visible if listing.shows == "visible" else case.editable
        assert shown_scopes(case, rows, shown) == case.expected(expectation, role)
        everything = {case.key_of(row) for row in case.scoped(who(accounts, role), listing.shows)}
        assert set(shown) == everything

    tests = {"list_page": _named(f"{label} list page {listing.url}: each role is shown exactly the "
                                 f"{listing.shows} rows of the permission layer, each once (the scopes' rows as "
                                 "expected), or is turned away as declared.", rows_test, ROLES)}

    if listing.per_page is not None:
        per_page = listing.per_page

        def fill(accounts: Mapping[str, Any]) -> int:
            """Make rows until the list's last page holds exactly one row, after at least one full page."""
            rows = case.scoped(who(accounts, listing.role), listing.shows)
            total = rows.count()
            extra = (1 - total) % per_page
            if total + extra == 1:
                extra += per_page
            for n in range(1, extra + 1):
                case.make(case.scopes[0], n)
            assert rows.count() == total + extra, f"the rows made in {case.scopes[0].name} are not listed"
            return total + extra

        def pagination_test(accounts: Mapping[str, Any], client: Client) -> None:
            total = fill(accounts)
            signed_in(client, accounts, listing.role)
            first = client.get(listing.url).context[listing.rows]
            last_number = (total - 1) // per_page + 1
            last = client.get(listing.url, {"page": last_number}).context[listing.rows]
            assert (first.paginator.count, len(first.object_list), last.number, len(last.object_list)) == (
                total, per_page, last_number, 1)
            shown = [case.key_of(row) for row in page_rows(client, listing)]
            assert len(shown) == len(set(shown)) == total

        def queries_test(accounts: Mapping[str, Any], client: Client) -> None:
            total = fill(accounts)
            signed_in(client, accounts, listing.role)
            full, full_page = count_queries(lambda: client.get(listing.url))
            single, single_page = count_queries(lambda: client.get(listing.url, {"page": (total - 1) // per_page + 1}))
            assert (len(full_page.context[listing.rows].object_list),
                    len(single_page.context[listing.rows].object_list)) == (per_page, 1)
            assert full == single <= listing.max_queries, (full, single, listing.max_queries)

        tests["list_page_pagination"] = _named(
            f"{label} list page {listing.url}: {per_page} rows a page, the count and the pages agree, and walking "
            "the pages shows every row once.", pagination_test)
    else:

        def queries_test(accounts: Mapping[str, Any], client: Client) -> None:
            signed_in(client, accounts, listing.role)
            before = len(page_rows(client, listing))
            fewer, _response = count_queries(lambda: client.get(listing.url))
            for n in range(1, 11):
                case.make(case.scopes[0], n)
            assert len(page_rows(client, listing)) == before + 10, f"rows made in {case.scopes[0].name} are not listed"
            more, _response = count_queries(lambda: client.get(listing.url))
            assert fewer == more <= listing.max_queries, (fewer, more, listing.max_queries)

    tests["list_page_queries"] = _named(
        f"{label} list page {listing.url}: no N+1, the same number of queries for a page of one row as for many, "
        f"at most {listing.max_queries}.", queries_test)
    return tests


# --- List endpoints --------------------------------------------------------------------------------------


def list_api_tests(case: ModelCase[Any], listing: ListApi) -> dict[str, TestFunction]:
    label = case.model.__name__

    def rows_test(role: str, accounts: Mapping[str, Any], api: Any, api_as: Callable[[Any], Any]) -> None:
        rows = case.rows()
        items = api_items(api_for(api, api_as, accounts, role), listing.path)
        shown = [item[case.key] for item in items]
        assert len(shown) == len(set(shown)), "an item is listed twice"
        assert shown_scopes(case, rows, shown) == case.expected(case.visible, role)
        assert set(shown) == {case.key_of(row) for row in case.scoped(who(accounts, role))}

    def pages_test(accounts: Mapping[str, Any], api: Any, api_as: Callable[[Any], Any]) -> None:
        case.rows()
        caller = api_for(api, api_as, accounts, listing.role)
        everything = api_items(caller, listing.path)
        assert len(everything) >= 3, "too few rows to page through"
        assert api_items(caller, listing.path, limit=2) == everything
        window = caller.get(with_query(listing.path, limit=2, offset=1)).json()
        assert window == {"items": everything[1:3], "count": len(everything)}
        beyond = caller.get(with_query(listing.path, limit=2, offset=len(everything))).json()
        assert beyond == {"items": [], "count": len(everything)}
        refused = caller.get(with_query(listing.path, limit=0))
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_input")

    def queries_test(accounts: Mapping[str, Any], api: Any, api_as: Callable[[Any], Any]) -> None:
        caller = api_for(api, api_as, accounts, listing.role)
        rows = case.scoped(who(accounts, listing.role))
        for n in range(1, max(0, 10 - rows.count()) + 1):
            case.make(case.scopes[0], n)
        total = rows.count()
        one, one_page = count_queries(lambda: caller.get(with_query(listing.path, limit=1)))
        many, many_page = count_queries(lambda: caller.get(with_query(listing.path, limit=total)))
        assert (len(one_page.json()["items"]), len(many_page.json()["items"])) == (1, total)
        assert one == many <= listing.max_queries, (one, many, listing.max_queries)

    return {
        "list_api": _named(f"{label} list endpoint {listing.path}: each role gets exactly the rows the "
                           "permission layer gives it, each once (the scopes' rows as expected), as "
                           '{"items": [...], "count": N}.', rows_test, ROLES),
        "list_api_pages": _named(f"{label} list endpoint {listing.path}: limit/offset pages add "
                                 "up to the whole list in order, the count stays the same, past the end is empty, "
                                 "and limit=0 is a 422.", pages_test),
        "list_api_queries": _named(f"{label} list endpoint {listing.path}: no N+1, the same "
                                   f"number of queries for 1 item as for all, at most {listing.max_queries}.",
                                   queries_test),
    }


# --- Detail page and endpoint ----------------------------------------------------------------------------


def detail_page_test(case: ModelCase[Any], url: Callable[[Any], str]) -> TestFunction:
    def test(role: str, accounts: Mapping[str, Any], client: Client) -> None:
        rows = case.rows()
        signed_in(client, accounts, role)
        statuses = {name: client.get(url(row)).status_code for name, row in rows.items()}
        visible = case.expected(case.visible, role)
        assert statuses == {name: 200 if name in visible else 404 for name in rows}
        assert client.get(url(case.model(**{case.key: case.missing}))).status_code == 404

    return _named(f"{case.model.__name__} detail page: 200 for a row the role sees, 404 for one it "
                  "does not, the same as for an address that names no row (drafts do not leak).", test, ROLES)


def detail_api_test(case: ModelCase[Any], path: Callable[[Any], str]) -> TestFunction:
    def test(role: str, accounts: Mapping[str, Any], api: Any, api_as: Callable[[Any], Any]) -> None:
        rows = case.rows()
        caller = api_for(api, api_as, accounts, role)
        answers = {name: caller.get(path(row)) for name, row in rows.items()}
        visible = case.expected(case.visible, role)
        got = {name: (r.status_code, r.json()[case.key] if r.status_code == 200 else r.json()["code"])
               for name, r in answers.items()}
        assert got == {name: (200, case.key_of(row)) if name in visible else (404, "not_found")
                       for name, row in rows.items()}
        missing = caller.get(path(case.model(**{case.key: case.missing})))
        assert (missing.status_code, missing.json()["code"]) == (404, "not_found")

    return _named(f"{case.model.__name__} detail endpoint: the row for a role that sees it, a 404 "
                  "`not_found` for one that does not, the same as for a key that names no row.", test, ROLES)


# --- Writes ----------------------------------------------------------------------------------------------


def write_test(case: ModelCase[Any], write: Write) -> TestFunction:
    ok = OK_STATUS[(write.channel, write.action)]
    via = "api" if write.channel == "api" else "web"

    def test(role: str, accounts: Mapping[str, Any], client: Client, api: Any,
             api_as: Callable[[Any], Any]) -> None:
        row = None if write.action == "create" else case.make(write.scope, 0)
        url = write.url if isinstance(write.url, str) else write.url(row)
        data = dict(write.data(row if row is not None else write.scope) if callable(write.data) else write.data)
        if write.channel == "api":
            caller = api_for(api, api_as, accounts, role)

            def send() -> Response:
                method = getattr(caller, API_METHODS[write.action])
                return method(url) if write.action == "delete" else method(url, data)
        else:
            signed_in(client, accounts, role)

            def send() -> Response:
                return client.post(url, data)

        tables = (case.model, *case.tables)
        before = snapshot(tables)
        if role in write.allowed:
            if write.channel == "page":
                assert client.get(url).status_code == 200, "the allowed role cannot open the form"
            before_pks = set(case.manager().values_list("pk", flat=True))
            last_entry = AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0
            response = send()
            assert response.status_code == ok, (response.status_code, getattr(response, "content", b"")[:500])
            if write.returns:
                body = response.json()
                assert {name: body.get(name) for name in write.returns} == dict(write.returns)
            if write.action == "create":
                new = list(case.manager().exclude(pk__in=before_pks).values_list("pk", flat=True))
                assert len(new) == 1, f"{len(new)} new rows instead of one"
                pk = new[0]
            else:
                assert row is not None
                pk = row.pk
            if write.action == "delete":
                assert not case.manager().filter(pk=pk).exists(), "the row is still there"
            else:
                stored = list(case.manager().filter(pk=pk).values(*write.stored))
                assert stored == [dict(write.stored)]
            entries = list(AuditEntry.objects.filter(
                pk__gt=last_entry, content_type=ContentType.objects.get_for_model(case.model), object_id=str(pk),
                action=write.action))
            assert [(entry.actor_id, entry.via) for entry in entries] == [(who(accounts, role).pk, via)]
            if write.changes is not None:
                assert entries[0].changes == dict(write.changes)
        else:
            status = write.denied_status(role)
            answers = [send()] if write.channel == "api" else [client.get(url), send()]
            for response in answers:
                if write.channel == "page" and status == 302:
                    assert_sent_to_log_in(response)
                else:
                    assert response.status_code == status, (response.status_code, status)
            assert snapshot(tables) == before, "a refused write changed something"

    allowed = ", ".join(sorted(write.allowed)) or "no role"
    return _named(f"{case.model.__name__}: {write.action} through the {write.channel} "
                  f"({write.scope.name} scope): {allowed} succeed, with exactly the declared stored values and one "
                  "audit entry of theirs; every other role is refused and nothing changes.", test, write.roles)


# --- Everything at once ----------------------------------------------------------------------------------


def standard_tests(case: ModelCase[Any]) -> dict[str, TestFunction]:
    """All the tests the case declares, named `test_<case.name>_<what>`: for `globals().update(...)`."""
    tests: dict[str, TestFunction] = {"matrix": matrix_test(case)}
    if case.list_page is not None:
        tests.update(list_page_tests(case, case.list_page))
    if case.list_api is not None:
        tests.update(list_api_tests(case, case.list_api))
    if case.detail_page is not None:
        tests["detail_page"] = detail_page_test(case, case.detail_page)
    if case.detail_api is not None:
        tests["detail_api"] = detail_api_test(case, case.detail_api)
    for write in case.writes:
        if write.test_name in tests:
            raise ValueError(f"{case.name}: the write name {write.test_name!r} is taken by a standard test")
        tests[write.test_name] = write_test(case, write)
    named = {}
    for what, test in tests.items():
        test.__name__ = test.__qualname__ = f"test_{case.name}_{what}"
        named[test.__name__] = test
    return named

