"""The rate table (core.ExchangeRate) and core.money.to_usd: the latest rate on or before the day, its date
returned with the amount; dollars as they are; no rate, no conversion."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ascn.core.models import ExchangeRate
from ascn.core.money import UsdAmount, convert_to_usd, to_usd

pytestmark = pytest.mark.django_db


@pytest.fixture
def yen():
    for day, units in ((dt.date(2025, 1, 2), "157.2"), (dt.date(2025, 7, 1), "144.0"), (dt.date(2026, 1, 5), "150")):
        ExchangeRate.objects.create(currency="JPY", units_per_usd=Decimal(units), as_of=day, source="test")


def test_the_latest_rate_on_or_before_the_day(yen):
    assert to_usd(Decimal("1e9"), "JPY", dt.date(2025, 12, 31)) == UsdAmount(
        Decimal("6944444.44"), dt.date(2025, 7, 1), Decimal("144"))
    assert to_usd(Decimal("1e9"), "JPY", dt.date(2025, 7, 1)) == UsdAmount(
        Decimal("6944444.44"), dt.date(2025, 7, 1), Decimal("144"))
    assert to_usd(Decimal(1572), "JPY", dt.date(2025, 6, 30)) == UsdAmount(
        Decimal("10.00"), dt.date(2025, 1, 2), Decimal("157.2"))
    assert to_usd(Decimal(300), "JPY") == UsdAmount(Decimal("2.00"), dt.date(2026, 1, 5), Decimal(150))


def test_no_rate_no_conversion(yen):
    assert to_usd(Decimal(100), "JPY", dt.date(2024, 12, 31)) is None
    assert to_usd(Decimal(100), "AUD") is None


def test_dollars_need_no_rate():
    assert to_usd(Decimal("12.5"), "USD") == UsdAmount(Decimal("12.5"), None, Decimal(1))


def test_conversion_rounds_half_up_to_the_cent():
    assert convert_to_usd(Decimal(1), Decimal(3)) == Decimal("0.33")
    assert convert_to_usd(Decimal(5), Decimal(1000)) == Decimal("0.01")
    with pytest.raises(ValueError, match="is not a rate"):
        convert_to_usd(Decimal(1), Decimal(0))


def test_a_rate_is_checked():
    with pytest.raises(ValidationError) as refused:
        ExchangeRate(currency="XYZ", units_per_usd=Decimal(-1), as_of=dt.date(2025, 1, 1), source="x").full_clean()
    assert refused.value.message_dict == {"currency": ["“XYZ” is not an ISO 4217 currency code."],
                                          "units_per_usd": ["Give a rate above zero."]}
    with pytest.raises(ValidationError) as refused:
        ExchangeRate(currency="USD", units_per_usd=Decimal(1), as_of=dt.date(2025, 1, 1), source="x").full_clean()
    assert refused.value.message_dict == {"currency": ["Amounts in US dollars need no rate."]}


def test_one_rate_per_currency_and_day(yen):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(currency="JPY", units_per_usd=Decimal(1), as_of=dt.date(2025, 1, 2), source="x")
