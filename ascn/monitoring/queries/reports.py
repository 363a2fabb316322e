"""Reads of the city annual reports shown to users (through the permission layer), the inbox of what
each user must act on, the round table, and the reminders the daily task and the round page send.

The rules every page, the inbox, the reminders and the value entry share are defined here once:

- A round is *open* once its opening date has come (`opens_on <= today`). Past rounds whose dates were
  not recorded are not open: their reports are read, not written.
- A city's *deadline* is its extension (`CityReport.due_on`) or else the round's closing date.
- A report the city has not submitted yet (not started, draft or returned) is *overdue* once its deadline
  has passed, until the Secretariat closes the round.
- A round the Secretariat has *closed* (`closed_at`) takes nothing more from a city (no new report, no
  edit, no submission, no indicator value), except from a city whose extension still runs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
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

# Reminders to city officers start this many days before their deadline (and go on once it has passed).
REMIND_CITIES_DAYS_BEFORE = 7
NOT_STARTED = "not_started"
UNSUBMITTED = (ReportState.DRAFT, ReportState.RETURNED)
# What the city still has to do something about: its report is not started, a draft, or returned.
CITY_TO_ACT = (NOT_STARTED, *UNSUBMITTED)


def today() -> dt.date:
    return timezone.localdate()


def open_rounds(on: dt.date) -> QuerySet[ReportingRound]:
    """Rounds whose opening date has come, newest first."""
    return ReportingRound.objects.filter(opens_on__isnull=False, opens_on__lte=on).order_by("-year")


def is_open(reporting_round: ReportingRound, on: dt.date) -> bool:
    return reporting_round.opens_on is not None and reporting_round.opens_on <= on


def deadline(reporting_round: ReportingRound, due_on: dt.date | None = None) -> dt.date | None:
    """A city's deadline in the round: its extension, else the round's closing date (an extension never
    makes it earlier, even if the closing date is moved past it)."""
    closes = reporting_round.closes_on
    if due_on is not None and (closes is None or due_on > closes):
        return due_on
    return closes


def extension_runs(due_on: dt.date | None, on: dt.date) -> bool:
    """Whether a city's extension still runs on `on` (its last day included)."""
    return due_on is not None and on <= due_on


def is_closed_to_city(reporting_round: ReportingRound, due_on: dt.date | None, on: dt.date) -> bool:
    """Whether the round takes nothing more from the city: the Secretariat closed it and the city has no
    extension running."""
    return reporting_round.closed_at is not None and not extension_runs(due_on, on)


def is_overdue(reporting_round: ReportingRound, state: str, due_on: dt.date | None, on: dt.date) -> bool:
    """The one definition of overdue (inbox, dashboard, round table, reminders): the city has not submitted
    its report (`state` not started, draft or returned), its deadline has passed, and the round is not
    closed to it."""
    if state not in CITY_TO_ACT or is_closed_to_city(reporting_round, due_on, on):
        return False
    last_day = deadline(reporting_round, due_on)
    return last_day is not None and last_day < on


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
    """The workflow steps the user may take on the report now, by role and scope; no submission once the round
    is closed to the city (the action would refuse it)."""
    principal = Principal.of(user)
    if not in_scope(principal, report):
        return []
    steps = workflow.available(report.state, principal.role)
    if is_closed_to_city(report.round, report.due_on, today()):
        steps = [s for s in steps if s.action != workflow.SUBMIT]
    return steps


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
    """For the Secretariat: rounds not closed with a reporting city that has no report yet (open or not)."""
    if not Principal.of(user).is_secretariat:
        return []
    return list(ReportingRound.objects.filter(closed_at__isnull=True).annotate(
        cities_n=Count("cities", distinct=True), reports_n=Count("reports", distinct=True))
        .filter(cities_n__gt=F("reports_n")).order_by("-year"))


def rounds_to_start(user: Actor | None, on: dt.date | None = None) -> list[ReportingRound]:
    """For a city officer: the open rounds not closed that their city reports in and has no report for yet."""
    principal = Principal.of(user)
    if principal.role != Role.CITY_OFFICER or principal.city_id is None:
        return []
    return list(open_rounds(on or today()).filter(cities=principal.city_id, closed_at__isnull=True)
                .exclude(reports__city_id=principal.city_id))


