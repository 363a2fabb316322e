"""Cooperation with external partners: programmes and the offers partners put on the table now.

The partner organisations themselves are part of the registry (`ascn.network.models.Partner`); amounts in
different currencies are compared through the core rate table (`ascn.core.money.to_usd`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ascn.core.choices import Role
from ascn.core.models import TimeStampedModel
from ascn.core.money import is_currency
from ascn.core.permissions import Access, ScopedQuerySet
from ascn.framework.models import Tagged
from ascn.plans.choices import ProjectStage, SupportKind

from .choices import CooperationKind, Instrument, NeedState, OfferState

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


class Offer(Tagged, TimeStampedModel):
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
        indexes = [models.Index(fields=["state", "partner"], name="offer_state_partner_idx")]
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


class Need(Tagged, TimeStampedModel):
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

    objects = ScopedQuerySet.as_manager()
    access = Access.of_city(Q(state=NeedState.PUBLISHED))

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["state", "city"], name="need_state_city_idx")]
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
