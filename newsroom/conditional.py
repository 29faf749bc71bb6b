"""Answers to conditional GETs: Django's ``ConditionalGetMiddleware``, with each response's
ETag a 128-bit XXH3 digest of its body instead of MD5, which is the costlier part of
answering a page that is rendered (``bench/WRITING.md``).
"""

import xxhash
from django.middleware import http
from django.utils.http import quote_etag


class ConditionalGetMiddleware(http.ConditionalGetMiddleware):
    def process_response(self, request, response):
        # As Django's: only a GET's whole body can be digested, and a page's own ETag stays.
        if request.method != "GET" or response.streaming or response.has_header("ETag"):
            return super().process_response(request, response)
        if self.needs_etag(response) and response.content:
            response.headers["ETag"] = quote_etag(xxhash.xxh3_128_hexdigest(response.content))
        return super().process_response(request, response)
