"""What the workspace dashboard shows of the monitoring work, per role (see `monitoring/extensions.py`).

- The *current round* of a scope: the newest round in which a city of the scope reports that has opened,
  else the newest such round not opened yet.
- Its *glance*: every reporting city of the scope in that round, counted by state (not started, draft,
  returned, submitted, endorsed, accepted) and overdue. Deadlines and overdue are those of
  `queries.reports` (`round_items` and `InboxItem`), never redefined here.
- For the Secretariat: the reports waiting for its acceptance, the indicator values waiting for review,
  the latest M&E report and the network's recent activity from the audit trail, in words.

Each read starts from the permission layer (or from `round_items` narrowed to the user's scope, as the
inbox does) and takes a fixed number of queries, whatever the number of cities, reports or entries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ascn.core.choices import AuditAction, Role
from ascn.core.models import AuditEntry
from ascn.core.permissions import Principal
from ascn.network.models import City

from ..choices import GenerationState, ReportState, Verification
from ..models import CityReport, MEReport, Observation, ReportingRound
from . import reports as report_queries
from .observations import verifiable
from .reports import NOT_STARTED, InboxItem

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

# The states in the order a report moves through them (the bar's segments, left to right).
STATE_ORDER = (NOT_STARTED, ReportState.DRAFT, ReportState.RETURNED, ReportState.SUBMITTED, ReportState.ENDORSED,
               ReportState.ACCEPTED)
LISTED = 10             # reports listed in a panel before "and N more"
ACTIVITY = 10           # entries of recent activity
ACTIVITY_SCAN = 60      # audit entries read to make them (several writes of one save become one line)
GROUP_WITHIN = dt.timedelta(minutes=10)


def scope_of(user: Actor | None) -> Q | None:
    """The cities of the user's workflow scope as a filter on City: everything for the Secretariat, the
    country's cities for a National Representative, the city for a city officer; None for anyone else."""
    principal = Principal.of(user)
    if principal.is_secretariat:
        return Q()
    if principal.role == Role.NATIONAL_REP and principal.country_id:
        return Q(country_id=principal.country_id)
    if principal.role == Role.CITY_OFFICER and principal.city_id:
        return Q(pk=principal.city_id)
    return None


def current_round(cities: Q, on: dt.date) -> ReportingRound | None:
    """The newest round with a reporting city in `cities` that has opened on `on`, else the newest one not
    opened yet (a round without dates counts as not opened). Two queries at most."""
    rounds = (ReportingRound.objects.visible_to(None)
              .filter(Exists(City.objects.filter(cities, reporting_rounds=OuterRef("pk")))).order_by("-year"))
    return rounds.filter(opens_on__isnull=False, opens_on__lte=on).first() or rounds.first()


@dataclass(frozen=True)
class StateCount:
    value: str
    label: str
    n: int
    share: float  # percent of the reporting cities, for the bar's width

    @property
    def css(self) -> str:
        return self.value.replace("_", "-")


@dataclass
class RoundGlance:
    """The reporting cities of a scope in one round as they stand on `on`."""

    round: ReportingRound
    on: dt.date
    items: list[InboxItem]

    @property
    def cities(self) -> int:
        return len(self.items)

    @cached_property
    def counts(self) -> list[StateCount]:
        by_state: dict[str, int] = {}
        for item in self.items:
            by_state[item.state] = by_state.get(item.state, 0) + 1
        total = self.cities or 1
        labels = {NOT_STARTED: _("Not started"), **{value: str(label) for value, label in ReportState.choices}}
        return [StateCount(str(value), labels[value], by_state.get(value, 0),
                           round(100 * by_state.get(value, 0) / total, 2)) for value in STATE_ORDER]

    def count(self, state: str) -> int:
        return next(c.n for c in self.counts if c.value == state)

    @property
    def started(self) -> int:
        return self.cities - self.count(NOT_STARTED)

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)

    @property
    def is_open(self) -> bool:
        return report_queries.is_open(self.round, self.on)

    @property
    def closes_in(self) -> int | None:
        """Days to the round's closing date while it is open and not closed (negative once passed)."""
        closes = self.round.closes_on
        if closes is None or self.round.closed_at is not None or not self.is_open:
            return None
        return (closes - self.on).days


