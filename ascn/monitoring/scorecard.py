"""Scorecard maths: progress to target, red/amber/green, trend and data quality. Pure Python, no Django.

The rules (docs/monitoring-analysis.md repeats them for readers):

* Progress = (latest - baseline) / (target - baseline), with the target of the nearest target year on or
  after the latest value's year (the last target before it when every target year has passed). The
  formula follows the target's own direction, so a lower-is-better indicator whose target lies below the
  baseline makes progress as its value falls. Progress is kept unclamped (`raw`); `share` clamps it to
  0..1 for display, and `note` says why when it was clamped or could not be computed.
* Expected progress is linear in time from the baseline year (0) to the target year (1), at the latest
  value's year, clamped to 0..1.
* RAG (only for indicators whose better direction is decided): green when the target is reached (at or
  beyond it in the better direction) or progress >= expected; amber when progress >= 0.8 x expected;
  red otherwise. Without a baseline only "target reached" can be judged (green), else no RAG. When the
  target equals the baseline (hold the level) it is green when reached and red when not.
* Trend: the sign of the least-squares slope of the last up to 5 values in period order; flat when the
  fitted change across those periods is below 1 % of their mean absolute value. Rising is improving
  when higher is better, worsening when lower is better; undecided direction says rising/falling.
* Completeness: assigned indicators with at least one value in the round's year / assigned indicators.
  Timeliness: the round year's observations entered (created) on or before the round's closing date
  (its as-of date when no closing date was recorded) / the round year's observations. Open flags:
  the round year's observations with validation flags that are not verified.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ascn.core.translator import gettext as _

HIGHER, LOWER = "higher", "lower"
GREEN, AMBER, RED = "green", "amber", "red"
AMBER_SHARE = 0.8  # amber: progress within 0.8 of the expected progress
TREND_WINDOW = 5
FLAT_SHARE = 0.01  # flat: the fitted change across the window is below 1 % of the mean absolute value

IMPROVING, WORSENING, FLAT, RISING, FALLING = "improving", "worsening", "flat", "rising", "falling"

# Why progress is missing or was clamped.
NO_VALUE, NO_TARGET, NO_BASELINE, TARGET_IS_BASELINE = "no_value", "no_target", "no_baseline", "target_is_baseline"
BEYOND_TARGET, AWAY_FROM_TARGET, TARGET_PASSED = "beyond_target", "away_from_target", "target_year_passed"

# Periods ("2025", "2025-Q3", "2025-07"), their order and their checks: ascn.core.periods.


# --- Progress and RAG -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Progress to a target: `raw` unclamped, `share` clamped to 0..1, `expected` by elapsed time, the RAG
    status (None: not judged) and a note code saying why something is missing or clamped."""

    raw: float | None
    share: float | None
    expected: float | None
    rag: str | None
    reached: bool | None
    note: str = ""

    @property
    def percent(self) -> int | None:
        """Clamped progress as a whole percent (half up)."""
        return None if self.share is None else math.floor(self.share * 100 + 0.5)


def nearest_target(targets: Sequence[tuple[int, float]], year: int) -> tuple[int, float, bool] | None:
    """(target year, value, passed): the nearest target year >= `year`, else the last one before it
    (passed=True). None when there are no targets."""
    ahead = [t for t in targets if t[0] >= year]
    if ahead:
        best = min(ahead, key=lambda t: t[0])
        return best[0], best[1], False
    if targets:
        best = max(targets, key=lambda t: t[0])
        return best[0], best[1], True
    return None


def expected_progress(baseline_year: int | None, target_year: int | None, year: int | None) -> float | None:
    """Linear from the baseline year (0.0) to the target year (1.0) at `year`, clamped to 0..1; 1.0 when the
    target year is not after the baseline year. None when a year is missing."""
    if baseline_year is None or target_year is None or year is None:
        return None
    if target_year <= baseline_year:
        return 1.0
    return min(max((year - baseline_year) / (target_year - baseline_year), 0.0), 1.0)


def is_reached(latest: float, target: float, direction: str) -> bool | None:
    """At or beyond the target in the better direction; None when the direction is undecided."""
    if direction == HIGHER:
        return latest >= target
    if direction == LOWER:
        return latest <= target
    return None


def rag(raw: float | None, expected: float | None, reached: bool | None, direction: str,
        target_is_baseline: bool = False) -> str | None:
    """Green, amber, red or None (not judged), by the rule in this module's docstring."""
    if direction not in (HIGHER, LOWER) or reached is None:
        return None
    if reached:
        return GREEN
    if target_is_baseline:
        return RED
    if raw is None or expected is None:
        return None
    if raw >= expected:
        return GREEN
    if raw >= AMBER_SHARE * expected:
        return AMBER
    return RED


