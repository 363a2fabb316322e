"""Every write to the city annual reports: starting them, editing them while they are editable, moving
them through the workflow (see `workflow.py`), and recording the reminders sent.

Permission and scope problems raise PermissionDenied, workflow and input problems ValidationError
naming the field; either way nothing changes.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ascn.core import actions as core
from ascn.core.choices import AuditAction, Role
from ascn.core.models import AuditEntry, User
from ascn.core.permissions import Principal, can_edit, require_secretariat
from ascn.network.models import City
from ascn.plans import actions as plans
from ascn.plans.choices import ProjectStatus
from ascn.plans.models import ProgressUpdate, Project

from .. import workflow
from ..choices import ReportAction, ReportState
from ..models import CityReport, ProjectReport, ReminderSent, ReportingRound, ReportTransition
from ..queries import reports as queries
from ..tasks import reports as reminder_mail

if TYPE_CHECKING:
    from ascn.core.permissions import Actor

REPORT_FIELDS = {"summary"}
LINE_ORDER = ("status", "percent_complete", "progress", "partner_support", "challenges", "is_highlighted")
LINE_FIELDS = set(LINE_ORDER)
CONTENT_FIELDS = REPORT_FIELDS | LINE_FIELDS  # what the report form edits
SUMMARY_LIMIT = 20000


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
    if reporting_round.closed_at is not None:
        raise ValidationError({"round": _("The %(year)s round is closed: it takes no new reports.")
                               % {"year": reporting_round.year}})
    return _start(actor, reporting_round, city, via)


def _start(actor: Actor | None, reporting_round: ReportingRound, city: City, via: str) -> CityReport:
    if not reporting_round.cities.filter(pk=city.pk).exists():
        raise ValidationError({"city": _("%(city)s does not report in the %(year)s round.")
                               % {"city": city.name, "year": reporting_round.year}})
    with transaction.atomic():
        report, created = CityReport.objects.get_or_create(round=reporting_round, city=city,
                                                           defaults={"synthetic": reporting_round.synthetic})
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


def open_round_reports(actor: Actor, reporting_round: ReportingRound, via: str = "web",
                       cities: Iterable[City] | None = None) -> list[CityReport]:
    """The Secretariat starts reports of the round: of every reporting city that has none (`cities` None; an
    empty list when every city had one), or of exactly the chosen `cities`, each a reporting city without a
    report yet (otherwise nothing is started). A closed round opens none. Returns the reports started."""
    require_secretariat(actor)
    if reporting_round.closed_at is not None:
        raise ValidationError({"round": _("The %(year)s round is closed: reopen it before opening reports.")
                               % {"year": reporting_round.year}})
    started = set(reporting_round.reports.values_list("city_id", flat=True))
    reporting = list(reporting_round.cities.order_by("name"))
    if cities is None:
        chosen = [city for city in reporting if city.pk not in started]
    else:
        chosen = sorted({city.pk: city for city in cities}.values(), key=lambda city: city.name)
        _check_chosen(reporting_round, chosen, {city.pk for city in reporting}, started)
    with transaction.atomic():
        return [_start(actor, reporting_round, city, via) for city in chosen]


def _check_chosen(reporting_round: ReportingRound, chosen: list[City], reporting: set[int], started: set[int]) -> None:
    if not chosen:
        raise ValidationError({"cities": _("Choose at least one city whose report to open.")})
    values = {"year": reporting_round.year}
    problems = [_("%(city)s does not report in the %(year)s round.") % {**values, "city": city.name}
                for city in chosen if city.pk not in reporting]
    problems += [_("The %(year)s report of %(city)s is already open.") % {**values, "city": city.name}
                 for city in chosen if city.pk in reporting and city.pk in started]
    if problems:
        raise ValidationError({"cities": problems})


def start_draft(actor: Actor, reporting_round: ReportingRound, city: City, via: str = "web") -> CityReport:
    """The Secretariat starts one reporting city's draft even in a closed round: extending the deadline of a
    city that had not started gives it a report to carry the extension."""
    require_secretariat(actor)
    return _start(actor, reporting_round, city, via)


def require_round_takes(report: CityReport, on: dt.date | None = None) -> None:
    """Refuse a city's change (edit, submission) once the Secretariat has closed the round, unless the city's
    extension still runs."""
    reporting_round = report.round
    if queries.is_closed_to_city(reporting_round, report.due_on, on or queries.today()):
        raise ValidationError({"round": _("The %(year)s round is closed: the report of %(city)s takes no more "
                                          "changes unless the Secretariat extends its deadline.")
                               % {"year": reporting_round.year, "city": report.city.name}})


# --- Editing --------------------------------------------------------------------------------------


@dataclass
class ReportChanges:
    """What one save changed: the report's fields and each changed line's, as {field: [old, new]}."""

    report: dict[str, list[Any]] = field(default_factory=dict)
    lines: dict[int, dict[str, list[Any]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.report or self.lines)


@dataclass(frozen=True)
class OtherChange:
    """A change someone saved after a form was opened: who, when, and the form's keys it touched
    (`summary`, `lines.<id>.<field>`)."""

    who: str
    at: dt.datetime
    keys: tuple[str, ...]


class StaleReport(ValidationError):
    """The report changed after the form was drawn: saving would silently replace someone's changes."""

    def __init__(self, message: str, changes: list[OtherChange]) -> None:
        super().__init__({"version": [message]})
        self.changes = changes


