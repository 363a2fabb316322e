"""The business case's figures are written by core.numbers in the reader's language, as every other page."""

from __future__ import annotations

import pytest
from django.utils import translation

from ascn.finance import reporting


@pytest.mark.parametrize(("language", "amount", "percent", "ratio", "years"), [
    ("en", "1,234,568 USD", "12.35 %", "1.50", "7.5 years"),
    ("vi", "1.234.568 USD", "12,35 %", "1,50", "7,5"),
    ("th", "1,234,568 USD", "12.35 %", "1.50", "7.5"),
])
def test_figures_follow_the_readers_language(language, amount, percent, ratio, years):
    with translation.override(language):
        assert reporting.amount(1_234_567.5, "USD") == amount
        assert reporting.percent(0.123456) == percent
        assert reporting.ratio(1.5) == ratio
        assert years in reporting.years(7.49)


def test_huge_and_tiny_figures_are_never_written_with_an_exponent():
    with translation.override("en"):
        assert reporting.amount(1.5e16, "USD") == "15,000,000,000,000,000 USD"
        assert reporting.percent(1e-7) == "0.00 %"
        assert reporting.ratio(2.5e-6) == "0.00"
        assert reporting.amount(None) == reporting.NONE
