"""Reading and checking a projects file (CSV or XLSX) before anything is written. No Django.

The core kit reads the upload (`read_table`: the projects' limits and sheet); `check_rows` validates
every row against the known cities, framework codes, choices and partners, and reports each problem with its
row, column and reason (`tabular.Problem`). Lines of notes ("#…" in the first column only, as the CSV
template's list of allowed values) are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ascn.core import tabular
from ascn.core.money import is_currency
from ascn.core.translator import gettext as _

from .exporting import COLUMNS

MAX_BYTES = tabular.PAGE_MAX_BYTES
MAX_ROWS = 200_000
REQUIRED = ("city", "title", "focus_area")
TEXT_LIMITS = {"reference": 20, "title": 250, "source": 500}

FileProblem = tabular.FileProblem


@dataclass
class CheckedRow:
    row: int
    values: dict[str, Any]


@dataclass
class CheckResult:
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[tabular.Problem] = field(default_factory=list)


def read_table(name: str, data: bytes) -> tabular.Table:
    """Header and rows of a CSV (UTF-8, with or without BOM) or XLSX upload (sheet "projects", else the
    first), within the page's limits."""
    return tabular.read_table(name, data, tabular.Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS), sheet="projects")


@dataclass(frozen=True)
class Vocabulary:
    """What a row may refer to: city slugs, focus areas, project types (code -> its focus area), and the
    values of the models' choices (statuses, stages, kinds of support)."""

    cities: frozenset[str]
    focus_areas: frozenset[str]
    project_types: dict[str, str]
    statuses: tuple[str, ...]
    stages: tuple[str, ...]
    support_kinds: tuple[str, ...]
    may_write_city: Callable[[str], bool] = lambda slug: True
    partners: dict[str, str] = field(default_factory=dict)  # a partner's slug and its name (case-folded) -> slug


def check_rows(table: tabular.Table, vocab: Vocabulary) -> CheckResult:
    # As before the kit: a column named twice counts once (its last cell).
    tabular.check_header(table.header, COLUMNS, REQUIRED, allow_repeated=True)
    result = CheckResult()
    duplicates = tabular.Duplicates()
    first = table.header[0] if table.header else ""
    for row in tabular.rows_of(table):
        if is_note(row, first):
            continue
        values = _check_row(row, vocab)
        if values["reference"]:
            duplicates.check(row, ("ref", values["reference"]), "reference")
        else:
            duplicates.check(row, ("title", values["city"], values["title"].casefold()), "title")
        if row.problems:
            result.errors.extend(row.problems)
        else:
            result.rows.append(CheckedRow(row.number, values))
    return result


NOTE = "#"


def is_note(row: tabular.Row, first: str) -> bool:
    """A line of notes (the CSV template's allowed values): "#…" in the first column and nothing else."""
    return (tabular.cell_text(row.cells.get(first)).startswith(NOTE)
            and all(tabular.is_blank(value) for column, value in row.cells.items() if column != first))


def partners_of(row: tabular.Row, vocab: Vocabulary) -> list[str] | None:
    """The partners a row names (names or slugs, separated by ";"), as sorted slugs; None when the file has
    no partners column (the projects' partners are then left as they are). Each unknown name is a problem."""
    if "partners" not in row.cells:
        return None
    slugs = set()
    for given in (part.strip() for part in row.text("partners").split(";")):
        if not given:
            continue
        slug = vocab.partners.get(given.casefold())
        if slug is None:
            row.fail("partners", _("unknown partner %(partner)r: give a partner's name or slug from the network's "
                                   "registry") % {"partner": given})
        else:
            slugs.add(slug)
    return sorted(slugs)


def _check_row(row: tabular.Row, vocab: Vocabulary) -> dict[str, Any]:
    values: dict[str, Any] = {}
    row.require(*REQUIRED)
    city = row.text("city")
    if city and city not in vocab.cities:
        row.fail("city", _("unknown city %(city)r (use the city's slug, e.g. da-nang)") % {"city": city})
    elif city and not vocab.may_write_city(city):
        row.fail("city", _("you may not record projects for %(city)r") % {"city": city})
    values["city"] = city
    focus_area = row.text("focus_area")
    if focus_area and focus_area not in vocab.focus_areas:
        row.fail("focus_area", _("unknown focus area %(code)r") % {"code": focus_area})
    values["focus_area"] = focus_area
    project_type = row.text("project_type")
    if project_type:
        parent = vocab.project_types.get(project_type)
        if parent is None:
            row.fail("project_type", _("unknown project type %(code)r") % {"code": project_type})
        elif focus_area and parent != focus_area:
            row.fail("project_type", _("%(code)r belongs to focus area %(parent)r, not %(focus_area)r")
                     % {"code": project_type, "parent": parent, "focus_area": focus_area})
    values["project_type"] = project_type or None
    values["status"] = row.choice("status", vocab.statuses)
    values["stage"] = row.choice("stage", vocab.stages)
    values["start_date"], values["end_date"] = row.date("start_date"), row.date("end_date")
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        row.fail("end_date", _("is before start_date"))
    currency = row.text("currency").upper() or "USD"
    if not is_currency(currency):
        row.fail("currency", _("%(code)r is not an ISO 4217 currency code") % {"code": currency})
    values["currency"] = currency
    cost = values["cost_estimate"] = row.amount("cost_estimate")
    secured = values["funding_secured"] = row.amount("funding_secured")
    if cost is not None and secured is not None and secured > cost:
        row.fail("funding_secured", _("is more than cost_estimate"))
    values["support"] = row.choices("support", vocab.support_kinds)
    values["partners"] = partners_of(row, vocab)
    values["is_published"] = row.boolean("is_published")
    for column, limit in TEXT_LIMITS.items():
        values[column] = row.text(column, max_length=limit)
    for column in ("objective", "description", "support_notes"):
        values[column] = row.text(column)
    return values
