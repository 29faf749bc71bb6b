"""Publishing the readers' pages as static files, in any Django storage.

Each file is the body the site itself sends for that URL: pages are rendered
through the project's own URLconf by Django's test client, in-process, so a
static file can never differ from the live page. A missing file is never wrong
(nginx passes the request on to Django, see the README); a stale one would be,
so when in doubt a file is deleted rather than kept.

File names, for nginx's ``try_files``:

- ``/x/y-1.html`` -> ``x/y-1.html`` (a path with an extension is its own file);
- ``/section/`` -> ``section/index.html``; a feed ``/rss/`` -> ``rss/index.xml``
  (the extension comes from the response's content type);
- page N > 1 of a list (``?page=N``, or ``?p=N`` for sitemaps) adds ``-N``
  before the extension: ``section/index-2.html``, ``sitemap-articles-2.xml``.

When: what the edits of one transaction touched is gathered (``record``, from the
receivers in signals.py) and queued on commit as one ``tasks.publish_static_changes``,
which the task worker runs; a rollback forgets it. Which pages that rewrites
(``publish_changes``):

- the article's own page, or its file deleted when readers may no longer see
  it (and its old file when its slug or section changed);
- the pages of articles whose related links point to it;
- the first ``STATIC_PUBLISH_LIST_PAGES`` pages of home and of its sections
  (old and new); deeper list pages are not published and Django serves them,
  because every new story shifts every one of them;
- the feeds, sitemaps and robots.txt;
- "Tin khác" (the latest 10 on every article page): when the latest 11 visible
  articles (10 others for each page) change, the pages of the latest
  ``STATIC_PUBLISH_FRESH_ARTICLES`` articles are rewritten, and so are they when a
  breaking banner starts or ends. Older article pages keep their box until the
  first ``publish_static --due`` run of the next Hanoi day, which rewrites every
  page (each carries the day's date): rewriting 100,000 pages on every publish
  would cost minutes each time.
"""

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from django.utils import timezone, translation

from .cache import pages
from .cache.version import day_bounds
from .models import Article, Category
from .transactions import gathered

logger = logging.getLogger(__name__)

STATE_FILE = ".publishing.json"
_EXTENSIONS = {"text/html": ".html", "text/plain": ".txt", "application/json": ".json"}
_FEED_LINK = re.compile(
    r"<link[^>]+type=\"application/(?:rss|atom)\+xml\"[^>]*href=\"([^\"]+)\"|"
    r"<link[^>]+href=\"([^\"]+)\"[^>]*type=\"application/(?:rss|atom)\+xml\""
)
_LOC = re.compile(r"<loc>([^<]+)</loc>")
SITE_PATHS = ("/robots.txt", "/sitemap.xml")


def enabled():
    return bool(getattr(settings, "STATIC_PUBLISH", False))


def get_storage():
    return storages.create_storage(settings.STATIC_PUBLISH_STORAGE)


def file_name(path, content_type="text/html"):
    """The file that holds the page at ``path`` (which may carry ``?page=N``)."""
    parts = urlsplit(path)
    query = parse_qs(parts.query)
    page = (query.get("page") or query.get("p") or ["1"])[0]
    name = parts.path.lstrip("/")
    if not name or name.endswith("/"):
        media_type = content_type.split(";")[0].strip()
        extension = ".xml" if media_type.endswith("xml") else _EXTENSIONS.get(media_type, ".html")
        name += "index" + extension
    if page != "1":
        stem, dot, extension = name.rpartition(".")
        name = f"{stem}-{int(page)}{dot}{extension}"
    return name


@dataclass
class Changes:
    """What an edit touched: articles (by id), sections, files and folders to remove."""

    articles: set = field(default_factory=set)
    sections: set = field(default_factory=set)
    old_paths: set = field(default_factory=set)
    old_sections: set = field(default_factory=set)
    old_folders: set = field(default_factory=set)

    def __bool__(self):
        return any(map(bool, self.arguments().values()))

    def add(self, **touched):
        for name, values in touched.items():
            getattr(self, name).update(values)

    def arguments(self):
        """The changes as a task's (JSON) arguments; ``Changes(**arguments)`` reads them back."""
        return {name: list(values) for name, values in vars(self).items()}

    @classmethod
    def from_arguments(cls, **arguments):
        return cls(**{name: set(values) for name, values in arguments.items()})