def report_version(report: CityReport, lines: Iterable[ProjectReport]) -> str:
    """A fingerprint of what the report form edits (the summary and every line's values). A form carries the
    one it was drawn from, and a save made from an older one is refused (`StaleReport`); a change of state or
    deadline does not make a form stale, only a change of its content."""
    content = [report.summary, sorted([line.pk, *(getattr(line, name) for name in LINE_ORDER)] for line in lines)]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, default=str).encode()).hexdigest()[:24]


def _locked_for_edit(actor: Actor, report: CityReport) -> CityReport:
    """The report, locked for the transaction, once the actor may edit it and it is editable."""
    if not can_edit(actor, report):
        raise PermissionDenied(_("You may not change the annual report of %(city)s.") % {"city": report.city.name})
    current = CityReport.objects.select_for_update().select_related("city").get(pk=report.pk)
    _require_editable(current)
    return current


def _require_editable(report: CityReport) -> None:
    if report.state not in workflow.EDITABLE_STATES:
        if report.state == ReportState.ACCEPTED:
            message = _("The report is accepted and locked; the Secretariat can reopen it with a reason.")
        else:
            message = _("The report is %(state)s: it can be changed only while it is a draft or returned.") % {
                "state": _state_name(report.state)}
        raise ValidationError({"state": message})
    require_round_takes(report)


def check_report(actor: Actor, report: CityReport, version: str | None = None,
                 opened_at: dt.datetime | None = None) -> None:
    """What `save_report` refuses before looking at the values: the actor (PermissionDenied), the report's
    state and a stale form (ValidationError, `StaleReport`). The page calls it when its own fields are
    already refused, so that every problem is listed at once; it writes nothing."""
    if not can_edit(actor, report):
        raise PermissionDenied(_("You may not change the annual report of %(city)s.") % {"city": report.city.name})
    current = CityReport.objects.get(pk=report.pk)
    _require_editable(current)
    if version is not None:
        _require_version(current, list(current.project_lines.all()), version, opened_at)


def _require_version(report: CityReport, lines: list[ProjectReport], version: str,
                     opened_at: dt.datetime | None) -> None:
    if version == report_version(report, lines):
        return
    changes = changes_since(report, lines, opened_at)
    if changes:
        latest = changes[0]
        message = _("%(who)s saved this report on %(when)s, after you opened it. Nothing was saved, so that their "
                    "changes are not overwritten: what you typed is still below, and the fields they changed "
                    "show what they saved. Save again to replace their changes with yours.") % {
            "who": latest.who, "when": formats.date_format(timezone.localtime(latest.at), "DATETIME_FORMAT")}
    else:
        message = _("This report was changed after you opened it. Nothing was saved, so that those changes are "
                    "not overwritten: what you typed is still below. Save again to replace them with yours.")
    raise StaleReport(message, changes)


def changes_since(report: CityReport, lines: list[ProjectReport],
                  since: dt.datetime | None = None) -> list[OtherChange]:
    """The saves of the report's content after `since` (without it: the latest one), newest first, from the
    audit trail."""
    report_type = ContentType.objects.get_for_model(CityReport)
    entries = AuditEntry.objects.filter(
        Q(content_type=report_type, object_id=str(report.pk))
        | Q(content_type=ContentType.objects.get_for_model(ProjectReport),
            object_id__in=[str(line.pk) for line in lines]),
        action=AuditAction.UPDATE).select_related("actor").order_by("-created_at", "-id")
    if since is not None:
        entries = entries.filter(created_at__gt=since)
    found = []
    for entry in entries[:200]:
        prefix = "" if entry.content_type_id == report_type.pk else f"lines.{entry.object_id}."
        # In the form's order: PostgreSQL's jsonb does not keep the order the keys were written in.
        keys = tuple(prefix + name for name in ("summary", *LINE_ORDER) if name in entry.changes)
        if keys:
            found.append(OtherChange(_who(entry.actor), entry.created_at, keys))
            if since is None:
                break
    return found


