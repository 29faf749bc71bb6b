"""The admin of topics, authors and the front page the editors lay out.

The front page has two editions: the editors fill the draft's slots, preview it, and put
it live (the live edition becomes a copy of the draft); readers see only the live one.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import PhotoField
from .models import Author, FrontPage, Topic
from .models.front_page import SECONDARY_SLOTS, SECTION_SLOTS
from .views import render_home


class FoldedSearchAdmin(admin.ModelAdmin):
    """Searched by name with accents and case ignored: "ha noi" finds "Hà Nội". The slug,
    left empty, is made from the name by the project's Vietnamese rule on saving."""

    search_fields = ["name"]
    list_display = ["name", "slug"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.matching(search_term), False


@admin.register(Topic)
class TopicAdmin(FoldedSearchAdmin):
    fields = ["name", "slug"]


@admin.register(Author)
class AuthorAdmin(FoldedSearchAdmin):
    list_display = ["name", "role", "slug", "user"]
    fields = ["name", "slug", "role", "bio", "photo", "user"]
    autocomplete_fields = ["user"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "photo":
            kwargs["form_class"] = PhotoField
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(FrontPage)
class FrontPageAdmin(admin.ModelAdmin):
    """Only the draft is edited; the live edition changes by putting the draft live."""

    fieldsets = [
        (gettext_lazy("Lead story"), {"fields": ["lead"]}),
        (
            gettext_lazy("Secondary stories"),
            {"fields": [f"secondary_{n}" for n in range(1, SECONDARY_SLOTS + 1)]},
        ),
        *(
            (
                gettext_lazy("Section block %(number)s") % {"number": n},
                {"fields": [(f"section_{n}", f"section_{n}_story")]},
            )
            for n in range(1, SECTION_SLOTS + 1)
        ),
    ]
    autocomplete_fields = [
        "lead",
        *(f"secondary_{n}" for n in range(1, SECONDARY_SLOTS + 1)),
        *(f"section_{n}" for n in range(1, SECTION_SLOTS + 1)),
        *(f"section_{n}_story" for n in range(1, SECTION_SLOTS + 1)),
    ]
    change_form_template = "admin/articles/frontpage/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.edition != FrontPage.Edition.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(edition=FrontPage.Edition.DRAFT)

    def changelist_view(self, request, extra_context=None):
        # One page to lay out: the list is the draft itself.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        draft = FrontPage.edition_of(FrontPage.Edition.DRAFT)
        return redirect("admin:articles_frontpage_change", draft.pk)

    def get_urls(self):
        own = [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="articles_frontpage_preview",
            ),
        ]
        return own + super().get_urls()

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        live = FrontPage.edition_of(FrontPage.Edition.LIVE)
        draft = FrontPage.edition_of(FrontPage.Edition.DRAFT)
        extra = {
            "live": live,
            "draft_differs": any(
                getattr(draft, f"{name}_id") != getattr(live, f"{name}_id")
                for name in _slot_names()
            ),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra)

    def response_change(self, request, obj):
        if "_put_live" in request.POST:
            obj.copy_to(FrontPage.edition_of(FrontPage.Edition.LIVE))
            messages.success(request, _("The front page is live: readers see it as laid out."))
            return redirect(reverse("admin:articles_frontpage_change", args=[obj.pk]))
        if "_preview" in request.POST:
            return redirect("admin:articles_frontpage_preview")
        return super().response_change(request, obj)

    def preview_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        draft = FrontPage.edition_of(FrontPage.Edition.DRAFT)
        response = render_home(request, draft.layout(), preview=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        return response


def _slot_names():
    from .models.front_page import SLOT_FIELDS

    return SLOT_FIELDS
