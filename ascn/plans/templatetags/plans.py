from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from .. import queries
from ..choices import ProjectStatus

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
