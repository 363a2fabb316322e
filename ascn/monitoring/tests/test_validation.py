"""The observation rules (pure, no database): units, ranges, ratios and outliers. Periods are ascn.core.periods
(its tests)."""

import numpy as np
import pytest

from ascn.core import translator
from ascn.monitoring import validation as v

nan = np.nan


def values(*items):
    return np.array(items, dtype=np.float64)


def check(value, numerator=None, denominator=None, unit=""):
    n = len(value)
    return v.check_values(values(*value), values(*(numerator or [nan] * n)), values(*(denominator or [nan] * n)),
                          np.full(n, v.unit_scale(unit)), np.full(n, v.may_be_negative(unit)))


def test_units():
    assert v.is_percentage("%") and v.is_percentage("Percent of households") and not v.is_percentage("km")
    assert v.unit_scale("%") == 100.0
    assert v.unit_scale("per 100,000 inhabitants") == 100000.0
    assert v.unit_scale("cases per 1 000 births") == 1000.0
    assert v.unit_scale("km2") == 1.0
    assert not v.may_be_negative("") and not v.may_be_negative("%") and not v.may_be_negative("inhabitants")
    assert v.may_be_negative("annual change in population")


def test_percentage_out_of_range_is_refused_naming_the_value():
    filled, problems, flags = check([101, 100, 0, -1], unit="%")
    assert [(p.index, p.column, p.code, p.reason) for p in problems] == [
        (0, "value", "percentage_range", "101 is not a percentage between 0 and 100"),
        (3, "value", "percentage_range", "-1 is not a percentage between 0 and 100"),
    ]
    assert flags == {}
    assert filled.tolist() == [101, 100, 0, -1]


def test_negative_counts_are_refused():
    _filled, problems, _flags = check([-3, 0, 7])
    assert [(p.index, p.column, p.code, p.reason) for p in problems] == [
        (0, "value", "negative", "-3 is negative; this indicator counts or rates something and cannot be below 0")]
    assert check([-3], unit="annual change in population")[1] == []


def test_numerator_above_denominator_and_incomplete_ratios():
    _filled, problems, _flags = check([nan, 50, nan, nan, 10], [12, 5, 3, nan, -1], [10, 10, nan, 4, 10], unit="%")
    assert [(p.index, p.column, p.code, p.reason) for p in problems] == [
        (0, "numerator", "numerator_above_denominator", "the numerator 12 is above the denominator 10"),
        (2, "denominator", "ratio_incomplete", "is empty: give the numerator and the denominator together"),
        (3, "numerator", "ratio_incomplete", "is empty: give the numerator and the denominator together"),
        (4, "numerator", "negative", "-1 is negative; a numerator cannot be below 0"),
    ]
    _filled, problems, _flags = check([nan], [0], [0])
    assert [(p.column, p.code, p.reason) for p in problems] == [
        ("denominator", "denominator_not_positive", "0 is not above 0; a denominator must be")]


def test_value_is_computed_from_the_ratio_and_a_mismatch_is_flagged():
    filled, problems, flags = check([nan, 75, 60, 33.3, 33], [3, 3, 3, 1, 1], [4, 4, 4, 3, 3], unit="%")
    assert problems == []
    assert filled[:3].tolist() == [75.0, 75.0, 60.0]
    assert flags == {2: [{"code": "ratio_mismatch", "params": {"value": "60", "expected": "75"},
                          "detail": "The value 60 does not match numerator / denominator, which gives 75."}]}
    # 33 against 33.3333: within 1 percent of it, not flagged; per 100,000 scales the ratio.
    filled, problems, flags = check([250, 400], [5, 5], [2000, 2000], unit="per 100,000 inhabitants")
    assert problems == [] and list(flags) == [1]
    assert flags[1][0]["params"] == {"value": "400", "expected": "250"}


def test_history_outlier_uses_the_median_absolute_deviation():
    series = np.array([1, 1, 1, 1, 1, 2, 2])
    ordinal = np.array([2020, 2021, 2022, 2023, 2024, 2023, 2024])
    data = values(10, 11, 10, 12, 50, 10, 11)
    check_rows = np.array([False, False, False, False, True, False, True])
    flags = v.history_outliers(series, ordinal, data, check_rows, ["2020", "2021", "2022", "2023", "2024", "2023",
                                                                   "2024"])
    assert flags == {4: [{"code": "outlier_history",
                          "params": {"value": "50", "median": "10.5", "count": "4", "z": "50.7"},
                          "detail": "The value 50 is far from this city's earlier values (median 10.5 over 4 "
                                    "periods, robust z-score 50.7)."}]}


