"""Writes of projects' readiness for financing: the assessment and its answers with their evidence, saved
together (`save_answers`, all or nothing) or one criterion at a time through it."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import formats, timezone
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


def assessment_for(actor: Actor, project: Project, via: str = "web", *, synthetic: bool = False
                   ) -> ReadinessAssessment:
    """The project's readiness assessment, started (empty) the first time its editor asks for it; a new one is
    `synthetic` when the demo starts it (an existing one is returned as it is)."""
    existing = ReadinessAssessment.objects.filter(project=project).first()
    if existing is not None:
        return existing
    require_project_edit(actor, project)
    with transaction.atomic():
        return core.create_audited(actor, ReadinessAssessment(project=project, synthetic=synthetic), via)


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


ANSWER_FIELDS = ("status", "evidence", "evidence_url", "document")


class StaleAnswers(ValidationError):
    """Answers were saved after the form was drawn: saving would silently replace them. `changes` lists
    (who, when, criterion code) of each, newest first."""

    def __init__(self, message: str, changes: list[tuple[str, dt.datetime, str]]) -> None:
        super().__init__({"version": [message]})
        self.changes = changes


def answers_version(rows: Iterable[ReadinessAnswer]) -> str:
    """A fingerprint of the stored answers (every criterion's status and evidence). The readiness form
    carries the one it was drawn from, and a save made from an older one is refused (`StaleAnswers`)."""
    content = sorted([row.criterion, *(audit.snapshot(row, list(ANSWER_FIELDS)).values())] for row in rows)
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, default=str).encode()).hexdigest()[:24]


def save_answers(actor: Actor, project: Project, data: Mapping[str, Mapping[str, Any]], *,
                 version: str | None = None, opened_at: dt.datetime | None = None,
                 via: str = "web") -> dict[str, list[Any]]:
    """Record the project's status and evidence on any number of criteria at once, all or nothing.

    `data` is `{criterion code: {"status", "evidence", "evidence_url", "document"}}` (any of the four). Every
    answer is checked first: an unknown criterion (`<code>.criterion`), one the appraisal decides
    (`<code>.status`), a field that cannot be set, a document of another project, and the model's own rules
    (a status of the list, a link); any problem raises one ValidationError naming each as `<code>.<field>`
    and nothing is written. With `version` (see `answers_version`) a form drawn before someone else saved
    is refused with `StaleAnswers`, listing the answers saved after `opened_at`. Only answers that change are
    written (an unanswered criterion left at "not met" with no evidence stores nothing), with one audit
    entry on the assessment naming each change as `<code>.<field>`; returns those changes."""
    require_project_edit(actor, project)
    with transaction.atomic():
        assessment = ReadinessAssessment.objects.select_for_update().filter(project=project).first()
        rows = {row.criterion: row
                for row in (assessment.answers.select_for_update(of=("self",)).select_related("updated_by")
                            if assessment else [])}
        if version is not None and version != answers_version(rows.values()):
            raise stale_answers(rows.values(), opened_at)
        errors: dict[str, list[str]] = {}
        planned = [found for code, values in data.items()
                   if (found := _checked_answer(project, code, values, rows.get(code), errors)) is not None]
        if errors:
            raise ValidationError(errors)
        changed = [(row, changes) for row, changes in planned if changes]
        if not changed:
            return {}
        if assessment is None:
            assessment = core.create_audited(actor, ReadinessAssessment(project=project), via)
        recorded: dict[str, list[Any]] = {}
        for row, changes in changed:
            row.assessment = assessment
            row.updated_by = actor if isinstance(actor, User) else None
            row.full_clean()
            row.save()
            recorded.update({f"{row.criterion}.{name}": values for name, values in changes.items()})
        core.record(actor, AuditAction.UPDATE, assessment, recorded, via)
    return recorded


def _checked_answer(project: Project, code: str, values: Any, stored: ReadinessAnswer | None,
                    errors: dict[str, list[str]]) -> tuple[ReadinessAnswer, dict[str, list[Any]]] | None:
    """The criterion's answer with the new values applied and its changes, or None with the problems in
    `errors`."""
    try:
        criterion = readiness.criterion(code)
    except KeyError:
        errors[f"{code}.criterion"] = [_("“%(code)s” is not a readiness criterion.") % {"code": code}]
        return None
    if criterion.check:
        errors[f"{code}.status"] = [_("The business case's appraisal decides this criterion.")]
        return None
    if not isinstance(values, Mapping):
        errors[code] = [_("Give the answer's fields as an object.")]
        return None
    unknown = sorted(set(values) - set(ANSWER_FIELDS))
    for name in unknown:
        errors[f"{code}.{name}"] = [_("This field cannot be set here.")]
    document = values.get("document")
    if isinstance(document, ProjectDocument) and document.project_id != project.pk:
        errors[f"{code}.document"] = [_("Choose one of this project's documents.")]
    if unknown or f"{code}.document" in errors:
        return None
    row = copy.copy(stored) if stored is not None else ReadinessAnswer(criterion=code)
    before = audit.snapshot(row, list(ANSWER_FIELDS))
    for name, value in values.items():
        setattr(row, name, value)
    try:
        row.full_clean(exclude=["assessment", "updated_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors[code if name == NON_FIELD_ERRORS else f"{code}.{name}"] = messages
        return None
    return row, audit.diff(before, audit.snapshot(row, list(ANSWER_FIELDS)))


def stale_answers(rows: Iterable[ReadinessAnswer], opened_at: dt.datetime | None) -> StaleAnswers:
    """The refusal of a form drawn before the answers `rows` were saved: who saved which after `opened_at`."""
    saved = sorted((row for row in rows if opened_at is None or row.updated_at > opened_at),
                   key=lambda row: row.updated_at, reverse=True)[:None if opened_at else 1]
    changes = [(_who(row.updated_by), row.updated_at, row.criterion) for row in saved]
    if changes:
        who, when, _code = changes[0]
        message = _("%(who)s saved answers on %(when)s, after you opened this page. Nothing was saved, so that "
                    "their answers are not overwritten: what you typed is still below, and the criteria they "
                    "answered show what they saved. Save again to replace their answers with yours.") % {
            "who": who, "when": formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")}
    else:
        message = _("The answers were changed after you opened this page. Nothing was saved, so that those "
                    "changes are not overwritten: what you typed is still below. Save again to replace them.")
    return StaleAnswers(message, changes)


def _who(account: User | None) -> str:
    if account is None:
        return _("The platform")
    return account.get_full_name() or account.username


def answer_criterion(actor: Actor, assessment: ReadinessAssessment, code: str, data: Mapping[str, Any],
                     via: str = "web") -> dict[str, list[Any]]:
    """Record the project's status on one criterion with its evidence (the API's PUT of one criterion),
    through `save_answers`: errors name the answer's fields as they are (`status`, `document`, `criterion`).
    Criteria the appraisal decides cannot be answered by hand."""
    try:
        return save_answers(actor, assessment.project, {code: dict(data)}, via=via)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        prefix = f"{code}."
        raise ValidationError({name.removeprefix(prefix) if name.startswith(prefix) else NON_FIELD_ERRORS: messages
                               for name, messages in exc.message_dict.items()}) from None
