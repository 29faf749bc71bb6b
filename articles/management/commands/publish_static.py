"""Write the readers' pages as static files (see articles/publishing.py)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.publishing import Publisher


class Command(BaseCommand):
    help = (
        "Publish every public page to the static publication storage (STATIC_PUBLISH_ROOT). "
        "With --due, publish only the scheduled articles whose time has come: run it each "
        "minute, since static files cannot change by themselves."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--due", action="store_true", help="only articles whose scheduled time has come"
        )

    def handle(self, *, due, **options):
        if not getattr(settings, "STATIC_PUBLISH", False):
            raise CommandError("Static publication is off: set STATIC_PUBLISH_ROOT.")
        started = time.monotonic()
        publisher = Publisher()
        if due:
            count = publisher.publish_due()
            self.stdout.write(f"{count} scheduled article(s) published.")
        else:
            publisher.publish_all()
        self.stdout.write(
            f"{publisher.written} file(s) written, {publisher.deleted} deleted "
            f"in {time.monotonic() - started:.1f} s."
        )
