"""The import kit's Django side: dry run → commit in one transaction, the kept upload, committing a kept
file, and the page partials."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory

from ascn.core import imports
from ascn.core.imports import ImportSummary, pages
from ascn.core.tabular import FileProblem


class KeptFile:
    def __init__(self) -> None:
        self.name, self.content = "", b""

    def save(self, name: str, content, save: bool) -> None:
        assert save is False
        self.name, self.content = name, content.read()

    def open(self, mode: str) -> io.BytesIO:
        return io.BytesIO(self.content)


class Upload:
    """An upload record as the kit sees it (an app's model with these fields)."""

    def __init__(self, uploaded_by=None) -> None:
        self.uploaded_by_id = getattr(uploaded_by, "pk", None)
        self.file, self.original_name, self.summary, self.committed_at, self.saves = KeptFile(), "", {}, None, []

    def save(self, update_fields=None) -> None:
        self.saves.append(update_fields)


class Recorder:
    """check and write steps that note what they saw."""

    def __init__(self, errors: int = 0, fail: bool = False) -> None:
        self.errors, self.fail, self.calls = errors, fail, []

    def check(self, rows, summary: ImportSummary) -> str:
        self.calls.append(("check", rows, list(connection.savepoint_ids)))
        summary.created, summary.errors = len(rows), [{"row": 2, "column": "x", "reason": "bad"}] * self.errors
        return "plan"

    def write(self, plan: str) -> None:
        self.calls.append(("write", plan, list(connection.savepoint_ids)))
        get_user_model().objects.create(username="written-by-the-import")
        if self.fail:
            raise RuntimeError("database went away")


def written() -> bool:
    return get_user_model().objects.filter(username="written-by-the-import").exists()


pytestmark = pytest.mark.django_db


def test_a_dry_run_checks_and_writes_nothing():
    steps = Recorder()
    summary = imports.run(ImportSummary(), lambda: ["a", "b"], steps.check, steps.write, commit=False)
    assert summary.as_dict() == {"created": 2, "updated": 0, "unchanged": 0, "errors": [], "problem": "",
                                 "committed": False, "created_rows": [], "updated_rows": []}
    assert [c[0] for c in steps.calls] == ["check"]
    assert not written()


def test_a_commit_checks_and_writes_in_one_transaction():
    steps = Recorder()
    outside = list(connection.savepoint_ids)
    summary = imports.run(ImportSummary(), lambda: ["a"], steps.check, steps.write, commit=True)
    assert (summary.created, summary.committed) == (1, True)
    (check, rows, during_check), (write, plan, during_write) = steps.calls
    assert (check, rows, write, plan) == ("check", ["a"], "write", "plan")
    assert during_check == during_write and len(during_check) == len(outside) + 1
    assert written()


def test_any_error_means_nothing_is_written():
    steps = Recorder(errors=1)
    summary = imports.run(ImportSummary(), lambda: ["a"], steps.check, steps.write, commit=True)
    assert (summary.error_total, summary.committed) == (1, False)
    assert [c[0] for c in steps.calls] == ["check"]
    assert not written()


def test_a_failure_while_writing_leaves_nothing():
    steps = Recorder(fail=True)
    with pytest.raises(RuntimeError, match="database went away"):
        imports.run(ImportSummary(), lambda: ["a"], steps.check, steps.write, commit=True)
    assert not written()


def test_a_file_problem_is_the_summarys_problem_and_nothing_is_checked():
    steps = Recorder()

    def read():
        raise FileProblem("The file is empty.")

    summary = imports.run(ImportSummary(), read, steps.check, steps.write, commit=True)
    assert (summary.problem, summary.committed, steps.calls) == ("The file is empty.", False, [])


def test_the_writing_context_holds_the_check_and_the_write():
    events = []

    class Writing:
        def __enter__(self):
            events.append("enter")

        def __exit__(self, *exc):
            events.append("exit")

    summary = ImportSummary()
    imports.check_then_commit(summary, lambda: events.append("check"), lambda plan: events.append("write"),
                              commit=True, writing=Writing)
    assert events == ["enter", "check", "write", "exit"]
    assert summary.committed


def test_a_subclass_adds_fields_and_may_count_errors_beyond_those_listed():
    from dataclasses import dataclass

    @dataclass
    class Listed(ImportSummary):
        error_count: int = 0

        @property
        def error_total(self) -> int:
            return self.error_count

    summary = Listed(created=1, error_count=1500)
    assert summary.as_dict() == {"created": 1, "updated": 0, "unchanged": 0, "errors": [], "problem": "",
                                 "committed": False, "created_rows": [], "updated_rows": [], "error_count": 1500}
    assert summary.error_total == 1500


def test_the_upload_is_kept_with_its_summary(csco_danang):
    record = imports.keep_upload(Upload(csco_danang), "C:/Users/me/" + "p" * 300 + ".csv", b"city\n",
                                 ImportSummary(created=3, committed=True))
    assert (len(record.original_name), record.file.name, record.file.content) == (255, "p" * 100, b"city\n")
    assert record.summary["created"] == 3 and record.committed_at is not None and record.saves == [None]
    dry = imports.keep_upload(Upload(), "dir/x.csv", b"", ImportSummary())
    assert (dry.original_name, dry.file.name, dry.committed_at) == ("dir/x.csv", "x.csv", None)
    assert imports.keep_upload(Upload(), "dir/", b"", ImportSummary()).file.name == "upload"


def test_a_kept_upload_is_committed_by_its_uploader_or_the_secretariat_only(csco_danang, nr_vietnam, secretariat):
    record = imports.keep_upload(Upload(csco_danang), "x.csv", b"data", ImportSummary())
    seen = []

    def rerun(name, data):
        seen.append((name, data))
        return ImportSummary(created=1, committed=True)

    with pytest.raises(PermissionDenied) as denied:
        imports.commit_kept(nr_vietnam, record, rerun)
    assert str(denied.value) == "This upload is someone else's."
    assert (seen, record.committed_at) == ([], None)
    summary = imports.commit_kept(secretariat, record, rerun)
    assert (summary.committed, seen, record.summary["committed"]) == (True, [("x.csv", b"data")], True)
    assert record.committed_at is not None and record.saves[-1] == ["summary", "committed_at", "updated_at"]
    assert imports.commit_kept(csco_danang, record, rerun).committed  # again: allowed unless `once`
    with pytest.raises(ValidationError) as refused:
        imports.commit_kept(csco_danang, record, rerun, once=True)
    assert re.fullmatch(r"This file was already imported on \d{4}-\d\d-\d\d \d\d:\d\d\.", refused.value.messages[0])


def test_a_commit_that_fails_its_checks_keeps_the_record_uncommitted(csco_danang):
    record = imports.keep_upload(Upload(csco_danang), "x.csv", b"data", ImportSummary())
    summary = imports.commit_kept(csco_danang, record, lambda name, data: ImportSummary(errors=[{"row": 2}]))
    assert (summary.committed, record.committed_at, record.summary["errors"]) == (False, None, [{"row": 2}])


# --- Page partials -----------------------------------------------------------------------------------------


def result_html(summary: dict, committed: bool = False, **extra) -> str:
    record = Upload()
    record.summary, record.committed_at = summary, "2026-01-01" if committed else None
    request = RequestFactory().get("/x/")
    context = pages.result_context(request, record, upload_url="/up/", file_url="/file/")
    names = ("result",)
    return "".join(render_to_string(f"core/imports.html#{n}", {**context, **extra}, request=request) for n in names)


def stats(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-testid="(\w+)">([^<]*)<', html)


def test_the_summary_partial_shows_the_standard_counts_and_the_optional_ones():
    plain = result_html({"created": 2, "updated": 1, "unchanged": 4, "errors": [], "problem": ""})
    assert stats(plain) == [("created", "2"), ("updated", "1"), ("unchanged", "4"), ("errors", "0")]
    assert "to create" in plain and "Import now" in plain and "error-table" not in plain
    errors = [{"row": 3, "column": "value", "reason": "is empty"}]
    more = result_html({"created": 0, "updated": 0, "unchanged": 0, "blank": 5, "errors": errors, "error_count": 1200,
                        "flag_count": 7}, titled=True)
    assert stats(more) == [("created", "0"), ("updated", "0"), ("unchanged", "0"), ("blank", "5"),
                           ("errors", "1200"), ("flags", "7")]
    assert "Import now" not in more and "Fix these rows in your file" in more
    assert "<h2>Errors</h2>" in more and "<td>3</td><td><code>value</code></td><td>is empty</td>" in more
    assert "The first 1 of 1200 errors are listed." in more
    done = result_html({"created": 2, "updated": 0, "unchanged": 0, "errors": []}, committed=True)
    assert "created</span>" in done and "Import now" not in done and "<h2>Errors</h2>" not in done


def test_a_refused_file_shows_its_problem_and_the_way_back():
    page = result_html({"created": 0, "updated": 0, "unchanged": 0, "errors": [], "problem": "The file is empty."})
    assert stats(page) == [("problem", "The file is empty.")]
    assert 'Nothing was imported. <a href="/up/">Upload another file</a>' in page and "Import now" not in page


# --- Listing the rows a commit creates and updates ----------------------------------------------------------


def test_only_the_first_rows_are_described_however_many_there_are():
    described = []

    def describe(i):
        described.append(i)
        return imports.row_entry(i + 2, f"row {i}")

    rows = imports.listed(iter(range(1_000_000)), describe)
    assert len(rows) == imports.MAX_LISTED_ROWS == 200
    assert described == list(range(200))
    assert rows[0] == {"row": 2, "key": "row 0"} and rows[-1] == {"row": 201, "key": "row 199"}
    assert imports.listed([], describe) == []


def test_a_listed_update_names_each_changed_column_with_its_old_and_new_text():
    import datetime as dt
    from decimal import Decimal

    entry = imports.row_entry(7, "A112 · Smart Water", {
        "cost_estimate": (Decimal("2500000.00"), Decimal("2500000.50")), "start_date": (None, dt.date(2027, 1, 1)),
        "is_published": (False, True), "support": (["technical"], ["financial", "technical"]),
        "value": (1e-05, 12.0), "numerator": (float("nan"), 3.25)})
    assert entry == {"row": 7, "key": "A112 · Smart Water", "changes": [
        {"column": "cost_estimate", "old": "2500000", "new": "2500000.5"},
        {"column": "start_date", "old": "", "new": "2027-01-01"},
        {"column": "is_published", "old": "false", "new": "true"},
        {"column": "support", "old": "technical", "new": "financial; technical"},
        {"column": "value", "old": "0.00001", "new": "12"},
        {"column": "numerator", "old": "", "new": "3.25"}]}


def test_the_result_lists_the_rows_to_create_and_update_and_how_many_more():
    created = [{"row": n, "key": f"Da Nang · project {n}"} for n in range(2, 202)]
    updated = [{"row": 205, "key": "A112 · Smart Water", "changes": [
        {"column": "title", "old": "Smart Water", "new": "Smart Water Management"}]}]
    page = result_html({"created": 203, "updated": 1, "unchanged": 0, "errors": [], "problem": "",
                        "created_rows": created, "updated_rows": updated})
    assert "<h2>Rows to create</h2>" in page and "<h2>Rows to update</h2>" in page
    assert page.count("Da Nang · project") == 200
    assert "<tr><td>2</td><td>Da Nang · project 2</td></tr>" in page
    assert re.search(r'data-testid="more-created">… and 3 more rows\.<', page)
    assert "more-updated" not in page
    assert ("<td>205</td><td>A112 · Smart Water</td>\n    <td><ul class=\"changes\"><li><code>title</code>: "
            "<del>Smart Water</del> → <ins>Smart Water Management</ins></li></ul></td>") in page
    one_more = result_html({"created": 0, "updated": 2, "unchanged": 0, "errors": [], "updated_rows": updated})
    assert "… and 1 more row.<" in one_more and "created-rows" not in one_more
    done = result_html({"created": 1, "updated": 0, "errors": [], "created_rows": created[:1]}, committed=True)
    assert "<h2>Rows created</h2>" in done and "Rows to create" not in done


def test_a_file_that_matches_what_is_stored_offers_nothing_to_import():
    same = result_html({"created": 0, "updated": 0, "unchanged": 5, "errors": [], "problem": ""})
    assert "Nothing to import: every row matches what is stored." in same
    assert "Import now" not in same and "<form" not in same
    empty = result_html({"created": 0, "updated": 0, "unchanged": 0, "blank": 3, "errors": [], "problem": ""})
    assert "Nothing to import: the file has no rows to write." in empty and "Import now" not in empty
    assert "Nothing to import" not in result_html({"created": 0, "updated": 1, "unchanged": 5, "errors": []})


def test_committing_a_file_with_nothing_to_write_says_so(rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.post("/x/")
    request.session = {}
    request._messages = FallbackStorage(request)
    pages.commit_with_message(request, lambda: ImportSummary(unchanged=4, committed=True))
    pages.commit_with_message(request, lambda: ImportSummary(created=1, unchanged=4, committed=True))
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("info", "Nothing to import: every row matches what is stored."),
        ("success", "Imported: 1 created, 0 updated, 4 unchanged.")]
