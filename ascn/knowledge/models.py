"""The knowledge hub: case studies today (documents and search pages come later)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ascn.core.models import TimeStampedModel, Translatable
from ascn.core.permissions import Access, ScopedQuerySet
from ascn.framework.choices import NodeKind


class CaseStudy(Translatable, TimeStampedModel):
    """What happened in a member city's project, with its sources, and the financing it illustrates."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("summary"), help_text=_("What the sources say, and nothing more."))
    lessons = models.TextField(_("lessons"), blank=True,
                               help_text=_("The platform's own reading of the case, not a sourced fact."))
    city = models.ForeignKey("network.City", verbose_name=_("city"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="case_studies")
    project = models.ForeignKey("plans.Project", verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="case_studies")
    focus_areas = models.ManyToManyField("framework.FrameworkNode", verbose_name=_("focus areas"), blank=True,
                                         limit_choices_to={"kind": NodeKind.FOCUS_AREA}, related_name="+")
    instruments = models.ManyToManyField("finance.FinancingInstrument", verbose_name=_("financing instruments"),
                                         blank=True, related_name="case_studies",
                                         help_text=_("Only the instruments the sources show were used."))
    partners = models.ManyToManyField("network.Partner", verbose_name=_("partners"), blank=True,
                                      related_name="case_studies")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True,
                                            validators=[MinValueValidator(1990), MaxValueValidator(2100)],
                                            help_text=_("The year the case refers to, where the sources give one."))
    source = models.CharField(_("source"), max_length=1000,
                              help_text=_("Source keys (S1 to S13) or full URLs, separated by “; ”."))
    is_published = models.BooleanField(_("published"), default=True)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q(is_published=True))

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.project_id and self.project is not None and self.project.city_id != self.city_id:
            raise ValidationError({"project": _("The project must belong to the case study's city.")})

    @property
    def display_title(self) -> str:
        return self.translated("title")

    @property
    def display_summary(self) -> str:
        return self.translated("summary")

    @property
    def display_lessons(self) -> str:
        return self.translated("lessons")

    @property
    def sources(self) -> list[tuple[str, str]]:
        """The sources as (label, url): a URL links to itself, a source key has no URL."""
        parts = [part.strip() for part in self.source.split(";") if part.strip()]
        return [(part, part if part.startswith(("https://", "http://")) else "") for part in parts]
