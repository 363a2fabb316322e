"""Every write of the finance app: validated, atomic, audited."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core import audit
from ascn.core.choices import AuditAction
from ascn.core.money import is_currency
from ascn.core.permissions import can_edit, require_edit
from ascn.plans.models import Project, ProjectDocument

from . import calculation, engine, readiness
from .models import BusinessCase, FinancingInstrument, ReadinessAnswer, ReadinessAssessment

CASE_FIELDS = {"scenario", "description", "inputs", "risk", "sensitivity", "is_preferred", "is_published"}


def set_instrument_links(actor: Any, instrument: FinancingInstrument, focus_areas: Iterable, providers: Iterable,
                         via: str = "web") -> dict[str, list]:
    """Set the focus areas an instrument is used for and the network partners that provide it."""
    if actor is not None:
        require_edit(actor, instrument)
    focus_areas, providers = list(focus_areas), list(providers)
    if any(node.kind != "focus_area" for node in focus_areas):
        raise ValidationError({"focus_areas": _("Choose among the six focus areas.")})
    changes: dict[str, list] = {}
    with transaction.atomic():
        for name, related, values, key in (("focus_areas", instrument.focus_areas, focus_areas, "code"),
                                           ("providers", instrument.providers, providers, "slug")):
            before = sorted(related.values_list(key, flat=True))
            after = sorted(getattr(v, key) for v in values)
            if before != after:
                related.set(values)
                changes[name] = [before, after]
        if changes:
            core.record(actor, AuditAction.UPDATE, instrument, changes, via)
    return changes


# --- Business cases ---------------------------------------------------------------------------------




def _require_project_edit(actor: Any, project: Project) -> None:
    if actor is not None and not can_edit(actor, project):
        raise PermissionDenied(_("You may not change this project's business cases."))


def _with_seed(risk: Mapping[str, Any]) -> dict[str, Any]:
    """A Monte Carlo keeps its seed, so the stored results can always be reproduced."""
    risk = dict(risk or {})
    if risk.get("drivers") and risk.get("seed") is None:
        risk["seed"] = secrets.randbelow(2**63)
    return risk


def _results(case: BusinessCase) -> dict[str, Any]:
    """The case's results, or a ValidationError naming every bad field (as `inputs.lines[0].values`)."""
    try:
        return calculation.calculate(case.inputs, case.risk, case.sensitivity, is_currency)
    except engine.ModelError as exc:
        raise ValidationError({name: message for name, message in _merged(exc.problems).items()}) from None


def _merged(problems: list[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, message in problems:
        merged[name] = f"{merged[name]}; {message}" if name in merged else message
    return merged


def _unprefer_others(case: BusinessCase) -> None:
    if case.is_preferred:
        BusinessCase.objects.filter(project_id=case.project_id, is_preferred=True).exclude(pk=case.pk) \
            .update(is_preferred=False)


def create_business_case(actor: Any, project: Project, data: Mapping[str, Any], via: str = "web") -> BusinessCase:
    """A new scenario of the project's business case; its results are computed before it is saved, so a
    stored case always has results. The project's first case becomes its preferred one."""
    _require_project_edit(actor, project)
    data = core.only_fields(data, CASE_FIELDS)
    data["risk"] = _with_seed(data.get("risk") or {})
    case = BusinessCase(project=project, created_by=actor if getattr(actor, "is_authenticated", False) else None,
                        **data)
    if not project.business_cases.exists():
        case.is_preferred = True
    case.results = _results(case)
    with transaction.atomic():
        _unprefer_others(case)
        case.full_clean(exclude=["results"])
        case.save()
        core.record(actor, AuditAction.CREATE, case, {name: [None, getattr(case, name)] for name in sorted(data)}, via)
    return case


def update_business_case(actor: Any, case: BusinessCase, data: Mapping[str, Any], via: str = "web"
                         ) -> dict[str, list]:
    """Change a scenario's settings and recompute its results; returns {field: [old, new]}."""
    _require_project_edit(actor, case.project)
    data = core.only_fields(data, CASE_FIELDS)
    if "risk" in data:
        risk = dict(data["risk"] or {})
        if risk.get("drivers") and risk.get("seed") is None:
            risk["seed"] = case.risk.get("seed")  # a new seed only if the case never had one
        data["risk"] = _with_seed(risk)
    with transaction.atomic():
        changes = core.update_audited(actor, case, {k: v for k, v in data.items()
                                                    if k not in ("inputs", "risk", "sensitivity")}, via)
        model_changes = {k: [getattr(case, k), v] for k, v in data.items()
                         if k in ("inputs", "risk", "sensitivity") and getattr(case, k) != v}
        if model_changes:
            for name, (_old, new) in model_changes.items():
                setattr(case, name, new)
            case.results = _results(case)
            case.save(update_fields=[*model_changes, "results", "updated_at"])
            core.record(actor, AuditAction.UPDATE, case, model_changes, via)
            changes.update(model_changes)
        _unprefer_others(case)
    return changes


def delete_business_case(actor: Any, case: BusinessCase, via: str = "web") -> None:
    """Remove a scenario; if it was the preferred one, the next scenario (by name) takes its place."""
    _require_project_edit(actor, case.project)
    with transaction.atomic():
        project_id, was_preferred = case.project_id, case.is_preferred
        core.delete_audited(actor, case, via)
        if was_preferred:
            following = BusinessCase.objects.filter(project_id=project_id).order_by("scenario").first()
            if following is not None:
                core.update_audited(actor, following, {"is_preferred": True}, via)


# --- Readiness --------------------------------------------------------------------------------------


def assessment_for(actor: Any, project: Project, via: str = "web") -> ReadinessAssessment:
    """The project's readiness assessment, started (empty) the first time its editor asks for it."""
    existing = ReadinessAssessment.objects.filter(project=project).first()
    if existing is not None:
        return existing
    _require_project_edit(actor, project)
    with transaction.atomic():
        return core.create_audited(actor, ReadinessAssessment(project=project), via)


def update_assessment(actor: Any, assessment: ReadinessAssessment, data: Mapping[str, Any], via: str = "web"
                      ) -> dict[str, list]:
    """The gate the score aims at, and whether the assessment is published."""
    _require_project_edit(actor, assessment.project)
    data = core.only_fields(data, {"target_stage", "is_published"})
    preferred = assessment.project.business_cases.filter(is_preferred=True).first()
    if data.get("is_published") and preferred is not None and not preferred.is_published:
        raise ValidationError({"is_published": _("Publish the preferred business case first: the readiness "
                                                 "score quotes its figures.")})
    with transaction.atomic():
        return core.update_audited(actor, assessment, data, via)


def answer_criterion(actor: Any, assessment: ReadinessAssessment, code: str, data: Mapping[str, Any],
                     via: str = "web") -> dict[str, list]:
    """Record the project's status on one criterion with its evidence (text, a link or one of the
    project's documents). Criteria the appraisal decides cannot be answered by hand."""
    _require_project_edit(actor, assessment.project)
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
        answer.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        answer.full_clean()
        answer.save()
        changes = {f"{code}.{name}": values for name, values in changes.items()}
        core.record(actor, AuditAction.UPDATE, assessment, changes, via)
    return changes
