"""The dry run → commit flow of an import, and keeping what was uploaded.

An app's import is three steps it writes itself, run by `run`:

- `read()`: the file into checked rows (`core.tabular`); raises FileProblem for the file as a whole;
- `check(rows, summary)`: decide per row what a commit would do — create, update or leave unchanged —
  reading only; it fills the summary's counts and errors and returns the plan to write;
- `write(plan)`: the writes, with bulk statements and audit entries.

With `commit` and no error, check and write run in one transaction (the data cannot change between them;
a failure while writing leaves nothing). A row equal to what is stored counts as unchanged and is not
written, so the same file imported twice changes nothing. The upload is kept with its summary on a record
of the app's (`keep_upload`: a model with `file`, `original_name`, `summary`, `committed_at`), from which a
checked file is committed later (`commit_kept`).

`check` also lists the rows a commit would create and update (`listed`), each with its row number, its
key in words and, for an update, what changes: the first MAX_LISTED_ROWS of each, so a file of a million
rows costs no more to describe than one of two hundred; the counts say how many there are in all.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, fields
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ascn.core.bulk import collector_paused
from ascn.core.permissions import Principal
from ascn.core.tabular import FileProblem

T = TypeVar("T")
P = TypeVar("P")
MAX_LISTED_ROWS = 200  # rows to create, and rows to update, described by a summary (the counts are exact)


@dataclass
class ImportSummary:
    """What an import did or would do. `errors` are {"row", "column", "reason"} dicts (`Problem.as_dict()`);
    `problem` says why the file as a whole was refused; `created_rows` and `updated_rows` describe the first
    rows created and updated (`row_entry`). An app adds its own fields in a subclass."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""
    committed: bool = False
    created_rows: list[dict[str, Any]] = field(default_factory=list)
    updated_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def error_total(self) -> int:
        """How many errors there are (a subclass may list only the first ones)."""
        return len(self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def listed(items: Iterable[T], describe: Callable[[T], dict[str, Any]], limit: int = MAX_LISTED_ROWS
           ) -> list[dict[str, Any]]:
    """The first `limit` of `items` described (`describe` returns a `row_entry`); the rest are not looked at."""
    return [describe(item) for item in islice(items, limit)]


def row_entry(row: int, key: str, changes: Mapping[str, tuple[Any, Any]] | None = None) -> dict[str, Any]:
    """One listed row: its number as the user sees it, what it is (e.g. "Da Nang · Smart parking"), and for
    an update each changed column with its stored and its new value as text."""
    entry: dict[str, Any] = {"row": int(row), "key": key}
    if changes is not None:
        entry["changes"] = [{"column": column, "old": as_text(old), "new": as_text(new)}
                            for column, (old, new) in changes.items()]
    return entry


def as_text(value: Any) -> str:
    """A value as a file would hold it: nothing for None, true/false, lists joined with "; ", numbers
    without a trailing ".0" or exponent."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(as_text(v) for v in value)
    if isinstance(value, float) and math.isfinite(value):
        value = Decimal(repr(value))  # the shortest digits that give the float back
    if isinstance(value, Decimal) and value.is_finite():
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


S = TypeVar("S", bound=ImportSummary)


def check_then_commit(summary: S, check: Callable[[], P], write: Callable[[P], Any], *, commit: bool,
                      writing: Callable[[], AbstractContextManager[Any]] = nullcontext) -> S:
    """`check()` (which fills `summary`); with `commit` and no error, `write(plan)` too, both inside one
    transaction (and inside `writing()`, e.g. a larger database cache for a bulk load)."""
    if not commit:
        check()
        return summary
    with transaction.atomic(), writing():
        plan = check()
        if not summary.error_total:
            write(plan)
            summary.committed = True
    return summary


def run(summary: S, read: Callable[[], T], check: Callable[[T, S], P], write: Callable[[P], Any], *,
        commit: bool) -> S:
    """Read, check and (with `commit` and no error) write; a FileProblem becomes `summary.problem`.
    Python's cyclic collector is paused meanwhile (an import makes many short-lived objects)."""
    with collector_paused():
        try:
            rows = read()
        except FileProblem as exc:
            summary.problem = str(exc)
            return summary
        return check_then_commit(summary, lambda: check(rows, summary), write, commit=commit)


def keep_upload(record: Any, name: str, data: bytes, summary: ImportSummary) -> Any:
    """Save `record` (an unsaved upload record) with the file as uploaded, its name and its summary."""
    record.original_name = name[:255]
    record.summary = summary.as_dict()
    record.committed_at = timezone.now() if summary.committed else None
    record.file.save(name.rsplit("/", 1)[-1][:100] or "upload", ContentFile(data), save=False)
    record.save()
    return record


def commit_kept(actor: Any, record: Any, rerun: Callable[[str, bytes], S], *, once: bool = False) -> S:
    """Commit a checked upload from its kept file: `rerun(name, data)` checks it again (the data may have
    changed since) and writes it. Only the uploader or the Secretariat may; with `once`, a file already
    imported is refused."""
    if record.uploaded_by_id != getattr(actor, "pk", None) and not Principal.of(actor).is_secretariat:
        raise PermissionDenied(_("This upload is someone else's."))
    if once and record.committed_at:
        raise ValidationError(_("This file was already imported on %(date)s.") % {
            "date": timezone.localtime(record.committed_at).strftime("%Y-%m-%d %H:%M")})
    with record.file.open("rb") as handle:
        data = handle.read()
    summary = rerun(record.original_name, data)
    record.summary = summary.as_dict()
    if summary.committed:
        record.committed_at = timezone.now()
    record.save(update_fields=["summary", "committed_at", "updated_at"])
    return summary
