"""The rules an observation must pass, vectorised with NumPy so a million rows check in seconds. No Django.

Every value is in its indicator's unit. A value given with a numerator and a denominator, or computed from
them, is numerator / denominator x the indicator's multiplier (100 for a percentage, 100,000 for "per 100,000
inhabitants"; `scale_for`).

Hard errors reject a row (`Problem`): a value that is not a number, a negative count or rate, a value that
disagrees with its numerator and denominator beyond rounding (`ratio_mismatch`). (A malformed period is found
with `ascn.core.periods`; whether the period is open, the indicator assigned and its unit set needs the
database: the actions check those and report them the same way.)

Soft findings do not reject the row: they are kept on `Observation.flags` for review, each as
{"code": ..., "params": {...}, "detail": "<English sentence with the figures>"}; pages show them
translated from the code and params (`flag_text`).

- percentage_range: a percentage above 100 (possible where a definition allows it, such as school enrolment
  counting pupils from outside the city, so kept for review rather than refused).
- outlier_history: against the city's own series (same indicator, same kind of period): with at least
  MIN_HISTORY earlier values among the last HISTORY_WINDOW, the robust z-score
  0.6745 x (value - median) / MAD is above Z_LIMIT in size (Iglewicz and Hoaglin's rule). The MAD counts
  as at least MAD_FLOOR (5 %) of the median's size, so a very steady series is not flagged for a small
  move: the value must be more than about 26 % away from the median.
- outlier_jump: with only one or two earlier values, the value is JUMP_RATIO times the previous one, or
  less than 1 / JUMP_RATIO of it.
- outlier_peers: against the values of every city for the same indicator and period (at least
  MIN_PEERS of them, this city included), the same robust z-score above Z_LIMIT.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ascn.core import numbers
from ascn.core.translator import gettext as _


def gettext_noop(message: str) -> str:
    """Marks a message for translation without translating it (stored flags keep English details)."""
    return message


HISTORY_WINDOW = 8
MIN_HISTORY = 3
MIN_PEERS = 6
Z_LIMIT = 3.5
JUMP_RATIO = 3.0
MAD_FLOOR = 0.05
MAX_DECIMALS = 10  # a value written with more decimals than this is compared as if it had this many

_PER_RE = re.compile(r"\bper\s+(\d[\d,\s]*)", re.IGNORECASE)
_SIGNED_WORDS = ("change", "balance", "net ", "growth", "°c", "degrees")

COMPUTED_FLAGS = frozenset({"ratio_mismatch", "percentage_range", "outlier_history", "outlier_jump",
                            "outlier_peers"})  # found by the checks (a reviewer's "queried" is not)

FLAG_MESSAGES: dict[str, str] = {
    # Flags of values stored before a disagreeing ratio was refused keep their text.
    "ratio_mismatch": gettext_noop(
        "The value %(value)s does not match numerator / denominator, which gives %(expected)s."),
    "percentage_range": gettext_noop(
        "The value %(value)s is above 100, the most a percentage reaches unless its definition allows more."),
    "outlier_history": gettext_noop(
        "The value %(value)s is far from this city's earlier values (median %(median)s over %(count)s "
        "periods, robust z-score %(z)s)."),
    "outlier_jump": gettext_noop(
        "The value %(value)s is %(ratio)s times the previous value %(previous)s (%(previous_period)s)."),
    "outlier_peers": gettext_noop(
        "The value %(value)s is far from other cities' values for %(period)s (median %(median)s over %(count)s "
        "cities, robust z-score %(z)s)."),
    "queried": gettext_noop("Queried by the reviewer: %(comment)s"),
}


@dataclass(frozen=True)
class Problem:
    """A hard error: the row at `index` (position in the batch) is rejected."""

    index: int
    column: str
    code: str
    reason: str


def is_percentage(unit: str) -> bool:
    """Units with "%" or "percent" in them are percentages."""
    unit = (unit or "").lower()
    return "%" in unit or "percent" in unit


def unit_scale(unit: str) -> float:
    """What numerator / denominator is multiplied by to give the value: 100 for a percentage, N for "per N"."""
    if is_percentage(unit):
        return 100.0
    match = _PER_RE.search(unit or "")
    if match:
        digits = re.sub(r"[,\s]", "", match[1])
        if digits.isdigit() and int(digits) > 0:
            return float(digits)
    return 1.0


def scale_for(unit: str, multiplier: float | None) -> float:
    """What numerator / denominator is multiplied by for this indicator: its multiplier when the Secretariat
    (or the seeded definition) has set one, else what the unit says (`unit_scale`)."""
    return float(multiplier) if multiplier else unit_scale(unit)


def may_be_negative(unit: str) -> bool:
    """Counts, rates and percentages are never negative; only units of change or balance may be."""
    unit = f"{(unit or '').lower()} "
    return not is_percentage(unit) and any(word in unit for word in _SIGNED_WORDS)


def fmt(number: float | None) -> str:
    """A figure for a message, as stored (plain, see core.numbers): every whole digit and up to 6 significant
    digits, no trailing zeros, never an exponent (101, 33.3333, 15000000, 0.00001); empty for None or NaN."""
    return numbers.plain(numbers.rounded(number, 0, significant=6))


def flag(code: str, **params: str) -> dict:
    """A stored flag: its code, its figures and the English sentence."""
    return {"code": code, "params": params, "detail": FLAG_MESSAGES[code] % params}


_FIGURES = frozenset({"value", "expected", "median", "previous", "ratio", "count", "z"})


def _readable(text: str) -> str:
    """A stored figure ("15000000"; "1.5e+07" in flags stored before; "1/3.2" for a ratio below 1) written
    for the reader (core.numbers: grouped, the language's separators, the stored decimals)."""
    head, slash, tail = text.rpartition("/")
    number = numbers.exact(tail)
    if number is None:
        return text
    return head + slash + numbers.for_people(number, max(0, -int(number.as_tuple().exponent)), fixed=True)


def flag_text(item: dict) -> str:
    """A stored flag in the current language (its English detail when the code is unknown)."""
    template = FLAG_MESSAGES.get(item.get("code", ""))
    params = item.get("params")
    if template is None or not isinstance(params, dict):
        return str(item.get("detail", ""))
    try:
        return _(template) % {key: _readable(value) if key in _FIGURES and isinstance(value, str) else value
                              for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return str(item.get("detail", ""))


# --- Values --------------------------------------------------------------------------------------------


def check_values(values: np.ndarray, numerators: np.ndarray, denominators: np.ndarray, scale: np.ndarray,
                 percent: np.ndarray, signed: np.ndarray) -> tuple[np.ndarray, list[Problem], dict[int, list[dict]]]:
    """Unit, range and ratio checks over a batch. NaN means blank.

    Per row: `scale` is what numerator / denominator is multiplied by (`scale_for`), `percent` whether the
    unit is a percentage, `signed` whether it allows negative values. A blank value with a numerator and a
    denominator is computed from them; a value given with them must be their result, rounded to as many
    decimals as the value is written with. Returns the values (filled in), the hard errors and the
    percentage_range flags by row index.
    """
    values = values.astype(np.float64, copy=True)
    has_num, has_den = ~np.isnan(numerators), ~np.isnan(denominators)
    given = ~np.isnan(values)
    problems: list[Problem] = []

    def add(mask: np.ndarray, column: str, code: str, reason: Callable[[int], str]) -> None:
        problems.extend(Problem(int(i), column, code, reason(int(i))) for i in np.flatnonzero(mask))

    add(has_num & ~has_den, "denominator", "ratio_incomplete",
        lambda i: _("is empty: give the numerator and the denominator together"))
    add(has_den & ~has_num, "numerator", "ratio_incomplete",
        lambda i: _("is empty: give the numerator and the denominator together"))
    both = has_num & has_den
    with np.errstate(invalid="ignore"):
        add(both & (numerators < 0), "numerator", "negative",
            lambda i: _("%(value)s is negative; a numerator cannot be below 0") % {"value": fmt(numerators[i])})
        add(both & (denominators <= 0), "denominator", "denominator_not_positive",
            lambda i: _("%(value)s is not above 0; a denominator must be") % {"value": fmt(denominators[i])})
        usable = both & (denominators > 0) & (numerators >= 0)
    expected = ratio_values(numerators, denominators, scale, usable)
    values = np.where(~given & usable, expected, values)
    add(~given & ~has_num & ~has_den, "value", "value_missing",
        lambda i: _("is empty: give the value, or the numerator and the denominator"))
    mismatch = given & usable & ~within_rounding(values, expected)
    add(mismatch, "value", "ratio_mismatch",
        lambda i: _("%(value)s does not match the numerator and the denominator: %(numerator)s / %(denominator)s "
                    "x %(multiplier)s = %(expected)s. Leave the value empty to have it computed, or correct the "
                    "figures") % {"value": fmt(values[i]), "numerator": fmt(numerators[i]),
                                  "denominator": fmt(denominators[i]), "multiplier": fmt(scale[i]),
                                  "expected": fmt(expected[i])})
    with np.errstate(invalid="ignore"):
        add(~signed & (values < 0), "value", "negative",
            lambda i: _("%(value)s is negative; this indicator counts or rates something and cannot be below 0")
            % {"value": fmt(values[i])})
    problems.sort(key=lambda p: p.index)
    return values, problems, range_flags(values, percent)


def ratio_values(numerators: np.ndarray, denominators: np.ndarray, scale: np.ndarray,
                 usable: np.ndarray | None = None) -> np.ndarray:
    """numerator x scale / denominator (multiplied first, so whole figures stay exact: 37 x 100,000 / 250,000 is
    14.8) where both are given and the denominator is above 0; NaN elsewhere."""
    with np.errstate(invalid="ignore"):
        if usable is None:
            usable = ~np.isnan(numerators) & (denominators > 0) & (numerators >= 0)
        return np.where(usable, numerators * scale / np.where(usable, denominators, 1.0), np.nan)


def within_rounding(given: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Whether each given value is `expected` rounded to the decimals the value is written with (96.5 and 96
    are 96.4706 rounded; 96.4 and 97 are not), allowing for float error. NaN compares as within."""
    magnitude = np.maximum(np.abs(np.nan_to_num(given)), 1.0)
    decimals = np.full(len(given), MAX_DECIMALS, dtype=np.int64)
    for places in range(MAX_DECIMALS - 1, -1, -1):  # the fewest decimals that write the value exactly wins
        exact = np.abs(np.round(given, places) - given) <= 1e-9 * magnitude
        decimals[exact] = places
    tolerance = 0.5 * 10.0 ** -decimals.astype(np.float64) + 1e-9 * magnitude
    with np.errstate(invalid="ignore"):
        return ~(np.abs(given - expected) > tolerance)


def range_flags(values: np.ndarray, percent: np.ndarray) -> dict[int, list[dict]]:
    """percentage_range flags: percentages above 100, by row index."""
    with np.errstate(invalid="ignore"):
        above = percent & (values > 100)
    return {int(i): [flag("percentage_range", value=fmt(values[i]))] for i in np.flatnonzero(above)}


# --- Outliers ------------------------------------------------------------------------------------------


def _row_median(matrix: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The median of each row's non-NaN values (NaN where a row has none)."""
    ordered = np.sort(matrix, axis=1)  # NaN sorts last
    rows = np.arange(len(matrix))
    lo, hi = np.maximum((count - 1) // 2, 0), np.maximum(count // 2, 0)
    hi = np.minimum(hi, matrix.shape[1] - 1)
    median = (ordered[rows, lo] + ordered[rows, hi]) / 2
    return np.where(count > 0, median, np.nan)


def _robust_z(values: np.ndarray, median: np.ndarray, mad: np.ndarray) -> np.ndarray:
    mad = np.maximum(mad, MAD_FLOOR * np.abs(median))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mad > 0, 0.6745 * (values - median) / mad, 0.0)


def history_outliers(series: np.ndarray, ordinal: np.ndarray, values: np.ndarray, check: np.ndarray,
                     periods: list[str] | None = None) -> dict[int, list[dict]]:
    """Flags of the rows with `check` against the earlier values of their series.

    `series` identifies a city's series (city, indicator and kind of period) and `ordinal` the period's
    place in it; rows are the existing values and the incoming ones together (one per series and ordinal).
    `periods` (the period texts) names the previous period in outlier_jump details.
    """
    n = len(values)
    if not n or not check.any():
        return {}
    order = np.lexsort((ordinal, series))
    s, v = series[order], values[order]
    positions = np.flatnonzero(check[order])
    earlier = np.full((len(positions), HISTORY_WINDOW), np.nan)
    previous_at = np.full(len(positions), -1)
    for k in range(1, HISTORY_WINDOW + 1):
        source = positions - k
        valid = source >= 0
        valid[valid] &= s[source[valid]] == s[positions[valid]]
        earlier[valid, k - 1] = v[source[valid]]
        if k == 1:
            previous_at[valid] = order[source[valid]]
    count = (~np.isnan(earlier)).sum(axis=1)
    median = _row_median(earlier, count)
    mad = _row_median(np.abs(earlier - median[:, None]), count)
    current = v[positions]
    z = _robust_z(current, median, mad)
    outlier = (count >= MIN_HISTORY) & (np.abs(z) > Z_LIMIT)
    flags: dict[int, list[dict]] = {}
    for j in np.flatnonzero(outlier):
        flags.setdefault(int(order[positions[j]]), []).append(flag(
            "outlier_history", value=fmt(current[j]), median=fmt(median[j]), count=str(int(count[j])),
            z=f"{z[j]:.1f}"))
    previous = earlier[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((previous > 0) & (current > 0), current / previous, 1.0)
    jump = (count >= 1) & (count < MIN_HISTORY) & ((ratio >= JUMP_RATIO) | (ratio <= 1 / JUMP_RATIO))
    for j in np.flatnonzero(jump):
        index = int(order[positions[j]])
        shown = ratio[j] if ratio[j] >= 1 else 1 / ratio[j]
        flags.setdefault(index, []).append(flag(
            "outlier_jump", value=fmt(current[j]), ratio=fmt(round(ratio[j], 3)) if ratio[j] >= 1
            else f"1/{fmt(round(shown, 3))}", previous=fmt(previous[j]),
            previous_period=periods[int(previous_at[j])] if periods is not None else ""))
    return flags


def peer_outliers(group: np.ndarray, values: np.ndarray, check: np.ndarray,
                  periods: list[str] | None = None) -> dict[int, list[dict]]:
    """Flags of the rows with `check` against all cities' values in the same `group` (indicator and period)."""
    n = len(values)
    if not n or not check.any():
        return {}
    _keys, groups = np.unique(group, return_inverse=True)
    order = np.lexsort((values, groups))
    g = groups[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, n])
    ordered = values[order]
    median = (ordered[starts + (sizes - 1) // 2] + ordered[starts + sizes // 2]) / 2
    deviation = np.abs(values - median[groups])
    order_dev = np.lexsort((deviation, groups))
    dev_sorted = deviation[order_dev]
    mad = (dev_sorted[starts + (sizes - 1) // 2] + dev_sorted[starts + sizes // 2]) / 2
    z = _robust_z(values, median[groups], mad[groups])
    outlier = check & (sizes[groups] >= MIN_PEERS) & (np.abs(z) > Z_LIMIT)
    return {int(i): [flag("outlier_peers", value=fmt(values[i]), period=periods[i] if periods is not None else "",
                          median=fmt(median[groups[i]]), count=str(int(sizes[groups[i]])), z=f"{z[i]:.1f}")]
            for i in np.flatnonzero(outlier)}


def merge_flags(*parts: dict[int, list[dict]]) -> dict[int, list[dict]]:
    merged: dict[int, list[dict]] = {}
    for part in parts:
        for index, items in part.items():
            merged.setdefault(index, []).extend(items)
    return merged
