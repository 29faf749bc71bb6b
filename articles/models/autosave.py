"""An editor's unsaved form, kept by the admin while they type (``articles.autosave``).

Not content: readers never see it, it is no revision of the article, and saving it
changes neither the article nor the site's version. One row per editor and article,
or per editor for the article they are writing and have not saved yet.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Autosave(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("editor"), on_delete=models.CASCADE
    )
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="Empty for an article not saved yet.",
    )
    data = models.JSONField(
        default=list, help_text="The form's fields as [name, value] pairs, in the form's order."
    )
    files = models.JSONField(
        default=list, help_text="The names of the file inputs that had a file chosen."
    )
    saved_at = models.DateTimeField(_("autosaved at"))

    class Meta:
        app_label = "articles"
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="autosave_per_article"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(article__isnull=True),
                name="autosave_per_new_article",
            ),
        ]
        indexes = [models.Index(fields=["saved_at"], name="autosave_age")]

    def __str__(self):
        return f"{self.user} · {self.article or '—'} · {self.saved_at:%Y-%m-%d %H:%M}"
