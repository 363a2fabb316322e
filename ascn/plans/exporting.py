"""Project rows for export and the import templates: one column list for both (no Django).

The XLSX template has a drop-down list on every column with fixed values (its "allowed values" sheet holds
the lists), checks on dates, amounts and text lengths, and a prompt per column; the CSV template lists the
allowed values in lines of notes ("# …") that the importer skips. The formula shield and
`append_as_values` are the core kit's (`core.tabular`); they are named here too for the modules that import
them from this one."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ascn.core import numbers
from ascn.core.tabular import FORMULA_STARTS, append_as_values, shielded, unshielded
from ascn.core.translator import gettext as _

__all__ = ["COLUMNS", "FORMULA_STARTS", "append_as_values", "shielded", "template_csv", "template_xlsx", "to_csv",
           "to_json", "to_xlsx", "unshielded"]

# The columns of exports, of the import template and of import files, in order.
COLUMNS = [
    "reference", "city", "title", "focus_area", "project_type", "status", "stage", "start_date", "end_date",
    "currency", "cost_estimate", "funding_secured", "support", "support_notes", "partners", "objective",
    "description", "is_published", "source",
]


# Columns that take several of their allowed values, separated by ";".
SEVERAL = frozenset({"support", "partners"})
DATES = ("start_date", "end_date")
AMOUNTS = ("cost_estimate", "funding_secured")
TEXT_LIMITS = {"reference": 20, "title": 250, "source": 500}  # as the model's fields
TEMPLATE_ROWS = 5000  # how far down the template's checks reach
DATE_FORMAT, AMOUNT_FORMAT = "yyyy-mm-dd", "#,##0.00"  # never General: Excel shows a large General number as 1.5E+16
# Offered first in the currency list: the member states' currencies, then those partners lend in.
FIRST_CURRENCIES = ("USD", "BND", "KHR", "IDR", "LAK", "MYR", "MMK", "PHP", "SGD", "THB", "VND", "EUR", "JPY", "CNY",
                    "KRW", "AUD", "GBP")


def currency_list(codes: Iterable[str]) -> list[str]:
    """Every ISO 4217 code of `codes`, the most used in the network first."""
    known = set(codes)
    first = [code for code in FIRST_CURRENCIES if code in known]
    return first + sorted(known - set(first))


def allowed_heading(column: str) -> str:
    return _("%(column)s (separate with ;)") % {"column": column} if column in SEVERAL else column


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


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _prompt(column: str) -> str:
    if column in SEVERAL:
        return _("Choose one from the list, or type several separated by “;”.")
    return _("Choose one from the list.")


def template_xlsx(example: dict[str, Any], allowed: dict[str, list[str]]) -> bytes:
    """The XLSX import template: the example row on sheet "projects", a drop-down list on every column with
    fixed values (from sheet "allowed values"), checks on dates, amounts and lengths, and a prompt on each."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils.datetime import to_excel
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "projects"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    append_as_values(sheet, [_template_cell(column, example.get(column)) for column in COLUMNS])
    for column, number_format in (*((c, DATE_FORMAT) for c in DATES), *((c, AMOUNT_FORMAT) for c in AMOUNTS)):
        sheet.cell(row=2, column=COLUMNS.index(column) + 1).number_format = number_format
    sheet.freeze_panes = "A2"
    values = book.create_sheet("allowed values")
    values.append([allowed_heading(column) for column in allowed])
    for cell in values[1]:
        cell.font = Font(bold=True)
    for i in range(max((len(v) for v in allowed.values()), default=0)):
        append_as_values(values, [vals[i] if i < len(vals) else None for vals in allowed.values()])
    for position, (column, listed) in enumerate(allowed.items()):
        if column not in COLUMNS or not listed:
            continue
        source = _letter(position)
        several = column in SEVERAL
        check = DataValidation(
            type="list", formula1=f"'allowed values'!${source}$2:${source}${len(listed) + 1}", allow_blank=True,
            showErrorMessage=True, showInputMessage=True, errorStyle="information" if several else "stop",
            promptTitle=column, prompt=_prompt(column), errorTitle=column,
            error=(_("Not in the list: check the spelling, and separate several values with “;”.") if several
                   else _("Choose a value from the list (sheet “allowed values”).")))
        _check_column(sheet, check, column)
    first, last = int(to_excel(dt.date(2000, 1, 1))), int(to_excel(dt.date(2100, 12, 31)))
    for column in DATES:
        _check_column(sheet, DataValidation(
            type="date", operator="between", formula1=str(first), formula2=str(last), allow_blank=True,
            showErrorMessage=True, showInputMessage=True, promptTitle=column, errorTitle=column,
            prompt=_("A date, e.g. 2027-01-31."), error=_("Give a date between 2000 and 2100.")), column, DATE_FORMAT)
    for column in AMOUNTS:
        _check_column(sheet, DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True, showErrorMessage=True,
            showInputMessage=True, promptTitle=column, errorTitle=column,
            prompt=_("An amount in the row's currency, e.g. 1500000."), error=_("Give an amount of 0 or more.")),
            column, AMOUNT_FORMAT)
    for column, limit in TEXT_LIMITS.items():
        _check_column(sheet, DataValidation(
            type="textLength", operator="lessThanOrEqual", formula1=str(limit), allow_blank=True,
            showErrorMessage=True, errorTitle=column,
            error=_("At most %(limit)d characters.") % {"limit": limit}), column)
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[_letter(index)].width = 40 if column in ("title", "partners", "objective") else 18
    numbers.readable_sheet(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _check_column(sheet: Any, check: Any, column: str, number_format: str | None = None) -> None:
    """Apply `check` to the column's cells below the header (and its number format to the column)."""
    letter = _letter(COLUMNS.index(column))
    check.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(check)
    if number_format:
        sheet.column_dimensions[letter].number_format = number_format


def _template_cell(column: str, value: Any) -> Any:
    """The example's values as a spreadsheet holds them: dates as dates, amounts as numbers."""
    if column in DATES and isinstance(value, str) and value:
        return dt.date.fromisoformat(value)
    if column in AMOUNTS and isinstance(value, str | Decimal) and value:
        return int(value) if Decimal(value) == int(Decimal(value)) else float(value)
    return _cell(value)


def template_csv(example: dict[str, Any], allowed: dict[str, list[str]]) -> bytes:
    """The CSV import template: the header, the example row, then one line of notes per column with fixed
    values ("# status: planning | ongoing | …"), which the importer skips."""
    notes = [_("# Lines starting with # are notes: the importer skips them. Allowed values:")]
    for column, values in allowed.items():
        if column in SEVERAL:
            notes.append(_("# %(column)s (several, separated by ;): %(values)s")
                         % {"column": column, "values": " | ".join(values)})
        else:
            notes.append(_("# %(column)s: %(values)s") % {"column": column, "values": " | ".join(values)})
    notes.append(_("# Dates as YYYY-MM-DD; amounts as numbers (1500000 or 1,500,000.50)."))
    body = to_csv([example]).decode("utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for note in notes:
        writer.writerow([note])
    return (body + buffer.getvalue()).encode("utf-8")
