"""The shared reference files (`cities.csv`, `chairs.csv`, ...) that some tests compare the seeded data with.

They are not part of the repository: ASCN_REFERENCE_DIR names their folder, by default `../shared/reference`
beside the checkout. Without them those tests are skipped, unless ASCN_REQUIRE_REFERENCE is set: then they
fail. Fixture: `reference_dir`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings


def reference_folder() -> Path:
    """Where the reference files are expected (whether or not they are there)."""
    configured = os.environ.get("ASCN_REFERENCE_DIR")
    return Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The folder of the reference files; skips the test without it (fails it when ASCN_REQUIRE_REFERENCE is set)."""
    folder = reference_folder()
    if folder.is_dir():
        return folder
    missing = f"the shared reference files are not at {folder} (set ASCN_REFERENCE_DIR to their folder)"
    if os.environ.get("ASCN_REQUIRE_REFERENCE"):
        pytest.fail(f"{missing}, but ASCN_REQUIRE_REFERENCE is set", pytrace=False)
    pytest.skip(missing)
