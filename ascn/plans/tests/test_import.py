"""Importing projects from CSV/XLSX: dry run, commit, idempotence, every kind of bad file, atomicity;
through the action, the web pages and the `import_projects` command."""

import datetime as dt
import io
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from ascn.core.models import AuditEntry
from ascn.plans import importing
from ascn.plans.actions import commit_import, import_projects
from ascn.plans.exporting import COLUMNS
from ascn.plans.models import ProgressUpdate, Project, ProjectImport
from ascn.plans.queries import ProjectFilters, projects

from .helpers import csv_bytes, import_records, project, row_of, state, who

pytestmark = pytest.mark.django_db

PARKING = {"city": "da-nang", "title": "Smart parking pilot", "focus_area": "built_infrastructure",
           "project_type": "built_infrastructure.mobility_transportation", "status": "planning", "stage": "feasibility",
           "start_date": "2027-01-01", "end_date": "2028-12-31", "currency": "USD", "cost_estimate": "1,500,000",
           "funding_secured": "250000", "support": "financial; technical", "support_notes": "Financing structure",
           "is_published": "true"}
FLOOD = {"city": "da-nang", "title": "Flood early warning", "focus_area": "quality_environment",
         "project_type": "quality_environment.urban_resilience", "status": "ongoing", "is_published": "yes"}
NOTHING = {"created": 0, "updated": 0, "unchanged": 0, "errors": [], "problem": "", "committed": False}


def valid_file() -> bytes:
    """Two new projects, one changed (cost and support), one with a new status, one unchanged."""
    return csv_bytes([PARKING, FLOOD, row_of("A112", cost_estimate="2000000", support="technical"),
                      row_of("A111", status="completed"), row_of("SCAP18-DN1")])


def summary_of(**values):
    return {**NOTHING, **values}


def counts(summary) -> dict:
    """A summary (or a kept record's) without its lists of rows, which tests of their own check."""
    values = summary if isinstance(summary, dict) else summary.as_dict()
    return {k: v for k, v in values.items() if k not in ("created_rows", "updated_rows")}


# --- Through the action ---------------------------------------------------------------------------


def test_dry_run_counts_exactly_and_writes_nothing_but_keeps_the_upload(csco_danang, media_root):
    data = valid_file()
    before = state()
    summary, record = import_projects(csco_danang, "projects.csv", data, commit=False)
    assert counts(summary) == summary_of(created=2, updated=2, unchanged=1)
    assert state() == before
    record = ProjectImport.objects.get(pk=record.pk)
    assert (record.original_name, record.uploaded_by, record.committed_at) == ("projects.csv", csco_danang, None)
    assert record.summary == summary.as_dict()
    with record.file.open("rb") as handle:
        assert handle.read() == data
    assert record.file.path.startswith(str(media_root))


