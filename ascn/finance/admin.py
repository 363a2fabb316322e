from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from ascn.core.admin import AuditedAdmin

from .models import BusinessCase, FinancingInstrument, ReadinessAssessment


@admin.register(FinancingInstrument)
class FinancingInstrumentAdmin(AuditedAdmin):
    list_display = ["name", "category", "position", "is_published"]
    list_filter = ["category", "is_published"]
    search_fields = ["name", "summary"]
    filter_horizontal = ["focus_areas", "providers"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Business cases and readiness are written in the workspace or the API, where their results are
    computed and every change audited; the back office looks them up."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(BusinessCase)
class BusinessCaseAdmin(ReadOnlyAdmin):
    list_display = ["scenario", "project", "is_preferred", "is_published", "updated_at"]
    list_filter = ["is_published", "is_preferred", "project__city__country"]
    search_fields = ["scenario", "project__title"]
    list_select_related = ["project"]


@admin.register(ReadinessAssessment)
class ReadinessAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["project", "target_stage", "is_published", "updated_at"]
    list_filter = ["is_published", "project__city__country"]
    search_fields = ["project__title"]
    list_select_related = ["project"]
