"""Every export of a business case carries every year of its horizon: the PDF's yearly flows, as a reader sees
them on its pages, are the XLSX's, year by year and row by row, for a horizon of 1, 20 and 50 years; and a long
horizon stays readable (the table is printed in blocks of years, nothing runs past the page's edge, no type
smaller than 7 pt)."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from ascn.core.testing.pdf import pdf_text
from ascn.finance import reporting
from ascn.finance.actions import business_cases as actions
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db

START = 2026
YEAR = re.compile(r"^20\d\d$")
NUMBER = re.compile(r"^-?\d{1,3}(?:,\d{3})*$")
SMALLEST_TYPE = 7.0  # pt


def inputs(years: int) -> dict:
    """Capex in year 0, then revenue that grows by 1,000 a year (every year's figures differ) and running costs."""
    return {"years": years, "start_year": START, "discount_rate": 0.08, "currency": "USD",
            "lines": [{"kind": "capex", "values": [10_000_000] + [0] * years, "label": "Build"},
                      {"kind": "revenue", "values": [0] + [1_300_000 + 1_000 * i for i in range(years)],
                       "label": "Fees"},
                      {"kind": "opex", "values": [0] + [200_000] * years, "label": "Running"}]}


def xlsx_flows(data: bytes) -> tuple[list[str], dict[str, list[float]]]:
    """The years and the rows of the XLSX's sheet of yearly flows."""
    sheet = load_workbook(io.BytesIO(data))["Yearly flows"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [str(y) for y in rows[0][1:]], {row[0]: row[1:] for row in rows[1:]}


def written(value: float) -> str:
    return f"{round(value):,}"


# --- What is drawn where: a small reader of the PDF's text operators -----------------------------------------

def _multiply(m: list[float], n: list[float]) -> list[float]:
    """The product of two PDF matrices [a b c d e f], m then n (a point p is drawn at p m n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2]


def _widths(font) -> tuple[dict[int, float], float]:
    """A Type0 font's glyph widths (per 1,000 units of text space) by CID, and its default."""
    descendant = font["/DescendantFonts"][0].get_object()
    widths: dict[int, float] = {}
    spec = list(descendant.get("/W", []))
    i = 0
    while i < len(spec):
        first, following = int(spec[i]), spec[i + 1].get_object()
        if isinstance(following, list):  # c [w1 w2 ...]
            for offset, width in enumerate(following):
                widths[first + offset] = float(width)
            i += 2
        else:  # c_first c_last w
            for cid in range(first, int(following) + 1):
                widths[cid] = float(spec[i + 2])
            i += 3
    return widths, float(descendant.get("/DW", 1000))


def drawn_text(data: bytes) -> list[tuple[int, float, float, float, float]]:
    """Each run of glyphs the PDF draws: (page index, left x, right x, size in pt, page width), in points."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(data))
    runs = []
    for index, page in enumerate(reader.pages):
        fonts = {name: _widths(font.get_object()) for name, font in page["/Resources"]["/Font"].items()}
        width = float(page.mediabox.width)
        ctm, stack = [1.0, 0, 0, 1.0, 0, 0], []
        tm = line = [1.0, 0, 0, 1.0, 0, 0]
        font, size, spacing = None, 0.0, 0.0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                stack.append(ctm)
            elif operator == b"Q":
                ctm = stack.pop()
            elif operator == b"cm":
                ctm = _multiply([float(o) for o in operands], ctm)
            elif operator == b"BT":
                tm = line = [1.0, 0, 0, 1.0, 0, 0]
            elif operator == b"Tf":
                font, size = fonts[operands[0]], float(operands[1])
            elif operator == b"Tc":
                spacing = float(operands[0])
            elif operator == b"Tm":
                tm = line = [float(o) for o in operands]
            elif operator == b"Td":
                tm = line = _multiply([1.0, 0, 0, 1.0, float(operands[0]), float(operands[1])], line)
            elif operator in (b"TJ", b"Tj"):
                assert font is not None
                widths, default = font
                start = _multiply(tm, ctm)
                for item in operands[0] if operator == b"TJ" else [operands[0]]:
                    if isinstance(item, (int, float)) or hasattr(item, "as_numeric"):
                        advance = -float(item) / 1000 * size
                    else:
                        raw = item.original_bytes if hasattr(item, "original_bytes") else bytes(item)
                        cids = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]
                        advance = sum(widths.get(cid, default) / 1000 * size + spacing for cid in cids)
                    tm = _multiply([1.0, 0, 0, 1.0, advance, 0], tm)
                end = _multiply(tm, ctm)
                scale = (start[2] ** 2 + start[3] ** 2) ** 0.5  # the text matrix's vertical scale on the page
                runs.append((index, min(start[4], end[4]), max(start[4], end[4]), size * scale, width))
    return runs


# --- The tests ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("years", [1, 20, 50])
def test_the_pdf_prints_every_year_of_the_xlsx(years, client, csco_danang, weasyprint):
    case = actions.create_business_case(csco_danang, Project.objects.get(reference="A111"), {
        "scenario": f"{years} years", "inputs": inputs(years), "is_published": True})
    headings, flows = xlsx_flows(client.get(f"/financing/business-cases/{case.pk}/export.xlsx").content)
    assert headings == [str(START + y) for y in range(years + 1)]
    pdf = client.get(f"/financing/business-cases/{case.pk}/export.pdf").content

    # The text of the yearly flows: blocks of years, each a line of its years then the rows' figures for them.
    text = pdf_text(pdf)
    section = text[text.index("Yearly flows"):text.index("Produced by the ASCN Platform")]
    section = re.sub(r"(?m)^\d+ / \d+$", "", section)  # the pages' numbers ("6 / 7")
    tokens = [t for t in re.split(r"\s+", section) if YEAR.match(t) or NUMBER.match(t)]
    labels = reporting.row_labels()
    shown = [labels[name] for name in reporting.TABLE_ROWS if any(flows[labels[name]])]
    blocks: list[list[str]] = []
    expected: list[str] = []
    position = 0
    while position < len(tokens):  # each block starts with its run of years
        block = []
        while position < len(tokens) and YEAR.match(tokens[position]):
            block.append(tokens[position])
            position += 1
        assert block, f"figures without their years at token {position}: {tokens[position:position + 5]}"
        first = headings.index(block[0])
        expected += block
        expected += [written(v) for label in shown for v in flows[label][first:first + len(block)]]
        position += len(block) * (len(shown) + 1) - len(block)
        blocks.append(block)
    assert [y for block in blocks for y in block] == headings  # every year once, in order
    assert tokens == expected  # and under each, every row's figures as the XLSX holds them

    # As the reader sees it: nothing past the page's edge, nothing smaller than 7 pt.
    runs = drawn_text(pdf)
    assert runs
    outside = [(page + 1, round(right)) for page, left, right, size, width in runs if left < 0 or right > width]
    assert outside == []
    assert min(size for *_ignored, size, _width in runs) >= SMALLEST_TYPE - 0.01
    if years == 50:
        assert len(blocks) > 1 and max(len(b) for b in blocks) <= 13
