"""Cooperation with external partners: programmes and the offers partners put on the table now.

The partner organisations themselves are part of the registry (`ascn.network.models.Partner`); amounts in
different currencies are compared through the core rate table (`ascn.core.money.to_usd`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ascn.core.choices import Role
from ascn.core.models import TimeStampedModel
from ascn.core.money import is_currency
from ascn.core.permissions import Access, ScopedQuerySet
from ascn.core.synthetic import Synthetic, synthetic_index
from ascn.framework.models import Tagged
from ascn.plans.choices import ProjectStage, SupportKind

from .choices import (
    AGREED_STATES,
    AgreementKind,
    CooperationKind,
    CooperationState,
    Instrument,
    InterestSide,
    NeedState,
    OfferState,
    QuestionKind,
    ResponseState,
    SessionRuleKind,
    SessionState,
    SurveyState,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _unknown(values: Iterable[str], choices: type[models.TextChoices]) -> list[str]:
    return [value for value in values if value not in choices.values]


def _check_list(errors: dict[str, StrOrPromise], name: str, values: object, choices: type[models.TextChoices]) -> None:
    """A list field holds known values of `choices`, each once."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        errors[name] = _("Give a list of values.")
        return
    unknown = _unknown(values, choices)
    if unknown:
        errors[name] = _("Unknown value “%(value)s” (known: %(known)s).") % {
            "value": unknown[0], "known": ", ".join(choices.values)}
    elif len(set(values)) != len(values):
        errors[name] = _("A value is given twice.")


def _check_currency(errors: dict[str, StrOrPromise], currency: str) -> None:
    if currency and not is_currency(currency):
        errors["currency"] = _("“%(code)s” is not an ISO 4217 currency code.") % {"code": currency}


