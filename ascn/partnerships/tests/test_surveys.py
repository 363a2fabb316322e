"""Needs surveys: building one (questions, cities), opening and closing it, a city's answers (draft, submit, checked
per kind, refused once the survey has closed), the results and exports, a need made from an answer, and the
survey recorded from the sources. Each refusal is checked to change nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from ascn.core.models import AuditEntry
from ascn.core.testing.bases import snapshot
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Partner
from ascn.partnerships.actions import surveys as actions
from ascn.partnerships.models import Need, Question, Survey, SurveyResponse
from ascn.partnerships.queries import surveys as queries
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_the_tests_surveys(request):
    """These tests count the surveys they build; the seeded Smart JAMP survey (a closed survey of the 26 pilot
    cities, Da Nang among them) is set aside here and tested on its own below."""
    if "smart_jamp" not in request.node.name:
        Survey.objects.filter(source__contains="japan-set-sell-smart-city-services").delete()

TABLES = (Survey, Question, SurveyResponse, Need, AuditEntry)


def audit_count(obj) -> int:
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)),
                                     object_id=str(obj.pk)).count()


def build(owner: Partner | None = None, cities=("da-nang", "ha-noi", "bangkok"), state="open",
          closes_at=None) -> Survey:
    """A survey with one question of each kind, sent to `cities`."""
    survey = Survey.objects.create(title="Smart mobility needs", description="What the cities need.", owner=owner,
                                   state=state, closes_at=closes_at,
                                   opened_at=timezone.now() if state != "draft" else None)
    survey.cities.set(City.objects.filter(slug__in=cities))
    for position, (kind, text, choices, required) in enumerate([
        ("single", "Stage of your smart-city plan", ["Idea", "Plan adopted", "Implementing"], True),
        ("multiple", "Support wanted", ["Studies", "Loans", "Training"], False),
        ("number", "Staff working on smart-city projects", [], False),
        ("money", "Budget needed", [], False),
        ("text", "What else should partners know?", [], False),
        ("focus_areas", "Focus areas of your needs", [], False),
        ("project", "Project most in need", [], False),
    ]):
        Question.objects.create(survey=survey, position=position, kind=kind, text=text, choices=choices,
                                required=required)
    return survey


def q(survey: Survey, number: int) -> Question:
    return queries.questions(survey)[number - 1]


def danang_answers(survey: Survey) -> dict[str, object]:
    return {str(q(survey, 1).pk): "Implementing", str(q(survey, 2).pk): ["Studies", "Training"],
            str(q(survey, 3).pk): "12", str(q(survey, 4).pk): {"amount": "2500000", "currency": "usd"},
            str(q(survey, 5).pk): "=HYPERLINK(\"x\")", str(q(survey, 6).pk): ["built_infrastructure"],
            str(q(survey, 7).pk): Project.objects.filter(city__slug="da-nang", is_published=True).order_by("pk")[0].pk}


def form_of(survey: Survey, answers: dict[str, object]) -> dict[str, object]:
    """The answer page's form as a browser posts it."""
    data: dict[str, object] = {}
    for question in queries.questions(survey):
        value = answers.get(str(question.pk))
        name = f"q{question.pk}"
        if question.kind == "money":
            data[f"{name}_amount"] = value["amount"] if isinstance(value, dict) else ""
            data[f"{name}_currency"] = value["currency"] if isinstance(value, dict) else ""
        elif value is not None:
            data[name] = value if isinstance(value, list) else str(value)
    return data


# --- Building ---------------------------------------------------------------------------------------------


