"""Forms of the matchmaking pages. They check what is typed; the actions write (and check again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import matching
from ..actions.matching import NOTE_MAX
from ..choices import InterestSide

COMPONENT_LABELS = {
    "framework": _("Framework overlap"),
    "ticket": _("Ticket size fit"),
    "kind": _("Instrument and kind fit"),
    "stage_readiness": _("Stage and readiness"),
    "text": _("Text similarity"),
}
WEIGHT_HELP = {
    "framework": _("Shared focus areas and enablers / those of either side."),
    "ticket": _("1 inside the offer's ticket range, falling to 0 at ten times outside it."),
    "kind": _("The share of the kinds of support asked for that the offer gives."),
    "stage_readiness": _("The project stage served and the readiness score."),
    "text": _("How alike the two descriptions are."),
}


class WeightsForm(forms.Form):
    """The five weights of the match score (normalised: they need not sum to 1)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in matching.COMPONENTS:
            self.fields[name] = forms.FloatField(label=COMPONENT_LABELS[name], min_value=0,
                                                 help_text=WEIGHT_HELP[name],
                                                 widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}))

    def values(self) -> dict[str, float]:
        return {name: self.cleaned_data[name] for name in matching.COMPONENTS}


class PreviewForm(forms.Form):
    """The sample need whose ranking the weights page previews."""

    need = forms.CharField(label=_("Sample need"), max_length=20, required=False,
                           help_text=_("The key of a need, e.g. n12 (a stated need) or p34 (a project's support)."))


class InterestForm(forms.Form):
    """One side's interest in a match, with a short note."""

    offer = forms.IntegerField(widget=forms.HiddenInput)
    need = forms.CharField(max_length=20, widget=forms.HiddenInput)
    side = forms.ChoiceField(choices=InterestSide.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}))
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