class Programme(Tagged, TimeStampedModel):
    """A programme or one window of it: what one or more partners offer the network's cities, as the sources
    state it (amounts as announced, not disbursements)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=250)
    kind = models.CharField(_("kind"), max_length=30, choices=CooperationKind.choices)
    partners = models.ManyToManyField("network.Partner", verbose_name=_("partners"), blank=True,
                                      related_name="programmes")
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code, e.g. JPY."))
    amount_note = models.CharField(_("amount as the source states it"), max_length=300, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    instruments = models.JSONField(_("instruments"), default=list, blank=True,
                                   help_text=_("Grant, loan or equity."))
    eligible = models.TextField(_("who is eligible"), blank=True)
    what_it_offers = models.TextField(_("what it offers"), blank=True)
    source = models.CharField(_("source"), max_length=1000,
                              help_text=_("Source keys (S1 to S13) or full URLs, separated by “; ”."))

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q())

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        _check_currency(errors, self.currency)
        if self.amount is not None and not self.currency:
            errors["currency"] = _("Give the currency of the amount.")
        _check_list(errors, "instruments", self.instruments, Instrument)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end is before the start.")
        if errors:
            raise ValidationError(errors)

    def get_instruments_display(self) -> list[str]:
        return [str(Instrument(value).label) for value in self.instruments if value in Instrument.values]

    @property
    def sources(self) -> list[tuple[str, str]]:
        """The sources as (label, url): a URL links to itself, a source key has no URL."""
        parts = [part.strip() for part in self.source.split(";") if part.strip()]
        return [(part, part if part.startswith(("https://", "http://")) else "") for part in parts]


class Offer(Synthetic, Tagged, TimeStampedModel):
    """What a partner puts on the table now: kind, framework tags, eligible countries and cities, ticket sizes,
    instruments, the project stages it serves, a deadline and the office to contact."""

    partner = models.ForeignKey("network.Partner", verbose_name=_("partner"), on_delete=models.PROTECT,
                                related_name="offers")
    programme = models.ForeignKey(Programme, verbose_name=_("programme"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="offers")
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=CooperationKind.choices)
    countries = models.ManyToManyField("network.Country", verbose_name=_("eligible countries"), blank=True,
                                       related_name="+", help_text=_("None chosen: every member country."))
    cities = models.ManyToManyField("network.City", verbose_name=_("eligible cities"), blank=True,
                                    related_name="+", help_text=_("None chosen: every member city."))
    ticket_min = models.DecimalField(_("smallest ticket"), max_digits=20, decimal_places=2, null=True, blank=True,
                                     validators=[MinValueValidator(0)])
    ticket_max = models.DecimalField(_("largest ticket"), max_digits=20, decimal_places=2, null=True, blank=True,
                                     validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code, e.g. JPY."))
    instruments = models.JSONField(_("instruments"), default=list, blank=True)
    stages = models.JSONField(_("project stages served"), default=list, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    contact_role = models.CharField(_("contact office"), max_length=200, blank=True,
                                    help_text=_("A role or office to write to, never a person's name or e-mail."))
    state = models.CharField(_("state"), max_length=20, choices=OfferState.choices, default=OfferState.DRAFT)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(state=OfferState.PUBLISHED, partner__is_published=True), partner="partner_id",
                    editors=frozenset({Role.PARTNER}))

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["state", "partner"], name="offer_state_partner_idx"),
                   synthetic_index("offer_synthetic_idx")]
        constraints = [
            models.CheckConstraint(name="offer_min_not_above_max", condition=Q(ticket_min__isnull=True)
                                   | Q(ticket_max__isnull=True) | Q(ticket_min__lte=models.F("ticket_max"))),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.ticket_min is not None and self.ticket_max is not None and self.ticket_min > self.ticket_max:
            errors["ticket_min"] = _("The smallest ticket is above the largest.")
        _check_currency(errors, self.currency)
        if (self.ticket_min is not None or self.ticket_max is not None) and not self.currency:
            errors["currency"] = _("Give the currency of the ticket sizes.")
        _check_list(errors, "instruments", self.instruments, Instrument)
        _check_list(errors, "stages", self.stages, ProjectStage)
        if (self.programme_id and self.partner_id
                and not Programme.partners.through.objects.filter(programme_id=self.programme_id,
                                                                  partner_id=self.partner_id).exists()):
            errors["programme"] = _("Choose one of the partner's own programmes.")
        if errors:
            raise ValidationError(errors)

    def get_instruments_display(self) -> list[str]:
        return [str(Instrument(value).label) for value in self.instruments if value in Instrument.values]

    def get_stages_display(self) -> list[str]:
        return [str(ProjectStage(value).label) for value in self.stages if value in ProjectStage.values]


class Need(Synthetic, Tagged, TimeStampedModel):
    """What a city asks partners for outside its projects: a kind of support, an amount or none, the project
    stage it is at and framework tags. Published means shared with partners. (The support a published
    project requires is shown beside these without being copied: `queries.needs`.)"""

    city = models.ForeignKey("network.City", verbose_name=_("city"), on_delete=models.PROTECT, related_name="needs")
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SupportKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code, e.g. JPY."))
    stage = models.CharField(_("stage"), max_length=20, choices=ProjectStage.choices, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=NeedState.choices, default=NeedState.DRAFT)
    response = models.ForeignKey("SurveyResponse", verbose_name=_("survey answer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="needs",
                                 help_text=_("The survey answer this need was made from."))

    objects = ScopedQuerySet.as_manager()
    access = Access.of_city(Q(state=NeedState.PUBLISHED))

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["state", "city"], name="need_state_city_idx"),
                   synthetic_index("need_synthetic_idx")]
        constraints = [models.CheckConstraint(name="need_amount_not_negative",
                                              condition=Q(amount__isnull=True) | Q(amount__gte=0))]

    def __str__(self) -> str:
        return self.title

    @property
    def key(self) -> str:
        """The need's address among both sources (`queries.need`)."""
        return f"n{self.pk}"

    @key.setter
    def key(self, value: str) -> None:
        self.pk = int(value[1:])

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.amount is not None and self.amount < 0:
            errors["amount"] = _("The amount cannot be below zero.")
        _check_currency(errors, self.currency)
        if self.amount is not None and not self.currency:
            errors["currency"] = _("Give the currency of the amount.")
        if errors:
            raise ValidationError(errors)


