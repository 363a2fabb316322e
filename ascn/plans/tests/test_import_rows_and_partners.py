"""What a project import's dry run lists (the rows it would create and update, and what changes), the same
file twice offering nothing to import, the partners column, and the CSV template's lines of notes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ascn.core.models import AuditEntry
from ascn.plans.actions import import_projects, update_project
from ascn.plans.exporting import COLUMNS
from ascn.plans.models import Project, ProjectImport

from .helpers import csv_bytes, partner, project, row_of, state

pytestmark = pytest.mark.django_db

PARKING = {"city": "da-nang", "title": "Smart parking pilot", "focus_area": "built_infrastructure",
           "status": "planning", "is_published": "true"}


def a_file() -> bytes:
    """One new project, one changed (cost and support), one with a new status, one unchanged."""
    return csv_bytes([PARKING, row_of("A112", cost_estimate="2000000", support="technical"),
                      row_of("A111", status="completed"), row_of("SCAP18-DN1")])


def test_the_dry_run_lists_the_rows_to_create_and_to_update_with_what_changes(csco_danang):
    summary, _record = import_projects(csco_danang, "projects.csv", a_file(), commit=False)
    assert summary.created_rows == [{"row": 2, "key": "Smart parking pilot · Da Nang"}]
    assert summary.updated_rows == [
        {"row": 3, "key": "A112 · Smart Water Management System · Da Nang", "changes": [
            {"column": "cost_estimate", "old": "", "new": "2000000"},
            {"column": "support", "old": "", "new": "technical"}]},
        {"row": 4, "key": "A111 · Intelligent Operation Centre · Da Nang", "changes": [
            {"column": "status", "old": "ongoing", "new": "completed"}]}]


def test_a_changed_focus_area_is_listed_by_its_codes(csco_danang):
    data = csv_bytes([row_of("A112", focus_area="built_infrastructure", title="Smart Water Management")])
    summary, _record = import_projects(csco_danang, "projects.csv", data, commit=False)
    assert summary.updated_rows[0]["changes"] == [
        {"column": "title", "old": "Smart Water Management System", "new": "Smart Water Management"},
        {"column": "focus_area", "old": "quality_environment", "new": "built_infrastructure"}]


def upload(client, name: str, data: bytes):
    response = client.post("/projects/import/", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode(), ProjectImport.objects.order_by("-pk").first()


def test_the_result_page_lists_the_rows_and_the_same_file_again_has_nothing_to_import(client, csco_danang):
    client.force_login(csco_danang)
    html, record = upload(client, "projects.csv", a_file())
    assert "<h2>Rows to create</h2>" in html and "<tr><td>2</td><td>Smart parking pilot · Da Nang</td></tr>" in html
    assert "<h2>Rows to update</h2>" in html
    assert "<code>status</code>: <del>ongoing</del> → <ins>completed</ins>" in html
    assert "Import now" in html
    client.post(f"/projects/import/{record.pk}/")
    before = state()
    again, second = upload(client, "projects.csv", a_file())
    assert (second.summary["created"], second.summary["updated"], second.summary["unchanged"]) == (0, 0, 4)
    assert "Nothing to import: every row matches what is stored." in again
    assert "Import now" not in again and "Rows to create" not in again
    assert state() == before


# --- Partners -------------------------------------------------------------------------------------------


def test_partners_are_named_by_name_or_slug_and_linked_with_an_audit_entry(csco_danang):
    data = csv_bytes([{**PARKING, "partners": "jica; Asian Development Bank (ADB); JICA"},
                      row_of("A112", partners="world-bank-ifc")])
    summary, _record = import_projects(csco_danang, "projects.csv", data, commit=True)
    assert (summary.created, summary.updated, summary.errors) == (1, 1, [])
    assert summary.updated_rows[0]["changes"] == [{"column": "partners", "old": "", "new": "world-bank-ifc"}]
    parking = Project.objects.get(title="Smart parking pilot")
    assert sorted(parking.partners.values_list("slug", flat=True)) == ["adb", "jica"]
    assert list(project("A112").partners.values_list("slug", flat=True)) == ["world-bank-ifc"]
    created = AuditEntry.objects.filter(object_id=str(parking.pk), action="create").get()
    assert created.changes == {"import": [None, "projects.csv"], "partners": [None, ["adb", "jica"]]}
    changed = AuditEntry.objects.filter(object_id=str(project("A112").pk)).latest("id")
    assert changed.changes == {"partners": [[], ["world-bank-ifc"]]}


def test_each_unknown_partner_is_a_problem_of_its_own_and_nothing_is_written(csco_danang):
    data = csv_bytes([{**PARKING, "partners": "jica; Acme Consulting; ; adbx"}])
    before = state()
    summary, _record = import_projects(csco_danang, "projects.csv", data, commit=True)
    assert summary.errors == [
        {"row": 2, "column": "partners",
         "reason": "unknown partner 'Acme Consulting': give a partner's name or slug from the network's registry"},
        {"row": 2, "column": "partners",
         "reason": "unknown partner 'adbx': give a partner's name or slug from the network's registry"}]
    assert not summary.committed and state() == before


def test_a_file_without_a_partners_column_leaves_the_partners_and_a_blank_cell_removes_them(csco_danang,
                                                                                           secretariat):
    update_project(secretariat, project("A112"), {}, partners=[partner("jica"), partner("adb")])
    without = [c for c in COLUMNS if c != "partners"]
    summary, _record = import_projects(csco_danang, "old.csv", csv_bytes([row_of("A112")], header=without),
                                       commit=True)
    assert (summary.unchanged, summary.updated) == (1, 0)
    assert sorted(project("A112").partners.values_list("slug", flat=True)) == ["adb", "jica"]
    summary, _record = import_projects(csco_danang, "new.csv", csv_bytes([row_of("A112", partners="")]), commit=True)
    assert summary.updated_rows[0]["changes"] == [{"column": "partners", "old": "adb; jica", "new": ""}]
    assert list(project("A112").partners.all()) == []


def test_an_export_with_partners_imports_back_unchanged(client, csco_danang, secretariat):
    update_project(secretariat, project("A112"), {}, partners=[partner("jica"), partner("adb")])
    client.force_login(csco_danang)
    body = client.get("/projects/export.csv?city=da-nang").content
    assert b",adb; jica," in body
    before = state()
    summary, _record = import_projects(csco_danang, "export.csv", body, commit=True)
    assert (summary.unchanged, summary.created, summary.updated, summary.errors) == (3, 0, 0, [])
    assert state() == before


# --- Notes ----------------------------------------------------------------------------------------------


def test_lines_of_notes_are_skipped_but_a_row_with_data_is_not_a_note(csco_danang):
    data = csv_bytes([PARKING, {"reference": "# status: planning | ongoing"},
                      {**PARKING, "reference": "#7", "title": "Bus priority"}])
    summary, _record = import_projects(csco_danang, "projects.csv", data, commit=False)
    assert (summary.created, summary.errors) == (2, [])
    assert [r["key"] for r in summary.created_rows] == ["Smart parking pilot · Da Nang",
                                                        "#7 · Bus priority · Da Nang"]
