"""Every write of the knowledge app: validated, atomic, audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.permissions import require_edit

from .models import CaseStudy


def set_case_study_links(actor: Any, case_study: CaseStudy, focus_areas: Iterable, instruments: Iterable,
                         partners: Iterable, via: str = "web") -> dict[str, list]:
    """Set the focus areas, financing instruments and partners of a case study; returns what changed."""
    if actor is not None:
        require_edit(actor, case_study)
    focus_areas, instruments, partners = list(focus_areas), list(instruments), list(partners)
    if any(node.kind != "focus_area" for node in focus_areas):
        raise ValidationError({"focus_areas": _("Choose among the six focus areas.")})
    changes: dict[str, list] = {}
    with transaction.atomic():
        for name, related, values, key in (("focus_areas", case_study.focus_areas, focus_areas, "code"),
                                           ("instruments", case_study.instruments, instruments, "slug"),
                                           ("partners", case_study.partners, partners, "slug")):
            before = sorted(related.values_list(key, flat=True))
            after = sorted(getattr(v, key) for v in values)
            if before != after:
                related.set(values)
                changes[name] = [before, after]
        if changes:
            core.record(actor, AuditAction.UPDATE, case_study, changes, via)
    return changes
