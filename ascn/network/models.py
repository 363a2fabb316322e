"""The network registry: countries, cities and their membership over time, offices and terms,
chairmanship and Shepherd terms, and the external partner organisations."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Self, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ascn.core.choices import Role
from ascn.core.models import TimeStampedModel, Translatable
from ascn.core.permissions import Access, ScopedQuerySet
from ascn.core.text import search_blob
from ascn.framework.models import Tagged

from .choices import CITY_ROLES, COUNTRY_ROLES, MeetingMode, OfficeRole, PartnerKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The querysets are generic over their model, as django-stubs expects of a custom queryset: the manager
# binds it to the model, and `.annotate()` keeps the annotations' types (see queries.cities).
_M = TypeVar("_M", bound=models.Model)

# The national language of each member state (ISO 639-1, as Django names languages). A city's local name is
# shown to readers of that language only; Singapore is left out: its four official languages share its name.
NATIONAL_LANGUAGES = {"BRN": "ms", "KHM": "km", "IDN": "id", "LAO": "lo", "MYS": "ms", "MMR": "my", "PHL": "tl",
                      "THA": "th", "TLS": "pt", "VNM": "vi"}



def city_name_in(language: str, name: str, local_name: str, iso3: str) -> str:
    """A city's name for a reader of `language`: its local name when that is the language of its country
    (`iso3`) and the registry has one ("Đà Nẵng" for Vietnamese readers), else its official name."""
    return local_name if local_name and language and NATIONAL_LANGUAGES.get(iso3) == language else name


iso3_validator = RegexValidator(r"^[A-Z]{3}$", _("Use the three capital letters of ISO 3166-1 alpha-3."))


class CountryQuerySet(ScopedQuerySet[_M]):
    def as_of(self, date: dt.date) -> Self:
        return self.filter(joined_on__lte=date)


class Country(Translatable, TimeStampedModel):
    iso3 = models.CharField(_("ISO code"), max_length=3, unique=True, validators=[iso3_validator])
    name = models.CharField(_("name"), max_length=100, unique=True)
    joined_on = models.DateField(_("joined ASCN on"))
    joined_on_basis = models.CharField(_("basis of the join date"), max_length=300, blank=True)
    nr_agency = models.CharField(_("National Representative agency"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)

    objects = CountryQuerySet.as_manager()
    access = Access(public=Q())

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def language(self) -> str:
        """The country's national language (ISO 639-1), "" when none is recorded."""
        return NATIONAL_LANGUAGES.get(self.iso3, "")


class CityQuerySet(ScopedQuerySet[_M]):
    def as_of(self, date: dt.date) -> Self:
        """Cities that were members on `date`."""
        return self.filter(
            Q(memberships__joined_on__lte=date)
            & (Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gt=date))
        ).distinct()

    def search(self, text: str) -> Self:
        from ascn.core.text import fold

        folded = fold(text)
        return self.filter(search_text__contains=folded) if folded else self


