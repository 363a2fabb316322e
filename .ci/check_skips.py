#!/usr/bin/env python3
"""CI's skip check: fails when the test suite skipped a test that CI requires to run.

    .ci/check_skips.py REPORT.xml [REPORT.xml ...]

Reads the JUnit XML reports pytest writes with --junitxml (`JUNIT_XML=<file> make test`). CI runs the suite
with ASCN_REQUIRE_BROWSER, ASCN_REQUIRE_PDF and ASCN_REQUIRE_REFERENCE set, so every test must run there: a
test skipped for any reason (a missing tool, a missing file, a skip left in the code) fails the check,
unless it is listed in ALLOWED_SKIPS with why. Expected failures (xfail) are not skips.

Prints the skipped tests with their reasons. Exit status: 0 when no test CI requires was skipped, 1 when
one was (each is named), 2 when a report is missing, unreadable or holds no test.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

# Tests that may be skipped in CI, as "<classname>::<name>" (how the report names them, e.g.
# "ascn.network.tests.test_registry::test_join_years_match_the_reference"), each with the reason it may.
# None may today: CI installs Chromium and Pango, and has the shared reference files.
ALLOWED_SKIPS: dict[str, str] = {}


@dataclass(frozen=True)
class Skip:
    test: str
    reason: str


class ReportError(Exception):
    """A report that cannot be read, or that holds no test."""


def read_report(path: Path) -> tuple[int, list[Skip]]:
    """The number of tests in a JUnit XML report and the tests it records as skipped."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise ReportError(f"{path}: cannot read the test report ({exc})") from exc
    cases = list(root.iter("testcase"))
    if not cases:
        raise ReportError(f"{path}: the report holds no test")
    skips = []
    for case in cases:
        skipped = case.find("skipped")
        if skipped is None or skipped.get("type") == "pytest.xfail":
            continue
        test = f"{case.get('classname', '')}::{case.get('name', '')}".lstrip(":")
        skips.append(Skip(test, skipped.get("message") or (skipped.text or "").strip() or "no reason given"))
    return len(cases), skips


def check(paths: list[Path], allowed: dict[str, str] | None = None) -> tuple[int, list[str]]:
    """The exit status and the lines to print for these reports."""
    allowed = ALLOWED_SKIPS if allowed is None else allowed
    total, skips = 0, []
    try:
        for path in paths:
            count, found = read_report(path)
            total += count
            skips += found
    except ReportError as exc:
        return 2, [f"Skip check: {exc}."]
    refused = [s for s in skips if s.test not in allowed]
    lines = [f"Skip check ({', '.join(str(p) for p in paths)}): {total} tests, {len(skips)} skipped, "
             f"{len(skips) - len(refused)} of them allowed."]
    lines += [f"  skipped, allowed: {s.test} ({allowed[s.test]})" for s in skips if s.test in allowed]
    if refused:
        lines.append(f"{len(refused)} test(s) that CI requires were skipped (every test must run in CI; a skip is "
                     "allowed only in ALLOWED_SKIPS of .ci/check_skips.py):")
        lines += [f"  SKIPPED {s.test}: {s.reason}" for s in refused]
        return 1, lines
    return 0, lines


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: .ci/check_skips.py REPORT.xml [REPORT.xml ...]", file=sys.stderr)
        return 2
    status, lines = check([Path(arg) for arg in argv])
    print("\n".join(lines), file=sys.stderr if status else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
