"""Money is a Decimal with an ISO 4217 currency code (no Django import; `to_usd` reads the rate table when called)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import list_currencies


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return code in currency_codes()


def parse_amount(text: str) -> Decimal:
    """'1,250,000.50' or '1250000' -> Decimal; raises ValueError naming the value."""
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite amount")
    return value


@dataclass(frozen=True)
class UsdAmount:
    """An amount in US dollars, converted with the rate recorded `as_of` (None: the amount was in dollars)."""

    amount: Decimal
    as_of: dt.date | None
    units_per_usd: Decimal


CENT = Decimal("0.01")


def convert_to_usd(amount: Decimal, units_per_usd: Decimal) -> Decimal:
    """`amount` of a currency of which one US dollar buys `units_per_usd`, in dollars (to the cent)."""
    if units_per_usd <= 0:
        raise ValueError(f"{units_per_usd!r} is not a rate")
    return (amount / units_per_usd).quantize(CENT, rounding=ROUND_HALF_UP)


def to_usd(amount: Decimal, currency: str, on: dt.date | None = None) -> UsdAmount | None:
    """`amount` in `currency` as US dollars, at the latest rate of the rate table (core.ExchangeRate) recorded on
    or before `on` (default: today); None when there is no such rate (nothing is invented). Dollars are
    returned as they are.

    The one function of this module that reads the database: the model is imported when it is called, so the
    module stays importable without Django (core.tabular, the pure modules)."""
    if currency == "USD":
        return UsdAmount(amount, None, Decimal(1))
    from .models import ExchangeRate  # see the docstring

    day = on or dt.date.today()
    rate = (ExchangeRate.objects.filter(currency=currency, as_of__lte=day).order_by("-as_of")
            .values_list("units_per_usd", "as_of").first())
    if rate is None:
        return None
    return UsdAmount(convert_to_usd(amount, rate[0]), rate[1], rate[0])