class City(TimeStampedModel):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("official name"), max_length=120)
    local_name = models.CharField(_("name in local script"), max_length=120, blank=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT,
                                related_name="cities")
    pilot = models.BooleanField(_("pilot city of 2018"), default=False)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=4,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=4,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    source = models.CharField(_("source"), max_length=500, blank=True)
    search_text = models.TextField(editable=False, blank=True)

    objects = CityQuerySet.as_manager()
    access = Access(public=Q(), country="country_id", city="id",
                    editors=frozenset({Role.NATIONAL_REP, Role.CITY_OFFICER}))

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["country", "name"], name="city_unique_name_per_country")]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        """The city's name for a reader of `language` (see `city_name_in`). Reads `country` when the city has a
        local name (select_related it in lists)."""
        if not self.local_name:
            return self.name
        return city_name_in(language, self.name, self.local_name, self.country.iso3)

    @property
    def display_name(self) -> str:
        """The city's name in the reader's language (see `name_in`), as a Translatable's `display_name`."""
        return self.name_in((translation.get_language() or "en").split("-")[0])

    def clean(self) -> None:
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) and a.strip() for a in self.aliases):
            raise ValidationError({"aliases": _("Give the other names as a list of non-empty texts.")})

    def save(self, *args, **kwargs) -> None:
        self.search_text = search_blob(self.name, self.local_name, self.slug.replace("-", " "), *self.aliases)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class CityMembership(TimeStampedModel):
    """One span of a city's membership: joined on a date and, possibly, left on a later one."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    basis = models.CharField(_("basis of the dates"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(), country="city__country_id", editors=frozenset({Role.NATIONAL_REP}))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["city", "joined_on"]
        constraints = [
            models.CheckConstraint(name="membership_left_after_joined",
                                   condition=Q(left_on__isnull=True) | Q(left_on__gt=models.F("joined_on"))),
            models.UniqueConstraint(fields=["city", "joined_on"], name="membership_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.joined_on} to {self.left_on or 'today'}"

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on <= self.joined_on:
            raise ValidationError({"left_on": _("The date left must be after the date joined.")})
        if self.city_id and self.joined_on:
            overlapping = CityMembership.objects.filter(city_id=self.city_id).exclude(pk=self.pk).filter(
                Q(left_on__isnull=True) | Q(left_on__gt=self.joined_on)
            )
            if self.left_on:
                overlapping = overlapping.filter(joined_on__lt=self.left_on)
            if overlapping.exists():
                raise ValidationError({"joined_on": _("This membership overlaps another of the same city.")})


class Person(TimeStampedModel):
    """Someone who holds an office. Contact details are never public."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True,
                            help_text=_("Optional; the registry identifies offices by position and agency."))
    position = models.CharField(_("position"), max_length=200, blank=True)
    agency = models.CharField(_("agency"), max_length=300)
    email = models.EmailField(_("e-mail (not public)"), blank=True)
    phone = models.CharField(_("phone (not public)"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["agency", "position"]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.name, self.position, self.agency) if p)


class RoleTermQuerySet(ScopedQuerySet[_M]):
    def current(self, date: dt.date) -> Self:
        """Terms in office on `date` (a term with no start date was in office when recorded)."""
        return self.filter(
            (Q(starts_on__isnull=True) | Q(starts_on__lte=date)) & (Q(ends_on__isnull=True) | Q(ends_on__gt=date))
        )