def round_glance(user: Actor | None, on: dt.date | None = None) -> RoundGlance | None:
    """The user's scope in its current round (None: no scope, or no round in which the scope reports).
    Five queries whatever the number of cities and reports."""
    cities = scope_of(user)
    if cities is None:
        return None
    on = on or report_queries.today()
    found = current_round(cities, on)
    if found is None:
        return None
    return RoundGlance(found, on, report_queries.round_items([found], on, cities))


# --- What waits for a decision --------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """Reports in one state the user may see (the first LISTED, oldest step first) and how many there are."""

    reports: list[CityReport]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.reports)


def waiting(user: Actor | None, state: str, cities: Q | None = None) -> Waiting:
    """The reports in `state` the user may see, in any round (narrowed to `cities`, a filter on City). Two
    queries."""
    qs: QuerySet[CityReport] = CityReport.objects.visible_to(user).filter(state=state)
    if cities is not None:
        qs = qs.filter(city__in=City.objects.filter(cities))
    listed = list(qs.select_related("round", "city__country").order_by("state_changed_at", "round__year",
                                                                          "city__name")[:LISTED])
    total = len(listed) if len(listed) < LISTED else qs.count()
    return Waiting(listed, total)


@dataclass(frozen=True)
class Review:
    """Indicator values in the user's scope not yet verified (the review page's default list), and how many of
    them carry a validation flag."""

    open: int
    flagged: int


def review(user: Actor | None) -> Review:
    """The values the user may verify (`observations.verifiable`: the Secretariat every city's, a National
    Representative its country's) not yet verified, and the flagged ones among them: the review page's "open"
    and "flagged" lists. One query."""
    scope = verifiable(user)
    if scope is None:
        return Review(0, 0)
    values = Observation.objects.visible_to(user).filter(scope)
    counts = values.aggregate(
        open=Count("id", filter=~Q(verification=Verification.VERIFIED)),
        flagged=Count("id", filter=~Q(verification=Verification.VERIFIED) & ~Q(flags=[])))
    return Review(counts["open"] or 0, counts["flagged"] or 0)


def latest_me_report(user: Actor | None) -> MEReport | None:
    """The newest generated M&E report the user may see (any state), without its figures. One query."""
    return (MEReport.objects.visible_to(user).select_related("round").defer("figures")
            .order_by("-created_at", "-id").first())


def me_report_busy(report: MEReport | None) -> bool:
    return report is not None and report.state in (GenerationState.QUEUED, GenerationState.RUNNING)


# --- Recent activity ------------------------------------------------------------------------------


@dataclass
class Activity:
    """One line of recent activity: what happened in words, when, and where to read more."""

    at: dt.datetime
    words: str
    link: str = ""
    count: int = 1


def _who(entry: AuditEntry) -> str:
    if entry.actor is None:
        return _("reference data") if entry.via == "seed" else _("the platform")
    return entry.actor.get_full_name() or entry.actor.username


def _report_words(entry: AuditEntry, report: CityReport, who: str) -> str:
    names = {"city": report.city.display_name, "year": report.round.year, "who": who}
    if entry.action == AuditAction.CREATE:
        return _("%(city)s's %(year)s report started by %(who)s") % names
    state = entry.changes.get("state")
    if isinstance(state, list) and len(state) == 2:
        before, after = state
        if after == ReportState.SUBMITTED:
            return _("%(city)s's %(year)s report submitted by %(who)s") % names
        if after == ReportState.ENDORSED:
            return _("%(city)s's %(year)s report endorsed by %(who)s") % names
        if after == ReportState.ACCEPTED:
            return _("%(city)s's %(year)s report accepted by %(who)s") % names
        if after == ReportState.RETURNED and before == ReportState.ACCEPTED:
            return _("%(city)s's %(year)s report reopened by %(who)s") % names
        if after == ReportState.RETURNED:
            return _("%(city)s's %(year)s report returned by %(who)s") % names
    if "due_on" in entry.changes:
        return _("%(city)s's %(year)s deadline changed by %(who)s") % names
    return _("%(city)s's %(year)s report edited by %(who)s") % names


