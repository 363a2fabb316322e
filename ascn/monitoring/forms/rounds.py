"""Forms of the reporting rounds: a round's dates and reporting cities, opening reports for chosen cities, one
city's extension, and the reason to reopen a closed round. The rules are the actions' (`actions.rounds`);
the forms read the values and show each problem beside its field."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: Any, required_message: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, widget=DAY, help_text=help_text,
                           error_messages={"required": required_message,
                                           "invalid": _("Give a date in the form YYYY-MM-DD.")})


class RoundForm(forms.Form):
    """A round's year (on creation only), dates, source and reporting cities."""

    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100,
                              error_messages={"required": _("Give the round's year.")})
    as_of = _date(_("As of"), _("Give the date the round's figures describe."),
                  _("The date the round's figures describe, in the round's year."))
    opens_on = _date(_("Opens on"), _("Give the date the round opens to the cities."),
                     _("From this day the cities write their reports and enter their indicator values."))
    closes_on = _date(_("Closes on"), _("Give the date the cities' reports are due."),
                      _("The cities' deadline; a city may be given a later one."))
    source = forms.CharField(label=_("Source"), max_length=500, required=False,
                             help_text=_("Where the round's dates come from (a decision, a concept note)."))
    cities = forms.MultipleChoiceField(label=_("Reporting cities"), required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text=_("Proposed: the members of the network on the as-of date."))

    def __init__(self, *args: Any, cities: list[tuple[str, str]], with_year: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["cities"]).choices = cities
        if not with_year:
            del self.fields["year"]

    def values(self) -> dict[str, Any]:
        """The round's fields as the action takes them."""
        return {name: self.cleaned_data[name] for name in ("year", "as_of", "opens_on", "closes_on", "source")
                if name in self.fields}


class OpenReportsForm(forms.Form):
    cities = forms.MultipleChoiceField(label=_("Cities"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, cities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["cities"]).choices = cities


class ExtensionForm(forms.Form):
    city = forms.ChoiceField(label=_("City"), error_messages={"required": _("Choose the city to extend.")})
    due_on = forms.DateField(label=_("New deadline"), required=False, widget=DAY,
                             error_messages={"invalid": _("Give a date in the form YYYY-MM-DD.")},
                             help_text=_("After the round's closing date. Leave it empty to end the city's "
                                         "extension."))
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Recorded with the extension in the round's history."))

    def __init__(self, *args: Any, cities: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "extend")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["city"]).choices = [("", _("Choose a city")), *cities]


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason to reopen"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "reopen")
        super().__init__(*args, **kwargs)
