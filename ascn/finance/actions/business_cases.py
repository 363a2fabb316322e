"""Writes of projects' business cases: each scenario's results are computed before it is stored."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.models import User
from ascn.core.money import is_currency
from ascn.core.permissions import can_edit
from ascn.plans.models import Project

from .. import calculation, engine
from ..models import BusinessCase

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

CASE_FIELDS = {"scenario", "description", "inputs", "risk", "sensitivity", "is_preferred", "is_published"}


def require_project_edit(actor: Actor | None, project: Project) -> None:
    """PermissionDenied unless the actor may change the project's business cases and readiness (no actor:
    a write of the system, such as the seed)."""
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


def create_business_case(actor: Actor, project: Project, data: Mapping[str, Any], via: str = "web", *,
                         synthetic: bool = False) -> BusinessCase:
    """A new scenario of the project's business case; its results are computed before it is saved, so a
    stored case always has results. The project's first case becomes its preferred one. A `synthetic` case is
    the demo's (`manage.py demo_data`)."""
    require_project_edit(actor, project)
    data = core.only_fields(data, CASE_FIELDS)
    data["risk"] = _with_seed(data.get("risk") or {})
    case = BusinessCase(project=project, created_by=actor if isinstance(actor, User) else None, synthetic=synthetic,
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


def update_business_case(actor: Actor, case: BusinessCase, data: Mapping[str, Any], via: str = "web"
                         ) -> dict[str, list[Any]]:
    """Change a scenario's settings and recompute its results; returns {field: [old, new]}."""
    require_project_edit(actor, case.project)
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


def delete_business_case(actor: Actor | None, case: BusinessCase, via: str = "web") -> None:
    """Remove a scenario; if it was the preferred one, the next scenario (by name) takes its place. No actor: the
    system (the demo removing its synthetic cases)."""
    require_project_edit(actor, case.project)
    with transaction.atomic():
        project_id, was_preferred = case.project_id, case.is_preferred
        core.delete_audited(actor, case, via)
        if was_preferred:
            following = BusinessCase.objects.filter(project_id=project_id).order_by("scenario").first()
            if following is not None:
                core.update_audited(actor, following, {"is_preferred": True}, via)
