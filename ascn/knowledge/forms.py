from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ascn.core.forms import choices_of
from ascn.finance.models import FinancingInstrument
from ascn.framework.models import FrameworkNode

if TYPE_CHECKING:
    from ascn.core.permissions import Actor


class CaseStudyFilterForm(forms.Form):
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False)
    instrument = forms.ChoiceField(label=_("Financing instrument"), required=False)
    q = forms.CharField(label=_("Text"), required=False, max_length=100)

    def __init__(self, *args: Any, user: Actor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        focus_areas = FrameworkNode.objects.filter(kind="focus_area").order_by("position")
        instruments = FinancingInstrument.objects.visible_to(user).order_by("position", "name")
        cast(forms.ChoiceField, self.fields["focus_area"]).choices = [
            ("", _("All focus areas")), *choices_of(focus_areas, "code")]
        cast(forms.ChoiceField, self.fields["instrument"]).choices = [
            ("", _("All instruments")), *choices_of(instruments, "slug")]