def test_commit_writes_new_changed_and_status_rows(csco_danang):
    a111, dn1 = project("A111"), project("SCAP18-DN1")
    audit_before = AuditEntry.objects.count()
    summary, record = import_projects(csco_danang, "projects.csv", valid_file(), commit=True)
    assert counts(summary) == summary_of(created=2, updated=2, unchanged=1, committed=True)
    assert record.committed_at is not None
    today = timezone.localdate()
    assert Project.objects.count() == 138
    parking = Project.objects.get(title="Smart parking pilot")
    assert (parking.city.slug, parking.reference, parking.focus_area.code, parking.project_type.code, parking.status,
            parking.stage, parking.start_date, parking.end_date, parking.currency, parking.cost_estimate,
            parking.funding_secured, parking.support_notes, parking.is_published) == (
        "da-nang", "", "built_infrastructure", "built_infrastructure.mobility_transportation", "planning",
        "feasibility", dt.date(2027, 1, 1), dt.date(2028, 12, 31), "USD", Decimal("1500000"), Decimal("250000"),
        "Financing structure", True)
    assert list(parking.support_needs.values_list("kind", flat=True)) == ["financial", "technical"]
    assert list(parking.updates.values_list("date", "status", "author__username", "source")) == [
        (today, "planning", "csco-dn", "Imported from projects.csv")]
    flood = Project.objects.get(title="Flood early warning")
    assert (flood.status, flood.is_published, flood.project_type.code) == (
        "ongoing", True, "quality_environment.urban_resilience")
    a112 = project("A112")
    assert (a112.cost_estimate, a112.status) == (Decimal("2000000"), "ongoing")
    assert list(a112.support_needs.values_list("kind", flat=True)) == ["technical"]
    assert a112.updates.count() == 1
    # A status change in the file becomes a progress update, and the project's status follows it.
    a111_after = project("A111")
    assert a111_after.status == "completed"
    assert list(a111_after.updates.values_list("date", "status", "source")) == [
        (today, "completed", "Imported from projects.csv"),
        (dt.date(2025, 9, 30), "ongoing", a111.source)]
    assert project("SCAP18-DN1").updated_at == dn1.updated_at
    # Filters see the imported rows (search text and support kinds are kept up to date).
    found = {p.title for p in projects(AnonymousUser(), ProjectFilters(support="technical"))}
    assert found == {"Smart parking pilot", "Smart Water Management System"}
    assert [p.title for p in projects(AnonymousUser(), ProjectFilters(q="flood early"))] == ["Flood early warning"]
    entries = AuditEntry.objects.order_by("id")[audit_before:]
    assert AuditEntry.objects.count() == audit_before + 4
    assert sorted((e.action, e.object_repr, e.via, e.actor_id) for e in entries) == [
        ("create", "Flood early warning", "web", csco_danang.pk),
        ("create", "Smart parking pilot", "web", csco_danang.pk),
        ("update", "Intelligent Operation Centre", "web", csco_danang.pk),
        ("update", "Smart Water Management System", "web", csco_danang.pk),
    ]
    by_repr = {e.object_repr: e.changes for e in entries}
    assert by_repr["Smart Water Management System"] == {"cost_estimate": [None, "2000000"],
                                                        "support": [[], ["technical"]]}
    assert by_repr["Intelligent Operation Centre"] == {"status": ["ongoing", "completed"]}


def test_importing_the_same_file_again_changes_nothing(csco_danang):
    data = valid_file()
    import_projects(csco_danang, "projects.csv", data, commit=True)
    before = state()
    summary, _record = import_projects(csco_danang, "projects.csv", data, commit=True)
    assert counts(summary) == summary_of(unchanged=5, committed=True)
    assert state() == before


def test_amounts_with_more_than_two_decimals_do_not_make_a_file_change_forever(csco_danang):
    """Money has two decimals: importing the same file a second time must report nothing to update."""
    data = csv_bytes([{**FLOOD, "cost_estimate": "1500000.555"}])
    first, _record = import_projects(csco_danang, "projects.csv", data, commit=True)
    before = state()
    second, _record = import_projects(csco_danang, "projects.csv", data, commit=True)
    assert (second.created, second.updated) == (0, 0), (first.as_dict(), second.as_dict())
    assert state() == before


def test_a_reference_of_another_citys_project_does_not_change_it(csco_danang):
    """A Da Nang officer's file must not overwrite a project of Bandar Seri Begawan by naming its reference."""
    before = state()
    data = csv_bytes([{"reference": "A1", "city": "da-nang", "title": "Taken over", "focus_area": "civic_social",
                       "is_published": "true"}])
    summary, _record = import_projects(csco_danang, "projects.csv", data, commit=True)
    a1 = project("A1")
    assert (a1.title, a1.city.slug) == ("Revitalisation of Kampong Ayer (Water Village)", "bandar-seri-begawan")
    assert summary.committed is False
    assert [(e["row"], e["column"]) for e in summary.errors] == [(2, "reference")]
    assert state() == before