def _who(account: User | None) -> str:
    if account is None:
        return _("The platform")
    return account.get_full_name() or account.username


def save_report(actor: Actor, report: CityReport, data: Mapping[str, Any], *, version: str | None = None,
                opened_at: dt.datetime | None = None, whole: bool = False, via: str = "web") -> ReportChanges:
    """Save the report's summary and its project lines together, all or nothing.

    `data` is `{"summary": text, "lines": {line id: {field: value}}}`; either part may be left out, and a
    line may give only some of its fields, unless `whole` (the page and the API's PUT): then the summary
    and every line with every field are given. Every value is checked first, against the model's rules
    (a completed project is 100 percent complete) and at most one highlighted line; any problem raises one
    ValidationError naming each (`summary`, `lines.<id>.<field>`, `lines.<id>`, `lines`) and nothing is
    written. Highlighting a line clears the others. With `version` (see `report_version`) a form drawn
    before someone else's save is refused with `StaleReport`, which lists their changes after `opened_at`.
    Each changed line and the report get their audit entry; returns the changes."""
    data = core.only_fields(data, {"summary", "lines"})
    with transaction.atomic():
        current = _locked_for_edit(actor, report)
        lines = {line.pk: line for line in ProjectReport.objects.select_for_update(of=("self",))
                 .filter(report=current).select_related("project")}
        if version is not None:
            _require_version(current, list(lines.values()), version, opened_at)
        errors: dict[str, list[str]] = {}
        planned = _planned_lines(lines, data.get("lines") or {}, whole, errors)
        summary = _checked_summary(data, whole, errors)
        if errors:
            raise ValidationError(errors)
        changes = ReportChanges()
        for line, values in planned:
            changed = core.update_audited(actor, line, values, via)
            if changed:
                changes.lines[line.pk] = changed
        if summary is not None:
            changes.report = core.update_audited(actor, current, {"summary": summary}, via)
    report.summary = current.summary
    return changes


def _checked_summary(data: Mapping[str, Any], whole: bool, errors: dict[str, list[str]]) -> str | None:
    if "summary" not in data:
        if whole:
            errors["summary"] = [_("Give the summary (it may be empty).")]
        return None
    summary = data["summary"]
    if not isinstance(summary, str):
        errors["summary"] = [_("The summary is text.")]
        return None
    if len(summary) > SUMMARY_LIMIT:
        errors["summary"] = [_("The summary has %(count)s characters; at most %(limit)s are kept.")
                             % {"count": len(summary), "limit": SUMMARY_LIMIT}]
    return summary


def _planned_lines(lines: dict[int, ProjectReport], given: Mapping[Any, Mapping[str, Any]], whole: bool,
                   errors: dict[str, list[str]]) -> list[tuple[ProjectReport, dict[str, Any]]]:
    """Each given line's checked values, in the report's order, plus the highlight the others lose; the
    problems go into `errors`."""
    if not isinstance(given, Mapping):
        errors["lines"] = [_("Give the lines as an object by line id.")]
        return []
    checked: dict[int, dict[str, Any]] = {}
    for key, values in given.items():
        pk = _line_id(key)
        if pk is None or pk not in lines:
            errors[f"lines.{key}"] = [_("This report has no project line %(id)s.") % {"id": key}]
            continue
        checked_values = _checked_line(lines[pk], values, whole, errors)
        if checked_values is not None:
            checked[pk] = checked_values
    if whole:
        missing = [line for pk, line in lines.items() if pk not in checked and f"lines.{pk}" not in errors
                   and not any(k.startswith(f"lines.{pk}.") for k in errors)]
        if missing:
            errors["lines"] = [_("Every project line is saved together; missing: %(lines)s.")
                               % {"lines": ", ".join(str(line.project) for line in missing)}]
    highlighted = [pk for pk, values in checked.items() if values.get("is_highlighted")]
    if len(highlighted) > 1:
        for pk in highlighted:
            errors[f"lines.{pk}.is_highlighted"] = [_("Highlight one project only: the M&E report features one "
                                                      "project per city.")]
    elif highlighted:
        for pk, line in lines.items():
            if pk != highlighted[0] and line.is_highlighted:
                checked.setdefault(pk, {})["is_highlighted"] = False
    return [(line, checked[pk]) for pk, line in lines.items() if pk in checked]


