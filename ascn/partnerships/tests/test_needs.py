"""City needs: the standard tests of the needs a city states, the refusals of its actions, and the support
needs of published projects shown beside them (not copied).

A stated need in OWN and OWN_DRAFT is Da Nang's (the CSCO's city), in SAME_COUNTRY_DRAFT Ha Noi's (a draft
the NR of Viet Nam reads), in FOREIGN and FOREIGN_DRAFT Bangkok's."""

import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ascn.core.models import AuditEntry
from ascn.core.testing.bases import (
    FOREIGN,
    FOREIGN_DRAFT,
    OWN,
    OWN_DRAFT,
    ListApi,
    ListPage,
    ModelCase,
    Scope,
    Write,
    every_role,
    standard_tests,
)
from ascn.framework.models import FrameworkNode, FrameworkTag
from ascn.network.models import City
from ascn.partnerships.actions import offers as actions
from ascn.partnerships.models import Need
from ascn.partnerships.queries import offers as queries
from ascn.plans.models import Project, SupportNeed

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count()
SAME_COUNTRY_DRAFT = Scope("same_country_draft", country="VNM", city="ha-noi", partner="adb", published=False)
EVERY_NEED = {"own", "own_draft", "same_country_draft", "foreign", "foreign_draft"}
CITY_WRITES = {"secretariat", "csco"}


def make_need(scope: Scope, n: int) -> Need:
    number = next(NUMBERS)
    return Need.objects.create(city=City.objects.get(slug=scope.city), title=f"Zeta need {number}",
                               kind="technical", amount=Decimal(5000), currency="USD",
                               state="published" if scope.published else "draft")


def need_form(need: Need, **changes: str) -> dict[str, str]:
    form = {"title": need.title, "kind": need.kind, "description": need.description,
            "amount": str(need.amount or ""), "currency": need.currency, "stage": need.stage}
    form.update(changes)
    return form


NEED = ModelCase(
    name="need", model=Need, key="key", make=make_need, missing="n999999",
    scopes=(OWN, OWN_DRAFT, SAME_COUNTRY_DRAFT, FOREIGN, FOREIGN_DRAFT),
    visible={**every_role("own", "foreign"), "csco": {"own", "own_draft", "foreign"},
             "nr": {"own", "own_draft", "same_country_draft", "foreign"}, "secretariat": EVERY_NEED},
    editable={"csco": {"own", "own_draft"}, "secretariat": EVERY_NEED},
    list_page=ListPage("/partnerships/needs/", per_page=20, max_queries=8),
    list_api=ListApi("/partnerships/needs", max_queries=8, role="secretariat"),
    detail_page=lambda need: f"/partnerships/needs/{need.key}/",
    detail_api=lambda need: f"/partnerships/needs/{need.key}",
    tables=(FrameworkTag,),
    writes=(
        Write("create", "api", "/partnerships/needs",
              data={"city": "da-nang", "title": "Flood sensors", "kind": "financial", "amount": "250000",
                    "currency": "usd", "tags": ["built_infrastructure"]},
              allowed=CITY_WRITES, returns={"title": "Flood sensors", "state": "draft", "city": "da-nang",
                                            "source": "stated", "tags": ["built_infrastructure"]},
              stored={"title": "Flood sensors", "city__slug": "da-nang", "state": "draft",
                      "amount": Decimal(250000), "currency": "USD"}),
        Write("create", "page", "/workspace/needs/new/?city=da-nang",
              data={"title": "Data platform advice", "kind": "advisory", "currency": ""}, allowed=CITY_WRITES,
              stored={"title": "Data platform advice", "city__slug": "da-nang", "state": "draft"}),
        Write("update", "page", lambda need: f"/workspace/needs/{need.pk}/edit/", scope=OWN,
              data=lambda need: need_form(need, description="Sensors along the Han river."), allowed=CITY_WRITES,
              stored={"description": "Sensors along the Han river."},
              changes={"description": ["", "Sensors along the Han river."]}),
    ),
)
globals().update(standard_tests(NEED))


