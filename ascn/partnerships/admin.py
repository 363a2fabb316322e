from django.contrib import admin

from ascn.core.admin import AuditedAdmin

from .models import Partner


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    list_display = ("name", "kind", "country_iso3", "is_published")
    list_filter = ("kind", "is_published")
    search_fields = ("name", "slug")
