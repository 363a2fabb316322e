from django.contrib import admin

from ascn.core.admin import AuditedAdmin

from .models import (
    ActionPlan,
    Comment,
    ProgressUpdate,
    Project,
    ProjectDocument,
    ProjectImport,
    StrategicTarget,
    SupportNeed,
)


class SupportInline(admin.TabularInline):
    model = SupportNeed
    extra = 0


class UpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    fields = ("date", "status", "percent_complete", "source")


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ("reference", "title", "city", "focus_area", "status", "stage", "is_published")
    list_filter = ("status", "stage", "is_published", "focus_area", "city__country")
    search_fields = ("title", "reference", "search_text")
    list_select_related = ("city", "focus_area")
    autocomplete_fields = ("city", "partners")
    readonly_fields = ("status",)
    inlines = [SupportInline, UpdateInline]


class TargetInline(admin.TabularInline):
    model = StrategicTarget
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(AuditedAdmin):
    list_display = ("city", "year", "horizon_year", "is_published")
    list_filter = ("is_published", "city__country")
    inlines = [TargetInline]


@admin.register(ProjectImport)
class ProjectImportAdmin(admin.ModelAdmin):
    list_display = ("original_name", "uploaded_by", "created_at", "committed_at")
    readonly_fields = ("original_name", "uploaded_by", "file", "summary", "committed_at")


admin.site.register(ProjectDocument)
admin.site.register(Comment)
