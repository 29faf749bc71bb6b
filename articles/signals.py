"""Keep what is derived from an article's body in step with it: search text, renditions."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import renditions
from .models import Article, Figure, TextBlock

_suspended = ContextVar("refolds_suspended", default=False)


@contextmanager
def refolds_suspended():
    """Blocks saved or deleted inside this leave the search text alone: for a caller that
    saves a whole body and refreshes it once afterwards (the admin's save)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


@receiver([post_save, post_delete], sender=TextBlock)
@receiver([post_save, post_delete], sender=Figure)
def refold_article(sender, instance, raw=False, **kwargs):
    # Fixtures carry their own search text; the article may not be complete yet.
    if raw or _suspended.get():
        return
    try:
        article = instance.article
    except Article.DoesNotExist:
        return  # the article itself is being deleted
    article.refresh_search_text()


@receiver(post_save, sender=Figure)
def make_renditions(sender, instance, raw=False, **kwargs):
    if not raw and instance.image:
        renditions.make_renditions(instance)
