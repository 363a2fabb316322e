from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ascn.core import numbers


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100,
                           help_text=_("What the token is for, e.g. “M&E data upload script”."))
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"), coerce=int, initial=90,
        choices=[(30, _("in 30 days")), (90, _("in 90 days")), (365, _("in a year")), (0, _("never"))],
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name


class PlainNumberInput(forms.NumberInput):
    """A number input showing a stored number as a person types it (1500000, 0.00001): Django renders
    str(float), which is 1.5e+16 or 1e-05. What the user typed is shown back unchanged."""

    def format_value(self, value):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return numbers.plain(value) or None
        return super().format_value(value)


class NumberField(forms.FloatField):
    """A FloatField whose input never shows an exponent (see PlainNumberInput)."""

    widget = PlainNumberInput


def label_of(record: Any) -> str:
    """A record's label in the reader's language: its `display_name` (a Translatable's translated name, a city's
    local name in its own country's language), else its text. Every choice built from records uses it."""
    name = getattr(record, "display_name", None)
    return str(name) if name else str(record)


def choices_of(records: Iterable[Any], value: str = "pk") -> list[tuple[Any, str]]:
    """(value, label) pairs of records for a ChoiceField: `value` names the attribute sent (pk, code, slug)."""
    return [(getattr(record, value), label_of(record)) for record in records]


class TranslatedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options read in the reader's language (see `label_of`)."""

    def label_from_instance(self, obj: Any) -> str:
        return label_of(obj)


class TranslatedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose options read in the reader's language (see `label_of`)."""

    def label_from_instance(self, obj: Any) -> str:
        return label_of(obj)


def is_inline_check(request: HttpRequest) -> bool:
    """A form posted by HTMX while it is filled in: validate and show errors, save nothing."""
    return request.method == "POST" and request.POST.get("_validate") == "1"


def check_inline(form: forms.BaseForm) -> None:
    """Validate a form being filled in, without "this field is required" on fields not reached yet
    (those are reported when the form is saved); every other error shows at once."""
    form.is_valid()
    for name, errors in list(form.errors.as_data().items()):
        if name in form.fields and not _has_value(form, name):
            kept = [e for e in errors if e.code != "required"]
            if kept:
                form.errors[name] = form.error_class(kept)
            else:
                del form.errors[name]


def _has_value(form: forms.BaseForm, name: str) -> bool:
    value = form.fields[name].widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
    if isinstance(value, list | tuple):
        return any(str(v).strip() for v in value)
    return value not in (None, "") and not (isinstance(value, str) and not value.strip())
