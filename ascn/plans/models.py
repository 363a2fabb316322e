"""Smart City Action Plans (versioned per year) and the project pipeline."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Self, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ascn.core.models import TimeStampedModel
from ascn.core.money import is_currency
from ascn.core.permissions import Access, ScopedQuerySet
from ascn.core.text import search_blob
from ascn.framework.choices import NodeKind
from ascn.framework.models import Tagged

from .choices import ProjectStage, ProjectStatus, SupportKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The querysets are generic over their model, as django-stubs expects of a custom queryset: the manager
# binds it to the model, and `.annotate()` keeps the annotations' types.
_M = TypeVar("_M", bound=models.Model)


# City officers write their city's plans and projects; NRs see (and comment on) their country's. Rows
# that belong to a project are seen and edited as their project is.
PROJECT_PART = Access.of_city(Q(project__is_published=True), via="project__")


def validate_currency(code: str) -> None:
    if not is_currency(code):
        raise ValidationError(_("“%(code)s” is not an ISO 4217 currency code."), params={"code": code})


class ProjectQuerySet(ScopedQuerySet[_M]):
    def search(self, text: str) -> Self:
        from ascn.core.search import text_filter

        condition = text_filter(Project, text)
        return self.filter(condition) if condition is not None else self


class Project(Tagged, TimeStampedModel):
    """A smart city project of a member city. `status` is the status of its latest progress update."""

    reference = models.CharField(_("reference"), max_length=20, blank=True,
                                 help_text=_("The number in the M&E report appendix, e.g. A12."))
    city = models.ForeignKey("network.City", verbose_name=_("city"), on_delete=models.PROTECT,
                             related_name="projects")
    title = models.CharField(_("title"), max_length=250)
    objective = models.TextField(_("objective"), blank=True)
    description = models.TextField(_("description"), blank=True)
    focus_area = models.ForeignKey("framework.FrameworkNode", verbose_name=_("focus area"), on_delete=models.PROTECT,
                                   related_name="+", limit_choices_to={"kind": NodeKind.FOCUS_AREA})
    project_type = models.ForeignKey("framework.FrameworkNode", verbose_name=_("project type"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+",
                                     limit_choices_to={"kind": NodeKind.PROJECT_TYPE})
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices,
                              default=ProjectStatus.PLANNING)
    stage = models.CharField(_("stage"), max_length=20, choices=ProjectStage.choices, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[validate_currency])
    cost_estimate = models.DecimalField(_("cost estimate"), max_digits=18, decimal_places=2, null=True, blank=True,
                                        validators=[MinValueValidator(0)])
    funding_secured = models.DecimalField(_("funding secured"), max_digits=18, decimal_places=2, null=True,
                                          blank=True, validators=[MinValueValidator(0)])
    support_notes = models.TextField(_("support required (details)"), blank=True)
    support_kinds = models.CharField(max_length=80, blank=True, editable=False,
                                     help_text="“|financial|technical|”: the kinds of its support needs, for filters")
    partners = models.ManyToManyField("network.Partner", verbose_name=_("partners involved"), blank=True,
                                      related_name="projects")
    links = models.JSONField(_("links"), default=list, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    source = models.CharField(_("source"), max_length=500, blank=True)
    search_text = models.TextField(editable=False, blank=True)

    objects = ProjectQuerySet.as_manager()
    access = Access.of_city(Q(is_published=True))

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["title", "id"]
        indexes = [
            # Covering indexes for the pipeline's facets (one grouped scan) and per-city counts.
            models.Index(fields=["status", "stage", "focus_area", "project_type", "support_kinds", "is_published"],
                         name="project_facets_idx"),
            models.Index(fields=["city", "status", "stage", "focus_area", "project_type", "support_kinds",
                                 "is_published"], name="project_city_facets_idx"),
            models.Index(fields=["status", "title", "id"], name="project_status_title_idx"),
            models.Index(fields=["focus_area", "status"], name="project_focus_status_idx"),
            models.Index(fields=["title", "id"], name="project_title_idx"),
            models.Index(fields=["-cost_estimate", "id"], name="project_cost_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], condition=~Q(reference=""), name="project_unique_reference"),
            models.CheckConstraint(name="project_ends_after_start", condition=Q(start_date__isnull=True)
                                   | Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date"))),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def funding_gap(self) -> Decimal | None:
        if self.cost_estimate is None:
            return None
        return max(self.cost_estimate - (self.funding_secured or Decimal(0)), Decimal(0))

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if (self.project_type_id and self.focus_area_id and self.project_type is not None
                and self.project_type.parent_id != self.focus_area_id):
            errors["project_type"] = _("This project type belongs to another focus area.")
        if self.focus_area_id and self.focus_area.kind != NodeKind.FOCUS_AREA:
            errors["focus_area"] = _("Choose one of the six focus areas.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end must not be before the start.")
        if self.reference and Project.objects.exclude(pk=self.pk).filter(reference=self.reference).exists():
            errors["reference"] = _("Another project already has this reference.")
        if (self.cost_estimate is not None and self.funding_secured is not None
                and self.funding_secured > self.cost_estimate):
            errors["funding_secured"] = _("Funding secured cannot exceed the cost estimate.")
        if not isinstance(self.links, list) or not all(
            isinstance(link, dict) and str(link.get("url", "")).startswith(("http://", "https://"))
            for link in self.links
        ):
            errors["links"] = _("Give links as a list of {label, url} with http(s) addresses.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        self.search_text = search_blob(self.title, self.reference, self.objective, self.description)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class SupportNeed(models.Model):
    """One kind of support a project requires, with what exactly."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="support_needs")
    kind = models.CharField(_("kind"), max_length=20, choices=SupportKind.choices)
    details = models.TextField(_("details"), blank=True)

    objects = ScopedQuerySet.as_manager()
    access = PROJECT_PART

    class Meta:
        verbose_name = _("support required")
        verbose_name_plural = _("support required")
        ordering = ["project", "kind"]
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="support_unique_kind")]
        indexes = [models.Index(fields=["kind", "project"], name="support_kind_project_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ProgressUpdate(TimeStampedModel):
    """A dated report on a project: its status then, how far it is, and what happened."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), null=True, blank=True,
                                                        validators=[MaxValueValidator(100)])
    milestones = models.TextField(_("milestones reached"), blank=True)
    progress = models.TextField(_("progress"), blank=True)
    partner_support = models.TextField(_("partner support"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    source = models.CharField(_("source"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    access = PROJECT_PART

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["project", "-date"], name="update_project_date_idx")]
        constraints = [models.CheckConstraint(name="update_percent_0_100",
                                              condition=Q(percent_complete__isnull=True)
                                              | Q(percent_complete__lte=100))]

    def __str__(self) -> str:
        return f"{self.project} {self.date}: {self.get_status_display()}"

    def clean(self) -> None:
        if self.status == ProjectStatus.COMPLETED and self.percent_complete not in (None, 100):
            raise ValidationError({"percent_complete": _("A completed project is 100 percent complete.")})


class ProjectDocument(TimeStampedModel):
    """A file attached to a project; the original upload is kept as it was."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="projects/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ActionPlanQuerySet(ScopedQuerySet[_M]):
    def current(self) -> Self:
        """The newest version of each city's plan among these (so after `visible_to`, the newest visible)."""
        newest = self.filter(city=models.OuterRef("city")).order_by("-year").values("year")[:1]
        return self.filter(year=models.Subquery(newest))


class ActionPlan(TimeStampedModel):
    """One version (year) of a city's Smart City Action Plan."""

    city = models.ForeignKey("network.City", verbose_name=_("city"), on_delete=models.PROTECT,
                             related_name="action_plans")
    year = models.PositiveSmallIntegerField(_("version (year)"),
                                            validators=[MinValueValidator(2018), MaxValueValidator(2100)])
    vision = models.TextField(_("vision"))
    horizon_year = models.PositiveSmallIntegerField(_("horizon (year)"), null=True, blank=True,
                                                    validators=[MinValueValidator(2018), MaxValueValidator(2100)])
    focus_areas = models.ManyToManyField("framework.FrameworkNode", verbose_name=_("focus areas"), blank=True,
                                         related_name="+", limit_choices_to={"kind": NodeKind.FOCUS_AREA})
    priority_projects = models.ManyToManyField(Project, verbose_name=_("priority projects"), blank=True,
                                               related_name="action_plans")
    is_published = models.BooleanField(_("published"), default=False)
    source = models.CharField(_("source"), max_length=500, blank=True)

    objects = ActionPlanQuerySet.as_manager()
    access = Access.of_city(Q(is_published=True))

    class Meta:
        verbose_name = _("Smart City Action Plan")
        verbose_name_plural = _("Smart City Action Plans")
        ordering = ["city__name", "-year"]
        constraints = [models.UniqueConstraint(fields=["city", "year"], name="plan_one_version_per_year")]

    def __str__(self) -> str:
        return f"{self.city} {self.year}"

    def clean(self) -> None:
        if self.horizon_year and self.year and self.horizon_year < self.year:
            raise ValidationError({"horizon_year": _("The horizon cannot be before the plan's year.")})


class StrategicTarget(models.Model):
    """A specific, measurable, time-bound target of an action plan."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    statement = models.TextField(_("target"))
    metric = models.CharField(_("metric"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline_value = models.DecimalField(_("baseline"), max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=20, decimal_places=4, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    # The target of the version before that this one was copied from: comparing versions follows it, so a
    # target edited in place reads as changed rather than as one removed and another added.
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    editable=False)

    class Meta:
        verbose_name = _("strategic target")
        verbose_name_plural = _("strategic targets")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.statement[:80]

    def clean(self) -> None:
        if self.baseline_year and self.target_year and self.target_year < self.baseline_year:
            raise ValidationError({"target_year": _("The target year cannot be before the baseline year.")})
        if (self.baseline_value is None) != (self.baseline_year is None):
            raise ValidationError({"baseline_year": _("Give the baseline value and its year together.")})


class Comment(TimeStampedModel):
    """A remark on a project or a plan, e.g. by the country's National Representative."""

    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    plan = models.ForeignKey(ActionPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]
        constraints = [models.CheckConstraint(name="comment_on_one_record",
                                              condition=Q(project__isnull=False, plan__isnull=True)
                                              | Q(project__isnull=True, plan__isnull=False))]

    def __str__(self) -> str:
        return self.body[:60]


class ProjectImport(TimeStampedModel):
    """An uploaded project file: kept as uploaded, with its dry-run summary and whether it was committed."""

    file = models.FileField(_("file"), upload_to="imports/projects/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    committed_at = models.DateTimeField(_("committed"), null=True, blank=True)

    class Meta:
        verbose_name = _("project import")
        verbose_name_plural = _("project imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
