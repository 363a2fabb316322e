"""Every write the ASEAN Secretariat makes to run a reporting round from the monitoring pages: creating a round
and changing its dates and reporting cities while it runs, extending one city's deadline, closing and
reopening the round, and sending the reminders now. Opening the cities' reports is
`actions.reports.open_round_reports`.

Only the Secretariat acts here (PermissionDenied otherwise); bad input raises ValidationError naming the
field (`year`, `as_of`, `opens_on`, `closes_on`, `cities`, `due_on`, `reason`, `round`); either way nothing
changes. Each write records its audit entry in the same transaction.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core import audit
from ascn.core.choices import AuditAction
from ascn.core.permissions import require_secretariat
from ascn.network.models import City

from ..choices import ReportState
from ..models import CityReport, ReportingRound
from ..queries import reports as queries
from . import reports

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

CREATE_FIELDS = {"year", "as_of", "opens_on", "closes_on", "source"}
EDIT_FIELDS = CREATE_FIELDS - {"year"}


def _day(value: dt.date | None) -> str:
    """A date as the pages write it (in the request's language)."""
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _save(actor: Actor, obj: Any, values: dict[str, Any], via: str, extra: dict[str, list[Any]] | None = None,
          action: str = AuditAction.UPDATE) -> dict[str, list[Any]]:
    """Set `values` on `obj`, validate and save it if anything changed, and record one audit entry with the
    changes and `extra` (changes of links, a reason). Returns what was recorded (empty: nothing changed)."""
    before = audit.snapshot(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    changes = audit.diff(before, audit.snapshot(obj))
    if changes:
        obj.full_clean()
        obj.save()
    if extra:
        changes.update(extra)
    if changes:
        core.record(actor, action, obj, changes, via)
    return changes


# --- Creating and changing a round ----------------------------------------------------------------


def _check_round(values: dict[str, Any], cities: list[City], errors: dict[str, list[str]]) -> None:
    """The checks a form cannot make alone, with every problem named at once (the model's own checks,
    closing before opening and the as-of date outside the year, follow in `full_clean`)."""
    if values.get("as_of") is None:
        errors.setdefault("as_of", []).append(_("Give the date the round's figures describe."))
    if values.get("opens_on") is None:
        errors.setdefault("opens_on", []).append(_("Give the date the round opens to the cities."))
    if values.get("closes_on") is None:
        errors.setdefault("closes_on", []).append(_("Give the date the cities' reports are due."))
    if not cities:
        errors.setdefault("cities", []).append(_("Choose at least one reporting city."))


def _model_errors(obj: ReportingRound, errors: dict[str, list[str]]) -> None:
    """Add the model's validation (dates, year range) to `errors` for the fields not refused already, leaving
    out the uniqueness check (the action says it in its own words)."""
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name not in errors:
                errors[name] = list(messages)


def create_round(actor: Actor, data: dict[str, Any], cities: Iterable[City], via: str = "web", *,
                 synthetic: bool = False) -> ReportingRound:
    """Create the year's round with its dates and reporting cities (usually the members on the as-of date,
    `queries.rounds.proposed_cities`, as the Secretariat edited the list). One audit entry holds the
    round's values and its cities. A `synthetic` round is the demo's: its reports are synthetic."""
    require_secretariat(actor)
    values = core.only_fields(data, CREATE_FIELDS)
    chosen = sorted({city.pk: city for city in cities}.values(), key=lambda city: city.name)
    errors: dict[str, list[str]] = {}
    _check_round(values, chosen, errors)
    year = values.get("year")
    if year and ReportingRound.objects.filter(year=year).exists():
        errors.setdefault("year", []).append(_("There is already a %(year)s round: open it to change its dates "
                                               "or cities.") % {"year": year})
    new = ReportingRound(**{"source": "", **values}, synthetic=synthetic)
    _model_errors(new, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        new.save()
        new.cities.set(chosen)
        initial = audit.as_json(audit.snapshot(new))
        initial["cities"] = sorted(city.slug for city in chosen)
        core.record(actor, AuditAction.CREATE, new, {k: [None, v] for k, v in initial.items()}, via)
    return new


def update_round(actor: Actor, reporting_round: ReportingRound, data: dict[str, Any], cities: Iterable[City],
                 via: str = "web") -> dict[str, list[Any]]:
    """Change a running round's dates, source and reporting cities (fields not given keep their value). A city
    whose report is started stays a reporting city; a closed round is reopened first. Returns the changes
    (empty: nothing changed)."""
    require_secretariat(actor)
    values = core.only_fields(data, EDIT_FIELDS)
    chosen = sorted({city.pk: city for city in cities}.values(), key=lambda city: city.name)
    with transaction.atomic():
        current = ReportingRound.objects.select_for_update().get(pk=reporting_round.pk)
        if current.closed_at is not None:
            raise ValidationError({"round": _("The %(year)s round is closed: reopen it to change it.")
                                   % {"year": current.year}})
        errors: dict[str, list[str]] = {}
        kept_dates = {"as_of": current.as_of, "opens_on": current.opens_on, "closes_on": current.closes_on}
        _check_round({**kept_dates, **values}, chosen, errors)
        kept = {city.pk for city in chosen}
        dropped = [report.city.name for report in current.reports.select_related("city").order_by("city__name")
                   if report.city_id not in kept]
        if dropped:
            errors.setdefault("cities", []).append(
                _("These cities have started their %(year)s report and stay reporting cities: %(cities)s.")
                % {"year": current.year, "cities": ", ".join(dropped)})
        trial = copy.copy(current)
        for name, value in values.items():
            setattr(trial, name, value)
        _model_errors(trial, errors)
        if errors:
            raise ValidationError(errors)
        links = core.set_links(current.cities, chosen, "slug")
        changes = _save(actor, current, values, via, {"cities": links} if links else None)
    for name in values:
        setattr(reporting_round, name, getattr(current, name))
    return changes


# --- One city's deadline --------------------------------------------------------------------------


def extend_deadline(actor: Actor, reporting_round: ReportingRound, city: City, due_on: dt.date | None, reason: str,
                    via: str = "web") -> CityReport:
    """Give one reporting city a later deadline than the round's closing date (`due_on`), or end its extension
    (`due_on` None), with a reason. While the extension runs the city may still edit and submit its report and
    enter its indicator values, even once the round is closed. A city that had not started its report gets its
    draft, which carries the extension. The audit entry on the report keeps the dates and the reason."""
    require_secretariat(actor)
    reason = (reason or "").strip()
    on = queries.today()
    report = CityReport.objects.filter(round=reporting_round, city=city).first()
    errors: dict[str, list[str]] = {}
    if not reporting_round.cities.filter(pk=city.pk).exists():
        errors["city"] = [_("%(city)s does not report in the %(year)s round.")
                          % {"city": city.name, "year": reporting_round.year}]
    elif report is not None and report.state == ReportState.ACCEPTED:
        errors["city"] = [_("The %(year)s report of %(city)s is accepted: it needs no extension.")
                          % {"city": city.name, "year": reporting_round.year}]
    closes = reporting_round.closes_on
    if due_on is None:
        if report is None or report.due_on is None:
            errors["due_on"] = [_("Give the date the extension runs to.")]
    elif closes is None:
        errors["due_on"] = [_("The %(year)s round has no closing date yet: give it one before extending a "
                              "city's deadline.") % {"year": reporting_round.year}]
    elif due_on <= closes:
        errors["due_on"] = [_("An extension runs past the round's closing date (%(date)s): choose a later date.")
                            % {"date": _day(closes)}]
    elif due_on < on:
        errors["due_on"] = [_("An extension cannot end in the past: choose today (%(date)s) or later.")
                            % {"date": _day(on)}]
    if not reason:
        errors["reason"] = [_("Give the reason for the extension; it is recorded with it.") if due_on else
                            _("Give the reason for ending the extension; it is recorded.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if report is None:
            report = reports.start_draft(actor, reporting_round, city, via)
        current = CityReport.objects.select_for_update().get(pk=report.pk)
        if current.due_on != due_on:
            _save(actor, current, {"due_on": due_on}, via, {"reason": [None, reason]})
    report.due_on = due_on
    return report


# --- Closing and reopening ------------------------------------------------------------------------


def close_round(actor: Actor, reporting_round: ReportingRound, via: str = "web") -> ReportingRound:
    """Close the round: from now on it takes no new report, no edit, no submission and no indicator value
    from a city, except from a city whose extension still runs. Reports already submitted go on through
    their endorsement and acceptance."""
    require_secretariat(actor)
    with transaction.atomic():
        current = ReportingRound.objects.select_for_update().get(pk=reporting_round.pk)
        if current.closed_at is not None:
            raise ValidationError({"round": _("The %(year)s round was already closed on %(date)s.")
                                   % {"year": current.year, "date": _day(timezone.localdate(current.closed_at))}})
        if not queries.is_open(current, queries.today()):
            raise ValidationError({"round": _("The %(year)s round has not opened yet: change its dates instead of "
                                              "closing it.") % {"year": current.year}})
        _save(actor, current, {"closed_at": timezone.now()}, via)
    reporting_round.closed_at = current.closed_at
    return reporting_round


def reopen_round(actor: Actor, reporting_round: ReportingRound, reason: str, via: str = "web") -> ReportingRound:
    """Reopen a closed round, with a reason: cities may write again as before it was closed."""
    require_secretariat(actor)
    reason = (reason or "").strip()
    with transaction.atomic():
        current = ReportingRound.objects.select_for_update().get(pk=reporting_round.pk)
        if current.closed_at is None:
            raise ValidationError({"round": _("The %(year)s round is not closed.") % {"year": current.year}})
        if not reason:
            raise ValidationError({"reason": _("Give the reason to reopen the round; it is recorded.")})
        _save(actor, current, {"closed_at": None}, via, {"reason": [None, reason]})
    reporting_round.closed_at = None
    return reporting_round


# --- Reminders ------------------------------------------------------------------------------------


def send_reminders_now(actor: Actor, reporting_round: ReportingRound, via: str = "web") -> reports.Reminded:
    """Send the round's reminders due today, by the same rule as the daily command (at most one a day per
    report, kind and person, so the command sends these no second time). Returns who was reminded of what;
    the audit entry on the round lists it."""
    require_secretariat(actor)
    done = reports.remind(queries.today(), reporting_round, actor, via)
    if done.sent or done.started:
        with transaction.atomic():
            core.record(actor, AuditAction.UPDATE, reporting_round, {
                "reminders": [None, [f"{r.recipient.username}: {r.kind} "
                                     f"({', '.join(report.city.slug for report in r.reports)})" for r in done.sent]],
                "drafts_started": [None, sorted(report.city.slug for report in done.started)]}, via)
    return done
