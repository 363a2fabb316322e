from django.contrib import admin

from ascn.core.admin import AuditedAdmin

from .models import FrameworkNode


@admin.register(FrameworkNode)
class FrameworkNodeAdmin(AuditedAdmin):
    list_display = ("code", "kind", "parent", "name", "position")
    list_filter = ("kind",)
    search_fields = ("code", "name")
