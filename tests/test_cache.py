"""The Redis cache backend (articles/cache/redis.py)."""

import os
import time
import uuid

import pytest


def test_the_redis_cache_keeps_one_client_per_connection_pool_not_one_per_command():
    pytest.importorskip("redis", reason="not installed: redis (the production extra)")
    from articles.cache.redis import RedisCache

    # Building a client sends nothing: no server is needed.
    backend = RedisCache("redis://127.0.0.1:1/0", {})._cache
    client = backend.get_client("a")
    assert client is backend.get_client("b", write=True)
    assert client.connection_pool is backend._get_connection_pool(write=True)


@pytest.mark.needs_redis
def test_a_redis_cache_url_chooses_this_backend(settings):
    assert settings.CACHES["default"]["BACKEND"] == "articles.cache.redis.RedisCache"


def eventually(condition, seconds=5.0):
    """Whether ``condition()`` comes true within ``seconds`` (Redis's messages are not instant)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def watched():
    """A watcher of a key of its own, listening, and a read that counts its calls."""
    import redis

    from articles.cache.redis import Watcher

    url = os.environ["CACHE_URL"]
    other_process = redis.Redis.from_url(url)
    key = f"test-watched-{uuid.uuid4().hex}"
    other_process.set(key, b"first")
    reads = []

    def read():
        reads.append(key)
        return other_process.get(key)

    watcher = Watcher(url, key)
    watcher.get(read)  # starts its thread
    assert eventually(lambda: watcher.listening)
    yield watcher, read, reads, other_process
    other_process.delete(key)


@pytest.mark.needs_redis
def test_a_watched_key_is_read_from_redis_once_then_from_memory(watched):
    watcher, read, reads, _ = watched
    reads.clear()
    assert [watcher.get(read) for _ in range(3)] == [b"first"] * 3
    assert len(reads) == 1


@pytest.mark.needs_redis
def test_another_process_writing_a_watched_key_makes_this_one_read_it_again(watched):
    watcher, read, _, other_process = watched
    assert watcher.get(read) == b"first"
    other_process.set(watcher.key, b"second")
    assert eventually(lambda: watcher.get(read) == b"second")


@pytest.mark.needs_redis
def test_a_watched_key_that_expires_or_is_flushed_is_forgotten(watched):
    watcher, read, _, other_process = watched
    assert watcher.get(read) == b"first"
    other_process.pexpire(watcher.key, 50)
    assert eventually(lambda: watcher.get(read) is None)


@pytest.mark.needs_redis
def test_a_watcher_that_loses_its_connection_reads_every_time_until_it_listens_again(watched):
    watcher, read, reads, other_process = watched
    watcher.get(read)
    reads.clear()
    other_process.client_kill_filter(_id=watcher.client_id)  # this watcher's alone
    assert eventually(lambda: not watcher.listening)
    watcher.get(read)
    watcher.get(read)
    assert len(reads) == 2
    assert eventually(lambda: watcher.listening)
    watcher.get(read)
    watcher.get(read)
    assert len(reads) == 3


@pytest.fixture
def unheard(monkeypatch):
    """A Redis cache and a key of its own, watched by a watcher that Redis's messages never
    reach: only this process's own writes can make it forget."""
    from django.core.cache import caches

    from articles.cache import redis as backend

    cache = caches.create_connection("default")
    key = f"test-watched-{uuid.uuid4().hex}"
    made = cache.make_and_validate_key(key)
    silent = backend.Watcher(cache.server, made)
    silent._thread, silent.listening = "never started", True
    monkeypatch.setitem(backend._watchers, (cache.server, made), silent)
    return cache, key


@pytest.mark.needs_redis
def test_this_process_reads_its_own_writes_of_a_watched_key_without_waiting_for_redis(unheard):
    cache, key = unheard
    cache.set(key, "first")
    assert [cache.read_watched(key)[0], cache.read_watched(key)[0]] == ["first", "first"]
    for value in ("second", "third"):
        cache.set(key, value)
        assert cache.read_watched(key)[0] == value
    cache.delete(key)
    assert cache.read_watched(key)[0] is None
    cache.set(key, "back")
    cache.clear()
    assert cache.read_watched(key)[0] is None


@pytest.mark.needs_redis
def test_a_read_made_while_this_process_writes_a_watched_key_does_not_keep_the_old_value(
    unheard, monkeypatch
):
    cache, key = unheard
    cache.set(key, "old")

    client = cache._cache.get_client(key, write=True)
    real_set = client.set

    def set_while_another_thread_reads(*args, **kwargs):
        assert cache.read_watched(key)[0] == "old"  # read, and kept, before the write lands
        return real_set(*args, **kwargs)

    monkeypatch.setattr(client, "set", set_while_another_thread_reads)
    cache.set(key, "new")
    assert cache.read_watched(key)[0] == "new"


@pytest.mark.needs_redis
def test_a_watch_connects_with_the_options_of_the_caches_connections(caplog):
    from articles.cache.redis import Watcher

    key = f"test-watched-{uuid.uuid4().hex}"
    watcher = Watcher(os.environ["CACHE_URL"], key, {"password": "not-this-servers-password"})
    assert watcher.get(lambda: b"read") == b"read"
    assert eventually(lambda: f"Not watching {key}" in caplog.text)
    assert not watcher.listening
    assert watcher.get(lambda: b"read again") == b"read again"


@pytest.mark.needs_redis
def test_with_the_watch_off_a_key_is_read_from_redis_every_time_and_nothing_listens(settings):
    import pickle

    import redis
    from django.core.cache import caches

    from articles.cache import redis as backend

    settings.CACHE_WATCH = False
    cache = caches.create_connection("default")
    key = f"test-unwatched-{uuid.uuid4().hex}"
    cache.set(key, "first")
    assert cache.read_watched(key) == ("first", 0)
    other_process = redis.Redis.from_url(os.environ["CACHE_URL"])
    other_process.set(cache.make_key(key), pickle.dumps("second"))
    assert cache.read_watched(key) == ("second", 0)
    assert (cache.server, cache.make_key(key)) not in backend._watchers
    cache.delete(key)
