"""The page cache can only be right: never older than the database, never moved by what
readers cannot see, never filled by parameters no page reads, and never needed to answer."""

import os
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.cache import fragments, version
from articles.models import Article, Figure, RelatedLink, RichText

from .factories import make_article, make_category

HEADLINE = "Chợ hoa Quảng Bá"


@pytest.fixture
def story(db):
    section = make_category("Nhịp sống Thủ đô")
    return make_article(HEADLINE, category=section, blocks=["Chợ mở suốt đêm."])


def pages_of(story):
    """The pages an article is listed on, and its own."""
    return {
        "article": story.get_absolute_url(),
        "home": "/",
        "section": story.category.get_absolute_url(),
        "all news": "/tin-tuc/",
        "feed": "/rss/",
        "sitemap": "/sitemap-articles.xml",
    }


def shows(client, url, story):
    response = client.get(url)
    return response.status_code == 200 and story.slug in response.content.decode()


def forget_this_process():
    """What a new process starts with: nothing kept in memory."""
    version.copies.clear()
    fragments.store.clear()


# Only the parameters a page reads ---------------------------------------------------------


def cache_keys():
    """How many entries the cache holds (the cache is the test's own)."""
    if isinstance(getattr(cache, "_cache", None), dict):  # locmem
        return len(cache._cache)
    return cache._cache.get_client().dbsize()


def test_a_thousand_made_up_parameters_add_no_page_to_the_cache(client, story):
    import random
    import uuid

    urls = {
        "home": "/",
        "article": story.get_absolute_url(),
        "section": story.category.get_absolute_url(),
        "sitemap": "/sitemap-articles.xml",
    }
    pages = {name: client.get(url).content for name, url in urls.items()}
    kept = cache_keys()
    made_up = [
        lambda: {"p": uuid.uuid4().hex},
        lambda: {"page": random.randint(2, 10**9)},
        lambda: {"page": uuid.uuid4().hex},
        lambda: {"page": "0" * random.randint(1, 9) + "1"},
        lambda: {"p": random.randint(2, 10**9)},
        lambda: {"utm_source": uuid.uuid4().hex, "fbclid": uuid.uuid4().hex},
    ]
    for n in range(1000):
        name = list(urls)[n % len(urls)]
        response = client.get(urls[name], made_up[n % len(made_up)]())
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert response.content == pages[name], name
    assert cache_keys() == kept


def test_the_first_page_of_a_list_is_one_copy_however_its_number_is_written(
    client, story, django_assert_num_queries
):
    first = client.get("/tin-tuc/")
    for query in ("?page=1", "?page=01", "?page=+1", "?page=1&page=1", "?p=1&page=001"):
        with django_assert_num_queries(0):
            assert client.get(f"/tin-tuc/{query}").content == first.content, query


def test_another_page_of_a_list_is_kept_under_its_own_number(client, story, monkeypatch):
    monkeypatch.setattr("articles.views.PAGE_SIZE", 1)
    make_article("Bài thứ hai", category=story.category)
    second = client.get("/tin-tuc/?page=2")
    assert "Chợ hoa" in second.content.decode()
    assert client.get("/tin-tuc/?page=02").content == second.content
    assert client.get("/tin-tuc/").content != second.content


# A cache restored to an older state ---------------------------------------------------


def cache_snapshot():
    """Everything in the cache as it is now, to put back later as a restored snapshot would."""
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):  # locmem
        return dict(cache._cache), dict(cache._expire_info)
    client = cache._cache.get_client(write=True)
    return {key: (client.pttl(key), client.dump(key)) for key in client.keys("*")}


def restore(snapshot):
    if isinstance(snapshot, tuple):
        values, expiry = snapshot
        with cache._lock:
            cache._cache.clear()
            cache._cache.update(values)
            cache._expire_info.clear()
            cache._expire_info.update(expiry)
        return
    client = cache._cache.get_client(write=True)
    client.flushdb()  # the test's own database number
    for key, (ttl, dumped) in snapshot.items():
        client.restore(key, max(ttl, 0), dumped, replace=True)


