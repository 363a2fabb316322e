from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ascn.core.forms import NumberField

from ..choices import Direction, IndicatorFamily, IndicatorLevel
from ..models import Indicator


class IndicatorFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    family = forms.ChoiceField(label=_("Family"), required=False,
                               choices=[("", _("All families")), *IndicatorFamily.choices])
    dimension = forms.ChoiceField(label=_("Dimension"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False,
                              choices=[("", _("All levels")), *IndicatorLevel.choices])

    def __init__(self, *args: Any, dimensions: list[tuple[str, str]], **kwargs: Any) -> None:
        """`dimensions`: (value, label in the reader's language) pairs (`queries.catalogue.dimensions`)."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["dimension"]).choices = [("", _("All dimensions")), *dimensions]


class IndicatorDefinitionForm(forms.Form):
    """The Secretariat's form for an indicator's unit and calculation (on the indicator's page)."""

    unit = forms.CharField(label=_("Unit"), max_length=60, required=False,
                           help_text=_("For example “%”, “beds per 100,000 inhabitants”. Without a unit, values of "
                                       "the indicator are refused."))
    multiplier = NumberField(label=_("Multiplier"), required=False,
                             help_text=_("What numerator ÷ denominator is multiplied by: 100 for a percentage, "
                                         "100000 for “per 100,000 inhabitants”. Empty: taken from the unit."))
    calculation = forms.CharField(label=_("Calculate as"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    numerator = forms.CharField(label=_("Numerator"), max_length=300, required=False)
    denominator = forms.CharField(label=_("Denominator"), max_length=300, required=False)
    direction = forms.ChoiceField(label=_("Better when"), required=False,
                                  choices=[("", _("Not decided")), *Direction.choices])
    definition_source = forms.CharField(label=_("Source of the unit and calculation"), max_length=500,
                                        required=False, help_text=_("The page that states them, for example the "
                                                                    "ITU verification manual's page."))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if bool(data.get("numerator")) != bool(data.get("denominator")):
            self.add_error("denominator", _("Give the numerator and the denominator together."))
        return data

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorDefinitionForm:
        """The form filled in with the indicator's current definition."""
        return cls(initial={name: getattr(indicator, name) for name in cls.base_fields})


def other_languages() -> list[tuple[str, str]]:
    """(code, name) of the site's languages besides the default (English): those a record is translated into."""
    return [(code, str(name)) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class IndicatorNamesForm(forms.Form):
    """The Secretariat's form for an indicator's name in the site's other languages (Vietnamese, Thai)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, language in other_languages():
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": language}, max_length=250, required=False,
                help_text=_("Empty: the English name is shown."), widget=forms.TextInput(attrs={"lang": code}))

    def names(self) -> dict[str, str]:
        """{language code: name} as typed (cleaned)."""
        return {code: self.cleaned_data.get(f"name_{code}", "") for code, _language in other_languages()}

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorNamesForm:
        """The form filled in with the indicator's stored names."""
        return cls(initial={f"name_{code}": (indicator.i18n.get(code) or {}).get("name", "")
                            for code, _language in other_languages()})
