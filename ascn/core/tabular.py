"""Taking a spreadsheet from a user: reading CSV or XLSX within limits, the formula shield, and problems
named by row, column and reason. No Django (messages go through `core.translator`).

An app declares its columns and its limits, then:

    table = tabular.read_table(name, data, LIMITS, sheet="projects")  # FileProblem: the file as a whole
    tabular.check_header(table.header, COLUMNS, REQUIRED)             # FileProblem: missing, unknown columns
    for row in tabular.rows_of(table):                                # row by row: each non-blank line
        city = row.text("city")                                       #   cell checks add row.problems
    columns = tabular.columns_of(table.header, table.rows)            # or column by column, for large files:
    values, bad = tabular.number_column(columns["value"])             #   NumPy arrays, texts cleaned once

Row numbers are those the user sees in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import islice, zip_longest
from typing import TYPE_CHECKING, Any, NamedTuple

from .money import parse_amount
from .translator import gettext as _

if TYPE_CHECKING:
    import numpy as np

MB = 1024 * 1024
PAGE_MAX_BYTES = 20 * MB           # what an upload page takes; commands and the API may pass larger limits
XLSX_SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"


class FileProblem(Exception):
    """The file as a whole cannot be taken (type, encoding, size, header); nothing in it is checked further."""


@dataclass(frozen=True)
class Problem:
    """One refused cell or row: `row` as the user sees it (header = 1), the column's name, the reason in
    words, and optionally a code a program can test."""

    row: int
    column: str
    reason: str
    code: str = ""

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {"row": self.row, "column": self.column, "reason": self.reason}
        if self.code:
            item["code"] = self.code
        return item


@dataclass(frozen=True)
class Limits:
    """What a caller accepts. A workbook is unpacked in memory, so it may have a lower limit than CSV
    (`max_workbook_bytes`, default the same as `max_bytes`); `max_unpacked_bytes` refuses a workbook whose
    parts unpack to more than that (a "zip bomb"). None means no limit."""

    max_bytes: int = PAGE_MAX_BYTES
    max_rows: int = 200_000
    max_columns: int | None = None
    max_cell: int | None = None
    max_workbook_bytes: int | None = None
    max_unpacked_bytes: int | None = 512 * MB

    @property
    def workbook_bytes(self) -> int:
        return self.max_bytes if self.max_workbook_bytes is None else self.max_workbook_bytes


PAGE = Limits()  # an upload page's limits


class Table(NamedTuple):
    """The header (names stripped; "" for an empty header cell) and every row below it, as read: CSV cells
    are strings, workbook cells keep their type (numbers, dates, booleans, None)."""

    header: list[str]
    rows: list[list[Any]]


# --- The formula shield ---------------------------------------------------------------------------------

# A spreadsheet treats a cell starting with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def shielded(text: str) -> str:
    """Text a spreadsheet shows as text: an apostrophe before a leading formula character (and before
    apostrophes that precede one, so that text typed as "'=x" survives too). The importer removes it
    again (`unshielded`), so an export imports back unchanged."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unshielded(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].lstrip("'").startswith(FORMULA_STARTS) else text


