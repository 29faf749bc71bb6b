"""Every receiver of the app's signals, connected when the app is ready (``apps.py``)."""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.core.signals import request_finished, request_started, setting_changed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from . import publishing, renditions, tasks
from .cache import fragments, version
from .models import (
    Article,
    Author,
    Category,
    Correction,
    Embed,
    Figure,
    FrontPage,
    Photo,
    Quote,
    RelatedLink,
    RichText,
    StoryCard,
    Topic,
)

BLOCKS = (RichText, Figure, Quote, Embed, StoryCard)

# The site's version (``articles.cache.version``) and the kept fragments -----------------


@receiver(pre_save, sender=Article, dispatch_uid="site-version-published-before")
def note_published_before(sender, instance, **kwargs):
    version.note_published_before(sender, instance, **kwargs)


@receiver([post_save, post_delete], sender=Article, dispatch_uid="site-version-article")
@receiver([post_save, post_delete], sender=Category, dispatch_uid="site-version-category")
@receiver([post_save, post_delete], sender=RelatedLink, dispatch_uid="site-version-link")
@receiver([post_save, post_delete], sender=Correction, dispatch_uid="site-version-correction")
@receiver([post_save, post_delete], sender=Author, dispatch_uid="site-version-author")
@receiver([post_save, post_delete], sender=Topic, dispatch_uid="site-version-topic")
@receiver([post_save, post_delete], sender=FrontPage, dispatch_uid="site-version-front-page")
@receiver([post_save, post_delete], sender=Photo, dispatch_uid="site-version-photo")
def content_changed(sender, instance, **kwargs):
    """A change of content that readers may see moves the site's version."""
    version.mark_changed(sender, instance, **kwargs)


@receiver(m2m_changed, sender=Article.authors.through, dispatch_uid="site-version-authors")
@receiver(m2m_changed, sender=Article.topics.through, dispatch_uid="site-version-topics")
def story_authors_or_topics_changed(sender, instance, action, reverse, using=None, **kwargs):
    """A story's authors or topics changed: seen by readers if the story is published."""
    if not action.startswith("post_"):
        return
    stories = (
        [instance]
        if not reverse
        else Article.objects.using(using).filter(pk__in=kwargs["pk_set"] or ())
    )
    for story in stories:
        version.mark_changed(Article, story, using=using)


for _block in BLOCKS:
    post_save.connect(content_changed, sender=_block, dispatch_uid=f"site-version-{_block.kind}")
    post_delete.connect(content_changed, sender=_block, dispatch_uid=f"site-version-{_block.kind}")


@receiver([request_started, request_finished], dispatch_uid="site-version-request")
def request_began_or_ended(**kwargs):
    # A thread serves many requests: each reads the site's version afresh.
    version.forget_request_version()


@receiver(setting_changed, dispatch_uid="fragments-setting-changed")
def setting_changed_for_fragments(**kwargs):
    # Fragments are rendered with settings (media URL, site name) that tests change.
    fragments.store.clear()


# What every way in stores (the admin, the ORM, a fixture or a backup loaded) ----------


def normalise_text(sender, instance, **kwargs):
    """Text is stored NFC, and rich text sanitized, however the row arrives: ``loaddata``
    saves without calling the model's ``save()``, but sends this."""
    instance.normalise()


for _model in (*BLOCKS, Photo, Article):
    pre_save.connect(normalise_text, sender=_model, dispatch_uid=f"normalise-{_model.__name__}")


# What is derived from an article's body, kept in step with it: search text, renditions --

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


def refold_article(sender, instance, raw=False, **kwargs):
    # Fixtures carry their own search text; the article may not be complete yet.
    if raw or _suspended.get():
        return
    try:
        article = instance.article
    except Article.DoesNotExist:
        return  # the article itself is being deleted
    article.refresh_search_text()


for _block in BLOCKS:
    post_save.connect(refold_article, sender=_block, dispatch_uid=f"refold-{_block.kind}")
    post_delete.connect(refold_article, sender=_block, dispatch_uid=f"refold-{_block.kind}")


