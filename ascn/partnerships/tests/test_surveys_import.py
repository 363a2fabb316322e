"""Answers on paper uploaded in bulk (CSV or XLSX): checked first with nothing written, then written all together
from the kept file, submitted and marked on paper; an answer a city submitted in the workspace is never replaced;
only the Secretariat and the survey's partner upload, and a refusal changes nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from ascn.core.models import AuditEntry
from ascn.core.testing.bases import snapshot
from ascn.network.models import City, Partner
from ascn.partnerships.actions import surveys as actions
from ascn.partnerships.models import Question, Survey, SurveyResponse

from .test_surveys import TABLES, build, danang_answers, q

pytestmark = pytest.mark.django_db


def csv_file(text: str, name: str = "paper.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def paper(survey: Survey) -> str:
    return ("city,Q1. Stage,Q2. Support,Q3,Q4,Q6\n"
            "ha-noi,Plan adopted,Studies; Loans,7,VND 5000000,quality_environment\n"
            "Bangkok,Idea,,3.5,USD 250,\n")


def test_the_secretariat_checks_then_imports_answers_on_paper(client, secretariat):
    survey = build()
    client.force_login(secretariat)
    url = f"/workspace/surveys/{survey.pk}/import/"
    before = snapshot(TABLES)
    checked = client.post(url, {"file": csv_file(paper(survey))})
    assert checked.status_code == 200
    summary = checked.context["summary"]
    assert (summary["created"], summary["updated"], summary["unchanged"], summary["errors"]) == (2, 0, 0, [])
    assert [r["key"] for r in summary["created_rows"]] == ["Ha Noi", "Bangkok"]
    assert snapshot(TABLES) == before, "a check writes nothing"
    kept = checked.context["kept"]
    assert kept.startswith(f"survey-uploads/{survey.pk}/") and default_storage.exists(kept)
    done = client.post(url, {"kept": kept})
    assert done.status_code == 302 and done.url == f"/workspace/surveys/{survey.pk}/results/"
    stored = {r.city.slug: r for r in SurveyResponse.objects.filter(survey=survey)}
    assert sorted(stored) == ["bangkok", "ha-noi"]
    assert stored["ha-noi"].answers == {
        str(q(survey, 1).pk): "Plan adopted", str(q(survey, 2).pk): ["Studies", "Loans"],
        str(q(survey, 3).pk): "7", str(q(survey, 4).pk): {"amount": "5000000.00", "currency": "VND"},
        str(q(survey, 6).pk): ["quality_environment"]}
    assert stored["bangkok"].answers == {str(q(survey, 1).pk): "Idea", str(q(survey, 3).pk): "3.5",
                                         str(q(survey, 4).pk): {"amount": "250.00", "currency": "USD"}}
    assert {(r.state, r.on_paper, r.submitted_by) for r in stored.values()} == {("submitted", True, secretariat)}
    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(SurveyResponse))
    assert sorted((e.object_id, e.action, e.changes["uploaded_file"][1]) for e in entries) == sorted(
        (str(r.pk), "create", kept) for r in stored.values())
    again = client.post(url, {"file": csv_file(paper(survey))})
    assert (again.context["summary"]["unchanged"], again.context["summary"]["created"]) == (2, 0)


def test_an_xlsx_of_the_export_layout_imports(client, secretariat):
    from openpyxl import Workbook

    survey = build()
    book = Workbook()
    sheet = book.active
    sheet.append(["city", "city_name", "country", "Q1. Stage of your smart-city plan", "Q3. Staff"])
    sheet.append(["bangkok", "Bangkok", "THA", "Implementing", 14])
    data = io.BytesIO()
    book.save(data)
    summary = actions.import_answers(secretariat, survey, "paper.xlsx", data.getvalue(), commit=True)
    assert (summary.committed, summary.created) == (True, 1)
    assert SurveyResponse.objects.get(survey=survey).answers == {str(q(survey, 1).pk): "Implementing",
                                                                 str(q(survey, 3).pk): "14"}


def test_bad_rows_are_named_and_nothing_is_written(secretariat):
    survey = build()
    actions.save_answers(secretariat, survey, City.objects.get(slug="da-nang"), danang_answers(survey), submit=True)
    text = ("city,Q1,Q4,Q6\n"
            "da-nang,Idea,,\n"
            "singapore,Idea,,\n"
            "bangkok,Perhaps,JPY ten,\n"
            "ha-noi,,USD 5,flying_cars\n")
    before = snapshot(TABLES)
    summary = actions.import_answers(secretariat, survey, "paper.csv", text.encode(), commit=True)
    assert summary.committed is False
    assert summary.errors == [
        {"row": 2, "column": "city", "reason": "Da Nang answered in the workspace: its answer is not replaced."},
        {"row": 3, "column": "city", "reason": "“singapore” is not a city this survey was sent to."},
        {"row": 4, "column": "Q1", "reason": "Choose one of the listed answers (“Perhaps” is not one)."},
        {"row": 4, "column": "Q4", "reason": "Give an amount (“ten” is not one)."},
        {"row": 5, "column": "Q1", "reason": "Answer this question: it is required."},
        {"row": 5, "column": "Q6", "reason": "“flying_cars” is not a focus area of the framework."},
    ]
    assert snapshot(TABLES) == before


@pytest.mark.parametrize(("text", "problem"), [
    ("town,Q1\nbangkok,Idea\n", "The file has no “city” column (the city's slug or name)."),
    ("city,stage\nbangkok,Idea\n", "The file has no question column (“Q1”, “Q2”… as in the export)."),
    ("city,Q9\nbangkok,Idea\n", "Column “Q9”: the survey has no question 9."),
])
def test_a_file_without_the_columns_is_refused_as_a_whole(secretariat, text, problem):
    survey = build()
    before = snapshot((Survey, Question, SurveyResponse))
    summary = actions.import_answers(secretariat, survey, "paper.csv", text.encode(), commit=True)
    assert (summary.problem, summary.committed) == (problem, False)
    assert snapshot((Survey, Question, SurveyResponse)) == before


def test_only_the_secretariat_and_the_survey_s_partner_upload(client, accounts):
    jica_survey = build(owner=accounts["partner"].partner)
    adb_survey = build(owner=Partner.objects.get(slug="adb"))
    before = snapshot(TABLES)
    for role, survey, status in (("csco", jica_survey, 403), ("nr", jica_survey, 403), ("none", jica_survey, 403),
                                 ("partner", adb_survey, 403)):
        client.force_login(accounts[role])
        url = f"/workspace/surveys/{survey.pk}/import/"
        assert client.get(url).status_code == status, role
        assert client.post(url, {"file": csv_file(paper(survey))}).status_code == status, role
    assert snapshot(TABLES) == before
    client.force_login(accounts["partner"])
    checked = client.post(f"/workspace/surveys/{jica_survey.pk}/import/", {"file": csv_file(paper(jica_survey))})
    assert checked.context["summary"]["created"] == 2


def test_a_kept_file_of_another_survey_is_refused_and_a_draft_survey_takes_no_upload(client, secretariat):
    survey, other, draft = build(), build(), build(state="draft")
    key = actions.keep_survey_upload(other, "paper.csv", paper(other).encode())
    client.force_login(secretariat)
    before = snapshot(TABLES)
    refused = client.post(f"/workspace/surveys/{survey.pk}/import/", {"kept": key}, follow=True)
    assert [str(m) for m in refused.context["messages"]] == [
        "This upload is not one of this survey's: upload the file again."]
    with pytest.raises(ValidationError) as not_open:
        actions.import_answers(secretariat, draft, "paper.csv", paper(draft).encode(), commit=True)
    assert not_open.value.message_dict == {"survey": ["Open the survey before uploading answers."]}
    assert snapshot(TABLES) == before


def test_the_export_of_answers_on_paper_imports_back_unchanged(client, secretariat):
    survey = build()
    text = ("city,Q1,Q2,Q4,Q5,Q6,Q7\n"
            "ha-noi,Idea,Studies; Loans,JPY 1000,'=1+1,built_infrastructure; quality_environment,\n")
    assert actions.import_answers(secretariat, survey, "paper.csv", text.encode(), commit=True).created == 1
    stored = SurveyResponse.objects.get(survey=survey)
    assert stored.answers[str(q(survey, 5).pk)] == "=1+1"
    client.force_login(secretariat)
    exported = client.get(f"/workspace/surveys/{survey.pk}/export.csv").content
    again = actions.import_answers(secretariat, survey, "export.csv", exported, commit=True)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 1, [])
    assert SurveyResponse.objects.get(survey=survey).answers == stored.answers
