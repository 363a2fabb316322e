"""The scorecard maths (pure): periods, progress to target, RAG, trend and data quality; and the network's
SQL version of the RAG rule agrees with the Python one."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ascn.core.periods import Period
from ascn.monitoring import analytics, scorecard
from ascn.monitoring.scorecard import DataQuality, expected_progress, nearest_target, progress, rag, trend


def period_key(text):
    """The order the scorecard and the analytics snapshot keep (ascn.core.periods)."""
    return Period.parse(text).key


def test_period_keys_sort_months_quarters_and_years():
    periods = ["2025", "2024", "2025-Q1", "2025-03", "2025-12", "2025-Q4", "2024-07"]
    assert sorted(periods, key=period_key) == ["2024-07", "2024", "2025-03", "2025-Q1", "2025-12", "2025-Q4", "2025"]
    assert (period_key("2025"), period_key("2025-Q3"), period_key("2025-07")) == (2025122, 2025091, 2025070)
    assert Period.parse("2025-Q3").year == 2025


@pytest.mark.parametrize("bad", ["", "25", "2025-Q5", "2025-13", "2025-00", "2025/07", "2025-7", None])
def test_a_malformed_period_is_refused_by_name(bad):
    with pytest.raises(ValueError, match=f"“{bad}” is not a year \\(2025\\), quarter \\(2025-Q3\\) or month"):
        period_key(bad)


def test_the_nearest_target_on_or_after_the_year_else_the_last_one():
    targets = [(2030, 80.0), (2025, 60.0), (2027, 70.0)]
    assert nearest_target(targets, 2025) == (2025, 60.0, False)
    assert nearest_target(targets, 2026) == (2027, 70.0, False)
    assert nearest_target(targets, 2031) == (2030, 80.0, True)
    assert nearest_target([], 2025) is None


def test_expected_progress_is_linear_in_time_and_clamped():
    assert expected_progress(2020, 2030, 2025) == 0.5
    assert expected_progress(2020, 2030, 2023) == 0.3
    assert expected_progress(2020, 2030, 2019) == 0.0
    assert expected_progress(2020, 2030, 2035) == 1.0
    assert expected_progress(2025, 2025, 2025) == 1.0  # target year not after the baseline year
    assert expected_progress(None, 2030, 2025) is None


def test_progress_higher_is_better_green_amber_red():
    # baseline 40 in 2020, target 80 in 2030, latest in 2025: expected 0.5, amber from 0.4
    green = progress(60, 2025, 40, 2020, 80, 2030, "higher")
    amber = progress(57, 2025, 40, 2020, 80, 2030, "higher")
    red = progress(55, 2025, 40, 2020, 80, 2030, "higher")
    assert (green.raw, green.share, green.percent, green.expected, green.rag, green.note) == (0.5, 0.5, 50, 0.5,
                                                                                            "green", "")
    assert (amber.raw, amber.percent, amber.rag) == (0.425, 43, "amber")
    assert (red.raw, red.percent, red.rag) == (0.375, 38, "red")


def test_progress_lower_is_better_follows_the_target_direction():
    # 100 -> 50 by 2030; 79 in 2025 is 42 % of the way: amber (>= 0.8 x 0.5)
    result = progress(79, 2025, 100, 2020, 50, 2030, "lower")
    assert (result.raw, result.percent, result.rag, result.reached) == (0.42, 42, "amber", False)
    worse = progress(110, 2025, 100, 2020, 50, 2030, "lower")  # moved away: clamped to 0 %, red
    assert (worse.raw, worse.share, worse.percent, worse.rag, worse.note) == (-0.2, 0.0, 0, "red", "away_from_target")


def test_reaching_the_target_is_green_and_beyond_is_clamped_to_100():
    beyond = progress(95, 2022, 40, 2020, 80, 2030, "higher")
    assert (beyond.raw, beyond.share, beyond.percent, beyond.rag, beyond.reached, beyond.note) == (
        1.375, 1.0, 100, "green", True, "beyond_target")
    lower_reached = progress(45, 2021, 100, 2020, 50, 2030, "lower")
    assert (lower_reached.rag, lower_reached.reached) == ("green", True)


def test_undecided_direction_shows_progress_without_a_rating():
    result = progress(60, 2025, 40, 2020, 80, 2030, "")
    assert (result.raw, result.percent, result.expected, result.rag, result.reached) == (0.5, 50, 0.5, None, None)


def test_missing_baseline_only_judges_whether_the_target_is_reached():
    reached = progress(100, 2025, None, None, 100, 2025, "higher")
    short = progress(90, 2025, None, None, 100, 2025, "higher")
    assert (reached.raw, reached.percent, reached.rag, reached.note) == (None, None, "green", "no_baseline")
    assert (short.raw, short.rag, short.note) == (None, None, "no_baseline")


def test_a_target_equal_to_the_baseline_means_hold_the_level():
    held = progress(50, 2025, 50, 2020, 50, 2030, "lower")
    slipped = progress(51, 2025, 50, 2020, 50, 2030, "lower")
    assert (held.raw, held.rag, held.note) == (None, "green", "target_is_baseline")
    assert (slipped.raw, slipped.rag, slipped.note) == (None, "red", "target_is_baseline")


def test_no_value_or_no_target_means_no_progress():
    assert progress(None, None, 40, 2020, 80, 2030, "higher") == scorecard.Progress(None, None, None, None, None,
                                                                                     "no_value")
    assert progress(60, 2025, 40, 2020, None, None, "higher").note == "no_target"


def test_a_passed_target_year_expects_the_whole_way():
    result = progress(70, 2031, 40, 2020, 80, 2030, "higher", target_passed=True)
    assert (result.raw, result.expected, result.rag, result.note) == (0.75, 1.0, "red", "target_year_passed")
    assert rag(0.8, 1.0, False, "higher") == "amber"


def test_trend_over_the_last_five_values_is_direction_aware():
    rising = [1, 2, 3, 4, 5]
    assert trend(rising, "higher") == "improving"
    assert trend(rising, "lower") == "worsening"
    assert trend(rising, "") == "rising"
    assert trend([5, 4, 3], "lower") == "improving"
    assert trend([5, 4, 3], "") == "falling"
    assert trend([100, 100.4, 100.2, 100.5, 100.3], "higher") == "flat"  # fitted change 0.3 < 1 % of ~100
    assert trend([9, 9, 9, 1, 2, 3, 4, 5], "higher") == "improving"  # only the last five count
    assert trend([0, 0], "higher") == "flat"
    assert trend([3], "higher") is None
    assert scorecard.slope([1, 3, 2]) == 0.5


def test_data_quality_shares():
    quality = DataQuality(assigned=5, with_value=4, observations=8, on_time=6, open_flags=1)
    assert (quality.completeness, quality.timeliness) == (0.8, 0.75)
    assert (scorecard.percent(quality.completeness), scorecard.percent(quality.timeliness)) == (80, 75)
    empty = DataQuality(0, 0, 0, 0, 0)
    assert (empty.completeness, empty.timeliness) == (None, None)


def test_labels_are_words_not_only_colours():
    assert [scorecard.rag_label(s) for s in ("green", "amber", "red", None)] == [
        "On track", "Slightly behind", "Off track", "Not rated"]
    assert (scorecard.trend_label("improving"), scorecard.trend_arrow("improving")) == ("Improving", "↗")
    assert scorecard.note_label("beyond_target") == "Beyond the target; shown as 100 %."


# --- The SQL rule agrees with the Python rule -----------------------------------------------------------------

_con = duckdb.connect()
_con.execute(analytics.MACROS)

small = st.integers(min_value=-50, max_value=150).map(float)
years = st.integers(min_value=2015, max_value=2035)


@settings(max_examples=400, deadline=None)
@given(latest=small, latest_year=years, baseline=st.none() | small, baseline_year=years, target=small,
       target_year=years, direction=st.sampled_from(["higher", "lower", ""]))
def test_the_sql_rag_rule_is_the_python_rule(latest, latest_year, baseline, baseline_year, target, target_year,
                                             direction):
    python = progress(latest, latest_year, baseline, baseline_year if baseline is not None else None, target,
                      target_year, direction).rag
    sql = _con.execute("SELECT rag(?, ?, ?, ?, ?, ?, ?)", [
        latest, latest_year, baseline, baseline_year if baseline is not None else None, target, target_year,
        direction]).fetchone()[0]
    assert sql == python
