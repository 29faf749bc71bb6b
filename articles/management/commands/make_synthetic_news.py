"""Fill the database with synthetic articles for benchmarks (or remove them)."""

import time

from django.core.management.base import BaseCommand, CommandError

from articles.synthetic import SYNTHETIC_PREFIX, delete_synthetic, make_synthetic_news


class Command(BaseCommand):
    help = (
        f"Add N synthetic articles (slugs start with “{SYNTHETIC_PREFIX}”) across synthetic "
        "sections, with text blocks, figures, related links and editor's picks; "
        "--delete removes them and nothing else."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000, help="how many to add")
        parser.add_argument("--seed", type=int, default=0, help="random seed, for repeatable data")
        parser.add_argument("--delete", action="store_true", help="remove every synthetic row")

    def handle(self, *, articles, seed, delete, verbosity, **options):
        started = time.monotonic()
        if delete:
            count = delete_synthetic()
            self.stdout.write(f"Deleted {count} synthetic articles.")
            return
        if articles < 1:
            raise CommandError("--articles must be at least 1.")

        def progress(done):
            if verbosity > 1:
                self.stdout.write(f"  {done}/{articles} in {time.monotonic() - started:.1f} s")

        make_synthetic_news(articles, seed=seed, progress=progress)
        self.stdout.write(
            f"Added {articles} synthetic articles in {time.monotonic() - started:.1f} s."
        )
