"""Printing HTML to PDF with WeasyPrint, the same way for every app.

The fonts are shipped under static/vendor/fonts/ and linked by the print templates
(`vendor/fonts/pdf-fonts.css`): they are read from disk (file: URLs only, nothing is fetched over the
network), so no system font is needed. The text is NFC-normalised: the shipped fonts are subsets, and
a Vietnamese letter typed as a base letter plus combining marks would otherwise take its marks from
another file.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from django.conf import settings


class PdfUnavailable(RuntimeError):
    """WeasyPrint's system libraries (Pango) are not installed on this machine."""


def html_to_pdf(document: str) -> bytes:
    """`document` (a whole HTML page from a print template) as PDF bytes."""
    try:  # imported here: loading WeasyPrint loads Pango, which only the print path needs
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # the Python package is installed, Pango is not
        raise PdfUnavailable(str(exc)) from exc
    static = Path(settings.PACKAGE_DIR, "static").as_uri() + "/"  # where vendor/fonts/pdf-fonts.css is
    return HTML(string=unicodedata.normalize("NFC", document), base_url=static,
                url_fetcher=URLFetcher(allowed_protocols=["file"])).write_pdf()
