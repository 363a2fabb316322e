"""The financing instrument catalogue, projects' business cases and their readiness for financing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ascn.core.models import TimeStampedModel, Translatable
from ascn.core.permissions import Access, ScopedQuerySet
from ascn.core.synthetic import Synthetic, synthetic_index

from .choices import CriterionStatus, InstrumentCategory, ReadinessStage


class FinancingInstrument(Translatable, TimeStampedModel):
    """A way to finance smart city projects: what it suits, what it requires, its usual terms."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=30, choices=InstrumentCategory.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    summary = models.TextField(_("summary"))
    suits = models.TextField(_("what it suits"), blank=True)
    requires = models.TextField(_("what it requires"), blank=True)
    typical_tenor = models.CharField(_("typical tenor"), max_length=100, blank=True)
    typical_cost = models.CharField(_("typical cost"), max_length=200, blank=True)
    revenue_profiles = models.JSONField(_("revenue profiles it suits"), default=list,
                                        help_text=_("Any of full, partial, none."))
    stages = models.JSONField(_("project stages"), default=list, blank=True,
                              help_text=_("Project stages it is used at; empty: any."))
    focus_areas = models.ManyToManyField("framework.FrameworkNode", verbose_name=_("focus areas"), blank=True,
                                         limit_choices_to={"kind": "focus_area"}, related_name="+",
                                         help_text=_("Focus areas it is used for; none: any."))
    min_size_usd = models.DecimalField(_("smallest usual size (USD)"), max_digits=16, decimal_places=0,
                                       null=True, blank=True)
    max_size_usd = models.DecimalField(_("largest usual size (USD)"), max_digits=16, decimal_places=0,
                                       null=True, blank=True)
    needs_borrowing_powers = models.BooleanField(_("needs a city that may borrow"), default=False)
    needs_creditworthiness = models.BooleanField(_("needs creditworthiness"), default=False)
    needs_revenue_stream = models.BooleanField(_("needs a revenue stream"), default=False)
    needs_ppp_framework = models.BooleanField(_("needs a PPP framework"), default=False)
    providers = models.ManyToManyField("network.Partner", verbose_name=_("providers in the network"),
                                       blank=True, related_name="instruments")
    source = models.CharField(_("source"), max_length=1000, blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(is_published=True))

    class Meta:
        verbose_name = _("financing instrument")
        verbose_name_plural = _("financing instruments")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(name="instrument_size_range",
                                   condition=Q(min_size_usd__isnull=True) | Q(max_size_usd__isnull=True)
                                   | Q(min_size_usd__lte=models.F("max_size_usd"))),
        ]

    def __str__(self) -> str:
        return self.name


class BusinessCase(Synthetic, TimeStampedModel):
    """One scenario of a project's business case: the cash-flow model, its risk and sensitivity
    settings, and the results computed from them whenever they change. A synthetic one is the demo's."""

    project = models.ForeignKey("plans.Project", on_delete=models.CASCADE, related_name="business_cases",
                                verbose_name=_("project"))
    scenario = models.CharField(_("scenario"), max_length=100,
                                help_text=_("For example “Base case”, “PPP with availability payments”."))
    description = models.TextField(_("description"), blank=True)
    inputs = models.JSONField(_("cash-flow model"), default=dict)
    risk = models.JSONField(_("risk settings"), default=dict, blank=True)
    sensitivity = models.JSONField(_("sensitivity settings"), default=dict, blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True, editable=False)
    is_preferred = models.BooleanField(_("preferred scenario"), default=False,
                                       help_text=_("The scenario the readiness score takes its figures from."))
    is_published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))

    objects = ScopedQuerySet.as_manager()
    access = Access.of_city(Q(is_published=True, project__is_published=True), via="project__")  # as its project

    class Meta:
        verbose_name = _("business case")
        verbose_name_plural = _("business cases")
        ordering = ["-is_preferred", "scenario"]
        constraints = [
            models.UniqueConstraint(fields=["project", "scenario"], name="business_case_scenario_unique"),
            models.UniqueConstraint(fields=["project"], condition=Q(is_preferred=True),
                                    name="business_case_one_preferred"),
        ]
        indexes = [synthetic_index("business_case_synthetic_idx")]

    def __str__(self) -> str:
        return f"{self.project}: {self.scenario}"

    @property
    def appraisal(self) -> dict[str, Any]:
        return self.results.get("appraisal") or {}

    @property
    def simulation(self) -> dict[str, Any] | None:
        return self.results.get("simulation")


class ReadinessAssessment(Synthetic, TimeStampedModel):
    """A project's readiness: its answers to the stage-gate criteria, with evidence, scored together
    with the appraisal of its preferred business case. A synthetic one (and its answers) is the demo's."""

    project = models.OneToOneField("plans.Project", on_delete=models.CASCADE, related_name="readiness",
                                   verbose_name=_("project"))
    target_stage = models.CharField(_("target gate"), max_length=30, blank=True, choices=ReadinessStage.choices,
                                    help_text=_("The gate the score is measured against; empty: the next one."))
    is_published = models.BooleanField(_("published"), default=False)

    objects = ScopedQuerySet.as_manager()
    access = Access.of_city(Q(is_published=True, project__is_published=True), via="project__")  # as its project

    class Meta:
        verbose_name = _("readiness assessment")
        verbose_name_plural = _("readiness assessments")
        indexes = [synthetic_index("readiness_synthetic_idx")]

    def __str__(self) -> str:
        return str(self.project)


class ReadinessAnswer(models.Model):
    """The project's status on one criterion, and what shows it."""

    assessment = models.ForeignKey(ReadinessAssessment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.CharField(_("criterion"), max_length=80)
    status = models.CharField(_("status"), max_length=20, choices=CriterionStatus.choices,
                              default=CriterionStatus.NOT_MET)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    document = models.ForeignKey("plans.ProjectDocument", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("evidence document"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("readiness answer")
        verbose_name_plural = _("readiness answers")
        ordering = ["criterion"]
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="readiness_answer_unique")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.status}"
