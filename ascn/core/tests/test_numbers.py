"""How numbers are written (core.numbers): plain for files and inputs, for people in their language, the
indicator rule, spreadsheet formats, the template filters and the number input; never an exponent."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from ascn.core import numbers
from ascn.core.forms import NumberField, PlainNumberInput

finite = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(("value", "text"), [
    (1500000.0, "1500000"), (1e6, "1000000"), (1e-05, "0.00001"), (2.50, "2.5"), (-2.5, "-2.5"), (0.0, "0"),
    (-0.0, "0"), (12, "12"), (1e16, "10000000000000000"), (0.1 + 0.2, "0.30000000000000004"),
    (Decimal("1E+6"), "1000000"), (Decimal("15000000.00"), "15000000"), ("1.2e+06", "1200000"),
    (None, ""), (float("nan"), ""), (float("inf"), ""), (True, ""), ("n/a", ""),
])
def test_plain_writes_digits_without_grouping_or_exponent(value, text):
    assert numbers.plain(value) == text


def test_plain_rounds_half_away_from_zero_when_decimals_are_given():
    assert numbers.plain(2.675, 2) == "2.68"  # the written 2.675, not the binary 2.67499…
    assert numbers.plain(-2.675, 2) == "-2.68"
    assert numbers.plain(1234.5, 0) == "1235"
    assert numbers.plain(-0.001, 2) == "0"


@given(finite)
def test_plain_is_the_same_number_and_never_an_exponent(value):
    text = numbers.plain(value)
    assert "e" not in text.lower() and "," not in text
    assert Decimal(text) == Decimal(repr(value))


def test_for_people_groups_thousands_and_keeps_at_most_the_decimals_asked():
    assert numbers.for_people(1234567.5) == "1,234,567.5"
    assert numbers.for_people(1234567.555) == "1,234,567.56"
    assert numbers.for_people(1234567.5, 0) == "1,234,568"
    assert numbers.for_people(1500000, 2, fixed=True) == "1,500,000.00"
    assert numbers.for_people(-1234.5, 1) == "-1,234.5"
    assert numbers.for_people(999) == "999"
    assert numbers.for_people(1e-05) == "0"
    assert numbers.for_people(1e-05, 2, significant=2) == "0.00001"
    assert numbers.for_people(1.5e20, 0) == "150,000,000,000,000,000,000"
    assert numbers.for_people(None) == numbers.for_people(float("nan")) == ""


def test_the_indicator_rule_two_decimals_and_two_significant_digits_for_small_values():
    assert [numbers.indicator(v) for v in (1234567.5, 33.333333, 0.352, 0.0123, 0.00001, 1.2e6, 100, -0.5)] == \
        ["1,234,567.5", "33.33", "0.35", "0.012", "0.00001", "1,200,000", "100", "-0.5"]


def test_amount_is_whole_units_or_two_decimals():
    assert numbers.amount(15000000) == "15,000,000"
    assert numbers.amount(Decimal("1500000.50")) == "1,500,000.50"
    assert numbers.amount(1500000.004) == "1,500,000"
    assert numbers.amount(None) == ""


@given(finite, st.integers(0, 6), st.sampled_from(["en", "vi", "th"]))
def test_people_never_read_an_exponent(value, decimals, language):
    for text in (numbers.for_people(value, decimals, 2, language=language), numbers.indicator(value, language)):
        assert text and "e" not in text.lower()


def test_without_django_the_localiser_is_english_and_a_test_may_swap_it():
    with numbers.using(numbers.group_english):
        assert numbers.for_people(-1234567.25) == "-1,234,567.25"
    with numbers.using(lambda text, language: text.replace(".", ",")):
        assert numbers.for_people(1234.5) == "1234,5"
    assert numbers.for_people(1234.5, language="vi") == "1.234,5"  # Django's again after the block


@pytest.mark.parametrize(("language", "text"), [("en", "1,234,567.5"), ("vi", "1.234.567,5"),
                                                ("th", "1,234,567.5")])
def test_each_language_writes_its_separators(language, text):
    assert numbers.indicator(1234567.5, language=language) == text
    with translation.override(language):
        assert numbers.indicator(1234567.5) == text
        assert numbers.plain(1234567.5) == "1234567.5"  # files and inputs stay the same in every language


def test_template_filters_in_vietnamese_and_non_numbers_as_they_are():
    template = Template("{% load numbers %}{{ a|indicator }}|{{ a|number:0 }}|{{ m|amount }}|{{ a|plain }}|"
                        "{{ t|indicator }}|{{ n|indicator }}|{{ s|number }}")
    context = Context({"a": 1234567.5, "m": Decimal("15000000.50"), "t": 1e-05, "n": None, "s": "—"})
    with translation.override("vi"):
        assert template.render(context) == "1.234.567,5|1.234.568|15.000.000,50|1234567.5|0,00001||—"
    with translation.override("th"):
        assert template.render(context) == "1,234,567.5|1,234,568|15,000,000.50|1234567.5|0.00001||—"


@pytest.mark.parametrize(("value", "fmt"), [
    (1200000.0, "#,##0"), (12, "#,##0"), (1e-05, "#,##0.00000"), (1234567.5, "#,##0.0"), ("x", "General"),
    (None, "General"), (1e-40, "#,##0." + "0" * 30),
])
def test_spreadsheet_formats_show_the_number_in_full(value, fmt):
    assert numbers.xlsx_format(value) == fmt


def test_readable_sheet_formats_only_numbers_left_in_general():
    book = Workbook()
    sheet = book.active
    sheet.append(["code", 1200000.0, 0.00001, 2025, True])
    sheet["F1"] = 0.5
    sheet["F1"].number_format = "0%"
    numbers.readable_sheet(sheet)
    assert [c.number_format for c in sheet[1]] == ["General", "#,##0", "#,##0.00000", "#,##0", "General", "0%"]
    numbers.readable_sheet(sheet, decimals=2)
    assert sheet["B1"].number_format == "#,##0"


def test_number_inputs_show_stored_numbers_without_exponent_and_typed_text_unchanged():
    widget = PlainNumberInput()
    assert widget.format_value(1e-05) == "0.00001"
    assert widget.format_value(1.5e16) == "15000000000000000"
    assert widget.format_value("1e5") == "1e5"
    assert widget.format_value(None) is None
    field = NumberField(required=False)
    html = field.widget.render("value", 1.2e-7, attrs=field.widget_attrs(field.widget))
    assert 'value="0.00000012"' in html and 'type="number"' in html and 'step="any"' in html
    with translation.override("vi"):
        assert 'value="1234567.5"' in PlainNumberInput().render("value", 1234567.5)
