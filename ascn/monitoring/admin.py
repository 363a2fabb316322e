from django.contrib import admin

from ascn.core.admin import AuditedAdmin

from .models import Indicator, ReportingRound


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["code", "name", "family", "dimension", "level", "unit", "direction", "is_published"]
    list_filter = ["family", "dimension", "level", "direction", "is_published"]
    search_fields = ["code", "name"]


@admin.register(ReportingRound)
class ReportingRoundAdmin(AuditedAdmin):
    list_display = ["year", "as_of", "opens_on", "closes_on"]
    filter_horizontal = ["cities"]
