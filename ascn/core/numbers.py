"""Numbers as people read them and as files and inputs take them: one definition, never in exponent notation.

Pure Python (no Django import), so the pure modules use it too:

* `plain(value, decimals=None)` — for machine-read places: CSV cells, typed inputs, query strings, stored
  message parameters. No grouping, "." before decimals, no exponent, no trailing zeros:
  1500000.0 → "1500000", 1e-05 → "0.00001", 2.50 → "2.5".
* `for_people(value, decimals=2, significant=0, fixed=False, language=None)` — for a person: rounded to at
  most `decimals` decimals (half away from zero), trailing zeros dropped unless `fixed`, digits grouped in
  thousands, with the language's separators: 1234567.5 → "1,234,567.5" (en, th), "1.234.567,5" (vi).
  `significant` keeps that many significant digits of a value smaller than the decimals show
  (0.00001 stays "0.00001" instead of "0").
* `amount(value)` — money without its currency: whole units, or two decimals when there are cents.
* `indicator(value)` — the one rule for indicator values (baselines, targets, observations, roll-ups)
  wherever they are shown — the data pages, the scorecard, the analysis pages, the M&E report: at most
  two decimals, and at least two significant digits for values below 0.01.
* `xlsx_format(value, decimals=None)` / `readable_sheet(sheet)` — spreadsheet number formats that show a
  number in full (with thousands grouping), so Excel never shows 1.2E+06.

The language's separators come from the localiser installed by `CoreConfig.ready()` (Django's own
locale formats: `DECIMAL_SEPARATOR`, `THOUSAND_SEPARATOR`, `NUMBER_GROUPING`); until then, and in pure
tests, English: "," between thousands and "." before decimals. None, NaN and infinite values give "".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

Number = int | float | Decimal

INDICATOR_DECIMALS = 2  # indicator values: at most two decimals ...
INDICATOR_SIGNIFICANT = 2  # ... and at least two significant digits for the small ones (0.0012)


def exact(value: Any) -> Decimal | None:
    """The value as a finite Decimal with the digits it is written with (a float's shortest repr: 0.1 is
    Decimal("0.1"), not the binary 0.1000000000000000055…; a numeric text as written); None for None,
    NaN, infinities and anything that is not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            return None
    elif hasattr(value, "__index__"):  # int and NumPy's integers
        number = Decimal(int(value))
    else:
        try:
            number = Decimal(repr(float(value)))
        except (TypeError, ValueError):
            return None
    return number if number.is_finite() else None


def rounded(value: Any, decimals: int, significant: int = 0) -> Decimal | None:
    """`value` rounded half away from zero to `decimals` decimals, or to `significant` significant digits
    when that needs more decimals (a small value); never -0."""
    number = exact(value)
    if number is None:
        return None
    places = decimals
    if significant and number:
        places = max(places, significant - 1 - number.adjusted())
    _sign, digits, exponent = number.as_tuple()
    precision = len(digits) + abs(int(exponent)) + abs(places) + 2
    with localcontext(Context(prec=precision)):
        result = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return abs(result) if result == 0 else result


def _digits(number: Decimal, trim: bool) -> str:
    """A Decimal as fixed-point text ("-1234567.50"), without exponent; trailing zeros cut when `trim`."""
    text = format(number, "f")
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def plain(value: Any, decimals: int | None = None) -> str:
    """The value for files and inputs: "1500000", "0.00001", "-2.5"; rounded to at most `decimals`
    decimals when given. "" for None, NaN and infinities."""
    number = exact(value) if decimals is None else rounded(value, decimals)
    return "" if number is None else _digits(number, trim=True)


# --- Written for a person ----------------------------------------------------------------------------------


def group_english(text: str, language: str | None = None) -> str:
    """Plain text ("-1234567.5") with "," between thousands: the localiser until Django installs its own."""
    sign = "-" if text.startswith("-") else ""
    whole, dot, fraction = text.removeprefix("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ",".join(groups) + dot + fraction


Localiser = Callable[[str, "str | None"], str]
_localise: Localiser = group_english


def install(localise: Localiser) -> None:
    """Write people's numbers with `localise(plain_text, language)` (Django's locale formats)."""
    global _localise
    _localise = localise


@contextmanager
def using(localise: Localiser) -> Iterator[None]:
    """Localise with `localise` inside the block, then restore the one that was installed."""
    previous = _localise
    install(localise)
    try:
        yield
    finally:
        install(previous)


def for_people(value: Any, decimals: int = 2, significant: int = 0, *, fixed: bool = False,
               language: str | None = None) -> str:
    """The value as a person reads it in `language` (the current one by default): grouped thousands, the
    language's separators, at most `decimals` decimals (exactly `decimals` when `fixed`, as for money with
    cents). "" for None, NaN and infinities."""
    number = rounded(value, decimals, significant)
    if number is None:
        return ""
    return _localise(_digits(number, trim=not fixed), language)


def indicator(value: Any, language: str | None = None) -> str:
    """An indicator value (baseline, target, observation, roll-up) as every page shows it."""
    return for_people(value, INDICATOR_DECIMALS, INDICATOR_SIGNIFICANT, language=language)


def amount(value: Any, language: str | None = None) -> str:
    """Money without its currency: whole units when there are no cents ("1,500,000"), else two decimals
    ("1,500,000.50")."""
    number = rounded(value, 2)
    if number is None:
        return ""
    return for_people(number, 0 if number == number.to_integral_value() else 2, fixed=True, language=language)


# --- Spreadsheets ------------------------------------------------------------------------------------------

GENERAL = "General"
XLSX_MAX_DECIMALS = 30  # Excel shows at most 30 decimals; a smaller value shows as 0.000…, never as 1E-31


def xlsx_format(value: Any, decimals: int | None = None) -> str:
    """An Excel number format that shows `value` in full, grouped: "#,##0" for a whole number, else
    "#,##0.0…" with as many decimals as its plain text has (at most `decimals` when given; exactly
    `decimals` when given and the value has a fraction). "General" for what is not a finite number."""
    number = exact(value)
    if number is None:
        return GENERAL
    text = plain(number, decimals)
    places = len(text.partition(".")[2])
    if decimals is not None and places:
        places = decimals
    places = min(places, XLSX_MAX_DECIMALS)
    return "#,##0" + ("." + "0" * places if places else "")


def readable_sheet(sheet: Any, decimals: int | None = None) -> None:
    """Give each number of an openpyxl sheet still in "General" format a format that shows it in full
    (`xlsx_format`); cells with a format of their own keep it."""
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool) \
                    and cell.number_format == GENERAL:
                cell.number_format = xlsx_format(value, decimals)