@pytest.mark.parametrize("process", ["this process", "a fresh process"])
def test_a_cache_restored_from_before_an_unpublish_never_serves_the_article(
    client, story, process, django_capture_on_commit_callbacks
):
    urls = pages_of(story)
    assert all(shows(client, url, story) for url in urls.values())
    before = cache_snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        story.status = Article.Status.DRAFT
        story.save()
    assert not any(shows(client, url, story) for url in urls.values())

    restore(before)  # the site version and the pages from before the unpublish
    if process == "a fresh process":
        forget_this_process()
    for name, url in urls.items():
        assert not shows(client, url, story), name
    assert client.get(urls["article"]).status_code == 404


def test_a_site_version_older_than_the_databases_is_ignored_and_repaired(story):
    moment = version.current()
    stale = moment - timedelta(hours=1)
    cache.set(version.KEY, (stale, None), timeout=None)
    forget_this_process()
    assert version.current() == moment
    assert cache.get(version.KEY)[0] == moment


def test_a_process_never_goes_back_from_a_site_version_it_has_seen(story):
    later = timezone.now() + timedelta(minutes=1)
    cache.set(version.KEY, (later, None), timeout=None)  # another process's change
    assert version.current() == later
    cache.set(version.KEY, (later - timedelta(minutes=2), None), timeout=None)
    assert version.current() == later


# What readers cannot see does not change their pages ----------------------------------


@pytest.fixture
def warm_home(client, story):
    """The home page cached, and a way to tell whether it still is, under the same site version."""
    client.get("/")
    # The ETag, not Last-Modified: that is left out in the second of the last change, so
    # it would differ between a page read in that second and the same page a second later.
    moment, etag = version.current(), client.get("/").get("ETag")

    def still_cached():
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/")
        same = version.current() == moment and page.get("ETag") == etag
        # A kept page reads nothing but, while Redis's watch is not yet listening, the site
        # version's row to check the cache's copy; a page rendered again reads articles.
        read = [q["sql"] for q in queries.captured_queries if "sitechange" not in q["sql"]]
        return same and not read

    return still_cached


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW])
def test_writing_an_unpublished_article_does_not_change_readers_pages(story, warm_home, status):
    draft = make_article(
        "Bài chưa đăng",
        category=story.category,
        status=status,
        blocks=["Đoạn một.", {"caption": "Ảnh"}],
        related=[story],
    )
    draft.title = "Bài chưa đăng, đã sửa"
    draft.save()
    RichText.objects.filter(article=draft).get().delete()
    block = Figure.objects.get(article=draft)
    block.caption = "Ảnh khác"
    block.save()
    RelatedLink.objects.filter(article=draft).delete()
    draft.delete()
    assert warm_home()


def test_moving_a_draft_between_draft_and_review_does_not_change_readers_pages(story, warm_home):
    draft = make_article("Bài chưa đăng", status=Article.Status.DRAFT)
    draft.status = Article.Status.REVIEW
    draft.save()
    draft.status = Article.Status.DRAFT
    draft.save()
    assert warm_home()


def publish(story):
    draft = make_article("Bài mới", category=story.category, status=Article.Status.DRAFT)
    draft.status = Article.Status.PUBLISHED
    draft.save()


def unpublish(story):
    story.status = Article.Status.DRAFT
    story.save()


def edit(story):
    story.sapo = "Chợ mở từ chiều 28 Tết."
    story.save()


def edit_a_block(story):
    block = RichText.objects.filter(article=story).first()
    block.text = "Chợ mở cả ngày."
    block.save()


def rename_the_section(story):
    story.category.name = "Sống ở Thủ đô"
    story.category.save()


def schedule(story):
    make_article("Pháo hoa", published_at=timezone.now() + timedelta(hours=1))


def delete(story):
    story.delete()


