"""Base models, accounts, API tokens and the audit trail."""

from __future__ import annotations

from typing import ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, Role
from .money import is_currency


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """An account. Its role and scope decide what it sees and edits (see core.permissions)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    country = models.ForeignKey(
        "network.Country", verbose_name=_("country"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="accounts",
    )
    city = models.ForeignKey(
        "network.City", verbose_name=_("city"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="accounts",
    )
    partner = models.ForeignKey(
        "network.Partner", verbose_name=_("partner organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="accounts",
    )

    objects: ClassVar[UserManager[Self]] = UserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                name="user_scope_matches_role",
                condition=(
                    Q(role="", country__isnull=True, city__isnull=True, partner__isnull=True)
                    | Q(role=Role.SECRETARIAT, country__isnull=True, city__isnull=True, partner__isnull=True)
                    | Q(role=Role.NATIONAL_REP, country__isnull=False, city__isnull=True, partner__isnull=True)
                    | Q(role=Role.CITY_OFFICER, country__isnull=True, city__isnull=False, partner__isnull=True)
                    | Q(role=Role.PARTNER, country__isnull=True, city__isnull=True, partner__isnull=False)
                ),
                violation_error_message=_(
                    "The scope must match the role: a National Representative has a country, a city "
                    "officer a city, a partner an organisation, and the Secretariat none."
                ),
            )
        ]

    @property
    def is_secretariat_staff(self) -> bool:
        return self.is_active and self.is_staff and self.role == Role.SECRETARIAT

    def has_perm(self, perm: str, obj=None) -> bool:
        """Secretariat staff run the back office: every model permission."""
        return self.is_secretariat_staff or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_secretariat_staff or super().has_module_perms(app_label)

    @property
    def scope_label(self) -> str:
        """The account's country or city (named in the reader's language) or partner organisation."""
        scope = self.country or self.city or self.partner
        if scope is None:
            return ""
        # A country's name and a city's (its local form for its country's language) in the reader's language;
        # a city reads its country: load it with the account (see portal.views.dashboard).
        return str(getattr(scope, "display_name", scope))


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, help_text=_("The first characters, to recognise it."))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditEntry(models.Model):
    """One write: who did what to which record, with the changed fields' old and new values."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)
    via = models.CharField(max_length=20, blank=True, help_text=_("web, api, admin, seed or command"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.object_repr} {self.get_action_display()}"


class Translatable(models.Model):
    """Translations of a record's display texts: `i18n = {"vi": {"name": ...}, "th": {...}}`.

    The English text stays in the model's own fields; a missing translation falls back to it.
    """

    i18n = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def translated(self, attr: str) -> str:
        from django.utils import translation

        lang = translation.get_language() or "en"
        return (self.i18n.get(lang) or {}).get(attr) or getattr(self, attr)

    @property
    def display_name(self) -> str:
        return self.translated("name")


class ExchangeRate(models.Model):
    """How many units of a currency one US dollar buys on a date, and where that figure comes from: the one
    rate table through which amounts in different currencies are compared (see core.money.to_usd)."""

    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code, e.g. JPY."))
    units_per_usd = models.DecimalField(_("units per US dollar"), max_digits=20, decimal_places=8)
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=500)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "as_of"], name="exchangerate_one_per_day"),
            models.CheckConstraint(condition=Q(units_per_usd__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.units_per_usd} / USD ({self.as_of.isoformat()})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.currency and not is_currency(self.currency):
            errors["currency"] = str(_("“%(code)s” is not an ISO 4217 currency code.")) % {"code": self.currency}
        elif self.currency == "USD":
            errors["currency"] = str(_("Amounts in US dollars need no rate."))
        if self.units_per_usd is not None and self.units_per_usd <= 0:
            errors["units_per_usd"] = str(_("Give a rate above zero."))
        if errors:
            raise ValidationError(errors)
