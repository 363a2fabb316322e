"""Readiness in the platform: answers with evidence stored per project, scored with the preferred business
case's appraisal, edited by the city's officers, public only when published."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import formats, timezone

from ascn.core.models import AuditEntry
from ascn.core.testing.forms import form_fields
from ascn.finance import readiness
from ascn.finance.actions import readiness as actions
from ascn.finance.actions.business_cases import create_business_case, update_business_case
from ascn.finance.choices import ReadinessStage
from ascn.finance.models import ReadinessAnswer, ReadinessAssessment
from ascn.finance.queries import readiness as queries
from ascn.plans.actions import attach_document
from ascn.plans.models import Project
from conftest import make_user

from .test_business_cases import INPUTS

pytestmark = pytest.mark.django_db

CONCEPT = [c.code for c in readiness.criteria_for("concept")]  # weights 3, 2, 1, 2, 1, 1, 2: 12 in all


def project(reference: str = "A111") -> Project:
    return Project.objects.get(reference=reference)


def answer(actor, code: str, status: str = "met", **extra) -> dict:
    assessment = actions.assessment_for(actor, project())
    return actions.answer_criterion(actor, assessment, code, {"status": status, **extra})


def test_the_stage_choices_are_the_pure_modules_stages():
    assert tuple(ReadinessStage.values) == readiness.STAGES


def test_answers_raise_the_score_and_pass_the_gate(csco_danang):
    state = queries.project_readiness(csco_danang, project())
    assert state.assessment is None and state.result.score == 0  # an editor sees an empty one
    answer(csco_danang, "concept.institutional.sponsor")                 # weight 3
    answer(csco_danang, "concept.institutional.strategy", "partial")     # weight 2, half
    result = queries.project_readiness(csco_danang, project()).result
    assert result.score == round(100 * 4 / 12)
    assert result.gate_passed is None and result.next_stage == "concept"
    for code in CONCEPT:
        answer(csco_danang, code)
    result = queries.project_readiness(csco_danang, project()).result
    assert (result.gate_passed, result.next_stage) == ("concept", "pre_feasibility")


def test_an_answer_keeps_its_evidence_and_is_audited_on_the_assessment(csco_danang):
    changes = answer(csco_danang, "concept.stakeholder.need", evidence="2025 residents' survey",
                     evidence_url="https://example.org/survey")
    assert changes == {"concept.stakeholder.need.status": ["not_met", "met"],
                       "concept.stakeholder.need.evidence": ["", "2025 residents' survey"],
                       "concept.stakeholder.need.evidence_url": ["", "https://example.org/survey"]}
    row = ReadinessAnswer.objects.get(criterion="concept.stakeholder.need")
    assert (row.status, row.updated_by) == ("met", csco_danang)
    entry = AuditEntry.objects.filter(content_type__model="readinessassessment").latest("pk")
    assert entry.changes == changes
    assert answer(csco_danang, "concept.stakeholder.need", evidence="2025 residents' survey",
                  evidence_url="https://example.org/survey") == {}


def test_the_appraisal_decides_the_automatic_criteria(csco_danang):
    with pytest.raises(ValidationError) as caught:
        answer(csco_danang, "pre_feasibility.financial.economic_case")
    assert caught.value.message_dict == {"status": ["The business case's appraisal decides this criterion."]}
    before = queries.project_readiness(csco_danang, project()).result
    economic = next(r for r in before.results if r.criterion.code == "pre_feasibility.financial.economic_case")
    assert economic.status == "not_met" and economic.automatic
    create_business_case(csco_danang, project(), {"scenario": "Base case", "inputs": INPUTS})
    after = queries.project_readiness(csco_danang, project())
    assert after.case.scenario == "Base case"
    economic = next(r for r in after.result.results if r.criterion.code == "pre_feasibility.financial.economic_case")
    financial = next(r for r in after.result.results if r.criterion.code == "feasibility.financial.financial_case")
    assert (economic.status, financial.status) == ("met", "met")  # NPV 610 at 8 %, BCR above 1


def test_unknown_criteria_and_foreign_documents_are_refused(csco_danang, draft):
    with pytest.raises(ValidationError):
        answer(csco_danang, "concept.nothing.here")
    other = attach_document(csco_danang, draft, "Other project's study", SimpleUploadedFile("a.pdf", b"%PDF-1.4"))
    with pytest.raises(ValidationError) as caught:
        answer(csco_danang, "concept.technical.scope", document=other)
    assert caught.value.message_dict == {"document": ["Choose one of this project's documents."]}
    assert not ReadinessAnswer.objects.exists()


@pytest.mark.parametrize("who", ["nr_vietnam", "partner_jica", "no_role_user"])
def test_only_the_citys_officers_and_the_secretariat_answer(request, who, csco_danang):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        answer(actor, "concept.institutional.sponsor")
    assessment = actions.assessment_for(csco_danang, project())
    with pytest.raises(PermissionDenied):
        actions.answer_criterion(actor, assessment, "concept.institutional.sponsor", {"status": "met"})
    with pytest.raises(PermissionDenied):
        actions.update_assessment(actor, assessment, {"is_published": True})
    assert not ReadinessAnswer.objects.exists()
    assessment.refresh_from_db()
    assert not assessment.is_published


def test_readiness_is_public_only_once_published_and_its_case_too(csco_danang, nr_vietnam):
    answer(csco_danang, "concept.institutional.sponsor")
    assessment = ReadinessAssessment.objects.get()
    assert queries.project_readiness(AnonymousUser(), project()) is None
    assert queries.project_readiness(nr_vietnam, project()).result.score == 25  # 3 of 12
    case = create_business_case(csco_danang, project(), {"scenario": "Base case", "inputs": INPUTS})
    with pytest.raises(ValidationError):
        actions.update_assessment(csco_danang, assessment, {"is_published": True})
    update_business_case(csco_danang, case, {"is_published": True})
    actions.update_assessment(csco_danang, assessment, {"is_published": True})
    public = queries.project_readiness(AnonymousUser(), project())
    assert public.result.score == 25 and public.case == case


def page_of(target: Project) -> str:
    return f"/financing/projects/{target.pk}/readiness/"


def opened(client, target: Project) -> dict[str, str]:
    """The answers' form as the page draws it, as a browser would send it unchanged."""
    return form_fields(client.get(page_of(target)).content.decode(), "readiness-form")


