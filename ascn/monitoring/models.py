"""Monitoring and evaluation: indicators, reporting rounds, city annual reports and their workflow,
baselines, targets and observations, and the generated M&E reports."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascn.core.choices import Role
from ascn.core.models import TimeStampedModel, Translatable
from ascn.core.permissions import Access, ScopedQuerySet
from ascn.core.synthetic import Synthetic, synthetic_index
from ascn.framework.models import Tagged
from ascn.plans.choices import ProjectStatus

from .choices import (
    Aggregation,
    Direction,
    GenerationState,
    IndicatorFamily,
    IndicatorLevel,
    ReportAction,
    ReportState,
    Verification,
)


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
    multiplier = models.FloatField(_("multiplier"), null=True, blank=True,
                                   help_text=_("What numerator ÷ denominator is multiplied by to give the unit: "
                                               "100 for a percentage, 100,000 for “per 100,000 inhabitants”."))
    calculation = models.CharField(_("calculate as"), max_length=500, blank=True,
                                   help_text=_("The calculation as the standard states it."))
    definition_source = models.CharField(_("unit and calculation source"), max_length=500, blank=True,
                                         help_text=_("Where the unit and the calculation come from "
                                                     "(for U4SSC KPIs, the ITU verification manual's page)."))
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


class ReportingRound(Synthetic, TimeStampedModel):
    """The annual M&E round: figures as of one date, the window cities report in, and who reports. A synthetic
    round is the demo's (`manage.py demo_data`): it holds only synthetic reports."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True,
                                            validators=[MinValueValidator(2018), MaxValueValidator(2100)])
    as_of = models.DateField(_("as of"), help_text=_("The date the round's figures describe."))
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True,
                                 help_text=_("Empty for past rounds whose dates were not recorded."))
    cities = models.ManyToManyField("network.City", verbose_name=_("reporting cities"), blank=True,
                                    related_name="reporting_rounds")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True,
                                     help_text=_("When the Secretariat closed the round; empty while it runs."))
    source = models.CharField(_("source"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q())

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-year"]
        indexes = [synthetic_index("round_synthetic_idx")]

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


class CityReport(Synthetic, TimeStampedModel):
    """A city's annual report for a round: a line per project and its indicator values for the year.

    Its state moves only through `actions.reports` (see `workflow.py` for who may do what); accepted
    reports are public and locked until the Secretariat reopens one with a reason. A report of a synthetic
    round is synthetic: accepting it records no progress on the city's projects.
    """

    round = models.ForeignKey(ReportingRound, verbose_name=_("round"), on_delete=models.PROTECT,
                              related_name="reports")
    city = models.ForeignKey("network.City", verbose_name=_("city"), on_delete=models.PROTECT,
                             related_name="annual_reports")
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices, default=ReportState.DRAFT)
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True,
                               help_text=_("The city's overview of the year: what moved, what held it back."))
    due_on = models.DateField(_("extended to"), null=True, blank=True,
                              help_text=_("A later deadline for this city than the round's closing date."))

    objects = ScopedQuerySet.as_manager()
    access = Access.of_city(Q(state=ReportState.ACCEPTED))

    class Meta:
        verbose_name = _("city report")
        verbose_name_plural = _("city reports")
        ordering = ["-round__year", "city__name"]
        constraints = [models.UniqueConstraint(fields=["round", "city"], name="city_report_once_per_round")]
        indexes = [models.Index(fields=["state", "round"], name="city_report_state_idx"),
                   synthetic_index("city_report_synthetic_idx")]

    def __str__(self) -> str:
        return f"{self.city} {self.round}"

    @property
    def is_locked(self) -> bool:
        """Accepted reports are locked; submitted and endorsed ones wait for a decision."""
        return self.state not in (ReportState.DRAFT, ReportState.RETURNED)


