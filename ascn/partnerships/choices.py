"""Closed vocabularies of the partnerships app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CooperationKind(models.TextChoices):
    """What a programme or an offer gives a city."""

    FINANCING = "financing", _("Financing")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
    CAPACITY_BUILDING = "capacity_building", _("Capacity building")
    TWINNING = "twinning", _("Twinning")
    BUSINESS_MATCHING = "business_matching", _("Business matching")


class Instrument(models.TextChoices):
    """How money reaches a city's project."""

    GRANT = "grant", _("Grant")
    LOAN = "loan", _("Loan")
    EQUITY = "equity", _("Equity")


class OfferState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class NeedState(models.TextChoices):
    """A city's stated need: a draft, published (shared with partners) or closed."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
