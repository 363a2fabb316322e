"""Reads of the city annual reports shown to users (through the permission layer), the inbox of what
each user must act on, and the reminders the daily task sends.

A round is *open* once its opening date has come (`opens_on <= today`); it stays open for late reports
after its closing date, when those reports are overdue. Past rounds whose dates were not recorded are
not open: their reports are read, not written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ascn.core.choices import Role
from ascn.core.models import User
from ascn.core.permissions import Principal
from ascn.network.models import City

from .. import workflow
from ..choices import ReportState
from ..models import CityReport, Observation, ProjectReport, ReminderSent, ReportingRound, ReportTransition

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

# Reminders to city officers start this many days before the round closes (and go on once it has).
REMIND_CITIES_DAYS_BEFORE = 7
NOT_STARTED = "not_started"
UNSUBMITTED = (ReportState.DRAFT, ReportState.RETURNED)


def today() -> dt.date:
    return timezone.localdate()


def open_rounds(on: dt.date) -> QuerySet[ReportingRound]:
    """Rounds whose opening date has come, newest first."""
    return ReportingRound.objects.filter(opens_on__isnull=False, opens_on__lte=on).order_by("-year")


def is_open(reporting_round: ReportingRound, on: dt.date) -> bool:
    return reporting_round.opens_on is not None and reporting_round.opens_on <= on


def is_past_close(reporting_round: ReportingRound, on: dt.date) -> bool:
    return reporting_round.closes_on is not None and reporting_round.closes_on < on


# --- Lists and the report page --------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    year: int | None = None
    country: str | None = None  # ISO3
    city: str | None = None     # slug
    state: str | None = None


def reports(user: Actor | None, filters: ReportFilters | None = None) -> QuerySet[CityReport]:
    """The city reports the user may see (the public and partners: accepted ones), newest round first."""
    f = filters or ReportFilters()
    qs = CityReport.objects.visible_to(user)
    if f.year:
        qs = qs.filter(round__year=f.year)
    if f.country:
        qs = qs.filter(city__country__iso3=f.country.upper())
    if f.city:
        qs = qs.filter(city__slug=f.city)
    if f.state:
        qs = qs.filter(state=f.state)
    return (qs.select_related("round", "city__country")
            .annotate(line_count=Count("project_lines"))
            .order_by("-round__year", "city__name", "id"))


def report_details(user: Actor | None) -> QuerySet[CityReport]:
    """The reports the user may see, each with its lines (and their projects) and its history (pick one with
    `visible_or_404`)."""
    return (CityReport.objects.visible_to(user).select_related("round", "city__country")
            .prefetch_related(Prefetch("project_lines", ProjectReport.objects.select_related("project")),
                              Prefetch("transitions", ReportTransition.objects.select_related("actor"))))


def report_detail(user: Actor | None, pk: int) -> CityReport:
    """One report with its lines (and their projects) and its history; raises CityReport.DoesNotExist."""
    return report_details(user).get(pk=pk)


def observations_for(user: Actor | None, report: CityReport) -> QuerySet[Observation]:
    """The city's indicator values for the round's year, as far as the user may see them."""
    return (Observation.objects.visible_to(user).filter(city_id=report.city_id, year=report.round.year)
            .select_related("indicator").order_by("indicator__code", "period"))


def in_scope(principal: Principal, report: CityReport) -> bool:
    """Whether the report is in the principal's workflow scope: the Secretariat every report, a National
    Representative those of the country's cities, a city officer those of the city."""
    return (principal.is_secretariat
            or (principal.role == Role.NATIONAL_REP and principal.country_id == report.city.country_id)
            or (principal.role == Role.CITY_OFFICER and principal.city_id == report.city_id))


def available_steps(user: Actor | None, report: CityReport) -> list[workflow.Transition]:
    """The workflow steps the user may take on the report now, by role and scope."""
    principal = Principal.of(user)
    return workflow.available(report.state, principal.role) if in_scope(principal, report) else []


def state_counts(user: Actor | None, years: list[int] | None = None) -> list[dict[str, Any]]:
    """Per round (newest first): how many reporting cities' reports are in each state, and how many have
    not started. Two queries whatever the number of rounds."""
    scoped = ReportingRound.objects.visible_to(user).annotate(city_count=Count("cities", distinct=True))
    if years is not None:
        scoped = scoped.filter(year__in=years)
    rounds = list(scoped.order_by("-year"))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (CityReport.objects.visible_to(user).filter(round__in=rounds).values("round_id", "state")
                .annotate(n=Count("id"))):
        counts[row["round_id"]][row["state"]] = row["n"]
    result = []
    for r in rounds:
        by_state = counts[r.pk]
        started = sum(by_state.values())
        result.append({"round": r, "cities": r.city_count, "not_started": max(r.city_count - started, 0),
                       "states": [(value, label, by_state.get(value, 0)) for value, label in ReportState.choices],
                       "accepted_share": round(100 * by_state.get(ReportState.ACCEPTED, 0) / r.city_count)
                       if r.city_count else 0})
    return result