def test_the_secretariat_builds_opens_and_closes_a_survey_each_step_audited(secretariat):
    cities = list(City.objects.filter(slug__in=["da-nang", "bangkok"]))
    survey = actions.create_survey(secretariat, None, {"title": "Water needs", "description": "Pilot."},
                                   cities=cities)
    first = actions.add_question(secretariat, survey, {"kind": "single", "text": "Source of water",
                                                       "choices": [" River ", "Wells", ""], "required": True})
    second = actions.add_question(secretariat, survey, {"kind": "number", "text": "Households served"})
    assert (first.position, first.choices, second.position, second.choices) == (0, ["River", "Wells"], 1, [])
    assert actions.move_question(secretariat, second, -1) == {"question_order": [[first.pk, second.pk],
                                                                                 [second.pk, first.pk]]}
    assert [x.text for x in queries.questions(survey)] == ["Households served", "Source of water"]
    assert actions.open_survey(secretariat, survey)["state"] == ["draft", "open"]
    survey.refresh_from_db()
    assert (survey.state, survey.owner, survey.opened_at is not None) == ("open", None, True)
    assert sorted(survey.cities.values_list("slug", flat=True)) == ["bangkok", "da-nang"]
    assert actions.close_survey(secretariat, survey)["state"] == ["open", "closed"]
    assert actions.close_survey(secretariat, survey) == {}
    assert audit_count(survey) == 4  # created, order changed, opened, closed
    entry = AuditEntry.objects.filter(object_id=str(survey.pk), action="create",
                                      content_type=ContentType.objects.get_for_model(Survey)).get()
    assert (entry.actor, entry.changes["cities"]) == (secretariat, [[], ["bangkok", "da-nang"]])


def test_opening_is_refused_without_questions_cities_or_with_a_past_closing_time(secretariat):
    survey = Survey.objects.create(title="Empty")
    with pytest.raises(ValidationError) as no_question:
        actions.open_survey(secretariat, survey)
    assert no_question.value.message_dict == {"questions": ["Add at least one question before opening the survey."]}
    Question.objects.create(survey=survey, kind="text", text="Anything?")
    with pytest.raises(ValidationError) as no_city:
        actions.open_survey(secretariat, survey)
    assert no_city.value.message_dict == {"cities": ["Choose the cities asked before opening the survey."]}
    survey.cities.set([City.objects.get(slug="da-nang")])
    Survey.objects.filter(pk=survey.pk).update(closes_at=dt.datetime(2020, 1, 2, 3, 4, tzinfo=dt.UTC))
    survey.refresh_from_db()
    with pytest.raises(ValidationError) as past:
        actions.open_survey(secretariat, survey)
    assert past.value.message_dict["closes_at"][0].startswith("The closing time ")
    assert Survey.objects.get(pk=survey.pk).state == "draft"
    assert audit_count(survey) == 0


def test_questions_no_longer_change_once_the_survey_is_open(secretariat):
    survey = build()
    question = q(survey, 1)
    before = snapshot(TABLES)
    for call in (lambda: actions.add_question(secretariat, survey, {"kind": "text", "text": "More?"}),
                 lambda: actions.update_question(secretariat, question, {"text": "Changed"}),
                 lambda: actions.delete_question(secretariat, question)):
        with pytest.raises(ValidationError) as refused:
            call()
        assert refused.value.message_dict == {
            "questions": ["The survey has been opened: its questions no longer change."]}
    assert snapshot(TABLES) == before


@pytest.mark.parametrize(("data", "errors"), [
    ({"kind": "single", "text": "Pick", "choices": []}, {"choices": ["Give at least one choice, one a line."]}),
    ({"kind": "multiple", "text": "Pick", "choices": ["A", "A"]}, {"choices": ["A choice is given twice."]}),
    ({"kind": "colour", "text": "Pick"}, {"kind": ["Unknown kind “colour” (known: single, multiple, number, money, "
                                                   "text, focus_areas, project)."]}),
    ({"kind": "text", "text": "Pick", "position": 4}, {"position": ["This field cannot be set here."]}),
])
def test_a_bad_question_is_refused_naming_the_field(secretariat, data, errors):
    survey = Survey.objects.create(title="Draft")
    before = snapshot(TABLES)
    with pytest.raises(ValidationError) as refused:
        actions.add_question(secretariat, survey, data)
    assert refused.value.message_dict == errors
    assert snapshot(TABLES) == before


def test_a_partner_builds_only_its_own_surveys_and_nothing_changes_when_refused(partner_jica, csco_danang,
                                                                                 nr_vietnam):
    own = actions.create_survey(partner_jica, partner_jica.partner, {"title": "JICA survey"})
    assert own.owner.slug == "jica"
    before = snapshot(TABLES)
    for actor, owner in ((partner_jica, Partner.objects.get(slug="adb")), (partner_jica, None),
                         (csco_danang, None), (nr_vietnam, partner_jica.partner)):
        with pytest.raises(PermissionDenied):
            actions.create_survey(actor, owner, {"title": "Not mine"})
    adb = build(owner=Partner.objects.get(slug="adb"), state="draft")
    before = snapshot(TABLES)
    for call in (lambda: actions.update_survey(partner_jica, adb, {"title": "Taken"}),
                 lambda: actions.open_survey(partner_jica, adb),
                 lambda: actions.add_question(partner_jica, adb, {"kind": "text", "text": "?"})):
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot(TABLES) == before


