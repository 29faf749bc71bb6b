"""The editors' forms: who may set which status, and no lost updates."""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from reversion.models import Version

from .models import Article, Figure, Photo
from .uploads import check_image


def can_publish(user):
    return user.has_perm("articles.publish_article")


class ArticleForm(forms.ModelForm):
    """An article as one person edits it.

    ``opened_version`` is the article's version when the form was opened. A save from
    a form opened before someone else's save is refused, and the form comes
    back with this person's text in it, so neither edit is lost.
    """

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "sapo",
            "category",
            "byline",
            "authors",
            "topics",
            "status",
            "published_at",
            "is_pick",
            "breaking_until",
        ]

    def __init__(self, *args, user, stored=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Restoring a revision writes the old article over the stored one before the
        # form is made; ``stored`` is the article as it was, locked, before that.
        self.stored = stored
        self.stored_version = None
        if not self.is_bound:
            self.initial["opened_version"] = (stored or self.instance).version
        if not can_publish(user) and "status" in self.fields:
            status = self.fields["status"]
            status.choices = [
                choice for choice in status.choices if choice[0] != Article.Status.PUBLISHED
            ]

    def clean_status(self):
        status = self.cleaned_data["status"]
        was_published = (self.stored or self.instance).status == Article.Status.PUBLISHED
        if (status == Article.Status.PUBLISHED or was_published) and not can_publish(self.user):
            # The choices already hide this; a crafted POST still gets a clear "no".
            raise forms.ValidationError(_("Only editors may publish or unpublish articles."))
        return status

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._refuse_stale_save(cleaned.get("opened_version"))
        if cleaned.get("status") == Article.Status.PUBLISHED and not cleaned.get("published_at"):
            cleaned["published_at"] = timezone.now()
        return cleaned

    def _refuse_stale_save(self, opened_version):
        if self.stored is not None:
            current = (self.stored.version, self.stored.updated_by, self.stored.updated_at)
        else:
            # Lock the row for the rest of the admin's transaction (on PostgreSQL;
            # SQLite transactions are IMMEDIATE), so two saves cannot both pass.
            current = (
                Article.objects.select_for_update(of=("self",))
                .filter(pk=self.instance.pk)
                .values_list("version", "updated_by__username", "updated_at")
                .first()
            )
        if current is None:
            return
        # The save counts on from the stored version, never from an older copy.
        self.stored_version = current[0]
        if opened_version == current[0]:
            return
        version, who, when = current
        history = other_change_url(self.instance.pk)
        raise forms.ValidationError(
            format_html(
                _(
                    "{who} saved this article at {when}, after you opened it. Your changes "
                    'are kept below but were not saved. <a href="{history}">See the other '
                    "change</a>, then reload the article and apply your changes again."
                ),
                who=who or _("Someone"),
                when=timezone.localtime(when).strftime("%H:%M %d/%m/%Y"),
                history=history,
            ),
            code="stale",
        )


def other_change_url(article_pk):
    """Where an editor sees the latest saved change of an article: its diff, else the history."""
    latest = Version.objects.get_for_object_reference(Article, article_pk).first()
    if latest is None:
        return reverse("admin:articles_article_history", args=[article_pk])
    return reverse("admin:articles_article_changes", args=[article_pk, latest.pk])


class PhotoField(forms.ImageField):
    """An image field that runs our checks before Django's own opening of the file.

    Django's check would call a decompression bomb or an oversized file "not an
    image"; ours says what is wrong, and gives the photo as it is stored: upright,
    without its metadata, named after its real format.
    """

    def to_python(self, data):
        if data and hasattr(data, "size"):
            data = check_image(data)
        return super().to_python(data)


class PhotoForm(forms.ModelForm):
    """A photo of the library: every upload goes through ``PhotoField``'s checks."""

    class Meta:
        model = Photo
        fields = ["image", "focal_x", "focal_y", "alt_text", "credit", "caption"]
        field_classes = {"image": PhotoField}
        widgets = {"caption": forms.Textarea(attrs={"rows": 2})}


class FigureForm(forms.ModelForm):
    class Meta:
        model = Figure
        fields = ["photo", "caption", "region", "ordering"]
        widgets = {"caption": forms.Textarea(attrs={"rows": 2})}