def test_an_xlsx_workbook_built_with_openpyxl(csco_danang):
    book = Workbook()
    sheet = book.active
    sheet.title = "my projects"
    sheet.append(COLUMNS)
    sheet.append(["", "da-nang", "Smart parking pilot", "built_infrastructure",
                  "built_infrastructure.mobility_transportation", "planning", "feasibility", dt.date(2027, 1, 1),
                  dt.datetime(2028, 12, 31), "usd", 1500000, 250000.5, "financial;technical", "", "", "", "", True, ""])
    sheet.append(["DN-7", "da-nang", "Flood early warning", "quality_environment", None, "ongoing", None, None, None,
                  None, None, None, None, None, None, None, None, False, None])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    before = state()
    dry, _record = import_projects(csco_danang, "projects.xlsx", data, commit=False)
    assert counts(dry) == summary_of(created=2)
    assert state() == before
    summary, _record = import_projects(csco_danang, "projects.xlsx", data, commit=True)
    assert counts(summary) == summary_of(created=2, committed=True)
    parking = Project.objects.get(title="Smart parking pilot")
    assert (parking.start_date, parking.end_date, parking.currency, parking.cost_estimate, parking.funding_secured,
            parking.is_published) == (dt.date(2027, 1, 1), dt.date(2028, 12, 31), "USD", Decimal("1500000"),
                                      Decimal("250000.50"), True)
    assert list(parking.support_needs.values_list("kind", flat=True)) == ["financial", "technical"]
    flood = project("DN-7")
    assert (flood.title, flood.status, flood.is_published, flood.project_type) == (
        "Flood early warning", "ongoing", False, None)
    again, _record = import_projects(csco_danang, "projects.xlsx", data, commit=True)
    assert counts(again) == summary_of(unchanged=2, committed=True)


# --- Bad files --------------------------------------------------------------------------------------


def latin1_file() -> bytes:
    return csv_bytes([{**PARKING, "title": "Café connecté"}]).decode("utf-8").encode("latin-1")


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"

FILE_PROBLEMS = [
    ("latin-1", "projects.csv", latin1_file,
     "The file is not UTF-8 text (byte {latin1} cannot be read); save it as CSV UTF-8 or as XLSX."),
    ("missing columns", "projects.csv",
     lambda: csv_bytes([PARKING], header=[c for c in COLUMNS if c not in ("focus_area", "title")]),
     "Missing columns: title, focus_area. The template lists every column."),
    ("unknown columns", "projects.csv", lambda: csv_bytes([PARKING], header=[*COLUMNS, "budget", "owner"]),
     f"Unknown columns: budget, owner. Allowed: {', '.join(COLUMNS)}."),
    ("png", "projects.csv", lambda: PNG, "This is not a CSV or XLSX file (it contains binary data)."),
    ("pdf", "projects.csv", lambda: PDF,
     "The file is not UTF-8 text (byte 10 cannot be read); save it as CSV UTF-8 or as XLSX."),
    ("csv named xlsx", "projects.xlsx", lambda: csv_bytes([PARKING]),
     "The file is named .xlsx but is not an Excel workbook."),
    ("broken xlsx", "projects.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 64,
     "The Excel workbook cannot be read (File is not a zip file)."),
    ("empty", "projects.csv", lambda: b"", "The file is empty."),
    ("blank", "projects.csv", lambda: b" \r\n\r\n", "The file is empty."),
]


@pytest.mark.parametrize(("case", "name", "build", "problem"), FILE_PROBLEMS, ids=[c[0] for c in FILE_PROBLEMS])
def test_bad_files_give_a_clear_message_and_change_nothing(csco_danang, case, name, build, problem):
    data = build()
    if "{latin1}" in problem:
        problem = problem.format(latin1=data.index(b"\xe9"))
    before = state()
    summary, record = import_projects(csco_danang, name, data, commit=True)
    assert counts(summary) == summary_of(problem=problem)
    assert state() == before
    assert ProjectImport.objects.get(pk=record.pk).summary["problem"] == problem


def test_an_oversized_file_is_refused(csco_danang, monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 1_000_000)
    data = csv_bytes([PARKING]) + b"\n" * 1_500_000
    before = state()
    summary, _record = import_projects(csco_danang, "projects.csv", data, commit=True)
    assert counts(summary) == summary_of(problem="The file is 1.5 MB; the limit is 1 MB.")
    assert state() == before


