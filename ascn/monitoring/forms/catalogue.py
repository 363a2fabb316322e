from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import IndicatorFamily, IndicatorLevel


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
