"""The import kit's Django side: the dry run → commit flow and keeping the upload (`flow`), and what the
import pages share (`pages`, with the partials of the `core/imports.html` template). Reading and
checking files is `core.tabular`, which needs no Django."""

from .flow import ImportSummary, check_then_commit, commit_kept, keep_upload, run

__all__ = ["ImportSummary", "check_then_commit", "commit_kept", "keep_upload", "run"]
