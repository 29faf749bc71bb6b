"""The editors' desk: writing, illustrating, linking and publishing in the admin."""

from datetime import UTC, datetime, timedelta
from functools import partial

from content_editor.admin import ContentEditor, ContentEditorInline
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from js_asset import Media
from reversion import create_revision, set_comment, set_user
from reversion.admin import VersionAdmin
from reversion.models import Version

from newsroom.security import csp_nonce

from . import (
    desk,
    figure_versions,
    history,
    kept_photos,
    notes,
    previews,
    renditions,
    signals,
    text,
    uploads,
)
from .autosave import AutosaveAdmin
from .forms import ArticleForm, FigureForm, PhotoForm, can_publish
from .models import (
    Article,
    ArticleQuerySet,
    Category,
    Correction,
    Embed,
    Figure,
    Photo,
    PreviewLink,
    Quote,
    RelatedLink,
    RichText,
    StoryCard,
)
from .views import render_article


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class BlockInline(ContentEditorInline):
    """A kind of block of the body: content-editor shows every kind in one ordered,
    draggable stream, each added where the editor wants it."""

    fk_name = "article"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")


def thumbnail_of(photo, width=160):
    """A small <img> of a library photo, for the admin."""
    if photo is None or not photo.image:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" class="figure-thumbnail" width="{}">{}',
        photo.image.url,
        photo.alt_text,
        width,
        format_html("<p>{}</p>", PROCESSING) if renditions.pending(photo) else "",
    )


class RichTextInline(BlockInline):
    model = RichText
    fields = ["text", "region", "ordering"]
    icon = "notes"


class FigureInline(BlockInline):
    model = Figure
    form = FigureForm
    fields = ["photo", "thumbnail", "caption", "region", "ordering"]
    readonly_fields = ["thumbnail"]
    autocomplete_fields = ["photo"]
    icon = "image"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("photo")

    @admin.display(description=gettext_lazy("preview"))
    def thumbnail(self, figure):
        return thumbnail_of(figure.photo if figure.photo_id else None)


class QuoteInline(BlockInline):
    model = Quote
    fields = ["text", "attribution", "region", "ordering"]
    icon = "format_quote"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}


class EmbedInline(BlockInline):
    model = Embed
    fields = ["url", "region", "ordering"]
    icon = "smart_display"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class StoryCardInline(BlockInline):
    model = StoryCard
    fields = ["target", "region", "ordering"]
    autocomplete_fields = ["target"]
    icon = "article"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target")


