"""What changed between two versions of an action plan (pure Python, no Django)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    part: str         # "vision", "horizon_year", "focus_areas", "targets", "priority_projects"
    kind: str         # "changed", "added" or "removed"
    old: Any = None
    new: Any = None


def _target_key(target: dict[str, Any]) -> str:
    return target["statement"].strip().casefold()


def diff_versions(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Compare two plan snapshots: {"vision", "horizon_year", "focus_areas": [names],
    "priority_projects": [titles], "targets": [{"statement", ...}]}."""
    changes: list[Change] = []
    for part in ("vision", "horizon_year"):
        if old.get(part) != new.get(part):
            changes.append(Change(part, "changed", old.get(part), new.get(part)))
    for part in ("focus_areas", "priority_projects"):
        before, after = list(old.get(part, [])), list(new.get(part, []))
        changes += [Change(part, "removed", old=item) for item in before if item not in after]
        changes += [Change(part, "added", new=item) for item in after if item not in before]
    old_targets = {_target_key(t): t for t in old.get("targets", [])}
    new_targets = {_target_key(t): t for t in new.get("targets", [])}
    changes += [Change("targets", "removed", old=t) for k, t in old_targets.items() if k not in new_targets]
    for key, target in new_targets.items():
        if key not in old_targets:
            changes.append(Change("targets", "added", new=target))
        elif target != old_targets[key]:
            changes.append(Change("targets", "changed", old_targets[key], target))
    return changes
