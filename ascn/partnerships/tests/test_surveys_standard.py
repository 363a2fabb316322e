"""The standard tests (ascn.core.testing.bases) of needs surveys and their answers' permission matrix.

Surveys: the public (and every account outside the organisation) sees open and closed surveys; a partner sees
and changes its own organisation's, drafts included; the Secretariat all. The survey made in OWN and OWN_DRAFT
is JICA's, in FOREIGN ADB's and in FOREIGN_DRAFT UNDP's (a draft). Answers are never public: a city's officers
read and change their city's, its National Representative reads its country's, the survey's partner reads its
survey's, the Secretariat all."""

import itertools

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
    matrix_test,
    standard_tests,
)
from ascn.network.models import City, Partner
from ascn.partnerships.models import Question, Survey, SurveyResponse

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count()
EVERY_SURVEY = {"own", "own_draft", "foreign", "foreign_draft"}
SURVEY_WRITES = {"secretariat", "partner"}


def make_survey(scope: Scope, n: int) -> Survey:
    number = next(NUMBERS)
    survey = Survey.objects.create(title=f"Zeta survey {number}", owner=Partner.objects.get(slug=scope.partner),
                                   state="open" if scope.published else "draft")
    survey.cities.set([City.objects.get(slug=scope.city)])
    Question.objects.create(survey=survey, kind="text", text="What do you need?")
    return survey


def survey_form(survey: Survey, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {"title": survey.title, "description": survey.description, "closes_at": "",
                               "cities": [c.pk for c in survey.cities.all()]}
    form.update(changes)
    return form


SURVEY = ModelCase(
    name="survey", model=Survey, key="id", make=make_survey, scopes=(OWN, OWN_DRAFT, FOREIGN, FOREIGN_DRAFT),
    missing=999_999,
    visible={**every_role("own", "foreign"), "partner": {"own", "own_draft", "foreign"}, "secretariat": EVERY_SURVEY},
    editable={"partner": {"own", "own_draft"}, "secretariat": EVERY_SURVEY},
    list_page=ListPage("/partnerships/surveys/", per_page=20, max_queries=6),
    list_api=ListApi("/partnerships/surveys", max_queries=8, role="secretariat"),
    detail_page=lambda survey: f"/partnerships/surveys/{survey.pk}/",
    detail_api=lambda survey: f"/partnerships/surveys/{survey.pk}",
    tables=(Question, SurveyResponse),
    writes=(
        Write("create", "api", "/partnerships/surveys", data={"title": "Mobility needs", "cities": ["da-nang"]},
              allowed=SURVEY_WRITES, returns={"title": "Mobility needs", "state": "draft", "cities": ["da-nang"]},
              stored={"title": "Mobility needs", "state": "draft", "cities__slug": "da-nang"}),
        Write("update", "api", lambda survey: f"/partnerships/surveys/{survey.pk}", scope=OWN_DRAFT,
              data={"description": "Changed."}, allowed=SURVEY_WRITES,
              refused={"anonymous": 401, "none": 404, "csco": 404, "nr": 404},
              stored={"description": "Changed."}, changes={"description": ["", "Changed."]}),
        Write("update", "api", lambda survey: f"/partnerships/surveys/{survey.pk}/state", scope=OWN_DRAFT,
              name="api_open_own_draft", data={"state": "open"}, allowed=SURVEY_WRITES,
              refused={"anonymous": 401, "none": 404, "csco": 404, "nr": 404}, stored={"state": "open"}),
        Write("update", "api", lambda survey: f"/partnerships/surveys/{survey.pk}/state", scope=FOREIGN,
              name="api_close_foreign", data={"state": "closed"}, stored={"state": "closed"}),
        Write("create", "page", "/workspace/surveys/new/", data={"title": "Water needs", "description": ""},
              allowed=SURVEY_WRITES, stored={"title": "Water needs", "state": "draft"}),
        Write("update", "page", lambda survey: f"/workspace/surveys/{survey.pk}/edit/", scope=OWN,
              data=lambda survey: survey_form(survey, description="Asked of Da Nang."), allowed=SURVEY_WRITES,
              stored={"description": "Asked of Da Nang."}, changes={"description": ["", "Asked of Da Nang."]}),
    ),
)
globals().update(standard_tests(SURVEY))


# --- Answers: nothing public -----------------------------------------------------------------------------


def make_answer(scope: Scope, n: int) -> SurveyResponse:
    owner = Partner.objects.get(slug=scope.partner)
    survey = Survey.objects.filter(owner=owner, title="Answered survey").first() or Survey.objects.create(
        title="Answered survey", owner=owner, state="open")
    city = City.objects.get(slug=scope.city)
    survey.cities.add(city)
    return SurveyResponse.objects.create(survey=survey, city=city, state="submitted", answers={})


ANSWER = ModelCase(
    name="survey_answer", model=SurveyResponse, make=make_answer, scopes=(OWN, SAME_COUNTRY, FOREIGN),
    visible={"csco": {"own"}, "nr": {"own", "same_country"}, "partner": {"own"},
             "secretariat": {"own", "same_country", "foreign"}},
    editable={"csco": {"own"}, "secretariat": {"own", "same_country", "foreign"}},
)
test_survey_answer_matrix = matrix_test(ANSWER)
test_survey_answer_matrix.__name__ = "test_survey_answer_matrix"