@pytest.mark.parametrize(
    "change",
    [publish, unpublish, edit, edit_a_block, rename_the_section, schedule, delete],
)
def test_every_change_readers_can_see_moves_the_site_version_and_renews_the_pages(
    story, warm_home, change
):
    change(story)
    assert not warm_home()


def test_a_scheduled_article_saved_again_still_appears_at_its_time(client, story, monkeypatch):
    due = timezone.now() + timedelta(minutes=5)
    scheduled = make_article("Pháo hoa đêm giao thừa", published_at=due)
    assert "Pháo hoa" not in client.get("/").content.decode()
    scheduled.published_at = due + timedelta(minutes=5)
    scheduled.save()
    monkeypatch.setattr(timezone, "now", lambda: due + timedelta(minutes=1))
    assert "Pháo hoa" not in client.get("/").content.decode()
    monkeypatch.setattr(timezone, "now", lambda: due + timedelta(minutes=6))
    assert "Pháo hoa" in client.get("/").content.decode()


# A change that rolls back --------------------------------------------------------------


def test_a_save_that_rolls_back_does_not_move_the_site_version(client, story):
    before = version.current()
    page = client.get("/").content
    with pytest.raises(RuntimeError), transaction.atomic():
        story.title = "Tiêu đề không bao giờ lưu"
        story.save()
        raise RuntimeError("the rest of the save failed")
    assert version.current() == before
    assert client.get("/").content == page

    story.refresh_from_db()
    edit(story)  # a change that commits still moves it
    assert version.current() > before


def test_a_change_is_marked_once_per_transaction_however_many_rows_it_saves(story, monkeypatch):
    from articles.models import SiteChange

    marks = []
    advance = SiteChange.advance
    monkeypatch.setattr(
        SiteChange,
        "advance",
        classmethod(lambda cls, using=None: marks.append(using) or advance(using)),
    )
    with transaction.atomic():
        edit(story)
        for position in range(2, 12):
            RichText.objects.create(article=story, ordering=position, text="Thêm một đoạn.")
        assert len(marks) == 1
        version.current()  # a page read in the same transaction...
        edit_a_block(story)
    assert len(marks) == 2  # ...is never kept under the version of a later change


# Redis down, restarted or full ----------------------------------------------------------

PUBLIC_PAGES = ("article", "home", "section", "all news", "feed", "sitemap")


