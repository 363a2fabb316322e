"""Every write to the city annual reports: starting them, editing them while they are editable, moving
them through the workflow (see `workflow.py`), and recording the reminders sent.

Permission and scope problems raise PermissionDenied, workflow and input problems ValidationError
naming the field; either way nothing changes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction, Role
from ascn.core.models import User
from ascn.core.permissions import Principal, can_edit, require_secretariat
from ascn.network.models import City
from ascn.plans import actions as plans
from ascn.plans.choices import ProjectStatus
from ascn.plans.models import ProgressUpdate, Project

from .. import workflow
from ..choices import ReportAction, ReportState
from ..models import CityReport, ProjectReport, ReminderSent, ReportingRound, ReportTransition
from ..queries import reports as queries

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

REPORT_FIELDS = {"summary"}
LINE_FIELDS = {"status", "percent_complete", "progress", "partner_support", "challenges", "is_highlighted"}


def _state_name(state: str) -> str:
    return str(ReportState(state).label).lower()


def _action_name(action: str) -> str:
    return str(ReportAction(action).label).lower()


# --- Starting reports -----------------------------------------------------------------------------


def start_report(actor: Actor, reporting_round: ReportingRound, city: City, via: str = "web",
                 on: dt.date | None = None) -> CityReport:
    """The city's report for the round, started as a draft with a line per project if there is none yet.

    The Secretariat may start any reporting city's report; a city officer their own city's, once the round
    has opened. Each line is prefilled with the project's status and its latest percent complete."""
    principal = Principal.of(actor)
    if not principal.is_secretariat and not (principal.role == Role.CITY_OFFICER and principal.city_id == city.pk):
        raise PermissionDenied(_("You may not start the annual report of %(city)s.") % {"city": city.name})
    existing = CityReport.objects.filter(round=reporting_round, city=city).first()
    if existing is not None:
        return existing
    if not principal.is_secretariat and not queries.is_open(reporting_round, on or queries.today()):
        raise ValidationError({"round": _("The %(year)s reporting round is not open yet.")
                               % {"year": reporting_round.year}})
    return _start(actor, reporting_round, city, via)


def _start(actor: Actor | None, reporting_round: ReportingRound, city: City, via: str) -> CityReport:
    if not reporting_round.cities.filter(pk=city.pk).exists():
        raise ValidationError({"city": _("%(city)s does not report in the %(year)s round.")
                               % {"city": city.name, "year": reporting_round.year}})
    with transaction.atomic():
        report, created = CityReport.objects.get_or_create(round=reporting_round, city=city)
        if not created:
            return report
        lines = _initial_lines(report)
        ProjectReport.objects.bulk_create(lines)
        core.record(actor, AuditAction.CREATE, report,
                    {"state": [None, report.state], "project_lines": [None, len(lines)]}, via)
    return report


def _initial_lines(report: CityReport) -> list[ProjectReport]:
    """A line per project of the city, except projects already cancelled before the round's period."""
    cutoff = queries.period_start(report.round)
    projects = list(Project.objects.filter(city_id=report.city_id).order_by("reference", "title", "id"))
    latest_date: dict[int, dt.date] = {}
    latest_percent: dict[int, int] = {}
    for project_id, date, percent in (ProgressUpdate.objects.filter(project__in=projects)
                                      .order_by("project_id", "-date", "-id")
                                      .values_list("project_id", "date", "percent_complete")):
        latest_date.setdefault(project_id, date)
        if percent is not None:
            latest_percent.setdefault(project_id, percent)
    lines = []
    for project in projects:
        if project.status == ProjectStatus.CANCELLED and latest_date.get(project.pk, dt.date.min) <= cutoff:
            continue
        percent = latest_percent.get(project.pk)
        if project.status == ProjectStatus.COMPLETED and percent is None:
            percent = 100
        lines.append(ProjectReport(report=report, project=project, status=project.status, percent_complete=percent))
    return lines


