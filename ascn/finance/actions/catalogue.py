"""Writes of the instrument catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.permissions import require_edit

from ..models import FinancingInstrument


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
