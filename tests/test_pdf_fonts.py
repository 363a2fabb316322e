"""The PDF exports print in the fonts shipped under ascn/static/vendor/fonts/, whatever fonts the machine has:
the M&E report and a business case with Thai and Vietnamese text embed only the shipped fonts, the text
extracts exactly as written, and nothing is fetched but the shipped files."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from ascn.core.testing.pdf import pdf_fonts, pdf_text

FONTS = Path(settings.PACKAGE_DIR, "static", "vendor", "fonts")
# The names WeasyPrint gives the embedded fonts: the @font-face family, then the weight.
SHIPPED = {"ASCN-Noto-Sans", "ASCN-Noto-Sans-Bold", "ASCN-Noto-Sans-Vietnamese", "ASCN-Noto-Sans-Vietnamese-Bold",
           "ASCN-Noto-Sans-Thai", "ASCN-Noto-Sans-Thai-Bold"}
VIETNAMESE = "Bãi đỗ xe thông minh ở Đà Nẵng"
VIETNAMESE_BOLD = "Ứng dụng công nghệ số"
THAI = "ติดตั้งระบบเซ็นเซอร์แล้ว"
THAI_BOLD = "เมืองอัจฉริยะภูเก็ต"


@pytest.fixture
def fetched(weasyprint, monkeypatch):
    """Every URL WeasyPrint fetches while the test prints."""
    from weasyprint.urls import URLFetcher

    urls: list[str] = []
    fetch = URLFetcher.fetch

    def watch(self, url, headers=None):
        urls.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", watch)
    return urls


def assert_only_the_shipped_files(urls: list[str]) -> None:
    shipped = {(FONTS / "pdf-fonts.css").as_uri(), *(path.as_uri() for path in FONTS.glob("*/*.woff2"))}
    assert set(urls) == shipped


def test_the_me_report_prints_thai_and_vietnamese_in_the_shipped_fonts(db, fetched):
    from ascn.monitoring.actions.me_report import render_pdf
    from ascn.monitoring.models import MEReport, ReportingRound

    report = MEReport(round=ReportingRound.objects.get(year=2025), as_of=dt.date(2025, 9, 30))
    body = (f"<h2>{VIETNAMESE_BOLD}</h2><p>{VIETNAMESE}</p>"
            f"<h3>{THAI_BOLD}</h3><p>{THAI}</p>")
    with translation.override("th"):  # the page's own words (footer, note) in Thai too
        data = render_pdf(report, body)
    assert pdf_fonts(data) == SHIPPED
    lines = pdf_text(data).splitlines()
    for text in (VIETNAMESE_BOLD, VIETNAMESE, THAI_BOLD, THAI):
        assert text in lines
    assert_only_the_shipped_files(fetched)


def test_a_business_case_prints_thai_and_vietnamese_in_the_shipped_fonts(client, csco_danang, fetched):
    from ascn.finance import actions
    from ascn.plans.models import Project

    inputs = {"years": 10, "discount_rate": 0.08, "currency": "VND",
              "lines": [{"kind": "capex", "values": [1000] + [0] * 10, "label": "Xây dựng"},
                        {"kind": "revenue", "values": [0] + [300] * 10, "label": "Phí"}]}
    # The description is typed with combining marks (NFD): it prints, and extracts, as the composed letters.
    case = actions.create_business_case(csco_danang, Project.objects.get(reference="A111"), {
        "scenario": VIETNAMESE_BOLD, "inputs": inputs,
        "description": f"{unicodedata.normalize('NFD', VIETNAMESE)}\n{THAI}"})
    client.force_login(csco_danang)
    response = client.get(f"/financing/business-cases/{case.pk}/export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # The Thai here is in regular weight only (the description), so the bold Thai font is not embedded.
    assert pdf_fonts(response.content) == SHIPPED - {"ASCN-Noto-Sans-Thai-Bold"}
    lines = pdf_text(response.content).splitlines()
    assert VIETNAMESE in lines and THAI in lines
    assert any(line.endswith(f": {VIETNAMESE_BOLD}") for line in lines)  # the title, "<project>: <scenario>"
    assert_only_the_shipped_files(fetched)
