"""Exports of the pipeline (CSV, XLSX, JSON) with its filters, and the import templates."""

import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ascn.plans import actions
from ascn.plans.exporting import COLUMNS

from .helpers import city, node, project, state

pytestmark = pytest.mark.django_db

A112_SOURCE = "S8 Appendix A; on-going per S8 Exhibit 2 (coloured icon)"
A112_ROW = ["A112", "da-nang", "Smart Water Management System", "quality_environment", "", "ongoing", "", "", "",
            "USD", "", "", "", "", "", "", "true", A112_SOURCE]
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
    assert rows[7][14] == "Priority project of the 2018 Smart City Action Plan of Da Nang"
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
                         "", "", "USD", "2500000.00", "1000000.50", "financial; technical", "", "", "", "true",
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
                       "Priority project of the 2018 Smart City Action Plan of Da Nang", "", "true",
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
    assert (row[0], row[2], row[14], row[15]) == ("DN-X", "'" + title, "'-40% congestion", "'+ a pilot")
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
        "support_notes": "", "objective": "", "description": "", "is_published": True, "source": A112_SOURCE}


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


def test_csv_import_template(client):
    response = client.get("/projects/import/template.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ascn-projects-template.csv"'
    assert csv_rows(response) == [COLUMNS, [
        "", "da-nang", "Smart parking pilot", "built_infrastructure", "built_infrastructure.mobility_transportation",
        "planning", "feasibility", "2027-01-01", "2028-12-31", "USD", "1500000", "250000", "financial; technical",
        "Financing structure and sensor specifications", "", "", "false", ""]]


def test_xlsx_import_template_lists_the_allowed_values(client):
    response = client.get("/projects/import/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ascn-projects-template.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["projects", "allowed values"]
    rows = xlsx_rows(response.content)
    assert rows[0] == COLUMNS
    assert rows[1][:4] == ["", "da-nang", "Smart parking pilot", "built_infrastructure"]
    allowed = xlsx_rows(response.content, "allowed values")
    header = allowed[0]
    assert header == ["city", "focus_area", "project_type", "status", "stage", "support (separate with ;)",
                      "is_published"]
    column = {name: [row[i] for row in allowed[1:] if row[i] != ""] for i, name in enumerate(header)}
    assert len(column["city"]) == 38
    assert column["city"][:3] == ["bandar-seri-begawan", "bangkok", "banyuwangi"]
    assert column["focus_area"] == ["civic_social", "health_wellbeing", "safety_security", "quality_environment",
                                    "built_infrastructure", "industry_innovation"]
    assert len(column["project_type"]) == 19
    assert column["status"] == ["planning", "ongoing", "completed", "cancelled"]
    assert column["stage"] == ["concept", "pre_feasibility", "feasibility", "procurement", "implementation",
                               "operation"]
    assert column["support (separate with ;)"] == ["financial", "technical", "advisory", "partner", "training"]
    assert column["is_published"] == ["true", "false"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_import_templates_can_be_imported_as_they_are(client, csco_danang, fmt):
    body = client.get(f"/projects/import/template.{fmt}").content
    summary, _record = actions.import_projects(csco_danang, f"template.{fmt}", body, commit=True)
    assert summary.as_dict() == {"created": 1, "updated": 0, "unchanged": 0, "errors": [], "problem": "",
                                 "committed": True}


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
                                 "committed": True}
    assert state() == before
