"""Every write of the knowledge app: validated, atomic, audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.permissions import require_edit

from .models import CaseStudy

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import ManyRelatedManager

    from ascn.core.permissions import Actor
    from ascn.finance.models import FinancingInstrument
    from ascn.framework.models import FrameworkNode
    from ascn.network.models import Partner

_M = TypeVar("_M", bound=models.Model)


def set_case_study_links(actor: Actor | None, case_study: CaseStudy, focus_areas: Iterable[FrameworkNode],
                         instruments: Iterable[FinancingInstrument], partners: Iterable[Partner],
                         via: str = "web") -> dict[str, list[Any]]:
    """Set the focus areas, financing instruments and partners of a case study; returns what changed.

    Without an actor (the seed), no permission is checked and the audit entry has no actor."""
    if actor is not None:
        require_edit(actor, case_study)
    nodes, instrument_list, partner_list = list(focus_areas), list(instruments), list(partners)
    if any(node.kind != "focus_area" for node in nodes):
        raise ValidationError({"focus_areas": _("Choose among the six focus areas.")})
    changes: dict[str, list[Any]] = {}
    with transaction.atomic():
        for name, change in (("focus_areas", _relink(case_study.focus_areas, nodes, "code")),
                             ("instruments", _relink(case_study.instruments, instrument_list, "slug")),
                             ("partners", _relink(case_study.partners, partner_list, "slug"))):
            if change is not None:
                changes[name] = change
        if changes:
            core.record(actor, AuditAction.UPDATE, case_study, changes, via)
    return changes


def _relink(related: ManyRelatedManager[_M, Any], values: list[_M], key: str) -> list[Any] | None:
    """Set `related` to `values` when their `key`s differ; returns [before, after] then, else None."""
    before = sorted(related.values_list(key, flat=True))
    after = sorted(getattr(v, key) for v in values)
    if before == after:
        return None
    related.set(values)
    return [before, after]
