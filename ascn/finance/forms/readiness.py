"""Forms of a project's readiness: one criterion's answer, and the assessment's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import CriterionStatus, ReadinessStage

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from ascn.plans.models import ProjectDocument


class ReadinessAnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CriterionStatus.choices)
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    document: forms.ModelChoiceField[ProjectDocument] = forms.ModelChoiceField(label=_("Document"), required=False,
                                                                               queryset=None)

    def __init__(self, *args: Any, documents: QuerySet[ProjectDocument], **kwargs: Any) -> None:
        """`documents`: the project's documents; one evaluated queryset can serve every criterion's form."""
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[ProjectDocument]", self.fields["document"])
        field.queryset = documents  # validation queries a copy, once, on a post
        field.choices = [("", "---------"), *((d.pk, d.title) for d in documents)]  # rendering: no query


class ReadinessSettingsForm(forms.Form):
    target_stage = forms.ChoiceField(label=_("Score against the gate"), required=False,
                                     choices=[("", _("The next gate")), *ReadinessStage.choices])
    is_published = forms.BooleanField(label=_("Published"), required=False)
