"""The desk's own records: notes on a story, its status changes, who has it open, and
the preview links given to people without an account.

None of these is shown to readers; none moves the site's version.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .articles import Article


def on_story(related_name, **options):
    """The story a desk record is about; the record goes when the story does."""
    options.setdefault("verbose_name", _("article"))
    return models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name=related_name, **options
    )


def by_member(verbose_name, **options):
    """A member of the desk a record names; it stays, without them, if their account goes."""
    options.setdefault("related_name", "+")
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        **options,
    )


class Note(models.Model):
    """A note on a story, from one person of the desk to the story's reporter (or all)."""

    article = on_story("notes")
    author = by_member(_("author"))
    recipient = by_member(_("recipient"), blank=True, related_name="notes_received")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [models.Index(fields=["recipient", "read_at"], name="note_unread")]

    def __str__(self):
        return self.text[:60]


class StatusChange(models.Model):
    """One change of a story's status, with who made it and when: the story's log."""

    article = on_story("status_changes")
    author = by_member(_("author"))
    old_status = models.CharField(_("from"), max_length=10, blank=True)
    new_status = models.CharField(_("to"), max_length=10)
    note = models.ForeignKey(
        Note, verbose_name=_("note"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [
            models.Index(fields=["article", "new_status", "created_at"], name="statuschange_last")
        ]

    def __str__(self):
        return f"{self.old_status or '∅'} → {self.new_status}"

    @staticmethod
    def _label(value):
        try:
            return Article.Status(value).label
        except ValueError:
            return value or "—"

    def old_label(self):
        return self._label(self.old_status)

    def new_label(self):
        return self._label(self.new_status)


class Presence(models.Model):
    """Someone has a story's edit page open: since when, and the last heartbeat heard."""

    article = on_story("presences", verbose_name=None)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="presence_once"),
        ]
        indexes = [models.Index(fields=["seen_at"], name="presence_seen")]

    def __str__(self):
        return f"{self.user} · {self.article}"


class PreviewLink(models.Model):
    """A shareable preview of a story for someone without an account; the link itself is
    signed (``articles.previews``), and this row lets an editor revoke it."""

    article = on_story("preview_links")
    created_by = by_member(_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = by_member(_("revoked by"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self):
        return f"{self.article} · {self.expires_at:%d/%m/%Y %H:%M}"

    def is_active(self, now=None):
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
