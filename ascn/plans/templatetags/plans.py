from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import template
from django.core.exceptions import FieldDoesNotExist

from ascn.core import numbers

from .. import queries
from ..choices import ProjectStatus
from ..models import StrategicTarget

if TYPE_CHECKING:
    from ascn.network.models import City

register = template.Library()


@register.inclusion_tag("plans/partials/city_projects.html", takes_context=True)
def city_projects(context: template.Context, city: City) -> dict[str, Any]:
    """The projects and current action plan of a city, for its profile page."""
    user = context["request"].user
    filters = queries.ProjectFilters(city=city.slug)
    counts = queries.counts_by(user, "status", filters)
    return {
        "city": city,
        "projects": list(queries.projects(user, filters)[:12]),
        "total": sum(counts.values()),
        "counts": [(label, counts.get(value, 0), value) for value, label in ProjectStatus.choices],
        "plan": queries.plans(user, city=city.slug, current_only=True).first(),
    }


@register.filter
def version_value(value: Any) -> str:
    """A value of a plan version as a reader compares it: a dash for nothing, numbers in the page's
    language (years as they are written)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal | float):
        return numbers.for_people(value, 4)
    return str(value)


@register.filter
def target_field_label(name: str) -> str:
    """A target field's name in the reader's language ("target value")."""
    try:
        label = str(StrategicTarget._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return name
    return label[:1].upper() + label[1:]
