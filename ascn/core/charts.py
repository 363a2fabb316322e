"""Vega-Lite charts drawn on the server as SVG, for the PDFs (and any page that shows a chart without
JavaScript): the same specs the pages hand to vega-embed, rendered by vl-convert-python, which bundles
Vega and Vega-Lite and runs them without a browser.

- Fonts: the fonts shipped for the PDFs (static/vendor/fonts/, declared in `pdf-fonts.css`) are
  registered with the renderer under the same family names, so that it measures the text (label widths,
  title placement) with the fonts WeasyPrint then draws it in, on every machine. They ship as WOFF2,
  which the renderer does not read: each is converted once per process to TrueType in a temporary
  folder, renamed to its `@font-face` family.
- Nothing is fetched: data must be inline (`allowed_base_urls=[]` makes the renderer refuse any URL in a
  spec), and the `$schema` URL is an identifier only.
- Element ids inside an SVG (clip paths) are prefixed, so that several charts in one document do not
  take each other's clip paths.
"""

from __future__ import annotations

import atexit
import copy
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

VEGA_LITE_VERSION = "6.4"  # the specs declare the v6 schema; pinned so an upgrade of the renderer changes nothing
WIDTH = 640  # px, for a spec whose width is "container" (A4 portrait text width is about 690 px)
FAMILIES = ("ASCN Noto Sans", "ASCN Noto Sans Vietnamese", "ASCN Noto Sans Thai")
FONT = ", ".join(f'"{family}"' for family in FAMILIES) + ", sans-serif"  # as the print templates list them

_FACE = re.compile(r"@font-face\s*{(?P<body>[^}]*)}")
_ID = re.compile(r'\bid="([^"]+)"')
_lock = threading.Lock()
_registered: Path | None = None


class ChartError(ValueError):
    """A spec the renderer refused (an external URL, an unknown field type, ...), with its reason."""


def fonts_folder() -> Path:
    """Where `pdf-fonts.css` and the shipped fonts are."""
    return Path(settings.PACKAGE_DIR, "static", "vendor", "fonts")


def font_faces(css: str) -> list[tuple[str, int, str]]:
    """(family, weight, file relative to the stylesheet) of each `@font-face` rule."""
    faces = []
    for match in _FACE.finditer(css):
        body = match["body"]
        family = re.search(r'font-family:\s*"([^"]+)"', body)
        weight = re.search(r"font-weight:\s*(\d+)", body)
        source = re.search(r"src:\s*url\(([^)]+)\)", body)
        if not (family and weight and source):
            raise ValueError(f"a @font-face rule without family, weight or src: {body.strip()[:80]!r}")
        faces.append((family[1], int(weight[1]), source[1].strip("\"'")))
    return faces


def _as_truetype(source: Path, family: str, weight: int, target: Path) -> None:
    """The WOFF2 file as TrueType, its names set to the `@font-face` family (and the weight's style)."""
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency, with Brotli for WOFF2

    font = TTFont(source)
    font.flavor = None
    style = "Bold" if weight >= 600 else "Regular"
    names = {1: family, 2: style, 4: f"{family} {style}", 6: f"{family.replace(' ', '')}-{style}",
             16: family, 17: style}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names:
            table.setName(names[record.nameID], record.nameID, record.platformID, record.platEncID, record.langID)
    font.save(target)


def register_fonts() -> Path:
    """Convert and register the shipped fonts with the renderer, once per process; returns their folder."""
    global _registered
    with _lock:
        if _registered is not None:
            return _registered
        import vl_convert

        folder = Path(tempfile.mkdtemp(prefix="ascn-chart-fonts-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        css = fonts_folder() / "pdf-fonts.css"
        for family, weight, name in font_faces(css.read_text(encoding="utf-8")):
            source = css.parent / name
            _as_truetype(source, family, weight, folder / f"{source.stem}.ttf")
        vl_convert.register_font_directory(str(folder))
        _registered = folder
        return folder


def prepared(spec: dict[str, Any], width: int = WIDTH) -> dict[str, Any]:
    """A copy of the spec for a fixed page: `width` wide when it fills its container, in the shipped fonts."""
    spec = copy.deepcopy(spec)
    if spec.get("width") == "container":  # as in a page: the whole chart, labels included, fits the width
        spec["width"] = width
        spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    spec["config"] = {**spec.get("config", {}), "font": FONT}
    return spec


def scoped_ids(svg: str, prefix: str) -> str:
    """The SVG with its element ids (and the references to them) prefixed."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    pattern = re.compile(r'(\bid="|url\(#|href="#)(' + "|".join(re.escape(i) for i in ids) + r')(?=[")])')
    return pattern.sub(lambda m: f"{m[1]}{prefix}-{m[2]}", svg)


def number_locale() -> dict[str, Any]:
    """The active language's number separators for the renderer (d3-format), as the pages' charts and text
    write numbers: 1,234,567.5 in English and Thai, 1.234.567,5 in Vietnamese."""
    from django.utils.formats import get_format

    grouping = int(get_format("NUMBER_GROUPING") or 3)
    return {"decimal": str(get_format("DECIMAL_SEPARATOR")), "thousands": str(get_format("THOUSAND_SEPARATOR")),
            "grouping": [grouping] if grouping > 0 else [99], "currency": ["", ""]}


def svg(spec: dict[str, Any], *, width: int = WIDTH, prefix: str = "chart") -> str:
    """The Vega-Lite spec drawn as an SVG document (text as text, in the shipped fonts, numbers with the
    active language's separators). Raises ChartError when the renderer refuses the spec (an external data URL
    among others)."""
    import vl_convert

    register_fonts()
    try:
        drawn = vl_convert.vegalite_to_svg(prepared(spec, width), vl_version=VEGA_LITE_VERSION, allowed_base_urls=[],
                                           format_locale=number_locale())
    except ValueError as exc:
        raise ChartError(str(exc)) from exc
    return scoped_ids(drawn, prefix)
