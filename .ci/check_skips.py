#!/usr/bin/env python3
"""CI's skip check: fails when the test suite skipped a test that CI requires to run.

    .ci/check_skips.py [--database sqlite|postgresql] REPORT.xml [REPORT.xml ...]

Reads the JUnit XML reports pytest writes with --junitxml (`JUNIT_XML=<file> make test`). CI runs the suite
with ASCN_REQUIRE_BROWSER, ASCN_REQUIRE_PDF and ASCN_REQUIRE_REFERENCE set, so every test must run there: a
test skipped for any reason (a missing tool, a missing file, a skip left in the code) fails the check,
unless ALLOWED_SKIPS lists it for the database of the run (--database) with why. Expected failures (xfail)
are not skips.

Prints the skipped tests with their reasons. Exit status: 0 when no test CI requires was skipped, 1 when
one was (each is named), 2 when a report is missing, unreadable or holds no test.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

DATABASES = ("sqlite", "postgresql")

# The only skips allowed in CI: (test, database of the run) -> why. A test is named "<classname>::<name>",
# as the report names it. CI runs the suite once on each database, so a test written for one database may
# skip in the other's run; it must run in its own (never list a test for both).
ALLOWED_SKIPS: dict[tuple[str, str], str] = {
    ("ascn.core.tests.test_bulk::test_other_databases_load_with_their_session_as_it_is", "sqlite"):
        "PostgreSQL's session settings; runs in the PostgreSQL run",
    ("ascn.core.tests.test_bulk::test_sqlite_page_cache_is_large_during_a_large_load_and_restored_after",
     "postgresql"): "SQLite's page cache; runs in the SQLite run",
}


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


def check(paths: list[Path], database: str | None = None,
          allowed: dict[tuple[str, str], str] | None = None) -> tuple[int, list[str]]:
    """The exit status and the lines to print for the reports of a run on `database`."""
    allowed = ALLOWED_SKIPS if allowed is None else allowed
    total, skips = 0, []
    try:
        for path in paths:
            count, found = read_report(path)
            total += count
            skips += found
    except ReportError as exc:
        return 2, [f"Skip check: {exc}."]
    why = {test: reason for (test, db), reason in allowed.items() if db == database}
    refused = [s for s in skips if s.test not in why]
    lines = [f"Skip check ({', '.join(str(p) for p in paths)}{f', {database}' if database else ''}): {total} tests, "
             f"{len(skips)} skipped, {len(skips) - len(refused)} of them allowed."]
    lines += [f"  skipped, allowed: {s.test} ({why[s.test]})" for s in skips if s.test in why]
    if refused:
        lines.append(f"{len(refused)} test(s) that CI requires were skipped (every test must run in CI; a skip is "
                     "allowed only in ALLOWED_SKIPS of .ci/check_skips.py):")
        lines += [f"  SKIPPED {s.test}: {s.reason}" for s in refused]
        return 1, lines
    return 0, lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=".ci/check_skips.py", description="Fail when a test CI requires was skipped.")
    parser.add_argument("--database", choices=DATABASES, help="the database of the run (picks the allowed skips)")
    parser.add_argument("reports", nargs="+", type=Path, metavar="REPORT.xml", help="JUnit XML report of pytest")
    args = parser.parse_args(argv)
    status, lines = check(args.reports, args.database)
    print("\n".join(lines), file=sys.stderr if status else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
