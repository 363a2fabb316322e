"""API of needs surveys under /api/v1/partnerships/surveys: the surveys, their questions and state, the cities'
answers (saved as a draft, submitted) and the results, with the same permissions as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from ascn.core.api import ERROR_RESPONSES, caller, optional_auth, token_auth
from ascn.core.http import ApiRequest
from ascn.core.lookups import visible_or_404
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Partner
from ascn.plans.choices import ProjectStage, SupportKind

from ..actions import surveys as actions
from ..choices import QuestionKind, ResponseState, SurveyState
from ..models import Question, Survey, SurveyResponse
from ..queries import surveys as queries

router = Router()


class QuestionOut(Schema):
    id: int
    number: int = Field(description="The question's number in the survey, from 1 (its column “Q<n>” in files)")
    kind: QuestionKind
    text: str
    help_text: str
    choices: list[str]
    required: bool


class SurveyOut(Schema):
    id: int
    title: str
    description: str
    owner: str | None = Field(None, alias="owner.slug", description="Partner slug; none: the ASEAN Secretariat's")
    state: SurveyState
    closes_at: dt.datetime | None
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_for_answers: bool = Field(description="Closed, or open with its closing time passed")
    source: str
    cities: list[str] = Field(description="Slugs of the cities asked")
    questions: list[QuestionOut]

    @staticmethod
    def resolve_cities(obj: Survey) -> list[str]:
        return sorted(c.slug for c in obj.cities.all())

    @staticmethod
    def resolve_questions(obj: Survey) -> list[dict[str, Any]]:
        return [{"id": q.pk, "number": n, "kind": q.kind, "text": q.text, "help_text": q.help_text,
                 "choices": q.choices, "required": q.required} for n, q in enumerate(obj.questions.all(), 1)]

    @staticmethod
    def resolve_closed_for_answers(obj: Survey) -> bool:
        return queries.closed_for_answers(obj)


class SurveyWrite(Schema):
    title: str | None = Field(None, min_length=1, max_length=250)
    description: str | None = None
    closes_at: dt.datetime | None = Field(None, description="Late answers are refused after this time")
    cities: list[str] | None = Field(None, description="Slugs of the cities asked")


class SurveyIn(SurveyWrite):
    title: str = Field(min_length=1, max_length=250)
    owner: str | None = Field(None, description="Partner slug (a partner's token: its own, the default); none from "
                                                "the Secretariat: its own survey")


class StateIn(Schema):
    state: SurveyState = Field(description="“open” opens (or reopens) it; “closed” closes it")


class QuestionIn(Schema):
    kind: QuestionKind
    text: str = Field(min_length=1, max_length=500)
    help_text: str = Field("", max_length=500)
    choices: list[str] = Field(default_factory=list, description="The options of the list kinds")
    required: bool = False


class QuestionPatch(Schema):
    kind: QuestionKind | None = None
    text: str | None = Field(None, min_length=1, max_length=500)
    help_text: str | None = Field(None, max_length=500)
    choices: list[str] | None = None
    required: bool | None = None
    move: int | None = Field(None, description="-1: one place up; 1: one place down")


class AnswerOut(Schema):
    city: str = Field(alias="city.slug")
    country: str = Field(alias="city.country.iso3")
    state: ResponseState
    answers: dict[str, Any] = Field(description="{question id: value}: a choice; a list of choices or focus-area "
                                                "codes; a number as text; {amount, currency}; text; a project id")
    submitted_at: dt.datetime | None
    on_paper: bool


class AnswerIn(Schema):
    answers: dict[str, Any] = Field(description="{question id: value}, as `AnswerOut.answers`")


class OptionOut(Schema):
    value: str
    label: str
    count: int
    share: float = Field(description="Per cent of the cities that answered the question")


class FigureOut(Schema):
    currency: str
    count: int
    total: Decimal
    mean: Decimal
    min: Decimal
    max: Decimal


class QuestionResultOut(Schema):
    number: int
    question: int = Field(alias="question.pk")
    kind: QuestionKind = Field(alias="question.kind")
    answered: int
    options: list[OptionOut]
    figures: list[FigureOut]


class CountryOut(Schema):
    iso3: str
    name: str
    asked: int
    submitted: int
    share: float


class ResultsOut(Schema):
    asked: int
    submitted: int = Field(description="Submitted answers counted (within what you may read)")
    countries: list[CountryOut]
    focus_areas: list[OptionOut]
    questions: list[QuestionResultOut]


class NeedFromAnswerIn(Schema):
    title: str = Field(min_length=1, max_length=250)
    description: str = ""
    kind: SupportKind
    amount: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    currency: str = Field("", max_length=3)
    stage: ProjectStage | None = None
    tags: list[str] = Field(default_factory=list, description="Framework codes of focus areas and enablers")


class NeedCreatedOut(Schema):
    key: str
    city: str = Field(alias="city.slug")
    title: str
    state: str
    response: int = Field(alias="response_id")


def _surveys(request: ApiRequest) -> Any:
    return queries.survey_with_questions(queries.public_surveys(caller(request)).prefetch_related("cities"))


def _survey(request: ApiRequest, pk: int) -> Survey:
    return visible_or_404(_surveys(request), _("No survey with the id %(id)s.") % {"id": pk}, pk=pk)


def _cities(slugs: list[str]) -> list[City]:
    found = list(City.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {c.slug for c in found})
    if missing:
        raise ValidationError({"cities": _("Unknown: %(values)s.") % {"values": ", ".join(missing)}})
    return found


@router.get("/partnerships/surveys", response=list[SurveyOut], auth=optional_auth, summary="Needs surveys")
@paginate
def list_surveys(request: ApiRequest):
    """Surveys you may see: the public sees open and closed surveys (descriptions and questions, never the
    answers); a partner's token its own drafts too; the Secretariat all."""
    return _surveys(request)