class RoleTerm(TimeStampedModel):
    """A person's term in an office: National Representative (country), CSCO (city) or Secretariat."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="terms")
    role = models.CharField(_("role"), max_length=20, choices=OfficeRole.choices)
    country = models.ForeignKey(Country, verbose_name=_("country"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="role_terms")
    city = models.ForeignKey(City, verbose_name=_("city"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="role_terms")
    starts_on = models.DateField(_("start"), null=True, blank=True, help_text=_("Empty when not known."))
    ends_on = models.DateField(_("end"), null=True, blank=True, help_text=_("Empty while in office."))
    source = models.CharField(_("source"), max_length=500, blank=True)

    objects = RoleTermQuerySet.as_manager()
    # Offices are public by position and agency. NRs maintain the terms of their own country.
    access = Access(public=Q(), country="country_id", editors=frozenset({Role.NATIONAL_REP}))

    class Meta:
        verbose_name = _("term of office")
        verbose_name_plural = _("terms of office")
        ordering = ["role", "country__name", "city__name", "starts_on"]
        constraints = [
            models.CheckConstraint(
                name="roleterm_scope_matches_role",
                condition=(
                    Q(role__in=["nr", "nr_alternate"], country__isnull=False, city__isnull=True)
                    | Q(role__in=["csco", "csco_alternate"], country__isnull=False, city__isnull=False)
                    | Q(role="secretariat", country__isnull=True, city__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="roleterm_ends_after_start",
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        where = self.city or self.country
        return f"{self.get_role_display()}{', ' + str(where) if where else ''}: {self.person}"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.role in COUNTRY_ROLES:
            if not self.country_id:
                errors["country"] = _("A National Representative's term needs a country.")
            if self.city_id:
                errors["city"] = _("A National Representative's term has no city.")
        elif self.role in CITY_ROLES:
            if not self.city_id:
                errors["city"] = _("A CSCO's term needs a city.")
            elif self.country_id and self.city is not None and self.country_id != self.city.country_id:
                errors["country"] = _("The country must be the city's country.")
        elif self.role == OfficeRole.SECRETARIAT and (self.country_id or self.city_id):
            errors["country"] = _("A Secretariat term has neither country nor city.")
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = _("The end must be after the start.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        if self.role in CITY_ROLES and self.city_id and self.city is not None:
            self.country_id = self.city.country_id  # kept in step so country scope covers CSCO terms
        super().save(*args, **kwargs)


class Chairmanship(TimeStampedModel):
    """The ASCN Chair of a year (the ASEAN Chair) and that year's annual meeting."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True,
                                            validators=[MinValueValidator(2018), MaxValueValidator(2100)])
    country = models.ForeignKey(Country, verbose_name=_("chair"), on_delete=models.PROTECT,
                                related_name="chairmanships")
    annual_meeting_number = models.PositiveSmallIntegerField(_("annual meeting"), null=True, blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=120, blank=True)
    meeting_mode = models.CharField(_("meeting mode"), max_length=20, choices=MeetingMode.choices, blank=True)
    source = models.CharField(_("source"), max_length=1000, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q())

    class Meta:
        verbose_name = _("chairmanship")
        verbose_name_plural = _("chairmanships")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.country}"

    def clean(self) -> None:
        if self.meeting_date and self.meeting_date.year != self.year:
            raise ValidationError({"meeting_date": _("The meeting date must fall in the chair's year.")})

    @property
    def shepherd_reference_date(self) -> dt.date:
        """The Shepherd shown for a year is the one in office after that year's meeting."""
        return self.meeting_date or dt.date(self.year, 12, 31)


class ShepherdTermQuerySet(ScopedQuerySet[_M]):
    def current(self, date: dt.date) -> Self:
        return self.filter(Q(starts_on__lte=date) & (Q(ends_on__isnull=True) | Q(ends_on__gt=date)))


class ShepherdTerm(TimeStampedModel):
    """A Shepherd country's term: two years, renewable; a renewal is a new term of the same country."""

    country = models.ForeignKey(Country, verbose_name=_("Shepherd"), on_delete=models.PROTECT,
                                related_name="shepherd_terms")
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True, help_text=_("Empty while in office."))
    planned_end_year = models.PositiveSmallIntegerField(_("term ends (year)"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=1000, blank=True)

    objects = ShepherdTermQuerySet.as_manager()
    access = Access(public=Q())

    # Not stored: set on the terms `queries.shepherd_terms` returns, True when the term renews the
    # previous term of the same country.
    renews: bool

    class Meta:
        verbose_name = _("Shepherd term")
        verbose_name_plural = _("Shepherd terms")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(name="shepherd_ends_after_start",
                                   condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on"))),
            models.UniqueConstraint(fields=["starts_on"], name="shepherd_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.starts_on.year}-{self.planned_end_year}"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.starts_on and self.planned_end_year and self.planned_end_year != self.starts_on.year + 2:
            errors["planned_end_year"] = _("A Shepherd term lasts two years: it ends in the start year plus two.")
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = _("The end must be after the start.")
        if self.starts_on:
            overlapping = ShepherdTerm.objects.exclude(pk=self.pk).filter(
                Q(ends_on__isnull=True) | Q(ends_on__gt=self.starts_on))
            if self.ends_on:
                overlapping = overlapping.filter(starts_on__lt=self.ends_on)
            if overlapping.exists():
                errors["starts_on"] = _("This term overlaps another Shepherd term.")
        if errors:
            raise ValidationError(errors)


class Partner(Tagged, TimeStampedModel):
    """An external partner organisation; tagged with the focus areas and enablers it supports.

    It is part of the registry (like countries and cities) because accounts, projects, financing
    instruments and case studies all name partners; cooperation (programmes, offers, needs,
    matching) builds on it in the `partnerships` app.
    """

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
