from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ascn.network.actions import DEMO_ACCOUNTS, ensure_demo_accounts


class Command(BaseCommand):
    help = "Create or reset the fictional demo accounts (one per role) and print them. Development only."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--allow-production", action="store_true",
                            help="Create them even with DEBUG off (never on a public server).")

    def handle(self, *args, allow_production: bool = False, **options) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo accounts have published passwords: refusing with DEBUG off.")
        try:
            ensure_demo_accounts()
        except LookupError as exc:
            raise CommandError(f"{exc} Run `python manage.py seed` first.") from exc
        self.stdout.write("\nDemo accounts (fictional; passwords are public, for local use only):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<14} {account.password:<20} {account.description}")
        self.stdout.write("Log in at /accounts/login/ ; the back office is at /admin/ (Secretariat).\n")
