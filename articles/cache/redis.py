"""Django's Redis cache, with a breaker and a watched key.

With ``CACHE_WATCH`` on, ``read_watched`` answers a key that every page reads and that
rarely changes (the site's version, ``articles.cache.version``) from this process's
memory until Redis says it changed (``Watcher``).

A Redis that is down, unreachable, still loading a snapshot, or full is not an error
of the site: a read finds nothing, a write keeps nothing, and pages are rendered from
the database. After a failure the server is left alone for a few seconds
(``Breaker``); the outage is logged when it begins and when it ends.
"""

import functools
import logging
import os
import re
import threading
import time

import redis as redis_py
from django.conf import settings
from django.core.cache.backends import redis
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

    Another process's write reaches this one as soon as Redis's message does. This
    process's own writes through the cache (``set``, ``add``, ``delete``, ``clear``) are
    seen at once: each forgets the key before it is sent and again once done.
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
        self.client_id = None  # Redis's id of the listening connection, once connected

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
        own = ("protocol", "socket_timeout", "socket_connect_timeout")
        client = redis_py.Redis.from_url(
            self.url,
            **{name: value for name, value in self.options.items() if name not in own},
            protocol=2,  # invalidations come as messages on a channel, as in Redis 6
            socket_timeout=self.HEARTBEAT,
            socket_connect_timeout=self.HEARTBEAT,
        )
        connection = client.connection_pool.get_connection()
        try:
            connection.send_command("CLIENT", "SETNAME", "newsroom-watch")
            connection.read_response()
            connection.send_command("CLIENT", "ID")
            me = self.client_id = connection.read_response()
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
_breakers = {}
_watch_clients = {}
_registries_lock = threading.Lock()


def _one_per(registry, key, make):
    """This process's one ``make()`` under ``key`` in ``registry``, made on first use."""
    found = registry.get(key)
    if found is None:
        with _registries_lock:
            found = registry.get(key)
            if found is None:
                found = registry[key] = make()
    return found


def watcher(url, key, options=None):
    """This process's one watcher of ``key`` on the server at ``url``."""
    return _one_per(_watchers, (url, key), lambda: Watcher(url, key, options))


class RedisCacheClient(redis.RedisCacheClient):
    """Django's client, whose connections are made again once, at once, when Redis dropped
    them (it restarted, say): the first command after a restart is not an outage. It keeps
    one ``redis.Redis`` per connection pool, where Django makes one for every command:
    a cached page's one read is most of what a page cache hit costs."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("retry", Retry(NoBackoff(), 1))
        kwargs.setdefault("retry_on_error", [redis_py.ConnectionError])
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        return _one_per(self._clients, id(pool), lambda: self._client(connection_pool=pool))


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


def breaker(server):
    return _one_per(_breakers, server, lambda: Breaker(server))


def _guarded(method, fallback, writes=False, proves=True, forgets=False):
    """``method``, answering ``fallback(*args)`` when Redis is down or refuses it.

    A call that succeeds ends an outage (unless it may have been answered from this
    process's memory: ``proves=False``); what waited for that is done first, and the call
    made again after it. A call that ``forgets`` changes its key (every key, with none):
    what this process keeps of it is forgotten before and after.
    """

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        if forgets:
            keys = args[:1]
            self._forget(*keys, version=kwargs.get("version"))
            try:
                return checked(self, *args, **kwargs)
            finally:
                self._forget(*keys, version=kwargs.get("version"))
        return checked(self, *args, **kwargs)

    def checked(self, *args, **kwargs):
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
        # The first server is the one written to (Django's rule), so the one to watch.
        first = re.split("[;,]", server)[0] if isinstance(server, str) else server[0]
        self.server = first
        self._breaker = breaker(first)
        # Django's own options are not the connection's (a password, TLS, timeouts...).
        django_options = ("serializer", "pool_class", "parser_class")
        options = params.get("OPTIONS", {})
        self.connection_options = {k: v for k, v in options.items() if k not in django_options}
        self._serializer_for_watch = redis.RedisSerializer()

    # Watched keys --------------------------------------------------------------------

    def _watcher(self, made_key):
        if not settings.CACHE_WATCH:
            return None
        return watcher(self.server, made_key, self.connection_options)

    def read_watched(self, key, version=None):
        """``get()``, answered from this process's memory until Redis says the key changed,
        with the watch's token (``Watcher.heard_since``; None: not heard, so a change may
        have gone unheard; 0: not watched, read every time). Every caller is given the
        same object: for values that nobody changes in place."""
        made = self.make_and_validate_key(key, version=version)
        found = self._watcher(made)
        if found is None:
            return self.get(key, version=version), 0
        token = found.heard_since
        value = found.get(lambda: self._read_where_written(made))
        return value, None if self._breaker.failing else token

    def _read_where_written(self, made_key):
        # The server written to tracks the key; a replica may lag behind its message.
        value = watch_client(self.server, self.connection_options).get(made_key)
        return None if value is None else self._serializer_for_watch.loads(value)

    def _forget(self, *keys, version=None):
        """Forget what this process keeps of ``keys`` (of every key, for none), so that it
        reads its own writes at once instead of when Redis's message comes."""
        made = {self.make_key(key, version=version) for key in keys}
        for (server, watched), found in list(_watchers.items()):
            if server == self.server and (not keys or watched in made):
                found.forget()

    def when_back(self, callback):
        """Call ``callback()`` once Redis answers again, if it is down now: for a write
        that other processes must see, which an outage kept from them."""
        self._breaker.when_back(callback)

    get = _guarded(redis.RedisCache.get, _default)
    read_watched = _guarded(read_watched, lambda *args, **kwargs: (None, None), proves=False)
    get_many = _guarded(redis.RedisCache.get_many, lambda *args, **kwargs: {})
    has_key = _guarded(redis.RedisCache.has_key, _not_done)
    set = _guarded(redis.RedisCache.set, _not_done, writes=True, forgets=True)
    add = _guarded(redis.RedisCache.add, _not_done, writes=True, forgets=True)
    touch = _guarded(redis.RedisCache.touch, _not_done, writes=True)
    set_many = _guarded(
        redis.RedisCache.set_many, lambda data, *args, **kwargs: list(data), writes=True
    )
    delete = _guarded(redis.RedisCache.delete, _not_done, forgets=True)
    delete_many = _guarded(redis.RedisCache.delete_many, _nothing)
    clear = _guarded(redis.RedisCache.clear, _not_done, forgets=True)


def watch_client(server, options):
    """This process's client for reading watched keys from ``server``."""
    return _one_per(_watch_clients, server, lambda: redis_py.Redis.from_url(server, **options))
