"""Template tags of the financing toolkit, for its sections on other apps' pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from ..queries.readiness import readiness_readable as readable

if TYPE_CHECKING:
    from ascn.plans.models import Project

register = template.Library()


@register.simple_tag(takes_context=True)
def readiness_readable(context: template.Context, project: Project) -> bool:
    """Whether the project's readiness page answers the reader: `{% readiness_readable project as shown %}`
    before a link to it (the page decides with the same query)."""
    return readable(context["request"].user, project)
