"""The daily reminders of the annual reports (run by `manage.py send_report_reminders` from cron or a
systemd timer; see docs/monitoring-reports.md)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from ..queries import reports as queries


@task()
def send_report_reminders(on: str | None = None) -> dict[str, int]:
    """Send the reminders due on `on` (ISO date; today by default) by the one reminder rule
    (`queries.reports.reminders_due`, shared with the round page's "Send reminders now"): to city officers of
    reports not submitted when their deadline is within a week or has passed (their drafts are started first
    if missing), to National Representatives of submitted reports, and to the Secretariat of endorsed ones.
    Each report, kind and recipient gets at most one reminder a day, so running it twice sends nothing new.
    Returns how many drafts were started and e-mails sent."""
    from ..actions import reports as actions  # the actions compose their e-mails with this module

    day = dt.date.fromisoformat(on) if on else queries.today()
    done = actions.remind(day)
    return {"started": len(done.started), "sent": len(done.sent)}


def compose_in_english(reminder: queries.Reminder, on: dt.date) -> tuple[str, str]:
    """The reminder's subject and body in English, whatever the language of the page that sends it."""
    with translation.override("en"):
        return compose(reminder, on)


def _link(report_pk: int) -> str:
    """The report's address, absolute when SITE_URL (e.g. https://ascn.example.org) is configured."""
    with translation.override(None):
        path = reverse("monitoring:city_report", args=[report_pk])
    return settings.SITE_URL.rstrip("/") + path


def compose(reminder: queries.Reminder, on: dt.date) -> tuple[str, str]:
    """The subject and body of one reminder (in the active language)."""
    year = reminder.round.year
    due_on = reminder.reports[0].due_on
    # A city's reminder counts from its own deadline: its extension, if it has one.
    extended = (reminder.kind == queries.SUBMIT_KIND and due_on is not None
                and queries.deadline(reminder.round, due_on) == due_on)
    closes = due_on if extended else reminder.round.closes_on
    deadline = closes.isoformat() if closes else ""
    lines = [f"- {r.city.name} ({r.city.country.display_name}): {_link(r.pk)}" for r in reminder.reports]
    greeting = _("Dear %(name)s,") % {"name": reminder.recipient.get_full_name() or reminder.recipient.username}
    if reminder.kind == queries.SUBMIT_KIND:
        report = reminder.reports[0]
        values = {"year": year, "city": report.city.name, "date": deadline}
        if closes and closes < on:
            subject = _("Overdue: the %(year)s annual report of %(city)s was due on %(date)s") % values
        else:
            subject = _("Reminder: the %(year)s annual report of %(city)s is due on %(date)s") % values
        text = _("The %(year)s annual report of %(city)s has not been submitted yet. Complete its project "
                 "lines and indicator values, then submit it to your National Representative.") % values
    elif reminder.kind == queries.ENDORSE_KIND:
        count = len(reminder.reports)
        values = {"count": count, "year": year}
        subject = ngettext("Reminder: %(count)d annual report of %(year)s waits for your endorsement",
                           "Reminder: %(count)d annual reports of %(year)s wait for your endorsement",
                           count) % values
        text = ngettext("This city report was submitted and waits for you to endorse it or return it with a "
                        "reason:", "These city reports were submitted and wait for you to endorse them or "
                        "return them with a reason:", count)
    else:
        count = len(reminder.reports)
        values = {"count": count, "year": year}
        subject = ngettext("Reminder: %(count)d annual report of %(year)s waits for acceptance",
                           "Reminder: %(count)d annual reports of %(year)s wait for acceptance", count) % values
        text = ngettext("This city report was endorsed by its National Representative and waits for the "
                        "Secretariat to accept it or return it with a reason:", "These city reports were "
                        "endorsed by their National Representatives and wait for the Secretariat to accept "
                        "them or return them with a reason:", count)
    if extended:
        closing = _("The deadline of %(city)s was extended to %(date)s.") % {
            "city": reminder.reports[0].city.name, "date": deadline}
    else:
        closing = (_("The round closes on %(date)s.") % {"date": deadline}) if closes and closes >= on else (
            _("The round closed on %(date)s.") % {"date": deadline} if closes else "")
    body = "\n\n".join(part for part in (greeting, text, "\n".join(lines), closing,
                                         _("Your inbox lists everything waiting for you.")) if part)
    return subject, body
