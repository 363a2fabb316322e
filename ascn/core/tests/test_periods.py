"""The reporting period (pure, no database): parsing, text, order, dates, the message and the column parser."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ascn.core import translator
from ascn.core.periods import (
    MONTH,
    QUARTER,
    YEAR,
    Period,
    PeriodError,
    columns,
    error_message,
    try_parse,
)

years = st.integers(min_value=1, max_value=9999)
periods = st.one_of(
    years.map(Period),
    st.builds(lambda y, q: Period(y, QUARTER, q), years, st.integers(1, 4)),
    st.builds(lambda y, m: Period(y, MONTH, m), years, st.integers(1, 12)),
)


def test_the_three_kinds_parse_to_exact_values():
    year, quarter, month = Period.parse("2025"), Period.parse("2025-Q3"), Period.parse("2025-07")
    assert (year.year, year.kind, year.number) == (2025, YEAR, 0)
    assert (quarter.year, quarter.kind, quarter.number) == (2025, QUARTER, 3)
    assert (month.year, month.kind, month.number) == (2025, MONTH, 7)
    assert (year, quarter, month) == (Period(2025), Period(2025, "quarter", 3), Period(2025, MONTH, 7))
    assert [str(p) for p in (year, quarter, month)] == ["2025", "2025-Q3", "2025-07"]
    assert [p.kind for p in (year, quarter, month)] == ["year", "quarter", "month"]
    assert str(Period(812)) == "0812" and str(Period(812, MONTH, 1)) == "0812-01"


@pytest.mark.parametrize("bad", ["", "25", "0000", "2025-Q5", "2025-Q0", "2025-q3", "2025-Q", "2025-13", "2025-00",
                                 "2025-7", "2025/07", "2025-007", " 2025", "2025 ", "2025\n", "\uff12\uff10\uff12\uff15", "٢٠٢٥",
                                 "2025-\uff107", "2025-Q\uff13", "20251", "2025-01-01", "2025-W01"])
def test_anything_else_is_refused_with_the_message_naming_it(bad):
    with pytest.raises(PeriodError) as refused:
        Period.parse(bad)
    assert str(refused.value) == f"“{bad}” is not a year (2025), quarter (2025-Q3) or month (2025-07)."
    assert refused.value.text == bad
    assert isinstance(refused.value, ValueError)
    assert try_parse(bad) is None


def test_what_is_not_text_is_refused_too():
    for bad in (None, 2025, b"2025", ["2025"]):
        with pytest.raises(PeriodError):
            Period.parse(bad)
        assert try_parse(bad) is None
    assert str(PeriodError(None)) == "“None” is not a year (2025), quarter (2025-Q3) or month (2025-07)."


def test_the_message_is_translated_when_raised():
    with translator.using(lambda message: message.replace("is not a year", "n'est pas une année")):
        assert error_message("2025-13") == "“2025-13” n'est pas une année (2025), quarter (2025-Q3) or month (2025-07)."
        with pytest.raises(PeriodError, match="n'est pas une année"):
            Period.parse("2025-13")
    assert str(PeriodError("x")) == "“x” is not a year (2025), quarter (2025-Q3) or month (2025-07)."


def test_a_period_cannot_be_built_outside_the_calendar():
    for year, kind, number in ((0, YEAR, 0), (10000, YEAR, 0), (2025, YEAR, 1), (2025, QUARTER, 0),
                               (2025, QUARTER, 5), (2025, MONTH, 13), (2025, MONTH, 0)):
        with pytest.raises(ValueError):
            Period(year, kind, number)
    with pytest.raises(ValueError):
        Period(2025, "week", 1)


def test_order_is_by_end_then_month_quarter_year():
    texts = ["2025", "2024", "2025-Q1", "2025-03", "2025-12", "2025-Q4", "2024-07"]
    assert [str(p) for p in sorted(map(Period.parse, texts))] == [
        "2024-07", "2024", "2025-03", "2025-Q1", "2025-12", "2025-Q4", "2025"]
    assert sorted(texts, key=Period.parse) == ["2024-07", "2024", "2025-03", "2025-Q1", "2025-12", "2025-Q4", "2025"]
    assert [Period.parse(t).key for t in ("2025", "2025-Q3", "2025-07")] == [2025122, 2025091, 2025070]
    assert Period.parse("2025-Q1") < Period.parse("2025-04") < Period.parse("2025-Q2") <= Period.parse("2025-Q2")
    assert max(map(Period.parse, ["2025-Q4", "2025", "2025-12"])) == Period(2025)
    assert Period(2025) > Period(2024, MONTH, 12)
    with pytest.raises(TypeError):
        _ = Period(2025) < "2026"


def test_dates_spans_and_places():
    q1, feb_leap, feb, year = (Period.parse(t) for t in ("2025-Q1", "2024-02", "2025-02", "2025"))
    assert (q1.start, q1.end) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert (feb_leap.start, feb_leap.end, feb.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29), dt.date(2025, 2, 28))
    assert (year.start, year.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert Period.parse("2025-Q4").end == dt.date(2025, 12, 31) and Period.parse("2025-Q3").start == dt.date(2025, 7, 1)
    assert [Period.parse(t).months for t in ("2025", "2025-Q2", "2025-05")] == [12, 3, 1]
    assert [Period.parse(t).fraction_of_year for t in ("2025", "2025-Q2", "2025-05")] == [1.0, 0.25, 1 / 12]
    assert [(p.first_month, p.last_month) for p in (year, q1, feb)] == [(1, 12), (1, 3), (2, 2)]
    assert [Period.parse(t).ordinal for t in ("2025", "2025-Q3", "2025-07")] == [2025, 2025 * 4 + 2, 2025 * 12 + 6]
    assert [Period.parse(t).code for t in ("2025", "2025-Q3", "2025-07")] == [202500, 202543, 202507]
    assert [p.is_year for p in (year, q1)] == [True, False]
    assert q1.the_year == year and year.the_year == year


def test_contains_days_and_periods():
    q3 = Period.parse("2025-Q3")
    assert q3.contains(dt.date(2025, 7, 1)) and q3.contains(dt.date(2025, 9, 30))
    assert not q3.contains(dt.date(2025, 6, 30)) and not q3.contains(dt.date(2025, 10, 1))
    assert dt.datetime(2025, 9, 30, 23, 59, tzinfo=dt.UTC) in q3
    assert Period.parse("2025-08") in q3 and q3 in Period(2025) and q3 in q3
    assert Period(2025) not in q3 and Period.parse("2025-10") not in q3 and Period.parse("2024-08") not in q3


def test_columns_parse_each_distinct_text_once_into_arrays():
    result = columns(["2025", "2025-Q3", "bad", "2025-07", "2025", None, ""])
    assert result.valid.tolist() == [True, True, False, True, True, False, False]
    assert result.year.tolist() == [2025, 2025, 0, 2025, 2025, 0, 0]
    assert result.kind.tolist() == [0, 1, 0, 2, 0, 0, 0]
    assert result.ordinal.tolist() == [2025, 2025 * 4 + 2, 0, 2025 * 12 + 6, 2025, 0, 0]
    assert result.code.tolist() == [202500, 202543, 0, 202507, 202500, 0, 0]
    assert result.key.tolist() == [2025122, 2025091, 0, 2025070, 2025122, 0, 0]
    assert result.year.dtype.kind == "i" and result.valid.dtype == bool
    empty = columns([])
    assert [len(a) for a in empty] == [0] * 6


# --- Properties ------------------------------------------------------------------------------------------


@given(periods)
def test_text_round_trips(period):
    assert Period.parse(str(period)) == period
    assert str(Period.parse(str(period))) == str(period)


@given(st.text(max_size=9))
def test_parse_accepts_only_canonical_text(text):
    period = try_parse(text)
    if period is not None:
        assert str(period) == text


@given(periods, periods)
def test_order_agrees_with_keys_and_with_where_periods_end(a, b):
    assert (a < b) == (a.key < b.key)
    assert (a == b) == (a.key == b.key)
    if a.end < b.end:
        assert a < b
    assert a.start <= a.end and a.contains(a.start) and a.contains(a.end)
    assert a.the_year.contains(a)


@given(st.lists(periods.map(str) | st.sampled_from(["", "2025-13", "x"]), max_size=30))
def test_columns_agree_with_parse(texts):
    result = columns(texts)
    for i, text in enumerate(texts):
        period = try_parse(text)
        assert result.valid[i] == (period is not None)
        expected = (period.year, {YEAR: 0, QUARTER: 1, MONTH: 2}[period.kind], period.ordinal, period.code,
                    period.key) if period else (0, 0, 0, 0, 0)
        assert (result.year[i], result.kind[i], result.ordinal[i], result.code[i], result.key[i]) == expected