def redis_cache_at(url):
    return {
        "default": {
            "BACKEND": "articles.cache.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }


@pytest.fixture
def breakers(monkeypatch):
    """Each test's own view of which servers answer, retried after a fifth of a second."""
    backend = pytest.importorskip("articles.cache.redis", reason="not installed: redis")
    monkeypatch.setattr(backend, "_breakers", {})
    monkeypatch.setattr(backend.Breaker, "PAUSE", 0.2)
    return backend


@pytest.fixture
def redis_down(settings, breakers):
    """The cache is a Redis on a port where nothing listens."""
    from .live import free_port

    settings.CACHES = redis_cache_at(f"redis://127.0.0.1:{free_port()}/0")
    settings.CACHE_SHARED_BY_PROCESSES = True
    forget_this_process()


def unpublish_in_the_admin(client, editor, story):
    from .admin_forms import errors_of, post_form

    client.force_login(editor)
    response = post_form(client, story, status=Article.Status.DRAFT)
    assert response.status_code == 302, errors_of(response)
    client.logout()
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


def test_with_redis_down_readers_get_every_page_and_an_editor_unpublishes(
    client, story, editor, redis_down, caplog, django_capture_on_commit_callbacks
):
    urls = pages_of(story)
    for name in PUBLIC_PAGES:
        assert shows(client, urls[name], story), name
    found = client.get("/tim-kiem/", {"q": "chợ hoa"})
    assert found.status_code == 200 and story.slug in found.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        unpublish_in_the_admin(client, editor, story)
    for name in PUBLIC_PAGES:
        assert not shows(client, urls[name], story), name
    assert client.get(urls["article"]).status_code == 404
    warnings = [r for r in caplog.records if "cache does not answer" in r.getMessage()]
    assert len(warnings) == 1  # once for the outage, not once per request


def test_a_dead_redis_is_not_asked_again_on_every_call(redis_down, breakers, monkeypatch):
    import redis

    breakers._breakers.clear()

    connects = []
    real_connect = redis.connection.AbstractConnection.connect
    monkeypatch.setattr(
        redis.connection.AbstractConnection,
        "connect",
        lambda self: connects.append(1) or real_connect(self),
    )
    for _ in range(20):
        assert cache.get("any") is None
        assert cache.set("any", 1) is False
    assert len(connects) == 1


@pytest.fixture
def own_redis(tmp_path, settings, breakers):
    """A redis-server of the test's own on a free port, which it may stop, restart from
    its snapshot, or fill; the site's cache is on it."""
    import shutil
    import subprocess
    import time

    import redis

    from .live import free_port

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server")

    class Server:
        port = free_port()
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self, *options):
            self.process = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
                + ["--appendonly", "no", "--dir", str(tmp_path), *options],
                stdout=subprocess.DEVNULL,
            )
            self.client = redis.Redis.from_url(self.url)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    if self.client.ping():
                        return
                except redis.ConnectionError:
                    time.sleep(0.05)
            raise TimeoutError("redis-server did not start")

        def stop(self):
            if self.process is not None:
                self.process.terminate()
                self.process.wait(timeout=10)
                self.process = None

    server = Server()
    server.start()
    settings.CACHES = redis_cache_at(server.url)
    settings.CACHE_SHARED_BY_PROCESSES = True
    forget_this_process()
    yield server
    server.stop()


def wait_for(condition, seconds=5.0):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_redis_stopped_and_restarted_from_a_snapshot_never_brings_back_an_unpublished_article(
    client, story, editor, own_redis, django_capture_on_commit_callbacks, caplog
):
    urls = pages_of(story)
    for name in PUBLIC_PAGES:
        assert shows(client, urls[name], story), name
    own_redis.client.save()  # the snapshot: the pages and the site version from before
    heard = version.copies.seen

    own_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        unpublish_in_the_admin(client, editor, story)
    for name in PUBLIC_PAGES:
        assert not shows(client, urls[name], story), name

    # A process that was idle through the outage has seen nothing newer than the snapshot,
    # and has no failed write of its own to send again.
    version.copies.seen = heard
    cache._breaker.pending.clear()
    own_redis.start()  # loads the snapshot
    assert own_redis.client.exists(cache.make_key(version.KEY))
    for name in PUBLIC_PAGES:
        assert not shows(client, urls[name], story), name
    forget_this_process()
    for name in PUBLIC_PAGES:
        assert not shows(client, urls[name], story), name
    assert wait_for(lambda: cache.set("any-key", 1) is not False)
    logged = [r.getMessage() for r in caplog.records if r.name == "articles.cache.redis"]
    assert sum("does not answer" in m for m in logged) == 1
    assert sum("answers again" in m for m in logged) == 1


def test_a_full_redis_serves_every_page_and_lets_editors_save(
    client, story, editor, own_redis, caplog, django_capture_on_commit_callbacks
):
    import redis

    own_redis.stop()
    own_redis.start("--maxmemory", "2mb", "--maxmemory-policy", "noeviction")
    filler = b"x" * 10_000
    try:
        for n in range(10_000):
            own_redis.client.set(f"filler-{n}", filler)
    except redis.exceptions.OutOfMemoryError:
        pass
    else:
        pytest.fail("Redis never filled up")

    urls = pages_of(story)
    for name in PUBLIC_PAGES:
        assert shows(client, urls[name], story), name
    with django_capture_on_commit_callbacks(execute=True):
        unpublish_in_the_admin(client, editor, story)
    for name in PUBLIC_PAGES:
        assert not shows(client, urls[name], story), name
    assert any("refuses writes" in r.getMessage() for r in caplog.records)