# --- Answering --------------------------------------------------------------------------------------------


def test_a_city_officer_saves_a_draft_then_submits_through_the_page(client, csco_danang):
    survey = build()
    client.force_login(csco_danang)
    url = f"/workspace/surveys/{survey.pk}/answer/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["city"].slug == "da-nang"
    answers = danang_answers(survey)
    draft = {str(q(survey, 2).pk): ["Loans"]}
    response = client.post(url, {**form_of(survey, draft), "draft": ""})
    assert response.status_code == 302
    stored = SurveyResponse.objects.get(survey=survey, city__slug="da-nang")
    assert (stored.state, stored.answers, stored.submitted_at) == ("draft", {str(q(survey, 2).pk): ["Loans"]}, None)
    response = client.post(url, {**form_of(survey, answers), "submit": ""})
    assert response.status_code == 302
    stored.refresh_from_db()
    project = answers[str(q(survey, 7).pk)]
    assert stored.answers == {
        str(q(survey, 1).pk): "Implementing", str(q(survey, 2).pk): ["Studies", "Training"],
        str(q(survey, 3).pk): "12", str(q(survey, 4).pk): {"amount": "2500000.00", "currency": "USD"},
        str(q(survey, 5).pk): "=HYPERLINK(\"x\")", str(q(survey, 6).pk): ["built_infrastructure"],
        str(q(survey, 7).pk): project}
    assert (stored.state, stored.submitted_by, stored.on_paper) == ("submitted", csco_danang, False)
    assert audit_count(stored) == 2
    workspace = client.get("/workspace/surveys/")
    assert [(row[0].pk, row[1]) for row in workspace.context["rows"]] == [(survey.pk, "submitted")]


def test_submitting_needs_the_required_answers_and_a_submitted_answer_does_not_go_back_to_draft(csco_danang):
    survey = build()
    da_nang = City.objects.get(slug="da-nang")
    with pytest.raises(ValidationError) as missing:
        actions.save_answers(csco_danang, survey, da_nang, {}, submit=True)
    assert missing.value.message_dict == {f"q{q(survey, 1).pk}": ["Answer this question: it is required."]}
    assert not SurveyResponse.objects.exists()
    actions.save_answers(csco_danang, survey, da_nang, {str(q(survey, 1).pk): "Idea"}, submit=True)
    before = snapshot(TABLES)
    with pytest.raises(ValidationError) as back:
        actions.save_answers(csco_danang, survey, da_nang, {str(q(survey, 1).pk): "Idea"}, submit=False)
    assert back.value.message_dict == {"state": ["This answer is submitted: submit your changes, a submitted answer "
                                                 "does not go back to draft."]}
    assert snapshot(TABLES) == before


def test_every_bad_answer_is_named_by_its_question_and_nothing_is_saved(client, csco_danang):
    survey = build()
    bangkok_project = Project.objects.filter(city__slug="bangkok").order_by("pk")[0].pk
    bad = {str(q(survey, 1).pk): "Maybe", str(q(survey, 3).pk): "twelve",
           str(q(survey, 4).pk): {"amount": "100", "currency": "XYZ"}, str(q(survey, 7).pk): bangkok_project}
    with pytest.raises(ValidationError) as refused:
        actions.save_answers(csco_danang, survey, City.objects.get(slug="da-nang"), bad, submit=False)
    assert refused.value.message_dict == {
        f"q{q(survey, 1).pk}": ["Choose one of the listed answers (“Maybe” is not one)."],
        f"q{q(survey, 3).pk}": ["Give a number (“twelve” is not one)."],
        f"q{q(survey, 4).pk}_currency": ["“XYZ” is not an ISO 4217 currency code."],
        f"q{q(survey, 7).pk}": ["Choose a project of the city."]}
    with pytest.raises(ValidationError) as focus:
        actions.save_answers(csco_danang, survey, City.objects.get(slug="da-nang"),
                             {str(q(survey, 6).pk): ["flying_cars"]}, submit=False)
    assert focus.value.message_dict == {f"q{q(survey, 6).pk}": ["“flying_cars” is not a focus area of the framework."]}
    client.force_login(csco_danang)
    page = client.post(f"/workspace/surveys/{survey.pk}/answer/",
                       {f"q{q(survey, 3).pk}": "twelve", f"q{q(survey, 4).pk}_amount": "5",
                        f"q{q(survey, 4).pk}_currency": "", "draft": ""})
    assert page.status_code == 422
    assert page.context["form"].errors == {f"q{q(survey, 3).pk}": ["Give a number (“twelve” is not one)."],
                                           f"q{q(survey, 4).pk}_currency": ["Give the currency of the amount."]}
    assert not SurveyResponse.objects.exists()