PROCESSING = gettext_lazy(
    "Photos are being processed: readers see the original photos until their smaller "
    "copies are made."
)


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    """The photo library: browsed with thumbnails, searched without accents, and a
    photo's focal point set by clicking on it."""

    form = PhotoForm
    list_display = ["thumbnail", "alt_text", "credit", "uploaded_at", "uploaded_by"]
    list_display_links = ["thumbnail", "alt_text"]
    list_select_related = ["uploaded_by"]
    search_fields = ["search_text"]  # folded, see get_search_results
    fields = ["image", "focal_point", "focal_x", "focal_y", "alt_text", "credit", "caption"]
    readonly_fields = ["focal_point"]
    date_hierarchy = None
    list_per_page = 40
    change_form_template = "admin/articles/photo/change_form.html"

    class Media:
        js = ["articles/js/focal-point.js"]
        css = {"all": ["articles/admin-photos.css"]}

    @admin.display(description=gettext_lazy("photo"))
    def thumbnail(self, photo):
        return thumbnail_of(photo, width=120)

    @admin.display(description=gettext_lazy("focal point"))
    def focal_point(self, photo):
        if not photo.pk or not photo.image:
            return _("Save the photo first, then click on it to set its focal point.")
        return format_html(
            '<div class="focal-point" data-focal-x="{}" data-focal-y="{}">'
            '<img src="{}" alt="{}" width="{}" height="{}"><span class="focal-marker" '
            'aria-hidden="true"></span></div><p class="help">{}</p>',
            photo.focal_x,
            photo.focal_y,
            photo.image.url,
            photo.alt_text,
            photo.image_width,
            photo.image_height,
            _("Click on the subject of the photo: crops keep that point in view."),
        )

    def get_search_results(self, request, queryset, search_term):
        words = text.fold(search_term).split()
        for word in words:
            queryset = queryset.filter(search_text__contains=word)
        return queryset, False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        not_stored = getattr(request, "photos_not_stored", None)
        if not_stored is None:
            return form

        class PhotoNotStoredForm(form):
            """The photo's form again after its file could not be stored: nothing saves."""

            def clean(self):
                super().clean()
                raise forms.ValidationError(not_stored.message, code="not_stored")

        return PhotoNotStoredForm

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        # What readers see of the photo changed: each story that shows it gets a version.
        shown = [n for n in figure_versions.PHOTO_SHOWN if n in form.changed_data] if change else []
        with history.photo_change_recorded(obj, shown, request.user):
            super().save_model(request, obj, form, change)
        if "image" in form.changed_data or "focal_x" in form.changed_data:
            transaction.on_commit(partial(self._tell_of_renditions, request, obj))

    def _tell_of_renditions(self, request, photo):
        photo.refresh_from_db(fields=["rendition_widths", "crops"])
        if renditions.pending(photo):
            self.message_user(request, PROCESSING, messages.INFO)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A photo chosen before a form error comes back by its token (``kept_photos``).
        carried = kept_photos.take(request) if request.method == "POST" else None
        response = self._changeform(request, object_id, form_url, extra_context)
        form_again = (
            request.method == "POST"
            and isinstance(response, TemplateResponse)
            and not response.is_rendered
            and "adminform" in (response.context_data or {})
        )
        if form_again:
            kept = carried or kept_photos.keep(request)
            if kept is not None:
                response.context_data["kept_photo"] = kept
                # The kept photo stands for the file input, which the browser left empty.
                response.context_data["adminform"].form.fields["image"].required = False
        elif 200 <= response.status_code < 400:
            kept_photos.forget(carried)  # saved: the photo is in the library now
        return response

    def _changeform(self, request, object_id, form_url, extra_context):
        # A save that fails after its photo was stored leaves nothing behind; one whose
        # photo could not be stored comes back with what was typed and says why.
        try:
            with uploads.orphans_removed():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except uploads.PhotoNotStored as error:
            request.photos_not_stored = error
            return super().changeform_view(request, object_id, form_url, extra_context)


class KnownChoiceAutocomplete(AutocompleteSelect):
    """An autocomplete that labels the article already chosen without asking the database.

    Django's widget looks up each row's chosen article on its own: one query per
    related link. The inline has them all already (``select_related``). It asks
    ``RelatedSearchView`` for choices, which says each one's section, status and date.
    """

    known = None

    def get_url(self):
        return reverse("admin:articles_article_related_search")

    def optgroups(self, name, value, attr=None):
        if self.known is None or [str(v) for v in value if v] != [str(self.known.pk)]:
            return super().optgroups(name, value, attr)
        option = self.create_option(name, self.known.pk, str(self.known), True, 0)
        return [(None, [option], 0)]


