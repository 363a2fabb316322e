"""Every write of the knowledge app: validated, atomic, audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.permissions import require_edit

from .models import CaseStudy

if TYPE_CHECKING:

    from ascn.core.permissions import Actor
    from ascn.finance.models import FinancingInstrument
    from ascn.framework.models import FrameworkNode
    from ascn.network.models import Partner



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
        for name, change in (("focus_areas", core.set_links(case_study.focus_areas, nodes, "code")),
                             ("instruments", core.set_links(case_study.instruments, instrument_list, "slug")),
                             ("partners", core.set_links(case_study.partners, partner_list, "slug"))):
            if change is not None:
                changes[name] = change
        if changes:
            core.record(actor, AuditAction.UPDATE, case_study, changes, via)
    return changes

