"""The financing instrument catalogue (business cases and readiness gates build on it)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ascn.core.models import TimeStampedModel, Translatable
from ascn.core.permissions import Access, ScopedQuerySet

from .choices import InstrumentCategory


class FinancingInstrument(Translatable, TimeStampedModel):
    """A way to finance smart city projects: what it suits, what it requires, its usual terms."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=30, choices=InstrumentCategory.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    summary = models.TextField(_("summary"))
    suits = models.TextField(_("what it suits"), blank=True)
    requires = models.TextField(_("what it requires"), blank=True)
    typical_tenor = models.CharField(_("typical tenor"), max_length=100, blank=True)
    typical_cost = models.CharField(_("typical cost"), max_length=200, blank=True)
    revenue_profiles = models.JSONField(_("revenue profiles it suits"), default=list,
                                        help_text=_("Any of full, partial, none."))
    stages = models.JSONField(_("project stages"), default=list, blank=True,
                              help_text=_("Project stages it is used at; empty: any."))
    focus_areas = models.ManyToManyField("framework.FrameworkNode", verbose_name=_("focus areas"), blank=True,
                                         limit_choices_to={"kind": "focus_area"}, related_name="+",
                                         help_text=_("Focus areas it is used for; none: any."))
    min_size_usd = models.DecimalField(_("smallest usual size (USD)"), max_digits=16, decimal_places=0,
                                       null=True, blank=True)
    max_size_usd = models.DecimalField(_("largest usual size (USD)"), max_digits=16, decimal_places=0,
                                       null=True, blank=True)
    needs_borrowing_powers = models.BooleanField(_("needs a city that may borrow"), default=False)
    needs_creditworthiness = models.BooleanField(_("needs creditworthiness"), default=False)
    needs_revenue_stream = models.BooleanField(_("needs a revenue stream"), default=False)
    needs_ppp_framework = models.BooleanField(_("needs a PPP framework"), default=False)
    providers = models.ManyToManyField("partnerships.Partner", verbose_name=_("providers in the network"),
                                       blank=True, related_name="instruments")
    source = models.CharField(_("source"), max_length=1000, blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(is_published=True))

    class Meta:
        verbose_name = _("financing instrument")
        verbose_name_plural = _("financing instruments")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(name="instrument_size_range",
                                   condition=Q(min_size_usd__isnull=True) | Q(max_size_usd__isnull=True)
                                   | Q(min_size_usd__lte=models.F("max_size_usd"))),
        ]

    def __str__(self) -> str:
        return self.name
