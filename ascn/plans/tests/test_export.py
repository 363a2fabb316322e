"""Exports of the pipeline (CSV, XLSX, JSON) with its filters, and the import templates."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ascn.plans import actions
from ascn.plans.exporting import COLUMNS
from ascn.plans.models import Project

from .helpers import city, node, project, state

pytestmark = pytest.mark.django_db

A112_SOURCE = "S8 Appendix A; on-going per S8 Exhibit 2 (coloured icon)"
A112_ROW = ["A112", "da-nang", "Smart Water Management System", "quality_environment", "", "ongoing", "", "", "",
            "USD", "", "", "", "", "", "", "", "true", A112_SOURCE]
VIETNAM_BY_REFERENCE = ["A111", "A112", "A113", "A114", "A115", "A116", "SCAP18-DN1", "SCAP18-HN2"]


def csv_rows(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes, sheet: str = "projects") -> list[list]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [["" if value is None else value for value in row] for row in book[sheet].iter_rows(values_only=True)]


def test_csv_export_with_filters(client):
    response = client.get("/projects/export.csv?country=VNM&sort=reference")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ascn-projects.csv"'
    rows = csv_rows(response)
    assert rows[0] == COLUMNS
    assert [row[0] for row in rows[1:]] == VIETNAM_BY_REFERENCE
    assert rows[2] == A112_ROW
    assert rows[7][:7] == ["SCAP18-DN1", "da-nang", "Intelligent Traffic Control System", "built_infrastructure",
                           "built_infrastructure.mobility_transportation", "planning", ""]
    assert rows[7][15] == "Priority project of the 2018 Smart City Action Plan of Da Nang"
    assert len(csv_rows(client.get("/projects/export.csv"))) == 137
    assert sorted(r[0] for r in csv_rows(client.get("/projects/export.csv?q=water"))[1:]) == [
        "A1", "A112", "A40", "A50", "A68", "A69", "A85", "B12"]
    assert len(csv_rows(client.get("/projects/export.csv?status=completed"))) == 19


def test_csv_export_carries_money_and_support(client, secretariat):
    actions.update_project(secretariat, project("A112"), {"cost_estimate": Decimal("2500000"),
                                                          "funding_secured": Decimal("1000000.50")},
                           support={"technical": "", "financial": "Loan"})
    rows = csv_rows(client.get("/projects/export.csv?city=da-nang&support=financial"))
    assert rows[1:] == [["A112", "da-nang", "Smart Water Management System", "quality_environment", "", "ongoing", "",
                         "", "", "USD", "2500000.00", "1000000.50", "financial; technical", "", "", "", "", "true",
                         A112_SOURCE]]


def test_xlsx_export_with_filters(client):
    response = client.get("/projects/export.xlsx?country=VNM&status=planning&sort=reference")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="ascn-projects.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["projects"]
    rows = xlsx_rows(response.content)
    assert rows[0] == COLUMNS
    assert [row[0] for row in rows[1:]] == ["A113", "A116", "SCAP18-DN1", "SCAP18-HN2"]
    assert rows[3] == ["SCAP18-DN1", "da-nang", "Intelligent Traffic Control System", "built_infrastructure",
                       "built_infrastructure.mobility_transportation", "planning", "", "", "", "USD", "", "", "", "",
                       "", "Priority project of the 2018 Smart City Action Plan of Da Nang", "", "true",
                       "S3 (ASCN Consolidated SCAPs, 8 Jul 2018); status as a proposal in the SCAP"]


def test_xlsx_export_keeps_text_that_looks_like_a_formula_as_text(client, csco_danang):
    """A title typed as =HYPERLINK(…) is data: the workbook must not turn it into a live formula."""
    title = '=HYPERLINK("https://example.invalid","Open")'
    actions.create_project(csco_danang, {"city": city("da-nang"), "title": title, "reference": "DN-X",
                                         "focus_area": node("civic_social"), "is_published": True})
    response = client.get("/projects/export.xlsx?q=DN-X")
    sheet = load_workbook(io.BytesIO(response.content))["projects"]
    assert (sheet["A2"].value, sheet["C2"].value) == ("DN-X", title)
    assert sheet["C2"].data_type == "s"


def test_csv_export_shields_text_that_a_spreadsheet_would_run_and_imports_back_unchanged(client, csco_danang):
    """A cell starting with = + - @ gets a leading apostrophe in the CSV; the importer removes it."""
    from ascn.plans.actions import import_projects

    title = '=HYPERLINK("https://example.invalid","Open")'
    actions.create_project(csco_danang, {"city": city("da-nang"), "title": title, "reference": "DN-X",
                                         "objective": "-40% congestion", "description": "+ a pilot",
                                         "focus_area": node("civic_social"), "is_published": True})
    exported = client.get("/projects/export.csv?q=DN-X").content
    row = csv_rows(client.get("/projects/export.csv?q=DN-X"))[1]
    assert (row[0], row[2], row[15], row[16]) == ("DN-X", "'" + title, "'-40% congestion", "'+ a pilot")
    before = state()
    summary, _record = import_projects(csco_danang, "again.csv", exported, commit=True, keep_file=False)
    assert (summary.unchanged, summary.created, summary.updated, summary.errors) == (1, 0, 0, [])
    assert state() == before
    assert project("DN-X").title == title


def test_json_export_with_filters(client):
    response = client.get("/projects/export.json?city=da-nang&sort=reference")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["count"] == 3
    assert [item["reference"] for item in body["items"]] == ["A111", "A112", "SCAP18-DN1"]
    assert list(body["items"][1]) == COLUMNS
    assert body["items"][1] == {
        "reference": "A112", "city": "da-nang", "title": "Smart Water Management System",
        "focus_area": "quality_environment", "project_type": "", "status": "ongoing", "stage": "", "start_date": None,
        "end_date": None, "currency": "USD", "cost_estimate": None, "funding_secured": None, "support": [],
        "support_notes": "", "partners": [], "objective": "", "description": "", "is_published": True,
        "source": A112_SOURCE}


def test_exports_contain_drafts_only_for_those_who_see_them(client, csco_danang, nr_thailand, draft):
    assert len(csv_rows(client.get("/projects/export.csv?city=da-nang"))) == 4
    client.force_login(nr_thailand)
    assert len(csv_rows(client.get("/projects/export.csv?city=da-nang"))) == 4
    client.force_login(csco_danang)
    rows = csv_rows(client.get("/projects/export.csv?city=da-nang"))
    assert len(rows) == 5
    assert ["", "da-nang", "Smart parking pilot (draft)", "built_infrastructure"] in [row[:4] for row in rows]
    assert json.loads(client.get("/projects/export.json").content)["count"] == 137


def test_unknown_export_format_is_a_404(client):
    assert client.get("/projects/export.pdf").status_code == 404
    assert client.get("/projects/import/template.json").status_code == 404


EXAMPLE = ["", "da-nang", "Smart parking pilot", "built_infrastructure", "built_infrastructure.mobility_transportation",
           "planning", "feasibility", "2027-01-01", "2028-12-31", "USD", "1500000", "250000", "financial; technical",
           "Financing structure and sensor specifications", "", "", "", "false", ""]
FIXED = ["city", "focus_area", "project_type", "status", "stage", "currency", "support", "partners", "is_published"]


def test_csv_import_template_lists_the_allowed_values_in_notes(client):
    response = client.get("/projects/import/template.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ascn-projects-template.csv"'
    rows = csv_rows(response)
    assert rows[:2] == [COLUMNS, EXAMPLE]
    notes = [row[0] for row in rows[2:]]
    assert all(len(row) == 1 for row in rows[2:])
    assert notes[0] == "# Lines starting with # are notes: the importer skips them. Allowed values:"
    assert [note.split(":")[0] for note in notes[1:-1]] == [
        "# city", "# focus_area", "# project_type", "# status", "# stage", "# currency",
        "# support (several, separated by ;)", "# partners (several, separated by ;)", "# is_published"]
    assert notes[1].startswith("# city: bandar-seri-begawan | bangkok | banyuwangi | ")
    assert notes[1].count(" | ") == 37  # the public template documents all 38 cities
    assert notes[4] == "# status: planning | ongoing | completed | cancelled"
    assert notes[6].startswith("# currency: USD | BND | KHR | IDR | LAK | MYR | MMK | PHP | SGD | THB | VND | EUR | ")
    assert notes[7] == "# support (several, separated by ;): financial | technical | advisory | partner | training"
    assert "Japan International Cooperation Agency (JICA)" in notes[8].split(": ", 1)[1].split(" | ")
    assert notes[9] == "# is_published: true | false"
    assert notes[-1] == "# Dates as YYYY-MM-DD; amounts as numbers (1500000 or 1,500,000.50)."


def test_a_city_officers_template_offers_only_their_city(client, csco_bangkok):
    client.force_login(csco_bangkok)
    rows = csv_rows(client.get("/projects/import/template.csv"))
    assert rows[1][1] == "bangkok"
    assert rows[3] == ["# city: bangkok"]
    allowed = xlsx_rows(client.get("/projects/import/template.xlsx").content, "allowed values")
    assert [row[0] for row in allowed[1:] if row[0]] == ["bangkok"]


def validations(content: bytes) -> dict[str, tuple]:
    """Per column of the projects sheet: (type, formula1, formula2, error style, operator) of its check."""
    sheet = load_workbook(io.BytesIO(content))["projects"]
    found = {}
    for check in sheet.data_validations.dataValidation:
        (cell_range,) = str(check.sqref).split()
        column = sheet[cell_range.split(":")[0]].column - 1
        assert cell_range.endswith("5001"), cell_range
        found[COLUMNS[column]] = (check.type, check.formula1, check.formula2, check.errorStyle, check.operator)
        assert check.showErrorMessage and check.allow_blank
    return found


def test_xlsx_import_template_has_a_drop_down_list_on_every_column_with_fixed_values(client):
    response = client.get("/projects/import/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ascn-projects-template.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["projects", "allowed values"]
    rows = xlsx_rows(response.content)
    assert rows[0] == COLUMNS
    assert rows[1] == [*EXAMPLE[:7], dt.datetime(2027, 1, 1), dt.datetime(2028, 12, 31), "USD", 1500000, 250000,
                       *EXAMPLE[12:]]
    allowed = xlsx_rows(response.content, "allowed values")
    header = allowed[0]
    assert header == ["city", "focus_area", "project_type", "status", "stage", "currency",
                      "support (separate with ;)", "partners (separate with ;)", "is_published"]
    column = {name: [row[i] for row in allowed[1:] if row[i] != ""] for i, name in enumerate(FIXED)}
    assert len(column["city"]) == 38
    assert column["city"][:3] == ["bandar-seri-begawan", "bangkok", "banyuwangi"]
    assert column["focus_area"] == ["civic_social", "health_wellbeing", "safety_security", "quality_environment",
                                    "built_infrastructure", "industry_innovation"]
    assert len(column["project_type"]) == 19
    assert column["status"] == ["planning", "ongoing", "completed", "cancelled"]
    assert column["stage"] == ["concept", "pre_feasibility", "feasibility", "procurement", "implementation",
                               "operation"]
    assert column["currency"][:3] == ["USD", "BND", "KHR"] and "XOF" in column["currency"]
    assert column["support"] == ["financial", "technical", "advisory", "partner", "training"]
    assert len(column["partners"]) == 26 and column["partners"][0] == column["partners"][0].strip()
    assert column["is_published"] == ["true", "false"]
    lists = {name: ("list", f"'allowed values'!${letter}$2:${letter}${len(column[name]) + 1}", None,
                    "information" if name in ("support", "partners") else "stop", None)
             for name, letter in zip(FIXED, "ABCDEFGHI", strict=True)}
    assert validations(response.content) == {
        **lists,
        "start_date": ("date", "36526", "73415", None, "between"),
        "end_date": ("date", "36526", "73415", None, "between"),
        "cost_estimate": ("decimal", "0", None, None, "greaterThanOrEqual"),
        "funding_secured": ("decimal", "0", None, None, "greaterThanOrEqual"),
        "reference": ("textLength", "20", None, None, "lessThanOrEqual"),
        "title": ("textLength", "250", None, None, "lessThanOrEqual"),
        "source": ("textLength", "500", None, None, "lessThanOrEqual"),
    }
    sheet = book["projects"]
    assert (sheet.column_dimensions["H"].number_format, sheet.column_dimensions["K"].number_format) == (
        "yyyy-mm-dd", "#,##0.00")
    assert [sheet[f"{c}2"].number_format for c in "HIKL"] == ["yyyy-mm-dd", "yyyy-mm-dd", "#,##0.00", "#,##0.00"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_import_templates_can_be_imported_as_they_are(client, csco_danang, fmt):
    body = client.get(f"/projects/import/template.{fmt}").content
    summary, _record = actions.import_projects(csco_danang, f"template.{fmt}", body, commit=True)
    assert summary.as_dict() == {"created": 1, "updated": 0, "unchanged": 0, "errors": [], "problem": "",
                                 "committed": True, "updated_rows": [],
                                 "created_rows": [{"row": 2, "key": "Smart parking pilot · Da Nang"}]}
    assert Project.objects.get(title="Smart parking pilot").cost_estimate == Decimal("1500000")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imported_again_changes_nothing(client, csco_danang, secretariat, fmt):
    actions.update_project(secretariat, project("A112"), {"cost_estimate": Decimal("2500000"),
                                                          "funding_secured": Decimal("1000000.50")},
                           support={"technical": "", "financial": "Loan"})
    client.force_login(csco_danang)
    body = client.get(f"/projects/export.{fmt}?city=da-nang").content
    before = state()
    summary, _record = actions.import_projects(csco_danang, f"ascn-projects.{fmt}", body, commit=True)
    assert summary.as_dict() == {"created": 0, "updated": 0, "unchanged": 3, "errors": [], "problem": "",
                                 "committed": True, "created_rows": [], "updated_rows": []}
    assert state() == before
