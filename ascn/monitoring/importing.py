"""Reading an observations file (CSV or XLSX) or a list of JSON rows into checked columns. No Django.

The core kit reads the file (`core.tabular.read_table`: encoding, BOM, binary and XLSX checks) within
this importer's limits: a CSV up to MAX_BYTES (a million rows of observations is about 60 MB of CSV, so
commands and the API pass larger files than the upload page's 20 MB), a workbook up to the page's limit
(it is unpacked in memory). Rows become columns at once (`Batch`), so every later check runs over
arrays: the numbers are parsed, the texts cleaned and length-checked, and rows with nothing to record
(no value, numerator or denominator: template rows left empty) are skipped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ascn.core import tabular
from ascn.core.numbers import plain, readable_sheet
from ascn.core.translator import gettext as _

from .validation import Problem

FileProblem = tabular.FileProblem


# The columns of the template and of import files, in order. The read-only ones help whoever fills the
# file in and are ignored on import.
COLUMNS = ["city", "indicator_code", "indicator_name", "unit", "baseline", "target", "period", "value", "numerator",
           "denominator", "source", "method", "evidence_url", "comment"]
READ_ONLY = frozenset({"indicator_name", "unit", "baseline", "target"})
REQUIRED = ("indicator_code", "period", "value")
NUMBERS = ("value", "numerator", "denominator")
TEXTS = {"city": 80, "indicator_code": 40, "period": 20, "source": 300, "method": 300, "evidence_url": 200,
         "comment": 5000}
RECORD_FIELDS = {"city": "city", "indicator": "indicator_code", "period": "period", "value": "value",
                 "numerator": "numerator", "denominator": "denominator", "source": "source", "method": "method",
                 "evidence_url": "evidence_url", "comment": "comment"}
MAX_BYTES = 512 * 1024 * 1024
MAX_ROWS = 2_000_000
LIMITS = tabular.Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_workbook_bytes=tabular.PAGE_MAX_BYTES)
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass
class Batch:
    """Rows to record, as columns of equal length; `rows` are the row numbers the user sees."""

    rows: np.ndarray
    city: list[str]
    indicator_code: list[str]
    period: list[str]
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    source: list[str]
    method: list[str]
    evidence_url: list[str]
    comment: list[str]
    problems: list[Problem] = field(default_factory=list)
    blank: int = 0

    def __len__(self) -> int:
        return len(self.rows)


def read_file(name: str, data: bytes) -> tabular.Table:
    """Header and rows of an upload (sheet "observations" of a workbook, else its first); raises FileProblem."""
    return tabular.read_table(name, data, LIMITS, sheet="observations")


def batch_from_file(name: str, data: bytes, default_city: str = "") -> Batch:
    """Read an upload, check its header and turn its rows into a Batch (row numbers from 2: the header is
    row 1). The rows as read are let go once they are columns."""
    table = read_file(name, data)
    header = _checked_header(table.header, default_city)
    columns, n = tabular.columns_of(header, table.rows)
    del table
    return _batch(columns, np.arange(2, n + 2), n, default_city)


def _checked_header(header: Sequence[Any], default_city: str) -> list[str]:
    """Column names in lower case; the city column is required unless the rows have a default city."""
    names = [h.strip().lower() if isinstance(h, str) else "" for h in header]
    tabular.check_header(names, COLUMNS, REQUIRED if default_city else ("city", *REQUIRED))
    return names


def batch_from_records(records: Sequence[dict[str, Any]], default_city: str = "") -> Batch:
    """A Batch from JSON rows ({"city", "indicator", "period", "value", ...}); row numbers count from 1."""
    n = len(records)
    if n > MAX_ROWS:
        raise FileProblem(_("More than %(rows)d rows; split them.") % {"rows": MAX_ROWS})
    columns = {column: [r.get(key) for r in records] for key, column in RECORD_FIELDS.items()}
    return _batch(columns, np.arange(1, n + 1), n, default_city)


def _batch(columns: Mapping[str, Sequence[Any]], row_numbers: np.ndarray, n: int, default_city: str) -> Batch:
    problems: list[Problem] = []
    empty: tuple = (None,) * n
    numbers = {}
    bad_number = np.zeros(n, dtype=bool)
    for name in NUMBERS:
        parsed, bad = tabular.number_column(columns.get(name, empty))
        numbers[name] = parsed
        for i, text in bad:
            bad_number[i] = True
            problems.append(Problem(i, name, "not_a_number", _('"%(value)s" is not a number (write it with a dot for '
                                                              'decimals and no thousands separator)')
                                    % {"value": text[:40]}))
    texts = {}
    for name, limit in TEXTS.items():
        cleaned, long_rows = tabular.text_column(columns.get(name, empty), limit)
        texts[name] = cleaned
        problems += [Problem(i, name, "too_long", _("is longer than %(limit)d characters") % {"limit": limit})
                     for i in long_rows]
    if default_city:
        texts["city"] = [c or default_city for c in texts["city"]]
    for name in ("indicator_code", "period", "city"):
        problems += [Problem(i, name, "empty", _("is empty")) for i in tabular.blank_positions(texts[name])]
    bad_urls = {u for u in set(texts["evidence_url"]) if u and not URL_RE.match(u)}
    if bad_urls:
        problems += [Problem(i, "evidence_url", "not_a_url", _('"%(value)s" is not a web address (http:// or '
                                                               'https://)') % {"value": u[:80]})
                     for i, u in enumerate(texts["evidence_url"]) if u in bad_urls]
    keep = ~(np.isnan(numbers["value"]) & np.isnan(numbers["numerator"]) & np.isnan(numbers["denominator"])
             & ~bad_number)
    blank = int(n - keep.sum())
    if blank:
        index = np.cumsum(keep) - 1
        problems = [Problem(int(index[p.index]), p.column, p.code, p.reason) for p in problems if keep[p.index]]
        positions = np.flatnonzero(keep)
        pick = positions.tolist()
        texts = {name: [col[i] for i in pick] for name, col in texts.items()}
        numbers = {name: col[keep] for name, col in numbers.items()}
        row_numbers = row_numbers[keep]
    problems.sort(key=lambda p: p.index)
    return Batch(rows=row_numbers, city=texts["city"], indicator_code=texts["indicator_code"],
                 period=texts["period"], value=numbers["value"], numerator=numbers["numerator"],
                 denominator=numbers["denominator"], source=texts["source"], method=texts["method"],
                 evidence_url=texts["evidence_url"], comment=texts["comment"], problems=problems, blank=blank)


# --- The entry template -------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def template_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    """The template as CSV (UTF-8 with BOM so Excel opens it correctly; text that a spreadsheet would read
    as a formula is shielded; numbers plain: 1200000, 0.00001)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = (_cell(row.get(c)) for c in COLUMNS)
        writer.writerow([tabular.shielded(v) if isinstance(v, str) else plain(v) for v in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(rows: Iterable[dict[str, Any]], notes: list[str]) -> bytes:
    """The template as an XLSX workbook: sheet "observations" (text never becomes a formula; the period
    column is text so "2025" stays a period), and a sheet "notes" explaining the columns and rules."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "observations"
    sheet.append(COLUMNS)
    grey = PatternFill("solid", fgColor="EEEEEE")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        if cell.value in READ_ONLY:
            cell.fill = grey
    period_column = COLUMNS.index("period") + 1
    count = 0
    for row in rows:
        tabular.append_as_values(sheet, [_cell(row.get(c)) for c in COLUMNS])
        sheet.cell(row=sheet.max_row, column=period_column).number_format = "@"
        count += 1
    readable_sheet(sheet)  # numbers in full (1,200,000; 0.00001), never in E notation
    sheet.freeze_panes = "C2"
    if count:
        numbers = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="-1E+300", allow_blank=True,
                                 showErrorMessage=True, errorTitle=_("Not a number"),
                                 error=_("Write a number with a dot for decimals."))
        sheet.add_data_validation(numbers)
        first = COLUMNS.index("value")
        for offset in range(3):
            letter = sheet.cell(row=1, column=first + offset + 1).column_letter
            numbers.add(f"{letter}2:{letter}{count + 1}")
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 40 if name in (
            "indicator_name", "comment", "source") else 16
    help_sheet = book.create_sheet("notes")
    for line in notes:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
