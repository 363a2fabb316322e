"""Writes of the indicator catalogue: the Secretariat sets an indicator's unit and calculation, and its names in
the site's other languages.

A changed unit or multiplier changes what the indicator's stored values mean, so they are recomputed from
their stored numerator and denominator (where both exist) and flagged again against each other (range,
history and peers, as when they were written; a reviewer's query stays). Up to BACKGROUND_MIN_ROWS values
this happens in the same request; an indicator with more is handed to the background task
`tasks.catalogue.recompute_indicator`. Either way the values are read once and the changed rows written with
`core.bulk.update_by_id`, so the cost grows with the indicator's rows only.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core import bulk, periods
from ascn.core.choices import AuditAction
from ascn.core.permissions import require_edit

from .. import validation
from ..choices import Direction
from ..models import Indicator, Observation
from ..tasks.catalogue import recompute_indicator

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

DEFINITION_FIELDS = ("unit", "multiplier", "calculation", "numerator", "denominator", "direction",
                     "definition_source")
RESCALING_FIELDS = frozenset({"unit", "multiplier"})
BACKGROUND_MIN_ROWS = 20_000
NAME_LIMIT = 250  # as Indicator.name
_TEXT_LIMITS = {"unit": 60, "calculation": 500, "numerator": 300, "denominator": 300, "definition_source": 500}
_PER_RE = re.compile(r"\bper\s+(\d[\d,\s]*\d|\d)", re.IGNORECASE)


@dataclass
class Recount:
    """What happened to an indicator's stored values after its unit or multiplier changed."""

    rows: int = 0            # stored values of the indicator
    recomputed: int = 0      # values that changed (recomputed from their numerator and denominator)
    reflagged: int = 0       # values whose flags changed
    queued: bool = False     # handed to the background task; the counts are its to report


@dataclass
class DefinitionChange:
    changes: dict[str, list]
    recount: Recount | None  # None: the unit and the multiplier did not change


def update_definition(actor: Actor, indicator: Indicator, data: dict[str, Any], via: str = "web") -> DefinitionChange:
    """Set the indicator's unit, multiplier, calculation, numerator and denominator texts, better direction and
    source (the Secretariat only; fields not given are kept). A new unit or multiplier recomputes and
    re-flags the stored values (see the module). Raises ValidationError naming the field."""
    require_edit(actor, indicator)
    values = _cleaned(core.only_fields(data, set(DEFINITION_FIELDS)))
    _check_definition({**{name: getattr(indicator, name) for name in DEFINITION_FIELDS}, **values})
    with transaction.atomic():
        changes = core.update_audited(actor, indicator, values, via=via)
        if not RESCALING_FIELDS & set(changes) or not indicator.unit:
            return DefinitionChange(changes, None)  # without a unit nothing is recomputed; values are refused
        rows = Observation.objects.filter(indicator=indicator).count()
        if rows >= BACKGROUND_MIN_ROWS:
            pk = indicator.pk
            transaction.on_commit(lambda: recompute_indicator.enqueue(pk, via))
            return DefinitionChange(changes, Recount(rows=rows, queued=True))
        return DefinitionChange(changes, recompute(indicator, actor=actor, via=via))


def update_names(actor: Actor, indicator: Indicator, names: dict[str, str], via: str = "web") -> dict[str, list]:
    """Set the indicator's name in other languages (`names`: {language code: name}; an empty name removes the
    translation, so the English one is shown). The Secretariat only; the other translated texts (dimension,
    category) are kept. Returns the audited change ({} when nothing changed). Raises ValidationError naming
    the field (`name_<code>`)."""
    require_edit(actor, indicator)
    languages = {code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE}
    errors = {}
    for code, name in names.items():
        if code not in languages:
            errors[f"name_{code}"] = _("“%(code)s” is not one of the site's languages.") % {"code": code}
        elif len((name or "").strip()) > NAME_LIMIT:
            errors[f"name_{code}"] = _("Keep it to %(limit)d characters.") % {"limit": NAME_LIMIT}
    if errors:
        raise ValidationError(errors)
    i18n = copy.deepcopy(indicator.i18n or {})
    for code, name in names.items():
        texts = dict(i18n.get(code) or {})
        if (name or "").strip():
            texts["name"] = name.strip()
        else:
            texts.pop("name", None)
        if texts:
            i18n[code] = texts
        else:
            i18n.pop(code, None)
    with transaction.atomic():
        return core.update_audited(actor, indicator, {"i18n": i18n}, via=via)


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    """Texts stripped; an empty multiplier or direction as the model stores it."""
    cleaned = {name: (value or "").strip() if name in _TEXT_LIMITS else value for name, value in values.items()}
    if "multiplier" in cleaned and cleaned["multiplier"] in ("", None):
        cleaned["multiplier"] = None
    if "direction" in cleaned:
        cleaned["direction"] = cleaned["direction"] or ""
    return cleaned