# The default cache under several workers ------------------------------------------------


def test_check_deploy_warns_that_the_default_cache_is_not_shared_by_workers():
    import subprocess
    import sys

    from .live import ROOT

    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "HTTPS", "DJANGO_SETTINGS_MODULE", "CACHE_URL"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="false",
        SECRET_KEY="k3y-" + "x7Q#p2!w" * 8,
        ALLOWED_HOSTS="news.example.vn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "(articles.W001) The cache is kept in each process's memory" in result.stderr
    assert "CACHE_URL=redis://" in result.stderr
    assert "1 issue" in result.stdout + result.stderr


STORY = "/tin-tuc/quan-tay-ho-chu-dong-vuot-kho-hoan-thanh-xuat-sac-cac-phong-trao-thi-dua-1.html"


@pytest.fixture
def default_site(tmp_path):
    """A site as a new user runs it: production settings and nothing else, the default
    cache (each process's memory), a SQLite file, the seed story; gunicorn, 3 workers."""
    import subprocess
    import sys

    pytest.importorskip("gunicorn", reason="not installed: gunicorn (the production extra)")
    from .live import ROOT, start_servers

    env = {key: value for key, value in os.environ.items() if key != "CACHE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY="three-workers-test-key",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    for command in (
        ["migrate", "--noinput"],
        ["loaddata", "tay_ho"],
        ["collectstatic", "--noinput"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v0"], cwd=ROOT, env=env, check=True
        )

    def edit(code):
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True
        )

    servers = start_servers(env, 1, workers=3)
    (base,) = next(servers)
    yield base, edit
    servers.close()


def get(url):
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode(), response.headers.get("Last-Modified")


def test_three_workers_with_the_default_cache_all_show_an_edit_at_once(default_site):
    import time

    base, edit = default_site
    dates = set()
    for _ in range(30):  # every worker keeps its own copy of both pages
        for url in ("/", STORY):
            html, modified = get(base + url)
            assert "Quận Tây Hồ" in html, url
            dates.add(modified)
    assert len(dates) == 1  # the workers agree on when the site last changed

    edit(
        "from articles.models import Article; "
        "a = Article.objects.get(pk=1); a.title = 'Tây Hồ đón Tết sớm'; a.save()"
    )
    time.sleep(1.1)  # past the second of the edit, so every answer carries its date
    before, dates = dates, set()
    for _ in range(30):
        for url in ("/", STORY):
            html, modified = get(base + url)
            assert "Tây Hồ đón Tết sớm" in html, url
            dates.add(modified)
    assert len(dates) == 1 and None not in dates and dates != before


def test_an_edit_this_process_could_not_send_reaches_the_others_once_redis_answers(
    client, story, editor, own_redis, django_capture_on_commit_callbacks
):
    import time

    urls = pages_of(story)
    for name in PUBLIC_PAGES:
        assert shows(client, urls[name], story), name
    heard = version.copies.seen

    # This process alone is cut off from Redis (the others still reach it and watch).
    cache._breaker.failed(ConnectionError("cut off"))
    cache._breaker.until = time.monotonic() + 60
    with django_capture_on_commit_callbacks(execute=True):
        unpublish_in_the_admin(client, editor, story)
    assert own_redis.client.exists(cache.make_key(version.KEY))  # still the old copy
    cache._breaker.until = time.monotonic()  # Redis is asked again...
    cache.get("any-key")  # ...and answers: this process sends what it could not

    # A process that was idle meanwhile has seen nothing newer, and trusts its watch.
    assert wait_for(lambda: cache.read_watched(version.KEY)[1] is not None)
    version.copies.seen = heard
    version.copies.epoch = cache.read_watched(version.KEY)[1]
    for name in PUBLIC_PAGES:
        assert not shows(client, urls[name], story), name
