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


class SurveyState(models.TextChoices):
    """A needs survey: built as a draft, open for the chosen cities' answers, then closed."""

    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One choice from a list")
    MULTIPLE = "multiple", _("Several choices from a list")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Amount of money")
    TEXT = "text", _("Text")
    FOCUS_AREAS = "focus_areas", _("Framework focus areas")
    PROJECT = "project", _("A project of the city")


class ResponseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class InterestSide(models.TextChoices):
    """Who expressed interest in a match: the city with the need or the partner with the offer."""

    CITY = "city", _("City")
    PARTNER = "partner", _("Partner")


class CooperationState(models.TextChoices):
    """Where a cooperation record stands (the workflow is `partnerships.workflow`)."""

    INTEREST = "interest", _("Expression of interest")
    PROPOSAL = "proposal", _("Proposal")
    REVIEW = "review", _("Under review")
    AGREED = "agreed", _("Agreed")
    IMPLEMENTATION = "implementation", _("In implementation")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


AGREED_STATES = frozenset({CooperationState.AGREED, CooperationState.IMPLEMENTATION, CooperationState.COMPLETED})


class AgreementKind(models.TextChoices):
    LOI = "loi", _("Letter of intent")
    MOU = "mou", _("Memorandum of understanding")


class SessionState(models.TextChoices):
    """A business-matching session: prepared as a draft, then published with its schedule."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class SessionRuleKind(models.TextChoices):
    PIN = "pin", _("Must meet")
    FORBID = "forbid", _("Must not meet")