def _check_definition(definition: dict[str, Any]) -> None:
    """The unit and the multiplier must agree (a percentage is x 100, "per 100,000 inhabitants" x 100,000),
    so a ratio can never again be stored as a fraction of what its unit says."""
    errors: dict[str, str] = {}
    for name, limit in _TEXT_LIMITS.items():
        if len(definition[name] or "") > limit:
            errors[name] = _("Keep it to %(limit)d characters.") % {"limit": limit}
    if definition["direction"] not in ("", *Direction.values):
        errors["direction"] = _("Choose higher or lower, or leave it undecided.")
    unit, multiplier = definition["unit"] or "", definition["multiplier"]
    if multiplier is not None:
        try:
            multiplier = float(multiplier)
        except (TypeError, ValueError):
            errors["multiplier"] = _("The multiplier is a number, such as 100 or 100000.")
            multiplier = None
    if multiplier is not None and not (math.isfinite(multiplier) and multiplier > 0):
        errors["multiplier"] = _("The multiplier is a number above 0, such as 100 or 100000.")
    elif multiplier is not None and not unit:
        errors["unit"] = _("Give the unit the multiplier makes the ratio into.")
    elif multiplier is not None and validation.is_percentage(unit) and multiplier != 100:
        errors["multiplier"] = _("A percentage is numerator / denominator x 100: set the multiplier to 100, or "
                                 "leave it empty.")
    elif multiplier is not None and not validation.is_percentage(unit) and _per(unit) not in (None, multiplier):
        errors["multiplier"] = _("The unit says per %(per)s: set the multiplier to %(per)s, or leave it empty.") % {
            "per": validation.fmt(_per(unit))}
    if errors:
        raise ValidationError(errors)


def _per(unit: str) -> float | None:
    """N of a unit "... per N ..." (100000 for "beds per 100,000 inhabitants"); None when it names no number."""
    match = _PER_RE.search(unit)
    if not match:
        return None
    digits = re.sub(r"[,\s]", "", match[1])
    return float(digits) if digits.isdigit() and int(digits) > 0 else None


def recompute(indicator: Indicator, actor: Actor | None = None, via: str = "") -> Recount:
    """Recompute the indicator's stored values from their numerator and denominator with its unit's scale,
    flag every value again, and write the rows that changed; one audit entry on the indicator counts them."""
    stored = list(Observation.objects.filter(indicator_id=indicator.pk).order_by("id").values_list(
        "id", "city_id", "period", "value", "numerator", "denominator", "flags"))
    count = Recount(rows=len(stored))
    if not stored:
        return count
    ids, city_ids, texts, old_values, numerators, denominators, old_flags = (list(c) for c in zip(*stored,
                                                                                                   strict=True))
    old = np.array(old_values, dtype=np.float64)
    scale = np.full(len(ids), validation.scale_for(indicator.unit, indicator.multiplier))
    expected = validation.ratio_values(_floats(numerators), _floats(denominators), scale)
    new = np.where(np.isnan(expected), old, expected)
    changed_value = ~np.isclose(new, old, rtol=1e-12, atol=0.0)
    new_flags = _flags_again(indicator, np.array(city_ids, dtype=np.int64), texts, new, old_flags)
    changed = [i for i in range(len(ids)) if changed_value[i] or new_flags[i] != old_flags[i]]
    count.recomputed = int(changed_value.sum())
    count.reflagged = sum(1 for i in changed if new_flags[i] != old_flags[i])
    with transaction.atomic():
        if changed:
            bulk.update_by_id(Observation, [ids[i] for i in changed],
                              {"value": [float(new[i]) for i in changed], "flags": [new_flags[i] for i in changed]},
                              {"updated_at": timezone.now()})
        core.record(actor, AuditAction.UPDATE, indicator, {
            "values_recomputed": [None, count.recomputed], "values_reflagged": [None, count.reflagged]}, via)
    return count


def _floats(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _flags_again(indicator: Indicator, city_ids: np.ndarray, texts: list[str], values: np.ndarray,
                 old_flags: list[list[dict]]) -> list[list[dict]]:
    """Each value's flags found again against the indicator's values as they now are (range, the city's own
    series, the other cities of the period); flags a reviewer added are kept."""
    parsed = periods.columns(texts)
    everything = np.ones(len(values), dtype=bool)
    found = validation.merge_flags(
        validation.range_flags(values, np.full(len(values), validation.is_percentage(indicator.unit))),
        validation.history_outliers(city_ids * 4 + parsed.kind, parsed.ordinal, values, everything, texts),
        validation.peer_outliers(parsed.code, values, everything, texts))
    return [[f for f in (flags or []) if f.get("code") not in validation.COMPUTED_FLAGS] + found.get(i, [])
            for i, flags in enumerate(old_flags)]
