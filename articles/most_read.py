"""Most read ("Đọc nhiều"): views counted in the cache, and the list of the last 24 hours.

A page sends a small beacon (``static/articles/js/most-read.js``) to ``views.count_read``,
so views are counted on pages served from the page cache and from the static publication
alike. A view is counted in the cache, never in the database: once per client per story
per hour, the client known only by a salted hash of its address, user agent, the story
and the hour. The salt is new every day and lives in the cache only, so no address (nor
anything that leads back to one) is stored, and no cookie is set.

Counts are kept per hour for 25 hours. The list shown is the hourly counts of the last
24 hours summed, read at most once per ``REFRESH`` seconds (``top``): one reader's page
computes it while the others get the last list. While the cache is down, nothing is
counted and the pages render without the box.
"""

import hashlib
import logging
import secrets
import threading
import time
from collections import Counter, namedtuple

from django.conf import settings
from django.core.cache import cache

from .models import Article

logger = logging.getLogger(__name__)

HOUR = 3600
WINDOW_HOURS = 24
SHOWN = 5
PREFIX = "most-read"


def refresh_seconds():
    """How long one list of the most read is shown before it is computed again."""
    return settings.MOST_READ_REFRESH_SECONDS


def clock():
    """Seconds since the epoch: the hours of the counts and the age of the list."""
    return time.time()


def current_hour(now=None):
    return int((clock() if now is None else now) // HOUR)


# Counting --------------------------------------------------------------------------------


def count(pk, address, user_agent, now=None):
    """Count a view of story ``pk`` by the client at ``address`` with ``user_agent``, unless
    that client was counted for it this hour. Returns whether it was counted."""
    hour = current_hour(now)
    salt = _salt(hour // 24)
    if salt is None:
        return False
    client = hashlib.blake2b(
        "\n".join((salt, address or "", user_agent or "", str(pk), str(hour))).encode(),
        digest_size=16,
    ).hexdigest()
    if not cache.add(f"{PREFIX}:seen:{client}", 1, HOUR):
        return False  # seen this hour, or the cache does not answer
    return counter().add(hour, pk)


_salts = {}  # this process's copy of the day's salt: one per day, never written again


def _salt(day):
    """Today's salt, made by the first view of the day and kept two days (a view at
    midnight may still be checked against it); None while the cache does not answer.
    Every process reads the one in the cache, once a day."""
    salt = _salts.get(day)
    if salt is None:
        key = f"{PREFIX}:salt:{day}"
        cache.add(key, secrets.token_hex(16), 2 * 24 * HOUR)
        salt = cache.get(key)
        if salt is not None:
            _salts.clear()  # yesterday's is no longer needed
            _salts[day] = salt
    return salt


class CacheCounter:
    """Counts of each hour in one cache entry, a story id to its count, for any Django
    cache: exact within a process (a lock), approximate across processes sharing a
    cache that is not Redis (two writes at once may lose one view)."""

    lock = threading.Lock()

    def add(self, hour, pk):
        key = f"{PREFIX}:hour:{hour}"
        with self.lock:
            counts = cache.get(key) or {}
            counts[pk] = counts.get(pk, 0) + 1
            return cache.set(key, counts, (WINDOW_HOURS + 1) * HOUR) is not False

    def totals(self, hours):
        totals = Counter()
        for counts in cache.get_many([f"{PREFIX}:hour:{hour}" for hour in hours]).values():
            totals.update(counts)
        return totals


class RedisCounter:
    """Counts of each hour in a Redis sorted set (``ZINCRBY``): exact across processes."""

    def __init__(self, backend):
        self.backend = backend

    def _client(self):
        return self.backend._cache.get_client(write=True)

    def _key(self, hour):
        return self.backend.make_and_validate_key(f"{PREFIX}:zset:{hour}")

    def _guarded(self, call, fallback):
        """``call()``, or ``fallback`` while Redis does not answer (the cache's breaker)."""
        from .cache.redis import OUTAGES, REFUSALS

        breaker = self.backend._breaker
        if breaker.resting():
            return fallback
        try:
            return call()
        except OUTAGES as error:
            breaker.failed(error)
        except REFUSALS as error:
            breaker.refused(error)
        return fallback

    def add(self, hour, pk):
        def call():
            key = self._key(hour)
            pipeline = self._client().pipeline(transaction=False)
            pipeline.zincrby(key, 1, pk)
            pipeline.expire(key, (WINDOW_HOURS + 1) * HOUR)
            pipeline.execute()
            return True

        return self._guarded(call, False)

    def totals(self, hours):
        def call():
            pipeline = self._client().pipeline(transaction=False)
            for hour in hours:
                pipeline.zrange(self._key(hour), 0, -1, withscores=True)
            totals = Counter()
            for members in pipeline.execute():
                for member, score in members:
                    totals[int(member)] += int(score)
            return totals

        return self._guarded(call, Counter())


def counter():
    """The counter for the site's cache: Redis's sorted sets, or else cache entries."""
    if hasattr(cache, "_breaker"):  # articles.cache.redis.RedisCache
        return RedisCounter(cache)
    return CacheCounter()


# The list --------------------------------------------------------------------------------


def totals(now=None):
    """Views of each story over the last 24 hours (this hour and the 23 before)."""
    hour = current_hour(now)
    return counter().totals(range(hour - WINDOW_HOURS + 1, hour + 1))


def compute(limit=SHOWN, now=None):
    """The ``limit`` most-read visible stories of the last 24 hours, most read first (the
    newer first among equals)."""
    ranked = sorted(totals(now).items(), key=lambda item: (-item[1], -item[0]))
    # A few more than shown, as some counted stories may no longer be visible.
    pks = [pk for pk, _ in ranked[: limit * 3]]
    return Article.objects.published().listing().in_order_of(pks)[:limit]


Shown = namedtuple("Shown", "seconds computed_at stories")
"""The list of the most read: how many seconds it is still shown, when it was computed
(which names it: one list per moment), and its stories."""


# This process's copy of each list while it is shown: until it is computed again no process
# writes another, so the cache need not be read on every page.
shown = {}


def top(limit=SHOWN):
    """The list as last computed (``Shown``), or None while the cache does not answer.
    Computed again by one page once ``refresh_seconds()`` have passed; the others meanwhile
    show the last one."""
    key, busy = f"{PREFIX}:list:{limit}", f"{PREFIX}:computing:{limit}"
    now = clock()
    kept = shown.get(limit)
    breaker = getattr(cache, "_breaker", None)  # articles.cache.redis.RedisCache's
    if breaker is not None and breaker.failing:
        return None
    if kept is None or now - kept[0] >= refresh_seconds():
        kept = cache.get(key)
        if kept is None or now - kept[0] >= refresh_seconds():
            if cache.add(busy, 1, 30):
                try:
                    kept = (now, compute(limit))
                finally:
                    cache.delete(busy)
                cache.set(key, kept, WINDOW_HOURS * HOUR)
            elif kept is None:
                return None
        shown[limit] = kept
    computed_at, stories = kept
    return Shown(max(1, int(computed_at + refresh_seconds() - now)), computed_at, stories)
