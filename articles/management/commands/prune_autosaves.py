"""Delete old autosaves and photos kept across form errors that no save took."""

from django.conf import settings
from django.core.management.base import BaseCommand

from articles import autosave


class Command(BaseCommand):
    help = (
        "Delete editors' autosaves, and photos kept after a refused save, older than "
        "--days (AUTOSAVE_KEEP_DAYS by default). Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.AUTOSAVE_KEEP_DAYS)

    def handle(self, days, **options):
        rows, files = autosave.prune(days)
        self.stdout.write(f"Deleted {rows} autosave(s) and {files} kept photo(s).")
