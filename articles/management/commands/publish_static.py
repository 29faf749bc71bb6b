"""Write the readers' pages as static files (see articles/publishing.py)."""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

from articles.publishing import Publisher


class Command(BaseCommand):
    help = (
        "Publish every public page to the static publication storage (STATIC_PUBLISH_ROOT). "
        "With --due, publish the scheduled articles whose time has come, after running what "
        "waits in the task queue (the edits' publication, photos' renditions) when no worker "
        "took it: run it each minute, since static files cannot change by themselves."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--due",
            action="store_true",
            help="only the queued edits and the articles whose scheduled time has come",
        )

    def handle(self, *, due, **options):
        if not getattr(settings, "STATIC_PUBLISH", False):
            raise CommandError("Static publication is off: set STATIC_PUBLISH_ROOT.")
        started = time.monotonic()
        publisher = Publisher()
        if due:
            if isinstance(task_backends["default"], DatabaseBackend):
                # The worker's own run, once through the queue; beside a running worker
                # each task is still taken by one of them only.
                call_command(
                    "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0
                )
            count = publisher.publish_due()
            self.stdout.write(f"{count} scheduled article(s) published.")
        else:
            publisher.publish_all()
        self.stdout.write(
            f"{publisher.written} file(s) written, {publisher.deleted} deleted "
            f"in {time.monotonic() - started:.1f} s."
        )
