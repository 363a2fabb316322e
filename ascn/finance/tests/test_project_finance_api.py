"""Business cases and readiness under the project in the API: reads scoped like the pages, writes with a
token of the city's officer or the Secretariat, every bad field named."""

from __future__ import annotations

import numpy_financial as npf
import pytest

from ascn.finance.actions import business_cases as actions
from ascn.finance.models import BusinessCase, ReadinessAnswer
from ascn.plans.models import Project

from .test_business_cases import INPUTS, NET

pytestmark = pytest.mark.django_db


def project(reference: str = "A111") -> Project:
    return Project.objects.get(reference=reference)


def body(**extra) -> dict:
    return {"scenario": "Base case", "model": INPUTS, **extra}


def test_a_city_officer_posts_a_business_case_and_gets_every_result(api_as, csco_danang):
    target = project()
    response = api_as(csco_danang).post(f"/projects/{target.pk}/business-cases", body(
        risk={"drivers": {"capex": {"kind": "pert", "low": 0.9, "mode": 1.0, "high": 1.5}}, "iterations": 500,
              "seed": 11},
        sensitivity={"change": 0.1, "scenarios": {"Costly": {"capex": 1.2}}}))
    assert response.status_code == 201
    data = response.json()
    case = BusinessCase.objects.get()
    assert data["id"] == case.pk and data["project"] == target.pk and data["is_preferred"] is True
    assert data["financial_npv"] == pytest.approx(npf.npv(0.08, NET), rel=1e-12)
    assert data["financial_irr"] == pytest.approx(npf.irr(NET), rel=1e-9)
    assert data["model"]["currency"] == "USD" and data["model"]["lines"][0]["label"] == "Build"
    assert data["results"]["scenarios"]["Costly"]["financial_npv"] == pytest.approx(npf.npv(0.08, NET) - 200,
                                                                                      rel=1e-12)
    assert data["results"]["simulation"]["seed"] == 11
    assert 0 <= data["probability_negative_npv"] <= 1
    assert case.risk["seed"] == 11


def test_a_bad_model_is_a_422_naming_each_field_as_sent(api_as, csco_danang):
    target = project()
    bad = {**INPUTS, "currency": "ABC", "lines": [{"kind": "capex", "values": [1] * 13}]}
    response = api_as(csco_danang).post(f"/projects/{target.pk}/business-cases", body(model=bad))
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"model.currency", "model.lines[0].values"}
    assert errors["model.lines[0].values"] == (
        "has 13 amounts, 2 more than the 11 years of the horizon (years 0 to 10): remove the extra amounts or "
        "lengthen the horizon")
    assert not BusinessCase.objects.exists()


def test_a_short_line_is_stored_padded_with_zeros_and_the_answer_says_so(api_as, csco_danang):
    target = project()
    client = api_as(csco_danang)
    short = {**INPUTS, "start_year": 2026,
             "lines": [INPUTS["lines"][0], {"kind": "revenue", "values": [0] + [300] * 5, "label": "Fees"},
                       INPUTS["lines"][2]]}
    response = client.post(f"/projects/{target.pk}/business-cases", body(model=short))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["padded"] == [{"field": "model.lines[1].values", "message": "padded with 0 for 2032\u20132036"}]
    case = BusinessCase.objects.get()
    assert case.inputs["lines"][1]["values"] == [0] + [300] * 5 + [0.0] * 5
    assert data["financial_npv"] == pytest.approx(npf.npv(0.08, [-1000] + [240] * 5 + [-60] * 5), rel=1e-12)
    # A PATCH pads the same way; a GET pads nothing.
    patched = client.patch(f"/projects/{target.pk}/business-cases/{case.pk}",
                           {"model": {**short, "start_year": None}}).json()
    assert patched["padded"] == [{"field": "model.lines[1].values", "message": "padded with 0 for years 6 to 10"}]
    assert client.get(f"/projects/{target.pk}/business-cases/{case.pk}").json()["padded"] == []


