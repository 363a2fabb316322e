"""Money is a Decimal with an ISO 4217 currency code (no Django import)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
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
