"""Keep what is derived from an article's body in step with it: search text, renditions."""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import renditions, tasks
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
def make_renditions(sender, instance, raw=False, update_fields=None, **kwargs):
    # Queued once the save is committed, so the worker finds the photo and its row; the
    # task's own record of what it made needs nothing more.
    if raw or (update_fields and set(update_fields) <= {"rendition_widths"}):
        return
    if renditions.pending(instance):
        transaction.on_commit(
            partial(tasks.make_renditions.enqueue, instance.pk, instance.image.name),
            robust=True,
        )
