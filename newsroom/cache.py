"""Django's Redis cache, with one Redis client per server and keys a process may keep.

Django builds a new ``redis.Redis`` for every cache command, and each copies
redis-py's table of reply callbacks (about 170 entries). On a page rendered from
shared pieces that was a tenth of the page's time. A client is safe to share
between threads: each command takes a connection from the server's pool.

``get_watched`` reads a key that every page reads and that rarely changes (the
moment of the site's last change, ``articles/freshness.py``): each process keeps
its value until Redis says the key changed, so a page does not wait for Redis.

A Redis that is down, unreachable, still loading a snapshot, or full is not an
error of the site: a read finds nothing, a write keeps nothing, and pages are
rendered from the database. After a failure the server is left alone for a few
seconds (``Breaker``), so a dead Redis costs a request nothing; the outage is
logged when it begins and when it ends, not on every request.
"""

import functools
import logging
import os
import threading
import time

import redis as redis_py
from django.core.cache.backends import redis
from django.utils.functional import cached_property
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

_UNKNOWN = object()


class Watcher:
    """One key's value, kept in this process for as long as Redis promises to say it changed.

    A thread holds a connection on which Redis tracks the key (``CLIENT TRACKING`` in
    broadcast mode, Redis 6 and later) and publishes its name whenever it is written,
    expires, is evicted or flushed. A value is kept only while that connection is up,
    and only if no message came while it was being read. When the connection drops the
    value is forgotten, and every read goes to Redis until the thread listens again.

    Another process's write reaches this one as soon as Redis's message does (well
    under a millisecond on one host). This process's own writes through the cache are
    seen at once: each forgets the keys it may touch before it is sent, and ``set``,
    ``delete`` and ``clear`` forget them again once done.
    """

    HEARTBEAT = 5.0
    """Seconds of silence after which the connection is checked with a PING."""
    RETRY = 1.0

    def __init__(self, url, key, options=None):
        self.url, self.key, self.options = url, key, options or {}
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self):
        # A forked child has no listening thread, and the parent's lock may be held.
        self._lock = threading.Lock()
        self._thread = None
        self._generation = 0
        self.listening = False
        self._value = _UNKNOWN
        self._listen_token = None

    @property
    def heard_since(self):
        """A token of the connection on which Redis promises to tell of changes, new each
        time it connects; None while it does not listen. A value read from Redis under one
        token may be trusted as long as the token stays: Redis did not restart meanwhile."""
        return self._listen_token if self.listening else None

    def get(self, read):
        """The kept value, or else ``read()``, kept if nothing changed meanwhile."""
        value = self._value
        if value is not _UNKNOWN:
            return value
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._listen, name=f"watch {self.key}", daemon=True
                )
                self._thread.start()
            generation, listening = self._generation, self.listening
        value = read()
        with self._lock:
            if listening and generation == self._generation:
                self._value = value
        return value

    def forget(self, listening=None):
        with self._lock:
            self._generation += 1
            self._value = _UNKNOWN
            if listening is not None:
                self.listening = listening

    def _listen(self):
        failing = False
        while True:
            try:
                self._follow()
            except redis_py.ResponseError as error:
                logger.warning("Redis cannot track %s (%s): it is read every time", self.key, error)
                self.forget(listening=False)
                return
            except (redis_py.RedisError, OSError) as error:
                if self.listening or not failing:  # once per outage, not once a second
                    logger.warning(
                        "Not watching %s (%s): read every time until back", self.key, error
                    )
                failing = True
            self.forget(listening=False)
            time.sleep(self.RETRY)

    def _follow(self):
        client = redis_py.Redis.from_url(
            self.url,
            **self.options,
            protocol=2,  # invalidations come as messages on a channel, as in Redis 6
            socket_timeout=self.HEARTBEAT,
            socket_connect_timeout=self.HEARTBEAT,
        )
        connection = client.connection_pool.get_connection()
        try:
            connection.send_command("CLIENT", "SETNAME", "newsroom-watch")
            connection.read_response()
            connection.send_command("CLIENT", "ID")
            me = connection.read_response()
            # Broadcast mode, redirected to this connection itself: the messages come here.
            connection.send_command(
                "CLIENT", "TRACKING", "ON", "REDIRECT", me, "BCAST", "PREFIX", self.key
            )
            connection.read_response()
            connection.send_command("SUBSCRIBE", "__redis__:invalidate")
            connection.read_response()
            self._listen_token = object()
            self.forget(listening=True)
            pinged = False
            while True:
                if connection.can_read(timeout=self.HEARTBEAT):
                    message = connection.read_response()
                    if message[0] == b"message":
                        self.forget()
                    pinged = False
                elif pinged:
                    raise redis_py.TimeoutError(f"no answer to a PING in {self.HEARTBEAT} s")
                else:
                    connection.send_command("PING")
                    pinged = True
        finally:
            connection.disconnect()


