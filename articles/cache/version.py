"""The site's version: when what readers can see last changed.

Every save or delete of content that readers can see (a published or scheduled
article, its blocks and links, a section) moves the version; a draft's or an article
in review's save does not. The version is the ``SiteChange`` row, written in the same
transaction as the change, so a change that rolls back moves nothing; it is never
older than the latest scheduled publication that has come due.

The cache holds a copy of it with the next scheduled publication, which pages read
instead of the database. A change forgets that copy (before and after its commit),
and a copy older than what this process or the database has seen is ignored and
rewritten, so a cache restored from an older snapshot cannot bring back old pages.
Where the cache is each process's own (``locmemcache://``), the database is read on
every request.

Pages answer ``If-Modified-Since`` from the version, and the pieces every page shares
(``shared()``) are computed once per version, so none is older than its content.
"""

import functools
import threading
from collections import OrderedDict
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections, router
from django.utils import timezone
from django.utils.functional import cached_property

from ..transactions import gathered

KEY = "articles:site-version"
SHARED_TIMEOUT = 24 * 3600
PROCESS_COPIES = 1000
"""How many shared pieces a process keeps; related boxes make one per article read."""


# Marking a change ----------------------------------------------------------------------


def note_published_before(sender, instance, raw=False, using=None, **kwargs):
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
    from ..models import Article, Author, Category, FrontPage, Photo, Topic

    if isinstance(instance, (Category, Author, Topic)):
        return True
    if isinstance(instance, FrontPage):
        return instance.edition == FrontPage.Edition.LIVE
    if isinstance(instance, Photo):
        # A photo of the library: seen where a published story shows it.
        return (
            instance.pk is not None
            and Article.objects.using(using)
            .filter(figures__photo_id=instance.pk, status=Article.Status.PUBLISHED)
            .exists()
        )
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
    """What a transaction has done to readers' pages (``transactions.gathered``); run when it
    commits, forgotten if it rolls back."""

    def __init__(self):
        self.version = None  # the version written, once it changed what readers see
        self.published = {}  # article id: published or scheduled

    def __call__(self):
        if self.version is not None:
            publish_version()


def mark_changed(sender, instance, raw=False, using=None, **kwargs):
    from ..models.site import SiteChange

    notes = gathered(_Transaction, using)
    if notes is not None and notes.version is not None and not _read_back(notes.version):
        return  # marked once per transaction, unless a page has been read since
    # Rows loaded from a fixture (raw) are counted as seen: their relations are not read.
    if not (raw or _seen_by_readers(instance, notes or _Transaction(), using)):
        return
    version = SiteChange.advance(using)
    if notes is None:  # autocommit: the row is already written for all to see
        publish_version()
        return
    notes.version = version
    # Until it commits, readers find no copy and ask the database, which answers with
    # what is committed; only this transaction's own connection sees its version.
    forget_cached_version()


def _read_back(version):
    """Whether this process has read ``version`` already: then pages may have been kept
    under it (by this transaction's own thread), and a further change needs a new one."""
    return copies.seen is not None and copies.seen >= version


def forget_cached_version():
    cache.delete(KEY)
    # A cache that did not answer is told once it does: a process that was not cut off
    # from it may still hold the copy as it was.
    when_back = getattr(cache, "when_back", None)
    if when_back is not None:
        when_back(forget_cached_version)


# Reading it ----------------------------------------------------------------------------


def current():
    """The site's version (when readers' pages last changed); no query unless a scheduled
    time passed, the cache's copy is missing or doubtful, or the cache is each process's own."""
    now = timezone.now()
    if not settings.CACHE_SHARED_BY_PROCESSES:
        version, _ = database_version(now)
        return copies.saw(version)
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
    """The version from the database, never older than what this process has seen; the
    cache's copy is written where it was missing, older or out of date."""
    version, upcoming = database_version(now)
    if state is not None and state[0] > version:
        version = state[0]  # newer than the database: harmless, it only renews pages
    version = copies.saw(version)
    if state is None:
        # Only if still missing: a change that commits meanwhile writes its own copy.
        cache.add(KEY, (version, upcoming), timeout=None)
    elif state != (version, upcoming):
        _write((version, upcoming))
    copies.epoch = epoch
    return version


