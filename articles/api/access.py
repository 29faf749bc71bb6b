"""Who may ask the API how often, and from where: partners' keys, throttling, CORS.

It sits above the page cache, so that every request is counted and a revoked key is
refused even where the answer is kept. Anonymous clients are counted by address,
partners by key, each in windows of a minute; a client over its limit gets 429 with
``Retry-After`` and a JSON body in Vietnamese. Any origin may read the API (GET only).
"""

import json
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .. import most_read
from ..models import ApiKey

PREFIX = "/api/"
KEY_HEADER = "X-API-Key"
WINDOW = 60


def error(status, detail, **headers):
    response = HttpResponse(
        json.dumps({"detail": detail}, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
        headers=headers,
    )
    response["Cache-Control"] = "no-store"
    return response


def limit_for(key):
    if key is not None:
        return settings.API_PARTNER_REQUESTS_PER_MINUTE
    return settings.API_ANONYMOUS_REQUESTS_PER_MINUTE


def over_limit(request, key, now=None):
    """Seconds until the client of ``request`` may ask again, or 0 while under its limit.

    A cache that does not answer limits no one: the API stays open, as the pages do."""
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    client = f"key-{key.pk}" if key is not None else f"ip-{get_client_ip_address(request)}"
    used = counted(f"api:throttle:{client}:{window}")
    if used is not None and used > limit_for(key):
        return max(1, int((window + 1) * WINDOW - now) + 1)
    return 0


def counted(name):
    """Count one request under ``name``: the count so far, or None if the cache is away.

    On Redis one round trip (INCR and EXPIRE in a pipeline); elsewhere Django's add and incr.
    """
    if hasattr(cache, "_breaker"):  # articles.cache.redis.RedisCache

        def call():
            key = cache.make_and_validate_key(name)
            pipeline = cache._cache.get_client(write=True).pipeline(transaction=False)
            pipeline.incr(key)
            pipeline.expire(key, WINDOW + 5)
            return pipeline.execute()[0]

        # The most-read counter's guard: nothing counted while the breaker rests.
        return most_read.RedisCounter(cache)._guarded(call, None)
    cache.add(name, 0, WINDOW + 5)
    try:
        return cache.incr(name)
    except ValueError:  # gone between the two calls, or the cache is away
        return None


def cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
    return response


class ApiAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        return cors(self.answer(request))

    def answer(self, request):
        if request.method == "OPTIONS":  # a browser's preflight
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
            response["Access-Control-Allow-Headers"] = (
                f"{KEY_HEADER}, If-None-Match, If-Modified-Since"
            )
            response["Access-Control-Max-Age"] = "86400"
            return response
        key = None
        if (given := request.headers.get(KEY_HEADER)) is not None:
            key = ApiKey.objects.for_key(given.strip())
            if key is None or not key.is_active:
                return error(401, _("This API key is not valid or has been revoked."))
            key.note_use()
        if wait := over_limit(request, key):
            return error(
                429,
                _("Too many requests. Please try again in %(seconds)s seconds.")
                % {"seconds": wait},
                **{"Retry-After": str(wait)},
            )
        return self.get_response(request)
