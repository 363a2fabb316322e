"""A business case as a file: XLSX (inputs, yearly flows, results) and PDF (the page's content and charts,
printed with WeasyPrint from an HTML template)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ascn.core import charts, numbers, synthetic
from ascn.core.numbers import readable_sheet
from ascn.core.pdf import html_to_pdf
from ascn.plans.exporting import append_as_values

from . import reporting
from .models import BusinessCase

BOLD = Font(bold=True)


def case_xlsx(case: BusinessCase) -> bytes:
    """Three sheets: the inputs (settings and every line by year), the yearly flows behind the results,
    and the results with the sensitivity analysis."""
    book = Workbook()
    _inputs_sheet(book.active, case)
    _flows_sheet(book.create_sheet(_("Yearly flows")), case)
    _results_sheet(book.create_sheet(_("Results")), case)
    for sheet in book.worksheets:
        readable_sheet(sheet)  # every number in full (15,000,000; 0.00001), never in E notation
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _year_headings(case: BusinessCase) -> list[str]:
    start = case.inputs.get("start_year")
    return [str(y + start) if start else str(y) for y in range(case.inputs["years"] + 1)]


def _inputs_sheet(sheet: Any, case: BusinessCase) -> None:
    sheet.title = _("Inputs")
    inputs = case.inputs
    rows: list[tuple[str, Any]] = [
        (_("Project"), case.project.title), (_("Scenario"), case.scenario), (_("Currency"), inputs["currency"]),
        (_("Horizon (years)"), inputs["years"]), (_("Calendar year of year 0"), inputs.get("start_year")),
        (_("Discount rate"), inputs["discount_rate"]),
        (_("Economic discount rate"), inputs.get("economic_discount_rate")),
        (_("Inflation (a year)"), inputs.get("inflation", 0)), (_("Residual value"), inputs.get("residual_value", 0)),
    ]
    if case.synthetic:  # the demo's made-up case says so before its figures (see ascn.core.synthetic)
        rows.insert(0, (str(synthetic.LABEL), str(synthetic.TITLE)))
    rows += [(_("Conversion factor: %(kind)s") % {"kind": k}, v)
             for k, v in (inputs.get("conversion_factors") or {}).items()]
    rows += [(_("Exchange rate: %(code)s") % {"code": k}, v) for k, v in (inputs.get("rates") or {}).items()]
    for label, value in rows:
        append_as_values(sheet, [label, value])
    sheet.append([])
    append_as_values(sheet, [_("Line"), _("Kind"), _("Currency"), _("Grows with inflation"), *_year_headings(case)])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    for line in inputs["lines"]:
        append_as_values(sheet, [line.get("label", ""), line["kind"], line.get("currency") or inputs["currency"],
                      bool(line.get("escalate", True)), *line["values"]])
    if inputs.get("loans"):
        sheet.append([])
        columns = ["principal", "rate", "tenor_years", "grace_years", "repayment", "drawdown_year",
                   "capitalise_grace_interest", "currency"]
        append_as_values(sheet, [_("Loans"), *columns])
        for loan in inputs["loans"]:
            append_as_values(sheet, ["", *(loan.get(c) for c in columns)])
    if inputs.get("grants"):
        sheet.append([])
        append_as_values(sheet, [_("Grants"), "amount", "year", "currency"])
        for grant in inputs["grants"]:
            append_as_values(sheet, ["", grant["amount"], grant.get("year", 0), grant.get("currency", "")])
    sheet.column_dimensions["A"].width = 32


def _flows_sheet(sheet: Any, case: BusinessCase) -> None:
    table = case.results["appraisal"]["table"]
    labels = reporting.row_labels()
    append_as_values(sheet, [_("Flow"), *_year_headings(case)])
    for cell in sheet[1]:
        cell.font = BOLD
    for name in (*reporting.TABLE_ROWS, "capitalised_interest", "discount_factor"):
        label = labels.get(name, _("Capitalised interest") if name == "capitalised_interest" else _("Discount factor"))
        append_as_values(sheet, [label, *table[name]])
    append_as_values(sheet, [_("DSCR"), *case.results["appraisal"]["dscr"]])
    sheet.column_dimensions["A"].width = 32
    for index in range(2, len(table["year"]) + 2):
        sheet.column_dimensions[get_column_letter(index)].width = 13


def _results_sheet(sheet: Any, case: BusinessCase) -> None:
    results = case.results
    appraisal = results["appraisal"]
    append_as_values(sheet, [_("Result"), _("Value"), _("Note")])
    for cell in sheet[1]:
        cell.font = BOLD
    numbers = [
        (_("Financial NPV"), appraisal["financial_npv"]), (_("Economic NPV"), appraisal["economic_npv"]),
        (_("Benefit-cost ratio"), appraisal["benefit_cost_ratio"]),
        (_("Financial benefit-cost ratio"), appraisal["financial_benefit_cost_ratio"]),
        (_("Payback (years)"), appraisal["payback_years"]),
        (_("Discounted payback (years)"), appraisal["discounted_payback_years"]), (_("MIRR"), appraisal["mirr"]),
        (_("Levelised unit cost"), appraisal["levelised_unit_cost"]), (_("Equity NPV"), appraisal["equity_npv"]),
        (_("Minimum DSCR"), appraisal["minimum_dscr"]),
    ]
    for label, value in numbers:
        append_as_values(sheet, [label, value])
    for label, key in ((_("Financial IRR"), "financial_irr"), (_("Economic IRR"), "economic_irr"),
                       (_("Equity IRR"), "equity_irr")):
        rate = appraisal[key]
        append_as_values(sheet, [label, rate["value"], rate.get("message", "")])
    sheet.append([])
    change = reporting.percent(results["sensitivity_change"], 0)
    append_as_values(sheet, [_("Tornado (± %(change)s)") % {"change": change}, _("NPV with the driver lowered"),
                             _("NPV with the driver raised")])
    names = reporting.driver_names()
    for bar in results["tornado"]:
        append_as_values(sheet, [names.get(bar["driver"], bar["driver"]), bar["low_npv"], bar["high_npv"]])
    sheet.append([])
    append_as_values(sheet, [_("Switching value"), _("Financial NPV"), _("Economic NPV")])
    for value in results["switching_values"]:
        append_as_values(sheet, [names.get(value["driver"], value["driver"]), value["financial"], value["economic"]])
    if results["scenarios"]:
        sheet.append([])
        append_as_values(sheet, [_("Scenario"), _("Financial NPV"), _("Economic NPV")])
        for name, value in results["scenarios"].items():
            append_as_values(sheet, [name, value["financial_npv"], value["economic_npv"]])
    simulation = results.get("simulation")
    if simulation:
        npv = simulation["financial_npv"]
        sheet.append([])
        append_as_values(sheet, [_("Monte Carlo"), _("Financial NPV"), _("Economic NPV")])
        append_as_values(sheet, [_("Iterations"), simulation["iterations"]])
        append_as_values(sheet, [_("Seed"), str(simulation["seed"])])
        for label, key in (("P(NPV < 0)", "probability_negative"), ("P10", "p10"), ("P50", "p50"), ("P90", "p90"),
                           (_("Mean"), "mean"), (_("Standard deviation"), "sd")):
            append_as_values(sheet, [label, npv[key], simulation["economic_npv"][key]])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 22


def case_pdf(case: BusinessCase, request: HttpRequest) -> bytes:
    """The business case printed: figures, the page's charts (drawn as SVG on the server from the same specs),
    the yearly flows (every year, in blocks that fit the page) and the sensitivity."""
    context = reporting.context(case.results, case.inputs)
    return html_to_pdf(render_to_string("finance/case_pdf.html", {
        "case": case, "project": case.project, **context, "chart_svgs": chart_svgs(context["charts"]),
        "tornado_rows": _tornado_rows(case),
        "year_blocks": year_blocks(context["years"], context["table_rows"], context["dscr_row"])}, request=request))


# The printed yearly flows (A4 landscape, 12 mm margins: 273 mm across): a column of row labels, then as many years
# as fit at 8 pt. A figure's width is estimated at 0.6 em a character (Noto Sans digits are 0.57 em) plus the cell's
# padding, so that the widest figure of the table fits its column.
YEARLY_WIDTH_MM, YEARLY_LABEL_MM, YEARLY_FONT_PT, YEARLY_PADDING_MM = 273.0, 40.0, 8.0, 2.5
MM_PER_PT = 25.4 / 72
MAX_YEARS_PER_BLOCK, MIN_YEARS_PER_BLOCK = 12, 4


@dataclass(frozen=True)
class YearBlock:
    """Consecutive years of the yearly flows, printed as one table: its headings, each row's label and figures,
    the DSCR of those years (text and basis, empty without debt service), and the width of a year's column."""

    years: list[str]
    rows: list[tuple[str, list[str]]]
    dscr: list[tuple[str, str]]
    column_mm: float
    label_mm: float = YEARLY_LABEL_MM


