from __future__ import annotations

from typing import Any, cast

from django import forms
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

    def __init__(self, *args: Any, dimensions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["dimension"]).choices = [("", _("All dimensions")),
                                                                    *((d, d) for d in dimensions)]


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
