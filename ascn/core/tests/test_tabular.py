"""The core tabular kit on its own (no database): reading CSV and XLSX (encodings, BOM, workbooks, broken
and binary files), the limits, the formula shield both ways, the header, and problems by row and column."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from ascn.core import tabular, translator
from ascn.core.tabular import FileProblem, Limits, Problem, Table

HEADER = ["city", "title", "amount"]


def csv_data(rows: list[list], header: list[str] = HEADER, bom: bool = False, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode(encoding)


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problem(name: str, data: bytes, limits: Limits = tabular.PAGE, **options) -> str:
    with pytest.raises(FileProblem) as refused:
        tabular.read_table(name, data, limits, **options)
    return str(refused.value)


# --- Encodings and CSV --------------------------------------------------------------------------------------


def test_utf8_with_and_without_a_byte_order_mark_read_the_same():
    rows = [["đà-nẵng", "Café connecté", "1,500"], ["bangkok", "ระบบ", ""]]
    plain = tabular.read_table("a.csv", csv_data(rows))
    with_bom = tabular.read_table("a.csv", csv_data(rows, bom=True))
    assert plain == with_bom == Table(HEADER, rows)
    assert with_bom.header[0] == "city"  # the BOM is not part of the first column's name


def test_header_names_are_stripped_and_short_rows_stay_short():
    table = tabular.read_table("a.csv", b" city , title \nda-nang\n")
    assert table == Table(["city", "title"], [["da-nang"]])


def test_latin1_is_refused_naming_the_first_unreadable_byte_unless_the_caller_accepts_it():
    data = csv_data([["ha-noi", "Café", "1"]], encoding="latin-1")
    byte = data.index(b"\xe9")
    assert byte == 28
    assert problem("a.csv", data) == ("The file is not UTF-8 text (byte 28 cannot be read); save it as CSV UTF-8 or "
                                      "as XLSX.")
    table = tabular.read_table("a.csv", data, encodings=("utf-8-sig", "cp1252"))
    assert table.rows == [["ha-noi", "Café", "1"]]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("a.csv", b"", "The file is empty."),
    ("a.csv", b" \r\n\r\n", "The file is empty."),
    ("a.csv", b"\n\ncity\n", "The file has no header row."),
    ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV or XLSX file (it contains binary data)."),
    ("a.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "The file is not UTF-8 text (byte 10 cannot be read); save it as CSV "
                                                  "UTF-8 or as XLSX."),
    ("a.xlsx", b"city,title\n", "The file is named .xlsx but is not an Excel workbook."),
    ("a.XLSM", b"city,title\n", "The file is named .xlsx but is not an Excel workbook."),
    ("a.xlsx", b"PK\x03\x04" + b"\x00" * 64, "The Excel workbook cannot be read (File is not a zip file)."),
], ids=["empty", "blank", "no header", "png", "pdf", "csv named xlsx", "csv named xlsm", "broken zip"])
def test_files_that_cannot_be_taken_say_why(name, data, message):
    assert problem(name, data) == message


def test_a_zip_archive_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert problem("notes.zip", buffer.getvalue()) == (
        "The Excel workbook cannot be read (\"There is no item named '[Content_Types].xml' in the archive\").")


def test_a_malformed_csv_line_is_refused_with_its_row():
    data = b"city,title\nda-nang,ok\n" + b'ha-noi,"' + b"x" * 140_000 + b'"\n'
    assert problem("a.csv", data) == "Row 3 cannot be read (field larger than field limit (131072))."


# --- Workbooks --------------------------------------------------------------------------------------------


def test_a_workbook_keeps_cell_types_and_reads_the_named_sheet_else_the_first():
    data = workbook({
        "notes": [["read me"]],
        "projects": [[" city ", None, "amount", "start", "published"],
                     ["da-nang", "Smart parking", 1500000, dt.date(2027, 1, 1), True],
                     ["ha-noi", None, 2.5, None, False]],
    })
    table = tabular.read_table("p.xlsx", data, sheet="projects")
    assert table.header == ["city", "", "amount", "start", "published"]
    assert table.rows == [["da-nang", "Smart parking", 1500000, dt.datetime(2027, 1, 1), True],
                          ["ha-noi", None, 2.5, None, False]]
    assert tabular.read_table("p.xlsx", data, sheet="observations") == Table(["read me"], [])
    assert tabular.read_table("named-anything.csv", data).header == ["read me"]  # recognised by content


def test_a_workbook_without_a_header_row_is_refused():
    assert problem("p.xlsx", workbook({"projects": []})) == "The workbook's first sheet has no header row."


# --- Limits -------------------------------------------------------------------------------------------------


def test_size_limits_for_csv_and_for_workbooks():
    data = csv_data([["da-nang", "x" * 100, "1"]] * 15_000)
    assert len(data) == 1_665_018
    assert problem("a.csv", data, Limits(max_bytes=1_000_000)) == "The file is 1.7 MB; the limit is 1 MB."
    assert len(tabular.read_table("a.csv", data, Limits(max_bytes=2_000_000)).rows) == 15_000
    book = workbook({"s": [HEADER, ["da-nang", "t", 1]]})
    small = Limits(max_bytes=2_000_000, max_workbook_bytes=1_000)
    assert problem("a.xlsx", book, small) == f"The file is {len(book) / 1e6:.1f} MB; the limit is 0 MB."
    assert problem("a.xlsx", b"x" * 1_001, small) == "The file is 0.0 MB; the limit is 0 MB."  # by its name too
    assert tabular.read_table("a.csv", data, small).rows[0] == ["da-nang", "x" * 100, "1"]


def test_the_page_limit_is_20_mb():
    assert (tabular.PAGE_MAX_BYTES, tabular.PAGE.max_bytes, tabular.PAGE.workbook_bytes) == (20_971_520,) * 3
    assert tabular.PAGE.max_rows == 200_000


def test_row_limit_counts_every_line_below_the_header():
    data = csv_data([["da-nang", "t", str(i)] for i in range(3)] + [[]])
    assert len(tabular.read_table("a.csv", data, Limits(max_rows=4)).rows) == 4
    assert problem("a.csv", data, Limits(max_rows=3)) == "The file has more than 3 rows; split it."
    book = workbook({"s": [HEADER, *([["da-nang", "t", 1]] * 4)]})
    assert problem("a.xlsx", book, Limits(max_rows=3)) == "The file has more than 3 rows; split it."


def test_column_limit_counts_the_header_and_every_row():
    assert problem("a.csv", csv_data([], header=["a", "b", "c"]), Limits(max_columns=2)) == (
        "The file has more than 2 columns.")
    assert problem("a.csv", b"a,b\n1,2,3\n", Limits(max_columns=2)) == "The file has more than 2 columns."
    assert tabular.read_table("a.csv", b"a,b\n1,2\n", Limits(max_columns=2)).rows == [["1", "2"]]


def test_cell_limit_names_the_row_and_column():
    data = csv_data([["da-nang", "short", "1"], ["ha-noi", "x" * 11, "2"]])
    assert problem("a.csv", data, Limits(max_cell=10)) == (
        "Row 3, column title: the cell is longer than 10 characters.")
    assert problem("a.csv", b"a\n1,xxxx\n", Limits(max_cell=3)) == (
        "Row 2, column 2: the cell is longer than 3 characters.")
    assert tabular.read_table("a.csv", data, Limits(max_cell=11)).rows[1][1] == "x" * 11


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused():
    book = workbook({"s": [HEADER, *([["da-nang", "a long enough title " * 5, 1]] * 200)]})
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        unpacked = sum(i.file_size for i in archive.infolist())
    assert problem("a.xlsx", book, Limits(max_unpacked_bytes=unpacked - 1)) == (
        f"The Excel workbook unpacks to {unpacked / 1e6:.1f} MB; the limit is 0 MB.")
    assert len(tabular.read_table("a.xlsx", book, Limits(max_unpacked_bytes=unpacked)).rows) == 200


# --- The formula shield -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "shown"), [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+62 21 123", "'+62 21 123"), ("-5", "'-5"), ("@user", "'@user"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("'quoted", "'quoted"), ("", ""), ("a=b", "a=b"),
])
def test_shield_and_unshield_round_trip(text, shown):
    assert tabular.shielded(text) == shown
    assert tabular.unshielded(shown) == text


def test_unshield_keeps_an_apostrophe_that_is_not_a_shield():
    assert [tabular.unshielded(t) for t in ("'quoted", "''quoted", "'", "''=x")] == ["'quoted", "''quoted", "'", "'=x"]
    assert tabular.shielded("'=x") == "''=x"  # typed with an apostrophe: kept through the round trip


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rax "), max_size=6) | st.text())
def test_every_text_survives_the_round_trip(text):
    assert tabular.unshielded(tabular.shielded(text)) == text
    assert not tabular.shielded(text).startswith(tabular.FORMULA_STARTS)


def test_shielded_text_exported_to_csv_and_xlsx_reads_back_as_typed():
    texts = ["=HYPERLINK(\"http://x\")", "-12", "@home", "ordinary"]
    data = csv_data([[tabular.shielded(t)] for t in texts], header=["text"], bom=True)
    assert [tabular.cell_text(r[0]) for r in tabular.read_table("a.csv", data).rows] == texts
    book = Workbook()
    sheet = book.active
    sheet.append(["text"])
    for text in texts:
        tabular.append_as_values(sheet, [text])
    buffer = io.BytesIO()
    book.save(buffer)
    assert [c.data_type for c in load_workbook(io.BytesIO(buffer.getvalue()))["Sheet"]["A"]] == ["s"] * 5
    assert [tabular.cell_text(r[0]) for r in tabular.read_table("a.xlsx", buffer.getvalue()).rows] == texts


def test_cell_text():
    assert [tabular.cell_text(v) for v in (None, 12.0, 12.5, 7, "  x ", "'=1", True)] == [
        "", "12", "12.5", "7", "x", "=1", "True"]


# --- Header -------------------------------------------------------------------------------------------------


def header_problem(header, **options) -> str:
    with pytest.raises(FileProblem) as refused:
        tabular.check_header(header, ["city", "title", "amount"], ["city", "title"], **options)
    return str(refused.value)


def test_header_checks():
    tabular.check_header(["title", "", "city"], ["city", "title", "amount"], ["city", "title"])
    assert header_problem(["amount"]) == "Missing columns: city, title. The template lists every column."
    assert header_problem(["city", "title", "budget", "owner"]) == (
        "Unknown columns: budget, owner. Allowed: city, title, amount.")
    assert header_problem(["city", "title", "title", "city"]) == "Columns given twice: city, title."
    tabular.check_header(["city", "title", "title"], ["city", "title"], ["city"], allow_repeated=True)


# --- Rows and problems --------------------------------------------------------------------------------------


def test_rows_are_numbered_as_in_a_spreadsheet_and_blank_lines_are_skipped():
    table = Table(["city", "", "title"], [["da-nang", "ignored", "A"], ["", " ", None], [], ["ha-noi"]])
    rows = list(tabular.rows_of(table))
    assert [(r.number, r.cells) for r in rows] == [(2, {"city": "da-nang", "title": "A"}),
                                                   (5, {"city": "ha-noi", "title": None})]


def test_row_checks_report_each_problem_by_row_and_column():
    row = tabular.Row(7, {"title": " ", "status": "Done", "kinds": "financial; Loans, technical", "flag": "maybe",
                          "start": "31/12/2027", "cost": "1.5 million", "name": "x" * 6})
    row.require("city", "title")
    assert row.choice("status", ("planning", "ongoing")) == "done"
    assert row.choices("kinds", ("financial", "technical")) == ["financial", "loans", "technical"]
    assert row.boolean("flag") is False
    assert row.date("start") is None
    assert row.amount("cost") is None
    assert row.text("name", max_length=5) == "xxxxxx"
    assert [p.as_dict() for p in row.problems] == [
        {"row": 7, "column": "city", "reason": "is empty"},
        {"row": 7, "column": "title", "reason": "is empty"},
        {"row": 7, "column": "status", "reason": "'done' is not one of planning, ongoing"},
        {"row": 7, "column": "kinds", "reason": "'loans' not among financial, technical"},
        {"row": 7, "column": "flag", "reason": "'maybe' is not true or false"},
        {"row": 7, "column": "start", "reason": "'31/12/2027' is not a date (YYYY-MM-DD)"},
        {"row": 7, "column": "cost", "reason": "'1.5 million' is not a number"},
        {"row": 7, "column": "name", "reason": "is longer than 5 characters"},
    ]


def test_row_checks_return_the_values():
    row = tabular.Row(2, {"status": " Ongoing ", "kinds": "technical;financial;technical", "flag": "Yes",
                          "start": "2027-01-31", "when": dt.datetime(2028, 2, 1, 9, 30), "day": dt.date(2026, 5, 4),
                          "cost": "1,500,000.50", "number": 250000.5, "whole": 12, "none": None})
    assert (row.choice("status", ("planning", "ongoing")), row.choices("kinds", ("financial", "technical")),
            row.boolean("flag"), row.boolean("none"), row.date("start"), row.date("when"), row.date("day"),
            row.date("none"), row.amount("cost"), row.amount("number"), row.amount("whole"), row.amount("none")) == (
        "ongoing", ["financial", "technical"], True, False, dt.date(2027, 1, 31), dt.date(2028, 2, 1),
        dt.date(2026, 5, 4), None, Decimal("1500000.50"), Decimal("250000.5"), Decimal("12"), None)
    assert row.problems == []


def test_amounts_are_money():
    row = tabular.Row(3, {"a": "-5", "b": "1.005", "c": "1e16", "d": True})
    assert (row.amount("a"), row.amount("b"), row.amount("c"), row.amount("d")) == (
        Decimal("-5"), Decimal("1.005"), Decimal("1E+16"), None)
    assert [(p.column, p.reason) for p in row.problems] == [
        ("a", "is negative"), ("b", "'1.005' has more than 2 decimals"), ("c", "is too large"),
        ("d", "'True' is not a number")]


def test_duplicates_name_the_first_row_and_skip_rows_refused_already():
    seen = tabular.Duplicates()
    rows = [tabular.Row(n, {}) for n in (2, 3, 4, 5)]
    rows[2].fail("city", "is empty")
    for row in rows:
        seen.check(row, ("da-nang", "parking"), "title")
    assert [p.as_dict() for r in rows for p in r.problems] == [
        {"row": 3, "column": "title", "reason": "duplicate of row 2"},
        {"row": 4, "column": "city", "reason": "is empty"},
        {"row": 5, "column": "title", "reason": "duplicate of row 2"}]


def test_a_problem_may_carry_a_code():
    assert Problem(4, "value", "is negative", "negative").as_dict() == {
        "row": 4, "column": "value", "reason": "is negative", "code": "negative"}


def test_messages_go_through_the_translator_hook():
    with translator.using(lambda message: {"The file is empty.": "Tệp trống."}.get(message, message)):
        assert problem("a.csv", b"") == "Tệp trống."
    assert problem("a.csv", b"") == "The file is empty."


# --- Column by column ---------------------------------------------------------------------------------------


def test_columns_of_transposes_with_short_rows_and_missing_columns():
    columns, n = tabular.columns_of(["a", "", "b", "c"], [["1", "x", "2"], ["3"]])
    assert (columns, n) == ({"a": ("1", "3"), "b": ("2", None), "c": (None, None)}, 2)
    assert tabular.columns_of(["a"], []) == ({"a": ()}, 0)


def test_number_column_converts_at_once_and_names_the_bad_cells():
    values, bad = tabular.number_column(["1.5", "2", "-3e2"])
    assert values.tolist() == [1.5, 2.0, -300.0] and bad == []
    values, bad = tabular.number_column(["1", "", None, " 4 ", "1,5", "inf", True, 7, "nan"])
    assert np.isnan(values[[1, 2, 4, 5, 6, 8]]).all()
    assert values[[0, 3, 7]].tolist() == [1.0, 4.0, 7.0]
    assert bad == [(4, "1,5"), (5, "inf"), (6, "True"), (8, "nan")]


def test_text_column_cleans_each_distinct_cell_once_and_finds_long_texts():
    texts, long = tabular.text_column(["'=1", None, "  ab ", 3.0, "abcdef", "abcdef"], limit=5)
    assert (texts, long) == (["=1", "", "ab", "3", "abcdef", "abcdef"], [4, 5])
    assert tabular.text_column(["x" * 9], None) == (["x" * 9], [])
    assert tabular.blank_positions(["a", "", "b", ""]) == [1, 3]
    assert tabular.blank_positions(["a"]) == []