# --- The actions' refusals ------------------------------------------------------------------------------


def state() -> tuple:
    return (list(Need.objects.values()), list(FrameworkTag.objects.values_list("pk", flat=True)),
            AuditEntry.objects.count())


@pytest.fixture
def da_nang():
    return City.objects.get(slug="da-nang")


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"amount": Decimal(10), "currency": "XYZ"}, "currency", "“XYZ” is not an ISO 4217 currency code."),
    ({"amount": Decimal(-1), "currency": "USD"}, "amount", "The amount cannot be below zero."),
    ({"amount": Decimal(10)}, "currency", "Give the currency of the amount."),
])
def test_a_bad_need_is_refused_by_field_and_nothing_is_written(csco_danang, da_nang, data, field, message):
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.create_need(csco_danang, da_nang, {"title": "Sensors", "kind": "financial", **data})
    assert message in refused.value.message_dict[field]
    assert state() == before


def test_a_bad_update_changes_nothing(csco_danang, da_nang):
    need = actions.create_need(csco_danang, da_nang, {"title": "Sensors", "kind": "financial"})
    before = state()
    with pytest.raises(ValidationError):
        actions.update_need(csco_danang, need, {"amount": Decimal(-5), "currency": "USD"})
    assert state() == before


def test_a_city_officer_may_not_state_another_citys_need(csco_danang):
    before = state()
    with pytest.raises(PermissionDenied):
        actions.create_need(csco_danang, City.objects.get(slug="bangkok"), {"title": "Sensors", "kind": "technical"})
    assert state() == before


def test_the_api_refuses_a_bad_currency_by_field(api_as, csco_danang):
    caller = api_as(csco_danang)
    before = state()
    response = caller.post("/partnerships/needs", {"title": "Sensors", "kind": "financial",
                                                                "amount": "10", "currency": "XYZ"})
    assert response.status_code == 422, response.json()
    assert "currency" in str(response.json())
    assert state() == before


def test_the_page_refuses_a_bad_currency_and_says_why(client, csco_danang):
    client.force_login(csco_danang)
    before = state()
    response = client.post("/workspace/needs/new/", {"title": "Sensors", "kind": "financial", "amount": "10",
                                                     "currency": "XYZ"})
    assert response.status_code == 422
    assert "“XYZ” is not an ISO 4217 currency code." in response.content.decode()
    assert state() == before


# --- Projects' support needs beside the stated ones -----------------------------------------------------


@pytest.fixture
def project_need():
    project = Project.objects.create(city=City.objects.get(slug="da-nang"), title="Quokka flood barrier",
                                     focus_area=FrameworkNode.objects.get(code="built_infrastructure"),
                                     stage="feasibility", currency="VND", cost_estimate=Decimal(1000),
                                     funding_secured=Decimal(300), is_published=True)
    return SupportNeed.objects.create(project=project, kind="financial", details="A loan for the works.")


def test_a_published_projects_support_need_is_a_need_with_its_funding_gap(project_need, api):
    rows = {row.key: row for row in queries.needs(None)}
    row = rows[f"p{project_need.pk}"]
    assert (row.title, row.kind, row.details, row.amount, row.currency, row.stage, row.source) == (
        "Quokka flood barrier", "financial", "A loan for the works.", Decimal(700), "VND", "feasibility", "project")
    assert [node.code for node in row.tags] == ["built_infrastructure"]
    assert Need.objects.count() == 0  # nothing is copied
    body = api.get(f"/partnerships/needs/p{project_need.pk}").json()
    assert (body["amount"], body["currency"], body["source"], body["project"]) == (
        "700.00", "VND", "project", project_need.project_id)