def open_round_reports(actor: Actor, reporting_round: ReportingRound, via: str = "web") -> list[CityReport]:
    """The Secretariat starts the report of every reporting city of the round that has none; returns the
    reports started (an empty list when every city had one)."""
    require_secretariat(actor)
    started = set(reporting_round.reports.values_list("city_id", flat=True))
    created = []
    with transaction.atomic():
        for city in reporting_round.cities.order_by("name"):
            if city.pk not in started:
                created.append(_start(actor, reporting_round, city, via))
    return created


# --- Editing --------------------------------------------------------------------------------------


def _locked_for_edit(actor: Actor, report: CityReport) -> CityReport:
    """The report, locked for the transaction, once the actor may edit it and it is editable."""
    if not can_edit(actor, report):
        raise PermissionDenied(_("You may not change the annual report of %(city)s.") % {"city": report.city.name})
    current = CityReport.objects.select_for_update().get(pk=report.pk)
    if current.state not in workflow.EDITABLE_STATES:
        if current.state == ReportState.ACCEPTED:
            message = _("The report is accepted and locked; the Secretariat can reopen it with a reason.")
        else:
            message = _("The report is %(state)s: it can be changed only while it is a draft or returned.") % {
                "state": _state_name(current.state)}
        raise ValidationError({"state": message})
    return current


def update_report(actor: Actor, report: CityReport, data: dict[str, Any], via: str = "web") -> dict[str, list[Any]]:
    """Change the report's summary while it is editable; returns the changes."""
    data = core.only_fields(data, REPORT_FIELDS)
    with transaction.atomic():
        current = _locked_for_edit(actor, report)
        changes = core.update_audited(actor, current, data, via)
    report.summary = current.summary
    return changes


def update_project_line(actor: Actor, line: ProjectReport, data: dict[str, Any],
                        via: str = "web") -> dict[str, list[Any]]:
    """Change one project line while its report is editable. Highlighting a line clears the highlight of
    the report's other lines (one featured project per city)."""
    data = core.only_fields(data, LINE_FIELDS)
    with transaction.atomic():
        _locked_for_edit(actor, line.report)
        changes = core.update_audited(actor, line, data, via)
        if changes.get("is_highlighted", [None, False])[1]:
            for other in line.report.project_lines.filter(is_highlighted=True).exclude(pk=line.pk):
                core.update_audited(actor, other, {"is_highlighted": False}, via)
    return changes


# --- The workflow ---------------------------------------------------------------------------------


def _require_scope(principal: Principal, report: CityReport, action: str) -> None:
    """The actor's role may take `action` at some step, on a report inside its scope."""
    roles = set().union(*(t.roles for t in workflow.TRANSITIONS if t.action == action))
    if principal.role not in roles or not queries.in_scope(principal, report):
        raise PermissionDenied(_("You may not %(action)s the annual report of %(city)s.")
                               % {"action": _action_name(action), "city": report.city.name})


def _check_complete(report: CityReport) -> None:
    """A report is submitted with a status on every line and completed projects at 100 percent."""
    problems = []
    for line in report.project_lines.select_related("project"):
        if not line.status:
            problems.append(_("“%(project)s” has no status.") % {"project": line.project.title})
        elif line.status == ProjectStatus.COMPLETED and line.percent_complete is None:
            problems.append(_("“%(project)s” is completed: give 100 as its percent complete.")
                            % {"project": line.project.title})
        elif line.status == ProjectStatus.COMPLETED and line.percent_complete != 100:
            problems.append(_("“%(project)s” is completed but %(percent)s percent complete; a completed project "
                              "is 100 percent complete.") % {"project": line.project.title,
                                                             "percent": line.percent_complete})
    if problems:
        raise ValidationError({"project_lines": problems})