def stored_answers() -> dict[str, tuple]:
    return {row.criterion: (row.status, row.evidence, row.evidence_url, row.document_id)
            for row in ReadinessAnswer.objects.all()}


def test_the_readiness_page_saves_every_answer_at_once_and_refreshes_the_board(client, csco_danang):
    target = project()
    client.force_login(csco_danang)
    page = client.get(page_of(target)).content.decode()
    assert "What would raise the score" in page and 'id="concept.institutional.sponsor"' in page
    assert "of 100, towards the concept gate" in page
    fields = opened(client, target)
    assert fields["concept.institutional.sponsor-status"] == "not_met"
    assert "pre_feasibility.financial.economic_case-status" not in fields  # the appraisal decides it
    fields.update({"concept.institutional.sponsor-status": "met",
                   "concept.institutional.sponsor-evidence": "Decision 12/2026",
                   "concept.institutional.strategy-status": "partial"})

    response = client.post(page_of(target), fields, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-score>33<' in html  # the board, refreshed: (3 + 1) of 12
    assert "Saved: 2 answers changed." in html and "<h1>" not in html
    assert 'data-dirty' not in html  # a fresh form, drawn from what is stored
    assert stored_answers() == {"concept.institutional.sponsor": ("met", "Decision 12/2026", "", None),
                                "concept.institutional.strategy": ("partial", "", "", None)}
    entry = AuditEntry.objects.filter(content_type__model="readinessassessment", action="update").get()
    assert (entry.actor, entry.via, entry.changes) == (csco_danang, "web", {
        "concept.institutional.sponsor.status": ["not_met", "met"],
        "concept.institutional.sponsor.evidence": ["", "Decision 12/2026"],
        "concept.institutional.strategy.status": ["not_met", "partial"]})

    fields = form_fields(html, "readiness-form")
    answer = client.post(page_of(target), fields)  # without HTMX: back to the page
    assert (answer.status_code, answer["Location"]) == (302, page_of(target))
    assert [str(m) for m in get_messages(answer.wsgi_request)] == [
        "Nothing to save: the answers were already as shown."]


def test_a_refused_answer_saves_nothing_and_keeps_every_typed_value(client, csco_danang):
    target = project()
    client.force_login(csco_danang)
    fields = opened(client, target)
    typed = {"concept.institutional.sponsor-status": "met",
             "concept.institutional.sponsor-evidence": "Decision 12/2026",
             "concept.stakeholder.need-status": "partial",
             "concept.stakeholder.need-evidence_url": "survey results",
             "concept.technical.scope-status": "maybe"}
    fields.update(typed)

    response = client.post(page_of(target), fields, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 422
    assert not ReadinessAnswer.objects.exists() and not ReadinessAssessment.objects.exists()
    kept = form_fields(html, "readiness-form")
    assert {name: kept[name] for name in typed if name != "concept.technical.scope-status"} == {
        name: value for name, value in typed.items() if name != "concept.technical.scope-status"}
    assert kept["version"] == fields["version"]
    link = "id_concept.stakeholder.need-evidence_url"
    assert f'<small class="field-error" id="{link}_error">Enter a valid URL.</small>' in html
    assert f'aria-invalid="true" aria-describedby="{link}_error" id="{link}"' in html
    summary = html[html.index('data-testid="problems"'):]
    summary = summary[:summary.index("</div>")]
    assert "Nothing was saved: 2 problems, listed below." in summary
    assert re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary) == [
        ("id_concept.technical.scope-status", "The problem, the proposed solution and its rough scope are "
         "described — Status: Select a valid choice. maybe is not one of the available choices."),
        (link, "The need is documented from residents&#x27; or users&#x27; evidence — Link: Enter a valid URL.")]
    assert 'data-dirty="true"' in html
    assert 'role="alert" tabindex="-1" autofocus' in html[html.index('<div class="error error-summary"'):]
    assert '<details class="gate" open>' in html  # the concept gate, where the problems are, is open

    kept.update({"concept.stakeholder.need-evidence_url": "https://example.org/survey",
                 "concept.technical.scope-status": "met"})
    response = client.post(page_of(target), kept, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert stored_answers() == {"concept.institutional.sponsor": ("met", "Decision 12/2026", "", None),
                                "concept.stakeholder.need": ("partial", "", "https://example.org/survey", None),
                                "concept.technical.scope": ("met", "", "", None)}


def test_answers_saved_after_the_form_was_opened_are_not_overwritten(client, csco_danang):
    target = project()
    colleague = make_user("lan.dn", "city_officer", city="da-nang", first_name="Lan", last_name="Pham")
    client.force_login(csco_danang)
    mine = opened(client, target)
    theirs_client = Client()
    theirs_client.force_login(colleague)
    theirs = opened(theirs_client, target)
    theirs.update({"concept.institutional.sponsor-status": "met", "concept.institutional.sponsor-evidence": "Theirs"})
    assert theirs_client.post(page_of(target), theirs).status_code == 302
    saved = ReadinessAnswer.objects.get()
    mine.update({"concept.institutional.strategy-status": "met"})

    response = client.post(page_of(target), mine, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 409
    assert stored_answers() == {"concept.institutional.sponsor": ("met", "Theirs", "", None)}
    when = formats.date_format(timezone.localtime(saved.updated_at), "DATETIME_FORMAT")
    assert f"Lan Pham saved answers on {when}, after you opened this page. Nothing was saved" in html
    assert f"Lan Pham saved this answer on {when}: Met." in html
    kept = form_fields(html, "readiness-form")
    assert kept["concept.institutional.strategy-status"] == "met"
    assert kept["concept.institutional.sponsor-status"] == "not_met"  # mine, with theirs noted beside it
    assert kept["version"] != mine["version"]
    assert client.post(page_of(target), kept).status_code == 302  # told, I replace theirs knowingly
    assert stored_answers() == {"concept.institutional.sponsor": ("not_met", "", "", None),
                                "concept.institutional.strategy": ("met", "", "", None)}


def test_the_action_checks_every_answer_before_writing_any(csco_danang, draft):
    target = project()
    other = attach_document(csco_danang, draft, "Other project's study", SimpleUploadedFile("a.pdf", b"%PDF-1.4"))
    with pytest.raises(ValidationError) as caught:
        actions.save_answers(csco_danang, target, {
            "concept.institutional.sponsor": {"status": "met"},
            "concept.institutional.strategy": {"status": "sometimes"},
            "concept.technical.scope": {"document": other},
            "concept.legal.mandate": {"colour": "blue"},
            "pre_feasibility.financial.economic_case": {"status": "met"},
            "concept.nothing.here": {"status": "met"}})
    assert caught.value.message_dict == {
        "concept.institutional.strategy.status": ["Value 'sometimes' is not a valid choice."],
        "concept.technical.scope.document": ["Choose one of this project's documents."],
        "concept.legal.mandate.colour": ["This field cannot be set here."],
        "pre_feasibility.financial.economic_case.status": ["The business case's appraisal decides this criterion."],
        "concept.nothing.here.criterion": ["“concept.nothing.here” is not a readiness criterion."]}
    assert not ReadinessAnswer.objects.exists() and not ReadinessAssessment.objects.exists()
    assert actions.save_answers(csco_danang, target, {"concept.institutional.sponsor": {"status": "not_met"}}) == {}
    assert not ReadinessAssessment.objects.exists()  # nothing changed: nothing started either


def test_only_the_projects_editors_save_answers(client, nr_vietnam, partner_jica, csco_danang):
    target = project()
    client.force_login(csco_danang)
    fields = opened(client, target)
    fields["concept.institutional.sponsor-status"] = "met"
    for outsider in (nr_vietnam, partner_jica):
        other = Client()
        other.force_login(outsider)
        assert other.post(page_of(target), fields).status_code == 403
        with pytest.raises(PermissionDenied):
            actions.save_answers(outsider, target, {"concept.institutional.sponsor": {"status": "met"}})
    anonymous = Client().post(page_of(target), fields)
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/accounts/login/?next={page_of(target)}")
    assert not ReadinessAnswer.objects.exists()
    page = client.get(page_of(target)).content.decode()
    assert 'data-warn-unsaved="These answers have changes that are not saved. Leave the page and lose them?"' in page
    assert page.count('type="submit"') == 3  # the answers' save, the settings' save, and logging out


def test_the_readiness_page_runs_a_fixed_number_of_queries(client, csco_danang, django_assert_max_num_queries):
    target = project()
    for n in range(3):
        attach_document(csco_danang, target, f"Study {n}", SimpleUploadedFile(f"s{n}.pdf", b"%PDF-1.4"))
    client.force_login(csco_danang)
    with django_assert_max_num_queries(14):  # not one per criterion (45 forms, each listing the documents)
        page = client.get(f"/financing/projects/{target.pk}/readiness/").content.decode()
    assert page.count(">Study 2</option>") == 40  # every criterion answered by hand offers the documents


def test_published_readiness_shows_its_evidence_to_the_public(client, csco_danang):
    target = project()
    study = attach_document(csco_danang, target, "Concept note", SimpleUploadedFile("note.pdf", b"%PDF-1.4"))
    answer(csco_danang, "concept.technical.scope", evidence="Approved in March", document=study,
           evidence_url="https://example.org/concept")
    actions.update_assessment(csco_danang, ReadinessAssessment.objects.get(), {"is_published": True})
    page = client.get(f"/financing/projects/{target.pk}/readiness/").content.decode()
    assert "Approved in March" in page and "https://example.org/concept" in page
    assert f'href="/projects/{target.pk}/documents/{study.pk}/">Concept note</a>' in page
    assert "<form" not in page.split('id="readiness-board"')[1]  # nothing to edit for the public


def test_the_readiness_page_is_hidden_until_published(client, csco_danang, nr_thailand):
    target = project()
    assert client.get(f"/financing/projects/{target.pk}/readiness/").status_code == 404
    client.force_login(nr_thailand)
    assert client.get(f"/financing/projects/{target.pk}/readiness/").status_code == 404
    assert client.post(f"/financing/projects/{target.pk}/readiness/",
                       {"concept.institutional.sponsor-status": "met"}).status_code == 403
    assert not ReadinessAssessment.objects.exists()


def test_settings_set_the_target_gate(client, csco_danang):
    target = project()
    client.force_login(csco_danang)
    response = client.post(f"/financing/projects/{target.pk}/readiness/settings/",
                           {"target_stage": "feasibility"})
    assert response.status_code == 302
    assert ReadinessAssessment.objects.get().target_stage == "feasibility"
    answer(csco_danang, "concept.institutional.sponsor")  # weight 3
    up_to_feasibility = sum(c.weight for c in readiness.CRITERIA
                            if c.stage in ("concept", "pre_feasibility", "feasibility"))
    assert up_to_feasibility == 12 + 17 + 19
    assert queries.project_readiness(csco_danang, target).result.score == round(100 * 3 / 48)
    assert queries.project_readiness(csco_danang, target, "concept").result.score == 25


def test_a_form_with_a_mangled_version_is_refused_as_stale_not_saved(client, csco_danang):
    target = project()
    client.force_login(csco_danang)
    fields = opened(client, target)
    fields.update({"version": "not-a-version", "opened_at": "yesterday",
                   "concept.institutional.sponsor-status": "met"})
    response = client.post(page_of(target), fields)
    html = response.content.decode()
    assert response.status_code == 409 and not ReadinessAnswer.objects.exists()
    assert "The answers were changed after you opened this page. Nothing was saved" in html
    assert form_fields(html, "readiness-form")["concept.institutional.sponsor-status"] == "met"