ROW_PROBLEMS = [
    ("unknown city", {"city": "atlantis"},
     [{"row": 2, "column": "city", "reason": "unknown city 'atlantis' (use the city's slug, e.g. da-nang)"}]),
    ("city not writable", {"city": "ha-noi"},
     [{"row": 2, "column": "city", "reason": "you may not record projects for 'ha-noi'"}]),
    ("unknown focus area", {"focus_area": "smart_stuff", "project_type": ""},
     [{"row": 2, "column": "focus_area", "reason": "unknown focus area 'smart_stuff'"}]),
    ("type of another focus area", {"focus_area": "civic_social"},
     [{"row": 2, "column": "project_type", "reason": "'built_infrastructure.mobility_transportation' belongs to "
                                                     "focus area 'built_infrastructure', not 'civic_social'"}]),
    ("malformed number", {"cost_estimate": "1.5 million"},
     [{"row": 2, "column": "cost_estimate", "reason": "'1.5 million' is not a number"}]),
    ("malformed date", {"start_date": "31/12/2027"},
     [{"row": 2, "column": "start_date", "reason": "'31/12/2027' is not a date (YYYY-MM-DD)"}]),
    ("end before start", {"end_date": "2026-12-31"},
     [{"row": 2, "column": "end_date", "reason": "is before start_date"}]),
    ("funding above cost", {"funding_secured": "2000000"},
     [{"row": 2, "column": "funding_secured", "reason": "is more than cost_estimate"}]),
    ("unknown status and support", {"status": "done", "support": "financial; loans"},
     [{"row": 2, "column": "status", "reason": "'done' is not one of planning, ongoing, completed, cancelled"},
      {"row": 2, "column": "support", "reason": "'loans' not among financial, technical, advisory, partner, training"}]),
    ("empty title", {"title": " "}, [{"row": 2, "column": "title", "reason": "is empty"}]),
]


@pytest.mark.parametrize(("case", "change", "errors"), ROW_PROBLEMS, ids=[c[0] for c in ROW_PROBLEMS])
def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(csco_danang, case, change, errors):
    data = csv_bytes([FLOOD, {**PARKING, **change}])
    before = state()
    summary, _record = import_projects(csco_danang, "projects.csv", data, commit=True)
    assert counts(summary) == summary_of(created=1, errors=[{**e, "row": 3} for e in errors])
    assert state() == before


def test_duplicate_rows_are_reported_and_nothing_is_written(csco_danang):
    data = csv_bytes([PARKING, FLOOD, {**PARKING, "title": "SMART PARKING PILOT"},
                      row_of("A112"), row_of("A112", title="Renamed")])
    before = state()
    summary, _record = import_projects(csco_danang, "projects.csv", data, commit=True)
    assert counts(summary) == summary_of(created=2, unchanged=1, errors=[
        {"row": 4, "column": "title", "reason": "duplicate of row 2"},
        {"row": 6, "column": "reference", "reason": "duplicate of row 5"}])
    assert state() == before


def test_any_bad_row_means_the_commit_writes_nothing_at_all(csco_danang):
    """Atomic: valid new, changed and status rows are not written when one row is bad."""
    data = csv_bytes([PARKING, row_of("A112", cost_estimate="2000000"), row_of("A111", status="completed"),
                      {**FLOOD, "start_date": "yesterday"}])
    before = state()
    summary, _record = import_projects(csco_danang, "projects.csv", data, commit=True)
    assert counts(summary) == summary_of(created=1, updated=2, errors=[
        {"row": 5, "column": "start_date", "reason": "'yesterday' is not a date (YYYY-MM-DD)"}])
    assert state() == before


def test_a_failure_while_writing_rolls_everything_back(csco_danang, monkeypatch):
    """The database fails on the last write of the commit (the audit entries): nothing written before stays."""
    from ascn.core import bulk

    insert_values, written = bulk.insert_values, []

    def fail_on_audit_insert(model, rows, **kwargs):
        if model is AuditEntry:
            raise RuntimeError("database went away")
        written.append(model)
        return insert_values(model, rows, **kwargs)

    monkeypatch.setattr(bulk, "insert_values", fail_on_audit_insert)
    data = valid_file()
    before, records = state(), import_records()
    with pytest.raises(RuntimeError, match="database went away"):
        import_projects(csco_danang, "projects.csv", data, commit=True)
    assert Project in written
    assert state() == before
    assert import_records() == records


@pytest.mark.parametrize("role", ["nr", "partner", "none", "anonymous"])
def test_roles_that_do_not_record_projects_cannot_import(accounts, role):
    before = state()
    summary, _record = import_projects(who(accounts, role), "projects.csv", csv_bytes([PARKING, FLOOD]), commit=True)
    assert counts(summary) == summary_of(errors=[
        {"row": 2, "column": "city", "reason": "you may not record projects for 'da-nang'"},
        {"row": 3, "column": "city", "reason": "you may not record projects for 'da-nang'"}])
    assert state() == before


