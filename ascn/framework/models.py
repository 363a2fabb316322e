"""The ASEAN Smart Cities Framework as data, and the tagging relation every other app uses."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ascn.core.models import Translatable
from ascn.core.permissions import Access, ScopedQuerySet

from .choices import NodeKind


class FrameworkNode(Translatable):
    """An outcome, urban system, focus area, M&E project type (under a focus area) or enabler."""

    code = models.CharField(_("code"), max_length=100, unique=True, validators=[
        RegexValidator(r"^[a-z0-9_]+(\.[a-z0-9_]+)?$", _("Use lower-case letters, digits and _, with one dot "
                                                        "between a focus area and a project type."))])
    kind = models.CharField(_("kind"), max_length=20, choices=NodeKind.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedQuerySet.as_manager()
    access = Access(public=Q())

    class Meta:
        verbose_name = _("framework node")
        verbose_name_plural = _("framework nodes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == NodeKind.PROJECT_TYPE:
            if self.parent is None or self.parent.kind != NodeKind.FOCUS_AREA:
                raise ValidationError({"parent": _("A project type belongs to a focus area.")})
        elif self.parent_id is not None:
            raise ValidationError({"parent": _("Only project types have a parent.")})

    @property
    def display_description(self) -> str:
        return self.translated("description")


class FrameworkTag(models.Model):
    """Tags any record with a framework node; at most one primary tag (a focus area) per record."""

    node = models.ForeignKey(FrameworkNode, on_delete=models.PROTECT, related_name="tags")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    tagged = GenericForeignKey("content_type", "object_id")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("framework tag")
        verbose_name_plural = _("framework tags")
        indexes = [models.Index(fields=["content_type", "object_id"], name="frameworktag_object_idx")]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "node"], name="frameworktag_unique"),
            models.UniqueConstraint(fields=["content_type", "object_id"], condition=Q(is_primary=True),
                                    name="frameworktag_one_primary"),
        ]

    def __str__(self) -> str:
        return f"{self.node}{' (primary)' if self.is_primary else ''}"


class Tagged(models.Model):
    """Mixin for models tagged with framework nodes: `obj.framework_tags`, and
    `Model.objects.filter(framework_tags__node__code=...)`."""

    framework_tags = GenericRelation(FrameworkTag, related_query_name="%(app_label)s_%(class)s")

    class Meta:
        abstract = True

    @property
    def primary_focus_area(self) -> FrameworkNode | None:
        return next((t.node for t in self.framework_tags.all() if t.is_primary), None)

    @property
    def secondary_nodes(self) -> list[FrameworkNode]:
        return [t.node for t in self.framework_tags.all() if not t.is_primary]
