"""The site's version: when readers' pages last changed, as the database knows it.

One row, written in the same transaction as the change it marks, so a change that
rolls back never moved it, and a cache restored to an older state cannot take it
back in time (the cache's rule for it lives with the cache).
"""

from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone

ROW = 1


class SiteChange(models.Model):
    changed_at = models.DateTimeField()

    class Meta:
        app_label = "articles"

    def __str__(self):
        return self.changed_at.isoformat()

    @classmethod
    def advance(cls, using=None):
        """Move the time to now, or just past the last one if a clock is behind: it only
        ever moves forward. Returns it; visible to others once the transaction commits."""
        now = timezone.now()
        with transaction.atomic(using=using, savepoint=False):
            row = cls.objects.using(using).select_for_update().filter(pk=ROW).first()
            if row is None:
                cls.objects.using(using).create(pk=ROW, changed_at=now)
                return now
            row.changed_at = max(now, row.changed_at + timedelta(microseconds=1))
            row.save(update_fields=["changed_at"])
            return row.changed_at