@receiver(post_save, sender=Photo)
def make_renditions(sender, instance, raw=False, update_fields=None, **kwargs):
    # Queued once the save is committed, so the worker finds the photo and its row; the
    # task's own record of what it made needs nothing more.
    if raw or (update_fields and set(update_fields) <= {"rendition_widths", "crops"}):
        return
    if renditions.pending(instance):
        transaction.on_commit(
            partial(tasks.make_renditions.enqueue, instance.pk, instance.image.name),
            robust=True,
        )


@receiver([post_save, post_delete], sender=Correction, dispatch_uid="correction-modifies")
def correction_modifies_article(sender, instance, raw=False, **kwargs):
    """A correction or update added, edited or removed is a change of its story: its
    modified time (page, feeds, sitemaps) moves to now."""
    if raw:
        return
    try:
        article = instance.article
    except Article.DoesNotExist:
        return  # the article itself is being deleted
    article.note_correction()


@receiver(post_save, sender=Photo)
def refold_articles_of_photo(sender, instance, raw=False, **kwargs):
    # A photo's credit is part of the search text of every story that shows it.
    if raw or _suspended.get():
        return
    for article in Article.objects.filter(figures__photo=instance).distinct():
        article.refresh_search_text()


# Static publication (articles/publishing.py) ----------------------------------------------
# What each committed edit touched is published by a task; with STATIC_PUBLISH off these
# receivers return at once, without a query.


@receiver(pre_save, sender=Article)
def remember_published_address(sender, instance, raw=False, **kwargs):
    if raw or not publishing.enabled() or not instance.pk:
        return
    old = Article.objects.select_related("category").filter(pk=instance.pk).first()
    if old:
        instance._published_path = old.get_absolute_url()
        instance._published_section = old.category_id


@receiver([post_save, post_delete], sender=Article)
def publish_article(sender, instance, raw=False, using=None, **kwargs):
    if raw or not publishing.enabled():
        return
    path = instance.get_absolute_url()
    if kwargs.get("signal") is post_delete:
        # Its referrers and lists change too, so it stays among the articles.
        publishing.record(
            using, old_paths={path}, old_sections={instance.category_id}, articles={instance.pk}
        )
        return
    old_path = getattr(instance, "_published_path", None)
    publishing.record(
        using,
        old_paths={old_path} if old_path and old_path != path else set(),
        old_sections={getattr(instance, "_published_section", None)},
        articles={instance.pk},
    )


@receiver([post_save, post_delete], sender=RelatedLink)
@receiver([post_save, post_delete], sender=Correction)
def publish_article_of_part(sender, instance, raw=False, using=None, **kwargs):
    if raw or not publishing.enabled():
        return
    publishing.record(using, articles={instance.article_id})


for _block in BLOCKS:
    post_save.connect(publish_article_of_part, sender=_block, dispatch_uid=f"publish-{_block.kind}")
    post_delete.connect(
        publish_article_of_part, sender=_block, dispatch_uid=f"publish-{_block.kind}"
    )


@receiver([post_save, post_delete], sender=Photo)
def publish_articles_of_photo(sender, instance, raw=False, using=None, **kwargs):
    if raw or not publishing.enabled() or instance.pk is None:
        return
    articles = set(Figure.objects.filter(photo=instance).values_list("article_id", flat=True))
    if articles:
        publishing.record(using, articles=articles)


@receiver(pre_save, sender=Category)
def remember_published_slug(sender, instance, raw=False, **kwargs):
    if raw or not publishing.enabled() or not instance.pk:
        return
    instance._published_slug = (
        Category.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    )


@receiver([post_save, post_delete], sender=Category)
def publish_section(sender, instance, raw=False, using=None, **kwargs):
    if raw or not publishing.enabled():
        return
    old_slug = getattr(instance, "_published_slug", None)
    if kwargs.get("signal") is post_delete:
        publishing.record(using, old_folders={instance.slug})
    elif old_slug and old_slug != instance.slug:
        # Its article pages moved: Django redirects the old addresses, files must not.
        publishing.record(using, old_folders={old_slug}, sections={instance.pk})
    else:
        publishing.record(using, sections={instance.pk})
