"""When did what readers can see last change?

Every save or delete of content that readers can see (a published or scheduled
article, its blocks and links, a section) moves the moment of the last change. A
draft's or an article in review's save does not. The moment is kept in the database
(``SiteChange``), written in the same transaction as the change, so a change that
rolls back moves nothing; a scheduled article changes the site when its time comes,
with no save at all, so the moment is also never older than the latest publication
that has come due.

The cache holds a copy with the next scheduled publication, which a page reads
instead of the database. That copy is only a copy: a change forgets it (before and
after its commit), and a copy older than the moment this process has already seen, or
than the database's, is ignored and rewritten, so a cache restored from an older
snapshot cannot bring back pages from before an unpublish. Each process reads the
database once at start, and again whenever the cache's copy is missing, older, or
could have been lost unheard (Redis's watch of it dropped). Where the cache is each
process's own (``locmemcache://``), other processes' changes reach it only through
the database, which is then read on every request.

Public pages answer ``If-Modified-Since`` from this moment, and the pieces that
every page shares (the latest articles, the picks, the sections, the HTML of
their lists) are computed once per moment, so none of them can be older than
the content behind it. Each process also keeps its own copies of the current
moment's pieces: a page then reads only the moment from the shared cache.
"""

import threading
from collections import OrderedDict
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import Subquery
from django.db.models.signals import post_delete, post_save, pre_save
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


# Marking a change ----------------------------------------------------------------------


def _published_before(sender, instance, raw=False, using=None, **kwargs):
    """Remember whether an article being saved was published (or scheduled) before: taking
    it off the site is a change readers see."""
    if raw or instance._state.adding or instance.pk is None:
        instance._was_published = False
        return
    instance._was_published = (
        sender._default_manager.using(using)
        .filter(pk=instance.pk, status=sender.Status.PUBLISHED)
        .exists()
    )


def _seen_by_readers(instance, notes, using):
    """Whether a saved or deleted row can be seen on a readers' page."""
    from .models import Article, Category

    if isinstance(instance, Category):
        return True
    if isinstance(instance, Article):
        return instance.status == Article.Status.PUBLISHED or getattr(
            instance, "_was_published", False
        )
    # A block or a link: seen if its article is published (or scheduled). The article
    # being saved with it is usually at hand; otherwise it is read once per transaction.
    article = instance._state.fields_cache.get("article")
    if article is not None:
        return article.status == Article.Status.PUBLISHED
    if instance.article_id not in notes.published:
        notes.published[instance.article_id] = (
            Article.objects.using(using)
            .filter(pk=instance.article_id, status=Article.Status.PUBLISHED)
            .exists()
        )
    return notes.published[instance.article_id]


class _Transaction:
    """What a transaction has done to readers' pages; run when it commits.

    Found again among the connection's commit callbacks, so it is forgotten with the
    transaction (or the savepoint) it belongs to, whether that commits or rolls back.
    """

    def __init__(self):
        self.moment = None  # the moment written, once it changed what readers see
        self.published = {}  # article id: published or scheduled

    def __call__(self):
        if self.moment is not None:
            publish_moment()


