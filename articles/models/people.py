"""Topics and authors: what readers follow besides sections, each with its own page and feed."""

import re
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import paths, text, uploads
from .articles import SlugKeyManager, save_with_free_slug, unique_slug


class FoldedNameQuerySet(models.QuerySet):
    def matching(self, term):
        """Rows whose name holds every word of ``term``, accents and case ignored."""
        rows = self
        for word in text.fold(term).split():
            rows = rows.filter(folded_name__contains=word)
        return rows


class NamedWithSlug(models.Model):
    """A name readers see, its slug (made by the Vietnamese rule) and its folded form."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Made from the name when left empty."),
    )
    folded_name = models.CharField(max_length=100, editable=False, db_index=True)

    objects = SlugKeyManager.from_queryset(FoldedNameQuerySet)()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.folded_name = text.fold(self.name)[:100]
        if not self.slug:
            self.slug = unique_slug(type(self), self.name, exclude_pk=self.pk, max_length=100)
        save_with_free_slug(
            self,
            lambda: super(NamedWithSlug, self).save(*args, **kwargs),
            max_length=100,
            using=kwargs.get("using"),
        )

    def natural_key(self):
        return (self.slug,)


class Topic(NamedWithSlug):
    """A topic ("chủ đề") that stories of any section may be about: "Giao thông", "Tết"."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta(NamedWithSlug.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def get_absolute_url(self):
        return paths.path_to("articles:topic", self.slug)


def author_photo_upload_to(instance, filename):
    # Never keep the uploader's file name: it may be anything, and it leaks.
    return f"authors/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class Author(NamedWithSlug):
    """A reporter, photographer or contributor whose stories readers can follow."""

    role = models.CharField(
        _("role"), max_length=100, blank=True, help_text=_("“Reporter”, “Contributor”…")
    )
    bio = models.TextField(_("short bio"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=author_photo_upload_to, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
    )

    class Meta(NamedWithSlug.Meta):
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def save(self, *args, **kwargs):
        if self.photo and not self.photo._committed:
            uploads.store(self.photo)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return paths.path_to("articles:author", self.slug)


BYLINE_SEPARATORS = re.compile(r"\s*(?:,|;|&|\s-\s|\bvà\b)\s*")


def byline_names(byline):
    """The names a free-text byline lists ("Minh Anh, Lan Anh" or "Minh Anh và Lan Anh")."""
    return [name for name in BYLINE_SEPARATORS.split(byline.strip()) if name]