# --- The inbox and the round table ----------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    """A reporting city of a round with its report (`report` None: not started yet), as it stands on `on`.
    Everything it says (deadline, overdue, words) is the same whoever looks at it."""

    round: ReportingRound
    city: City
    report: CityReport | None
    state: str            # a ReportState value or NOT_STARTED
    on: dt.date

    @property
    def state_label(self) -> str:
        return _("Not started") if self.state == NOT_STARTED else str(ReportState(self.state).label)

    @property
    def due_on(self) -> dt.date | None:
        """The city's extension, if it has one."""
        return self.report.due_on if self.report is not None else None

    @property
    def deadline(self) -> dt.date | None:
        return deadline(self.round, self.due_on)

    @property
    def extended(self) -> bool:
        """Whether the deadline is the city's extension."""
        return self.due_on is not None and self.deadline == self.due_on

    @property
    def overdue(self) -> bool:
        return is_overdue(self.round, self.state, self.due_on, self.on)

    @property
    def city_to_act(self) -> bool:
        """The city still has to submit, and the round still takes its report."""
        return self.state in CITY_TO_ACT and not is_closed_to_city(self.round, self.due_on, self.on)

    @property
    def missed(self) -> bool:
        """The round was closed before the city submitted (and no extension runs)."""
        return self.state in CITY_TO_ACT and is_closed_to_city(self.round, self.due_on, self.on)

    @property
    def days_left(self) -> int | None:
        """Days to the deadline; negative once passed; None without a date."""
        last_day = self.deadline
        return (last_day - self.on).days if last_day else None

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.overdue and self.days_left is not None else 0

    @property
    def waiting_on(self) -> str | None:
        return workflow.waiting_on(ReportState.DRAFT if self.state == NOT_STARTED else self.state)


@dataclass
class Inbox:
    """What is overdue in the user's scope (cities past their deadline, whoever must act), what is due
    (the user must act) and what waits on others in the user's scope; for the Secretariat also every
    reporting city's state per active round."""

    due: list[InboxItem] = field(default_factory=list)
    overdue: list[InboxItem] = field(default_factory=list)
    waiting: list[InboxItem] = field(default_factory=list)
    overview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def action_count(self) -> int:
        return len(self.due) + len(self.overdue)


def _item(report: CityReport, on: dt.date) -> InboxItem:
    return InboxItem(round=report.round, city=report.city, report=report, state=report.state, on=on)


def round_items(rounds: Iterable[ReportingRound], on: dt.date, cities: Q | None = None) -> list[InboxItem]:
    """Every reporting city of each round (narrowed by `cities`, a filter on City), with its report or as not
    started, rounds in the given order and cities by name. Three queries whatever the number of rows."""
    city_rows = City.objects.select_related("country").order_by("name")
    if cities is not None:
        city_rows = city_rows.filter(cities)
    loaded = list(ReportingRound.objects.filter(pk__in=[r.pk for r in rounds])
                  .prefetch_related(Prefetch("cities", city_rows, to_attr="reporting_cities")))
    order = {r.pk: i for i, r in enumerate(rounds)}
    loaded.sort(key=lambda r: order[r.pk])
    city_ids = {c.pk for r in loaded for c in r.reporting_cities}
    reports = {(r.round_id, r.city_id): r for r in CityReport.objects.filter(round__in=loaded, city_id__in=city_ids)}
    items = []
    for r in loaded:
        for city in r.reporting_cities:
            report = reports.get((r.pk, city.pk))
            if report is not None:
                report.round, report.city = r, city
            items.append(InboxItem(round=r, city=city, report=report,
                                   state=report.state if report else NOT_STARTED, on=on))
    return items


def _sort(items: list[InboxItem]) -> list[InboxItem]:
    """Most pressing first: the earliest deadline, then the city's name."""
    return sorted(items, key=lambda i: (i.deadline or dt.date.max, -i.round.year, i.city.name))


def _fill(box: Inbox, items: Iterable[InboxItem], mine: Callable[[InboxItem], bool]) -> None:
    """Overdue first (whoever must act), then the user's own steps, then what waits on others; accepted
    reports and cities that missed a closed round are left out."""
    for item in items:
        if item.state == ReportState.ACCEPTED or item.missed:
            continue
        if item.overdue:
            box.overdue.append(item)
        elif mine(item):
            box.due.append(item)
        else:
            box.waiting.append(item)
    box.overdue, box.due, box.waiting = _sort(box.overdue), _sort(box.due), _sort(box.waiting)


def _in_review(base: QuerySet[CityReport], on: dt.date, exclude: list[ReportingRound]) -> list[InboxItem]:
    """Submitted and endorsed reports of rounds not already listed city by city."""
    return [_item(r, on) for r in base.filter(state__in=(ReportState.SUBMITTED, ReportState.ENDORSED))
            .exclude(round__in=exclude)]