def publish_version():
    """After a change commits: the cache's copy, from the database as committed."""
    now = timezone.now()
    version, upcoming = database_version(now)
    _write((copies.saw(version), upcoming))


def _write(state, attempts=3):
    """Write the cache's copy, then check that no change committed meanwhile (whose own
    copy this one may have overwritten): if one did, write again."""
    for _ in range(attempts):
        if cache.set(KEY, state, timeout=None) is False:
            break  # a full or unreachable cache: no copy rather than an old one
        now = timezone.now()
        version, upcoming = database_version(now)
        if version <= state[0] and (state[1] is None or state[1] > now):
            return
        state = (copies.saw(version), upcoming)
    forget_cached_version()


def _read_state():
    """The cache's copy, and the watch under which it can be trusted (None: not watched).

    On Redis with ``CACHE_WATCH`` each process keeps the copy until Redis says it moved
    (``articles.cache.redis``); another cache's copy is read every time (token 0).
    """
    watched = getattr(cache, "read_watched", None)
    return watched(KEY) if watched else (cache.get(KEY), 0)


class VersionStatement:
    """The SQL behind ``database_version``, written once per process and database: the
    site's change row and the four moments around ``now``. Every request reads it where
    the cache is each process's own; the ORM built the same statement anew on each call,
    which cost far more than running it (bench/WRITING.md)."""

    def __init__(self, db):
        from ..models import Article
        from ..models.site import ROW, SiteChange

        self.db = db
        connection = connections[db]
        quote = connection.ops.quote_name
        articles = quote(Article._meta.db_table)
        status, published = (
            quote(Article._meta.get_field(name).column) for name in ("status", "published_at")
        )
        breaking = quote(Article._meta.get_field("breaking_until").column)
        field = SiteChange._meta.get_field("changed_at")

        def moment(column, compare, order, extra=""):
            return (
                f"(SELECT {column} FROM {articles} WHERE {status} = %(published)s{extra}"
                f" AND {column} {compare} %(now)s ORDER BY {column} {order} LIMIT 1)"
            )

        ends = f" AND {breaking} IS NOT NULL"  # the partial index of breaking stories
        self.sql = (
            f"SELECT {quote(field.column)}, "
            + ", ".join(
                (
                    moment(published, "<=", "DESC"),
                    moment(published, ">", "ASC"),
                    moment(breaking, "<=", "DESC", ends),
                    moment(breaking, ">", "ASC", ends),
                )
            )
            + f" FROM {quote(SiteChange._meta.db_table)} WHERE {quote('id')} = %(row)s"
        )
        self.params = {"published": Article.Status.PUBLISHED.value, "row": ROW}
        # What the ORM applies to a time read back, as all five columns are (SQLite gives text).
        self.field = field
        self.converters = connection.ops.get_db_converters(
            field.get_col(SiteChange._meta.db_table)
        ) + field.get_db_converters(connection)

    def row(self, now):
        """The change row's time and the moments (due, upcoming, ended, ending), or None."""
        connection = connections[self.db]  # each thread's own
        params = {**self.params, "now": connection.ops.adapt_datetimefield_value(now)}
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for index, value in enumerate(values):
            if value is not None:
                for convert in self.converters:
                    value = convert(value, self.field, connection)
                values[index] = value
        return values


@functools.cache
def version_statement(db):
    return VersionStatement(db)


