from django.contrib import admin

from ascn.core.admin import AuditedAdmin

from .models import FinancingInstrument


@admin.register(FinancingInstrument)
class FinancingInstrumentAdmin(AuditedAdmin):
    list_display = ["name", "category", "position", "is_published"]
    list_filter = ["category", "is_published"]
    search_fields = ["name", "summary"]
    filter_horizontal = ["focus_areas", "providers"]
