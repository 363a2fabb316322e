from django.core.management.base import BaseCommand, CommandError

from ascn.core.actions import seed_reference_data
from ascn.core.seeding import SeedError


class Command(BaseCommand):
    help = "Load the reference data (countries, cities, offices, chairs, framework, partners) idempotently."

    def handle(self, *args, **options) -> None:
        try:
            counts = seed_reference_data()
        except SeedError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        for c in counts:
            self.stdout.write(f"{c.label:>16}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged")
        if any(c.changed for c in counts):
            self.stdout.write(self.style.SUCCESS("Reference data loaded."))
        else:
            self.stdout.write(self.style.SUCCESS("Nothing to change: the reference data is already loaded."))