def _line_id(key: Any) -> int | None:
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    return int(key) if isinstance(key, str) and key.isdigit() else None


def _checked_line(line: ProjectReport, values: Any, whole: bool,
                  errors: dict[str, list[str]]) -> dict[str, Any] | None:
    """The line's new values as the model takes them, or None with the problems in `errors`."""
    key = f"lines.{line.pk}"
    if not isinstance(values, Mapping):
        errors[key] = [_("Give the line's fields as an object.")]
        return None
    unknown = sorted(set(values) - LINE_FIELDS)
    for name in unknown:
        errors[f"{key}.{name}"] = [_("This field cannot be set here.")]
    if whole:
        for name in sorted(LINE_FIELDS - set(values)):
            errors[f"{key}.{name}"] = [_("Give this field: the whole line is saved.")]
    if unknown or (whole and set(values) != LINE_FIELDS):
        return None
    candidate = copy.copy(line)
    for name, value in values.items():
        setattr(candidate, name, value)
    try:
        candidate.full_clean(exclude=["report", "project"], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors[key if name == NON_FIELD_ERRORS else f"{key}.{name}"] = messages
        return None
    return {name: getattr(candidate, name) for name in values}


def update_report(actor: Actor, report: CityReport, data: dict[str, Any], via: str = "web") -> dict[str, list[Any]]:
    """Change the report's summary while it is editable (the API's PATCH); returns the changes."""
    data = core.only_fields(data, REPORT_FIELDS)
    return save_report(actor, report, data, via=via).report


def update_project_line(actor: Actor, line: ProjectReport, data: dict[str, Any],
                        via: str = "web") -> dict[str, list[Any]]:
    """Change one project line while its report is editable (the API's PATCH of a line), through
    `save_report`: errors name the line's fields as they are (`percent_complete`), and `line` is reloaded.
    Highlighting a line clears the highlight of the report's other lines (one featured project per city)."""
    try:
        changes = save_report(actor, line.report, {"lines": {line.pk: dict(data)}}, via=via)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({_line_key(name, line.pk): messages
                               for name, messages in exc.message_dict.items()}) from None
    line.refresh_from_db()
    return changes.lines.get(line.pk, {})


def _line_key(name: str, pk: int) -> str:
    """`lines.<pk>.<field>` as the line's own field name (`lines.<pk>` as the line's non-field errors)."""
    prefix = f"lines.{pk}"
    if name == prefix:
        return NON_FIELD_ERRORS
    return name[len(prefix) + 1:] if name.startswith(prefix + ".") else name


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
    projects' progress updates dated the round's as-of date (not for a synthetic report: the demo's made-up
    lines never reach the projects)."""
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
            require_round_takes(current)
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
        if action == workflow.ACCEPT and not current.synthetic:  # the demo's reports change no real project
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


def start_for_reminder(reporting_round: ReportingRound, city: City, actor: Actor | None = None,
                       via: str = "task") -> CityReport:
    """The reminder run starts the draft of a city that has not started its report when its deadline is near
    (or has passed), so the reminder can point at it."""
    return _start(actor, reporting_round, city, via=via)


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


@dataclass
class Reminded:
    """What one reminder run did: the drafts it started and the e-mails it sent."""

    started: list[CityReport] = field(default_factory=list)
    sent: list[queries.Reminder] = field(default_factory=list)


def remind(on: dt.date, reporting_round: ReportingRound | None = None, actor: Actor | None = None,
           via: str = "task") -> Reminded:
    """The one reminder run, for the daily command (every open round, as the system) and the round page's
    "Send reminders now" (one round, as the Secretariat): start the drafts of reporting cities whose deadline
    is near and that have not started, then send the reminders due (`queries.reminders_due`), each report,
    kind and recipient at most once a day."""
    done = Reminded()
    for round_of_city, city in queries.cities_to_remind(on, reporting_round):
        done.started.append(start_for_reminder(round_of_city, city, actor, via))
    for reminder in queries.reminders_due(on, reporting_round):
        subject, body = reminder_mail.compose_in_english(reminder, on)
        if send_reminder(reminder, subject, body, on):
            done.sent.append(reminder)
    return done