# --- Needs surveys ------------------------------------------------------------------------------------------


class Survey(TimeStampedModel):
    """A questionnaire sent to chosen cities, built by the Secretariat or by a partner (`owner`; None: the
    Secretariat's own). Open and closed surveys are public as descriptions; their answers are not."""

    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey("network.Partner", verbose_name=_("partner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="surveys",
                              help_text=_("Empty: a survey of the ASEAN Secretariat."))
    cities = models.ManyToManyField("network.City", verbose_name=_("cities asked"), blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=SurveyState.choices, default=SurveyState.DRAFT)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=1000, blank=True,
                              help_text=_("For a survey recorded from the sources: its source keys or URLs."))

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(state__in=[SurveyState.OPEN, SurveyState.CLOSED]), partner="owner_id",
                    editors=frozenset({Role.PARTNER}))

    class Meta:
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """One question of a survey, in `position` order; `choices` lists the options of the choice kinds."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help"), max_length=500, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(TimeStampedModel):
    """A city's answers to a survey: {question id: value}, saved as a draft, then submitted. `on_paper`
    marks answers uploaded by the Secretariat for a city that answered on paper."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    city = models.ForeignKey("network.City", verbose_name=_("city"), on_delete=models.PROTECT,
                             related_name="survey_responses")
    state = models.CharField(_("state"), max_length=20, choices=ResponseState.choices, default=ResponseState.DRAFT)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    on_paper = models.BooleanField(_("answered on paper"), default=False)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=None, country="city__country_id", city="city_id", partner="survey__owner_id",
                    editors=frozenset({Role.CITY_OFFICER}))

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["survey", "city__name", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "city"], name="response_one_per_city")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.city}"


# --- Matching: the Secretariat's weights and expressions of interest ----------------------------------------


class MatchWeights(TimeStampedModel):
    """The weights of the match score's components (`matching.Weights`), set by the Secretariat. One row."""

    framework = models.FloatField(_("framework overlap"), default=0.30, validators=[MinValueValidator(0)])
    ticket = models.FloatField(_("ticket size fit"), default=0.20, validators=[MinValueValidator(0)])
    kind = models.FloatField(_("instrument and kind fit"), default=0.15, validators=[MinValueValidator(0)])
    stage_readiness = models.FloatField(_("stage and readiness"), default=0.10, validators=[MinValueValidator(0)])
    text = models.FloatField(_("text similarity"), default=0.25, validators=[MinValueValidator(0)])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q())

    class Meta:
        verbose_name = _("match weights")
        verbose_name_plural = _("match weights")

    def __str__(self) -> str:
        return str(_("Match weights"))


class Interest(TimeStampedModel):
    """One side's interest in a match between an offer and a need (`need_key`: "n<id>" for a stated need,
    "p<id>" for a project's support; `city` is the need's city). When both sides are interested the pair
    opens a cooperation record (`record`)."""

    offer = models.ForeignKey(Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="interests")
    need_key = models.CharField(_("need"), max_length=20)
    city = models.ForeignKey("network.City", verbose_name=_("city"), on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("side"), max_length=10, choices=InterestSide.choices)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    record = models.ForeignKey("CooperationRecord", verbose_name=_("cooperation record"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="interests")

    objects = ScopedQuerySet.as_manager()
    access = Access(public=None, country="city__country_id", city="city_id", partner="offer__partner_id",
                    editors=frozenset({Role.CITY_OFFICER, Role.PARTNER}))

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["offer", "need_key", "side"], name="interest_once_per_side")]

    def __str__(self) -> str:
        return f"{self.offer} · {self.need_key} · {self.side}"


# --- The cooperation pipeline -------------------------------------------------------------------------------


