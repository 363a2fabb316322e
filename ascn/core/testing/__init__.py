"""Test kits shared by every app's tests, loaded as pytest plugins by the root conftest.py: the browser
(`browser.py`: a running server, Chromium and a page), the shared reference files (`reference.py`) and the
PDF checks (`pdf.py`). Each kit skips what it cannot run on this machine, and fails instead when the
matching ASCN_REQUIRE_* variable is set (CI sets them all)."""
