"""Pages of the business-matching sessions: in public, the published sessions, each session's grid (slots x
tables) and each participant's agenda (a page, a PDF and an iCal file); in the workspace, the Secretariat
prepares a session, schedules it (in the background, the page showing "scheduling…" until done) and publishes
it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascn.core.http import Request, SignedInRequest
from ascn.core.lookups import visible_or_404
from ascn.core.pdf import PdfUnavailable, html_to_pdf
from ascn.core.permissions import Principal, can_edit

from ..actions import sessions as actions
from ..forms.sessions import AvailabilityForm, GenerateForm, ParticipantsForm, RuleForm, SessionForm, SlotForm
from ..models import MatchingSession, SessionMeeting, SessionParticipant, SessionRule, SessionSlot
from ..queries import sessions as queries

PAGE_SIZE = 20
SLOTS_PER_PAGE = 8
PARTICIPANTS_PER_PAGE = 30
PRODID = "-//ASEAN Smart Cities Network//ASCN Platform business matching//EN"
UID_DOMAIN = "ascn-platform"


def _session(request: Request, pk: int) -> MatchingSession:
    return visible_or_404(queries.sessions(request.user), _("No business-matching session at this address."), pk=pk)


def _form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _refused(request: Request, exc: ValidationError) -> None:
    for errors in exc.message_dict.values():
        for message in errors:
            messages.error(request, message)


def _figures(session: MatchingSession) -> dict[str, Any]:
    return {"ratio": queries.ratio_to_greedy(session), "stale": queries.is_stale(session),
            "busy": queries.is_busy(session), "problems": queries.last_problems(session),
            "gap_percent": None if session.gap is None else session.gap * 100}


# --- Public pages ----------------------------------------------------------------------------------------


def session_list(request: Request) -> HttpResponse:
    page = Paginator(queries.sessions(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partnerships/session_list.html", {"page": page, "query": ""})


def session_grid(request: Request, pk: int) -> HttpResponse:
    """The event's grid: the slots (a page of them) down, the tables across, each pair in its cell."""
    session = _session(request, pk)
    page = Paginator(queries.slots(session), SLOTS_PER_PAGE).get_page(request.GET.get("page"))
    labels = queries.slot_labels(session, list(page.object_list))
    tables, rows = queries.grid(session, list(page.object_list))
    zone = queries.session_zone(session)
    return render(request, "partnerships/session_grid.html", {
        "session": session, "page": page, "query": "", "tables": tables, "rows": rows, "labels": labels,
        "zone": zone, "can_edit": can_edit(request.user, session), **_figures(session)})


def session_participants(request: Request, pk: int) -> HttpResponse:
    """The participants, each with its meetings' count and its agenda (page, PDF, iCal)."""
    session = _session(request, pk)
    page = Paginator(queries.participants(session), PARTICIPANTS_PER_PAGE).get_page(request.GET.get("page"))
    counts = queries.meeting_counts(session, list(page.object_list))
    rows = [(p, queries.participant_side(p), queries.participant_slug(p), counts.get(p.pk, 0)) for p in page]
    return render(request, "partnerships/session_participants.html", {
        "session": session, "page": page, "rows": rows, "query": ""})


def _agenda(request: Request, pk: int, side: str, slug: str) -> tuple[MatchingSession, SessionParticipant,
                                                                    list[SessionMeeting]]:
    session = _session(request, pk)
    who = queries.participant(session, side, slug)
    if who is None:
        raise Http404(_("No such participant in this session."))
    return session, who, queries.agenda(session, who)


def _agenda_context(session: MatchingSession, who: SessionParticipant, meetings: list[SessionMeeting]
                    ) -> dict[str, Any]:
    zone = queries.session_zone(session)
    side = queries.participant_side(who)
    rows = [{"starts_at": timezone.localtime(m.slot.starts_at, zone),
             "ends_at": timezone.localtime(m.slot.ends_at, zone), "table": m.table,
             "other": m.partner if side == "city" else m.city, "pinned": m.pinned}
            for m in meetings]
    return {"session": session, "who": who, "side": side, "slug": queries.participant_slug(who), "rows": rows,
            "zone": session.timezone, "name": queries.participant_name(who)}


def agenda(request: Request, pk: int, side: str, slug: str) -> HttpResponse:
    session, who, meetings = _agenda(request, pk, side, slug)
    return render(request, "partnerships/agenda.html", _agenda_context(session, who, meetings))