_watchers = {}
_watchers_lock = threading.Lock()


def watcher(url, key, options=None):
    """This process's one watcher of ``key`` on the server at ``url``."""
    found = _watchers.get((url, key))
    if found is None:
        with _watchers_lock:
            found = _watchers.get((url, key))
            if found is None:
                found = _watchers[url, key] = Watcher(url, key, options)
    return found


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        # A connection that Redis dropped (it restarted, say) is made again once at once,
        # so the first command after a restart is not taken for an outage.
        kwargs.setdefault("retry", Retry(NoBackoff(), 1))
        kwargs.setdefault("retry_on_error", [redis_py.ConnectionError])
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        if write:
            self._forget(key)
        return self._client_for(self._get_connection_pool(write))

    # Once written, a watched key is forgotten again: a read that another thread of this
    # process made while the write was under way must not keep the old value.
    def set(self, key, value, timeout):
        super().set(key, value, timeout)
        self._forget(key)

    def delete(self, key):
        deleted = super().delete(key)
        self._forget(key)
        return deleted

    def clear(self):
        cleared = super().clear()
        self._forget(None)
        return cleared

    def _forget(self, key):
        """Forget what this process keeps of ``key`` (of any key, for None), so that it
        reads its own writes at once instead of when Redis's message comes."""
        for (url, watched), found in list(_watchers.items()):
            if url == self._servers[0] and key in (None, watched):
                found.forget()

    def _client_for(self, pool):
        client = self._clients.get(id(pool))
        if client is None:
            with self._lock:
                client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    @cached_property
    def _watch_options(self):
        # The options of the cache's own connections (a password, TLS, ...); the watch
        # has its own protocol and timeouts.
        own = ("parser_class", "protocol", "socket_timeout", "socket_connect_timeout")
        return {name: value for name, value in self._pool_options.items() if name not in own}

    def get_watched(self, key, default):
        value = watcher(self._servers[0], key, self._watch_options).get(
            lambda: self._read_where_written(key)
        )
        return default if value is None else value

    def read_watched(self, key):
        """The value and the watch's token (``Watcher.heard_since``), taken before reading."""
        found = watcher(self._servers[0], key, self._watch_options)
        token = found.heard_since
        return found.get(lambda: self._read_where_written(key)), token

    def _read_where_written(self, key):
        # The server written to tracks the key; a replica may lag behind its message.
        value = self._client_for(self._get_connection_pool(write=True)).get(key)
        return None if value is None else self._serializer.loads(value)


# Down, unreachable or still loading a snapshot (BusyLoadingError is a ConnectionError);
# and full (maxmemory with noeviction) or a replica, which refuse writes.
OUTAGES = (redis_py.ConnectionError, redis_py.TimeoutError)
REFUSALS = (redis_py.exceptions.OutOfMemoryError, redis_py.exceptions.ReadOnlyError)