def test_a_late_answer_is_refused_naming_the_closing_time_and_changes_nothing(client, csco_danang):
    closes = timezone.now() - dt.timedelta(minutes=5)
    survey = build(closes_at=closes)  # still "open": the Secretariat has not pressed Close
    da_nang = City.objects.get(slug="da-nang")
    before = snapshot(TABLES)
    with pytest.raises(ValidationError) as late:
        actions.save_answers(csco_danang, survey, da_nang, {str(q(survey, 1).pk): "Idea"}, submit=True)
    assert late.value.message_dict["survey"][0].startswith("This survey closed on ")
    assert late.value.message_dict["survey"][0].endswith(": answers are no longer taken. Nothing was saved.")
    assert actions.late_message(survey) == (
        f"This survey closed on {actions._when(closes)}: answers are no longer taken.")
    client.force_login(csco_danang)
    page = client.post(f"/workspace/surveys/{survey.pk}/answer/", {f"q{q(survey, 1).pk}": "Idea", "submit": ""})
    assert page.status_code == 409
    assert page.context["form"].non_field_errors() == [
        f"This survey closed on {actions._when(closes)}: answers are no longer taken. Nothing was saved."]
    assert page.context["late"] == actions.late_message(survey)
    assert snapshot(TABLES) == before


def test_a_closed_survey_refuses_answers_and_only_the_cities_asked_answer(csco_danang, secretariat):
    survey = build(cities=("da-nang", "bangkok"))
    actions.close_survey(secretariat, survey)
    survey.refresh_from_db()
    before = snapshot(TABLES)
    with pytest.raises(ValidationError) as closed:
        actions.save_answers(csco_danang, survey, City.objects.get(slug="da-nang"), {}, submit=False)
    assert closed.value.message_dict == {"survey": [
        f"This survey closed on {actions._when(survey.closed_at)}: answers are no longer taken. Nothing was saved."]}
    assert snapshot(TABLES) == before
    other = build(cities=("bangkok",))
    before = snapshot(TABLES)
    with pytest.raises(PermissionDenied):
        actions.save_answers(csco_danang, other, City.objects.get(slug="bangkok"), {}, submit=False)
    with pytest.raises(PermissionDenied) as not_sent:
        actions.save_answers(csco_danang, other, City.objects.get(slug="da-nang"), {}, submit=False)
    assert str(not_sent.value) == "This survey was not sent to Da Nang."
    assert snapshot(TABLES) == before


def test_who_may_open_the_answer_page(client, accounts):
    survey = build(cities=("da-nang",))
    draft = build(cities=("da-nang",), state="draft")
    expected = {"csco": 200, "nr": 403, "partner": 403, "none": 403}
    for role, status in expected.items():
        client.force_login(accounts[role])
        assert client.get(f"/workspace/surveys/{survey.pk}/answer/").status_code == status, role
    client.force_login(accounts["csco"])
    assert client.get(f"/workspace/surveys/{draft.pk}/answer/").status_code == 404
    client.force_login(accounts["secretariat"])
    assert client.get(f"/workspace/surveys/{survey.pk}/answer/?city=da-nang").status_code == 200


# --- Results and exports ----------------------------------------------------------------------------------


def answered(survey: Survey, secretariat) -> None:
    """Da Nang and Ha Noi (Viet Nam) and Bangkok (Thailand) answer; Ha Noi's answer stays a draft."""
    da_nang, ha_noi, bangkok = (City.objects.get(slug=s) for s in ("da-nang", "ha-noi", "bangkok"))
    actions.save_answers(secretariat, survey, da_nang, danang_answers(survey), submit=True)
    actions.save_answers(secretariat, survey, ha_noi, {str(q(survey, 1).pk): "Idea"}, submit=False)
    actions.save_answers(secretariat, survey, bangkok, {
        str(q(survey, 1).pk): "Implementing", str(q(survey, 2).pk): ["Loans", "Studies"],
        str(q(survey, 3).pk): "8", str(q(survey, 4).pk): {"amount": "1500000", "currency": "USD"},
        str(q(survey, 6).pk): ["built_infrastructure", "quality_environment"]}, submit=True)


