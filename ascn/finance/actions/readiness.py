"""Writes of projects' readiness for financing: the assessment and its answers with their evidence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core import audit
from ascn.core.choices import AuditAction
from ascn.core.models import User
from ascn.plans.models import Project, ProjectDocument

from .. import readiness
from ..models import ReadinessAnswer, ReadinessAssessment
from .business_cases import require_project_edit

if TYPE_CHECKING:
    from ascn.core.permissions import Actor


def assessment_for(actor: Actor, project: Project, via: str = "web") -> ReadinessAssessment:
    """The project's readiness assessment, started (empty) the first time its editor asks for it."""
    existing = ReadinessAssessment.objects.filter(project=project).first()
    if existing is not None:
        return existing
    require_project_edit(actor, project)
    with transaction.atomic():
        return core.create_audited(actor, ReadinessAssessment(project=project), via)


def update_assessment(actor: Actor, assessment: ReadinessAssessment, data: Mapping[str, Any], via: str = "web"
                      ) -> dict[str, list[Any]]:
    """The gate the score aims at, and whether the assessment is published."""
    require_project_edit(actor, assessment.project)
    data = core.only_fields(data, {"target_stage", "is_published"})
    preferred = assessment.project.business_cases.filter(is_preferred=True).first()
    if data.get("is_published") and preferred is not None and not preferred.is_published:
        raise ValidationError({"is_published": _("Publish the preferred business case first: the readiness "
                                                 "score quotes its figures.")})
    with transaction.atomic():
        return core.update_audited(actor, assessment, data, via)


def answer_criterion(actor: Actor, assessment: ReadinessAssessment, code: str, data: Mapping[str, Any],
                     via: str = "web") -> dict[str, list[Any]]:
    """Record the project's status on one criterion with its evidence (text, a link or one of the
    project's documents). Criteria the appraisal decides cannot be answered by hand."""
    require_project_edit(actor, assessment.project)
    try:
        criterion = readiness.criterion(code)
    except KeyError:
        raise ValidationError({"criterion": _("“%(code)s” is not a readiness criterion.") % {"code": code}}) from None
    if criterion.check:
        raise ValidationError({"status": _("The business case's appraisal decides this criterion.")})
    data = core.only_fields(data, {"status", "evidence", "evidence_url", "document"})
    document = data.get("document")
    if isinstance(document, ProjectDocument) and document.project_id != assessment.project_id:
        raise ValidationError({"document": _("Choose one of this project's documents.")})
    with transaction.atomic():
        answer = (ReadinessAnswer.objects.filter(assessment=assessment, criterion=code).first()
                  or ReadinessAnswer(assessment=assessment, criterion=code))
        before = audit.snapshot(answer, ["status", "evidence", "evidence_url", "document"])
        for name, value in data.items():
            setattr(answer, name, value)
        changes = audit.diff(before, audit.snapshot(answer, ["status", "evidence", "evidence_url", "document"]))
        if answer.pk is not None and not changes:
            return {}
        answer.updated_by = actor if isinstance(actor, User) else None
        answer.full_clean()
        answer.save()
        changes = {f"{code}.{name}": values for name, values in changes.items()}
        core.record(actor, AuditAction.UPDATE, assessment, changes, via)
    return changes
