"""Reading and checking a projects file (CSV or XLSX) before anything is written. No Django.

`read_table` turns the upload into header + rows (or a FileProblem); `check_rows` validates every
row against the known cities, framework codes and choices, and reports each problem with its row,
column and reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ascn.core.money import is_currency, parse_amount
from ascn.core.translator import gettext as _

from .exporting import COLUMNS, unshielded

MAX_BYTES = 20 * 1024 * 1024


MAX_ROWS = 200_000
REQUIRED = ("city", "title", "focus_area")
STATUSES = ("planning", "ongoing", "completed", "cancelled")
STAGES = ("concept", "pre_feasibility", "feasibility", "procurement", "implementation", "operation")
SUPPORT_KINDS = ("financial", "technical", "advisory", "partner", "training")


class FileProblem(Exception):
    """The file as a whole cannot be read (type, encoding, size, header)."""


@dataclass(frozen=True)
class RowError:
    row: int          # the row number as the user sees it (header = 1)
    column: str
    reason: str


@dataclass
class CheckedRow:
    row: int
    values: dict[str, Any]


@dataclass
class CheckResult:
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_table(name: str, data: bytes) -> tuple[list[str], Iterable[list[Any]]]:
    """Header and rows of a CSV (UTF-8, with or without BOM) or XLSX upload."""
    if len(data) > MAX_BYTES:
        raise FileProblem(_("The file is %(size).1f MB; the limit is %(limit)d MB.")
                          % {"size": len(data) / 1e6, "limit": MAX_BYTES // 1_000_000})
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem(_("The file is named .xlsx but is not an Excel workbook."))
    if b"\x00" in data[:4096]:
        raise FileProblem(_("This is not a CSV or XLSX file (it contains binary data)."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(_("The file is not UTF-8 text (byte %(byte)d cannot be read); save it as CSV UTF-8 "
                            "or as XLSX.") % {"byte": exc.start}) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise FileProblem(_("The file has no header row."))
    return [h.strip() for h in header], reader


def _read_xlsx(data: bytes) -> tuple[list[str], Iterable[list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileProblem(_("The Excel workbook cannot be read (%(reason)s).") % {"reason": exc}) from None
    sheet = book["projects"] if "projects" in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        raise FileProblem(_("The workbook's first sheet has no header row."))
    return [str(h).strip() if h is not None else "" for h in header], ([c for c in r] for r in rows)


@dataclass(frozen=True)
class Vocabulary:
    """What a row may refer to: city slugs, focus areas, project types (code -> its focus area)."""

    cities: frozenset[str]
    focus_areas: frozenset[str]
    project_types: dict[str, str]
    may_write_city: Callable[[str], bool] = lambda slug: True


def check_rows(header: list[str], rows: Iterable[list[Any]], vocab: Vocabulary) -> CheckResult:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileProblem(_("Missing columns: %(columns)s. The template lists every column.")
                          % {"columns": ", ".join(missing)})
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise FileProblem(_("Unknown columns: %(columns)s. Allowed: %(allowed)s.")
                          % {"columns": ", ".join(unknown), "allowed": ", ".join(COLUMNS)})
    result = CheckResult()
    seen: dict[tuple, int] = {}
    for index, raw in enumerate(rows, start=2):
        if index - 1 > MAX_ROWS:
            raise FileProblem(_("The file has more than %(rows)d rows; split it.") % {"rows": MAX_ROWS})
        cells = {name: raw[i] if i < len(raw) else None for i, name in enumerate(header) if name}
        if all(_blank(v) for v in cells.values()):
            continue
        values, errors = _check_row(index, cells, vocab)
        key = ("ref", values.get("reference")) if values.get("reference") else (
            "title", values.get("city"), str(values.get("title", "")).casefold())
        if not errors and key in seen:
            errors.append(RowError(index, "reference" if key[0] == "ref" else "title",
                                   _("duplicate of row %(row)d") % {"row": seen[key]}))
        seen.setdefault(key, index)
        if errors:
            result.errors.extend(errors)
        else:
            result.rows.append(CheckedRow(index, values))
    return result


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unshielded(str(value).strip())


def _check_row(row: int, cells: dict[str, Any], vocab: Vocabulary) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def fail(column: str, reason: str) -> None:
        errors.append(RowError(row, column, reason))

    for column in REQUIRED:
        if _blank(cells.get(column)):
            fail(column, _("is empty"))
    city = _text(cells.get("city"))
    if city and city not in vocab.cities:
        fail("city", _("unknown city %(city)r (use the city's slug, e.g. da-nang)") % {"city": city})
    elif city and not vocab.may_write_city(city):
        fail("city", _("you may not record projects for %(city)r") % {"city": city})
    values["city"] = city
    focus_area = _text(cells.get("focus_area"))
    if focus_area and focus_area not in vocab.focus_areas:
        fail("focus_area", _("unknown focus area %(code)r") % {"code": focus_area})
    values["focus_area"] = focus_area
    project_type = _text(cells.get("project_type"))
    if project_type:
        parent = vocab.project_types.get(project_type)
        if parent is None:
            fail("project_type", _("unknown project type %(code)r") % {"code": project_type})
        elif focus_area and parent != focus_area:
            fail("project_type", _("%(code)r belongs to focus area %(parent)r, not %(focus_area)r")
                 % {"code": project_type, "parent": parent, "focus_area": focus_area})
    values["project_type"] = project_type or None
    for column, allowed in (("status", STATUSES), ("stage", STAGES)):
        value = _text(cells.get(column)).lower()
        if value and value not in allowed:
            fail(column, _("%(value)r is not one of %(allowed)s") % {"value": value, "allowed": ", ".join(allowed)})
        values[column] = value
    for column in ("start_date", "end_date"):
        values[column] = _date(cells.get(column), column, fail)
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        fail("end_date", _("is before start_date"))
    currency = _text(cells.get("currency")).upper() or "USD"
    if not is_currency(currency):
        fail("currency", _("%(code)r is not an ISO 4217 currency code") % {"code": currency})
    values["currency"] = currency
    for column in ("cost_estimate", "funding_secured"):
        values[column] = _amount(cells.get(column), column, fail)
    cost, secured = values["cost_estimate"], values["funding_secured"]
    if cost is not None and secured is not None and secured > cost:
        fail("funding_secured", _("is more than cost_estimate"))
    kinds = [k.strip().lower() for k in _text(cells.get("support")).replace(",", ";").split(";") if k.strip()]
    bad = [k for k in kinds if k not in SUPPORT_KINDS]
    if bad:
        fail("support", _("%(kinds)s not among %(allowed)s")
             % {"kinds": ", ".join(map(repr, bad)), "allowed": ", ".join(SUPPORT_KINDS)})
    values["support"] = sorted(set(kinds))
    published = _text(cells.get("is_published")).lower()
    if published not in ("", "true", "false", "yes", "no", "1", "0"):
        fail("is_published", _("%(value)r is not true or false") % {"value": published})
    values["is_published"] = published in ("true", "yes", "1")
    for column, limit in (("reference", 20), ("title", 250), ("source", 500)):
        text = _text(cells.get(column))
        if len(text) > limit:
            fail(column, _("is longer than %(limit)d characters") % {"limit": limit})
        values[column] = text
    for column in ("objective", "description", "support_notes"):
        values[column] = _text(cells.get(column))
    return values, errors


def _date(value: Any, column: str, fail: Callable[[str, str], None]) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError:
        fail(column, _("%(value)r is not a date (YYYY-MM-DD)") % {"value": _text(value)})
        return None


def _amount(value: Any, column: str, fail: Callable[[str, str], None]) -> Decimal | None:
    if _blank(value):
        return None
    try:
        amount = parse_amount(_text(value)) if not isinstance(value, int | float) else Decimal(str(value))
    except ValueError:
        fail(column, _("%(value)r is not a number") % {"value": _text(value)})
        return None
    if amount < 0:
        fail(column, _("is negative"))
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        fail(column, _("%(value)r has more than 2 decimals") % {"value": _text(value)})
    if amount >= Decimal("1e16"):
        fail(column, _("is too large"))
    return amount