def _notes(using):
    """This transaction's (or savepoint's) notes; None outside a transaction."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return None
    # One per savepoint: a savepoint that rolls back takes its notes and its moment along.
    # Those of a savepoint already released into this one (a save's own, say) are this
    # one's: they now commit or roll back with it.
    savepoints = set(connection.savepoint_ids)
    for sids, callback, _ in connection.run_on_commit:
        if isinstance(callback, _Transaction) and sids >= savepoints:
            return callback
    notes = _Transaction()
    transaction.on_commit(notes, using=using)
    return notes


def mark_changed(sender, instance, raw=False, using=None, **kwargs):
    from .site_change import SiteChange

    notes = _notes(using)
    if notes is not None and notes.moment is not None and not _read_back(notes.moment):
        return  # marked once per transaction, unless a page has been read since
    # Rows loaded from a fixture (raw) are counted as seen: their relations are not read.
    if not (raw or _seen_by_readers(instance, notes or _Transaction(), using)):
        return
    moment = SiteChange.advance(using)
    if notes is None:  # autocommit: the row is already written for all to see
        publish_moment()
        return
    notes.moment = moment
    # Until it commits, readers find no copy and ask the database, which answers with
    # what is committed; only this transaction's own connection sees its moment.
    forget_cached_moment()


def _read_back(moment):
    """Whether this process has read ``moment`` already: then pages may have been kept
    under it (by this transaction's own thread), and a further change needs a new one."""
    return copies.seen is not None and copies.seen >= moment


def forget_cached_moment():
    cache.delete(KEY)
    # A cache that did not answer is told once it does: a process that was not cut off
    # from it may still hold the copy as it was.
    when_back = getattr(cache, "when_back", None)
    if when_back is not None:
        when_back(forget_cached_moment)


# Reading it ----------------------------------------------------------------------------


def last_modified():
    """The moment readers' pages last changed; no query unless a scheduled time passed,
    the cache's copy is missing or doubtful, or the cache is each process's own."""
    now = timezone.now()
    if not settings.CACHE_SHARED_BY_PROCESSES:
        moment, _ = database_moment(now)
        return copies.saw(moment)
    state, epoch = _read_state()
    if (
        state is not None
        and epoch is not None
        and epoch == copies.epoch
        and copies.seen is not None
        and state[0] >= copies.seen
        and (state[1] is None or state[1] > now)
    ):
        return state[0]
    return _checked(state, epoch, now)


def _checked(state, epoch, now):
    """The moment from the database, never older than what this process has seen; the
    cache's copy is written where it was missing, older or out of date."""
    moment, upcoming = database_moment(now)
    if state is not None and state[0] > moment:
        moment = state[0]  # newer than the database: harmless, it only renews pages
    moment = copies.saw(moment)
    if state is None:
        # Only if still missing: a change that commits meanwhile writes its own copy.
        cache.add(KEY, (moment, upcoming), timeout=None)
    elif state != (moment, upcoming):
        _write((moment, upcoming))
    copies.epoch = epoch
    return moment


def publish_moment():
    """After a change commits: the cache's copy, from the database as committed."""
    now = timezone.now()
    moment, upcoming = database_moment(now)
    _write((copies.saw(moment), upcoming))


def _write(state, attempts=3):
    """Write the cache's copy, then check that no change committed meanwhile (whose own
    copy this one may have overwritten): if one did, write again."""
    for _ in range(attempts):
        if cache.set(KEY, state, timeout=None) is False:
            break  # a full or unreachable cache: no copy rather than an old one
        now = timezone.now()
        moment, upcoming = database_moment(now)
        if moment <= state[0] and (state[1] is None or state[1] > now):
            return
        state = (copies.saw(moment), upcoming)
    forget_cached_moment()


def _read_state():
    """The cache's copy, and the watch under which it can be trusted (None: not watched).

    On Redis each process keeps the copy until Redis says it moved (newsroom/cache.py);
    a cache without watches is this process's own, trusted once checked.
    """
    watched = getattr(cache, "read_watched", None)
    return watched(KEY) if watched else (cache.get(KEY), 0)


def database_moment(now):
    """The last change the database knows of, or the latest publication that has come due
    if later; and the next scheduled publication. One query."""
    from .models import Article
    from .site_change import ROW, SiteChange

    published = Article.objects.filter(status=Article.Status.PUBLISHED).values("published_at")
    row = (
        SiteChange.objects.filter(pk=ROW)
        .annotate(
            due=Subquery(published.filter(published_at__lte=now).order_by("-published_at")[:1]),
            upcoming=Subquery(published.filter(published_at__gt=now).order_by("published_at")[:1]),
        )
        .values_list("changed_at", "due", "upcoming")
        .first()
    )
    if row is None:  # a database emptied by hand (or by a test): the site changes now
        SiteChange.objects.get_or_create(pk=ROW, defaults={"changed_at": now})
        return database_moment(now)
    changed, due, upcoming = row
    return (changed if due is None else max(changed, due)), upcoming


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
        # The latest moment this process has seen, which it never goes back from, and the
        # cache's watch under which it last checked the cache's copy against the database.
        self.seen = self.epoch = None

    def saw(self, moment):
        """``moment``, or the latest this process has seen if that is later."""
        with self.lock:
            if self.seen is None or moment > self.seen:
                self.seen = moment
            return self.seen

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


pre_save.connect(_published_before, sender="articles.Article", dispatch_uid="freshness-before")
for model in CONTENT_MODELS:
    post_save.connect(mark_changed, sender=model, dispatch_uid=f"freshness-save-{model}")
    post_delete.connect(mark_changed, sender=model, dispatch_uid=f"freshness-delete-{model}")