class ProjectReport(models.Model):
    """One project in a city's annual report: its status, how far it is, and what happened."""

    report = models.ForeignKey(CityReport, on_delete=models.CASCADE, related_name="project_lines")
    project = models.ForeignKey("plans.Project", verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="report_lines")
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), null=True, blank=True,
                                                        validators=[MaxValueValidator(100)])
    progress = models.TextField(_("progress"), blank=True)
    partner_support = models.TextField(_("partner support"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    is_highlighted = models.BooleanField(_("highlighted"), default=False,
                                         help_text=_("The project the M&E report features for this city."))

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(report__state=ReportState.ACCEPTED), country="report__city__country_id",
                    city="report__city_id", editors=frozenset({Role.CITY_OFFICER}))

    class Meta:
        verbose_name = _("project line")
        verbose_name_plural = _("project lines")
        ordering = ["project__reference", "project__title"]
        constraints = [
            models.UniqueConstraint(fields=["report", "project"], name="project_line_once_per_report"),
            models.CheckConstraint(name="project_line_percent_0_100",
                                   condition=Q(percent_complete__isnull=True) | Q(percent_complete__lte=100)),
        ]

    def __str__(self) -> str:
        return str(self.project)

    def clean(self) -> None:
        if self.status == ProjectStatus.COMPLETED and self.percent_complete not in (None, 100):
            raise ValidationError({"percent_complete": _("A completed project is 100 percent complete.")})


class ReportTransition(models.Model):
    """One step of a report's workflow: who did what, when, and why (a reason is required to return
    or reopen)."""

    report = models.ForeignKey(CityReport, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=10, choices=ReportAction.choices)
    from_state = models.CharField(_("from"), max_length=12, choices=ReportState.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=ReportState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("report transition")
        verbose_name_plural = _("report transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report}: {self.from_state} → {self.to_state}"


class ReminderSent(models.Model):
    """A reminder e-mail already sent, so the scheduled task sends each one once."""

    report = models.ForeignKey(CityReport, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kind", "recipient", "sent_on"],
                                               name="reminder_once_per_day")]

    def __str__(self) -> str:
        return f"{self.report} {self.kind} {self.sent_on}"


class CityIndicator(Synthetic, TimeStampedModel):
    """An indicator assigned to a city, with its baseline; its targets hang off it (a synthetic assignment's
    baseline and targets are the demo's too)."""

    city = models.ForeignKey("network.City", verbose_name=_("city"), on_delete=models.PROTECT,
                             related_name="indicators")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT,
                                  related_name="assignments")
    baseline_value = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True,
                                                     validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    notes = models.TextField(_("notes"), blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access.of_city(Q(indicator__is_published=True))

    class Meta:
        verbose_name = _("city indicator")
        verbose_name_plural = _("city indicators")
        ordering = ["city__name", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["city", "indicator"], name="city_indicator_once")]
        indexes = [synthetic_index("city_indicator_synthetic_idx")]

    def __str__(self) -> str:
        return f"{self.city}: {self.indicator.code}"

    def clean(self) -> None:
        if (self.baseline_value is None) != (self.baseline_year is None):
            raise ValidationError({"baseline_year": _("Give the baseline value and its year together.")})


class Target(models.Model):
    """What a city aims for on an indicator by a year."""

    assignment = models.ForeignKey(CityIndicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    value = models.FloatField(_("target"))

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(assignment__indicator__is_published=True), country="assignment__city__country_id",
                    city="assignment__city_id", editors=frozenset({Role.CITY_OFFICER}))

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["assignment", "year"]
        constraints = [models.UniqueConstraint(fields=["assignment", "year"], name="target_once_per_year")]

    def __str__(self) -> str:
        return f"{self.assignment} {self.year}: {self.value}"


class Observation(Synthetic, TimeStampedModel):
    """A city's value of an indicator for a period ("2025", "2025-Q3" or "2025-07"), with where it came
    from. Validation flags are kept on the row (`flags`) for review, not used to reject it."""

    # Observations are the network's fact table (millions of rows, loaded in bulk), so their references
    # carry no database index or constraint of their own: the unique (city, indicator, period) and
    # (indicator, period) indexes serve the lookups; the loads write only ids they have just looked up;
    # PROTECT (checked by Django before a city or indicator is deleted) keeps rows from losing them.
    # A foreign-key check per row halved the bulk load's speed on PostgreSQL.
    city = models.ForeignKey("network.City", verbose_name=_("city"), on_delete=models.PROTECT,
                             related_name="observations", db_index=False, db_constraint=False)
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT,
                                  related_name="observations", db_index=False, db_constraint=False)
    period = models.CharField(_("period"), max_length=7)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    value = models.FloatField(_("value"))
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    method = models.CharField(_("method"), max_length=300, blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="evidence/%Y/", blank=True)
    comment = models.TextField(_("comment"), blank=True)
    verification = models.CharField(_("verification"), max_length=10, choices=Verification.choices,
                                    default=Verification.REPORTED)
    flags = models.JSONField(_("validation flags"), default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", db_index=False, db_constraint=False)

    objects = ScopedQuerySet.as_manager()
    access = Access.of_city(Q(indicator__is_published=True))

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["indicator", "city", "period"]
        constraints = [models.UniqueConstraint(fields=["city", "indicator", "period"], name="observation_once")]
        indexes = [models.Index(fields=["indicator", "period"], name="observation_indicator_idx"),
                   synthetic_index("observation_synthetic_idx")]

    def __str__(self) -> str:
        return f"{self.city} {self.indicator.code} {self.period}: {self.value}"


class ObservationImport(TimeStampedModel):
    """An uploaded observations file: kept as uploaded, with its dry-run summary and whether it was committed."""

    file = models.FileField(_("file"), upload_to="imports/observations/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    city = models.ForeignKey("network.City", verbose_name=_("city"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    committed_at = models.DateTimeField(_("committed"), null=True, blank=True)

    class Meta:
        verbose_name = _("observation import")
        verbose_name_plural = _("observation imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name


class MEReport(TimeStampedModel):
    """A generated ASCN M&E report for a round: its figures as of `as_of`, computed once, and its editions (the
    HTML and the PDF in each of the site's languages, `MEReportEdition`).

    Generation runs as a background task that updates `progress` and `step` as it goes."""

    round = models.ForeignKey(ReportingRound, verbose_name=_("round"), on_delete=models.PROTECT,
                              related_name="me_reports")
    as_of = models.DateField(_("as of"))
    state = models.CharField(_("state"), max_length=10, choices=GenerationState.choices,
                             default=GenerationState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0, validators=[MaxValueValidator(100)])
    step = models.CharField(_("step"), max_length=200, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(state=GenerationState.DONE))

    class Meta:
        verbose_name = _("M&E report")
        verbose_name_plural = _("M&E reports")
        ordering = ["-round__year", "-created_at"]

    def __str__(self) -> str:
        return f"ASCN M&E report {self.round} (as of {self.as_of})"


class MEReportEdition(TimeStampedModel):
    """One language of a generated M&E report: the same figures written and printed in that language. A done
    report has one edition per language of the site; the public sees those of done reports only."""

    report = models.ForeignKey(MEReport, verbose_name=_("M&E report"), on_delete=models.CASCADE,
                               related_name="editions")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    html = models.TextField(blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/me/", blank=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(report__state=GenerationState.DONE))

    class Meta:
        verbose_name = _("M&E report edition")
        verbose_name_plural = _("M&E report editions")
        ordering = ["report", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "language"], name="me_edition_one_per_language")]

    def __str__(self) -> str:
        return f"{self.report} [{self.language}]"


class PublishedFigures(models.Model):
    """The headline figures a published ASCN M&E report states about itself for a round.

    They are the report's own numbers, kept as printed with their source; the platform has no
    project-level data behind them for the rounds before it ran. Status and focus-area shares are
    percentages as printed, keyed by `ProjectStatus` and focus-area codes."""

    round = models.OneToOneField(ReportingRound, verbose_name=_("round"), on_delete=models.CASCADE,
                                 related_name="published_figures")
    as_of = models.DateField(_("as of"))
    projects = models.PositiveIntegerField(_("projects"))
    status_counts = models.JSONField(_("projects by status"), default=dict, blank=True)
    status_shares = models.JSONField(_("status shares (%)"), default=dict, blank=True)
    focus_area_shares = models.JSONField(_("focus-area shares (%)"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=500)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q())

    class Meta:
        verbose_name = _("published figures")
        verbose_name_plural = _("published figures")
        ordering = ["round__year"]

    def __str__(self) -> str:
        return f"{self.round}: {self.projects}"
