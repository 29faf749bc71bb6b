"""Queue the renditions that photos still lack (a task that failed, a queue that was lost)."""

from django.core.management.base import BaseCommand

from articles import renditions


class Command(BaseCommand):
    help = (
        "Queue the making of every photo's missing renditions, for the worker "
        "(manage.py db_worker); pages show the photos themselves until then."
    )

    def handle(self, **options):
        count = renditions.queue_missing()
        self.stdout.write(f"Queued the renditions of {count} photo(s).")
