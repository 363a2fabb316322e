from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ascn.portal import demo


class Command(BaseCommand):
    help = ("Make (or make again) the demo's synthetic dataset: indicator values, a reporting round with reports in "
            "every state, a business case and a readiness assessment, every record flagged and marked “Synthetic”. "
            "Development only (DEBUG on); see docs/demo-data.md.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--remove", action="store_true",
                            help="Only remove the synthetic records (every row flagged synthetic), make nothing.")

    def handle(self, *args, remove: bool = False, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_data makes synthetic records for trying the platform: refusing with DEBUG off "
                               "(it never runs on a real site).")
        if remove:
            done = demo.remove()
            self.stdout.write(f"Synthetic demo data removed: {demo.removed_text(done)}.")
            return
        try:
            done = demo.make()
        except LookupError as exc:
            raise CommandError(f"{exc} Run `python manage.py seed` first.") from exc
        for line in demo.summary_lines(done, self.style.SUCCESS):
            self.stdout.write(line)
