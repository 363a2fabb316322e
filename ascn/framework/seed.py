"""The ASEAN Smart Cities Framework (S2) and the M&E project types (S5-S8), with translations."""

from __future__ import annotations

from typing import Any

from ascn.core.seeding import CsvLoader, RowError, choice, fixture, lookup, parse_int, required

from .choices import NodeKind
from .models import FrameworkNode

LANGS = ("vi", "th")


def node_values(row: dict[str, str]) -> dict[str, Any]:
    kind = choice(row, "kind", NodeKind)
    parent = lookup(FrameworkNode, "code", row, "parent_code", optional=True)
    if kind == NodeKind.PROJECT_TYPE and parent is None:
        raise RowError("a project type needs parent_code (its focus area, listed above it)")
    i18n = {}
    for lang in LANGS:
        texts = {k: row[f"{k}_{lang}"] for k in ("name", "description") if row[f"{k}_{lang}"]}
        if texts:
            i18n[lang] = texts
    return {
        "code": required(row, "code"), "kind": kind, "parent": parent, "name": required(row, "name"),
        "description": row["description"], "note": row["note"], "i18n": i18n,
        "position": parse_int(row, "position"),
    }


LOADERS = [
    CsvLoader("framework", fixture("ascn.framework", "framework.csv"), FrameworkNode, ("code",),
              ("code", "kind", "parent_code", "position", "name", "description", "note", "name_vi", "description_vi",
               "name_th", "description_th"), node_values),
]
