"""External partners of the network (the registry; offers, needs and matching build on it)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ascn.core.choices import Role
from ascn.core.models import TimeStampedModel
from ascn.core.permissions import Access, ScopedQuerySet
from ascn.framework.models import Tagged

from .choices import PartnerKind


class Partner(Tagged, TimeStampedModel):
    """An external partner; tagged with the focus areas and enablers it supports."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=PartnerKind.choices)
    country_iso3 = models.CharField(_("country (ISO code)"), max_length=3, blank=True,
                                    validators=[RegexValidator(r"^[A-Z]{3}$")])
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=1000, blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(is_published=True), partner="id", editors=frozenset({Role.PARTNER}))

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
