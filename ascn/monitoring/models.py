"""Monitoring and evaluation: the indicator catalogue and the annual reporting rounds (city reports,
targets and observations build on them)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ascn.core.models import TimeStampedModel, Translatable
from ascn.core.permissions import Access, ScopedQuerySet
from ascn.framework.models import Tagged

from .choices import Aggregation, Direction, IndicatorFamily, IndicatorLevel


class Indicator(Translatable, Tagged, TimeStampedModel):
    """A measure cities report: a U4SSC key performance indicator or one of the network's own."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=250)
    family = models.CharField(_("family"), max_length=10, choices=IndicatorFamily.choices)
    dimension = models.CharField(_("dimension"), max_length=100, blank=True)
    sub_dimension = models.CharField(_("sub-dimension"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=IndicatorLevel.choices, blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True,
                            help_text=_("For example “%”, “km per 100,000 inhabitants”; empty: not defined yet."))
    direction = models.CharField(_("better when"), max_length=10, choices=Direction.choices, blank=True)
    aggregation = models.CharField(_("aggregation"), max_length=20, choices=Aggregation.choices,
                                   default=Aggregation.MEAN)
    numerator = models.CharField(_("numerator"), max_length=300, blank=True,
                                 help_text=_("For a ratio: what is counted above the line."))
    denominator = models.CharField(_("denominator"), max_length=300, blank=True)
    sdgs = models.JSONField(_("SDG goals"), default=list, blank=True, help_text=_("Goal numbers, 1 to 17."))
    source = models.CharField(_("source"), max_length=500, blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(is_published=True))

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["family", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        errors = {}
        if bool(self.numerator) != bool(self.denominator):
            errors["denominator"] = _("Give the numerator and the denominator together.")
        if any(not isinstance(goal, int) or not 1 <= goal <= 17 for goal in self.sdgs):
            errors["sdgs"] = _("SDG goals are whole numbers from 1 to 17.")
        if errors:
            raise ValidationError(errors)


class ReportingRound(TimeStampedModel):
    """The annual M&E round: figures as of one date, the window cities report in, and who reports."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True,
                                            validators=[MinValueValidator(2018), MaxValueValidator(2100)])
    as_of = models.DateField(_("as of"), help_text=_("The date the round's figures describe."))
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True,
                                 help_text=_("Empty for past rounds whose dates were not recorded."))
    cities = models.ManyToManyField("network.City", verbose_name=_("reporting cities"), blank=True,
                                    related_name="reporting_rounds")
    source = models.CharField(_("source"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q())

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    def clean(self) -> None:
        errors = {}
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("The round cannot close before it opens.")
        if self.as_of and self.year and self.as_of.year != self.year:
            errors["as_of"] = _("The as-of date falls in the round's year.")
        if errors:
            raise ValidationError(errors)
