"""When did what readers can see last change?

Every save or delete of content marks the moment in the cache; a scheduled
article changes the site when its time comes, with no save at all. Public
pages answer ``If-Modified-Since`` from this, and the page cache keys on it,
so neither can serve a page older than the content behind it.
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import Article, Category, Figure, RelatedLink, TextBlock

KEY = "articles:content-changed-at"
CONTENT_MODELS = (Article, Category, TextBlock, Figure, RelatedLink)


def mark_changed(**kwargs):
    cache.set(KEY, timezone.now(), timeout=None)


def changed_at():
    """The last content change, or now if the cache has forgotten it (never too old)."""
    moment = cache.get(KEY)
    if moment is None:
        moment = timezone.now()
        cache.add(KEY, moment, timeout=None)
    return moment


def last_modified():
    latest = Article.objects.published().latest_first().values_list("published_at", flat=True)
    newest_publication = latest.first()
    moments = [changed_at(), newest_publication]
    return max(m for m in moments if m is not None)


for model in CONTENT_MODELS:
    post_save.connect(mark_changed, sender=model, dispatch_uid=f"freshness-save-{model.__name__}")
    post_delete.connect(mark_changed, sender=model, dispatch_uid=f"freshness-del-{model.__name__}")
