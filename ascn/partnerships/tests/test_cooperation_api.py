"""The cooperation API (/api/v1/partnerships/cooperation): the standard list, detail and write tests with the same
scopes as the pages (see test_cooperation_pages), a step the role may not take refused with nothing changed, the
pair's way to an MoU over the API, and the schema in the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from ascn.core.models import AuditEntry
from ascn.core.testing.bases import (
    FOREIGN,
    FOREIGN_DRAFT,
    OWN,
    OWN_DRAFT,
    SAME_COUNTRY,
    ListApi,
    ModelCase,
    Scope,
    Write,
    every_role,
    standard_tests,
)
from ascn.framework.models import FrameworkTag
from ascn.network.models import City, Partner
from ascn.partnerships.models import CooperationComment, CooperationRecord, CooperationTransition
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count()
EVERY_RECORD = {"own", "own_draft", "same_country", "foreign", "foreign_draft"}
PUBLIC = ("own", "same_country", "foreign")
PARTIES = {"secretariat", "partner", "csco"}


def make_record(scope: Scope, n: int) -> CooperationRecord:
    number = next(NUMBERS)
    return CooperationRecord.objects.create(
        title=f"Zeta cooperation {number}", kind="technical_assistance", city=City.objects.get(slug=scope.city),
        partner=Partner.objects.get(slug=scope.partner), state="agreed" if scope.published else "interest")


RECORD = ModelCase(
    name="cooperation_api", model=CooperationRecord, key="id", missing=999_999, make=make_record,
    scopes=(OWN, OWN_DRAFT, SAME_COUNTRY, FOREIGN, FOREIGN_DRAFT),
    visible={**every_role(*PUBLIC), "partner": {*PUBLIC, "own_draft"}, "csco": {*PUBLIC, "own_draft"},
             "nr": {*PUBLIC, "own_draft"}, "secretariat": EVERY_RECORD},
    editable={"partner": {"own", "own_draft"}, "csco": {"own", "own_draft"}, "secretariat": EVERY_RECORD},
    list_api=ListApi("/partnerships/cooperation", max_queries=6, role="secretariat"),
    detail_api=lambda record: f"/partnerships/cooperation/{record.pk}",
    tables=(CooperationTransition, CooperationComment, FrameworkTag),
    writes=(
        Write("create", "api", "/partnerships/cooperation",
              data={"title": "Smart water pilot", "kind": "technical_assistance", "partner": "jica",
                    "city": "da-nang", "budget": "1000", "currency": "USD"},
              allowed=PARTIES, returns={"title": "Smart water pilot", "state": "interest", "partner": "jica"},
              stored={"title": "Smart water pilot", "partner__slug": "jica", "city__slug": "da-nang",
                      "state": "interest", "budget": Decimal(1000)}),
        Write("update", "api", lambda record: f"/partnerships/cooperation/{record.pk}", scope=OWN_DRAFT,
              name="api_update_proposal", data={"scope": "Leak detection", "budget": "2500.5", "currency": "usd"},
              allowed=PARTIES, refused={"anonymous": 401, "none": 404},
              stored={"scope": "Leak detection", "budget": Decimal("2500.50"), "currency": "USD"},
              changes={"scope": ["", "Leak detection"], "budget": [None, "2500.50"], "currency": ["", "USD"]}),
    ),
)
globals().update(standard_tests(RECORD))


def review_record() -> CooperationRecord:
    return CooperationRecord.objects.create(title="Smart water pilot", kind="technical_assistance",
                                            city=City.objects.get(slug="da-nang"),
                                            partner=Partner.objects.get(slug="jica"), state="review",
                                            scope="Leak detection")


def test_a_step_the_role_may_not_take_is_refused_and_changes_nothing(api_as, nr_vietnam):
    record = review_record()
    client = api_as(nr_vietnam)
    before = (CooperationTransition.objects.count(), AuditEntry.objects.count())
    response = client.post(f"/partnerships/cooperation/{record.pk}/transitions", {
        "action": "agree", "agreement": "mou", "agreed_on": "2026-03-02", "signatories": "Mayor's office"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Your role may not take the step “Record the agreement” on a record that is under review."
    record.refresh_from_db()
    assert record.state == "review"
    assert (CooperationTransition.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("role", ["anonymous", "none", "partner", "csco", "nr", "secretariat"])
def test_each_role_proposes_or_is_refused_with_nothing_changed(role, accounts, api, api_as):
    """The answer to an interest (POST …/transitions {"action": "propose"}): the parties and the Secretariat take
    it, with the step and one audit entry recorded; the NR is refused (403), an account without a role does not
    see the record (404), the public must sign in (401)."""
    record = make_record(OWN_DRAFT, 0)
    client = api if role == "anonymous" else api_as(accounts[role])
    before = (CooperationTransition.objects.count(), AuditEntry.objects.count())
    response = client.post(f"/partnerships/cooperation/{record.pk}/transitions", {"action": "propose"})
    record.refresh_from_db()
    if role in PARTIES:
        assert (response.status_code, record.state) == (201, "proposal")
        step = record.transitions.get()
        assert (step.action, step.by, step.role) == ("propose", accounts[role],
                                                     {"csco": "city_officer"}.get(role, role))
        entry = AuditEntry.objects.filter(object_id=str(record.pk), content_type__model="cooperationrecord").get()
        assert (entry.changes, entry.via) == ({"state": ["interest", "proposal"]}, "api")
    else:
        assert response.status_code == {"anonymous": 401, "none": 404, "nr": 403}[role]
        assert record.state == "interest"
        assert (CooperationTransition.objects.count(), AuditEntry.objects.count()) == before


def test_a_step_from_the_wrong_stage_or_without_its_reason_names_the_field(api_as, partner_jica):
    record = review_record()
    client = api_as(partner_jica)
    wrong = client.post(f"/partnerships/cooperation/{record.pk}/transitions", {"action": "complete"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [{"field": "action", "message": "A record that is under review cannot complete: "
                                                                     "choose another step."}]
    reason = client.post(f"/partnerships/cooperation/{record.pk}/transitions", {"action": "withdraw"})
    assert reason.json()["errors"] == [{"field": "reason", "message": "Give the reason to withdraw."}]
    record.refresh_from_db()
    assert record.state == "review"


def test_the_pair_agrees_an_mou_and_the_city_updates_its_project_over_the_api(api_as, partner_jica, csco_danang,
                                                                                nr_vietnam):
    project = Project.objects.get(reference="A112")
    partner, city = api_as(partner_jica), api_as(csco_danang)
    created = partner.post("/partnerships/cooperation", {"title": "Smart water pilot", "kind": "technical_assistance",
                                                         "city": "da-nang", "projects": [project.pk]})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["available"] == ["propose", "decline", "withdraw"]
    assert city.post(f"/partnerships/cooperation/{pk}/transitions", {"action": "propose"}).status_code == 201
    assert city.patch(f"/partnerships/cooperation/{pk}", {
        "scope": "Leak detection", "budget": "120000", "currency": "USD",
        "documents": [{"label": "Concept note", "url": "https://example.org/concept.pdf"}]}).status_code == 200
    assert city.post(f"/partnerships/cooperation/{pk}/transitions", {"action": "submit"}).status_code == 201
    comment = api_as(nr_vietnam).post(f"/partnerships/cooperation/{pk}/comments", {"text": "Aligned."})
    assert (comment.status_code, comment.json()["role"]) == (201, "national_rep")
    agreed = partner.post(f"/partnerships/cooperation/{pk}/transitions", {
        "action": "agree", "agreement": "mou", "agreed_on": "2026-03-02", "signatories": "Mayor's office"})
    body = agreed.json()
    assert (body["state"], body["agreement"], body["agreed_on"]) == ("agreed", "mou", "2026-03-02")
    assert [(s["action"], s["role"]) for s in body["transitions"]] == [
        ("propose", "city_officer"), ("submit", "city_officer"), ("agree", "partner")]
    assert partner.post(f"/partnerships/cooperation/{pk}/apply", {}).status_code == 403
    applied = city.post(f"/partnerships/cooperation/{pk}/apply", {})
    assert applied.status_code == 200
    project.refresh_from_db()
    assert (project.funding_secured, list(project.partners.values_list("slug", flat=True))) == (
        Decimal("120000.00"), ["jica"])
    public = api_as(nr_vietnam).get(f"/partnerships/cooperation/{pk}").json()
    assert public["documents"] == [{"label": "Concept note", "url": "https://example.org/concept.pdf"}]


def test_the_cooperation_endpoints_are_in_the_openapi_document(api):
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/api/v1/partnerships/cooperation", "/api/v1/partnerships/cooperation/{pk}",
            "/api/v1/partnerships/cooperation/{pk}/transitions", "/api/v1/partnerships/cooperation/{pk}/comments",
            "/api/v1/partnerships/cooperation/{pk}/projects", "/api/v1/partnerships/cooperation/{pk}/apply"} <= set(paths)


def test_the_list_filters_like_the_pages(api):
    agreed = CooperationRecord.objects.create(title="Agreed", kind="financing", city=City.objects.get(slug="bangkok"),
                                              partner=Partner.objects.get(slug="adb"), state="completed",
                                              agreed_on=dt.date(2025, 1, 1))
    review_record()
    body = api.get("/partnerships/cooperation?country=THA").json()
    assert [item["id"] for item in body["items"]] == [agreed.pk]
    assert api.get("/partnerships/cooperation?country=VNM").json()["count"] == 0
    assert api.get("/partnerships/cooperation?kind=loan").status_code == 422
