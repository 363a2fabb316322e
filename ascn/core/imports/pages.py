"""The import pages' shared parts: what the partials in `core/imports.html` need, and the commit button's
messages. An app's views stay its own (addresses, permissions, the action they call)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .flow import ImportSummary

ERRORS_PER_PAGE = 100


def uploads(records: Iterable[Any], url: Callable[[Any], str]) -> list[dict[str, Any]]:
    """Recent uploads for the `recent` partial: each record with the address of its page."""
    return [{"record": record, "url": url(record)} for record in records]


def result_context(request: HttpRequest, record: Any, *, upload_url: str, file_url: str) -> dict[str, Any]:
    """The context of a kept upload's page: its summary, a page of its errors and how many there are,
    where to upload another file and where to download this one."""
    summary = record.summary
    errors = summary.get("errors", [])
    return {"record": record, "summary": summary, "query": "",
            "page": Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("page")),
            "error_total": summary.get("error_count", len(errors)), "upload_url": upload_url, "file_url": file_url,
            "more_created": _more(summary, "created"), "more_updated": _more(summary, "updated")}


def _more(summary: dict[str, Any], count: str) -> int:
    """How many rows of `count` ("created", "updated") the summary counts but does not list."""
    return max(summary.get(count, 0) - len(summary.get(f"{count}_rows", [])), 0)


def commit_with_message(request: HttpRequest, commit: Callable[[], ImportSummary]) -> None:
    """Run the "Import now" button's commit and say what it did (or why it did nothing)."""
    try:
        summary = commit()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return
    if summary.committed and not (summary.created or summary.updated):
        messages.info(request, nothing_to_import(summary.unchanged))
    elif summary.committed:
        messages.success(request, _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                         % {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged})
    else:
        messages.error(request, _("Nothing was imported: the file no longer passes the checks."))


def nothing_to_import(unchanged: int) -> str:
    """Why a checked file without errors has nothing to write."""
    if unchanged:
        return _("Nothing to import: every row matches what is stored.")
    return _("Nothing to import: the file has no rows to write.")
