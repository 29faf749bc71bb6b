"""When did what readers can see last change?

Every save or delete of content marks the moment in the cache. A scheduled
article changes the site when its time comes, with no save at all, so the
marker also holds the next scheduled publication and moves on when it passes.

Public pages answer ``If-Modified-Since`` from this moment, and the pieces that
every page shares (the latest articles, the picks, the sections, the HTML of
their lists) are computed once per moment, so none of them can be older than
the content behind it. Each process also keeps its own copies of the current
moment's pieces: a page then reads only the moment from the shared cache.
"""

import threading
from collections import OrderedDict
from contextvars import ContextVar

from django.core.cache import cache
from django.core.paginator import Paginator
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.functional import cached_property

KEY = "articles:freshness"
SHARED_TIMEOUT = 24 * 3600
PROCESS_COPIES = 1000
"""How many shared pieces a process keeps; related boxes make one per article read."""
CONTENT_MODELS = (
    "articles.Article",
    "articles.Category",
    "articles.TextBlock",
    "articles.Figure",
    "articles.RelatedLink",
)


def mark_changed(**kwargs):
    _mark()
    # Again once the change is committed: a page rendered meanwhile, from the rows as
    # they were, must not be kept under the new moment.
    transaction.on_commit(_mark)


def _mark():
    # "Changed now, and look again for the next scheduled publication."
    now = timezone.now()
    cache.set(KEY, (now, now), timeout=None)


def last_modified():
    """The moment readers' pages last changed; no query unless a scheduled time passed."""
    now = timezone.now()
    state = _read_state()
    if state is not None and (state[1] is None or state[1] > now):
        return state[0]
    # First use, a forgotten cache (assume a change now) or a publication came due.
    changed = now if state is None else max(state)
    state = (changed, next_scheduled_publication(now))
    cache.set(KEY, state, timeout=None)
    return changed


def _read_state():
    # On Redis each process keeps the moment until Redis says it moved (newsroom/cache.py).
    watched = getattr(cache, "get_watched", None)
    return watched(KEY) if watched else cache.get(KEY)


def next_scheduled_publication(now):
    from .models import Article

    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


def of_request(request):
    """The moment, read once per request and before any content.

    Whatever the request renders is kept under this moment, so an edit that lands
    while it renders can never be hidden under a later one.
    """
    if not hasattr(request, "site_changed"):
        request.site_changed = last_modified()
        _request_moment.set(request.site_changed)
    return request.site_changed


# The moment of the request being served, for pieces computed far from the request
# (the model's shared lists). Forgotten between requests, as a thread serves many.
_request_moment = ContextVar("site_changed", default=None)


def _forget_request_moment(**kwargs):
    _request_moment.set(None)


request_started.connect(_forget_request_moment, dispatch_uid="freshness-request-started")
request_finished.connect(_forget_request_moment, dispatch_uid="freshness-request-finished")


class ProcessCopies:
    """This process's copies of the current moment's shared pieces, newest used last."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        self.moment, self.pieces = None, OrderedDict()

    def get(self, moment, key):
        with self.lock:
            if moment != self.moment:
                return None
            value = self.pieces.get(key)
            if value is not None:
                self.pieces.move_to_end(key)
            return value

    def keep(self, moment, key, value):
        with self.lock:
            if moment != self.moment:
                if self.moment is not None and moment < self.moment:
                    return  # a request that began before the latest change
                self.moment, self.pieces = moment, OrderedDict()
            self.pieces[key] = value
            if len(self.pieces) > PROCESS_COPIES:
                self.pieces.popitem(last=False)


copies = ProcessCopies()


def shared(name, compute, moment=None):
    """``compute()``, kept until readers' pages next change.

    Computed under ``moment``, or else under the moment of the request being served
    (``of_request``), or else under the latest.
    """
    moment = moment or _request_moment.get() or last_modified()
    value = copies.get(moment, name)
    if value is None:
        key = f"articles:shared:{name}:{moment.timestamp()}"
        value = cache.get_or_set(key, compute, SHARED_TIMEOUT)
        copies.keep(moment, name, value)
    return value


class SharedCountPaginator(Paginator):
    """A paginator that counts its items once per change of the site, under ``name``.

    Counting every visible article of a section, or of the site, grows with the
    newsroom; it took longer than the rest of a sitemap at 100,000 articles.
    """

    def __init__(self, object_list, per_page, name):
        super().__init__(object_list, per_page)
        self.name = name

    @cached_property
    def count(self):
        return shared(f"count-{self.name}", self.object_list.count)


for model in CONTENT_MODELS:
    post_save.connect(mark_changed, sender=model, dispatch_uid=f"freshness-save-{model}")
    post_delete.connect(mark_changed, sender=model, dispatch_uid=f"freshness-delete-{model}")
