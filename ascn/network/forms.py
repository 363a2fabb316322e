from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import City


class CityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, local name or alias"), "type": "search"}))
    country = forms.ChoiceField(label=_("Country"), required=False)
    joined_year = forms.TypedChoiceField(label=_("Joined in"), required=False, coerce=int, empty_value=None)
    as_of = forms.DateField(label=_("Members as of"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, countries=(), years=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries"))] + [(c.iso3, c.display_name) for c in countries]
        self.fields["joined_year"].choices = [("", _("Any year"))] + [(y, str(y)) for y in years]

    def clean_as_of(self) -> dt.date | None:
        value = self.cleaned_data.get("as_of")
        if value and value.year < 2018:
            raise forms.ValidationError(_("The network was founded in 2018; choose a date from 2018 on."))
        return value


class CityForm(forms.ModelForm):
    aliases = forms.CharField(label=_("Other names"), required=False,
                              help_text=_("Separate names with a semicolon, e.g. Ha Noi; Hanoi."))

    class Meta:
        model = City
        fields = ["name", "local_name", "aliases", "latitude", "longitude", "source"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["aliases"] = "; ".join(self.instance.aliases)

    def clean_aliases(self) -> list[str]:
        return [a.strip() for a in self.cleaned_data.get("aliases", "").split(";") if a.strip()]