def test_results_count_submitted_answers_per_question_country_and_focus_area(secretariat):
    survey = build()
    answered(survey, secretariat)
    results = queries.results(secretariat, survey)
    assert (results.asked, results.submitted) == (3, 2)
    assert [(c.iso3, c.asked, c.submitted, c.share) for c in results.countries] == [
        ("THA", 1, 1, 100.0), ("VNM", 2, 1, 50.0)]
    stage = results.questions[0]
    assert stage.answered == 2
    assert [(o.value, o.count, o.share, o.by_country) for o in stage.options] == [
        ("Idea", 0, 0.0, [0, 0]), ("Plan adopted", 0, 0.0, [0, 0]), ("Implementing", 2, 100.0, [1, 1])]
    support = results.questions[1]
    assert [(o.value, o.count, o.share) for o in support.options] == [
        ("Studies", 2, 100.0), ("Loans", 1, 50.0), ("Training", 1, 50.0)]
    assert results.questions[2].figures == [{"currency": "", "count": 2, "total": Decimal(20),
                                             "mean": Decimal("10.00"), "min": Decimal(8), "max": Decimal(12)}]
    assert results.questions[3].figures == [{"currency": "USD", "count": 2, "total": Decimal("4000000.00"),
                                             "mean": Decimal("2000000.00"), "min": Decimal("1500000.00"),
                                             "max": Decimal("2500000.00")}]
    assert [(r.value, r.count, r.share) for r in results.focus_areas if r.count] == [
        ("quality_environment", 1, 50.0), ("built_infrastructure", 2, 100.0)]
    assert results.questions[0].chart["data"]["values"][2] == {"label": "Implementing", "count": 2, "share": 100.0,
                                                               "text": "2 (100%)"}


def test_a_national_representative_reads_its_country_s_answers_only(secretariat, nr_vietnam, client):
    survey = build()
    answered(survey, secretariat)
    results = queries.results(nr_vietnam, survey)
    assert (results.asked, results.submitted) == (2, 1)
    assert [(c.iso3, c.submitted) for c in results.countries] == [("VNM", 1)]
    client.force_login(nr_vietnam)
    page = client.get(f"/workspace/surveys/{survey.pk}/results/")
    assert page.status_code == 200
    assert [a.city.slug for a in page.context["page"]] == ["da-nang", "ha-noi"]
    body = client.get(f"/workspace/surveys/{survey.pk}/export.csv").content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(body))] == ["city", "da-nang", "ha-noi"]


def test_results_and_exports_are_refused_outside_the_survey_s_readers(client, accounts, secretariat):
    survey = build(owner=Partner.objects.get(slug="adb"), cities=("bangkok",))
    answered_bangkok = {str(q(survey, 1).pk): "Idea"}
    actions.save_answers(secretariat, survey, City.objects.get(slug="bangkok"), answered_bangkok, submit=True)
    for role, status in {"csco": 403, "nr": 403, "partner": 403, "none": 403, "secretariat": 200}.items():
        client.force_login(accounts[role])
        for suffix in ("results/", "export.csv", "export.xlsx"):
            assert client.get(f"/workspace/surveys/{survey.pk}/{suffix}").status_code == status, (role, suffix)


def test_the_owner_partner_reads_its_survey_s_results(client, partner_jica, secretariat):
    survey = build(owner=partner_jica.partner)
    answered(survey, secretariat)
    client.force_login(partner_jica)
    page = client.get(f"/workspace/surveys/{survey.pk}/results/")
    assert page.status_code == 200
    assert page.context["results"].submitted == 2
    assert page.context["may_upload"] is True


