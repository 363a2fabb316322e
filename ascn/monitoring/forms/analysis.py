"""Filter forms of the analysis pages (all GET, so every view can be bookmarked and downloaded)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ascn.core.periods import Period, PeriodError

if TYPE_CHECKING:
    from ..models import Indicator

FORMAT_CHOICES = [("", _("Page")), ("csv", "CSV"), ("json", "JSON")]


def validate_period(value: str) -> None:
    if value:
        try:
            Period.parse(value)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc), code="invalid_period") from None


class RoundForm(forms.Form):
    round = forms.TypedChoiceField(label=_("Reporting round"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["round"]).choices = [(y, str(y)) for y in years]


class CompareForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    period = forms.CharField(label=_("Period"), required=False, max_length=7, validators=[validate_period],
                             help_text=_("A year (2025: each city's latest value that year), a quarter (2025-Q3) "
                                         "or a month (2025-07); empty: the most recent."))
    normalise = forms.ChoiceField(label=_("Normalise"), required=False, initial="none", choices=[
        ("none", _("As reported")), ("per_capita", _("Per 100,000 inhabitants")), ("per_area", _("Per km2"))])
    band = forms.ChoiceField(label=_("Population band"), required=False, choices=[
        ("", _("All cities")), ("lt500k", _("Under 500,000 inhabitants")), ("500k-1m", _("500,000 to 1 million")),
        ("1m-5m", _("1 to 5 million")), ("gt5m", _("Over 5 million"))])

    def __init__(self, *args: Any, indicators: Sequence[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [
            ("", _("Choose an indicator")), *((i.code, f"{i.code} {i.display_name}") for i in indicators)]


class NetworkForm(forms.Form):
    by = forms.ChoiceField(label=_("Roll up by"), required=False, initial="country", choices=[
        ("country", _("Country")), ("focus_area", _("Focus area")), ("outcome", _("Outcome"))])
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    period = forms.CharField(label=_("Period"), required=False, max_length=7, validators=[validate_period],
                             help_text=_("A year, quarter or month; empty: the latest year with data."))

    def __init__(self, *args: Any, indicators: Sequence[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [
            ("", _("All indicators")), *((i.code, f"{i.code} {i.display_name}") for i in indicators)]
