"""Corrections and updates: dated notes an editor adds to a published story."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .articles import Article


class Correction(models.Model):
    """A dated note shown at the end of a story ("Đính chính" or "Cập nhật").

    Adding, editing or removing one moves the story's modified time
    (``Article.note_correction``): its page, feeds and sitemaps say it changed.
    """

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("time"), editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("correction or update")
        verbose_name_plural = _("corrections and updates")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def save(self, *args, **kwargs):
        # Dated when first saved, to the second (readers see minutes).
        self.created_at = (self.created_at or timezone.now()).replace(microsecond=0)
        super().save(*args, **kwargs)
