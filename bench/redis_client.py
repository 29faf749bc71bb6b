"""One cached page read from Redis, with Django's client made per command (as Django does)
and kept per connection pool (as this project once did), alternated. Prints medians in µs.

    CACHE_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/redis_client.py
"""

import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("SECRET_KEY", "bench")
django.setup()

from django.core.cache import cache  # noqa: E402

KEY, READS, ROUNDS = "bench:page", 5000, 6


def per_pool(self, key=None, *, write=False):
    pool = self._get_connection_pool(write)
    return self.__dict__.setdefault(f"client-{id(pool)}", self._client(connection_pool=pool))


def read_time():
    start = time.perf_counter()
    for _ in range(READS):
        cache.get(KEY)
    return (time.perf_counter() - start) / READS * 1e6


cache.set(KEY, b"x" * 30_000)  # about a page's size
client_class = type(cache._cache)
per_command = client_class.get_client
times = {"per command": [], "per pool": []}
for _ in range(ROUNDS):
    client_class.get_client = per_command
    times["per command"].append(read_time())
    client_class.get_client = per_pool
    times["per pool"].append(read_time())
cache.delete(KEY)
for name, runs in times.items():
    print(f"{name}: median {statistics.median(runs):.1f} µs", [round(t, 1) for t in runs])
