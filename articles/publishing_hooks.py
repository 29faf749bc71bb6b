"""Rewrite the static publication after every committed edit (when it is on).

Edits are gathered per transaction and published once, after commit, so an
admin save with ten inline blocks renders each page once. A failure is logged
and never breaks the editor's save: a full ``publish_static`` run repairs it.
"""

import logging
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import publishing
from .models import Article, Category, Figure, RelatedLink, TextBlock

logger = logging.getLogger(__name__)
_local = threading.local()


def _queue(**touched):
    """Add what an edit touched to this thread's pending changes; publish on commit."""
    changes = getattr(_local, "changes", None)
    first = changes is None
    if first:
        changes = _local.changes = publishing.Changes()
    for name, values in touched.items():
        getattr(changes, name).update(values)
    if first:
        # Outside a transaction this runs at once, with the changes just added.
        transaction.on_commit(_flush)


def _flush():
    changes, _local.changes = getattr(_local, "changes", None), None
    if not changes:
        return
    try:
        publishing.Publisher().publish_changes(changes)
    except Exception:
        logger.exception("Static publication failed; run publish_static to repair it.")


@receiver(pre_save, sender=Article)
def remember_old_address(sender, instance, raw=False, **kwargs):
    if raw or not publishing.enabled() or not instance.pk:
        return
    old = Article.objects.select_related("category").filter(pk=instance.pk).first()
    if old:
        instance._published_path = old.get_absolute_url()
        instance._published_section = old.category_id


@receiver([post_save, post_delete], sender=Article)
def article_changed(sender, instance, raw=False, **kwargs):
    if raw or not publishing.enabled():
        return
    path = instance.get_absolute_url()
    if kwargs.get("signal") is post_delete:
        # Its referrers and lists change too, so it stays among the articles.
        _queue(old_paths={path}, old_sections={instance.category_id}, articles={instance.pk})
        return
    old_path = getattr(instance, "_published_path", None)
    _queue(
        old_paths={old_path} if old_path and old_path != path else set(),
        old_sections={getattr(instance, "_published_section", None)},
        articles={instance.pk},
    )


@receiver([post_save, post_delete], sender=TextBlock)
@receiver([post_save, post_delete], sender=Figure)
@receiver([post_save, post_delete], sender=RelatedLink)
def body_changed(sender, instance, raw=False, **kwargs):
    if raw or not publishing.enabled():
        return
    _queue(articles={instance.article_id})


@receiver(pre_save, sender=Category)
def remember_old_slug(sender, instance, raw=False, **kwargs):
    if raw or not publishing.enabled() or not instance.pk:
        return
    instance._published_slug = (
        Category.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    )


@receiver([post_save, post_delete], sender=Category)
def section_changed(sender, instance, raw=False, **kwargs):
    if raw or not publishing.enabled():
        return
    old_slug = getattr(instance, "_published_slug", None)
    if kwargs.get("signal") is post_delete or (old_slug and old_slug != instance.slug):
        # Its article pages moved: Django redirects the old addresses, files must not.
        publishing.Publisher().delete_folder(old_slug or instance.slug)
    if kwargs.get("signal") is not post_delete:
        _queue(sections={instance.pk})
