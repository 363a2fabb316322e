from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorFamily(models.TextChoices):
    U4SSC = "u4ssc", _("U4SSC key performance indicator")
    ASCN = "ascn", _("ASCN indicator")


class IndicatorLevel(models.TextChoices):
    CORE = "core", _("Core")
    ADVANCED = "advanced", _("Advanced")


class Direction(models.TextChoices):
    """Which way is better; empty until the Secretariat has decided it for an indicator."""

    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Aggregation(models.TextChoices):
    """How city values combine into a country or network figure."""

    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")
    POPULATION_WEIGHTED = "population_weighted", _("Population-weighted mean")