def test_history_in_any_order_and_a_normal_value_is_not_flagged():
    series = np.array([7, 7, 7, 7])
    ordinal = np.array([2024, 2021, 2023, 2022])
    flags = v.history_outliers(series, ordinal, values(13, 10, 12, 11), np.array([True, False, False, False]))
    assert flags == {}


def test_jump_against_the_previous_value_when_history_is_short():
    series = np.array([1, 1, 2, 2])
    ordinal = np.array([2024, 2025, 2024, 2025])
    flags = v.history_outliers(series, ordinal, values(10, 40, 10, 2), np.array([False, True, False, True]),
                               ["2024", "2025", "2024", "2025"])
    assert flags == {
        1: [{"code": "outlier_jump", "params": {"value": "40", "ratio": "4", "previous": "10", "previous_period": "2024"},
             "detail": "The value 40 is 4 times the previous value 10 (2024)."}],
        3: [{"code": "outlier_jump", "params": {"value": "2", "ratio": "1/5", "previous": "10",
                                                "previous_period": "2024"},
             "detail": "The value 2 is 1/5 times the previous value 10 (2024)."}],
    }


def test_peer_outlier_against_other_cities_same_indicator_and_period():
    group = np.array([1] * 6 + [2] * 3)
    data = values(10, 11, 12, 10, 11, 100, 1, 2, 300)
    flags = v.peer_outliers(group, data, np.ones(9, dtype=bool), ["2025"] * 9)
    assert flags == {5: [{"code": "outlier_peers",
                          "params": {"value": "100", "period": "2025", "median": "11", "count": "6", "z": "60.0"},
                          "detail": "The value 100 is far from other cities' values for 2025 (median 11 over 6 "
                                    "cities, robust z-score 60.0)."}]}  # group 2 has too few cities to compare


def test_flag_text_translates_from_code_and_params(monkeypatch):
    item = v.flag("ratio_mismatch", value="60", expected="75")
    monkeypatch.setattr(translator, "_translate", lambda message: message.replace("The value", "Gia tri"))
    assert v.flag_text(item) == "Gia tri 60 does not match numerator / denominator, which gives 75."
    assert v.flag_text({"code": "unknown", "detail": "kept as stored"}) == "kept as stored"


@pytest.mark.parametrize("number,text", [(101.0, "101"), (33.333333333, "33.3333"), (1.5e7, "15000000"),
                                         (1234567.5, "1234568"), (1e-05, "0.00001"), (nan, "")])
def test_fmt(number, text):
    assert v.fmt(number) == text


def test_flag_figures_are_written_in_the_readers_language_never_as_exponents():
    from django.utils import translation

    item = v.flag("outlier_jump", value=v.fmt(1.5e7), ratio="12.5", previous=v.fmt(1.2e6), previous_period="2024")
    older = {"code": "outlier_jump", "params": {"value": "1.5e+07", "ratio": "1/3.2", "previous": "1.2e+06",
                                                "previous_period": "2024"}}
    with translation.override("vi"):
        assert "15.000.000" in v.flag_text(item) and "12,5" in v.flag_text(item) and "1.200.000" in v.flag_text(item)
        assert "15.000.000" in v.flag_text(older) and "1/3,2" in v.flag_text(older) and "(2024)" in v.flag_text(older)
    assert "The value 15,000,000 is 12.5 times the previous value 1,200,000 (2024)" in v.flag_text(item)


def test_a_million_rows_check_in_vectorised_time():
    rng = np.random.default_rng(3)
    n = 1_000_000
    series = rng.integers(0, 100_000, n)
    ordinal = np.arange(n) % 10 + 2016
    data = rng.normal(100, 5, n)
    flags = v.history_outliers(series, ordinal, data, np.ones(n, dtype=bool))
    peers = v.peer_outliers(rng.integers(0, 1000, n), data, np.ones(n, dtype=bool))
    assert isinstance(flags, dict) and isinstance(peers, dict)
