from django.contrib import admin

from ascn.core.admin import AuditedAdmin

from .models import CityIndicator, CityReport, Indicator, MEReport, Observation, ReportingRound, ReportTransition


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["code", "name", "family", "dimension", "level", "unit", "direction", "is_published"]
    list_filter = ["family", "dimension", "level", "direction", "is_published"]
    search_fields = ["code", "name"]


@admin.register(ReportingRound)
class ReportingRoundAdmin(AuditedAdmin):
    list_display = ["year", "as_of", "opens_on", "closes_on"]
    filter_horizontal = ["cities"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only through the workflow and import actions: the back office looks, never edits."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TransitionInline(admin.TabularInline):
    model = ReportTransition
    fields = ["at", "action", "from_state", "to_state", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
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