def year_blocks(years: list[str], rows: list[tuple[str, list[float]]], dscr: list[tuple[str, str]]
                ) -> list[YearBlock]:
    """The yearly flows cut into blocks of years that fit the printed page side by side with their labels,
    blocks of even size (21 years at 11 a block: 11 and 10), every year in one of them, in order."""
    texts = [(label, [numbers.for_people(v, 0) for v in values]) for label, values in rows]
    widest = max([len(y) for y in years] + [len(t) for _label, values in texts for t in values]
                 + [len(text) + 6 for text, basis in dscr if basis == "grace"] + [len(text) for text, _b in dscr])
    column_mm = widest * 0.6 * YEARLY_FONT_PT * MM_PER_PT + YEARLY_PADDING_MM
    fits = int((YEARLY_WIDTH_MM - YEARLY_LABEL_MM) // column_mm)
    size = max(MIN_YEARS_PER_BLOCK, min(MAX_YEARS_PER_BLOCK, fits))
    count = -(-len(years) // size)  # blocks needed
    size = -(-len(years) // count)  # spread evenly
    column_mm = min((YEARLY_WIDTH_MM - YEARLY_LABEL_MM) / size, 2 * column_mm)
    return [YearBlock(years[start:start + size], [(label, values[start:start + size]) for label, values in texts],
                      dscr[start:start + size], round(column_mm, 2))
            for start in range(0, len(years), size)]


# Widths in px of the printed charts (A4 landscape is about 1,030 px wide inside its margins): the cash flows
# across the page, the tornado and the NPV distribution side by side.
CHART_WIDTHS = {"cash_flows": 1000, "tornado": 490, "npv_distribution": 490}


def chart_svgs(specs: dict[str, dict]) -> dict[str, SafeString]:
    """The page's charts as SVG, in the PDF's fonts; a chart with nothing to draw as its sentence, as on the page."""
    return {key: format_html('<p class="chart-empty">{}</p>', spec["usermeta"]["empty"])
            if (spec.get("usermeta") or {}).get("empty") else
            mark_safe(charts.svg(spec, width=CHART_WIDTHS.get(key, charts.WIDTH), prefix=f"case-{key}"))
            for key, spec in specs.items()}  # the renderer escapes the text it draws


def _tornado_rows(case: BusinessCase) -> list[tuple[str, str, str]]:
    """Each driver's NPV with the driver lowered and raised, in the tornado chart's order."""
    currency = case.results["appraisal"]["currency"]
    names = reporting.driver_names()
    return [(names.get(b["driver"], b["driver"]), reporting.amount(b["low_npv"], currency),
             reporting.amount(b["high_npv"], currency)) for b in case.results["tornado"]]
