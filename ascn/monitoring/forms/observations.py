"""Forms of the city data pages: one observation, an assignment's baseline, a target, an upload, a review."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ascn.core.forms import NumberField, PlainNumberInput
from ascn.core.imports.forms import TableUploadForm

from ..choices import Verification
from ..models import CityIndicator


class ObservationForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    period = forms.CharField(label=_("Period"), max_length=7,
                             help_text=_("YYYY, YYYY-Qn or YYYY-MM, for example 2025, 2025-Q3 or 2025-07."))
    value = NumberField(label=_("Value"), required=False,
                             help_text=_("Leave empty to compute it from the numerator and the denominator."))
    numerator = NumberField(label=_("Numerator"), required=False)
    denominator = NumberField(label=_("Denominator"), required=False)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    method = forms.CharField(label=_("Method"), max_length=300, required=False)
    evidence_url = forms.URLField(label=_("Evidence link"), required=False, max_length=200, assume_scheme="https")
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [("", _("Choose an assigned indicator")),
                                                                    *indicators]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("value") is None and (data.get("numerator") is None or data.get("denominator") is None) \
                and not self.has_error("value"):
            self.add_error("value", _("Give the value, or the numerator and the denominator."))
        return data


class AssignForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    baseline_value = NumberField(label=_("Baseline"), required=False)
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "assign_%s")  # shares the page with the entry form's "indicator"
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [("", _("Choose an indicator")), *indicators]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (data.get("baseline_value") is None) != (data.get("baseline_year") is None):
            self.add_error("baseline_year", _("Give the baseline value and its year together."))
        return data


class BaselineForm(forms.ModelForm):
    class Meta:
        model = CityIndicator
        fields = ["baseline_value", "baseline_year", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2}), "baseline_value": PlainNumberInput()}


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    value = NumberField(label=_("Target"))


class ImportForm(TableUploadForm):
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8) or XLSX, at most 20 MB."))


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("open", _("Flagged or not verified")), ("flagged", _("Flagged")), ("unverified", _("Not checked yet")),
        ("queried", _("Queried")), ("verified", _("Verified")), ("all", _("All"))])
    city = forms.ChoiceField(label=_("City"), required=False)
    indicator = forms.CharField(label=_("Indicator code"), required=False, max_length=40)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args: Any, cities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["city"]).choices = [("", _("All cities")), *cities]


class VerificationForm(forms.Form):
    verification = forms.ChoiceField(label=_("Verification"), choices=Verification.choices)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))