def test_patch_and_delete(api_as, csco_danang):
    target = project()
    client = api_as(csco_danang)
    case_id = client.post(f"/projects/{target.pk}/business-cases", body()).json()["id"]
    response = client.patch(f"/projects/{target.pk}/business-cases/{case_id}",
                            {"is_published": True, "description": "Fees from 400 bays"})
    assert response.status_code == 200
    assert (response.json()["is_published"], response.json()["description"]) == (True, "Fees from 400 bays")
    assert response.json()["scenario"] == "Base case"  # untouched
    assert client.delete(f"/projects/{target.pk}/business-cases/{case_id}").status_code == 204
    assert not BusinessCase.objects.exists()


def test_the_public_reads_only_published_cases(api, csco_danang, nr_thailand, api_as):
    target = project()
    published = actions.create_business_case(csco_danang, target, {"scenario": "Published", "inputs": INPUTS,
                                                                    "is_published": True})
    hidden = actions.create_business_case(csco_danang, target, {"scenario": "Draft", "inputs": INPUTS})
    listing = api.get(f"/projects/{target.pk}/business-cases").json()
    assert (listing["count"], [c["scenario"] for c in listing["items"]]) == (1, ["Published"])
    assert api.get(f"/projects/{target.pk}/business-cases/{published.pk}").status_code == 200
    assert api.get(f"/projects/{target.pk}/business-cases/{hidden.pk}").status_code == 404
    assert api_as(csco_danang).get(f"/projects/{target.pk}/business-cases").json()["count"] == 2
    assert api_as(nr_thailand).get(f"/projects/{target.pk}/business-cases/{hidden.pk}").status_code == 404


def test_writes_need_a_token_and_the_right_scope(api, api_as, nr_vietnam, csco_danang):
    target = project()
    assert api.post(f"/projects/{target.pk}/business-cases", body()).status_code == 401
    denied = api_as(nr_vietnam).post(f"/projects/{target.pk}/business-cases", body())
    assert denied.status_code == 403
    case = actions.create_business_case(csco_danang, target, {"scenario": "Base case", "inputs": INPUTS})
    assert api_as(nr_vietnam).patch(f"/projects/{target.pk}/business-cases/{case.pk}",
                                    {"scenario": "Mine"}).status_code == 403
    assert api_as(nr_vietnam).delete(f"/projects/{target.pk}/business-cases/{case.pk}").status_code == 403
    case.refresh_from_db()
    assert BusinessCase.objects.count() == 1 and case.scenario == "Base case"


def test_readiness_through_the_api(api, api_as, csco_danang):
    target = project()
    client = api_as(csco_danang)
    assert api.get(f"/projects/{target.pk}/readiness").status_code == 404  # nothing published
    response = client.put(f"/projects/{target.pk}/readiness/concept.institutional.sponsor",
                          {"status": "met", "evidence": "Decision 12/2026"})
    assert response.status_code == 200
    data = response.json()
    assert (data["score"], data["gate_passed"], data["next_stage"]) == (25, None, "concept")
    assert data["bankability"]["verdict"] == "not_yet" and data["business_case"] is None
    sponsor = next(c for c in data["criteria"] if c["code"] == "concept.institutional.sponsor")
    assert (sponsor["status"], sponsor["evidence"], sponsor["weight"]) == ("met", "Decision 12/2026", 3)
    assert len(data["criteria"]) == 45
    assert data["improvements"][0]["blocks_gate"] is True
    refused = client.put(f"/projects/{target.pk}/readiness/pre_feasibility.financial.economic_case",
                         {"status": "met"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "status",
                                         "message": "The business case's appraisal decides this criterion."}]
    assert ReadinessAnswer.objects.count() == 1


def test_readiness_writes_are_refused_outside_the_scope(api_as, nr_vietnam):
    target = project()
    response = api_as(nr_vietnam).put(f"/projects/{target.pk}/readiness/concept.institutional.sponsor",
                                      {"status": "met"})
    assert response.status_code == 403
    assert not ReadinessAnswer.objects.exists()


def test_the_list_endpoint_has_a_constant_number_of_queries(api, csco_danang, django_assert_max_num_queries):
    target = project()
    for n in range(5):
        actions.create_business_case(csco_danang, target, {"scenario": f"Case {n}", "inputs": INPUTS,
                                                           "is_published": True})
    with django_assert_max_num_queries(3):
        assert api.get(f"/projects/{target.pk}/business-cases").json()["count"] == 5
