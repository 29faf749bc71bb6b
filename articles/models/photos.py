"""The photo library and the photos of a story's body.

A ``Photo`` is a record of its own (file, credit, alt text, default caption, focal
point), stored once however many stories use it; a ``Figure`` is the block of a body
that shows one, with this story's caption.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import richtext, text, uploads
from .body import BlockKeyManager, BodyBlock


def figure_upload_to(instance, filename):
    # Never keep the uploader's file name: it may be anything, and it leaks.
    suffix = PurePath(filename).suffix.lower()
    return f"figures/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


photo_upload_to = figure_upload_to


def _share():
    return [MinValueValidator(0.0), MaxValueValidator(1.0)]


class Photo(models.Model):
    """A photo of the library: its file and what is said of it wherever it is used."""

    image = models.ImageField(
        _("image"),
        upload_to=photo_upload_to,
        width_field="image_width",
        height_field="image_height",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        help_text=_("What the photo shows, for readers who cannot see it."),
    )
    caption = models.TextField(
        _("default caption"),
        blank=True,
        help_text=_("A story that uses the photo starts with this caption."),
    )
    focal_x = models.FloatField(
        _("focal point (across)"),
        default=0.5,
        validators=_share(),
        help_text=_("Click on the photo to set the point that crops keep."),
    )
    focal_y = models.FloatField(_("focal point (down)"), default=0.5, validators=_share())
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    rendition_widths = models.CharField(
        max_length=50,
        blank=True,
        default="",
        editable=False,
        help_text="The widths of the photo's renditions made so far (“480 800”); pages "
        "link to these only, and to the photo itself until they are made.",
    )
    crops = models.CharField(
        max_length=50,
        blank=True,
        default="",
        editable=False,
        help_text="The focal point (“0.5 0.5”) the 16:9 and square crops were made from.",
    )
    search_text = models.TextField(
        blank=True, editable=False, help_text="Caption, credit and alt text folded, for search."
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.alt_text[:60] or self.caption[:60] or PurePath(self.image.name).name

    def save(self, *args, **kwargs):
        if not self.image or not self.image._committed:
            self.rendition_widths = self.crops = ""  # a new photo has none of them yet
        if self.image and not self.image._committed:
            uploads.store(self.image)
        # To the second, as a backup (JSON) keeps it.
        self.uploaded_at = self.uploaded_at.replace(microsecond=0)
        super().save(*args, **kwargs)

    def normalise(self):
        """Its text NFC, and its search text folded from it (``signals.normalise_text``)."""
        richtext.normalise_fields(self, ("credit", "alt_text", "caption"))
        self.search_text = text.fold("\n".join([self.caption, self.credit, self.alt_text]))

    def clean(self):
        if self.image and not self.alt_text.strip():
            raise ValidationError({"alt_text": _("A figure with an image needs alt text.")})

    @property
    def focal_key(self):
        """The focal point as the crops record it."""
        return f"{self.focal_x:.3f} {self.focal_y:.3f}"


class FigureManager(BlockKeyManager):
    def get_queryset(self):
        return super().get_queryset().select_related("photo")

    def photos(self):
        """Figures that have a photo, in body order."""
        return self.exclude(photo=None).order_by("ordering", "pk")

    def with_first_photos(self, articles):
        """``articles`` as a list, each with ``first_photo``: its first photo's figure, or None.

        One query for a whole list of headlines, made only where the list is rendered.
        """
        articles = list(articles)
        first = {}
        figures = self.photos().filter(article__in=articles).defer("photo__search_text")
        for figure in figures.reverse():
            first[figure.article_id] = figure  # the last one written is the first in the body
        for article in articles:
            article.first_photo = first.get(article.pk)
        return articles


def _from_photo(name):
    def read(figure):
        photo = figure.photo  # None without a photo, and no query then
        return getattr(photo, name) if photo is not None else None

    read.__name__ = name
    return property(read)


class Figure(BodyBlock):
    """A photo of the library in a story's body, with this story's caption.

    It shows the photo's file, size, credit, alt text and renditions as its own, so
    that what shows a figure (``figure_image``, feeds, thumbnails) needs nothing else.
    A figure without a photo shows its caption alone (stories brought from before the
    library, whose photos were lost).
    """

    kind = "figure"
    body_columns = {"photo_id": "ref_id", "caption": "text"}

    photo = models.ForeignKey(
        Photo,
        verbose_name=_("photo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
    )
    caption = models.TextField(
        _("caption"),
        blank=True,
        help_text=_("This story's caption; left empty, the photo's default caption."),
    )

    objects = FigureManager()

    image = _from_photo("image")
    image_width = _from_photo("image_width")
    image_height = _from_photo("image_height")
    rendition_widths = _from_photo("rendition_widths")

    @property
    def credit(self):
        return self.photo.credit if self.photo_id else ""

    @property
    def alt_text(self):
        return self.photo.alt_text if self.photo_id else ""

    class Meta(BodyBlock.Meta):
        verbose_name = _("figure")
        verbose_name_plural = _("figures")

    def __str__(self):
        return self.caption[:60] or str(_("figure"))

    def save(self, *args, **kwargs):
        if self._state.adding and not self.caption and self.photo_id:
            self.caption = self.photo.caption
        super().save(*args, **kwargs)

    def searchable_text(self):
        return "\n".join(filter(None, [self.caption, self.credit]))

    def html(self, addresses=None):
        from django.utils.html import escape

        image = ""
        if self.photo_id:
            image = (
                f'<img src="{escape(self.image.url)}" alt="{escape(self.alt_text)}" '
                f'width="{self.image_width}" height="{self.image_height}">'
            )
        credit = f" {escape(self.credit)}" if self.credit else ""
        caption = (
            f"<figcaption>{escape(self.caption)}{credit}</figcaption>"
            if self.caption or credit
            else ""
        )
        return f"<figure>{image}{caption}</figure>"
