from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ascn.plans.actions import import_projects


class Command(BaseCommand):
    help = ("Import projects from a CSV (UTF-8) or XLSX file: check every row, then write all of it or "
            "nothing. Same columns as the template at /projects/import/template.xlsx.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        summary, _record = import_projects(None, file.name, data, commit=not dry_run, via="command",
                                            as_system=True, keep_file=not dry_run)
        if summary.problem:
            raise CommandError(f"{file.name}: {summary.problem} Nothing was imported.")
        for error in summary.errors[:200]:
            self.stderr.write(f"row {error['row']}, column {error['column']}: {error['reason']}")
        if len(summary.errors) > 200:
            self.stderr.write(f"… and {len(summary.errors) - 200} more errors")
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"{summary.created} {verb} created, {summary.updated} {verb} updated, "
                          f"{summary.unchanged} unchanged, {len(summary.errors)} errors.")
        if summary.errors:
            raise CommandError("Nothing was imported: fix the errors above and run again.")
        self.stdout.write(self.style.SUCCESS("Dry run: nothing was written." if dry_run else "Imported."))
