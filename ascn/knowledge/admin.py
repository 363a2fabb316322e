from django.contrib import admin

from ascn.core.admin import AuditedAdmin

from .models import CaseStudy


@admin.register(CaseStudy)
class CaseStudyAdmin(AuditedAdmin):
    list_display = ["title", "city", "year", "is_published"]
    list_filter = ["is_published", "focus_areas", "instruments"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["city", "project"]
    filter_horizontal = ["focus_areas", "instruments", "partners"]
