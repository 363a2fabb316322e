from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

from .choices import Role


class SecretariatAdminSite(admin.AdminSite):
    """The back office: open to Secretariat staff accounts (and superusers) only."""

    site_header = _("ASCN Platform back office")
    site_title = _("ASCN back office")

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and (user.is_superuser or user.role == Role.SECRETARIAT))


class AscnAdminConfig(AdminConfig):
    default_site = "ascn.core.admin_site.SecretariatAdminSite"
