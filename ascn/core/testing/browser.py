"""The browser test kit: a development server on its own seeded database, Chromium driven by Playwright,
and a fresh page per test that fails the test on any JavaScript error.

Chromium is the one named by PLAYWRIGHT_CHROMIUM, else `chromium` or `chromium-browser` on the PATH
(Debian: `apt-get install chromium`). Without it the browser tests are skipped, unless ASCN_REQUIRE_BROWSER
is set: then they fail. Fixtures: `chromium_executable`, `server`, `browser`, `page`; helper: `sign_in`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def find_chromium() -> str | None:
    """The Chromium to drive: PLAYWRIGHT_CHROMIUM (a path or a command name), else the first of
    CHROMIUM_NAMES on the PATH; None when there is none."""
    configured = os.environ.get("PLAYWRIGHT_CHROMIUM")
    if configured:
        return shutil.which(configured)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The path of Chromium; skips the test without one (fails it when ASCN_REQUIRE_BROWSER is set)."""
    found = find_chromium()
    if found:
        return found
    configured = os.environ.get("PLAYWRIGHT_CHROMIUM")
    missing = (f"PLAYWRIGHT_CHROMIUM={configured} is not an executable" if configured else
               f"Chromium is not installed (none of {', '.join(CHROMIUM_NAMES)} on the PATH; apt-get install chromium, "
               "or set PLAYWRIGHT_CHROMIUM)")
    if os.environ.get("ASCN_REQUIRE_BROWSER"):
        pytest.fail(f"{missing}, but ASCN_REQUIRE_BROWSER is set", pytrace=False)
    pytest.skip(missing)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(chromium_executable, tmp_path_factory):
    """A development server on its own freshly migrated and seeded SQLite database, one per test module
    (Chromium is looked for first, so that a machine without it does not build the database for nothing)."""
    folder = tmp_path_factory.mktemp("browser")
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "ascn.settings", "MAP_TILE_URL": ""}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    for command in (["migrate", "--no-input", "-v", "0"], ["seed"], ["demo_accounts"]):
        subprocess.run(manage + command, env=env, check=True, capture_output=True, timeout=180)
    port = free_port()
    process = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{url}/livez", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the development server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
                  "--no-first-run", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(60_000)  # generous: CI runs the suite on two busy cores
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors


def sign_in(page, server: str, username: str, password: str, next_path: str) -> None:
    page.goto(f"{server}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation(url=server + next_path, wait_until="domcontentloaded"):
        page.locator("form button[type=submit]").click()
