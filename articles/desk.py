"""The desk: the admin's first page, with what each person needs this hour, and presence.

Each box is one query, however many stories it lists (``tests/test_desk.py`` counts).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Article, Note, Presence, StatusChange

BOX_SIZE = 20


def _last_change(new_status, field):
    """``field`` of the story's latest change to ``new_status``, for a subquery."""
    return Subquery(
        StatusChange.objects.filter(article=OuterRef("pk"), new_status=new_status)
        .order_by("-created_at", "-pk")
        .values(field)[:1]
    )


def _stories():
    return Article.objects.select_related("category").defer("search_text", "sapo")


def my_drafts(user):
    return list(
        _stories()
        .filter(created_by=user, status=Article.Status.DRAFT)
        .order_by("-updated_at")[:BOX_SIZE]
    )


def returned_to(user):
    """The user's stories returned by an editor, with the returning note and who wrote it,
    and how many notes to the user on the story are unread."""
    to_user = Note.objects.filter(article=OuterRef("pk"), recipient=user)
    unread = (
        to_user.filter(read_at__isnull=True)
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        _stories()
        .filter(created_by=user, status=Article.Status.RETURNED)
        .annotate(
            returned_at=_last_change(Article.Status.RETURNED, "created_at"),
            returned_by=_last_change(Article.Status.RETURNED, "author__username"),
            last_note=Subquery(to_user.order_by("-created_at", "-pk").values("text")[:1]),
            unread=Coalesce(Subquery(unread[:1]), 0),
        )
        .order_by("-returned_at")[:BOX_SIZE]
    )


def unread_notes(user):
    return list(
        Note.objects.filter(recipient=user, read_at__isnull=True)
        .select_related("article", "author")
        .defer("article__search_text", "article__sapo")
        .order_by("-created_at")[:BOX_SIZE]
    )


def waiting_for_review(now):
    """Stories in review, the longest waiting first, with the moment they were sent."""
    return list(
        _stories()
        .filter(status=Article.Status.REVIEW)
        .annotate(
            waiting_since=Coalesce(_last_change(Article.Status.REVIEW, "created_at"), "updated_at"),
            sent_by=_last_change(Article.Status.REVIEW, "author__username"),
        )
        .order_by("waiting_since", "pk")[:BOX_SIZE]
    )


def scheduled(now):
    return list(
        _stories()
        .filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at", "pk")[:BOX_SIZE]
    )


def published_today(now):
    """Stories that appeared to readers today (Hanoi time), newest first, with who published."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Article.objects.published(at=now)
        .filter(published_at__gte=start)
        .select_related("category")
        .defer("search_text", "sapo")
        .annotate(
            published_by=Coalesce(
                _last_change(Article.Status.PUBLISHED, "author__username"),
                F("updated_by__username"),
            )
        )
        .order_by("-published_at", "-pk")[:BOX_SIZE]
    )


def being_edited(now):
    return list(
        Presence.objects.filter(seen_at__gte=now - timedelta(seconds=settings.PRESENCE_SECONDS))
        .select_related("article", "user")
        .defer("article__search_text", "article__sapo")
        .order_by("-seen_at")[:BOX_SIZE]
    )


def boxes(user, now=None):
    """What the desk shows ``user``: one list per box, one query each."""
    now = now or timezone.now()
    return {
        "returned": returned_to(user),
        "unread_notes": unread_notes(user),
        "my_drafts": my_drafts(user),
        "waiting": waiting_for_review(now),
        "scheduled": scheduled(now),
        "published_today": published_today(now),
        "being_edited": being_edited(now),
        "now": now,
    }


# Presence -----------------------------------------------------------------------


def here(article, user, now=None):
    """Record that ``user`` has ``article`` open; a new visit after a silence starts anew."""
    now = now or timezone.now()
    fresh = now - timedelta(seconds=settings.PRESENCE_SECONDS)
    updated = Presence.objects.filter(article=article, user=user, seen_at__gte=fresh).update(
        seen_at=now
    )
    if not updated:
        Presence.objects.update_or_create(
            article=article, user=user, defaults={"since": now, "seen_at": now}
        )


def gone(article, user):
    Presence.objects.filter(article=article, user=user).delete()


def others_here(article, user, now=None):
    """Who else has ``article`` open now, longest first."""
    now = now or timezone.now()
    return list(
        Presence.objects.filter(
            article=article, seen_at__gte=now - timedelta(seconds=settings.PRESENCE_SECONDS)
        )
        .exclude(user=user)
        .select_related("user")
        .order_by("since")
    )


def display_name(user):
    return user.get_full_name() or user.get_username()


def presence_text(others):
    """The sentence the change page shows of ``others`` (dicts of name and since)."""
    if not others:
        return ""
    people = ", ".join(
        _("%(name)s (since %(since)s)") % {"name": o["name"], "since": o["since"]} for o in others
    )
    return _("Also open now by %(people)s. Save with care: the later save is refused.") % {
        "people": people
    }


# The admin site -------------------------------------------------------------------


class DeskSite(admin.AdminSite):
    """The newsroom's admin: its name from ``SITE_NAME``, the desk as its first page."""

    index_template = "admin/desk.html"
    # The pages' width goes to the article list; the desk and breadcrumbs lead everywhere.
    enable_nav_sidebar = False
    index_title = gettext_lazy("The desk")

    @property
    def site_header(self):
        return _("%(site)s — Newsroom") % {"site": settings.SITE_NAME}

    @property
    def site_title(self):
        return self.site_header

    def index(self, request, extra_context=None):
        return super().index(request, {**boxes(request.user), **(extra_context or {})})
