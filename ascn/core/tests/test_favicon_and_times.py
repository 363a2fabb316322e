"""The favicon on every page (the site's and the back office's), and no time that ends a sentence with a
second full stop ("4 p.m.." in English)."""

import datetime as dt
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from PIL import Image

pytestmark = pytest.mark.django_db

FAVICON_LINKS = ('<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">',
                 '<link rel="icon" href="/static/img/favicon-32.png" type="image/png" sizes="32x32">',
                 '<link rel="apple-touch-icon" href="/static/img/apple-touch-icon.png">')


@pytest.mark.parametrize("path", ["/", "/projects/", "/accounts/login/", "/admin/login/"])
def test_every_page_links_the_favicon(client, path):
    html = client.get(path).content.decode()
    for link in FAVICON_LINKS:
        assert html.count(link) == 1, link


def test_the_favicon_files_are_a_square_svg_and_pngs_of_their_sizes():
    svg = ElementTree.parse(finders.find("img/favicon.svg")).getroot()
    assert (svg.tag, svg.get("viewBox")) == ("{http://www.w3.org/2000/svg}svg", "0 0 64 64")
    for name, size in (("img/favicon-32.png", 32), ("img/apple-touch-icon.png", 180)):
        with Image.open(finders.find(name)) as image:
            assert (image.format, image.size) == ("PNG", (size, size))


def test_an_import_committed_in_the_afternoon_ends_its_sentence_once():
    committed = timezone.make_aware(dt.datetime(2025, 12, 4, 16, 0))
    context = {"record": type("Record", (), {"committed_at": committed})(), "summary": {}, "error_total": 0}
    with translation.override("en"):
        html = render_to_string("core/imports.html#commit", context)
    assert "p.m." in html
    assert "p.m.." not in html


# A value bound in a blocktranslate with a format that shows a time ("P" ends with "p.m." in English).
TIMED = re.compile(r'(\w+)=[\w.]+\|(?:time\b|date:"(?:DATETIME_FORMAT|TIME_FORMAT|SHORT_DATETIME_FORMAT)"'
                   r'|date:"(?![A-Z_]+")[^"]*[aAfgGhHiPs][^"]*")')
BLOCK = re.compile(r"{% blocktranslate ([^%]*)%}(.*?){% endblocktranslate %}", re.S)


def template_files() -> list[Path]:
    root = Path(settings.BASE_DIR) / "ascn"
    return sorted(p for p in root.rglob("*.html") if "vendor" not in p.parts)


def test_no_template_puts_a_full_stop_right_after_a_time():
    found = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {{{{ x|… }}}}." for _m in re.finditer(
            r'{{ [^}]*\|(?:time|date:"(?:DATETIME_FORMAT|TIME_FORMAT|SHORT_DATETIME_FORMAT)")[^}]* }}\.', text)]
        for options, body in BLOCK.findall(text):
            for name in TIMED.findall(options):
                if re.search(r"{{ " + name + r" }}\.", body):
                    found.append(f"{path.name}: {name}")
    assert found == []
