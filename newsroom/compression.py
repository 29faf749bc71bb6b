"""Compressed responses: brotli for readers' pages where the client accepts it, else gzip.

Django's ``GZipMiddleware`` compresses everything (the admin included, with its padding
against BREACH for pages that carry a CSRF token). Readers' pages carry no secret, so they
may also be sent in brotli, smaller still; the admin's never are. The page cache keeps
each page once per encoding (``encoding_for``), so a cached page costs no compression.
"""

import brotli
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

ACCEPTS_BROTLI = _lazy_re_compile(r"\bbr\b(?!\s*;\s*q=0(\.0*)?\s*(,|$))")
ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b(?!\s*;\s*q=0(\.0*)?\s*(,|$))")
SECRET_PREFIXES = ("/admin/",)
"""Paths whose pages may carry a secret (a CSRF token): never sent in brotli."""
QUALITY = 5
"""Brotli's quality (0-11) for pages: smaller than gzip's default, about as quick."""
MIN_LENGTH = 200


def encoding_for(request):
    """The encoding a readers' page for ``request`` is sent in: "br", "gzip" or ""."""
    accepted = request.META.get("HTTP_ACCEPT_ENCODING", "")
    if ACCEPTS_BROTLI.search(accepted) and not request.path.startswith(SECRET_PREFIXES):
        return "br"
    return "gzip" if ACCEPTS_GZIP.search(accepted) else ""


class CompressionMiddleware(GZipMiddleware):
    """Django's gzip, and brotli where ``encoding_for`` chooses it."""

    def process_response(self, request, response):
        if encoding_for(request) != "br" or response.streaming:
            return super().process_response(request, response)
        if len(response.content) < MIN_LENGTH or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        compressed = brotli.compress(response.content, mode=brotli.MODE_TEXT, quality=QUALITY)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        # The body is not the one the strong ETag named (as GZipMiddleware does).
        if (etag := response.get("ETag")) and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "br"
        return response