def rounds_to_open(user: Actor | None) -> list[ReportingRound]:
    """For the Secretariat: rounds with a reporting city that has no report yet (open or not)."""
    if not Principal.of(user).is_secretariat:
        return []
    return list(ReportingRound.objects.annotate(
        cities_n=Count("cities", distinct=True), reports_n=Count("reports", distinct=True))
        .filter(cities_n__gt=F("reports_n")).order_by("-year"))


def rounds_to_start(user: Actor | None, on: dt.date | None = None) -> list[ReportingRound]:
    """For a city officer: the open rounds their city reports in and has no report for yet."""
    principal = Principal.of(user)
    if principal.role != Role.CITY_OFFICER or principal.city_id is None:
        return []
    return list(open_rounds(on or today()).filter(cities=principal.city_id)
                .exclude(reports__city_id=principal.city_id))


# --- The inbox ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    """A report (or a report not started yet: `report` None) and how it stands for the inbox's owner."""

    round: ReportingRound
    city: City
    report: CityReport | None
    state: str            # a ReportState value or NOT_STARTED
    overdue: bool
    days_left: int | None  # days to the closing date; negative once passed; None without a date

    @property
    def state_label(self) -> str:
        return _("Not started") if self.state == NOT_STARTED else str(ReportState(self.state).label)

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def waiting_on(self) -> str | None:
        return workflow.waiting_on(ReportState.DRAFT if self.state == NOT_STARTED else self.state)


@dataclass
class Inbox:
    """What is due (the user must act, the round still runs), overdue (the user must act and the round has
    closed) and waiting on others (in the user's scope, with someone else); for the Secretariat also every
    reporting city's state per active round."""

    due: list[InboxItem] = field(default_factory=list)
    overdue: list[InboxItem] = field(default_factory=list)
    waiting: list[InboxItem] = field(default_factory=list)
    overview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def action_count(self) -> int:
        return len(self.due) + len(self.overdue)


def _item(report: CityReport, on: dt.date, mine: bool) -> InboxItem:
    closes = report.round.closes_on
    return InboxItem(round=report.round, city=report.city, report=report, state=report.state,
                     overdue=mine and is_past_close(report.round, on),
                     days_left=(closes - on).days if closes else None)


def _not_started(reporting_round: ReportingRound, city: City, on: dt.date) -> InboxItem:
    closes = reporting_round.closes_on
    return InboxItem(round=reporting_round, city=city, report=None, state=NOT_STARTED,
                     overdue=is_past_close(reporting_round, on), days_left=(closes - on).days if closes else None)


def _sort(items: list[InboxItem]) -> list[InboxItem]:
    """Most pressing first: the earliest closing date, then the city's name."""
    return sorted(items, key=lambda i: (i.round.closes_on or dt.date.max, -i.round.year, i.city.name))


def _split(inbox: Inbox, items: list[InboxItem]) -> None:
    for item in _sort(items):
        (inbox.overdue if item.overdue else inbox.due).append(item)


def inbox(user: Actor | None, on: dt.date | None = None) -> Inbox:
    """The user's inbox on `on` (today by default): a fixed number of queries whatever its size."""
    on = on or today()
    principal = Principal.of(user)
    box = Inbox()
    base = CityReport.objects.visible_to(user).select_related("round", "city__country")
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        rounds = list(open_rounds(on).filter(cities=principal.city_id))
        mine = {r.round_id: r for r in base.filter(city_id=principal.city_id, round__in=rounds)}
        items = []
        if rounds:
            city = City.objects.select_related("country").get(pk=principal.city_id)
            for r in rounds:
                report = mine.get(r.pk)
                if report is None:
                    items.append(_not_started(r, city, on))
                elif report.state in UNSUBMITTED:
                    items.append(_item(report, on, mine=True))
        _split(box, items)
        box.waiting = _sort([_item(r, on, mine=False) for r in base.filter(
            city_id=principal.city_id, state__in=(ReportState.SUBMITTED, ReportState.ENDORSED))])
    elif principal.role == Role.NATIONAL_REP and principal.country_id:
        _split(box, [_item(r, on, mine=True) for r in base.filter(state=ReportState.SUBMITTED)])
        box.waiting = _sort([_item(r, on, mine=False) for r in base.filter(
            Q(state__in=UNSUBMITTED, round__in=open_rounds(on)) | Q(state=ReportState.ENDORSED))])
    elif principal.is_secretariat:
        _split(box, [_item(r, on, mine=True) for r in base.filter(state=ReportState.ENDORSED)])
        box.waiting = _sort([_item(r, on, mine=False) for r in base.filter(state=ReportState.SUBMITTED)])
        box.overview = overview(user, on)
    return box