def test_only_the_uploader_or_the_secretariat_commits_an_upload(csco_danang, nr_vietnam, secretariat):
    _summary, record = import_projects(csco_danang, "projects.csv", csv_bytes([PARKING]), commit=False)
    before = state()
    with pytest.raises(PermissionDenied):
        commit_import(nr_vietnam, record)
    assert state() == before
    summary = commit_import(secretariat, record)
    assert counts(summary) == summary_of(created=1, committed=True)
    assert Project.objects.get(title="Smart parking pilot").updates.get().author == secretariat


# --- Through the web ------------------------------------------------------------------------------


def upload(client, name: str, data: bytes):
    return client.post("/projects/import/", {"file": SimpleUploadedFile(name, data)})


def test_web_import_checks_then_commits(client, csco_danang, media_root):
    client.force_login(csco_danang)
    assert client.get("/projects/import/").status_code == 200
    data = valid_file()
    before = state()
    response = upload(client, "projects.csv", data)
    record = ProjectImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/projects/import/{record.pk}/"
    assert state() == before
    assert (record.original_name, record.uploaded_by, record.committed_at) == ("projects.csv", csco_danang, None)
    with record.file.open("rb") as handle:
        assert handle.read() == data
    assert record.file.path.startswith(str(media_root))
    detail = client.get(f"/projects/import/{record.pk}/")
    html = detail.content.decode()
    for testid, value in (("created", 2), ("updated", 2), ("unchanged", 1), ("errors", 0)):
        assert f'data-testid="{testid}">{value}<' in html
    assert "Import now" in html
    committed = client.post(f"/projects/import/{record.pk}/")
    assert committed.status_code == 302
    assert committed["Location"] == f"/projects/import/{record.pk}/"
    record.refresh_from_db()
    assert record.committed_at is not None
    assert counts(record.summary) == summary_of(created=2, updated=2, unchanged=1, committed=True)
    assert Project.objects.count() == 138
    assert project("A111").status == "completed"
    after = client.get(f"/projects/import/{record.pk}/")
    assert "Imported: 2 created, 2 updated, 1 unchanged." in after.content.decode()
    assert "Import now" not in after.content.decode()


def test_web_upload_of_a_bad_file_shows_the_problem_and_commits_nothing(client, csco_danang):
    client.force_login(csco_danang)
    before = state()
    response = upload(client, "projects.csv", PNG)
    record = ProjectImport.objects.get()
    assert response["Location"] == f"/projects/import/{record.pk}/"
    html = client.get(f"/projects/import/{record.pk}/").content.decode()
    assert ('data-testid="problem">This is not a CSV or XLSX file (it contains binary data).<') in html
    assert "Nothing was imported." in html
    client.post(f"/projects/import/{record.pk}/")
    record.refresh_from_db()
    assert record.committed_at is None
    assert state() == before
    rows = upload(client, "rows.csv", csv_bytes([{**PARKING, "city": "ha-noi"}]))
    rows_record = ProjectImport.objects.get(original_name="rows.csv")
    assert rows["Location"] == f"/projects/import/{rows_record.pk}/"
    page = client.get(f"/projects/import/{rows_record.pk}/").content.decode()
    assert "you may not record projects for &#x27;ha-noi&#x27;" in page
    assert "Import now" not in page
    assert state() == before


@pytest.mark.parametrize(("name", "data", "error"), [
    ("logo.png", PNG, "Upload a .csv or .xlsx file."),
    ("report.pdf", PDF, "Upload a .csv or .xlsx file."),
    ("projects.csv", b"", "The submitted file is empty."),
])
def test_web_upload_form_refuses_other_file_types(client, csco_danang, name, data, error):
    client.force_login(csco_danang)
    before, records = state(), import_records()
    response = upload(client, name, data)
    assert response.status_code == 422
    assert response.context["form"].errors == {"file": [error]}
    assert (state(), import_records()) == (before, records)