def database_version(now):
    """The last change the database knows of, or the latest moment that has come due if
    later; and the next such moment. Moments: a scheduled publication, the end of a
    breaking banner, and the start of a day. One query."""
    from ..models.site import ROW, SiteChange

    db = router.db_for_read(SiteChange)
    row = version_statement(db).row(now)
    if row is None:  # a database emptied by hand (or by a test): the site changes now
        SiteChange.objects.using(db).get_or_create(pk=ROW, defaults={"changed_at": now})
        return database_version(now)
    changed, *moments = row
    # Every page shows today's date (Hanoi time): the day's start is a change of the site.
    today, tomorrow = day_bounds(now)
    due = max([changed, today, *(m for m in moments[0::2] if m is not None)])
    upcoming = min([tomorrow, *(m for m in moments[1::2] if m is not None)])
    return due, upcoming


# The zone and the bounds of the day last asked about, as datetimes and as timestamps.
_day = (None, None, None, 0.0, 0.0)


def day_bounds(now):
    """The start of ``now``'s day in the site's time (Hanoi), and of the next day."""
    global _day
    zone = timezone.get_default_timezone()
    kept_zone, start, following, start_at, following_at = _day
    if kept_zone is zone and start_at <= now.timestamp() < following_at:
        return start, following
    start = timezone.localtime(now, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=1, hours=2)).replace(hour=0)
    _day = (zone, start, following, start.timestamp(), following.timestamp())
    return start, following


def seconds_to_tomorrow(now):
    """Whole seconds from ``now`` to the start of the next day in the site's time: every
    response asks (``pages.kept_until_tomorrow``), so the day's bounds are kept."""
    day_bounds(now)
    return int(_day[4] - now.timestamp())


def of_request(request):
    """The site's version, read once per request and before any content.

    Whatever the request renders is kept under this version, so an edit that lands
    while it renders can never be hidden under a later one.
    """
    if not hasattr(request, "site_changed"):
        request.site_changed = current()
        _request_version.set(request.site_changed)
    return request.site_changed


# The version of the request being served, for pieces computed far from the request
# (the model's shared lists). Forgotten between requests, as a thread serves many.
_request_version = ContextVar("site_changed", default=None)


def forget_request_version(**kwargs):
    _request_version.set(None)


class ProcessCopies:
    """This process's copies of the current version's shared pieces, newest used last."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        self.version, self.pieces = None, OrderedDict()
        # The latest version this process has seen, which it never goes back from, and the
        # cache's watch under which it last checked the cache's copy against the database.
        self.seen = self.epoch = None

    def saw(self, version):
        """``version``, or the latest this process has seen if that is later."""
        with self.lock:
            if self.seen is None or version > self.seen:
                self.seen = version
            return self.seen

    def get(self, version, key):
        with self.lock:
            if version != self.version:
                return None
            value = self.pieces.get(key)
            if value is not None:
                self.pieces.move_to_end(key)
            return value

    def keep(self, version, key, value):
        with self.lock:
            if version != self.version:
                if self.version is not None and version < self.version:
                    return  # a request that began before the latest change
                self.version, self.pieces = version, OrderedDict()
            self.pieces[key] = value
            if len(self.pieces) > PROCESS_COPIES:
                self.pieces.popitem(last=False)


copies = ProcessCopies()


def shared(name, compute, version=None):
    """``compute()``, kept until readers' pages next change (a piece every page shares).

    Computed under ``version``, or else under the version of the request being served
    (``of_request``), or else under the latest.
    """
    version = version or _request_version.get() or current()
    value = copies.get(version, name)
    if value is None:
        key = f"articles:shared:{name}:{version.timestamp()}"
        value = cache.get_or_set(key, compute, SHARED_TIMEOUT)
        copies.keep(version, name, value)
    return value


class SharedCountPaginator(Paginator):
    """A paginator that counts its items once per version of the site, under ``name``:
    counting every visible article grows with the newsroom."""

    def __init__(self, object_list, per_page, name):
        super().__init__(object_list, per_page)
        self.name = name

    @cached_property
    def count(self):
        return shared(f"count-{self.name}", self.object_list.count)
