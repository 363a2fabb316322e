"""The fresh-machine promise: `make test` passes on any Debian machine with Python, Pango and Chromium, and CI
fails when a test it requires was skipped. Checks the skip check (.ci/check_skips.py) on sample JUnit reports,
that .ci/run puts both test runs through it with the ASCN_REQUIRE_* variables set, and that the PDFs need no
system font (their fonts are shipped)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / ".ci" / "check_skips.py"
FONTS = ROOT / "ascn" / "static" / "vendor" / "fonts"
PDF_TEMPLATES = [ROOT / "ascn" / "monitoring" / "templates" / "monitoring" / "me_report_pdf.html",
                 ROOT / "ascn" / "finance" / "templates" / "finance" / "case_pdf.html"]
REQUIRED = "ascn.network.tests.test_registry::test_join_years_match_the_reference"
REASON = "the shared reference files are not at ../shared/reference (set ASCN_REFERENCE_DIR to their folder)"


def report(*cases: str) -> str:
    """A JUnit XML report as pytest writes it (one suite, as with pytest-xdist) holding these test cases."""
    return ('<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">'
            f'<testsuite name="pytest" errors="0" failures="0" skipped="0" tests="{len(cases)}">'
            + "".join(cases) + "</testsuite></testsuites>")


def passed(classname: str, name: str) -> str:
    return f'<testcase classname="{classname}" name="{name}" time="0.010" />'


def skipped(classname: str, name: str, reason: str, kind: str = "pytest.skip") -> str:
    return (f'<testcase classname="{classname}" name="{name}" time="0.000">'
            f'<skipped type="{kind}" message="{reason}">{classname}.py:60: {reason}</skipped></testcase>')


def run_checker(tmp_path: Path, *reports: str, database: str = "sqlite") -> subprocess.CompletedProcess:
    paths = []
    for index, text in enumerate(reports):
        path = tmp_path / f"junit-{index}.xml"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return subprocess.run([sys.executable, str(CHECKER), "--database", database, *paths], capture_output=True,
                          text=True, timeout=60)


def load_checker():
    spec = importlib.util.spec_from_file_location("check_skips", CHECKER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# --- The skip check ---------------------------------------------------------------------------------------


def test_a_skipped_required_test_fails_the_check_and_is_named(tmp_path):
    result = run_checker(tmp_path, report(
        passed("ascn.network.tests.test_registry", "test_network_size_as_of[date0-0]"),
        skipped("ascn.network.tests.test_registry", "test_join_years_match_the_reference", REASON),
        passed("ascn.portal.tests.test_browser", "test_city_filters_update_results_without_reload")))
    assert result.returncode == 1
    assert f"SKIPPED {REQUIRED}: {REASON}" in result.stderr
    assert "3 tests, 1 skipped, 0 of them allowed" in result.stderr


def test_a_report_without_skips_passes_the_check(tmp_path):
    result = run_checker(tmp_path, report(
        passed("ascn.network.tests.test_registry", "test_join_years_match_the_reference"),
        passed("ascn.portal.tests.test_browser", "test_city_filters_update_results_without_reload")))
    assert (result.returncode, result.stderr) == (0, "")
    assert "2 tests, 0 skipped" in result.stdout


def test_every_report_is_checked(tmp_path):
    clean = report(passed("ascn.core.tests.test_text", "test_fold"))
    with_skip = report(skipped("ascn.portal.tests.test_browser", "test_home_map_city_profile_and_language_switch",
                               "Chromium is not installed"))
    result = run_checker(tmp_path, clean, with_skip)
    assert result.returncode == 1
    assert "SKIPPED ascn.portal.tests.test_browser::test_home_map_city_profile_and_language_switch" in result.stderr


def test_an_expected_failure_is_not_a_skip(tmp_path):
    result = run_checker(tmp_path, report(skipped("ascn.core.tests.test_text", "test_known_bug", "reason",
                                                  kind="pytest.xfail")))
    assert result.returncode == 0


@pytest.mark.parametrize("text", [None, "not xml", report()], ids=["missing", "unreadable", "no tests"])
def test_a_report_that_says_nothing_fails_the_check(tmp_path, text):
    if text is None:
        result = subprocess.run([sys.executable, str(CHECKER), str(tmp_path / "none.xml")], capture_output=True,
                                text=True, timeout=60)
    else:
        result = run_checker(tmp_path, text)
    assert result.returncode == 2 and result.stderr.startswith("Skip check: ")


def test_a_test_of_one_database_may_skip_in_the_other_databases_run_only(tmp_path):
    checker = load_checker()
    # Every allowed skip names a database run, and no test may skip in both: each runs in one of CI's runs.
    assert all(database in checker.DATABASES for _test, database in checker.ALLOWED_SKIPS)
    assert not [test for test, database in checker.ALLOWED_SKIPS
                if any((test, other) in checker.ALLOWED_SKIPS for other in checker.DATABASES if other != database)]
    postgresql_only = "ascn.core.tests.test_bulk::test_other_databases_load_with_their_session_as_it_is"
    assert (postgresql_only, "sqlite") in checker.ALLOWED_SKIPS
    sample = report(skipped(*postgresql_only.split("::"), "no session settings elsewhere"))
    allowed = run_checker(tmp_path, sample, database="sqlite")
    assert allowed.returncode == 0
    assert f"  skipped, allowed: {postgresql_only} (" in allowed.stdout
    refused = run_checker(tmp_path, sample, database="postgresql")
    assert refused.returncode == 1 and f"SKIPPED {postgresql_only}: no session settings elsewhere" in refused.stderr


def test_only_the_listed_skips_are_allowed(tmp_path):
    checker = load_checker()
    path = tmp_path / "junit.xml"
    path.write_text(report(skipped("ascn.network.tests.test_registry", "test_join_years_match_the_reference", REASON),
                           skipped("ascn.portal.tests.test_browser", "test_home", "no Chromium")), encoding="utf-8")
    status, lines = checker.check([path], "sqlite", allowed={(REQUIRED, "sqlite"): "an example"})
    assert status == 1
    assert f"  skipped, allowed: {REQUIRED} (an example)" in lines
    assert [line for line in lines if line.startswith("  SKIPPED")] == [
        "  SKIPPED ascn.portal.tests.test_browser::test_home: no Chromium"]
    everything = {(REQUIRED, "sqlite"): "", ("ascn.portal.tests.test_browser::test_home", "sqlite"): ""}
    assert checker.check([path], "sqlite", allowed=everything)[0] == 0
    assert checker.check([path], "postgresql", allowed=everything)[0] == 1  # allowed in the SQLite run only
    assert checker.check([path], None, allowed=everything)[0] == 1  # no database given: nothing is allowed


# --- CI wires it in ---------------------------------------------------------------------------------------


def test_ci_requires_every_kind_of_test_and_checks_both_runs_for_skips():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for variable in ("ASCN_REQUIRE_BROWSER", "ASCN_REQUIRE_PDF", "ASCN_REQUIRE_REFERENCE"):
        assert re.search(rf"^export {variable}=1\b", script, re.MULTILINE), variable
    lines = [line.strip() for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    runs = [i for i, line in enumerate(lines) if re.search(r"\bmake test\b", line)]
    assert len(runs) == 2 and "DATABASE_URL=postgres" in lines[runs[1]]  # SQLite, then PostgreSQL
    reports = []
    for i, database in zip(runs, ("sqlite", "postgresql"), strict=True):
        junit = re.search(r"\bJUNIT_XML=(\S+)", lines[i])
        assert junit, f"{lines[i]!r} writes no JUnit report"
        assert lines[i + 1] == f".venv/bin/python .ci/check_skips.py --database {database} {junit[1]}", (
            "the run is not checked for skips")
        reports.append(junit[1])
    assert len(set(reports)) == 2
    assert "set -euo pipefail" in script  # a failed check stops CI
    assert "tlwg" not in script  # the PDFs' fonts are shipped, not installed


def test_make_test_writes_the_junit_report_it_is_asked_for():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "$(if $(JUNIT_XML),--junitxml=$(JUNIT_XML))" in recipe


# --- The PDFs need no system font ---------------------------------------------------------------------------


def test_the_pdf_fonts_are_shipped_with_their_licence():
    css = (FONTS / "pdf-fonts.css").read_text(encoding="utf-8")
    sources = re.findall(r"url\(([^)]+)\)", css)
    assert len(sources) == 6  # three subsets, regular and bold
    for source in sources:
        assert not re.match(r"[a-z]+:|/", source), f"{source} is not a file beside the stylesheet"
        assert (FONTS / source).is_file(), source
        assert (FONTS / source).parent.joinpath("LICENSE").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE")
    families = set(re.findall(r'font-family: "([^"]+)"', css))
    assert families == {"ASCN Noto Sans", "ASCN Noto Sans Vietnamese", "ASCN Noto Sans Thai"}


@pytest.mark.parametrize("template", PDF_TEMPLATES, ids=lambda path: path.name)
def test_the_pdf_templates_use_the_shipped_fonts_first(template):
    html = template.read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="vendor/fonts/pdf-fonts.css">' in html
    stacks = re.findall(r"font-family: ([^;]+);", html)
    assert stacks and set(stacks) == {'"ASCN Noto Sans", "ASCN Noto Sans Vietnamese", "ASCN Noto Sans Thai", sans-serif'}
    assert not re.search(r"https?://|@import", html)  # nothing to fetch from elsewhere
