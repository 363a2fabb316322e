"""Reads of the knowledge app shown to users, through the permission layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import Prefetch, Q

from ascn.finance.models import FinancingInstrument
from ascn.network.models import Partner
from ascn.plans.models import Project

from .models import CaseStudy

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from ascn.core.permissions import Actor, ScopedQuerySet

    class VisibleProject(TypedDict):
        visible_project: Project | None

    CaseStudyRow = WithAnnotations[CaseStudy, VisibleProject]


def case_studies(user: Actor | None, focus_area: str | None = None, instrument: str | None = None,
                 text: str | None = None) -> ScopedQuerySet[CaseStudyRow]:
    """The case studies the user may see, optionally of one focus area (its code), illustrating one
    financing instrument (its slug) or containing `text` in the title or summary. Each comes with its
    city, focus areas, visible instruments and partners, and `visible_project` (None when the user may
    not see the project), in a fixed number of queries."""
    # One Prefetch per call: the stubs type all the Prefetch arguments of one call with one queryset type.
    qs = (CaseStudy.objects.visible_to(user).select_related("city__country")
          .prefetch_related("focus_areas")
          .prefetch_related(Prefetch("instruments", queryset=FinancingInstrument.objects.visible_to(user)))
          .prefetch_related(Prefetch("partners", queryset=Partner.objects.visible_to(user)))
          .prefetch_related(Prefetch("project", queryset=Project.objects.visible_to(user),
                                     to_attr="visible_project")))
    if focus_area:
        qs = qs.filter(focus_areas__code=focus_area)
    if instrument:
        qs = qs.filter(instruments__in=FinancingInstrument.objects.visible_to(user).filter(slug=instrument))
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(summary__icontains=text))
    # A Prefetch's to_attr holds a list, except on a forward relation like `project`, where Django sets the
    # one related object or None; the plugin types every to_attr as a list, hence the cast.
    return cast("ScopedQuerySet[CaseStudyRow]", qs.order_by("title", "id"))


def case_studies_for_instrument(user: Actor | None, instrument: FinancingInstrument) -> ScopedQuerySet[CaseStudyRow]:
    """The published case studies the user may see that illustrate `instrument` (for its catalogue page)."""
    return case_studies(user).filter(instruments=instrument, is_published=True)
