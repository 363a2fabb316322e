"""The import kit's Django side: the dry run → commit flow and keeping the upload (`flow`), and what the
import pages share (`pages`, with the partials of the `core/imports.html` template). Reading and
checking files is `core.tabular`, which needs no Django."""

from .flow import (
    MAX_LISTED_ROWS,
    ImportSummary,
    as_text,
    check_then_commit,
    commit_kept,
    keep_upload,
    listed,
    row_entry,
    run,
)

__all__ = ["MAX_LISTED_ROWS", "ImportSummary", "as_text", "check_then_commit", "commit_kept", "keep_upload", "listed",
           "row_entry", "run"]
