"""Reads of the reporting rounds the Secretariat runs: the list of rounds with their progress, one round's
table (every reporting city's state and deadline, by the definitions of `queries.reports`), the cities to
propose as reporting cities, and the round's history from the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ascn.core.models import AuditEntry
from ascn.network.models import City

from ..choices import ReportState
from ..models import CityReport, ReportingRound
from . import reports

if TYPE_CHECKING:
    from ascn.core.permissions import Actor


def rounds(user: Actor | None) -> QuerySet[ReportingRound]:
    """The rounds the user may see, newest first, with how many reporting cities each has (pick one by year
    with `visible_or_404`)."""
    return (ReportingRound.objects.visible_to(user).annotate(city_count=Count("cities", distinct=True))
            .order_by("-year"))


@dataclass(frozen=True)
class RoundStatus:
    """Where a round stands on a day: `key` (upcoming, open, past_close, closed, undated) and its words."""

    key: str
    label: str


def status(reporting_round: ReportingRound, on: dt.date) -> RoundStatus:
    def day(value: dt.date) -> str:
        return formats.date_format(value, "DATE_FORMAT")

    if reporting_round.closed_at is not None:
        closed = timezone.localdate(reporting_round.closed_at)
        return RoundStatus("closed", _("Closed on %(date)s") % {"date": day(closed)})
    if reporting_round.opens_on is None:
        return RoundStatus("undated", _("No reporting dates"))
    if on < reporting_round.opens_on:
        return RoundStatus("upcoming", _("Opens on %(date)s") % {"date": day(reporting_round.opens_on)})
    if reporting_round.closes_on is not None and reporting_round.closes_on < on:
        return RoundStatus("past_close", _("Open for late reports (closing date passed)"))
    return RoundStatus("open", _("Open"))


def summaries(items: list[ReportingRound], on: dt.date) -> list[dict[str, Any]]:
    """Per round of a page of the list: its status, how many cities reported (submitted or further), are
    overdue, or have not started. Four queries whatever the number of rounds."""
    rows = reports.round_items(items, on)
    result = []
    for r in items:
        mine = [row for row in rows if row.round.pk == r.pk]
        result.append({
            "round": r, "status": status(r, on), "cities": len(mine),
            "not_started": sum(1 for row in mine if row.state == reports.NOT_STARTED),
            "submitted": sum(1 for row in mine if row.state not in reports.CITY_TO_ACT),
            "accepted": sum(1 for row in mine if row.state == ReportState.ACCEPTED),
            "overdue": sum(1 for row in mine if row.overdue),
            "extended": sum(1 for row in mine if row.extended),
        })
    return result


def table(reporting_round: ReportingRound, on: dt.date) -> dict[str, Any]:
    """The round table: every reporting city (by name) with its report's state, its deadline and whether it is
    late, extended or missed the close, and the counts by state."""
    rows = reports.round_items([reporting_round], on)
    return reports.round_block(reporting_round, rows, on)


def proposed_cities(as_of: dt.date) -> QuerySet[City]:
    """The cities to propose as a round's reporting cities: the members of the network on the as-of date."""
    return City.objects.as_of(as_of).order_by("name")


def city_choices() -> list[tuple[str, str]]:
    """Every city of the network as (slug, "name (country)") in the reader's language, for choosing reporting
    cities."""
    return [(city.slug, f"{city.display_name} ({city.country.display_name})")
            for city in City.objects.select_related("country").order_by("name")]


def history(reporting_round: ReportingRound, limit: int = 50) -> list[AuditEntry]:
    """What was done to the round, newest first: its creation and changes, closing and reopening, reminders sent
    from its page, and its cities' extensions (with their reasons). Two queries."""
    report_ids = [str(pk) for pk in CityReport.objects.filter(round=reporting_round).values_list("pk", flat=True)]
    types = ContentType.objects.get_for_models(ReportingRound, CityReport)
    return list(AuditEntry.objects.filter(
        Q(content_type=types[ReportingRound], object_id=str(reporting_round.pk))
        | Q(content_type=types[CityReport], object_id__in=report_ids, changes__has_key="due_on"))
        .select_related("actor").order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class HistoryLine:
    """One entry of a round's history in words."""

    at: dt.datetime
    who: str
    what: str
    details: tuple[str, ...] = ()


NONE = "\N{EN DASH}"
DATE_FIELDS = {"as_of": gettext_lazy("as of"), "opens_on": gettext_lazy("opens on"),
               "closes_on": gettext_lazy("closes on")}


def history_lines(entries: list[AuditEntry]) -> list[HistoryLine]:
    """The round's audit entries as sentences: who created, changed, closed or reopened it, sent reminders,
    or extended a city's deadline, and why."""
    return [HistoryLine(e.created_at, e.actor.username if e.actor else _("the system"), *_describe(e))
            for e in entries]


def _describe(entry: AuditEntry) -> tuple[str, tuple[str, ...]]:
    changes: dict[str, Any] = entry.changes or {}
    reason = changes.get("reason", [None, ""])[1]
    because = (_("Reason: %(reason)s") % {"reason": reason},) if reason else ()
    if "due_on" in changes:
        city = entry.object_repr.rsplit(" ", 1)[0]
        new = changes["due_on"][1]
        if new:
            return _("extended the deadline of %(city)s to %(date)s") % {"city": city, "date": new}, because
        return _("ended the extension of %(city)s") % {"city": city}, because
    if entry.action == "create":
        cities = changes.get("cities", [None, []])[1] or []
        return _("created the round with %(count)d reporting cities") % {"count": len(cities)}, ()
    if "closed_at" in changes:
        return (_("closed the round"), ()) if changes["closed_at"][1] else (_("reopened the round"), because)
    if "reminders" in changes:
        sent = changes["reminders"][1] or []
        started = changes.get("drafts_started", [None, []])[1] or []
        drafts = (_("drafts started: %(cities)s") % {"cities": ", ".join(started)},) if started else ()
        return ngettext("sent reminders now (%(count)d e-mail)", "sent reminders now (%(count)d e-mails)",
                        len(sent)) % {"count": len(sent)}, (*sent, *drafts)
    details: list[str] = []
    for name, label in DATE_FIELDS.items():
        if name in changes:
            old, new = changes[name]
            details.append(f"{label}: {old or NONE} → {new or NONE}")
    if "cities" in changes:
        before, after = (set(v or []) for v in changes["cities"])
        if after - before:
            details.append(_("cities added: %(cities)s") % {"cities": ", ".join(sorted(after - before))})
        if before - after:
            details.append(_("cities removed: %(cities)s") % {"cities": ", ".join(sorted(before - after))})
    return _("changed the round"), tuple(details)