@router.get("/partnerships/surveys/{pk}", response={200: SurveyOut, **ERROR_RESPONSES}, auth=optional_auth)
def get_survey(request: ApiRequest, pk: int):
    return _survey(request, pk)


@router.post("/partnerships/surveys", response={201: SurveyOut, **ERROR_RESPONSES}, auth=token_auth)
def create_survey(request: ApiRequest, payload: SurveyIn):
    """A new draft survey: the Secretariat's own (or a partner's it names), or a partner's own organisation's."""
    partner_id = getattr(request.auth, "partner_id", None)
    owner = None
    if payload.owner:
        owner = Partner.objects.filter(slug=payload.owner).first()
        if owner is None:
            raise ValidationError({"owner": _("Unknown value “%(value)s”.") % {"value": payload.owner}})
    elif partner_id:
        owner = Partner.objects.get(pk=partner_id)
    data = payload.dict(exclude={"owner", "cities"}, exclude_unset=False)
    data["description"] = data["description"] or ""
    survey = actions.create_survey(request.auth, owner, data, cities=_cities(payload.cities or []), via="api")
    return Status(201, _survey(request, survey.pk))


def _editable(request: ApiRequest, pk: int) -> Survey:
    return visible_or_404(Survey.objects.visible_to(request.auth), _("No survey with the id %(id)s.") % {"id": pk},
                          pk=pk)


@router.patch("/partnerships/surveys/{pk}", response={200: SurveyOut, **ERROR_RESPONSES}, auth=token_auth)
def update_survey(request: ApiRequest, pk: int, payload: SurveyWrite):
    survey = _editable(request, pk)
    data = payload.dict(exclude_unset=True, exclude={"cities"})
    if "description" in data and data["description"] is None:
        data["description"] = ""
    cities = _cities(payload.cities) if payload.cities is not None else None
    actions.update_survey(request.auth, survey, data, cities=cities, via="api")
    return _survey(request, pk)


@router.patch("/partnerships/surveys/{pk}/state", response={200: SurveyOut, **ERROR_RESPONSES}, auth=token_auth)
def move_survey(request: ApiRequest, pk: int, payload: StateIn):
    """Open (refused without questions, without cities or after the closing time), reopen or close a survey; back
    to draft is not a step."""
    survey = _editable(request, pk)
    if payload.state == SurveyState.OPEN:
        actions.open_survey(request.auth, survey, via="api")
    elif payload.state == SurveyState.CLOSED:
        actions.close_survey(request.auth, survey, via="api")
    else:
        raise ValidationError({"state": _("A survey does not go back to draft: close it instead.")})
    return _survey(request, pk)


@router.post("/partnerships/surveys/{pk}/questions", response={201: SurveyOut, **ERROR_RESPONSES},
             auth=token_auth)
def add_question(request: ApiRequest, pk: int, payload: QuestionIn):
    """Add a question at the end of a draft survey."""
    survey = _editable(request, pk)
    data = payload.dict()
    data["kind"] = str(data["kind"])
    actions.add_question(request.auth, survey, data, via="api")
    return Status(201, _survey(request, pk))


def _question(request: ApiRequest, pk: int, question: int) -> Question:
    survey = _editable(request, pk)
    found = survey.questions.filter(pk=question).first()
    if found is None:
        raise Http404(_("No question %(id)s in this survey.") % {"id": question})
    found.survey = survey
    return found


@router.patch("/partnerships/surveys/{pk}/questions/{question}", response={200: SurveyOut, **ERROR_RESPONSES},
              auth=token_auth)
def update_question(request: ApiRequest, pk: int, question: int, payload: QuestionPatch):
    """Change a question of a draft survey, or move it one place (`move`)."""
    found = _question(request, pk, question)
    data = payload.dict(exclude_unset=True, exclude={"move"})
    if "kind" in data:
        data["kind"] = str(data["kind"])
    if data:
        actions.update_question(request.auth, found, data, via="api")
    if payload.move:
        actions.move_question(request.auth, found, payload.move, via="api")
    return _survey(request, pk)