def inbox(user: Actor | None, on: dt.date | None = None) -> Inbox:
    """The user's inbox on `on` (today by default): a fixed number of queries whatever its size."""
    on = on or today()
    principal = Principal.of(user)
    box = Inbox()
    base = CityReport.objects.visible_to(user).select_related("round", "city__country")
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        rounds = list(open_rounds(on).filter(cities=principal.city_id))
        items = round_items(rounds, on, Q(pk=principal.city_id)) + _in_review(
            base.filter(city_id=principal.city_id), on, rounds)
        _fill(box, items, lambda i: i.city_to_act)
    elif principal.role == Role.NATIONAL_REP and principal.country_id:
        rounds = list(open_rounds(on))
        items = round_items(rounds, on, Q(country_id=principal.country_id)) + _in_review(base, on, rounds)
        _fill(box, items, lambda i: i.state == ReportState.SUBMITTED)
    elif principal.is_secretariat:
        box.overview = overview(user, on)
        late = [item for block in box.overview for item in block["rows"] if item.overdue]
        _fill(box, late + _in_review(base, on, []), lambda i: i.state == ReportState.ENDORSED)
    return box


def overview(user: Actor | None, on: dt.date | None = None, limit: int = 3) -> list[dict[str, Any]]:
    """For the Secretariat: every reporting city's state in each active round (open and not closed, or with a
    report not yet accepted), newest first, at most `limit` rounds. Four queries."""
    on = on or today()
    if not Principal.of(user).is_secretariat:
        return []
    active = list(ReportingRound.objects.filter(
        Q(opens_on__isnull=False, opens_on__lte=on, closed_at__isnull=True) | Q(reports__state__in=[
            ReportState.DRAFT, ReportState.RETURNED, ReportState.SUBMITTED, ReportState.ENDORSED])
    ).distinct().order_by("-year")[:limit])
    return [round_block(r, rows, on) for r, rows in _by_round(active, round_items(active, on))]


def _by_round(rounds: list[ReportingRound], items: list[InboxItem]) -> list[tuple[ReportingRound, list[InboxItem]]]:
    grouped: dict[int, list[InboxItem]] = defaultdict(list)
    for item in items:
        grouped[item.round.pk].append(item)
    return [(r, grouped[r.pk]) for r in rounds]


def round_block(reporting_round: ReportingRound, rows: list[InboxItem], on: dt.date) -> dict[str, Any]:
    """A round's table: its rows, whether it is open, how many cities are in each state and how many are
    overdue."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.state] += 1
    return {"round": reporting_round, "rows": rows, "open": is_open(reporting_round, on),
            "counts": _labelled_counts(counts), "overdue": sum(1 for row in rows if row.overdue)}


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


def _reminder_rounds(on: dt.date, reporting_round: ReportingRound | None) -> QuerySet[ReportingRound]:
    rounds = open_rounds(on)
    return rounds.filter(pk=reporting_round.pk) if reporting_round is not None else rounds


def _city_reminder_due(reporting_round: ReportingRound, due_on: dt.date | None, on: dt.date) -> bool:
    """The city is reminded once its deadline is within REMIND_CITIES_DAYS_BEFORE days or has passed, while
    the round still takes its report."""
    last_day = deadline(reporting_round, due_on)
    return (last_day is not None and last_day <= on + dt.timedelta(days=REMIND_CITIES_DAYS_BEFORE)
            and not is_closed_to_city(reporting_round, due_on, on))


def cities_to_remind(on: dt.date, reporting_round: ReportingRound | None = None) -> list[tuple[ReportingRound, City]]:
    """(round, city) of open rounds (or of `reporting_round` if it is open) whose reporting city has no report
    yet when a reminder is due to it: the reminder run starts their drafts so the e-mail can point at them."""
    pairs = []
    for r in _reminder_rounds(on, reporting_round).prefetch_related("cities", "reports"):
        if not _city_reminder_due(r, None, on):
            continue
        started = {report.city_id for report in r.reports.all()}
        pairs += [(r, c) for c in sorted(r.cities.all(), key=lambda c: c.name) if c.pk not in started]
    return pairs


def reminders_due(on: dt.date, reporting_round: ReportingRound | None = None) -> list[Reminder]:
    """The one reminder rule (the daily command and the round page's "Send reminders now"): the reminders
    to send on `on` for the open rounds (or only `reporting_round`), one per recipient, kind and round,
    leaving out reports the recipient was already reminded of that day:

    - city officers of reports not submitted (draft or returned) once their deadline (the extension, else
      the round's closing date) is within REMIND_CITIES_DAYS_BEFORE days or has passed, unless the
      Secretariat has closed the round to them;
    - National Representatives of the country of each submitted report;
    - every Secretariat account for each endorsed report.
    """
    reports = [r for r in CityReport.objects.filter(
        round__in=_reminder_rounds(on, reporting_round),
        state__in=(*UNSUBMITTED, ReportState.SUBMITTED, ReportState.ENDORSED))
        .select_related("round", "city__country").order_by("-round__year", "city__name")
        if r.state not in UNSUBMITTED or _city_reminder_due(r.round, r.due_on, on)]
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
