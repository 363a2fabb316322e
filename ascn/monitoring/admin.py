from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ascn.core.admin import AuditedAdmin
from ascn.core.forms import TranslatedModelChoiceField, TranslatedModelMultipleChoiceField
from ascn.framework.actions import set_framework_tags
from ascn.framework.choices import NodeKind
from ascn.framework.models import FrameworkNode

from .models import CityIndicator, CityReport, Indicator, MEReport, Observation, ReportingRound, ReportTransition


class IndicatorForm(forms.ModelForm):
    """The indicator with its framework tags: the focus area it mainly measures and any other nodes
    (the roll-ups by focus area and outcome follow them)."""

    focus_area = TranslatedModelChoiceField(FrameworkNode.objects.filter(kind=NodeKind.FOCUS_AREA), required=False,
                                            label=_("Focus area"))
    other_nodes = TranslatedModelMultipleChoiceField(FrameworkNode.objects.all(), required=False,
                                                     label=_("Other framework nodes"))

    class Meta:
        model = Indicator
        fields = ["code", "name", "family", "dimension", "sub_dimension", "category", "level", "unit", "direction",
                  "aggregation", "numerator", "denominator", "sdgs", "source", "is_published", "i18n"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            tags = list(self.instance.framework_tags.select_related("node"))
            self.initial["focus_area"] = next((t.node for t in tags if t.is_primary), None)
            self.initial["other_nodes"] = [t.node for t in tags if not t.is_primary]


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    form = IndicatorForm
    list_display = ["code", "name", "family", "dimension", "level", "unit", "direction", "is_published"]
    list_filter = ["family", "dimension", "level", "direction", "is_published"]
    search_fields = ["code", "name"]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        set_framework_tags(request.user, form.instance, form.cleaned_data.get("focus_area"),
                           form.cleaned_data.get("other_nodes") or (), via="admin")


@admin.register(ReportingRound)
class ReportingRoundAdmin(AuditedAdmin):
    list_display = ["year", "as_of", "opens_on", "closes_on"]
    filter_horizontal = ["cities"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only through the workflow and import actions: the back office looks, never edits."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class TransitionInline(admin.TabularInline):
    model = ReportTransition
    fields = readonly_fields = ("at", "action", "from_state", "to_state", "actor", "reason")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(CityReport)
class CityReportAdmin(ReadOnlyAdmin):
    list_display = ["city", "round", "state", "state_changed_at"]
    list_filter = ["round", "state", "city__country"]
    inlines = [TransitionInline]


@admin.register(CityIndicator)
class CityIndicatorAdmin(ReadOnlyAdmin):
    list_display = ["city", "indicator", "baseline_value", "baseline_year"]
    list_filter = ["city__country"]
    search_fields = ["indicator__code", "city__name"]


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ["city", "indicator", "period", "value", "verification"]
    list_filter = ["verification", "year", "city__country"]
    search_fields = ["indicator__code", "city__name"]


@admin.register(MEReport)
class MEReportAdmin(ReadOnlyAdmin):
    list_display = ["round", "as_of", "state", "progress", "finished_at"]