def overview(user: Actor | None, on: dt.date | None = None, limit: int = 3) -> list[dict[str, Any]]:
    """For the Secretariat: every reporting city's state in each active round (open, or with a report not
    yet accepted), newest first, at most `limit` rounds. Four queries."""
    on = on or today()
    if not Principal.of(user).is_secretariat:
        return []
    active = ReportingRound.objects.filter(
        Q(opens_on__isnull=False, opens_on__lte=on) | Q(reports__state__in=[
            ReportState.DRAFT, ReportState.RETURNED, ReportState.SUBMITTED, ReportState.ENDORSED])
    ).distinct().order_by("-year")[:limit]
    rounds = list(ReportingRound.objects.filter(pk__in=[r.pk for r in active])
                  .prefetch_related(Prefetch("cities", City.objects.select_related("country").order_by("name")))
                  .order_by("-year"))
    reports_by = {(r.round_id, r.city_id): r for r in CityReport.objects.filter(round__in=rounds)
                  .select_related("round", "city__country")}
    result = []
    for r in rounds:
        rows = []
        for city in r.cities.all():
            report = reports_by.get((r.pk, city.pk))
            rows.append(_item(report, on, mine=report is not None and report.state in (
                ReportState.DRAFT, ReportState.RETURNED, ReportState.SUBMITTED, ReportState.ENDORSED))
                if report else _not_started(r, city, on))
        counts: dict[str, int] = defaultdict(int)
        for row in rows:
            counts[row.state] += 1
        result.append({"round": r, "rows": rows, "open": is_open(r, on), "counts": _labelled_counts(counts)})
    return result


def _labelled_counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    labelled = [(NOT_STARTED, _("Not started"), counts.get(NOT_STARTED, 0))]
    labelled += [(value, str(label), counts.get(value, 0)) for value, label in ReportState.choices]
    return labelled


# --- Reminders ------------------------------------------------------------------------------------

SUBMIT_KIND, ENDORSE_KIND, ACCEPT_KIND = "submit", "endorse", "accept"


@dataclass
class Reminder:
    """One e-mail to send: a recipient, the reports it is about (of one round), and why."""

    kind: str
    recipient: User
    round: ReportingRound
    reports: list[CityReport]


def cities_to_remind(on: dt.date) -> list[tuple[ReportingRound, City]]:
    """(round, city) of open rounds closing within the reminder window (or closed) whose reporting city
    has no report yet: the task starts their drafts so the reminder can point at them."""
    window = on + dt.timedelta(days=REMIND_CITIES_DAYS_BEFORE)
    pairs = []
    for r in (open_rounds(on).filter(closes_on__isnull=False, closes_on__lte=window)
              .prefetch_related("cities", "reports")):
        started = {report.city_id for report in r.reports.all()}
        pairs += [(r, c) for c in r.cities.all() if c.pk not in started]
    return pairs


def reminders_due(on: dt.date) -> list[Reminder]:
    """The reminders to send on `on`, one per recipient, kind and round, leaving out reports the recipient
    was already reminded of that day:

    - city officers of reports not submitted (draft or returned) once the round closes within
      REMIND_CITIES_DAYS_BEFORE days or has closed;
    - National Representatives of the country of each submitted report;
    - every Secretariat account for each endorsed report.
    """
    window = on + dt.timedelta(days=REMIND_CITIES_DAYS_BEFORE)
    rounds = open_rounds(on)
    reports = list(CityReport.objects.filter(round__in=rounds).filter(
        Q(state__in=UNSUBMITTED, round__closes_on__isnull=False, round__closes_on__lte=window)
        | Q(state__in=(ReportState.SUBMITTED, ReportState.ENDORSED)))
        .select_related("round", "city__country").order_by("-round__year", "city__name"))
    if not reports:
        return []
    people = list(User.objects.filter(is_active=True).exclude(email="").filter(
        Q(role=Role.CITY_OFFICER, city_id__in={r.city_id for r in reports})
        | Q(role=Role.NATIONAL_REP, country_id__in={r.city.country_id for r in reports})
        | Q(role=Role.SECRETARIAT)).order_by("username"))
    sent = set(ReminderSent.objects.filter(report__in=reports, sent_on=on)
               .values_list("report_id", "kind", "recipient_id"))
    grouped: dict[tuple[str, int, int], Reminder] = {}
    for report in reports:
        kind, match = _who_acts(report)
        for person in people:
            if not match(person) or (report.pk, kind, person.pk) in sent:
                continue
            key = (kind, person.pk, report.round_id)
            grouped.setdefault(key, Reminder(kind, person, report.round, [])).reports.append(report)
    return list(grouped.values())


def _who_acts(report: CityReport) -> tuple[str, Callable[[User], bool]]:
    if report.state in UNSUBMITTED:
        return SUBMIT_KIND, lambda u: u.role == Role.CITY_OFFICER and u.city_id == report.city_id
    if report.state == ReportState.SUBMITTED:
        return ENDORSE_KIND, lambda u: u.role == Role.NATIONAL_REP and u.country_id == report.city.country_id
    return ACCEPT_KIND, lambda u: u.role == Role.SECRETARIAT


def period_start(reporting_round: ReportingRound) -> dt.date:
    """The last day already reported before this round: the previous round's as-of date, or the last day
    of the year before when there is no previous round."""
    previous = ReportingRound.objects.filter(year__lt=reporting_round.year).order_by("-year").first()
    return previous.as_of if previous else dt.date(reporting_round.year - 1, 12, 31)
