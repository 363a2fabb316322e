from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    """The statuses of the ASCN M&E reports, plus cancelled."""

    PLANNING = "planning", _("Planning")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


STATUS_DEFINITIONS = {
    ProjectStatus.PLANNING: _("Under planning or preparation; implementation has not started."),
    ProjectStatus.ONGOING: _("Being implemented."),
    ProjectStatus.COMPLETED: _("Implementation finished; the project is delivered or in operation."),
    ProjectStatus.CANCELLED: _("Stopped before completion."),
}


class ProjectStage(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    PRE_FEASIBILITY = "pre_feasibility", _("Pre-feasibility")
    FEASIBILITY = "feasibility", _("Feasibility")
    PROCUREMENT = "procurement", _("Procurement")
    IMPLEMENTATION = "implementation", _("Implementation")
    OPERATION = "operation", _("Operation")


class SupportKind(models.TextChoices):
    """The kinds of SUPPORT REQUIRED a Smart City Action Plan states for a priority project."""

    FINANCIAL = "financial", _("Financial")
    TECHNICAL = "technical", _("Technical")
    ADVISORY = "advisory", _("Advisory")
    PARTNER = "partner", _("Partners")
    TRAINING = "training", _("Training")


class ProjectSort(models.TextChoices):
    """The orders of the project pipeline: its page, its downloads and the API."""

    # queries.SORTS gives each its columns.

    TITLE = "title", _("Title")
    CITY = "city", _("City")
    STATUS = "status", _("Status")
    COST = "cost", _("Cost (highest first)")
    UPDATED = "updated", _("Recently updated")
    REFERENCE = "reference", _("Report number")