class Breaker:
    """Whether a Redis server answers, as this process last found it.

    After a failure the server is not asked again for ``PAUSE`` seconds: every cache
    call meanwhile answers at once as a miss. A full Redis (``maxmemory`` with
    ``noeviction``) still answers reads; only its writes are refused.
    """

    PAUSE = 5.0

    def __init__(self, server):
        self.server = server
        self.lock = threading.Lock()
        self.until = 0.0
        self.failing = self.refusing = False
        self.pending = {}  # what to do again once the server answers

    def when_back(self, callback):
        """Call ``callback()`` once the server answers again, if it does not now."""
        if self.failing:
            self.pending[callback] = True

    def resting(self):
        return self.until and time.monotonic() < self.until

    def failed(self, error):
        with self.lock:
            self.until = time.monotonic() + self.PAUSE
            began, self.failing = not self.failing, True
        if began:
            logger.warning(
                "The cache does not answer (%s): pages are rendered from the database, "
                "and it is tried again every %s s",
                error,
                self.PAUSE,
            )

    def answered(self):
        with self.lock:
            ended, self.failing, self.until = self.failing, False, 0.0
            pending, self.pending = self.pending, {}
        if ended:
            logger.warning("The cache answers again")
        for callback in pending:
            callback()
        return bool(pending)

    def refused(self, error):
        with self.lock:
            began, self.refusing = not self.refusing, True
        if began:
            logger.warning("The cache refuses writes (%s): pages are not kept meanwhile", error)

    def stored(self):
        with self.lock:
            ended, self.refusing = self.refusing, False
        if ended:
            logger.warning("The cache keeps pages again")


_breakers = {}


def breaker(server):
    found = _breakers.get(server)
    if found is None:
        with _watchers_lock:
            found = _breakers.setdefault(server, Breaker(server))
    return found


def _guarded(method, fallback, writes=False, proves=True):
    """``method``, answering ``fallback(*args)`` when Redis is down or refuses it.

    A call that succeeds ends an outage (unless it may have been answered from this
    process's memory: ``proves=False``); what waited for that is done first, and the call
    made again after it.
    """

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        state = self._breaker
        if state.until and state.resting():
            return fallback(*args, **kwargs)
        try:
            result = method(self, *args, **kwargs)
        except OUTAGES as error:
            state.failed(error)
            return fallback(*args, **kwargs)
        except REFUSALS as error:
            state.refused(error)
            return fallback(*args, **kwargs)
        if state.failing and proves and state.answered():
            result = method(self, *args, **kwargs)
        if writes and state.refusing:
            state.stored()
        return result

    return guarded


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _not_done(*args, **kwargs):
    return False


class RedisCache(redis.RedisCache):
    """Django's Redis cache; while Redis is down or full, reads miss and writes keep
    nothing (``set`` and ``add`` answer False), instead of failing the request."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._breaker = breaker(self._servers[0])

    def get_watched(self, key, default=None, version=None):
        """``get()``, answered from this process's memory until Redis says the key changed.

        Every caller is given the same object: for values that nobody changes in place.
        """
        key = self.make_key(key, version=version)
        return self._cache.get_watched(key, default)

    def when_back(self, callback):
        """Call ``callback()`` once Redis answers again, if it is down now: for a write
        that other processes must see, which an outage kept from them."""
        self._breaker.when_back(callback)

    def read_watched(self, key, version=None):
        """``get()`` as ``get_watched``, with the watch's token (None: not watched, or
        Redis did not answer this process lately, so a change may have gone unheard)."""
        value, token = self._cache.read_watched(self.make_key(key, version=version))
        return value, None if self._breaker.failing else token

    get = _guarded(redis.RedisCache.get, _default)
    get_watched = _guarded(get_watched, _default, proves=False)
    read_watched = _guarded(read_watched, lambda *args, **kwargs: (None, None), proves=False)
    get_many = _guarded(redis.RedisCache.get_many, lambda *args, **kwargs: {})
    has_key = _guarded(redis.RedisCache.has_key, _not_done)
    set = _guarded(redis.RedisCache.set, _not_done, writes=True)
    add = _guarded(redis.RedisCache.add, _not_done, writes=True)
    touch = _guarded(redis.RedisCache.touch, _not_done, writes=True)
    set_many = _guarded(
        redis.RedisCache.set_many, lambda data, *args, **kwargs: list(data), writes=True
    )
    delete = _guarded(redis.RedisCache.delete, _not_done)
    delete_many = _guarded(redis.RedisCache.delete_many, _nothing)
    clear = _guarded(redis.RedisCache.clear, _not_done)
