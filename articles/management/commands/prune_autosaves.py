"""Delete old autosaves."""

from django.conf import settings
from django.core.management.base import BaseCommand

from articles import autosave


class Command(BaseCommand):
    help = (
        "Delete editors' autosaves older than --days (AUTOSAVE_KEEP_DAYS by default). Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.AUTOSAVE_KEEP_DAYS)

    def handle(self, days, **options):
        rows = autosave.prune(days)
        self.stdout.write(f"Deleted {rows} autosave(s).")
