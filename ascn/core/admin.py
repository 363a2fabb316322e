from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from . import actions
from .models import ApiToken, AuditEntry, User


class AuditedAdmin(admin.ModelAdmin):
    """Back-office writes leave the same audit trail as the workspace and the API."""

    def save_model(self, request, obj, form, change) -> None:
        if change:
            changes = {name: [form.initial.get(name), form.cleaned_data.get(name)] for name in form.changed_data}
            super().save_model(request, obj, form, change)
            actions.record(request.user, "update", obj, _plain(changes), via="admin")
        else:
            super().save_model(request, obj, form, change)
            actions.record(request.user, "create", obj, {}, via="admin")

    def delete_model(self, request, obj) -> None:
        actions.record(request.user, "delete", obj, {}, via="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            actions.record(request.user, "delete", obj, {}, via="admin")
        super().delete_queryset(request, queryset)


def _plain(changes: dict) -> dict:
    from .audit import plain

    return {k: [plain(v) for v in pair] for k, pair in changes.items()}


ROLE_FIELDS = ("role", "country", "city", "partner")


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = ("username", "email", "role", "scope_label", "is_active", "is_staff")
    list_select_related = ("country", "city__country", "partner")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (*(UserAdmin.fieldsets or ()), (_("Role and scope"), {"fields": ROLE_FIELDS}))
    add_fieldsets = (*UserAdmin.add_fieldsets, (_("Role and scope"), {"fields": ROLE_FIELDS}))
    autocomplete_fields = ("country", "city", "partner")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ("user", "name", "expires_at") if obj is None else (
            "user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("user", "prefix", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, secret = actions.create_api_token(obj.user, obj.name, obj.expires_at, via="admin")
        obj.pk = token.pk
        messages.warning(request, _("Copy the token now; it is not shown again: %(secret)s") % {"secret": secret})

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            actions.revoke_api_token(request.user, token, via="admin")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "content_type", "object_repr", "via")
    list_filter = ("action", "via", "content_type")
    search_fields = ("object_repr", "object_id")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
