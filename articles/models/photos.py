"""Figures: the photos of an article's body, where their files go, and their first photos."""

import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import uploads
from .body import BlockKeyManager, BodyBlock


def figure_upload_to(instance, filename):
    # Never keep the uploader's file name: it may be anything, and it leaks.
    suffix = PurePath(filename).suffix.lower()
    return f"figures/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class FigureManager(BlockKeyManager):
    def photos(self):
        """Figures that have a photo, in body order."""
        return self.exclude(image="").order_by("position", "pk")

    def with_first_photos(self, articles):
        """``articles`` as a list, each with ``first_photo``: its first photo, or None.

        One query for a whole list of headlines, made only where the list is rendered.
        """
        articles = list(articles)
        first = {}
        for figure in self.photos().filter(article__in=articles).reverse():
            first[figure.article_id] = figure  # the last one written is the first in the body
        for article in articles:
            article.first_photo = first.get(article.pk)
        return articles


class Figure(BodyBlock):
    """A photo in the body, with its caption; the image itself is optional."""

    kind = "figure"

    image = models.ImageField(
        _("image"),
        upload_to=figure_upload_to,
        width_field="image_width",
        height_field="image_height",
        blank=True,
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    caption = models.TextField(_("caption"), blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_("What the photo shows, for readers who cannot see it."),
    )
    rendition_widths = models.CharField(
        max_length=50,
        blank=True,
        default="",
        editable=False,
        help_text="The widths of the photo's renditions made so far (“480 800”); pages "
        "link to these only, and to the photo itself until they are made.",
    )

    objects = FigureManager()

    class Meta(BodyBlock.Meta):
        verbose_name = _("figure")
        verbose_name_plural = _("figures")

    def __str__(self):
        return self.caption[:60] or str(_("figure"))

    def save(self, *args, **kwargs):
        if not self.image or not self.image._committed:
            self.rendition_widths = ""  # a new photo has none of its renditions yet
        if self.image and not self.image._committed:
            uploads.store(self.image)
        super().save(*args, **kwargs)

    def clean(self):
        if self.image and not self.alt_text.strip():
            raise ValidationError({"alt_text": _("A figure with an image needs alt text.")})

    def searchable_text(self):
        return self.caption
