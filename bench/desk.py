"""The desk's cost as stories pile up: its SQL queries and its time, logged in.

    .venv/bin/python -m bench.desk --articles 1000,100000

Each size gets its own SQLite database under BENCH_RUN_DIR (/tmp/newsroom-bench), built
with `make_synthetic_news` and reused; a tenth of its articles are then put in every box
of the desk (drafts and returns of one reporter with notes, stories in review, scheduled
ones, published today, open pages). Prints, per size, the desk's queries and the median of
15 requests through Django's test client.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("BENCH_RUN_DIR", "/tmp/newsroom-bench"))


def build(size):
    database = RUN_DIR / f"desk-{size}.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.test_settings",  # plain static files
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "bench-desk",
        "ALLOWED_HOSTS": "testserver",
        "HTTPS": "false",
    }
    if not database.exists():
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        for command in (["migrate", "-v0"], ["make_synthetic_news", "--articles", str(size)]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    return env


def measure(size):
    """Run in a process of its own, with the size's database: fill the boxes, then time."""
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from articles.models import Article, Note, Presence, StatusChange

    editor, _ = User.objects.get_or_create(
        username="bench-desk", defaults={"is_staff": True, "is_superuser": True}
    )
    if not StatusChange.objects.exists():
        now = timezone.now()
        pks = list(Article.objects.order_by("pk").values_list("pk", flat=True)[: size // 10])
        for n, pk in enumerate(pks):
            kind = n % 5
            if kind == 0:
                Article.objects.filter(pk=pk).update(status="draft", created_by=editor)
            elif kind == 1:
                Article.objects.filter(pk=pk).update(status="returned", created_by=editor)
                note = Note.objects.create(
                    article_id=pk, author=editor, recipient=editor, text="Sửa"
                )
                StatusChange.objects.create(
                    article_id=pk, author=editor, old_status="review", new_status="returned",
                    note=note,
                )  # fmt: skip
            elif kind == 2:
                Article.objects.filter(pk=pk).update(status="review")
                StatusChange.objects.create(
                    article_id=pk, author=editor, old_status="draft", new_status="review"
                )
            elif kind == 3:
                Article.objects.filter(pk=pk).update(published_at=now + timedelta(hours=n))
            else:
                Article.objects.filter(pk=pk).update(published_at=now - timedelta(seconds=n))
                Presence.objects.get_or_create(article_id=pk, user=editor)
    client = Client()
    client.force_login(editor)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/").status_code == 200
    count = len(queries)  # read now: the next requests empty Django's log of queries
    times = []
    for _ in range(15):
        start = time.perf_counter()
        client.get("/admin/")
        times.append((time.perf_counter() - start) * 1000)
    print(f"| {size:,} | {count} | {statistics.median(times):.1f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", default="1000,100000")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure)
    print("| articles | desk queries | desk median ms |\n| --- | --- | --- |")
    for size in (int(s) for s in args.articles.split(",")):
        env = build(size)
        subprocess.run(
            [sys.executable, "-m", "bench.desk", "--measure", str(size)],
            cwd=ROOT,
            env=env,
            check=True,
        )


if __name__ == "__main__":
    main()