def test_the_csv_export_has_one_row_per_city_answer_and_one_column_per_question_shielded(client, secretariat):
    survey = build()
    answered(survey, secretariat)
    client.force_login(secretariat)
    response = client.get(f"/workspace/surveys/{survey.pk}/export.csv")
    assert response["Content-Disposition"] == f'attachment; filename="ascn-survey-{survey.pk}-answers.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["city", "city_name", "country", "state", "submitted_at", "on_paper",
                       "Q1. Stage of your smart-city plan", "Q2. Support wanted",
                       "Q3. Staff working on smart-city projects", "Q4. Budget needed",
                       "Q5. What else should partners know?", "Q6. Focus areas of your needs",
                       "Q7. Project most in need"]
    project = Project.objects.get(pk=danang_answers(survey)[str(q(survey, 7).pk)])
    assert [row[0] for row in rows[1:]] == ["bangkok", "da-nang", "ha-noi"]
    assert rows[2][:4] == ["da-nang", "Da Nang", "VNM", "submitted"]
    assert rows[2][5:] == ["false", "Implementing", "Studies; Training", "12", "USD 2500000.00", "'=HYPERLINK(\"x\")",
                           "built_infrastructure", f"#{project.pk} {project.title}"]
    assert rows[3][3:] == ["draft", "", "false", "Idea", "", "", "", "", "", ""]


def test_the_xlsx_export_holds_the_same_rows_as_values(client, secretariat):
    from openpyxl import load_workbook

    survey = build()
    answered(survey, secretariat)
    client.force_login(secretariat)
    response = client.get(f"/workspace/surveys/{survey.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["answers"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(rows) == 4
    assert rows[2][:3] == ["da-nang", "Da Nang", "VNM"]
    assert rows[2][10] == "=HYPERLINK(\"x\")"
    assert sheet.cell(row=3, column=11).data_type == "s"


# --- A need made from an answer -------------------------------------------------------------------------


def test_a_submitted_answer_becomes_a_draft_need_of_its_city_linked_to_it(client, csco_danang, secretariat):
    survey = build()
    answered(survey, secretariat)
    client.force_login(csco_danang)
    url = f"/workspace/surveys/{survey.pk}/answers/da-nang/need/"
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["title"] == "Smart mobility needs"
    assert form.context["form"].initial["description"].splitlines()[:2] == [
        "1. Stage of your smart-city plan: Implementing", "2. Support wanted: Studies; Training"]
    assert [n.code for n in form.context["form"].initial["tags"]] == ["built_infrastructure"]
    response = client.post(url, {"title": "Traffic studies", "kind": "technical", "description": "From the survey.",
                                 "amount": "250000", "currency": "usd", "stage": "",
                                 "tags": [FrameworkNode.objects.get(code="built_infrastructure").pk]})
    need = Need.objects.get(title="Traffic studies")
    assert response.status_code == 302 and response.url == f"/partnerships/needs/n{need.pk}/"
    assert (need.city.slug, need.state, need.response.city.slug, need.amount, need.currency) == (
        "da-nang", "draft", "da-nang", Decimal("250000.00"), "USD")
    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Need), object_id=str(need.pk))
    assert [(e.action, e.actor, e.changes["response"]) for e in entries] == [
        ("create", csco_danang, [None, need.response.pk])]


def test_a_need_is_refused_from_a_draft_answer_or_another_city_s_answer(client, csco_danang, nr_vietnam,
                                                                        secretariat):
    survey = build()
    answered(survey, secretariat)
    ha_noi = SurveyResponse.objects.get(survey=survey, city__slug="ha-noi")
    before = snapshot(TABLES)
    with pytest.raises(ValidationError) as draft:
        actions.make_need(secretariat, ha_noi, {"title": "X", "kind": "technical"})
    assert draft.value.message_dict == {"response": ["Only a submitted answer becomes a need."]}
    with pytest.raises(PermissionDenied):
        actions.make_need(csco_danang, SurveyResponse.objects.get(survey=survey, city__slug="bangkok"),
                          {"title": "X", "kind": "technical"})
    client.force_login(nr_vietnam)
    assert client.post(f"/workspace/surveys/{survey.pk}/answers/da-nang/need/",
                       {"title": "X", "kind": "technical"}).status_code == 403
    assert snapshot(TABLES) == before


# --- Public pages and the survey recorded from the sources ---------------------------------------------


