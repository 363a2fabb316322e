"""Charts drawn on the server (core.charts): a Vega-Lite spec to SVG with the shipped fonts, nothing fetched,
ids kept apart, and the SVG printed by WeasyPrint with its text in the shipped fonts."""

from __future__ import annotations

import re

import pytest
from fontTools.ttLib import TTFont

from ascn.core import charts
from ascn.core.testing.pdf import pdf_fonts, pdf_text

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


def bars(title: str = "Projects by focus area", clip: bool = False) -> dict:
    return {"$schema": SCHEMA, "width": "container", "height": 120, "title": title,
            "data": {"values": [{"area": "Civic and Social", "projects": 34}, {"area": "Health", "projects": 8}]},
            "mark": {"type": "bar", "clip": clip},
            "encoding": {"y": {"field": "area", "type": "nominal", "title": "Focus area"},
                         "x": {"field": "projects", "type": "quantitative", "title": "Projects",
                               **({"scale": {"domain": [0, 20]}} if clip else {})}}}


def test_the_stylesheet_declares_the_six_shipped_faces():
    faces = charts.font_faces((charts.fonts_folder() / "pdf-fonts.css").read_text(encoding="utf-8"))
    assert [(family, weight) for family, weight, _ in faces] == [
        ("ASCN Noto Sans", 400), ("ASCN Noto Sans", 700), ("ASCN Noto Sans Vietnamese", 400),
        ("ASCN Noto Sans Vietnamese", 700), ("ASCN Noto Sans Thai", 400), ("ASCN Noto Sans Thai", 700)]
    assert all((charts.fonts_folder() / name).is_file() for _, _, name in faces)


def test_a_face_without_its_file_is_refused():
    with pytest.raises(ValueError, match="without family, weight or src"):
        charts.font_faces('@font-face { font-family: "X"; font-weight: 400; }')


def test_the_fonts_are_registered_as_truetype_under_their_stylesheet_families():
    folder = charts.register_fonts()
    assert charts.register_fonts() == folder  # once per process
    found = {}
    for path in sorted(folder.glob("*.ttf")):
        font = TTFont(path)
        found[path.name] = (font["name"].getDebugName(1), font["name"].getDebugName(2), font.flavor)
    assert found == {
        "noto-sans-latin-400-normal.ttf": ("ASCN Noto Sans", "Regular", None),
        "noto-sans-latin-700-normal.ttf": ("ASCN Noto Sans", "Bold", None),
        "noto-sans-thai-thai-400-normal.ttf": ("ASCN Noto Sans Thai", "Regular", None),
        "noto-sans-thai-thai-700-normal.ttf": ("ASCN Noto Sans Thai", "Bold", None),
        "noto-sans-vietnamese-400-normal.ttf": ("ASCN Noto Sans Vietnamese", "Regular", None),
        "noto-sans-vietnamese-700-normal.ttf": ("ASCN Noto Sans Vietnamese", "Bold", None),
    }


def test_a_spec_becomes_an_svg_with_its_text_in_the_shipped_fonts():
    drawn = charts.svg(bars())
    assert drawn.startswith("<svg ")
    for text in ("Projects by focus area", "Civic and Social", "Health", "Focus area", "Projects", "30"):
        assert f">{text}</text>" in drawn
    families = set(re.findall(r'font-family="([^"]+)"', drawn))
    assert families == {charts.FONT.replace('"', "&quot;")}
    size = re.match(r'<svg [^>]*width="(\d+)"', drawn)
    assert size is not None and size[1] == str(charts.WIDTH)  # the whole chart, labels included


def test_prepared_fixes_the_width_and_font_and_leaves_the_spec_alone():
    spec = bars()
    ready = charts.prepared(spec, width=500)
    assert (ready["width"], ready["autosize"], ready["config"]) == (
        500, {"type": "fit-x", "contains": "padding"}, {"font": charts.FONT})
    assert spec["width"] == "container" and "config" not in spec
    assert charts.prepared({**spec, "width": 300})["width"] == 300 and "autosize" not in charts.prepared(
        {**spec, "width": 300})


def test_nothing_is_fetched_a_data_url_is_refused():
    spec = {**bars(), "data": {"url": "https://example.com/projects.csv"}}
    with pytest.raises(charts.ChartError, match="External data url not allowed"):
        charts.svg(spec)


def test_ids_of_two_charts_in_one_document_stay_apart():
    first, second = charts.svg(bars(clip=True), prefix="one"), charts.svg(bars(clip=True), prefix="two")
    first_ids, second_ids = set(re.findall(r'id="([^"]+)"', first)), set(re.findall(r'id="([^"]+)"', second))
    assert first_ids and all(i.startswith("one-") for i in first_ids)
    assert all(i.startswith("two-") for i in second_ids)
    assert set(re.findall(r"url\(#([^)]+)\)", first)) <= first_ids


def test_scoped_ids_leave_other_text_alone():
    svg = '<svg><clipPath id="clip1"/><g clip-path="url(#clip1)"><text>clip1 clip10</text></g></svg>'
    assert charts.scoped_ids(svg, "p") == ('<svg><clipPath id="p-clip1"/><g clip-path="url(#p-clip1)">'
                                           '<text>clip1 clip10</text></g></svg>')
    assert charts.scoped_ids("<svg/>", "p") == "<svg/>"


def test_the_svg_prints_with_the_shipped_fonts_and_extractable_text(weasyprint, settings):
    from ascn.core.pdf import html_to_pdf

    drawn = charts.svg(bars("Dự án theo lĩnh vực · โครงการ"))
    document = ('<html><head><link rel="stylesheet" href="vendor/fonts/pdf-fonts.css"></head>'
                f'<body style="font-family: {charts.FONT}">{drawn}</body></html>')
    data = html_to_pdf(document)
    lines = pdf_text(data).splitlines()
    for text in ("Dự án theo lĩnh vực · โครงการ", "Civic and Social", "Focus area", "Projects"):
        assert text in lines
    assert pdf_fonts(data) <= {"ASCN-Noto-Sans", "ASCN-Noto-Sans-Bold", "ASCN-Noto-Sans-Vietnamese-Bold",
                               "ASCN-Noto-Sans-Thai-Bold"}


def test_numbers_are_written_with_the_language_s_separators():
    from django.utils import translation

    spec = {**bars(), "data": {"values": [{"area": "A", "projects": 1500000.5}]}}
    with translation.override("en"):
        assert charts.number_locale() == {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]}
        assert ">1,000,000</text>" in charts.svg(spec)
    with translation.override("vi"):
        assert (charts.number_locale()["decimal"], charts.number_locale()["thousands"]) == (",", ".")
        assert ">1.000.000</text>" in charts.svg(spec)
    with translation.override("th"):
        assert ">1,000,000</text>" in charts.svg(spec)
