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


class ReportState(models.TextChoices):
    """Where a city's annual report stands: city → National Representative → Secretariat."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ENDORSED = "endorsed", _("Endorsed")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class ReportAction(models.TextChoices):
    """What moves a report from one state to another (see `workflow.TRANSITIONS`)."""

    SUBMIT = "submit", _("Submit")
    ENDORSE = "endorse", _("Endorse")
    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return")
    REOPEN = "reopen", _("Reopen")


class Verification(models.TextChoices):
    """How far an observation has been checked."""

    REPORTED = "reported", _("Reported")
    VERIFIED = "verified", _("Verified")
    QUERIED = "queried", _("Queried")


class GenerationState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
