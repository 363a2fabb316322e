"""Writes of the instrument catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.permissions import require_edit

from ..models import FinancingInstrument

if TYPE_CHECKING:

    from ascn.core.permissions import Actor
    from ascn.framework.models import FrameworkNode
    from ascn.network.models import Partner



def set_instrument_links(actor: Actor | None, instrument: FinancingInstrument, focus_areas: Iterable[FrameworkNode],
                         providers: Iterable[Partner], via: str = "web") -> dict[str, list[Any]]:
    """Set the focus areas an instrument is used for and the network partners that provide it (no actor: the
    seed)."""
    if actor is not None:
        require_edit(actor, instrument)
    nodes, partners = list(focus_areas), list(providers)
    if any(node.kind != "focus_area" for node in nodes):
        raise ValidationError({"focus_areas": _("Choose among the six focus areas.")})
    changes: dict[str, list[Any]] = {}
    with transaction.atomic():
        for name, change in (("focus_areas", core.set_links(instrument.focus_areas, nodes, "code")),
                             ("providers", core.set_links(instrument.providers, partners, "slug"))):
            if change is not None:
                changes[name] = change
        if changes:
            core.record(actor, AuditAction.UPDATE, instrument, changes, via)
    return changes

