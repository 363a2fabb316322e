"""Readiness in the platform: answers with evidence stored per project, scored with the preferred business
case's appraisal, edited by the city's officers, public only when published."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ascn.core.models import AuditEntry
from ascn.finance import readiness
from ascn.finance.actions import readiness as actions
from ascn.finance.actions.business_cases import create_business_case, update_business_case
from ascn.finance.choices import ReadinessStage
from ascn.finance.models import ReadinessAnswer, ReadinessAssessment
from ascn.finance.queries import readiness as queries
from ascn.plans.actions import attach_document
from ascn.plans.models import Project

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


def test_the_readiness_page_and_its_htmx_answers(client, csco_danang):
    target = project()
    client.force_login(csco_danang)
    page = client.get(f"/financing/projects/{target.pk}/readiness/").content.decode()
    assert "What would raise the score" in page and 'id="concept.institutional.sponsor"' in page
    assert "of 100, towards the concept gate" in page
    url = f"/financing/projects/{target.pk}/readiness/concept.institutional.sponsor/"
    response = client.post(url, {"concept.institutional.sponsor-status": "met",
                                 "concept.institutional.sponsor-evidence": "Decision 12/2026"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-score>25<' in response.content.decode()  # the board, refreshed
    refused = client.post(url, {"concept.institutional.sponsor-status": "maybe"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert "Select a valid choice" in refused.content.decode()
    assert ReadinessAnswer.objects.get().status == "met"
    assert client.post(f"/financing/projects/{target.pk}/readiness/no.such.code/",
                       {"no.such.code-status": "met"}).status_code == 404


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
    assert client.post(f"/financing/projects/{target.pk}/readiness/concept.institutional.sponsor/",
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