class RelatedLinkForm(forms.ModelForm):
    class Meta:
        model = RelatedLink
        fields = ["position", "target"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["target"].widget
        inner = getattr(widget, "widget", widget)
        if self.instance.target_id and isinstance(inner, KnownChoiceAutocomplete):
            inner.known = self.instance.target


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    form = RelatedLinkForm
    fk_name = "article"
    fields = ["position", "target"]
    autocomplete_fields = ["target"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", "target")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target":
            kwargs["widget"] = KnownChoiceAutocomplete(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CorrectionInline(admin.TabularInline):
    """Dated corrections and updates of a published story, shown at its end."""

    model = Correction
    fields = ["kind", "text", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


def choice_label(article):
    """How the related picker shows an article: headline, section, status and date."""
    when = article.published_at
    return " · ".join(
        [
            article.title,
            article.category.name if article.category_id else pgettext("picker", "No section"),
            pgettext("picker", "Scheduled")
            if article.status == Article.Status.PUBLISHED and when and when > timezone.now()
            else article.get_status_display(),
            date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT")
            if when
            else pgettext("picker", "no date"),
        ]
    )


class RelatedSearchView(AutocompleteJsonView):
    """The related picker's choices: every article an editor may see, found by the admin's
    search (any status, best match first, the last word as its start), labelled by
    ``choice_label``."""

    def get_queryset(self):
        self.request.search_as_typed = True
        return super().get_queryset().select_related("category")

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": choice_label(obj)}


def article_id_or_404(object_id):
    """The article id a staff URL names; anything that is not one is a 404, never a 500."""
    try:
        return Article._meta.pk.to_python(unquote(object_id))
    except ValidationError:
        raise Http404 from None


def shown_version_name(pk):
    """The name under which a row of the list posts the version it showed."""
    return f"shown_version_{pk}"


def _period(moment, kind):
    """The naive start of the year, month or day holding ``moment``, and of the next one
    (or the last moment a datetime holds, for the last period it holds)."""
    start = datetime(
        moment.year, 1 if kind == "year" else moment.month, moment.day if kind == "day" else 1
    )
    try:
        if kind == "year":
            return start, start.replace(year=start.year + 1)
        if kind == "month":
            return start, (start + timedelta(days=32)).replace(day=1)
        return start, start + timedelta(days=1)
    except (OverflowError, ValueError):
        return start, datetime.max


class ListQuerySet(ArticleQuerySet):
    """The articles of the admin list, whose date hierarchy steps along an index.

    Django finds the years (months, days) to offer by truncating the date of every
    article: a third of a second at 100,000 articles on SQLite. Here each period is one
    short walk of the ``article_newest`` index (the first date, then the first date
    after that period), so the cost follows the number of periods shown.
    """

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        if kind not in ("year", "month", "day") or not settings.USE_TZ:
            return super().datetimes(field_name, kind, order, tzinfo)
        tzinfo = tzinfo or timezone.get_current_timezone()
        found = []
        first = self.aggregate(first=Min(field_name))["first"]
        while first is not None:
            start, end = (
                timezone.make_aware(edge, tzinfo)
                for edge in _period(timezone.localtime(first, tzinfo), kind)
            )
            found.append(start)
            later = self.filter(**{f"{field_name}__gte": end})
            first = later.aggregate(first=Min(field_name))["first"]
        return found if order == "ASC" else found[::-1]


def _aware(naive):
    """``naive`` in the site's time, or else the first or last moment UTC holds, where
    the site's time is out of its range (the first hours of year 1)."""
    moment = timezone.make_aware(naive)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return (datetime.min if naive.year == 1 else datetime.max).replace(tzinfo=UTC)
    return moment


class ListChangeList(ChangeList):
    """The admin list, which answers every date typed in its URL without an error page.

    The date hierarchy's period is that of ``_period``, up to the last day a date holds;
    a date the database cannot be asked about is refused as Django refuses any bad
    filter: back to the whole list.
    """

    def get_filters_params(self, params=None):
        lookups = super().get_filters_params(params)
        field = self.date_hierarchy
        year = lookups.pop(f"{field}__year", None) if field else None
        if year is None:
            return lookups
        month = lookups.pop(f"{field}__month", None)
        day = lookups.pop(f"{field}__day", None)
        try:
            moment = datetime(
                int(year[-1]), int(month[-1]) if month else 1, int(day[-1]) if day else 1
            )
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error
        start, end = _period(moment, "day" if day else "month" if month else "year")
        return {**lookups, f"{field}__gte": [_aware(start)], f"{field}__lt": [_aware(end)]}

    def get_results(self, request):
        try:
            super().get_results(request)
        except OverflowError as error:  # a time UTC cannot hold, as SQLite is asked in UTC
            raise IncorrectLookupParameters(error) from error


def hanoi_time(moment):
    """``moment`` as the desk reads times: dd/mm/yyyy HH:MM, Hanoi time."""
    return format_date(timezone.localtime(moment), "d/m/Y H:i") if moment else ""


def is_scheduled(article, now=None):
    """Published, but for a time still to come: readers see it from ``published_at``."""
    return (
        article.status == Article.Status.PUBLISHED
        and article.published_at is not None
        and article.published_at > (now or timezone.now())
    )


class ScheduleFilter(admin.SimpleListFilter):
    """Scheduled stories (published for a time to come) apart from those readers see."""

    title = gettext_lazy("Publication")
    parameter_name = "schedule"

    def lookups(self, request, model_admin):
        return [("scheduled", _("Scheduled")), ("visible", _("Visible to readers"))]

    def queryset(self, request, queryset):
        if self.value() == "scheduled":
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        if self.value() == "visible":
            return queryset.published()
        return queryset


@admin.register(Article)
class ArticleAdmin(AutosaveAdmin, ContentEditor, VersionAdmin):
    form = ArticleForm
    fieldsets = [
        (None, {"fields": ["title", "slug", "sapo", "category", "byline", "opened_version"]}),
        (gettext_lazy("Authors and topics"), {"fields": ["authors", "topics"]}),
        (gettext_lazy("Publication"), {"fields": ["status", "published_at", "is_pick"]}),
        (gettext_lazy("Breaking news"), {"fields": ["breaking_until"]}),
    ]
    autocomplete_fields = ["authors", "topics"]
    prepopulated_fields = {"slug": ["title"]}
    # The body's kinds of block, edited as one stream by django-content-editor.
    inlines = [
        RichTextInline,
        FigureInline,
        QuoteInline,
        EmbedInline,
        StoryCardInline,
        RelatedLinkInline,
        CorrectionInline,
    ]
    # The headline is the main column; the rest are short (articles/static/articles/admin-desk.css).
    list_display = ["title", "status_shown", "category", "byline", "published_shown"]
    list_filter = ["status", ScheduleFilter, "category", "is_pick"]
    list_select_related = ["category"]
    date_hierarchy = "published_at"
    search_fields = ["title"]  # answered by Article.objects.search, see get_search_results
    show_full_result_count = False
    list_per_page = 50
    actions = ["publish", "unpublish"]
    object_history_template = "admin/articles/article/object_history.html"
    history_latest_first = True
    change_list_template = "admin/articles/article/change_list.html"

    change_form_template = "admin/articles/article/change_form.html"

    def reversion_register(self, model, **kwargs):
        # A story's versions keep each figure's photo as readers saw it then.
        if model is Figure:
            kwargs["format"] = figure_versions.FORMAT
        super().reversion_register(model, **kwargs)

    @property
    def media(self):
        # Listed after admin/js/urlify.js, so that the Vietnamese rule replaces URLify.
        return super().media + forms.Media(
            js=[
                "admin/js/urlify.js",
                "articles/js/slug.js",
                "articles/js/admin-slug.js",
                "articles/js/block-order.js",
            ],
            css={"all": ["articles/css/block-order.css"]},
        )

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_shown(self, article):
        if is_scheduled(article):
            return format_html(
                '<span class="status status-scheduled">{}<br><time datetime="{}">{}</time></span>',
                _("Scheduled"),
                article.published_at.isoformat(),
                hanoi_time(article.published_at),
            )
        return format_html(
            '<span class="status status-{}">{}</span>', article.status, article.get_status_display()
        )

    @admin.display(description=gettext_lazy("publication time"), ordering="published_at")
    def published_shown(self, article):
        return hanoi_time(article.published_at) or "—"

    def view_on_site(self, article):
        # Only a story readers can see now has a page on the site; the rest have "Xem trước".
        return article.get_absolute_url() if article.is_visible else None

    # Who may do what ----------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        published = obj is not None and obj.status == Article.Status.PUBLISHED
        if published and not can_publish(request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def has_recover_permission(self, request):
        """Undeleting is an editor's act: what comes back may be a published article."""
        return can_publish(request.user) and self.has_add_permission(request)

    def get_readonly_fields(self, request, obj=None):
        if can_publish(request.user):
            return []
        return ["published_at", "is_pick", "breaking_until"]

    def get_inlines(self, request, obj):
        # Corrections and updates are notes on a published story.
        published = obj is not None and obj.status == Article.Status.PUBLISHED
        return [i for i in self.inlines if published or i is not CorrectionInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class UserArticleForm(form):
            def __init__(self, *args, **kw):
                stored = getattr(request, "stored_article", None)
                super().__init__(*args, user=request.user, stored=stored, **kw)
                status = self.fields.get("status")
                if status is not None and self.instance.status != Article.Status.RETURNED:
                    # A story is returned with a note ("Trả lại"), never by picking a status.
                    status.choices = [c for c in status.choices if c[0] != Article.Status.RETURNED]

        return UserArticleForm

    # Saving -------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif form.stored_version is not None:
            # Article.save() adds one to this: the version read under the row lock.
            obj.version = form.stored_version
        if (floor := getattr(request, "restore_floor", None)) is not None:
            # A restore writes an old version number back; it counts on from the highest.
            obj.version = max(obj.version, floor)
        obj.updated_by = request.user
        stored = getattr(request, "stored_article", None)
        if stored is not None:
            old_status = stored.status
        elif change:
            old_status = Article.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        else:
            old_status = ""
        super().save_model(request, obj, form, change)
        notes.record_status(obj, old_status, obj.status, request.user)
        if is_scheduled(obj):
            self.message_user(
                request,
                _("Scheduled: readers will see “%(title)s” from %(when)s (Hanoi time).")
                % {"title": obj.title, "when": hanoi_time(obj.published_at)},
                messages.INFO,
            )
        if taken := getattr(obj, "slug_taken", None):
            message = _(
                "The slug “%(taken)s” was taken by another article meanwhile: "
                "this one was saved with “%(slug)s”."
            )
            self.message_user(
                request, message % {"taken": taken, "slug": obj.slug}, messages.WARNING
            )

    def render_change_form(self, request, context, **kwargs):
        response = super().render_change_form(request, context, **kwargs)
        # The editors' scripts include an import map, an inline script: it carries the
        # nonce the Content-Security-Policy allows for this response.
        media = response.context_data["media"]
        response.context_data["media"] = Media.from_media(media, nonce=csp_nonce(request))
        return response

    def save_related(self, request, form, formsets, change):
        # The body is renumbered and folded for search once, not once per block saved.
        with signals.refolds_suspended():
            super().save_related(request, form, formsets, change)
        form.instance.renumber_body()
        form.instance.refresh_search_text()

    # The list -----------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return ListQuerySet(self.model, query=queryset.query, using=queryset.db)

    def get_changelist(self, request, **kwargs):
        return ListChangeList

    def get_search_results(self, request, queryset, search_term):
        """Every article of the list, whatever its status, ranked as readers' search
        ranks (articles/search.py); the picker matches its last word as typed so far."""
        if not search_term.strip():
            return queryset, False
        typing = getattr(request, "search_as_typed", False) or (
            request.resolver_match and request.resolver_match.url_name == "autocomplete"
        )
        found = queryset.search(search_term, prefix=bool(typing))
        if ORDER_VAR in request.GET:  # a column the editor chose to sort by
            found = found.order_by(*queryset.query.order_by)
        # Finding articles by their words is the costly part: the date hierarchy reads
        # what was found once, the usual way, rather than once per period of its walk.
        return ArticleQuerySet(self.model, query=found.query, using=found.db), False

    def changelist_view(self, request, extra_context=None):
        # Only the rows counted are read, from the (status, published_at) index.
        waiting = Article.objects.filter(status__in=[Article.Status.DRAFT, Article.Status.REVIEW])
        counts = waiting.aggregate(
            drafts=Count("pk", filter=Q(status=Article.Status.DRAFT)),
            in_review=Count("pk", filter=Q(status=Article.Status.REVIEW)),
        )
        context = {**counts, "may_recover": self.has_recover_permission(request)}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    @admin.action(
        description=gettext_lazy("Publish the selected articles"), permissions=["publish"]
    )
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED, _("Published"))

    @admin.action(
        description=gettext_lazy("Unpublish the selected articles"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        if request.POST.get("confirmed") != "yes":
            return self._confirm_unpublish(request, queryset)
        self._set_status(request, queryset, Article.Status.DRAFT, _("Unpublished"))

    def _confirm_unpublish(self, request, queryset):
        """A page that lists what would be taken down, as Django's delete action does.

        Its form posts the action again with what the list posted, the versions its
        rows showed included: an article saved in between is still left alone.
        """
        going = list(queryset.exclude(status=Article.Status.DRAFT).defer("search_text"))
        if not going:
            return self._set_status(request, queryset, Article.Status.DRAFT, _("Unpublished"))
        carried = [
            (name, value)
            for name, values in request.POST.lists()
            if name in ("_selected_action", "select_across") or name.startswith("shown_version_")
            for value in values
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Unpublish articles"),
            "articles": going,
            "carried": carried,
        }
        return TemplateResponse(
            request, "admin/articles/article/unpublish_confirmation.html", context
        )

    def action_checkbox(self, obj):
        # Each row carries the version it shows, so that an action never applies to a
        # text the editor did not see (see ``_set_status``).
        return super().action_checkbox(obj) + format_html(
            '<input type="hidden" name="{}" value="{}">', shown_version_name(obj.pk), obj.version
        )

    def _set_status(self, request, queryset, status, verb):
        changed, moved = 0, []
        for pk in queryset.exclude(status=status).values_list("pk", flat=True):
            with transaction.atomic():
                # Read under a lock, so an edit saved meanwhile is neither lost nor overwritten.
                article = Article.objects.select_for_update().filter(pk=pk).first()
                if article is None:
                    continue  # deleted meanwhile
                if not self._as_shown(request, article):
                    moved.append(article)
                    continue
                with create_revision():
                    set_user(request.user)
                    set_comment(verb)
                    notes.record_status(article, article.status, status, request.user)
                    article.status = status
                    if status == Article.Status.PUBLISHED and not article.published_at:
                        article.published_at = timezone.now()
                    article.updated_by = request.user
                    article.save()
                    self.log_change(request, article, verb)
            changed += 1
        if changed or not moved:
            self.message_user(
                request,
                _("%(verb)s: %(count)d article(s).") % {"verb": verb, "count": changed},
                messages.SUCCESS,
            )
        if moved:
            self.message_user(
                request,
                _(
                    "Left as they were, because someone saved them after the list was "
                    "shown: %(titles)s. Reload the list, check them, and try again."
                )
                % {"titles": ", ".join(f"“{article.title}”" for article in moved)},
                messages.WARNING,
            )

    @staticmethod
    def _as_shown(request, article):
        """Whether ``article`` is still the version its row showed when it was ticked.

        A row must carry its version; only "select all" reaches rows the page never
        showed, and those are taken as they are.
        """
        shown = request.POST.get(shown_version_name(article.pk))
        if shown is None:
            return request.POST.get("select_across") == "1"
        return shown == str(article.version)

    # Preview and history ------------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "related-search/",
                self.admin_site.admin_view(RelatedSearchView.as_view(admin_site=self.admin_site)),
                name="articles_article_related_search",
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="articles_article_preview",
            ),
            path(
                "<path:object_id>/notes/",
                self.admin_site.admin_view(self.notes_view),
                name="articles_article_notes",
            ),
            path(
                "<path:object_id>/preview-links/",
                self.admin_site.admin_view(self.preview_link_create_view),
                name="articles_article_previewlinks",
            ),
            path(
                "<path:object_id>/preview-links/<int:link_id>/revoke/",
                self.admin_site.admin_view(self.preview_link_revoke_view),
                name="articles_article_previewlink_revoke",
            ),
            path(
                "<path:object_id>/presence/",
                self.admin_site.admin_view(self.presence_view),
                name="articles_article_presence",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/changes/",
                self.admin_site.admin_view(self.changes_view),
                name="articles_article_changes",
            ),
        ]
        return own + super().get_urls()

    def may_preview(self, request, article):
        return can_publish(request.user) or (
            article.created_by_id == request.user.pk and self.has_view_permission(request, article)
        )

    def preview_view(self, request, object_id):
        article = get_object_or_404(Article.objects.for_reading(), pk=article_id_or_404(object_id))
        if not self.may_preview(request, article):
            raise PermissionDenied
        response = render_article(request, article, preview=True)
        # A preview is for this person only: no shared cache, no search engine.
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def history_view(self, request, object_id, extra_context=None):
        # django-reversion looks the id up as text before Django checks it is an id.
        return super().history_view(request, str(article_id_or_404(object_id)), extra_context)

    # Restoring and recovering ---------------------------------------------------
    #
    # django-reversion writes the old version over the stored article (or brings a
    # deleted one back) before the usual form is built. Who may act, and whether the
    # form is stale, are decided here first: on the article as stored, under its lock.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        pk = article_id_or_404(object_id)
        get_object_or_404(history.versions_of_articles(), pk=version_id, object_id=str(pk))
        with transaction.atomic(), signals.refolds_suspended():
            stored = (
                Article.objects.select_for_update(of=("self",))
                .select_related("updated_by")
                .filter(pk=pk)
                .first()
            )
            if stored is None:
                raise Http404  # a deleted article comes back through "recover", for editors
            # A reporter may not turn a published article back into an old draft.
            if not self.has_change_permission(request, stored):
                raise PermissionDenied
            request.stored_article = stored
            if request.method == "POST":
                request.restore_floor = max(stored.version, history.highest_version(pk))
            else:
                # Before anything is restored: what the restore would change, from the
                # article's latest saved version to the one chosen.
                extra_context = {
                    **(extra_context or {}),
                    "restore_diff": history.diff(
                        history.latest_version(pk),
                        history.versions_of_articles().get(pk=version_id),
                    ),
                }
            return super().revision_view(request, str(pk), version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        version = get_object_or_404(history.versions_of_articles(), pk=version_id)
        with transaction.atomic(), signals.refolds_suspended():
            existing = Article.objects.select_for_update().filter(pk=version.object_id).first()
            if existing is not None:
                self.message_user(
                    request,
                    _(
                        "“%(title)s” was not deleted, so there is nothing to recover. To "
                        "bring back an older text, restore one of its versions here."
                    )
                    % {"title": existing.title},
                    messages.ERROR,
                )
                return redirect("admin:articles_article_history", existing.pk)
            slug = version.field_dict.get("slug")
            holder = Article.objects.filter(slug=slug).first() if slug else None
            if holder is not None:
                self.message_user(
                    request,
                    _(
                        "“%(title)s” cannot come back: its address “%(slug)s” now belongs to "
                        "“%(other)s”. Give that article another slug first, then recover this one."
                    )
                    % {"title": version.object_repr, "slug": slug, "other": holder.title},
                    messages.ERROR,
                )
                return redirect("admin:articles_article_recoverlist")
            if request.method == "POST":
                request.restore_floor = history.highest_version(version.object_id)
            return super().recover_view(request, version.pk, extra_context)

    def changes_view(self, request, object_id, version_id):
        article = get_object_or_404(Article, pk=article_id_or_404(object_id))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        version = get_object_or_404(
            Version.objects.get_for_object(article).select_related("revision__user"),
            pk=version_id,
        )
        before = history.previous_version(version)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "version": version,
            "previous": before,
            "diff": history.diff(before, version),
            "title": _("What changed"),
        }
        return TemplateResponse(request, "admin/articles/article/changes.html", context)

    # The desk on the change page: notes, returns, preview links, presence --------

    def may_return(self, request, article):
        return can_publish(request.user) and article.status in notes.RETURNABLE

    def may_revoke(self, request, link):
        return can_publish(request.user) or link.created_by_id == request.user.pk

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = Article.objects.filter(pk=article_id_or_404(object_id)).first()
        if article is not None and self.has_view_or_change_permission(request, article):
            if request.method == "GET":
                desk.here(article, request.user)
                notes.mark_read(article, request.user)
            extra_context = {**self._desk_context(request, article), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def _desk_context(self, request, article):
        links = []
        if self.may_preview(request, article):
            now = timezone.now()
            links = [
                (link, previews.url(link), self.may_revoke(request, link))
                for link in article.preview_links.filter(
                    revoked_at__isnull=True, expires_at__gt=now
                )
            ]
        return {
            "desk_thread": notes.thread(article),
            "desk_presence": desk.presence_text(
                [
                    {"name": desk.display_name(p.user), "since": hanoi_time(p.since)}
                    for p in desk.others_here(article, request.user)
                ]
            ),
            "desk_beat_seconds": settings.PRESENCE_BEAT_SECONDS,
            "desk_may_return": self.may_return(request, article),
            "desk_may_share": self.may_preview(request, article),
            "desk_preview_links": links,
            "desk_scheduled_at": hanoi_time(article.published_at) if is_scheduled(article) else "",
        }

    def _article_for_desk(self, request, object_id):
        article = get_object_or_404(Article, pk=article_id_or_404(object_id))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def notes_view(self, request, object_id):
        """A note on the story (posted from its change page); an editor's "return" sends
        the story back to its reporter with it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for_desk(request, object_id)
        text = request.POST.get("text", "").strip()
        back = redirect(f"{reverse_change(article)}#desk-notes")
        if not text:
            self.message_user(request, _("Write the note first: it was empty."), messages.ERROR)
            return back
        if "_return" in request.POST:
            if not self.may_return(request, article):
                raise PermissionDenied
            try:
                notes.return_to_reporter(article.pk, request.user, text)
            except notes.NotReturnable:
                self.message_user(
                    request,
                    _("“%(title)s” can no longer be returned: its status changed meanwhile.")
                    % {"title": article.title},
                    messages.ERROR,
                )
                return back
            self.log_change(request, article, _("Returned to the reporter"))
            self.message_user(
                request,
                _("“%(title)s” was returned to its reporter with your note.")
                % {"title": article.title},
                messages.SUCCESS,
            )
            return redirect("admin:articles_article_changelist")
        recipient = article.created_by if article.created_by_id != request.user.pk else None
        notes.add_note(article, request.user, text, recipient=recipient)
        self.message_user(request, _("Your note was added."), messages.SUCCESS)
        return back

    def preview_link_create_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for_desk(request, object_id)
        if not self.may_preview(request, article):
            raise PermissionDenied
        link = previews.create(article, request.user)
        self.message_user(
            request,
            _("A preview link was made; it works until %(when)s (Hanoi time) unless revoked.")
            % {"when": hanoi_time(link.expires_at)},
            messages.SUCCESS,
        )
        return redirect(f"{reverse_change(article)}#desk-previews")

    def preview_link_revoke_view(self, request, object_id, link_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for_desk(request, object_id)
        link = get_object_or_404(PreviewLink, pk=link_id, article=article)
        if not self.may_revoke(request, link):
            raise PermissionDenied
        previews.revoke(link, request.user)
        self.message_user(request, _("The preview link was revoked."), messages.SUCCESS)
        return redirect(f"{reverse_change(article)}#desk-previews")

    def presence_view(self, request, object_id):
        """The change page's heartbeat: records who has it open, answers who else does."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for_desk(request, object_id)
        if request.POST.get("leave"):
            desk.gone(article, request.user)
            return JsonResponse({"others": []})
        desk.here(article, request.user)
        others = [
            {"name": desk.display_name(p.user), "since": hanoi_time(p.since)}
            for p in desk.others_here(article, request.user)
        ]
        response = JsonResponse({"others": others, "text": desk.presence_text(others)})
        response["Cache-Control"] = "private, no-store"
        return response


def reverse_change(article):
    return reverse("admin:articles_article_change", args=[article.pk])


# The front page, topics and authors: their admin is in its own module.
from . import front_page_admin  # noqa: E402,F401
from .api import admin as api_admin  # noqa: E402,F401
