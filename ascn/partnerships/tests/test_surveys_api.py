"""The needs surveys' API: questions of a draft, a city's answers saved and submitted (refused after closing,
changing nothing), the answers and results each role may read, a need made from an answer, and the OpenAPI
description of every path."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ascn.core.testing.bases import snapshot
from ascn.network.models import City, Partner
from ascn.partnerships.actions import surveys as actions
from ascn.partnerships.models import Need, Question, Survey, SurveyResponse

from .test_surveys import TABLES, build, danang_answers, q

pytestmark = pytest.mark.django_db


def test_questions_are_added_changed_moved_and_removed_while_the_survey_is_a_draft(api_as, secretariat):
    survey = build(state="draft")
    caller = api_as(secretariat)
    added = caller.post(f"/partnerships/surveys/{survey.pk}/questions",
                        {"kind": "multiple", "text": "Data you share", "choices": ["Traffic", "Water"]})
    assert added.status_code == 201, added.json()
    assert added.json()["questions"][-1] == {"id": added.json()["questions"][-1]["id"], "number": 8,
                                             "kind": "multiple", "text": "Data you share", "help_text": "",
                                             "choices": ["Traffic", "Water"], "required": False}
    new = added.json()["questions"][-1]["id"]
    moved = caller.patch(f"/partnerships/surveys/{survey.pk}/questions/{new}", {"move": -1, "required": True})
    assert [(x["number"], x["id"], x["required"]) for x in moved.json()["questions"]][6] == (7, new, True)
    assert caller.delete(f"/partnerships/surveys/{survey.pk}/questions/{new}").status_code == 204
    assert not Question.objects.filter(pk=new).exists()
    bad = caller.post(f"/partnerships/surveys/{survey.pk}/questions", {"kind": "single", "text": "Pick"})
    assert (bad.status_code, bad.json()["errors"]) == (422, [{"field": "choices",
                                                              "message": "Give at least one choice, one a line."}])


def test_a_city_saves_and_submits_through_the_api_and_a_late_answer_changes_nothing(api_as, csco_danang):
    survey = build()
    caller = api_as(csco_danang)
    path = f"/partnerships/surveys/{survey.pk}/answers/da-nang"
    draft = caller.put(path, {"answers": {str(q(survey, 2).pk): ["Loans"]}})
    assert draft.status_code == 200
    assert {k: draft.json()[k] for k in ("city", "country", "state", "answers", "on_paper")} == {
        "city": "da-nang", "country": "VNM", "state": "draft", "answers": {str(q(survey, 2).pk): ["Loans"]},
        "on_paper": False}
    answers = {k: v for k, v in danang_answers(survey).items()}
    submitted = caller.post(f"{path}/submit", {"answers": answers})
    assert (submitted.status_code, submitted.json()["state"]) == (200, "submitted")
    assert submitted.json()["answers"][str(q(survey, 4).pk)] == {"amount": "2500000.00", "currency": "USD"}
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - dt.timedelta(hours=1))
    survey.refresh_from_db()
    before = snapshot(TABLES)
    late = caller.post(f"{path}/submit", {"answers": {str(q(survey, 1).pk): "Idea"}})
    assert late.status_code == 422
    assert late.json()["errors"] == [{"field": "survey", "message": (
        f"This survey closed on {actions._when(survey.closes_at)}: answers are no longer taken. Nothing was saved.")}]
    assert snapshot(TABLES) == before


def test_only_a_city_s_officers_and_the_secretariat_answer_for_it(api, api_as, accounts):
    survey = build(cities=("da-nang", "bangkok"))
    callers = {role: api_as(accounts[role]) for role in ("nr", "partner", "none", "csco", "secretariat")}
    before = snapshot(TABLES)
    body = {"answers": {str(q(survey, 1).pk): "Idea"}}
    for role, city, status in (("nr", "da-nang", 403), ("partner", "da-nang", 403), ("none", "da-nang", 403),
                               ("csco", "bangkok", 403), ("csco", "ha-noi", 404)):
        response = callers[role].put(f"/partnerships/surveys/{survey.pk}/answers/{city}", body)
        assert response.status_code == status, (role, city, response.json())
    assert api.put(f"/partnerships/surveys/{survey.pk}/answers/da-nang", body).status_code == 401
    assert snapshot(TABLES) == before
    assert callers["secretariat"].put(f"/partnerships/surveys/{survey.pk}/answers/bangkok", body).status_code == 200


def test_answers_and_results_are_read_within_each_role_s_scope(api, api_as, accounts):
    survey = build(owner=accounts["partner"].partner)
    for slug, stage in (("da-nang", "Idea"), ("ha-noi", "Implementing"), ("bangkok", "Implementing")):
        actions.save_answers(accounts["secretariat"], survey, City.objects.get(slug=slug),
                             {str(q(survey, 1).pk): stage}, submit=True)
    listed = {role: [item["city"] for item in api_as(accounts[role]).get(
        f"/partnerships/surveys/{survey.pk}/answers").json()["items"]] for role in ("secretariat", "partner", "nr",
                                                                                    "csco", "none")}
    assert listed == {"secretariat": ["bangkok", "da-nang", "ha-noi"], "partner": ["bangkok", "da-nang", "ha-noi"],
                      "nr": ["da-nang", "ha-noi"], "csco": ["da-nang"], "none": []}
    assert api.get(f"/partnerships/surveys/{survey.pk}/answers").status_code == 401
    nr = api_as(accounts["nr"]).get(f"/partnerships/surveys/{survey.pk}/results").json()
    assert (nr["asked"], nr["submitted"], nr["countries"]) == (2, 2, [
        {"iso3": "VNM", "name": "Viet Nam", "asked": 2, "submitted": 2, "share": 100.0}])
    assert nr["questions"][0]["options"] == [
        {"value": "Idea", "label": "Idea", "count": 1, "share": 50.0},
        {"value": "Plan adopted", "label": "Plan adopted", "count": 0, "share": 0.0},
        {"value": "Implementing", "label": "Implementing", "count": 1, "share": 50.0}]
    everything = api_as(accounts["partner"]).get(f"/partnerships/surveys/{survey.pk}/results").json()
    assert (everything["submitted"], everything["questions"][0]["options"][2]["count"]) == (3, 2)
    for role in ("csco", "none"):
        assert api_as(accounts[role]).get(f"/partnerships/surveys/{survey.pk}/results").status_code == 403
    other = build(owner=Partner.objects.get(slug="adb"))
    assert api_as(accounts["partner"]).get(f"/partnerships/surveys/{other.pk}/results").status_code == 403


def test_a_submitted_answer_becomes_a_need_through_the_api(api_as, accounts):
    survey = build()
    actions.save_answers(accounts["csco"], survey, City.objects.get(slug="da-nang"), danang_answers(survey),
                         submit=True)
    made = api_as(accounts["csco"]).post(f"/partnerships/surveys/{survey.pk}/answers/da-nang/need",
                                         {"title": "Traffic studies", "kind": "technical",
                                          "tags": ["built_infrastructure"]})
    assert made.status_code == 201
    need = Need.objects.get(title="Traffic studies")
    response = SurveyResponse.objects.get(survey=survey, city__slug="da-nang")
    assert made.json() == {"key": f"n{need.pk}", "city": "da-nang", "title": "Traffic studies", "state": "draft",
                           "response": response.pk}
    nr = api_as(accounts["nr"])
    before = snapshot(TABLES)
    refused = nr.post(f"/partnerships/surveys/{survey.pk}/answers/da-nang/need",
                                          {"title": "X", "kind": "technical"})
    assert refused.status_code == 403
    assert snapshot(TABLES) == before


def test_the_openapi_description_documents_every_survey_path(api):
    paths = api.get("/openapi.json").json()["paths"]
    assert sorted(p for p in paths if p.startswith("/api/v1/partnerships/surveys")) == [
        "/api/v1/partnerships/surveys", "/api/v1/partnerships/surveys/{pk}",
        "/api/v1/partnerships/surveys/{pk}/answers", "/api/v1/partnerships/surveys/{pk}/answers/{city}",
        "/api/v1/partnerships/surveys/{pk}/answers/{city}/need",
        "/api/v1/partnerships/surveys/{pk}/answers/{city}/submit",
        "/api/v1/partnerships/surveys/{pk}/questions", "/api/v1/partnerships/surveys/{pk}/questions/{question}",
        "/api/v1/partnerships/surveys/{pk}/results", "/api/v1/partnerships/surveys/{pk}/state"]
    assert set(paths["/api/v1/partnerships/surveys/{pk}/answers/{city}"]) == {"get", "put"}


def test_the_answers_endpoint_costs_the_same_queries_for_one_answer_or_many(api_as, secretariat):
    from ascn.core.testing.bases import count_queries

    survey = build(cities=())
    caller = api_as(secretariat)
    for city in City.objects.order_by("slug")[:12]:
        survey.cities.add(city)
        actions.save_answers(secretariat, survey, city, {str(q(survey, 1).pk): "Idea"}, submit=True)
    one, one_page = count_queries(lambda: caller.get(f"/partnerships/surveys/{survey.pk}/answers?limit=1"))
    many, many_page = count_queries(lambda: caller.get(f"/partnerships/surveys/{survey.pk}/answers?limit=50"))
    assert (len(one_page.json()["items"]), many_page.json()["count"]) == (1, 12)
    assert one == many <= 10, (one, many)
