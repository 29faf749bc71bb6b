"""The page cache for readers: whole responses, kept under the site's version.

Any change readers can see moves the version (``articles.cache.version``), and from
then on every page is looked up under a new key: no list of "pages that show this
article" can ever be forgotten. It sits near the top of the middleware, so a hit
costs one cache read: no session, no database, no template.

``Last-Modified`` counts whole seconds, so two changes in one second share a date: no
answer carries a date in the second it is sent (the ETag revalidates it instead).
"""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import parse_http_date_safe

from newsroom import compression

from . import version

# The public API's answers depend on their query (filters, a cursor): each is kept per the
# values of the parameters the API reads, in one order (``api_query``).
API_PREFIX = "/api/"

# Not readers' pages, or pages that any query string makes unique.
UNCACHED_PREFIXES = ("/admin/", "/media/", "/static/", "/tim-kiem/")

# A page is kept only under the query parameters its view reads (``views.public``): the
# page of a list or of a sitemap, as a number. Links shared on social networks carry others
# (utm_*, fbclid, Zalo's zarsrc), often unique per click, and anyone can make up more; they
# share the page's one copy instead of each making a new one.


# Set by in-process callers (the static publisher) that must render afresh. Not a
# header: keys from the network always start with HTTP_, so no client can set it.
RENDER_FRESH = "newsroom.render_fresh"


class PageCacheMiddleware:
    """Readers' pages answered from the cache, kept under the site's version."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.is_cacheable_request(request):
            response = self.cached_or_fresh(request)
        else:
            response = self.get_response(request)
        return kept_until_tomorrow(without_unsure_last_modified(response))

    def cached_or_fresh(self, request):
        query = page_query(request)
        if query is None:  # not a page number: the view answers 404, nothing to keep
            return self.get_response(request)
        key = self.key(request, query)
        response = cache.get(key)
        if response is not None:
            return self.conditional(request, response) or response
        response = self.get_response(request)
        # A HEAD is answered from the GET's entry, but only a GET fills it.
        if request.method == "GET" and self.is_cacheable_response(response):
            setattr(response, KEPT_DATES, dates_of(response))
            cache.set(key, response, kept_for(request))
        return response

    @staticmethod
    def is_cacheable_request(request):
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and not request.META.get(RENDER_FRESH)
            and not request.path.startswith(UNCACHED_PREFIXES)
        )

    @staticmethod
    def is_cacheable_response(response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "public" in cache_control
            and "private" not in cache_control
        )

    @staticmethod
    def key(request, query=""):
        site_version = version.of_request(request).timestamp()
        # One copy per encoding the page is sent in, compressed once.
        encoding = compression.encoding_for(request)
        url = f"{encoding}:{request.scheme}://{request.get_host()}{request.path}?{query}"
        return f"articles:page:{site_version}:{hashlib.sha256(url.encode()).hexdigest()}"

    @staticmethod
    def conditional(request, response):
        """A 304 (or 412) for a request that asks one of ``response``, else None."""
        if not any(header in request.META for header in CONDITIONAL_HEADERS):
            return None
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=last_modified_of(response),
            response=response,
        )


CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE"
)  # fmt: skip

# A kept response's dates, read once when it is kept rather than on every hit (``dates_of``).
KEPT_DATES = "page_cache_dates"


def dates_of(response):
    """``response``'s ``Last-Modified`` as a timestamp (None without one), and the longest
    age its ``Cache-Control`` allows a copy (0 without one)."""
    if kept := getattr(response, KEPT_DATES, None):
        return kept
    ages = [
        int(value)
        for part in response.get("Cache-Control", "").split(",")
        for name, _, value in [part.strip().partition("=")]
        if name in ("max-age", "s-maxage") and value.isdigit()
    ]
    return last_modified_of(response), max(ages, default=0)


def last_modified_of(response):
    """``response``'s ``Last-Modified`` as a timestamp (None without one)."""
    if kept := getattr(response, KEPT_DATES, None):
        return kept[0]
    return parse_http_date_safe(response.get("Last-Modified", ""))


# Set on the request by what a page shows that changes on its own clock, not with the site's
# version (the most-read box): the page is kept no longer than that many seconds.
KEEP_AT_MOST = "page_cache_at_most"


def kept_for(request):
    """How long the page cache keeps the page of ``request``."""
    return min(
        settings.PAGE_CACHE_SECONDS, getattr(request, KEEP_AT_MOST, settings.PAGE_CACHE_SECONDS)
    )


def page_query(request):
    """The query string of the page ``request`` asks for, written one way: only the
    parameters its view reads, each a page number as the paginator reads it (``01`` and
    ``1`` are one page, and the first page is the page without one). None when a value is
    not a page number.
    """
    if not request.META.get("QUERY_STRING"):
        return ""
    if request.path.startswith(API_PREFIX):
        return api_query(request)
    parts = []
    for name in parameters_read(request):
        value = request.GET.get(name)  # the last value, as the views read it
        if value is None:
            continue
        try:
            number = int(value)
        except ValueError:
            return None
        if number < 1:
            return None
        if number > 1:
            parts.append((name, number))
    return urlencode(parts)


def api_query(request):
    """The query of an API request written one way: the parameters the API reads, sorted;
    any other (``utm_*``, made up) is left out, as it changes nothing of the answer."""
    from articles.api.endpoints import QUERY_PARAMETERS

    read = [(name, values) for name, values in request.GET.lists() if name in QUERY_PARAMETERS]
    return urlencode(sorted(read), doseq=True)


def parameters_read(request):
    """The query parameters that the view of ``request``'s path reads (none if no view)."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return ()
    return getattr(match.func, "query_parameters", ())


def without_unsure_last_modified(response):
    """Drop a ``Last-Modified`` of the current second (see the module's docstring).

    Servers' clocks must agree to within much less than a second (NTP does).
    """
    modified = last_modified_of(response)
    if modified is not None and modified >= int(timezone.now().timestamp()):
        del response["Last-Modified"]
    return response


def kept_until_tomorrow(response):
    """A public page's ``max-age`` and ``s-maxage`` cut to end when the day does (Hanoi
    time): every page shows today's date, so no browser or CDN keeps it into the next day.
    """
    cache_control = response.get("Cache-Control", "")
    if "public" not in cache_control or "max-age" not in cache_control:
        return response
    left = version.seconds_to_tomorrow(timezone.now())
    kept = getattr(response, KEPT_DATES, None)
    if kept and kept[1] <= left:  # a kept page whose ages all end before midnight
        return response
    ages = {}
    for name in ("max-age", "s-maxage"):
        for part in cache_control.split(","):
            key, _, value = part.strip().partition("=")
            if key == name and value.isdigit() and int(value) > left:
                ages[name.replace("-", "_")] = left
    if ages:
        patch_cache_control(response, **ages)
    return response
