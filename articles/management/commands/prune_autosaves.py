"""Delete old autosaves, and photos kept across a form error that no save took."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from articles import autosave, kept_photos


class Command(BaseCommand):
    help = (
        "Delete editors' autosaves, and photos kept after a refused save, older than "
        "--days (AUTOSAVE_KEEP_DAYS by default). Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.AUTOSAVE_KEEP_DAYS)

    def handle(self, days, **options):
        cutoff = timezone.now() - timedelta(days=days)
        rows = autosave.prune(days)
        files = kept_photos.prune(cutoff)
        self.stdout.write(f"Deleted {rows} autosave(s) and {files} kept photo(s).")