def test_the_public_sees_open_and_closed_surveys_but_never_the_answers(client, secretariat):
    survey = build()
    answered(survey, secretariat)
    draft = build(state="draft")
    page = client.get("/partnerships/surveys/")
    assert [s.pk for s in page.context["page"]] == [survey.pk]
    detail = client.get(f"/partnerships/surveys/{survey.pk}/")
    body = detail.content.decode()
    assert detail.context["counts"] == {"draft": 1, "submitted": 2}
    assert "Stage of your smart-city plan" in body and "Implementing" in body  # the choice is part of the question
    assert "HYPERLINK" not in body and "Training" in body  # a choice listed, not an answer
    assert "2500000" not in body
    assert client.get(f"/partnerships/surveys/{draft.pk}/").status_code == 404
    assert client.get(f"/workspace/surveys/{survey.pk}/results/").status_code == 302


def test_the_smart_jamp_survey_is_recorded_closed_with_its_source_and_no_invented_answer(client):
    from ascn.partnerships.seed_surveys import seed_surveys

    assert [(c.created, c.updated, c.unchanged) for c in seed_surveys()] == [(0, 0, 1)]  # `seed` loaded it
    Survey.objects.all().delete()
    assert [(c.created, c.unchanged) for c in seed_surveys()] == [(1, 0)]
    assert [(c.created, c.updated, c.unchanged) for c in seed_surveys()] == [(0, 0, 1)]
    survey = Survey.objects.get(source__contains="japan-set-sell-smart-city-services")
    assert survey.title == "Smart JAMP needs survey of the 26 pilot cities (2020\N{EN DASH}21)"
    assert (survey.state, survey.owner.slug, survey.cities.count(),
            survey.cities.values("country").distinct().count()) == ("closed", "smart-jamp", 26, 10)
    assert (survey.questions.count(), survey.responses.count(), survey.opened_at, survey.closed_at) == (0, 0, None, None)
    assert survey.source == "https://phnompenhpost.com/business/japan-set-sell-smart-city-services-se-asian-cities"
    page = client.get(f"/partnerships/surveys/{survey.pk}/")
    assert page.status_code == 200
    assert page.content.decode().count("its questions and answers are not public") == 1
    assert "Phnom Penh" in page.context["survey"].description


def test_the_workspace_lists_each_role_s_surveys_in_a_fixed_number_of_queries(client, accounts,
                                                                                django_assert_max_num_queries):
    jica = accounts["partner"].partner
    own = build(owner=jica, cities=("bangkok",), state="draft")
    vietnam = build(cities=("ha-noi",))
    danang = build(cities=("da-nang",))
    build(cities=("bangkok",), state="draft")
    expected = {"secretariat": 4, "partner": 1, "csco": 1, "nr": 2}
    for role, count in expected.items():
        client.force_login(accounts[role])
        with django_assert_max_num_queries(8):
            page = client.get("/workspace/surveys/")
        assert len(page.context["rows"]) == count, role
    client.force_login(accounts["csco"])
    assert [row[0].pk for row in client.get("/workspace/surveys/").context["rows"]] == [danang.pk]
    client.force_login(accounts["nr"])
    assert sorted(row[0].pk for row in client.get("/workspace/surveys/").context["rows"]) == [vietnam.pk, danang.pk]
    client.force_login(accounts["partner"])
    assert [row[0].pk for row in client.get("/workspace/surveys/").context["rows"]] == [own.pk]
    client.force_login(accounts["none"])
    assert client.get("/workspace/surveys/").status_code == 403


def test_the_results_charts_are_valid_vega_lite_drawn_by_the_core_renderer(secretariat):
    from ascn.core import charts

    survey = build()
    answered(survey, secretariat)
    results = queries.results(secretariat, survey)
    specs = [results.country_chart, results.focus_chart, *[r.chart for r in results.questions if r.chart]]
    assert len(specs) == 5  # countries, focus areas, and the three choice questions
    drawn = [charts.svg(spec) for spec in specs]
    assert all(svg.startswith("<svg") for svg in drawn)
    assert "Implementing" in drawn[2] and "2 (100%)" in drawn[2]


