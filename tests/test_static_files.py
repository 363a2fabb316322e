"""Static files and pages as production serves them: hashed names cached for good and sent compressed (brotli or
gzip, as the browser asks), unhashed names cached briefly, pages gzipped."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

STATIC = Path(settings.BASE_DIR) / "ascn" / "static"
FILES = ["css/ascn.css", "geo/asean-outline.geojson", "vendor/leaflet/leaflet.css",
         "vendor/leaflet/images/marker-icon.png",  # the CSS names the images and fonts: the manifest storage
         "vendor/fonts/noto-sans-thai/noto-sans-thai-thai-400-normal.woff2",  # rewrites their urls
         "vendor/fonts/noto-sans-thai/noto-sans-thai-thai-700-normal.woff2"]


@pytest.fixture
def production_static(settings, tmp_path):
    """The production storage (DEBUG off) over a few of the site's files, collected into tmp_path."""
    source = tmp_path / "source"
    for name in FILES:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(STATIC / name, source / name)
    for image in (STATIC / "vendor/leaflet/images").iterdir():
        shutil.copy(image, source / "vendor/leaflet/images" / image.name)
    settings.DEBUG = False
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    settings.WHITENOISE_AUTOREFRESH = False  # as in production: the files collected, read once
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_MAX_AGE = 60
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def test_production_settings_use_the_compressed_manifest_storage_and_cache_unhashed_names_briefly():
    """The settings as production reads them (DEBUG off), in a fresh interpreter: the test settings use plain
    storage so that the suite needs no collectstatic."""
    code = ("import json, ascn.settings as s; print(json.dumps([s.STORAGES['staticfiles']['BACKEND'], "
            "s.WHITENOISE_MAX_AGE, s.MIDDLEWARE]))")
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "test-only", "ALLOWED_HOSTS": "example.org"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True,
                          text=True, check=True, timeout=60)
    backend, max_age, middleware = json.loads(done.stdout)
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert max_age == 60
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "django.middleware.gzip.GZipMiddleware") < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert importlib.util.find_spec("brotli") is not None  # without it WhiteNoise stores gzip copies only


def test_a_hashed_static_file_is_cached_for_good_and_sent_as_brotli_or_gzip(production_static):
    url = static("geo/asean-outline.geojson")
    assert url != "/static/geo/asean-outline.geojson" and url.endswith(".geojson")  # a hashed name
    original = (STATIC / "geo/asean-outline.geojson").read_bytes()
    client = Client()

    answer = client.get(url, headers={"accept-encoding": "br, gzip"})
    assert answer.status_code == 200
    assert answer["Content-Encoding"] == "br"
    assert answer["Cache-Control"] == "max-age=315360000, public, immutable"
    assert "Accept-Encoding" in answer["Vary"]
    assert brotli.decompress(b"".join(answer.streaming_content)) == original

    answer = client.get(url, headers={"accept-encoding": "gzip"})
    assert answer["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(answer.streaming_content)) == original

    answer = client.get(url)  # no Accept-Encoding: the file as it is
    assert not answer.has_header("Content-Encoding")
    assert b"".join(answer.streaming_content) == original


def test_an_unhashed_name_is_served_but_cached_briefly(production_static):
    """Leaflet builds its marker images' address at run time, so the original names must answer too."""
    answer = Client().get("/static/vendor/leaflet/images/marker-icon.png")
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "max-age=60, public"
    assert not answer.has_header("Content-Encoding")  # PNG is compressed already: no copy is stored


def test_the_stylesheets_image_urls_point_at_hashed_names(production_static):
    css = (production_static / Path(static("vendor/leaflet/leaflet.css")).relative_to("/static/")).read_text()
    assert "url(images/layers.png)" not in css
    assert "images/layers." in css and ".png" in css


@pytest.mark.django_db
def test_pages_are_gzipped_when_the_browser_accepts_it(client):
    plain = client.get("/")
    assert plain.status_code == 200 and not plain.has_header("Content-Encoding")
    assert "Accept-Encoding" in plain["Vary"]
    compressed = client.get("/", headers={"accept-encoding": "gzip, deflate, br"})
    assert compressed["Content-Encoding"] == "gzip"
    page = gzip.decompress(compressed.content)
    assert page.startswith(b"<!DOCTYPE html>") or page.lstrip().lower().startswith(b"<!doctype html>")
    assert len(compressed.content) < len(plain.content) / 2