def append_as_values(sheet: Any, values: list[Any]) -> None:
    """Append a row to an openpyxl sheet; text such as "=HYPERLINK(…)" stays text, never a live formula."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


# --- Reading a file -----------------------------------------------------------------------------------------


def read_table(name: str, data: bytes, limits: Limits = PAGE, *, sheet: str | None = None,
               encodings: Sequence[str] = ("utf-8-sig",)) -> Table:
    """The header and rows of a CSV or XLSX upload, or FileProblem saying why the file cannot be taken.

    A workbook is recognised by its content (a zip archive), not its name; `sheet` is read when the
    workbook has it, else the first sheet. CSV text is decoded with the first of `encodings` that fits
    (UTF-8 with or without a byte-order mark by default; the message names the first unreadable byte)."""
    is_workbook = data[:4] == ZIP_MAGIC
    limit = limits.workbook_bytes if is_workbook or name.lower().endswith(XLSX_SUFFIXES) else limits.max_bytes
    if len(data) > limit:
        raise FileProblem(_("The file is %(size).1f MB; the limit is %(limit)d MB.")
                          % {"size": len(data) / 1e6, "limit": limit // 1_000_000})
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    if is_workbook:
        table = _read_workbook(data, limits, sheet)
    else:
        if name.lower().endswith(XLSX_SUFFIXES):
            raise FileProblem(_("The file is named .xlsx but is not an Excel workbook."))
        if b"\x00" in data[:4096]:
            raise FileProblem(_("This is not a CSV or XLSX file (it contains binary data)."))
        table = _read_csv(decoded(data, encodings), limits)
    _check_shape(table, limits)
    return table


def decoded(data: bytes, encodings: Sequence[str] = ("utf-8-sig",)) -> str:
    """`data` as text in the first of `encodings` that reads it whole."""
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise FileProblem(_("The file is not UTF-8 text (byte %(byte)d cannot be read); save it as CSV UTF-8 "
                        "or as XLSX.") % {"byte": first_error.start}) from None


def _read_csv(text: str, limits: Limits) -> Table:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if not header:
            raise FileProblem(_("The file has no header row."))
        rows = list(islice(reader, limits.max_rows + 1))
    except csv.Error as exc:
        raise FileProblem(_("Row %(row)d cannot be read (%(reason)s).") % {"row": reader.line_num,
                                                                             "reason": exc}) from None
    return Table([h.strip() for h in header], rows)


def _read_workbook(data: bytes, limits: Limits, sheet_name: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        if limits.max_unpacked_bytes is not None:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > limits.max_unpacked_bytes:
                raise FileProblem(_("The Excel workbook unpacks to %(size).1f MB; the limit is %(limit)d MB.")
                                  % {"size": unpacked / 1e6, "limit": limits.max_unpacked_bytes // 1_000_000})
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book[sheet_name] if sheet_name in book.sheetnames else book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if not header:
            raise FileProblem(_("The workbook's first sheet has no header row."))
        rows = list(map(list, islice(lines, limits.max_rows + 1)))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
        raise FileProblem(_("The Excel workbook cannot be read (%(reason)s).") % {"reason": exc}) from None
    return Table([str(h).strip() if h is not None else "" for h in header], rows)


def _check_shape(table: Table, limits: Limits) -> None:
    """Rows, columns and cell length against the limits (columns and cells only when a limit is set)."""
    if len(table.rows) > limits.max_rows:
        raise FileProblem(_("The file has more than %(rows)d rows; split it.") % {"rows": limits.max_rows})
    if limits.max_columns is not None:
        widest = max(map(len, table.rows), default=0)
        if max(len(table.header), widest) > limits.max_columns:
            raise FileProblem(_("The file has more than %(columns)d columns.") % {"columns": limits.max_columns})
    if limits.max_cell is not None:
        for number, line in enumerate([table.header, *table.rows], start=1):
            for index, cell in enumerate(line):
                if isinstance(cell, str) and len(cell) > limits.max_cell:
                    column = table.header[index] if index < len(table.header) else str(index + 1)
                    raise FileProblem(_("Row %(row)d, column %(column)s: the cell is longer than %(limit)d "
                                        "characters.") % {"row": number, "column": column,
                                                          "limit": limits.max_cell})


# --- The header -------------------------------------------------------------------------------------------


def check_header(header: Sequence[str], columns: Sequence[str], required: Iterable[str] = (), *,
                 allow_repeated: bool = False) -> None:
    """Refuse a header that lacks a required column, names a column not in `columns`, or (unless
    `allow_repeated`) names one twice. Empty header cells are ignored."""
    missing = [c for c in required if c not in header]
    if missing:
        raise FileProblem(_("Missing columns: %(columns)s. The template lists every column.")
                          % {"columns": ", ".join(missing)})
    unknown = [h for h in header if h and h not in columns]
    if unknown:
        raise FileProblem(_("Unknown columns: %(columns)s. Allowed: %(allowed)s.")
                          % {"columns": ", ".join(unknown), "allowed": ", ".join(columns)})
    if not allow_repeated:
        named = [h for h in header if h]
        twice = sorted({h for h in named if named.count(h) > 1})
        if twice:
            raise FileProblem(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(twice)})


# --- Cells --------------------------------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as clean text: "" for nothing, 12.0 as "12", spaces stripped, the formula shield removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unshielded(str(value).strip())


TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("", "false", "no", "0")


class Row:
    """One line of a file, by column name, with checks that record a Problem naming the row and column
    (and return a usable value, so every problem of the row is found in one pass)."""

    def __init__(self, number: int, cells: dict[str, Any]) -> None:
        self.number = number
        self.cells = cells
        self.problems: list[Problem] = []

    def fail(self, column: str, reason: str, code: str = "") -> None:
        self.problems.append(Problem(self.number, column, reason, code))

    def blank(self, column: str) -> bool:
        return is_blank(self.cells.get(column))

    def require(self, *columns: str) -> None:
        for column in columns:
            if self.blank(column):
                self.fail(column, _("is empty"))

    def text(self, column: str, max_length: int | None = None) -> str:
        text = cell_text(self.cells.get(column))
        if max_length is not None and len(text) > max_length:
            self.fail(column, _("is longer than %(limit)d characters") % {"limit": max_length})
        return text

    def choice(self, column: str, allowed: Sequence[str]) -> str:
        """One of `allowed` (compared in lower case), or "" when blank."""
        value = self.text(column).lower()
        if value and value not in allowed:
            self.fail(column, _("%(value)r is not one of %(allowed)s") % {"value": value,
                                                                          "allowed": ", ".join(allowed)})
        return value

    def choices(self, column: str, allowed: Sequence[str]) -> list[str]:
        """Several of `allowed`, separated by ";" or ",": sorted, each once."""
        given = [k.strip().lower() for k in self.text(column).replace(",", ";").split(";") if k.strip()]
        bad = [k for k in given if k not in allowed]
        if bad:
            self.fail(column, _("%(kinds)s not among %(allowed)s")
                      % {"kinds": ", ".join(map(repr, bad)), "allowed": ", ".join(allowed)})
        return sorted(set(given))

    def boolean(self, column: str) -> bool:
        """true/yes/1 or false/no/0 (blank is false)."""
        value = self.text(column).lower()
        if value not in TRUE_WORDS + FALSE_WORDS:
            self.fail(column, _("%(value)r is not true or false") % {"value": value})
        return value in TRUE_WORDS

    def date(self, column: str) -> dt.date | None:
        """A date cell of a workbook, or YYYY-MM-DD text; None when blank."""
        value = self.cells.get(column)
        if is_blank(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(cell_text(value))
        except ValueError:
            self.fail(column, _("%(value)r is not a date (YYYY-MM-DD)") % {"value": cell_text(value)})
            return None

    def amount(self, column: str) -> Decimal | None:
        """Money: a number (text may have thousands separators), not negative, at most 2 decimals, below
        10^16; None when blank."""
        value = self.cells.get(column)
        if is_blank(value):
            return None
        text = cell_text(value)
        try:
            if isinstance(value, bool):
                raise ValueError(text)
            amount = Decimal(str(value)) if isinstance(value, int | float) else parse_amount(text)
        except (ValueError, InvalidOperation):
            self.fail(column, _("%(value)r is not a number") % {"value": text})
            return None
        if amount < 0:
            self.fail(column, _("is negative"))
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            self.fail(column, _("%(value)r has more than 2 decimals") % {"value": text})
        if amount >= Decimal("1e16"):
            self.fail(column, _("is too large"))
        return amount


def rows_of(table: Table, first: int = 2) -> Iterator[Row]:
    """A Row for each line that has something in it (blank lines are skipped), numbered from `first`."""
    names = list(enumerate(table.header))
    for number, line in enumerate(table.rows, start=first):
        width = len(line)
        cells = {name: line[i] if i < width else None for i, name in names if name}
        if not all(is_blank(v) for v in cells.values()):
            yield Row(number, cells)


# --- Column by column ---------------------------------------------------------------------------------------


def columns_of(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[dict[str, Sequence[Any]], int]:
    """The named columns of `rows` (a short row's missing cells are None; a column the header lacks is all
    None) and the number of rows. One transposition in C, no loop per row."""
    transposed = list(zip_longest(*rows, fillvalue=None)) if rows else []
    n = len(transposed[0]) if transposed else 0
    empty: tuple = (None,) * n
    return {name: (transposed[i] if i < len(transposed) else empty) for i, name in enumerate(header) if name}, n


def number_column(cells: Sequence[Any]) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Floats with NaN for blank cells, and the (position, text) of cells that are not finite numbers.
    A column of numbers (or numeric strings) is converted by NumPy at once; only a column with a blank or
    a bad cell is looked at cell by cell."""
    import math

    import numpy as np

    try:
        parsed = np.array(cells, dtype=np.float64)
        if np.isfinite(parsed).all():
            return parsed, []
    except (ValueError, TypeError):
        pass
    parsed = np.full(len(cells), np.nan)
    bad = []
    for i, cell in enumerate(cells):
        if cell is None or cell == "":
            continue
        if isinstance(cell, bool):
            bad.append((i, str(cell)))
            continue
        if isinstance(cell, int | float):
            number = float(cell)
        else:
            text = str(cell).strip()
            if not text:
                continue
            try:
                number = float(text)
            except ValueError:
                bad.append((i, text))
                continue
        if not math.isfinite(number):
            bad.append((i, str(cell)))
            continue
        parsed[i] = number
    return parsed, bad


def text_column(cells: Sequence[Any], limit: int | None = None) -> tuple[list[str], list[int]]:
    """The cells as clean text (`cell_text`, each distinct cell cleaned once), and the positions of the
    texts longer than `limit`."""
    mapping = {cell: cell_text(cell) for cell in set(cells)}
    cleaned = list(map(mapping.__getitem__, cells))
    if limit is None:
        return cleaned, []
    too_long = {cell for cell, text in mapping.items() if len(text) > limit}
    return cleaned, [i for i, cell in enumerate(cells) if cell in too_long] if too_long else []


def blank_positions(texts: Sequence[str]) -> list[int]:
    """Positions of the empty texts of a cleaned column."""
    if all(texts):
        return []
    return [i for i, text in enumerate(texts) if not text]


class Duplicates:
    """Rows that repeat an earlier row's key (e.g. the same city and title): `check(row, key, column)`
    refuses the row, naming the first row with that key, unless the row is refused already."""

    def __init__(self) -> None:
        self.first: dict[Any, int] = {}

    def check(self, row: Row, key: Any, column: str) -> None:
        earlier = self.first.setdefault(key, row.number)
        if earlier != row.number and not row.problems:
            row.fail(column, _("duplicate of row %(row)d") % {"row": earlier})