def agenda_pdf(request: Request, pk: int, side: str, slug: str) -> HttpResponse:
    """One participant's agenda printed (A4), in the page's language."""
    session, who, meetings = _agenda(request, pk, side, slug)
    context = {**_agenda_context(session, who, meetings), "language": translation.get_language() or "en"}
    try:
        data = html_to_pdf(render_to_string("partnerships/agenda_pdf.html", context, request=request))
    except PdfUnavailable:
        return HttpResponse(_("This server cannot print PDFs (its Pango library is missing)."), status=503,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agenda-{session.pk}-{side}-{slug}.pdf"'
    return response


def meeting_uid(meeting: SessionMeeting) -> str:
    """Stable per meeting: a pair meets at most once in a session, so a new schedule that moves the meeting
    updates the calendar's event instead of adding one."""
    return f"session-{meeting.session_id}-meeting-{meeting.city_id}-{meeting.partner_id}@{UID_DOMAIN}"


def calendar_file(session: MatchingSession, meetings: list[SessionMeeting], summary: Callable[[SessionMeeting], str],
                  name: str) -> bytes:
    """An iCalendar file of `meetings`: times in the session's time zone (with its VTIMEZONE), a stable UID per
    meeting, DTSTAMP the time the schedule was made."""
    import icalendar

    zone = queries.session_zone(session)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = session.solved_at or timezone.now()
    for m in meetings:
        event = icalendar.Event()
        event.add("uid", meeting_uid(m))
        event.add("dtstamp", stamp.astimezone(dt.UTC).replace(microsecond=0))
        event.add("dtstart", timezone.localtime(m.slot.starts_at, zone))
        event.add("dtend", timezone.localtime(m.slot.ends_at, zone))
        event.add("summary", summary(m))
        location = _("Table %(table)s") % {"table": m.table}
        event.add("location", f"{session.place}, {location}" if session.place else location)
        event.add("description", " · ".join(part for part in (session.title, session.event) if part))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _ics(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def agenda_ics(request: Request, pk: int, side: str, slug: str) -> HttpResponse:
    """One participant's meetings as an iCal file (SUMMARY: the other side)."""
    session, who, meetings = _agenda(request, pk, side, slug)
    name = queries.participant_name(who)

    def summary(m: SessionMeeting) -> str:
        other = m.partner if side == "city" else m.city
        return _("Business matching: %(name)s") % {"name": queries.participant_name(other)}

    title = _("%(session)s: agenda of %(name)s") % {"session": session.title, "name": name}
    return _ics(calendar_file(session, meetings, summary, title), f"agenda-{session.pk}-{side}-{slug}.ics")


def session_ics(request: Request, pk: int) -> HttpResponse:
    """The whole session's meetings as one iCal file (for the organisers)."""
    session = _session(request, pk)
    meetings = list(queries.meetings(session))

    def summary(m: SessionMeeting) -> str:
        return _("Business matching: %(city)s and %(partner)s") % {
            "city": queries.participant_name(m.city), "partner": queries.participant_name(m.partner)}

    return _ics(calendar_file(session, meetings, summary, session.title), f"session-{session.pk}.ics")


# --- The workspace (the Secretariat) ---------------------------------------------------------------------


def _secretariat(request: Request) -> None:
    if not Principal.of(request.user).is_secretariat:
        raise PermissionDenied(_("Only the ASEAN Secretariat prepares business-matching sessions."))


@login_required
def workspace_list(request: SignedInRequest) -> HttpResponse:
    _secretariat(request)
    page = Paginator(queries.sessions(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partnerships/session_workspace.html", {"page": page, "query": ""})


@login_required
def workspace_create(request: SignedInRequest) -> HttpResponse:
    _secretariat(request)
    form = SessionForm(request.POST or None, instance=MatchingSession())
    if request.method == "POST" and form.is_valid():
        try:
            session = actions.create_session(request.user, form.values())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Session created as a draft: add its slots and participants."))
            return redirect("partnerships:session_edit", pk=session.pk)
    return render(request, "partnerships/session_form.html", {"form": form},
                  status=422 if form.errors else 200)


def _editable(request: SignedInRequest, pk: int) -> MatchingSession:
    _secretariat(request)
    return _session(request, pk)


def _workspace_context(request: SignedInRequest, session: MatchingSession, **forms_given: Any) -> dict[str, Any]:
    slots = queries.slots(session)
    labels = queries.slot_labels(session, slots)
    zone = queries.session_zone(session)
    page = Paginator(queries.participants(session), PARTICIPANTS_PER_PAGE).get_page(request.GET.get("page"))
    people = [(p, AvailabilityForm(initial={"available": [s.pk for s in p.available.all()]}, slots=slots, labels=labels,
                                   prefix=f"p{p.pk}")) for p in page]
    context: dict[str, Any] = {
        "session": session, "slots": [(s, labels[s.pk]) for s in slots], "page": page, "people": people, "query": "",
        "rules": list(queries.rules(session)), "labels": labels,
        "form": SessionForm(instance=MatchingSession.objects.get(pk=session.pk)),
        "slot_form": SlotForm(zone=zone, prefix="slot"), "generate_form": GenerateForm(zone=zone, prefix="gen"),
        "participants_form": ParticipantsForm(prefix="add"),
        "rule_form": RuleForm(session=session, labels=labels, prefix="rule"),
        "prepared": queries.prepare(session) if people else None, **_figures(session)}
    context.update(forms_given)
    return context


@login_required
def workspace_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """The Secretariat's page of one session: its fields, slots, participants, rules and schedule."""
    session = _editable(request, pk)
    if request.method == "POST":
        form = SessionForm(request.POST, instance=MatchingSession.objects.get(pk=session.pk))
        if form.is_valid():
            try:
                changes = actions.update_session(request.user, session, form.values())
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                _saved(request, changes)
                return redirect("partnerships:session_edit", pk=session.pk)
        return render(request, "partnerships/session_edit.html", _workspace_context(request, session, form=form),
                      status=422)
    return render(request, "partnerships/session_edit.html", _workspace_context(request, session))


def _saved(request: Request, changes: Any) -> None:
    if changes:
        messages.success(request, _("Saved."))
    else:
        messages.info(request, _("Nothing changed."))


def _post_form(request: SignedInRequest, session: MatchingSession, form: forms.Form, name: str,
               write: Callable[[], Any], done: str) -> HttpResponse:
    """Run `write` for a valid `form`; on a refusal show the page again with the form's errors (422)."""
    if form.is_valid():
        try:
            write()
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("partnerships:session_edit", pk=session.pk)
    return render(request, "partnerships/session_edit.html",
                  _workspace_context(request, session, **{name: form}), status=422)


@login_required
@require_POST
def add_slot(request: SignedInRequest, pk: int) -> HttpResponse:
    session = _editable(request, pk)
    form = SlotForm(request.POST, zone=queries.session_zone(session), prefix="slot")
    return _post_form(request, session, form, "slot_form",
                      lambda: actions.add_slot(request.user, session, form.at("starts_at"), form.at("ends_at")),
                      _("Slot added."))


@login_required
@require_POST
def generate_slots(request: SignedInRequest, pk: int) -> HttpResponse:
    session = _editable(request, pk)
    form = GenerateForm(request.POST, zone=queries.session_zone(session), prefix="gen")
    return _post_form(request, session, form, "generate_form", lambda: actions.generate_slots(
        request.user, session, form.at("first"), form.cleaned_data["count"], form.cleaned_data["minutes"],
        form.cleaned_data["pause"]), _("Slots added."))


@login_required
@require_POST
def remove_slot(request: SignedInRequest, pk: int, slot: int) -> HttpResponse:
    session = _editable(request, pk)
    row = visible_or_404(SessionSlot.objects.filter(session=session), _("No such slot in this session."), pk=slot)
    actions.remove_slot(request.user, row)
    messages.success(request, _("Slot removed."))
    return redirect("partnerships:session_edit", pk=session.pk)


@login_required
@require_POST
def add_participants(request: SignedInRequest, pk: int) -> HttpResponse:
    session = _editable(request, pk)
    form = ParticipantsForm(request.POST, prefix="add")
    return _post_form(request, session, form, "participants_form", lambda: actions.add_participants(
        request.user, session, form.cleaned_data["cities"], form.cleaned_data["partners"]), _("Participants added."))


def _participant(session: MatchingSession, pk: int) -> SessionParticipant:
    return visible_or_404(SessionParticipant.objects.filter(session=session).select_related("city", "partner"),
                          _("No such participant in this session."), pk=pk)


@login_required
@require_POST
def set_availability(request: SignedInRequest, pk: int, participant: int) -> HttpResponse:
    session = _editable(request, pk)
    who = _participant(session, participant)
    slots = queries.slots(session)
    form = AvailabilityForm(request.POST, slots=slots, labels=queries.slot_labels(session, slots),
                            prefix=f"p{who.pk}")
    if form.is_valid():
        try:
            _saved(request, actions.set_availability(request.user, who, form.chosen()))
        except ValidationError as exc:
            _refused(request, exc)
    else:
        messages.error(request, _("Choose among this session's slots."))
    return redirect("partnerships:session_edit", pk=session.pk)


@login_required
@require_POST
def remove_participant(request: SignedInRequest, pk: int, participant: int) -> HttpResponse:
    session = _editable(request, pk)
    actions.remove_participant(request.user, _participant(session, participant))
    messages.success(request, _("Participant removed."))
    return redirect("partnerships:session_edit", pk=session.pk)


@login_required
@require_POST
def add_rule(request: SignedInRequest, pk: int) -> HttpResponse:
    session = _editable(request, pk)
    form = RuleForm(request.POST, session=session, labels=queries.slot_labels(session, queries.slots(session)),
                    prefix="rule")
    return _post_form(request, session, form, "rule_form", lambda: actions.set_rule(
        request.user, session, form.cleaned_data["city"], form.cleaned_data["partner"], form.cleaned_data["kind"],
        form.cleaned_data["slot"]), _("Rule saved: schedule the session again to apply it."))


@login_required
@require_POST
def remove_rule(request: SignedInRequest, pk: int, rule: int) -> HttpResponse:
    session = _editable(request, pk)
    row = visible_or_404(SessionRule.objects.filter(session=session).select_related("city__city", "partner__partner"),
                         _("No such rule in this session."), pk=rule)
    actions.remove_rule(request.user, row)
    messages.success(request, _("Rule removed."))
    return redirect("partnerships:session_edit", pk=session.pk)


def _status(request: Request, session: MatchingSession, status: int = 200) -> HttpResponse:
    session.refresh_from_db()
    return render(request, "partnerships/_session_status.html", {"session": session, **_figures(session)},
                  status=status)


@login_required
@require_POST
def schedule(request: SignedInRequest, pk: int) -> HttpResponse:
    """Ask for a schedule: a refusal lists each problem (and changes nothing); HTMX gets the status back."""
    session = _editable(request, pk)
    try:
        actions.request_solve(request.user, session)
    except ValidationError as exc:
        if request.htmx:
            session.refresh_from_db()
            refusal = [message for errors in exc.message_dict.values() for message in errors]
            return render(request, "partnerships/_session_status.html",
                          {"session": session, **_figures(session), "refusal": refusal}, status=422)
        _refused(request, exc)
    else:
        if request.htmx:
            return _status(request, session)
        messages.success(request, _("Scheduling… the page shows the result when it is done."))
    return redirect("partnerships:session_edit", pk=session.pk)


@login_required
def status(request: SignedInRequest, pk: int) -> HttpResponse:
    """The schedule's status and figures (polled every second by HTMX while a solve is queued or running)."""
    return _status(request, _editable(request, pk))


@login_required
@require_POST
def publish(request: SignedInRequest, pk: int) -> HttpResponse:
    session = _editable(request, pk)
    try:
        actions.publish_session(request.user, session)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Session published: the public sees its grid and agendas."))
    return redirect("partnerships:session_edit", pk=session.pk)


@login_required
@require_POST
def unpublish(request: SignedInRequest, pk: int) -> HttpResponse:
    session = _editable(request, pk)
    actions.unpublish_session(request.user, session)
    messages.success(request, _("Session back to draft: it left the public pages."))
    return redirect("partnerships:session_edit", pk=session.pk)


urlpatterns = [
    path("partnerships/sessions/", session_list, name="sessions"),
    path("partnerships/sessions/<int:pk>/", session_grid, name="session"),
    path("partnerships/sessions/<int:pk>/participants/", session_participants, name="session_participants"),
    path("partnerships/sessions/<int:pk>/calendar.ics", session_ics, name="session_ics"),
    path("partnerships/sessions/<int:pk>/agenda/<str:side>/<slug:slug>/", agenda, name="agenda"),
    path("partnerships/sessions/<int:pk>/agenda/<str:side>/<slug:slug>.pdf", agenda_pdf, name="agenda_pdf"),
    path("partnerships/sessions/<int:pk>/agenda/<str:side>/<slug:slug>.ics", agenda_ics, name="agenda_ics"),
    path("workspace/sessions/", workspace_list, name="session_workspace"),
    path("workspace/sessions/new/", workspace_create, name="session_create"),
    path("workspace/sessions/<int:pk>/", workspace_edit, name="session_edit"),
    path("workspace/sessions/<int:pk>/slots/", add_slot, name="session_add_slot"),
    path("workspace/sessions/<int:pk>/slots/generate/", generate_slots, name="session_generate_slots"),
    path("workspace/sessions/<int:pk>/slots/<int:slot>/remove/", remove_slot, name="session_remove_slot"),
    path("workspace/sessions/<int:pk>/participants/", add_participants, name="session_add_participants"),
    path("workspace/sessions/<int:pk>/participants/<int:participant>/", set_availability,
         name="session_availability"),
    path("workspace/sessions/<int:pk>/participants/<int:participant>/remove/", remove_participant,
         name="session_remove_participant"),
    path("workspace/sessions/<int:pk>/rules/", add_rule, name="session_add_rule"),
    path("workspace/sessions/<int:pk>/rules/<int:rule>/remove/", remove_rule, name="session_remove_rule"),
    path("workspace/sessions/<int:pk>/schedule/", schedule, name="session_schedule"),
    path("workspace/sessions/<int:pk>/status/", status, name="session_status"),
    path("workspace/sessions/<int:pk>/publish/", publish, name="session_publish"),
    path("workspace/sessions/<int:pk>/unpublish/", unpublish, name="session_unpublish"),
]