class CooperationRecord(Tagged, TimeStampedModel):
    """Cooperation between a city and a partner, or two cities (a twinning pair: `twin_city`, no partner),
    from the expression of interest to completion (`partnerships.workflow`). Agreed, in implementation and
    completed records are public; the others stay with the city, its NR, the partner and the Secretariat."""

    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("kind"), max_length=30, choices=CooperationKind.choices)
    programme = models.ForeignKey(Programme, verbose_name=_("programme"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="cooperation")
    partner = models.ForeignKey("network.Partner", verbose_name=_("partner"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="cooperation")
    city = models.ForeignKey("network.City", verbose_name=_("city"), on_delete=models.PROTECT,
                             related_name="cooperation")
    twin_city = models.ForeignKey("network.City", verbose_name=_("twin city"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(Offer, verbose_name=_("offer"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="cooperation")
    need_key = models.CharField(_("need"), max_length=20, blank=True)
    projects = models.ManyToManyField("plans.Project", verbose_name=_("projects"), blank=True,
                                      related_name="cooperation")
    state = models.CharField(_("state"), max_length=20, choices=CooperationState.choices,
                             default=CooperationState.INTEREST)
    scope = models.TextField(_("scope"), blank=True)
    budget = models.DecimalField(_("budget"), max_digits=20, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code, e.g. JPY."))
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    documents = models.JSONField(_("documents"), default=list, blank=True,
                                 help_text=_("Links as a list of {label, url}."))
    agreement = models.CharField(_("agreement"), max_length=10, choices=AgreementKind.choices, blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    signatories = models.TextField(_("signatories' roles"), blank=True,
                                   help_text=_("Roles and offices, never a person's name."))
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was declined or withdrawn."))
    source = models.CharField(_("source"), max_length=1000, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(state__in=AGREED_STATES), country="city__country_id", city="city_id",
                    partner="partner_id", editors=frozenset({Role.CITY_OFFICER, Role.PARTNER}))

    class Meta:
        verbose_name = _("cooperation record")
        verbose_name_plural = _("cooperation records")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["state", "partner"], name="coop_state_partner_idx"),
                   models.Index(fields=["state", "city"], name="coop_state_city_idx")]
        constraints = [
            models.CheckConstraint(name="coop_has_partner_or_twin",
                                   condition=Q(partner__isnull=False) | Q(twin_city__isnull=False)),
            models.CheckConstraint(name="coop_ends_after_start", condition=Q(start_date__isnull=True)
                                   | Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date"))),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        _check_currency(errors, self.currency)
        if self.budget is not None and not self.currency:
            errors["currency"] = _("Give the currency of the budget.")
        if self.partner_id is None and self.twin_city_id is None:
            errors["partner"] = _("Choose the partner, or the twin city of a city-to-city twinning.")
        if self.twin_city_id is not None and self.twin_city_id == self.city_id:
            errors["twin_city"] = _("A city cannot be twinned with itself.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end is before the start.")
        if not isinstance(self.documents, list) or not all(
            isinstance(link, dict) and str(link.get("url", "")).startswith(("http://", "https://"))
            for link in self.documents
        ):
            errors["documents"] = _("Give documents as a list of {label, url} with http(s) addresses.")
        if errors:
            raise ValidationError(errors)


class CooperationTransition(models.Model):
    """One step of a record through the workflow: who took it, as which role, when, and why."""

    record = models.ForeignKey(CooperationRecord, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=CooperationState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=CooperationState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    role = models.CharField(_("role"), max_length=30, blank=True)
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("cooperation step")
        verbose_name_plural = _("cooperation steps")
        ordering = ["record", "at", "id"]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.from_state} → {self.to_state}"


class CooperationComment(TimeStampedModel):
    """A review comment on a record, by the Secretariat, the NR or either side."""

    record = models.ForeignKey(CooperationRecord, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    role = models.CharField(_("role"), max_length=30, blank=True)
    text = models.TextField(_("comment"), max_length=4000)

    class Meta:
        verbose_name = _("cooperation comment")
        verbose_name_plural = _("cooperation comments")
        ordering = ["record", "created_at", "id"]


# --- Business-matching sessions ------------------------------------------------------------------------------


class MatchingSession(TimeStampedModel):
    """One-to-one business matching at an event (`event`: the meeting's slug in the governance records, or
    free text), scheduled by `partnerships.scheduling`; the last solve's figures are kept beside it."""

    title = models.CharField(_("title"), max_length=250)
    event = models.CharField(_("event"), max_length=250, blank=True)
    place = models.CharField(_("place"), max_length=250, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Jakarta")
    tables = models.PositiveSmallIntegerField(_("tables per slot"), default=10, validators=[MinValueValidator(1)])
    state = models.CharField(_("state"), max_length=20, choices=SessionState.choices, default=SessionState.DRAFT)
    solved_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    solve_status = models.CharField(_("solver status"), max_length=20, blank=True)
    score = models.FloatField(_("total score"), null=True, blank=True)
    bound = models.FloatField(_("best possible score"), null=True, blank=True)
    gap = models.FloatField(_("optimality gap"), null=True, blank=True)
    greedy_score = models.FloatField(_("greedy baseline score"), null=True, blank=True)
    solve_seconds = models.FloatField(_("solve time (s)"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(state=SessionState.PUBLISHED))

    class Meta:
        verbose_name = _("business-matching session")
        verbose_name_plural = _("business-matching sessions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SessionSlot(models.Model):
    session = models.ForeignKey(MatchingSession, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["session", "starts_at", "id"]
        constraints = [models.CheckConstraint(name="slot_ends_after_start",
                                              condition=Q(ends_at__gt=models.F("starts_at")))]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class SessionParticipant(models.Model):
    """A city or a partner at a session, with the slots it is available in (none chosen: every slot)."""

    session = models.ForeignKey(MatchingSession, on_delete=models.CASCADE, related_name="participants")
    city = models.ForeignKey("network.City", verbose_name=_("city"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("network.Partner", verbose_name=_("partner"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    available = models.ManyToManyField(SessionSlot, verbose_name=_("available in"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["session", "id"]
        constraints = [
            models.CheckConstraint(name="participant_city_or_partner",
                                   condition=(Q(city__isnull=False) & Q(partner__isnull=True))
                                   | (Q(city__isnull=True) & Q(partner__isnull=False))),
            models.UniqueConstraint(fields=["session", "city"], name="participant_city_once"),
            models.UniqueConstraint(fields=["session", "partner"], name="participant_partner_once"),
        ]

    def __str__(self) -> str:
        return str(self.city or self.partner)


class SessionRule(models.Model):
    """The organisers' pin (must meet, in `slot` or any slot) or forbid (must not meet) for one pair."""

    session = models.ForeignKey(MatchingSession, on_delete=models.CASCADE, related_name="rules")
    city = models.ForeignKey(SessionParticipant, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(SessionParticipant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("rule"), max_length=10, choices=SessionRuleKind.choices)
    slot = models.ForeignKey(SessionSlot, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("pin or forbid")
        verbose_name_plural = _("pins and forbids")
        ordering = ["session", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "city", "partner"], name="rule_once_per_pair")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.city_id}-{self.partner_id}"


class SessionMeeting(models.Model):
    """One meeting of a session's schedule: the pair, its slot and table, its score."""

    session = models.ForeignKey(MatchingSession, on_delete=models.CASCADE, related_name="meetings")
    slot = models.ForeignKey(SessionSlot, on_delete=models.CASCADE, related_name="meetings")
    table = models.PositiveSmallIntegerField(_("table"))
    city = models.ForeignKey(SessionParticipant, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(SessionParticipant, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    pinned = models.BooleanField(_("pinned"), default=False)

    class Meta:
        verbose_name = _("scheduled meeting")
        verbose_name_plural = _("scheduled meetings")
        ordering = ["session", "slot__starts_at", "table", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "slot", "table"], name="meeting_one_per_table"),
            models.UniqueConstraint(fields=["session", "city", "partner"], name="meeting_pair_once"),
        ]

    def __str__(self) -> str:
        return f"{self.slot_id} · {self.table}: {self.city_id}-{self.partner_id}"
