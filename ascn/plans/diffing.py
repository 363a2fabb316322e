"""What changed between two versions of an action plan (pure Python, no Django).

A changed part carries each changed field with its old and new value, and for text the words that went
and came (`word_diff`), so a page can show the two texts side by side with the differences marked.
Targets are matched across versions by lineage first (a version started from another copies its targets
and remembers each one's origin, so a target edited in place reads as changed), then by their statement.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# The fields of a target a reader compares, in the order a page shows them.
TARGET_FIELDS = ("statement", "metric", "unit", "baseline_value", "baseline_year", "target_value", "target_year")

Segment = tuple[str, bool]  # a piece of text, and whether it differs from the other version
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value; for two texts, each split into segments with the differences marked."""
    name: str
    old: Any
    new: Any
    old_words: tuple[Segment, ...] = ()
    new_words: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class Change:
    part: str         # "vision", "horizon_year", "focus_areas", "targets", "priority_projects"
    kind: str         # "changed", "added" or "removed"
    old: Any = None
    new: Any = None
    fields: tuple[FieldChange, ...] = field(default=(), compare=False)


def word_diff(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """The two texts as segments, word by word: on the old side what was removed is marked, on the new side
    what was added. Neighbouring segments with the same mark are joined."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        _append(left, "".join(a[i1:i2]), tag != "equal")
        _append(right, "".join(b[j1:j2]), tag != "equal")
    return tuple(left), tuple(right)


def _append(segments: list[Segment], text: str, marked: bool) -> None:
    if not text:
        return
    if segments and (segments[-1][1] == marked or not text.strip()):
        # Join a run with the same mark; a lone space between two changes joins the run before it.
        segments[-1] = (segments[-1][0] + text, segments[-1][1])
    else:
        segments.append((text, marked))


def field_change(name: str, old: Any, new: Any) -> FieldChange:
    if isinstance(old, str) and isinstance(new, str):
        return FieldChange(name, old, new, *word_diff(old, new))
    return FieldChange(name, old, new)


def changed_fields(old: dict[str, Any], new: dict[str, Any], names: Iterable[str]) -> tuple[FieldChange, ...]:
    return tuple(field_change(name, old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name))


def _target_key(target: dict[str, Any]) -> str:
    return target["statement"].strip().casefold()


def _compared(target: dict[str, Any]) -> dict[str, Any]:
    """A target without its bookkeeping (`id`, `origin`)."""
    return {k: v for k, v in target.items() if k not in ("id", "origin")}


def _pair_targets(old: list[dict[str, Any]], new: list[dict[str, Any]]
                  ) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(matched pairs, removed, added): by lineage (`origin` = the old target's `id`), then by statement."""
    unmatched_old = list(old)
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    added: list[dict[str, Any]] = []
    later: list[dict[str, Any]] = []
    by_id = {t["id"]: t for t in old if t.get("id") is not None}
    for target in new:
        origin = by_id.get(target.get("origin")) if target.get("origin") is not None else None
        if origin is not None and origin in unmatched_old:
            unmatched_old.remove(origin)
            pairs.append((origin, target))
        else:
            later.append(target)
    for target in later:
        match = next((t for t in unmatched_old if _target_key(t) == _target_key(target)), None)
        if match is None:
            added.append(target)
        else:
            unmatched_old.remove(match)
            pairs.append((match, target))
    order = {id(t): i for i, t in enumerate(new)}
    pairs.sort(key=lambda pair: order[id(pair[1])])
    return pairs, unmatched_old, added


def diff_versions(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Compare two plan snapshots: {"vision", "horizon_year", "focus_areas": [names],
    "priority_projects": [titles], "targets": [{"statement", ..., and optionally "id", "origin"}]}."""
    changes: list[Change] = []
    for part in ("vision", "horizon_year"):
        if old.get(part) != new.get(part):
            changes.append(Change(part, "changed", old.get(part), new.get(part),
                                  fields=(field_change(part, old.get(part), new.get(part)),)))
    for part in ("focus_areas", "priority_projects"):
        before, after = list(old.get(part, [])), list(new.get(part, []))
        changes += [Change(part, "removed", old=item) for item in before if item not in after]
        changes += [Change(part, "added", new=item) for item in after if item not in before]
    pairs, removed, added = _pair_targets(list(old.get("targets", [])), list(new.get("targets", [])))
    changes += [Change("targets", "removed", old=_compared(t)) for t in removed]
    added_ids = {id(t) for t in added}
    matched = {id(new_t): old_t for old_t, new_t in pairs}
    for target in new.get("targets", []):
        if id(target) in added_ids:
            changes.append(Change("targets", "added", new=_compared(target)))
            continue
        before_t = matched[id(target)]
        if _compared(before_t) != _compared(target):
            names = [n for n in TARGET_FIELDS if n in before_t or n in target]
            names += [n for n in _compared(target) if n not in names]
            changes.append(Change("targets", "changed", _compared(before_t), _compared(target),
                                  fields=changed_fields(before_t, target, names)))
    return changes
