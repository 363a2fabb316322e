from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ascn.core.forms import TranslatedModelChoiceField, choices_of

from .choices import CITY_ROLES, OfficeRole
from .models import City, Country


class CityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, local name or alias"), "type": "search"}))
    country = forms.ChoiceField(label=_("Country"), required=False)
    joined_year = forms.TypedChoiceField(label=_("Joined in"), required=False, coerce=int, empty_value=None)
    as_of = forms.DateField(label=_("Members as of"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, countries: Iterable[Country] = (), years: Iterable[int] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = (
            [("", _("All countries")), *choices_of(countries, "iso3")])
        cast(forms.ChoiceField, self.fields["joined_year"]).choices = (
            [("", _("Any year"))] + [(y, str(y)) for y in years])

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



class OfficeForm(forms.Form):
    """A term of office and its holder, as recorded by the Secretariat or the country's NR."""

    role = forms.ChoiceField(label=_("Role"), choices=OfficeRole.choices)
    country = TranslatedModelChoiceField(label=_("Country"), queryset=Country.objects.none(), required=False,
                                     help_text=_("For a National Representative."))
    city = TranslatedModelChoiceField(label=_("City"), queryset=City.objects.none(), required=False,
                                  help_text=_("For a CSCO; leave empty for a National Representative."))
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    agency = forms.CharField(label=_("Agency"), max_length=300)
    name = forms.CharField(label=_("Name"), max_length=150, required=False,
                           help_text=_("Optional. The public registry shows position and agency only."))
    email = forms.EmailField(label=_("E-mail (not public)"), required=False)
    phone = forms.CharField(label=_("Phone (not public)"), max_length=50, required=False)
    starts_on = forms.DateField(label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("End"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("Set it when the term ends; the record is kept."))

    PERSON_FIELDS = ("position", "agency", "name", "email", "phone")
    TERM_FIELDS = ("starts_on", "ends_on")

    def __init__(self, *args: Any, cities: QuerySet[City] | None = None, countries: QuerySet[Country] | None = None,
                 editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[City]", self.fields["city"]).queryset = (
            cities if cities is not None else City.objects.none())
        if countries is None:  # a National Representative records offices of their own country
            del self.fields["country"]
        else:
            cast("forms.ModelChoiceField[Country]", self.fields["country"]).queryset = countries
        if editing:  # role and place of an existing term do not change: end it and record a new one
            for name in ("role", "city", "country"):
                self.fields.pop(name, None)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        role = data.get("role")
        if role in CITY_ROLES and not data.get("city"):
            self.add_error("city", _("A CSCO's term needs a city."))
        return data
