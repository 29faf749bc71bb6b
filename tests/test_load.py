"""Under load, while an editor works: no errors, and every edit reaches readers.

The site runs as in production: settings with DEBUG off, under gunicorn, on
127.0.0.1; on the suite's PostgreSQL and Redis when it runs on them (as `.ci/run`
does), else on a SQLite file of its own. 50 readers fetch the article, home,
section and search pages for a bounded time (60 s, or LOAD_TEST_SECONDS) while an
editor retitles a story and publishes new ones through the admin; a second run
stops its own Redis halfway. Figures are printed and recorded as test properties.
The tests are marked ``load``: `make test` leaves them out, `.ci/run` runs them.
"""

import os
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command
from django.db import connection

from articles.text import slugify

from .admin_forms import form_data
from .live import (
    EDITOR,
    PASSWORD,
    Browser,
    log_in,
    new_site,
    redis_of_its_own,
    running_servers,
)

# The site uses the test database only when the suite runs on PostgreSQL.
pytestmark = [pytest.mark.load, pytest.mark.django_db(transaction=True, reset_sequences=True)]

READERS = 50
SECONDS = float(os.environ.get("LOAD_TEST_SECONDS", "60"))
EDIT_EVERY = 2.0
STORY = "/tin-tuc/quan-tay-ho-chu-dong-vuot-kho-hoan-thanh-xuat-sac-cac-phong-trao-thi-dua-1.html"


@pytest.fixture
def site_env(request, tmp_path):
    """The environment of a site with the seed story and an editor. When the suite runs on
    PostgreSQL, the site uses its test database and its cache (CACHE_URL); elsewhere it is
    a fresh site of its own on a SQLite file, with the in-process cache."""
    if connection.vendor != "postgresql":
        return new_site(tmp_path)
    call_command("loaddata", "tay_ho", verbosity=0)
    request.getfixturevalue("editor_account")
    return request.getfixturevalue("server_env")


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


def edit(base, editor, stop, done, tally):
    """Retitle the story and publish a new article, over and over, through the admin."""
    change = f"{base}/admin/articles/article/1/change/"
    add = f"{base}/admin/articles/article/add/"
    n, pause = 0, EDIT_EVERY
    while not stop.wait(pause):
        started = time.monotonic()
        n += 1
        try:
            fields = form_data(editor.get(change))
            fields["title"] = f"Quận Tây Hồ: bản cập nhật số {n}"
            if "/change/" in editor.post(change, fields).url:
                raise AssertionError(f"the edit was refused: {fields['title']}")
            done["title"] = fields["title"]
            fields = form_data(editor.get(add))
            fields.update(title=f"Tin nóng số {n}", status="published", sapo="Tin mới.")
            added = editor.post(add, fields).text
        except urllib.error.HTTPError as error:
            tally.add(error.code, time.monotonic() - started)
            tally.fail("the editor", error)
            continue
        pk = re.search(r'/admin/articles/article/(\d+)/change/">' + fields["title"], added)
        done["published"][fields["title"]] = int(pk.group(1))
        # An edit every EDIT_EVERY seconds, or at once when the last one took longer.
        pause = max(0.0, EDIT_EVERY - (time.monotonic() - started))


def run_load(base, record_property, halfway=None):
    """Readers and an editor for SECONDS against ``base``, calling ``halfway`` at half time;
    asserts that nobody got an error and that every edit shows."""
    urls = [STORY, "/", "/chi-dao-dieu-hanh/", "/tim-kiem/?q=tay+ho"]
    editor = Browser()
    log_in(editor, base, EDITOR, PASSWORD)

    tally, stop, done = Tally(), threading.Event(), {"title": None, "published": {}}
    readers = [
        threading.Thread(target=read, args=(base, urls, tally, stop)) for _ in range(READERS)
    ]
    editing = threading.Thread(target=edit, args=(base, editor, stop, done, tally))
    started = time.monotonic()
    for thread in [*readers, editing]:
        thread.start()
    if halfway:
        time.sleep(SECONDS / 2)
        halfway()
        time.sleep(SECONDS / 2)
    else:
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
    # Readers must not starve the editor: at least a sixth of the pace asked for. The
    # editor's requests queue behind fifty readers' on two cores, so a third of it was
    # sometimes missed on a loaded machine with nothing wrong.
    assert len(done["published"]) >= SECONDS / EDIT_EVERY / 6, "the editor kept working"

    reader = Browser()
    assert done["title"] in reader.get(f"{base}{STORY}").text
    assert list(done["published"])[-1] in reader.get(f"{base}/").text
    for title, pk in done["published"].items():
        assert title in reader.get(f"{base}/tin-tuc/{slugify(title)}-{pk}.html").text


def test_readers_get_no_error_while_an_editor_publishes_and_every_edit_shows(
    site_env, record_property
):
    # Four threads, not sixteen: with sixteen, the editor's admin requests (many short
    # queries, each giving up the GIL) waited behind every reader thread after each query,
    # and made 2 edits a minute; with four, 20, at the same readers' throughput.
    with running_servers(site_env, 1, workers=1, threads=4) as (base,):
        run_load(base, record_property)


def test_with_redis_stopped_halfway_readers_get_no_error_and_every_edit_shows(
    site_env, tmp_path, record_property
):
    with redis_of_its_own(tmp_path) as (cache_url, stop_redis):
        env = {**site_env, "CACHE_URL": cache_url}
        with running_servers(env, 1, workers=1, threads=4) as (base,):
            run_load(base, record_property, halfway=stop_redis)
