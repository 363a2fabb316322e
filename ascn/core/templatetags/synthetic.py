"""Labels of synthetic (demo) records, one definition for every page (see `ascn.core.synthetic`).

    {% load synthetic %}
    {{ name }}{% synthetic_tag observation %}  a "Synthetic" tag (after a space) when the record (or row dict) is
                                               synthetic; nothing at all otherwise
    {% synthetic_notice rows %}                the notice when any of the rows is synthetic
    {% synthetic_notice True %}                the notice when the page says so
"""

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html

from ascn.core import synthetic

register = template.Library()


@register.simple_tag
def synthetic_tag(obj: Any) -> str:
    if not synthetic.is_synthetic(obj):
        return ""
    return format_html(' <span class="tag warn synthetic" title="{}">{}</span>', synthetic.TITLE, synthetic.LABEL)


@register.simple_tag
def synthetic_notice(shown: Any = True) -> str:
    """The notice of a page whose figures include synthetic values: `shown` is a flag or rows to look through."""
    if isinstance(shown, Iterable) and not isinstance(shown, str | dict):
        shown = synthetic.any_synthetic(shown)
    if not shown:
        return ""
    return format_html('<p class="message synthetic-notice" role="note"><span class="tag warn synthetic">{}</span> '
                       '{}</p>', synthetic.LABEL, synthetic.NOTICE)
