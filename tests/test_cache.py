"""The Redis cache backend (newsroom/cache.py)."""

import os

import pytest


def test_the_redis_cache_builds_one_client_per_server_not_one_per_command():
    pytest.importorskip("redis", reason="not installed: redis (the production extra)")
    from newsroom.cache import RedisCache

    # Building a client sends nothing: no server is needed.
    backend = RedisCache("redis://127.0.0.1:1/0", {})._cache
    assert backend.get_client("a") is backend.get_client("b", write=True)


@pytest.mark.skipif(
    not os.environ.get("CACHE_URL", "").startswith("redis"), reason="needs CACHE_URL on Redis"
)
def test_a_redis_cache_url_chooses_this_backend(settings):
    assert settings.CACHES["default"]["BACKEND"] == "newsroom.cache.RedisCache"