class _Pending:
    """A transaction's changes (``transactions.gathered``), queued for publication when it
    commits; a rollback forgets them with everything else the transaction did."""

    def __init__(self):
        self.changes = Changes()

    def __call__(self):
        from .tasks import publish_static_changes

        if not self.changes:
            return
        try:
            publish_static_changes.enqueue(**self.changes.arguments())
        except Exception:
            # Never the editor's save: a full publish_static run repairs what was missed.
            logger.exception("Static publication could not be queued; run publish_static.")


def record(using=None, **touched):
    """Note what an edit touched; it is published by a task queued once the edit commits.

    Edits made in one transaction are one task, so an admin save with ten inline blocks
    renders each page once; with the database queue, never in the editor's request.
    """
    # One task per transaction: one whose savepoint then rolls back is published needlessly,
    # which rewrites its pages as they are.
    pending = gathered(_Pending, using, per_savepoint=False)
    outside = pending is None  # autocommit: the edit is already written, queue it now
    pending = pending or _Pending()
    pending.changes.add(**touched)
    if outside:
        pending()


class Publisher:
    def __init__(self, storage=None):
        self.storage = storage or get_storage()
        self.client = Client(HTTP_HOST=settings.STATIC_PUBLISH_HOST, raise_request_exception=True)
        self.written = 0
        self.deleted = 0

    # One page -------------------------------------------------------------

    def publish(self, path):
        """Write the page at ``path``, or delete its file if readers get no page there."""
        with translation.override(translation.get_language()):
            response = self.client.get(
                path,
                secure=settings.STATIC_PUBLISH_SCHEME == "https",
                **{pages.RENDER_FRESH: True},
            )
        content_type = response.get("Content-Type", "text/html")
        name = file_name(path, content_type)
        if response.status_code != 200:
            # A redirect or a 404: Django must answer it, so no file may stand in.
            self.delete(name)
            if name.endswith("index.html"):
                self.delete(name[: -len("html")] + "xml")
            return None
        body = b"".join(response) if response.streaming else response.content
        if self.storage.exists(name):
            self.storage.delete(name)
        self.storage.save(name, ContentFile(body))
        self.written += 1
        return body

    def delete(self, name):
        if self.storage.exists(name):
            self.storage.delete(name)
            self.deleted += 1

    def delete_folder(self, folder):
        if not self.storage.exists(folder):
            return
        folders, files = self.storage.listdir(folder)
        for name in files:
            self.delete(f"{folder}/{name}")
        for name in folders:
            self.delete_folder(f"{folder}/{name}")

    # Groups of pages ------------------------------------------------------

    def publish_list(self, path):
        """The first pages of a list (home, a section); the rest is left to Django."""
        body = None
        for page in range(1, settings.STATIC_PUBLISH_LIST_PAGES + 1):
            body = self.publish(path if page == 1 else f"{path}?page={page}")
            if body is None:
                for later in range(page + 1, settings.STATIC_PUBLISH_LIST_PAGES + 1):
                    self.delete(file_name(f"{path}?page={later}"))
                break
        return body

    def publish_site(self, home_body=None):
        """Home, its feeds, the sitemaps and robots.txt."""
        home_body = self.publish_list("/") if home_body is None else home_body
        for path in _feed_paths(home_body):
            self.publish(path)
        for path in SITE_PATHS:
            body = self.publish(path)
            if body and path.endswith("sitemap.xml"):
                for loc in _LOC.findall(body.decode()):
                    sub = _local(loc)
                    if sub and sub != path and sub.split("?")[0].endswith(".xml"):
                        self.publish(sub)

    def publish_section(self, category):
        body = self.publish_list(category.get_absolute_url())
        for path in _feed_paths(body):
            self.publish(path)

    def publish_article(self, article):
        path = article.get_absolute_url()
        if article.is_visible:
            self.publish(path)
        else:
            self.delete(file_name(path))

    def publish_fresh_articles(self):
        """Rewrite the newest article pages when "Tin khác" changed; see the module doc."""
        state = self.read_state()
        latest = list(
            Article.objects.published()
            .listing()
            .latest_first()
            .values_list("pk", "title", "slug", "category__slug", "published_at")[:11]
        )
        # Every page carries the breaking banner too: its start or end rewrites them.
        banner = list(Article.objects.breaking().values_list("pk", flat=True)[:1])
        signature = json.dumps([latest, banner], default=str)
        if state.get("tin_khac") == signature:
            return False
        fresh = (
            Article.objects.published()
            .select_related("category")
            .latest_first()[: settings.STATIC_PUBLISH_FRESH_ARTICLES]
        )
        for article in fresh:
            self.publish_article(article)
        state["tin_khac"] = signature
        self.write_state(state)
        return True

    # Whole runs -----------------------------------------------------------

    def publish_all(self):
        """Every page readers can see; files of articles no longer visible go."""
        self.publish_site()
        for category in Category.objects.all():
            self.publish_section(category)
        keep = set()
        visible = Article.objects.published().select_related("category").order_by("pk")
        for article in visible.iterator(chunk_size=500):
            self.publish(article.get_absolute_url())
            keep.add(file_name(article.get_absolute_url()))
        self._remove_article_files_except(keep)
        state = self.read_state()
        state.pop("tin_khac", None)
        self.write_state(state)
        self.publish_fresh_articles()

    def publish_due(self, now=None):
        """Articles whose scheduled time has come, or whose breaking banner ended, since the
        last run (run it each minute); the first run of a new Hanoi day rewrites every page,
        whose header carries the date."""
        now = now or timezone.now()
        state = self.read_state()
        since = state.get("due_checked_at")
        if since and day_bounds(datetime.fromisoformat(since))[0] != day_bounds(now)[0]:
            self.publish_all()
            self._write_due_checked_at(now)
            return Article.objects.published(at=now).count()
        visible = Article.objects.published(at=now)
        since_moment = since or (now - timezone.timedelta(days=1))
        due = visible.filter(published_at__gt=since_moment)
        # A breaking banner that ended: its story's pages (home, its section) lose it.
        ended = visible.filter(breaking_until__gt=since_moment, breaking_until__lte=now)
        changes = Changes(
            articles={*due.values_list("pk", flat=True), *ended.values_list("pk", flat=True)}
        )
        if changes:
            self.publish_changes(changes)
        self._write_due_checked_at(now)
        return len(changes.articles)

    def _write_due_checked_at(self, now):
        state = self.read_state()
        state["due_checked_at"] = now.isoformat()
        self.write_state(state)

    def publish_changes(self, changes):
        for folder in changes.old_folders:
            # A section renamed or deleted: Django redirects its old addresses, files must not.
            self.delete_folder(folder)
        articles = Article.objects.select_related("category").filter(pk__in=changes.articles)
        sections = set(changes.sections) | set(changes.old_sections)
        for path in changes.old_paths:
            self.delete(file_name(path))
        for article in articles:
            self.publish_article(article)
            sections.add(article.category_id)
        referrers = (
            Article.objects.published()
            .select_related("category")
            .filter(related_links__target__in=changes.articles)
            .exclude(pk__in=changes.articles)
            .distinct()
        )
        for article in referrers:
            self.publish(article.get_absolute_url())
        for category in Category.objects.filter(pk__in=sections - {None}):
            self.publish_section(category)
        self.publish_site()
        self.publish_fresh_articles()

    # Bookkeeping ----------------------------------------------------------

    def read_state(self):
        if not self.storage.exists(STATE_FILE):
            return {}
        with self.storage.open(STATE_FILE) as stored:
            return json.loads(stored.read() or "{}")

    def write_state(self, state):
        if self.storage.exists(STATE_FILE):
            self.storage.delete(STATE_FILE)
        self.storage.save(STATE_FILE, ContentFile(json.dumps(state).encode()))

    def _remove_article_files_except(self, keep):
        folders, _ = self.storage.listdir("")
        for folder in folders:
            for name in self.storage.listdir(folder)[1]:
                path = f"{folder}/{name}"
                is_article = re.search(r"-\d+\.html$", name) and not name.startswith("index")
                if is_article and path not in keep:
                    self.delete(path)


def _local(url):
    parts = urlsplit(url)
    if not parts.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _feed_paths(body):
    if not body:
        return []
    found = (a or b for a, b in _FEED_LINK.findall(body.decode()))
    return sorted({path for path in map(_local, found) if path and path.startswith("/")})