def _generic_words(entry: AuditEntry, who: str, count: int) -> str:
    model = entry.content_type.model_class()
    meta = model._meta if model is not None else None
    what = str(meta.verbose_name) if meta else entry.content_type.model
    name = entry.object_repr
    if count > 1:
        many = str(meta.verbose_name_plural) if meta else what
        if entry.action == AuditAction.CREATE:
            return ngettext("%(n)d %(what)s created by %(who)s", "%(n)d %(what)s created by %(who)s", count) % {
                "n": count, "what": many, "who": who}
        if entry.action == AuditAction.DELETE:
            return ngettext("%(n)d %(what)s deleted by %(who)s", "%(n)d %(what)s deleted by %(who)s", count) % {
                "n": count, "what": many, "who": who}
        return ngettext("%(n)d %(what)s updated by %(who)s", "%(n)d %(what)s updated by %(who)s", count) % {
            "n": count, "what": many, "who": who}
    what = what[:1].upper() + what[1:]
    if entry.action == AuditAction.CREATE:
        return _("%(what)s “%(name)s” created by %(who)s") % {"what": what, "name": name, "who": who}
    if entry.action == AuditAction.DELETE:
        return _("%(what)s “%(name)s” deleted by %(who)s") % {"what": what, "name": name, "who": who}
    return _("%(what)s “%(name)s” updated by %(who)s") % {"what": what, "name": name, "who": who}


def recent_activity(user: Actor | None, limit: int = ACTIVITY) -> list[Activity]:
    """For the Secretariat: the latest writes across the network from the audit trail, in words ("Da Nang's
    2025 report submitted by …"), newest first; reference-data loads left out. Writes of one person to the
    same kind of record within a few minutes (the lines of one report save) make one line; a report's own
    steps are always a line each. Two queries."""
    if not Principal.of(user).is_secretariat:
        return []
    entries = list(AuditEntry.objects.exclude(via="seed").select_related("actor", "content_type")
                   .order_by("-created_at", "-id")[:ACTIVITY_SCAN])
    report_type = next((e.content_type_id for e in entries if e.content_type.model_class() is CityReport), None)
    ids = {int(e.object_id) for e in entries if e.content_type_id == report_type and e.object_id.isdigit()}
    reports = CityReport.objects.visible_to(user).select_related("round", "city__country").in_bulk(ids) if ids else {}

    def report_of(entry: AuditEntry) -> CityReport | None:
        if entry.content_type_id != report_type or not entry.object_id.isdigit():
            return None
        return reports.get(int(entry.object_id))

    groups: list[list[AuditEntry]] = []
    for entry in entries:
        last = groups[-1] if groups else None
        if (last is not None and report_of(entry) is None and report_of(last[0]) is None
                and (last[0].content_type_id, last[0].action, last[0].actor_id)
                == (entry.content_type_id, entry.action, entry.actor_id)
                and last[-1].created_at - entry.created_at <= GROUP_WITHIN):
            last.append(entry)
        else:
            groups.append([entry])
    lines = []
    for group in groups[:limit]:
        first, who = group[0], _who(group[0])
        report = report_of(first)
        if report is not None:
            lines.append(Activity(first.created_at, _report_words(first, report, who),
                                  reverse("monitoring:city_report", args=[report.pk])))
        else:
            lines.append(Activity(first.created_at, _generic_words(first, who, len(group)), count=len(group)))
    return lines