@router.delete("/partnerships/surveys/{pk}/questions/{question}", response={204: None, **ERROR_RESPONSES},
               auth=token_auth)
def delete_question(request: ApiRequest, pk: int, question: int):
    actions.delete_question(request.auth, _question(request, pk, question), via="api")
    return Status(204, None)


# --- Answers --------------------------------------------------------------------------------------------


@router.get("/partnerships/surveys/{pk}/answers", response=list[AnswerOut], auth=token_auth,
            summary="A survey's answers")
@paginate
def list_answers(request: ApiRequest, pk: int, state: ResponseState | None = None):
    """The answers you may read: the Secretariat all; the survey's partner its survey's; a National
    Representative its country's; a city officer its city's."""
    rows = queries.answers(request.auth, _survey(request, pk))
    return rows.filter(state=state) if state else rows


def _answer_city(request: ApiRequest, survey: Survey, city: str) -> City:
    found = survey.cities.filter(slug=city).first()
    if found is None:
        raise Http404(_("This survey was not sent to “%(city)s”.") % {"city": city})
    return found


@router.get("/partnerships/surveys/{pk}/answers/{city}", response={200: AnswerOut, **ERROR_RESPONSES},
            auth=token_auth)
def get_answer(request: ApiRequest, pk: int, city: str):
    survey = _survey(request, pk)
    answer = queries.answer_of(request.auth, survey, _answer_city(request, survey, city))
    if answer is None:
        raise Http404(_("No answer of “%(city)s” that you may read.") % {"city": city})
    return answer


def _save(request: ApiRequest, pk: int, city: str, payload: AnswerIn, submit: bool) -> SurveyResponse:
    survey = _survey(request, pk)
    actions.save_answers(request.auth, survey, _answer_city(request, survey, city), payload.answers, submit=submit,
                         via="api")
    answer = queries.answer_of(request.auth, survey, City.objects.get(slug=city))
    assert answer is not None
    return answer


@router.put("/partnerships/surveys/{pk}/answers/{city}", response={200: AnswerOut, **ERROR_RESPONSES},
            auth=token_auth)
def save_answer(request: ApiRequest, pk: int, city: str, payload: AnswerIn):
    """Save the city's answers as a draft (its officers, or the Secretariat): refused once the survey has
    closed or its closing time has passed, and for a submitted answer (submit the changes instead)."""
    return _save(request, pk, city, payload, submit=False)


@router.post("/partnerships/surveys/{pk}/answers/{city}/submit", response={200: AnswerOut, **ERROR_RESPONSES},
             auth=token_auth)
def submit_answer(request: ApiRequest, pk: int, city: str, payload: AnswerIn):
    """Submit the city's answers (every required question answered); refused once the survey has closed."""
    return _save(request, pk, city, payload, submit=True)


@router.post("/partnerships/surveys/{pk}/answers/{city}/need", response={201: NeedCreatedOut, **ERROR_RESPONSES},
             auth=token_auth)
def make_need(request: ApiRequest, pk: int, city: str, payload: NeedFromAnswerIn):
    """A draft need of the city made from its submitted answer (its officers, or the Secretariat)."""
    survey = _survey(request, pk)
    answer = queries.answer_of(request.auth, survey, _answer_city(request, survey, city))
    if answer is None:
        raise Http404(_("No answer of “%(city)s” that you may read.") % {"city": city})
    data = payload.dict(exclude={"tags"})
    data["kind"] = str(data["kind"])
    data["stage"] = str(data["stage"]) if data["stage"] else ""
    data["currency"] = data["currency"].strip().upper()
    tags = list(FrameworkNode.objects.filter(code__in=payload.tags))
    missing = sorted(set(payload.tags) - {n.code for n in tags})
    if missing:
        raise ValidationError({"tags": _("Unknown: %(values)s.") % {"values": ", ".join(missing)}})
    need = actions.make_need(request.auth, answer, data, tags=tags, via="api")
    return Status(201, need)


@router.get("/partnerships/surveys/{pk}/results", response={200: ResultsOut, **ERROR_RESPONSES}, auth=token_auth)
def get_results(request: ApiRequest, pk: int):
    """Counts and shares per question, per country and per focus area, from the submitted answers you may read
    (the Secretariat, the survey's partner, a National Representative of a country asked)."""
    survey = _survey(request, pk)
    if not queries.may_read_results(request.auth, survey):
        raise PermissionDenied(_("The results of this survey are read by the Secretariat, the survey's partner and "
                                 "the National Representatives of the countries asked."))
    results = queries.results(request.auth, survey)
    return {"asked": results.asked, "submitted": results.submitted, "questions": results.questions,
            "countries": [{"iso3": c.iso3, "name": c.name, "asked": c.asked, "submitted": c.submitted,
                           "share": c.share} for c in results.countries],
            "focus_areas": results.focus_areas}
