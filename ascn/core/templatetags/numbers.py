"""Numbers in templates, written by `ascn.core.numbers` in the page's language, never in exponent notation.

    {% load numbers %}
    {{ value|number }}        1,234,567.5 (en, th) · 1.234.567,5 (vi); at most 2 decimals
    {{ value|number:0 }}      at most 0 decimals: 1,234,568
    {{ value|amount }}        money: 1,500,000 or 1,500,000.50
    {{ value|indicator }}     an indicator value: the same rule on every page (0.00001 stays 0.00001)
    {{ value|plain }}         for inputs, attributes and links: 1500000, 0.00001

A value that is not a number (a dash, a text) is shown as it is; None and NaN give "".
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language

from ascn.core import numbers

register = template.Library()


def django_localiser(text: str, language: str | None = None) -> str:
    """Plain text ("-1234567.5") with the separators and grouping of Django's locale formats for `language`
    (the active language by default); installed by `CoreConfig.ready()` as the localiser of `core.numbers`."""
    lang = language or get_language()
    return str(numberformat.format(
        text, get_format("DECIMAL_SEPARATOR", lang), None, get_format("NUMBER_GROUPING", lang),
        get_format("THOUSAND_SEPARATOR", lang), force_grouping=True, use_l10n=True))


def _or_as_is(value: Any, text: str) -> Any:
    """`text` for a number; what is not a number (a dash, a text) unchanged; "" for None and NaN."""
    if text or value is None or isinstance(value, float):
        return text
    return value


@register.filter
def number(value: Any, decimals: int | str = 2) -> Any:
    """A number for a person: grouped, the language's separators, at most `decimals` decimals."""
    return _or_as_is(value, numbers.for_people(value, int(decimals)))


@register.filter
def amount(value: Any) -> Any:
    """Money (without its currency): whole units, or two decimals when there are cents."""
    return _or_as_is(value, numbers.amount(value))


@register.filter
def indicator(value: Any) -> Any:
    """An indicator value, by the one rule of `core.numbers.indicator`."""
    return _or_as_is(value, numbers.indicator(value))


@register.filter
def plain(value: Any) -> Any:
    """A number for a machine or an input: no grouping, "." before decimals, no exponent."""
    return _or_as_is(value, numbers.plain(value))
