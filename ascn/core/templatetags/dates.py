"""Dates in words, the same on every page and for every role: "due in 3 days", "due today", "4 days late",
never "in -4 days". Pages pass the day they count from (`today`), so a page and its tests agree on it.

    {% load dates %}
    {{ report_deadline|deadline_words:today }}   due in 3 days · due today · 4 days late
    {{ some_day|day_words:today }}               in 3 days · today · 4 days ago
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def days_until(day: dt.date, today: dt.date) -> int:
    """Whole days from `today` to `day`: positive ahead, negative past."""
    return (day - today).days


@register.filter
def deadline_words(deadline: dt.date | None, today: dt.date | None) -> str:
    """A deadline as words from `today`: "due in 3 days", "due tomorrow", "due today", "1 day late",
    "4 days late"; empty without a deadline."""
    if deadline is None or today is None:
        return ""
    days = days_until(deadline, today)
    if days == 0:
        return _("due today")
    if days == 1:
        return _("due tomorrow")
    if days > 0:
        return ngettext("due in %(days)d day", "due in %(days)d days", days) % {"days": days}
    return ngettext("%(days)d day late", "%(days)d days late", -days) % {"days": -days}


@register.filter
def day_words(day: dt.date | None, today: dt.date | None) -> str:
    """A day as words from `today`: "in 3 days", "tomorrow", "today", "yesterday", "4 days ago"; empty
    without a day."""
    if day is None or today is None:
        return ""
    days = days_until(day, today)
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days == -1:
        return _("yesterday")
    if days > 0:
        return ngettext("in %(days)d day", "in %(days)d days", days) % {"days": days}
    return ngettext("%(days)d day ago", "%(days)d days ago", -days) % {"days": -days}
