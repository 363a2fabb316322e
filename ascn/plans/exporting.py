"""Project rows for export and for the import template: one column list for both (no Django).

The formula shield and `append_as_values` are the core kit's (`core.tabular`); they are named here too
for the modules that import them from this one."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ascn.core.tabular import FORMULA_STARTS, append_as_values, shielded, unshielded

__all__ = ["COLUMNS", "FORMULA_STARTS", "append_as_values", "shielded", "to_csv", "to_json", "to_xlsx",
           "unshielded"]

# The columns of exports, of the import template and of import files, in order.
COLUMNS = [
    "reference", "city", "title", "focus_area", "project_type", "status", "stage", "start_date", "end_date",
    "currency", "cost_estimate", "funding_secured", "support", "support_notes", "objective", "description",
    "is_published", "source",
]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    return value if isinstance(value, int | float) else str(value)


def to_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([shielded(cell) if isinstance(value, str) and isinstance(cell, str) else cell
                         for value, cell in ((row.get(c), _cell(row.get(c))) for c in COLUMNS)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def to_json(rows: Iterable[dict[str, Any]]) -> bytes:
    items = [{c: (str(row[c]) if isinstance(row.get(c), Decimal) else row.get(c)) for c in COLUMNS} for row in rows]
    return json.dumps({"items": items, "count": len(items)}, ensure_ascii=False, default=str).encode("utf-8")


def to_xlsx(rows: Iterable[dict[str, Any]], allowed: dict[str, list[str]] | None = None) -> bytes:
    """An XLSX workbook: the rows on sheet "projects" and, with `allowed`, the allowed values per column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "projects"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_as_values(sheet, [_cell(row.get(c)) for c in COLUMNS])
    sheet.freeze_panes = "A2"
    if allowed:
        values = book.create_sheet("allowed values")
        values.append(list(allowed))
        for cell in values[1]:
            cell.font = Font(bold=True)
        longest = max(len(v) for v in allowed.values())
        for i in range(longest):
            values.append([vals[i] if i < len(vals) else None for vals in allowed.values()])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
