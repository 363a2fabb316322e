"""PDF checks: WeasyPrint needs Pango (Debian: libpango-1.0-0 and libpangoft2-1.0-0). Without it the tests
that print are skipped, unless ASCN_REQUIRE_PDF is set: then they fail. Fixture: `weasyprint`; helpers:
`pdf_text` (the extracted text) and `pdf_fonts` (the names of the fonts a PDF embeds)."""

from __future__ import annotations

import io
import os
import re

import pytest


@pytest.fixture(scope="session")
def weasyprint():
    """The weasyprint module; skips the test without Pango (fails it when ASCN_REQUIRE_PDF is set)."""
    try:
        import weasyprint
    except OSError as exc:  # the Python package is installed, Pango is not
        missing = f"PDF rendering needs the Pango library (apt-get install libpango-1.0-0 libpangoft2-1.0-0): {exc}"
        if os.environ.get("ASCN_REQUIRE_PDF"):
            pytest.fail(f"{missing}, but ASCN_REQUIRE_PDF is set", pytrace=False)
        pytest.skip(missing)
    return weasyprint


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_fonts(data: bytes) -> set[str]:
    """The base names of the fonts the pages use (their resources and those of the forms they draw), without
    the subset tag (`ABCDEF+`)."""
    from pypdf import PdfReader

    names: set[str] = set()
    seen: set[int] = set()

    def walk(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in resources.get("/Font", {}).values():
            names.add(re.sub(r"^[A-Z]{6}\+", "", str(font.get_object()["/BaseFont"]).lstrip("/")))
        for xobject in resources.get("/XObject", {}).values():
            form, key = xobject.get_object(), getattr(xobject, "idnum", id(xobject))
            if form.get("/Subtype") == "/Form" and key not in seen:
                seen.add(key)
                walk(form.get("/Resources"))

    for page in PdfReader(io.BytesIO(data)).pages:
        walk(page.get("/Resources"))
    return names
