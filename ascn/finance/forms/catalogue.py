"""Forms of the instrument catalogue and the financing-option guide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ascn.framework.models import FrameworkNode
from ascn.plans.choices import ProjectStage

from .. import guide
from ..choices import InstrumentCategory, RevenueProfile


class CatalogueFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *InstrumentCategory.choices])
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["focus_area"]).choices = [("", _("All focus areas")),
                                                                      *focus_area_choices()]


def focus_area_choices() -> list[tuple[str, str]]:
    return [(n.code, n.display_name) for n in FrameworkNode.objects.filter(kind="focus_area").order_by("position")]


class GuideForm(forms.Form):
    """The project's characteristics the financing-option guide weighs."""

    revenue = forms.ChoiceField(label=_("Revenue"), choices=RevenueProfile.choices, initial=RevenueProfile.PARTIAL)
    size_usd = forms.DecimalField(label=_("Capital cost (USD)"), required=False, min_value=0, max_digits=18,
                                  decimal_places=2, help_text=_("Leave empty if not known yet."))
    city_may_borrow = forms.BooleanField(label=_("The city may borrow in its own name"), required=False)
    city_creditworthy = forms.BooleanField(label=_("The city has a credit rating or a repayment record"),
                                           required=False)
    ppp_framework = forms.BooleanField(label=_("The country has a PPP law and unit"), required=False)
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("Not known")), *ProjectStage.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["focus_area"]).choices = [("", _("Not known")), *focus_area_choices()]

    def project(self) -> guide.Project:
        data = self.cleaned_data
        return guide.Project(
            revenue=data["revenue"], size_usd=float(data["size_usd"]) if data["size_usd"] is not None else None,
            city_may_borrow=data["city_may_borrow"], city_creditworthy=data["city_creditworthy"],
            ppp_framework=data["ppp_framework"], focus_area=data["focus_area"] or "", stage=data["stage"] or "")
