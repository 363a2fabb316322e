"""Send the day's reminders of the city annual reports. Run it once a day (cron or a systemd timer)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from ascn.monitoring.tasks.reports import send_report_reminders


class Command(BaseCommand):
    help = ("Send the reminders of the city annual reports due today (the same rule as \"Send reminders now\" on "
            "a round's page): city officers of reports not submitted when their deadline (an extension, else the "
            "round's closing date) is within a week or has passed, National Representatives of submitted reports, "
            "the Secretariat of endorsed ones. Each reminder goes at most once a day per report and person.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD); default: today.")
        parser.add_argument("--enqueue", action="store_true",
                            help="Hand the run to the task worker instead of running it here.")

    def handle(self, *args, date: str | None = None, enqueue: bool = False, **options) -> None:
        if date:
            try:
                dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date {date!r} is not a date in the form YYYY-MM-DD.") from exc
        if enqueue:
            result = send_report_reminders.enqueue(date)
            self.stdout.write(f"Reminders queued (task {result.id}).")
            return
        counts = send_report_reminders.call(date)
        self.stdout.write(f"Reminders sent: {counts['sent']}; drafts started for late cities: {counts['started']}.")