def transition_report(actor: Actor, report: CityReport, action: str, reason: str = "",
                      via: str = "web") -> ReportTransition:
    """Take a workflow action on the report: check role, scope, state and reason, then record the new
    state, the transition and the audit entry together. Accepting records the project lines as the
    projects' progress updates dated the round's as-of date."""
    if action not in workflow.ACTIONS:
        raise ValidationError({"action": _("Unknown action “%(action)s”; use one of %(actions)s.")
                               % {"action": action, "actions": ", ".join(workflow.ACTIONS)}})
    principal = Principal.of(actor)
    _require_scope(principal, report, action)
    reason = (reason or "").strip()
    with transaction.atomic():
        current = CityReport.objects.select_for_update().select_related("round", "city").get(pk=report.pk)
        step = workflow.find(action, current.state)
        if step is None:
            raise ValidationError({"action": _("A report that is %(state)s cannot be %(action)s: choose another "
                                               "action.") % {"state": _state_name(current.state),
                                                             "action": _past(action)}})
        if principal.role not in step.roles:
            raise PermissionDenied(_("Your role may not %(action)s a report that is %(state)s.")
                                   % {"action": _action_name(action), "state": _state_name(current.state)})
        if step.needs_reason and not reason:
            raise ValidationError({"reason": _("Give the reason to %(action)s the report.")
                                   % {"action": _action_name(action)}})
        if action == workflow.SUBMIT:
            _check_complete(current)
        before = current.state
        current.state, current.state_changed_at = step.target, timezone.now()
        current.save(update_fields=["state", "state_changed_at", "updated_at"])
        transition = ReportTransition.objects.create(report=current, action=action, from_state=before,
                                                     to_state=step.target, actor=_user(actor),
                                                     at=current.state_changed_at, reason=reason)
        changes: dict[str, list[Any]] = {"state": [before, step.target]}
        if reason:
            changes["reason"] = [None, reason]
        core.record(actor, AuditAction.UPDATE, current, changes, via)
        if action == workflow.ACCEPT:
            _record_progress(actor, current, via)
    report.state, report.state_changed_at = current.state, current.state_changed_at
    return transition


def _past(action: str) -> str:
    return {workflow.SUBMIT: _("submitted"), workflow.ENDORSE: _("endorsed"), workflow.ACCEPT: _("accepted"),
            workflow.RETURN: _("returned"), workflow.REOPEN: _("reopened")}[action]


def _user(actor: Actor | None) -> User | None:
    """The account recorded as having taken a step: None for the system."""
    return actor if isinstance(actor, User) else None


def _record_progress(actor: Actor, report: CityReport, via: str) -> None:
    """Each accepted line becomes (or updates) the project's progress update dated the round's as-of date,
    and the project's status follows its latest update."""
    as_of = report.round.as_of
    source = f"ASCN annual report {report.round.year} of {report.city.name} (accepted)"
    lines = list(report.project_lines.select_related("project"))
    existing: dict[int, ProgressUpdate] = {}
    for found in ProgressUpdate.objects.filter(project__in=[line.project_id for line in lines], date=as_of) \
            .order_by("project_id", "-id"):
        existing.setdefault(found.project_id, found)
    for line in lines:
        data = {"status": line.status, "percent_complete": line.percent_complete, "progress": line.progress,
                "partner_support": line.partner_support, "challenges": line.challenges, "source": source}
        update = existing.get(line.project_id)
        if update is None:
            plans.add_progress_update(actor, line.project, {"date": as_of, **data}, via)
        else:
            core.update_audited(actor, update, data, via)
            plans.sync_status(actor, line.project, via)


# --- Reminders ------------------------------------------------------------------------------------


def start_for_reminder(reporting_round: ReportingRound, city: City) -> CityReport:
    """The scheduled task starts the draft of a city that has not started its report when the round is
    about to close (or has closed), so the reminder can point at it."""
    return _start(None, reporting_round, city, via="task")


def send_reminder(reminder: queries.Reminder, subject: str, body: str, on: dt.date) -> bool:
    """Send one reminder e-mail and record it for each of its reports, at most once a day per report,
    kind and recipient. If sending fails nothing is recorded, so the next run tries again."""
    with transaction.atomic():
        already = set(ReminderSent.objects.filter(report__in=reminder.reports, kind=reminder.kind,
                                                  recipient=reminder.recipient, sent_on=on)
                      .values_list("report_id", flat=True))
        fresh = [r for r in reminder.reports if r.pk not in already]
        if not fresh:
            return False
        ReminderSent.objects.bulk_create([ReminderSent(report=r, kind=reminder.kind, recipient=reminder.recipient,
                                                       sent_on=on) for r in fresh])
        send_mail(subject, body, None, [reminder.recipient.email])
    return True
