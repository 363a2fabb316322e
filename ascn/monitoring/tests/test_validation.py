"""The observation rules (pure, no database): units, ranges, ratios and outliers. Periods are ascn.core.periods
(its tests)."""

import numpy as np
import pytest

from ascn.core import translator
from ascn.monitoring import validation as v

nan = np.nan


def values(*items):
    return np.array(items, dtype=np.float64)


def check(value, numerator=None, denominator=None, unit="", multiplier=None):
    n = len(value)
    return v.check_values(values(*value), values(*(numerator or [nan] * n)), values(*(denominator or [nan] * n)),
                          np.full(n, v.scale_for(unit, multiplier)), np.full(n, v.is_percentage(unit)),
                          np.full(n, v.may_be_negative(unit)))


def test_units():
    assert v.is_percentage("%") and v.is_percentage("Percent of households") and not v.is_percentage("km")
    assert v.unit_scale("%") == 100.0
    assert v.unit_scale("per 100,000 inhabitants") == 100000.0
    assert v.unit_scale("cases per 1 000 births") == 1000.0
    assert v.unit_scale("km2") == 1.0
    assert not v.may_be_negative("") and not v.may_be_negative("%") and not v.may_be_negative("inhabitants")
    assert v.may_be_negative("annual change in population")


def test_the_multiplier_set_for_an_indicator_wins_over_the_unit_text():
    assert v.scale_for("%", None) == 100.0 and v.scale_for("%", 100) == 100.0
    assert v.scale_for("beds per 100,000 inhabitants", None) == 100000.0
    assert v.scale_for("interruptions per customer per year", 1) == 1.0
    assert v.scale_for("degrees per 100,000 inhabitants", 100000) == 100000.0
    # A "per 100" unit is not a percentage: 140 per 100 households is not flagged.
    filled, problems, flags = check([140], unit="subscriptions per 100 households")
    assert problems == [] and flags == {} and filled.tolist() == [140]


def test_a_percentage_above_100_is_flagged_and_a_negative_one_refused():
    filled, problems, flags = check([101, 100, 0, -1], unit="%")
    assert [(p.index, p.column, p.code, p.reason) for p in problems] == [
        (3, "value", "negative", "-1 is negative; this indicator counts or rates something and cannot be below 0")]
    assert flags == {0: [{"code": "percentage_range", "params": {"value": "101"},
                          "detail": "The value 101 is above 100, the most a percentage reaches unless its "
                                    "definition allows more."}]}
    assert filled.tolist() == [101, 100, 0, -1]


def test_negative_counts_are_refused():
    _filled, problems, _flags = check([-3, 0, 7], unit="physicians per 100,000 inhabitants")
    assert [(p.index, p.column, p.code, p.reason) for p in problems] == [
        (0, "value", "negative", "-3 is negative; this indicator counts or rates something and cannot be below 0")]
    assert check([-3], unit="annual change in population")[1] == []


def test_incomplete_and_impossible_ratios_are_refused():
    _filled, problems, _flags = check([nan, nan, nan, nan], [3, nan, -1, 2], [nan, 4, 10, 0], unit="%")
    assert [(p.index, p.column, p.code, p.reason) for p in problems] == [
        (0, "denominator", "ratio_incomplete", "is empty: give the numerator and the denominator together"),
        (1, "numerator", "ratio_incomplete", "is empty: give the numerator and the denominator together"),
        (2, "numerator", "negative", "-1 is negative; a numerator cannot be below 0"),
        (3, "denominator", "denominator_not_positive", "0 is not above 0; a denominator must be"),
    ]


def test_a_numerator_above_its_denominator_is_a_rate_not_an_error():
    # 1,500 interruptions for 1,000 customers: 1.5 per customer; 12 of 10 is 120 %, flagged for review.
    filled, problems, flags = check([nan], [1500], [1000], unit="interruptions per customer per year", multiplier=1)
    assert problems == [] and flags == {} and filled.tolist() == [1.5]
    filled, problems, flags = check([nan], [12], [10], unit="%")
    assert problems == [] and filled.tolist() == [120.0] and flags[0][0]["code"] == "percentage_range"


def test_the_value_is_computed_with_the_unit_s_scale():
    """The issue's example: 410,000 of 425,000 households is 96.47 %, not 0.9647."""
    filled, problems, flags = check([nan], [410_000], [425_000], unit="%", multiplier=100)
    assert problems == [] and flags == {}
    assert round(filled[0], 1) == 96.5
    filled, _problems, _flags = check([nan], [37], [250_000], unit="beds per 100,000 inhabitants", multiplier=100_000)
    assert filled.tolist() == [14.8]


def test_a_given_value_must_be_the_ratio_rounded():
    # 96.4706 rounded: 96.5, 96, 96.47 pass; 96.4 (truncated), 97, 100 and the fraction 0.9647 do not.
    given = [96.5, 96, 96.47, 96.4706, 96.4, 97, 100, 0.9647]
    n = len(given)
    _filled, problems, _flags = check(given, [410_000] * n, [425_000] * n, unit="%")
    assert [p.index for p in problems] == [4, 5, 6, 7]
    assert {p.code for p in problems} == {"ratio_mismatch"} and {p.column for p in problems} == {"value"}
    assert problems[0].reason == ("96.4 does not match the numerator and the denominator: 410000 / 425000 x 100 = "
                                  "96.4706. Leave the value empty to have it computed, or correct the figures")
    # Per 100,000: 5 of 2,000 is 250.
    _filled, problems, _flags = check([250, 400], [5, 5], [2000, 2000], unit="per 100,000 inhabitants")
    assert [(p.index, p.code) for p in problems] == [(1, "ratio_mismatch")]


def test_within_rounding_allows_float_error_and_compares_blanks_as_within():
    given = values(0.1 + 0.2, 1234567.0, nan, 0.00123)
    expected = values(0.3, 1234567.4, 5.0, 0.0012345)
    assert v.within_rounding(given, expected).tolist() == [True, True, True, True]
    assert v.within_rounding(values(1234560.0), values(1234567.0)).tolist() == [False]


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
    item = v.flag("ratio_mismatch", value="60", expected="75")  # a flag stored before mismatches were refused
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