def progress(latest: float | None, latest_year: int | None, baseline: float | None, baseline_year: int | None,
             target: float | None, target_year: int | None, direction: str, target_passed: bool = False
             ) -> Progress:
    """Progress of the latest value from the baseline to the target, with its RAG status."""
    if latest is None or latest_year is None:
        return Progress(None, None, None, None, None, NO_VALUE)
    if target is None or target_year is None:
        return Progress(None, None, None, None, None, NO_TARGET)
    reached = is_reached(latest, target, direction)
    if baseline is None or baseline_year is None:
        return Progress(None, None, None, rag(None, None, reached, direction), reached, NO_BASELINE)
    expected = expected_progress(baseline_year, target_year, latest_year)
    if target == baseline:
        return Progress(None, None, expected, rag(None, expected, reached, direction, target_is_baseline=True),
                        reached, TARGET_IS_BASELINE)
    raw = (latest - baseline) / (target - baseline)
    share = min(max(raw, 0.0), 1.0)
    note = BEYOND_TARGET if raw > 1 else AWAY_FROM_TARGET if raw < 0 else TARGET_PASSED if target_passed else ""
    return Progress(raw, share, expected, rag(raw, expected, reached, direction), reached, note)


# --- Trend ----------------------------------------------------------------------------------------------


def slope(values: Sequence[float]) -> float:
    """Least-squares slope of `values` against 0, 1, 2, ..."""
    n = len(values)
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    sxx = sum((i - mean_x) ** 2 for i in range(n))
    return sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values)) / sxx


def trend(values: Sequence[float], direction: str) -> str | None:
    """Improving / worsening / flat (rising / falling / flat when the direction is undecided) over the last
    up to 5 values, given in period order; None with fewer than two values."""
    window = list(values)[-TREND_WINDOW:]
    if len(window) < 2:
        return None
    fitted_change = slope(window) * (len(window) - 1)
    level = sum(abs(v) for v in window) / len(window)
    if fitted_change == 0 or abs(fitted_change) < FLAT_SHARE * level:
        return FLAT
    rising = fitted_change > 0
    if direction == HIGHER:
        return IMPROVING if rising else WORSENING
    if direction == LOWER:
        return WORSENING if rising else IMPROVING
    return RISING if rising else FALLING


# --- Data quality ---------------------------------------------------------------------------------------


def share(part: int, whole: int) -> float | None:
    """part / whole, None when there is nothing to count."""
    return None if whole == 0 else part / whole


def percent(value: float | None) -> int | None:
    """A share as a whole percent (half up)."""
    return None if value is None else math.floor(value * 100 + 0.5)


@dataclass(frozen=True)
class DataQuality:
    assigned: int
    with_value: int
    observations: int
    on_time: int
    open_flags: int

    @property
    def completeness(self) -> float | None:
        return share(self.with_value, self.assigned)

    @property
    def timeliness(self) -> float | None:
        return share(self.on_time, self.observations)


# --- Labels ---------------------------------------------------------------------------------------------


def rag_label(status: str | None) -> str:
    return {GREEN: _("On track"), AMBER: _("Slightly behind"), RED: _("Off track")}.get(status or "",
                                                                                      _("Not rated"))


def trend_label(value: str | None) -> str:
    return {IMPROVING: _("Improving"), WORSENING: _("Worsening"), FLAT: _("Flat"), RISING: _("Rising"),
            FALLING: _("Falling")}.get(value or "", _("Not enough data"))


def trend_arrow(value: str | None) -> str:
    return {IMPROVING: "↗", WORSENING: "↘", FLAT: "→", RISING: "↗", FALLING: "↘"}.get(value or "", "·")


def note_label(note: str) -> str:
    return {
        NO_VALUE: _("No value reported yet."),
        NO_TARGET: _("No target set."),
        NO_BASELINE: _("No baseline: progress cannot be measured; only whether the target is reached."),
        TARGET_IS_BASELINE: _("The target equals the baseline (hold the level): rated on whether it is held."),
        BEYOND_TARGET: _("Beyond the target; shown as 100 %."),
        AWAY_FROM_TARGET: _("Moved away from the target since the baseline; shown as 0 %."),
        TARGET_PASSED: _("The target year has passed; compared with the last target."),
    }.get(note, "")