def test_an_unpublished_projects_support_need_is_not_a_need(project_need, client, csco_danang):
    Project.objects.filter(pk=project_need.project_id).update(is_published=False)
    assert f"p{project_need.pk}" not in {row.key for row in queries.needs(csco_danang)}
    assert client.get(f"/partnerships/needs/p{project_need.pk}/").status_code == 404


def test_the_filters_reach_both_sources(project_need, csco_danang, da_nang):
    need = actions.create_need(csco_danang, da_nang, {"title": "Kiosk advice", "kind": "advisory"}, publish=True)
    keys = {row.key for row in queries.needs(None, queries.NeedFilters(city="da-nang"))}
    assert {need.key, f"p{project_need.pk}"} <= keys
    assert {row.key for row in queries.needs(None, queries.NeedFilters(kind="advisory"))} >= {need.key}
    assert f"p{project_need.pk}" not in {row.key for row in queries.needs(None, queries.NeedFilters(kind="advisory"))}
    focus = {row.key for row in queries.needs(None, queries.NeedFilters(focus_area="built_infrastructure"))}
    assert f"p{project_need.pk}" in focus and need.key not in focus
    assert not {row.key for row in queries.needs(None, queries.NeedFilters(country="THA"))} & keys


def test_the_list_page_filters_with_htmx(project_need, client):
    response = client.get("/partnerships/needs/", {"kind": "financial"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Quokka flood barrier" in content and "<html" not in content
    assert client.get("/partnerships/needs/", {"kind": "wishes"}).status_code == 422


def test_a_bad_key_is_not_found(client, api):
    for key in ("x1", "n", "nabc", "p999999"):
        assert client.get(f"/partnerships/needs/{key}/").status_code == 404
        assert api.get(f"/partnerships/needs/{key}").status_code == 404


# --- Publishing and closing ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("csco", 302), ("secretariat", 302), ("nr", 403), ("partner", 404),
                                              ("none", 404)])
def test_publish_and_close_from_the_page(client, accounts, role, status):
    need = make_need(OWN_DRAFT, 0)
    client.force_login(accounts[role])
    before = state()
    response = client.post(f"/workspace/needs/{need.pk}/publish/")
    assert response.status_code == status
    if status != 302:
        assert state() == before
        return
    need.refresh_from_db()
    assert need.state == "published"
    entry = AuditEntry.objects.latest("pk")
    assert entry.changes == {"state": ["draft", "published"]}
    assert client.get("/partnerships/needs/").status_code == 200
    assert client.post(f"/workspace/needs/{need.pk}/close/").status_code == 302
    need.refresh_from_db()
    assert need.state == "closed"
    assert need.key not in {row.key for row in queries.needs(None)}


# --- The workspace --------------------------------------------------------------------------------------


def test_the_nr_reads_the_countrys_drafts_in_the_workspace(client, nr_vietnam):
    draft = make_need(SAME_COUNTRY_DRAFT, 0)
    foreign = make_need(FOREIGN_DRAFT, 0)
    client.force_login(nr_vietnam)
    response = client.get("/workspace/needs/")
    assert response.status_code == 200
    shown = {need.pk for need in response.context["page"]}
    assert draft.pk in shown and foreign.pk not in shown
    assert not response.context["may_create"]


def test_a_partner_has_no_needs_workspace(client, partner_jica):
    client.force_login(partner_jica)
    assert client.get("/workspace/needs/").status_code == 403


@pytest.mark.parametrize("language", ["vi", "th"])
def test_the_needs_pages_render_in_vietnamese_and_thai(client, csco_danang, project_need, language):
    need = make_need(OWN, 0)
    client.force_login(csco_danang)
    for url in ("/partnerships/needs/", f"/partnerships/needs/{need.key}/", f"/partnerships/needs/p{project_need.pk}/",
                "/workspace/needs/", "/workspace/needs/new/", f"/workspace/needs/{need.pk}/edit/"):
        response = client.get(f"/{language}{url}")
        assert response.status_code == 200, (url, response.status_code)
        assert f'lang="{language}"' in response.content.decode()
