"""Shareable preview links: a story shown as readers will see it, to someone without an
account (a source checking a quote, a lawyer), before it is published.

A link is a signed token (``django.core.signing``) naming a ``PreviewLink`` row; the row
says until when it works and whether an editor revoked it. A link that is tampered with,
expired or revoked is a plain 404 that says nothing of the story. The page is never kept
by any cache and never indexed.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .models import Article, PreviewLink

SALT = "articles.previews.link"


def create(article, user, now=None):
    """A new link to ``article``, working for ``PREVIEW_LINK_HOURS``."""
    now = now or timezone.now()
    return PreviewLink.objects.create(
        article=article,
        created_by=user,
        created_at=now,
        expires_at=now + timedelta(hours=settings.PREVIEW_LINK_HOURS),
    )


def revoke(link, user):
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), user
        link.save(update_fields=["revoked_at", "revoked_by"])


def token(link):
    """The link's signed token: always the same for one link (its expiry is in the row)."""
    return signing.Signer(salt=SALT).sign_object({"link": link.pk, "article": link.article_id})


def url(link):
    return reverse("shared-preview", args=[token(link)])


def active_link(value, now=None):
    """The link ``value`` names, if its signature holds and it still works; else None."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(value)
        pk, article_pk = int(data["link"]), int(data["article"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    link = PreviewLink.objects.filter(pk=pk, article_id=article_pk).first()
    return link if link is not None and link.is_active(now) else None


@require_safe
def shared_preview(request, token):
    from .views import render_article

    link = active_link(token)
    article = Article.objects.for_page(link.article_id) if link else None
    if article is None:
        raise Http404
    response = render_article(request, article, preview=True)
    # For the one person given the link: no shared cache keeps it, no search engine lists it.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
