"""The reporting period: a year ("2025"), a quarter ("2025-Q3") or a month ("2025-07"). Pure Python, no Django.

The one definition every app uses. `Period.parse(text)` reads exactly the canonical text: four ASCII digits
(0001-9999), then nothing, "-Q1" to "-Q4", or "-01" to "-12"; no spaces, no other digits, no trailing
newline. Anything else raises `PeriodError` (a ValueError) whose message names the text, in the current
language. `str(period)` gives the canonical text back.

Periods order by the month they end in, and a month before the quarter before the year that end with it:
"2025-03" < "2025-Q1" < ... < "2025-12" < "2025-Q4" < "2025". `Period.key` is that order as one integer,
year x 1000 + last month x 10 + (0 month, 1 quarter, 2 year); the analytics snapshot stores it.

Bulk loads check a million rows: `columns(texts)` parses a column into NumPy arrays, each distinct text once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache, total_ordering
from typing import TYPE_CHECKING, Any, NamedTuple

from ascn.core.translator import gettext as _

if TYPE_CHECKING:
    import numpy as np


class Kind(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"


YEAR, QUARTER, MONTH = Kind.YEAR, Kind.QUARTER, Kind.MONTH
KIND_CODES: dict[Kind, int] = {YEAR: 0, QUARTER: 1, MONTH: 2}  # the `kind` column of `columns`
_MONTHS = {YEAR: 12, QUARTER: 3, MONTH: 1}
_NUMBERS = {YEAR: (0, 0), QUARTER: (1, 4), MONTH: (1, 12)}
_GRANULARITY = {MONTH: 0, QUARTER: 1, YEAR: 2}


def error_message(text: object) -> str:
    """The message of a text that is not a period (translated)."""
    return _("“%(value)s” is not a year (2025), quarter (2025-Q3) or month (2025-07).") % {"value": text}


class PeriodError(ValueError):
    """`text` is not a period; str() is the message naming it."""

    def __init__(self, text: object) -> None:
        self.text = text
        super().__init__(error_message(text))


@total_ordering
@dataclass(frozen=True)
class Period:
    """A year, quarter or month. `number` is the quarter (1-4) or the month (1-12); 0 for a year."""

    year: int
    kind: Kind = YEAR
    number: int = 0

    def __post_init__(self) -> None:
        kind = Kind(self.kind)
        object.__setattr__(self, "kind", kind)
        low, high = _NUMBERS[kind]
        if not (1 <= self.year <= 9999 and low <= self.number <= high):
            raise ValueError(f"no {kind} {self.number} in year {self.year}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """"2025", "2025-Q3" or "2025-07" as a Period; raises PeriodError for anything else."""
        if not isinstance(text, str):
            raise PeriodError(text)
        return _parse(text)

    def __str__(self) -> str:
        if self.kind is YEAR:
            return f"{self.year:04d}"
        if self.kind is QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}-{self.number:02d}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.key < other.key

    @property
    def is_year(self) -> bool:
        return self.kind is YEAR

    @property
    def months(self) -> int:
        """How many months the period spans: 12, 3 or 1."""
        return _MONTHS[self.kind]

    @property
    def fraction_of_year(self) -> float:
        """The share of its year the period spans: 1.0, 0.25 or 1/12."""
        return self.months / 12

    @property
    def last_month(self) -> int:
        return 12 if self.kind is YEAR else self.number * 3 if self.kind is QUARTER else self.number

    @property
    def first_month(self) -> int:
        return self.last_month - self.months + 1

    @property
    def start(self) -> dt.date:
        """The first day."""
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        """The last day (inclusive)."""
        if self.last_month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, self.last_month + 1, 1) - dt.timedelta(days=1)

    def contains(self, item: dt.date | Period) -> bool:
        """Whether a day (a datetime counts by its date) or a whole period lies within this period."""
        if isinstance(item, Period):
            return self.start <= item.start and item.end <= self.end
        day = item.date() if isinstance(item, dt.datetime) else item
        return self.start <= day <= self.end

    def __contains__(self, item: dt.date | Period) -> bool:
        return self.contains(item)

    @property
    def the_year(self) -> Period:
        """The whole year the period falls in."""
        return Period(self.year)

    @property
    def key(self) -> int:
        """The sort order as an integer (see the module's docstring): 2025122, 2025091, 2025070."""
        return self.year * 1000 + self.last_month * 10 + _GRANULARITY[self.kind]

    @property
    def ordinal(self) -> int:
        """The place in the sequence of its kind: the year, year x 4 + quarter - 1, year x 12 + month - 1."""
        if self.kind is YEAR:
            return self.year
        return self.year * (4 if self.kind is QUARTER else 12) + self.number - 1

    @property
    def code(self) -> int:
        """A small integer, one per period: year x 100, + 40 + the quarter, or + the month."""
        return self.year * 100 + (0 if self.kind is YEAR else 40 + self.number if self.kind is QUARTER
                                  else self.number)


@lru_cache(maxsize=4096)
def _parse(text: str) -> Period:
    # Checked character by character: str.isdigit() and regular expressions' \d accept other scripts' digits.
    size = len(text)
    if size < 4 or not _ascii_digits(text[:4]) or text[:4] == "0000":
        raise PeriodError(text)
    year = int(text[:4])
    if size == 4:
        return Period(year)
    if size == 7 and text[4:6] == "-Q" and text[6] in "1234":
        return Period(year, QUARTER, int(text[6]))
    if size == 7 and text[4] == "-" and _ascii_digits(text[5:]) and 1 <= int(text[5:]) <= 12:
        return Period(year, MONTH, int(text[5:]))
    raise PeriodError(text)


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def try_parse(text: Any) -> Period | None:
    """The Period of `text`, or None when it is not one (None and other non-text included)."""
    try:
        return Period.parse(text)
    except PeriodError:
        return None


class PeriodColumns(NamedTuple):
    """A column of period texts as arrays of the same length; 0 in every number where `valid` is False."""

    valid: np.ndarray    # bool
    year: np.ndarray     # int64
    kind: np.ndarray     # int64: KIND_CODES
    ordinal: np.ndarray  # int64: Period.ordinal
    code: np.ndarray     # int64: Period.code
    key: np.ndarray      # int64: Period.key


def columns(texts: Sequence[Any]) -> PeriodColumns:
    """Parse a column of period texts (each distinct text once) into arrays: a million rows with a few dozen
    distinct periods in well under a second."""
    import numpy as np

    distinct = list(set(texts))
    where = dict(zip(distinct, range(len(distinct)), strict=True))
    position = np.fromiter(map(where.__getitem__, texts), dtype=np.intp, count=len(texts))
    parsed = [try_parse(t) for t in distinct]
    table = np.array([(1, p.year, KIND_CODES[p.kind], p.ordinal, p.code, p.key) if p else (0,) * 6
                      for p in parsed], dtype=np.int64).reshape(len(parsed), 6)
    valid, year, kind, ordinal, code, key = (np.ascontiguousarray(table[:, i])[position] for i in range(6))
    return PeriodColumns(valid.astype(bool), year, kind, ordinal, code, key)