def test_web_upload_form_refuses_an_oversized_file(client, csco_danang, monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 1000)
    client.force_login(csco_danang)
    before, records = state(), import_records()
    response = upload(client, "projects.csv", csv_bytes([PARKING]) + b"\n" * 2000)
    assert response.status_code == 422
    assert response.context["form"].errors == {"file": ["The file is larger than 20 MB; split it."]}
    assert (state(), import_records()) == (before, records)


def test_web_import_is_for_those_who_record_projects(client, nr_vietnam, partner_jica, csco_danang, secretariat):
    _summary, record = import_projects(csco_danang, "projects.csv", csv_bytes([PARKING]), commit=False)
    before = state()
    assert client.get("/projects/import/").status_code == 302
    assert client.post(f"/projects/import/{record.pk}/").status_code == 302
    for user in (nr_vietnam, partner_jica):
        client.force_login(user)
        assert client.get("/projects/import/").status_code == 403
        assert upload(client, "projects.csv", csv_bytes([PARKING])).status_code == 403
        assert client.post(f"/projects/import/{record.pk}/").status_code == 404
    client.force_login(secretariat)
    assert client.get(f"/projects/import/{record.pk}/").status_code == 404
    assert state() == before


# --- Through the command --------------------------------------------------------------------------


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_projects", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_dry_run_then_import_then_again(tmp_path):
    path = tmp_path / "projects.csv"
    path.write_bytes(valid_file())
    before = state()
    assert run(str(path), "--dry-run") == (
        "2 would be created, 2 would be updated, 1 unchanged, 0 errors.\nDry run: nothing was written.\n", "")
    assert state() == before
    assert run(str(path)) == ("2 were created, 2 were updated, 1 unchanged, 0 errors.\nImported.\n", "")
    assert Project.objects.count() == 138
    assert project("A111").status == "completed"
    entries = AuditEntry.objects.filter(via="command")
    assert entries.count() == 4
    assert set(entries.values_list("actor", flat=True)) == {None}
    assert ProgressUpdate.objects.filter(source="Imported from projects.csv", author=None).count() == 3
    after = state()
    assert run(str(path)) == ("0 were created, 0 were updated, 5 unchanged, 0 errors.\nImported.\n", "")
    assert state() == after


def test_command_dry_run_keeps_no_upload_record(tmp_path, media_root):
    """"Dry run: nothing was written" — not even a ProjectImport row and a copy of the file."""
    path = tmp_path / "projects.csv"
    path.write_bytes(valid_file())
    records = import_records()
    run(str(path), "--dry-run")
    assert import_records() == records
    assert not (media_root / "imports").exists()


def test_command_may_write_every_city(tmp_path):
    path = tmp_path / "projects.csv"
    path.write_bytes(csv_bytes([{**PARKING, "city": "ha-noi"}, {**FLOOD, "city": "battambang"}]))
    assert run(str(path))[0] == "2 were created, 0 were updated, 0 unchanged, 0 errors.\nImported.\n"
    assert sorted(Project.objects.filter(title__in=["Smart parking pilot", "Flood early warning"])
                  .values_list("city__slug", flat=True)) == ["battambang", "ha-noi"]


def test_command_reports_bad_rows_and_writes_nothing(tmp_path):
    path = tmp_path / "projects.csv"
    path.write_bytes(csv_bytes([PARKING, {**FLOOD, "city": "atlantis", "cost_estimate": "lots"}]))
    before = state()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_projects", str(path), stdout=out, stderr=err)
    assert str(failed.value) == "Nothing was imported: fix the errors above and run again."
    assert err.getvalue() == ("row 3, column city: unknown city 'atlantis' (use the city's slug, e.g. da-nang)\n"
                              "row 3, column cost_estimate: 'lots' is not a number\n")
    assert out.getvalue() == "1 were created, 0 were updated, 0 unchanged, 2 errors.\n"
    assert state() == before


def test_command_reports_a_bad_file_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([PARKING], header=["city", "title"]))
    before = state()
    with pytest.raises(CommandError) as failed:
        run(str(path))
    assert str(failed.value) == ("bad.csv: Missing columns: focus_area. The template lists every column. "
                                 "Nothing was imported.")
    with pytest.raises(CommandError) as missing:
        run(str(tmp_path / "nope.csv"))
    assert str(missing.value) == f"Cannot read {tmp_path / 'nope.csv'}: No such file or directory"
    assert state() == before
