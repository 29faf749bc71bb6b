"""Partners' keys to the public API: named, revocable, stored as a digest only.

A key is shown once, when it is made; the database keeps its SHA-256 digest (a key is
32 random bytes, so a digest cannot be guessed back) and its first characters, by which
editors and partners tell keys apart.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "nr_"
SHOWN_CHARACTERS = 10
LAST_USE_STEP = timedelta(minutes=1)
"""How often a key's last use is written: at most once a minute, not on every request."""


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def for_key(self, key):
        """The key row that ``key`` is, revoked or not, or None."""
        if not key or len(key) > 200:
            return None
        return self.filter(digest=digest(key)).first()


class ApiKey(models.Model):
    """A partner's key: higher limits on the public API while it is not revoked."""

    name = models.CharField(
        _("partner"), max_length=200, help_text=_("Who the key is for, as editors know them.")
    )
    prefix = models.CharField(_("key starts with"), max_length=20, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def new_key(self):
        """Give the row a new key and return it: the only time the key itself is known."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        self.prefix, self.digest = key[:SHOWN_CHARACTERS], digest(key)
        return key

    @property
    def is_active(self):
        return self.revoked_at is None

    def revoke(self, moment=None):
        if self.revoked_at is None:
            self.revoked_at = moment or timezone.now()
            ApiKey.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=self.revoked_at
            )

    def note_use(self, moment=None):
        """Record that the key was used now, at most once per ``LAST_USE_STEP``."""
        moment = moment or timezone.now()
        if self.last_used_at is None or moment - self.last_used_at >= LAST_USE_STEP:
            ApiKey.objects.filter(pk=self.pk).filter(
                models.Q(last_used_at__isnull=True)
                | models.Q(last_used_at__lte=moment - LAST_USE_STEP)
            ).update(last_used_at=moment)
            self.last_used_at = moment
