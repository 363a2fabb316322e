"""Forms of the city annual reports: the list filters, the summary, a project line and a workflow step."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import ReportAction, ReportState
from ..models import ProjectReport

TEXT = {"rows": 3}


class ReportFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Round"), required=False, coerce=int, empty_value=None)
    country = forms.ChoiceField(label=_("Country"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *ReportState.choices])

    def __init__(self, *args: Any, years: list[int], countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [("", _("All rounds")),
                                                                    *((y, str(y)) for y in years)]
        cast(forms.ChoiceField, self.fields["country"]).choices = [("", _("All countries")), *countries]


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("Summary of the year"), required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("What moved, what held the city back, what comes next."))


class ProjectLineForm(forms.ModelForm):
    """One project's line; the prefix keeps each line's fields apart on the page."""

    class Meta:
        model = ProjectReport
        fields = ["status", "percent_complete", "progress", "partner_support", "challenges", "is_highlighted"]
        widgets = {"percent_complete": forms.NumberInput(attrs={"min": 0, "max": 100}),
                   "progress": forms.Textarea(attrs=TEXT), "partner_support": forms.Textarea(attrs=TEXT),
                   "challenges": forms.Textarea(attrs=TEXT)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        kwargs.setdefault("prefix", f"line-{instance.pk}" if instance else "line")
        super().__init__(*args, **kwargs)

    def validate_unique(self) -> None:
        """Uniqueness is the action's concern (the line exists already)."""


class TransitionForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=ReportAction.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required to return or reopen the report; recorded with the step."))
