"""Writes of the framework app: tagging any record with framework nodes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.permissions import require_edit

from .choices import NodeKind
from .models import FrameworkNode, FrameworkTag

if TYPE_CHECKING:
    from ascn.core.permissions import Actor


def set_framework_tags(actor: Actor, obj: models.Model, primary: FrameworkNode | None,
                       secondary: Iterable[FrameworkNode] = (), via: str = "web") -> dict[str, list]:
    """Replace the framework tags of `obj`: one primary focus area and any secondary nodes.

    Returns {"primary": [old, new], "secondary": [old, new]} (codes) when something changed, else {}.
    """
    require_edit(actor, obj)
    secondary = list(dict.fromkeys(secondary))
    if primary is not None and primary.kind != NodeKind.FOCUS_AREA:
        raise ValidationError({"primary": _("The primary tag must be a focus area.")})
    if primary is not None and primary in secondary:
        secondary.remove(primary)
    content_type = ContentType.objects.get_for_model(type(obj))
    with transaction.atomic():
        current = list(FrameworkTag.objects.filter(content_type=content_type, object_id=obj.pk)
                       .select_related("node"))
        before = _codes(current)
        after = {"primary": primary.code if primary else None, "secondary": sorted(n.code for n in secondary)}
        if before == after:
            return {}
        FrameworkTag.objects.filter(content_type=content_type, object_id=obj.pk).delete()
        FrameworkTag.objects.bulk_create(
            [FrameworkTag(content_type=content_type, object_id=obj.pk, node=primary, is_primary=True)] * bool(primary)
            + [FrameworkTag(content_type=content_type, object_id=obj.pk, node=n) for n in secondary]
        )
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        core.record(actor, AuditAction.UPDATE, obj, {f"framework_{k}": v for k, v in changes.items()}, via)
    return changes


def _codes(tags: list[FrameworkTag]) -> dict[str, Any]:
    return {
        "primary": next((t.node.code for t in tags if t.is_primary), None),
        "secondary": sorted(t.node.code for t in tags if not t.is_primary),
    }
