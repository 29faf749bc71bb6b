"""Under load, while an editor works: no errors, and every edit reaches readers.

One gunicorn (production settings, four workers) on 127.0.0.1; 50 readers
fetch the article, home, section and search pages for a bounded time (60 s,
or LOAD_TEST_SECONDS) while an editor edits and publishes through the admin.
Runs where live servers can share the database and cache (`.ci/run`'s
PostgreSQL and Redis pass), and skips elsewhere.
"""

import os
import random
import statistics
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command

from articles.models import Article

from .admin_forms import form_data
from .live import Browser, log_in, needs_shared_services, start_servers

pytestmark = [needs_shared_services, pytest.mark.django_db(transaction=True)]

READERS = 50
SECONDS = float(os.environ.get("LOAD_TEST_SECONDS", "60"))
EDIT_EVERY = 2.0


@pytest.fixture
def server(server_env):
    yield from start_servers(server_env, 1, workers=4)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies, self.statuses, self.errors = [], {}, []

    def add(self, status, seconds):
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def fail(self, url, error):
        with self.lock:
            self.errors.append(f"{url}: {error!r}")


def read(base, urls, tally, stop):
    rng = random.Random()
    while not stop.is_set():
        url = base + rng.choice(urls)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()
                tally.add(response.status, time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            tally.add(error.code, time.perf_counter() - started)
        except Exception as error:  # a refused or dropped connection is an error too
            tally.fail(url, error)


def edit(base, editor, story, stop, done):
    """Retitle the story and publish a new article, over and over, through the admin."""
    change = f"{base}/admin/articles/article/{story.pk}/change/"
    add = f"{base}/admin/articles/article/add/"
    n = 0
    while not stop.wait(EDIT_EVERY):
        n += 1
        fields = form_data(editor.get(change))
        fields["title"] = f"Quận Tây Hồ: bản cập nhật số {n}"
        editor.post(change, fields)
        done["title"] = fields["title"]
        fields = form_data(editor.get(add))
        fields.update(title=f"Tin nóng số {n}", status="published", sapo="Tin mới.")
        editor.post(add, fields)
        done["published"].append(fields["title"])


def test_readers_get_no_error_while_an_editor_publishes_and_every_edit_shows(
    server, editor_account, record_property
):
    (base,) = server
    call_command("loaddata", "tay_ho", verbosity=0)
    story = Article.objects.get(slug__startswith="quan-tay-ho")
    section = Article.objects.exclude(category=None).first().category
    urls = [story.get_absolute_url(), "/", section.get_absolute_url(), "/tim-kiem/?q=tay+ho"]
    editor = Browser()
    log_in(editor, base, *editor_account)

    tally, stop, done = Tally(), threading.Event(), {"title": story.title, "published": []}
    readers = [
        threading.Thread(target=read, args=(base, urls, tally, stop)) for _ in range(READERS)
    ]
    editing = threading.Thread(target=edit, args=(base, editor, story, stop, done))
    started = time.monotonic()
    for thread in [*readers, editing]:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in [*readers, editing]:
        thread.join(timeout=60)
    elapsed = time.monotonic() - started

    latencies = sorted(tally.latencies)
    figures = {
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "statuses": tally.statuses,
        "errors": len(tally.errors),
        "edits": len(done["published"]),
    }
    for name, value in figures.items():
        record_property(name, value)
    print(f"\nload test, {READERS} readers for {SECONDS:.0f} s: {figures}")

    assert not tally.errors, tally.errors[:5]
    assert set(tally.statuses) == {200}, tally.statuses
    assert len(done["published"]) >= SECONDS / EDIT_EVERY / 3, "the editor kept working"

    reader = Browser()
    assert done["title"] in reader.get(f"{base}{story.get_absolute_url()}").text
    home = reader.get(f"{base}/").text
    assert done["published"][-1] in home
    for title in done["published"]:
        article = Article.objects.get(title=title)
        assert title in reader.get(f"{base}{article.get_absolute_url()}").text