def test_the_results_page_costs_the_same_queries_for_few_or_many_answers(client, secretariat,
                                                                         django_assert_max_num_queries):
    survey = build(cities=("da-nang",))
    actions.save_answers(secretariat, survey, City.objects.get(slug="da-nang"), danang_answers(survey), submit=True)
    client.force_login(secretariat)
    with django_assert_max_num_queries(16) as few:
        client.get(f"/workspace/surveys/{survey.pk}/results/")
    for slug in City.objects.exclude(slug="da-nang").values_list("slug", flat=True)[:12]:
        survey.cities.add(City.objects.get(slug=slug))
        actions.save_answers(secretariat, survey, City.objects.get(slug=slug), {str(q(survey, 1).pk): "Idea"},
                             submit=True)
    with django_assert_max_num_queries(16) as many:
        page = client.get(f"/workspace/surveys/{survey.pk}/results/")
    assert page.context["results"].submitted == 13
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_city_s_answer_is_read_by_its_readers_only(client, accounts, secretariat):
    survey = build(owner=accounts["partner"].partner)
    answered(survey, secretariat)
    url = f"/workspace/surveys/{survey.pk}/answers/da-nang/"
    client.force_login(accounts["nr"])
    page = client.get(url)
    assert page.status_code == 200
    project = Project.objects.get(pk=danang_answers(survey)[str(q(survey, 7).pk)])
    assert [(n, shown) for n, _question, shown in page.context["rows"]] == [
        (1, "Implementing"), (2, "Studies; Training"), (3, "12"), (4, "USD 2500000.00"), (5, "=HYPERLINK(\"x\")"),
        (6, "Built Infrastructure"), (7, f"#{project.pk} {project.title}")]
    assert page.context["may_make_need"] is False
    for role, status in {"csco": 200, "partner": 200, "secretariat": 200, "none": 403}.items():
        client.force_login(accounts[role])
        assert client.get(url).status_code == status, role
    client.force_login(accounts["csco"])
    assert client.get(f"/workspace/surveys/{survey.pk}/answers/bangkok/").status_code == 403


def test_the_survey_page_offers_each_role_its_next_step(client, accounts):
    survey = build(cities=("da-nang", "bangkok"))
    shown = {}
    for role in ("csco", "nr", "partner", "secretariat"):
        client.force_login(accounts[role])
        page = client.get(f"/partnerships/surveys/{survey.pk}/")
        html = page.content.decode()
        shown[role] = (f"/workspace/surveys/{survey.pk}/answer/" in html, f"/workspace/surveys/{survey.pk}/results/" in html,
                       f"/workspace/surveys/{survey.pk}/edit/" in html)
    assert shown == {"csco": (True, False, False), "nr": (False, True, False), "partner": (False, False, False),
                     "secretariat": (False, True, True)}


def test_the_dashboard_panel_lists_what_waits_for_the_city_and_counts_the_others_surveys(accounts, secretariat):
    waiting = build(cities=("da-nang",))
    done = build(cities=("da-nang",))
    actions.save_answers(secretariat, done, City.objects.get(slug="da-nang"), {str(q(done, 1).pk): "Idea"},
                         submit=True)
    build(cities=("da-nang",), closes_at=timezone.now() - dt.timedelta(minutes=1))
    build(cities=("bangkok",))
    drafted = build(cities=("da-nang", "bangkok"))
    actions.save_answers(secretariat, drafted, City.objects.get(slug="da-nang"), {}, submit=False)
    actions.save_answers(secretariat, drafted, City.objects.get(slug="bangkok"), {str(q(drafted, 1).pk): "Idea"},
                         submit=True)  # another city's submitted answer leaves Da Nang's survey waiting
    panel = queries.dashboard(accounts["csco"])
    assert panel is not None
    assert [(s.pk, state) for s, state in panel["waiting"]] == [(drafted.pk, "draft"), (waiting.pk, "")]
    html = render_to_string("partnerships/_survey_dashboard.html", panel)
    assert html.count(f'href="/workspace/surveys/{waiting.pk}/answer/"') == 1
    assert html.count("draft saved") == 1 and html.count("not started") == 1
    secretariat_panel = queries.dashboard(secretariat)
    assert secretariat_panel is not None
    assert [(state, count) for state, _label, count in secretariat_panel["counts"]] == [
        ("draft", 0), ("open", 5), ("closed", 0)]
    assert queries.dashboard(accounts["nr"]) is None


def test_the_secretariat_answering_for_a_city_comes_back_to_that_city_s_answer(client, secretariat):
    survey = build(cities=("bangkok",))
    client.force_login(secretariat)
    url = f"/workspace/surveys/{survey.pk}/answer/?city=bangkok"
    response = client.post(url, {f"q{q(survey, 1).pk}": "Idea", "submit": ""})
    assert (response.status_code, response.url) == (302, url)
    assert client.get(response.url).context["response"].answers == {str(q(survey, 1).pk): "Idea"}
