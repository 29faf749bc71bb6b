"""The API's endpoints: thin over the models, the shared lists, search and most read.

Every story comes through ``Article.objects.published()`` (a story's own endpoint through
``is_visible``, as its page); every answer carries the site's version as ``Last-Modified``
and an ``ETag``, answers 304 to a client that has it, and is kept by the page cache
(``views.public``), as readers' pages are.
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.decorators import decorate_view
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer

from .. import feeds, lists, most_read, renditions, views
from ..cache import pages, version
from ..embeds import recognise
from ..models import Article, Author, Category, Correction, Figure, Topic
from ..models.articles import PUBLICATION_YEARS
from ..search import words_key
from ..search_form import SearchForm
from . import cursors, schemas

PAGE_SIZE = 20
QUERY_PARAMETERS = frozenset(
    {"section", "topic", "author", "since", "until", "updated_since"}
    | {"cursor", "limit", "q", "sort"}
)
"""Every query parameter an endpoint reads: the page cache keeps an answer per their values,
and ignores any other (``cache.pages``)."""
SLUG = r"^[-a-zA-Z0-9_]{1,200}$"
"""What a slug may be (Django's slugs, as long as ours): anything else is a 400."""
LARGEST_PAGE = 50


class UnicodeJSON(JSONRenderer):
    """JSON in UTF-8 as written (Vietnamese letters, not ``\\u`` escapes)."""

    json_dumps_params = {"ensure_ascii": False}


PARTNER_KEY = {
    "type": "apiKey",
    "in": "header",
    "name": "X-API-Key",
    "description": "A partner's key, made by the newsroom's editors: higher limits.",
}


class NewsroomAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """The document, with the partners' key as an optional way in."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["components"].setdefault("securitySchemes", {})["partnerKey"] = PARTNER_KEY
        # A key is optional: without one, a client has the anonymous limits.
        schema["security"] = [{}, {"partnerKey": []}]
        return schema


api = NewsroomAPI(
    title="Newsroom API",
    version="1.0",
    description=(
        "Read-only access to what readers of the site can see: stories, sections, "
        "topics, authors, search and most read. Anonymous clients are limited per "
        "minute; partners send their key in the `X-API-Key` header for higher limits. "
        "Times are Hanoi time (+07:00); text is UTF-8 in NFC."
    ),
    renderer=UnicodeJSON(),
    urls_namespace="api",
)

ERRORS = {
    400: schemas.Error,
    401: schemas.Error,
    404: schemas.Error,
    429: schemas.Error,
}
UNCHANGED = {304: None}


def answers(schema):
    return {200: schema, **UNCHANGED, **ERRORS}


public = decorate_view(views.public)


@api.exception_handler(ValidationError)
def invalid_parameters(request, error):
    names = sorted({str(e["loc"][-1]) for e in error.errors if e.get("loc")})
    return api.create_response(
        request,
        {"detail": _("Invalid parameters: %(names)s.") % {"names": ", ".join(names)}},
        status=400,
    )


@api.exception_handler(cursors.BadCursor)
def bad_cursor(request, error):
    return api.create_response(request, {"detail": _("This cursor is not valid.")}, status=400)


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


# Shapes ----------------------------------------------------------------------------------


def hanoi(moment):
    return timezone.localtime(moment) if moment else None


def absolute(request, url):
    return request.build_absolute_uri(url)


def section_ref(request, section):
    if section is None:
        return None
    return {
        "id": section.pk,
        "slug": section.slug,
        "name": section.name,
        "url": absolute(request, section.get_absolute_url()),
    }


def person_ref(request, person):
    return {
        "id": person.pk,
        "slug": person.slug,
        "name": person.name,
        "url": absolute(request, person.get_absolute_url()),
    }


def photo(request, figure):
    """A figure's photo with its renditions and crops, or None for a caption alone."""
    if figure is None or not figure.photo_id or not figure.image:
        return None
    return {
        "url": absolute(request, figure.image.url),
        "width": figure.image_width,
        "height": figure.image_height,
        "alt_text": figure.alt_text,
        "credit": figure.credit,
        "renditions": [
            {"width": width, "url": absolute(request, renditions.rendition_url(figure, width))}
            for width in renditions.widths_for(figure)
        ],
        **{f"crop_{crop}": crop_address(request, figure, crop) for crop in renditions.CROPS},
    }


def crop_address(request, figure, crop):
    url = renditions.crop_url(figure, crop)
    return absolute(request, url) if url else None


def story_link(request, article):
    return {
        "id": article.pk,
        "headline": article.title,
        "url": absolute(request, article.get_absolute_url()),
        "api_url": absolute(request, reverse("api:story", args=[article.pk])),
        "published_at": hanoi(article.published_at),
    }


def story_summary(request, article, authors=None, topics=None):
    authors = list(article.authors.all()) if authors is None else authors
    topics = list(article.topics.all()) if topics is None else topics
    return {
        **story_link(request, article),
        "slug": article.slug,
        "sapo": article.sapo,
        "time_is_known": article.time_is_known,
        "updated_at": hanoi(article.updated_at),
        "section": section_ref(request, article.category if article.category_id else None),
        "byline": ", ".join(a.name for a in authors) or article.byline,
        "authors": [person_ref(request, a) for a in authors],
        "topics": [person_ref(request, t) for t in topics],
        "photo": photo(request, getattr(article, "first_photo", None)),
    }


def with_people(articles):
    """``articles`` with their authors and topics read, and their first photos."""
    return Figure.objects.with_first_photos(
        articles.listing().prefetch_related("authors", "topics")
    )


def summaries(request, pks):
    """The visible stories of ``pks``, in that order: four queries, then kept until the site
    next changes (as the pages' lists are, ``version.shared``), per host, as their addresses
    are absolute."""

    def compute():
        found = {a.pk: a for a in with_people(Article.objects.published().filter(pk__in=pks))}
        return [story_summary(request, found[pk]) for pk in pks if pk in found]

    if not pks:
        return []
    listed = hashlib.sha256(f"{request.get_host()} {pks}".encode()).hexdigest()
    return version.shared(f"api-summaries-{listed}", compute)


def block(request, item):
    match item.kind:
        case "text":
            return {"type": "text", "html": item.shown_html}
        case "figure":
            return {"type": "photo", "caption": item.caption, "photo": photo(request, item)}
        case "quote":
            return {"type": "quote", "text": item.text, "attribution": item.attribution}
        case "embed":
            embedded = recognise(item.url)
            provider = embedded.provider if embedded else None
            return {"type": "embed", "url": item.url, "provider": provider}
        case "card" if item.shown is not None:
            return {"type": "story", "story": story_link(request, item.shown)}
    return None  # a card of a story readers cannot see


def next_address(request, cursor):
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return absolute(request, f"{request.path}?{query.urlencode()}")


def bounded(limit):
    return min(max(limit, 1), LARGEST_PAGE)


def within_years(moment):
    """``moment`` if a publication time could be then, else None (no bound)."""
    if moment is None or moment.year not in PUBLICATION_YEARS:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# Endpoints -------------------------------------------------------------------------------


@api.get(
    "/stories",
    response=answers(schemas.StoryPage),
    url_name="stories",
    summary="Stories, newest first",
    tags=["stories"],
)
@public
def stories(
    request,
    section: str | None = Query(
        None, description="A section's slug.", example="van-hoa", pattern=SLUG
    ),
    topic: str | None = Query(
        None, description="A topic's slug.", example="giao-thong", pattern=SLUG
    ),
    author: str | None = Query(
        None, description="An author's slug.", example="minh-anh", pattern=SLUG
    ),
    since: str | None = Query(
        None, description="Published on or after this day (Hanoi).", example="2024-01-01"
    ),
    until: str | None = Query(
        None, description="Published on or before this day (Hanoi).", example="2024-01-31"
    ),
    updated_since: datetime | None = Query(
        None,
        description="Changed at or after this time (ISO 8601; Hanoi time if no offset).",
        example="2024-01-18T08:30:00+07:00",
    ),
    cursor: str | None = Query(None, description="From a previous page's `next`."),
    limit: int = Query(PAGE_SIZE, description="Stories per page, 1 to 50.", ge=1, le=50),
):
    articles = Article.objects.published().latest_first()
    # An unknown slug is a 404, not an empty list (which the page cache would keep).
    if section:
        articles = articles.filter(category=get_object_or_404(Category, slug=section))
    if topic:
        articles = articles.filter(topics=get_object_or_404(Topic, slug=topic))
    if author:
        articles = articles.filter(authors=get_object_or_404(Author, slug=author))
    if since or until:
        form = SearchForm({"date": "range", "start": since or "", "end": until or ""})
        if not form.is_valid():
            raise ValidationError(
                [{"loc": ("query", name)} for name in form.errors if name != "__all__"]
                or [{"loc": ("query", "since")}, {"loc": ("query", "until")}]
            )
        start, end = form.period()
        if start:
            articles = articles.filter(published_at__gte=start)
        if end:
            articles = articles.filter(published_at__lt=end)
    if (changed := within_years(updated_since)) is not None:
        articles = articles.filter(updated_at__gte=changed)
    if cursor:
        articles = articles.filter(cursors.story_filter(cursor))
    page = list(articles.only("pk", "published_at")[: bounded(limit) + 1])
    more = len(page) > bounded(limit)
    page = page[: bounded(limit)]
    return {
        "items": summaries(request, [article.pk for article in page]),
        "next": next_address(request, cursors.after(page[-1]) if more else None),
    }


@api.get(
    "/stories/{story_id}",
    response=answers(schemas.Story),
    url_name="story",
    summary="A story: its body as blocks and as HTML, photos, related stories, corrections",
    tags=["stories"],
)
@public
def story(request, story_id: int):
    article = Article.objects.for_page(story_id)
    if article is None or not article.is_visible:
        raise Http404
    version.of_request(request)
    authors, topics = lists.authors_and_topics(article)
    body = article.body()
    return {
        **story_summary(request, article, authors, topics),
        "photo": photo(request, next((b for b in body if b.kind == "figure"), None)),
        "body": [b for item in body if (b := block(request, item)) is not None],
        "body_html": feeds.body_html(article, request.build_absolute_uri),
        "related": [story_link(request, a) for a in lists.related(article, views.RELATED_SHOWN)],
        "corrections": [
            {"kind": c.kind, "text": c.text, "created_at": hanoi(c.created_at)}
            for c in Correction.objects.filter(article=article)
        ],
    }


@api.get(
    "/sections",
    response=answers(list[schemas.Section]),
    url_name="sections",
    summary="Sections, in the site's order",
    tags=["sections"],
)
@public
def sections(request):
    return [
        {
            **section_ref(request, s),
            "description": s.description,
            "position": s.position,
        }
        for s in lists.sections()
    ]


@api.get(
    "/topics",
    response=answers(list[schemas.PersonRef]),
    url_name="topics",
    summary="Topics, by name",
    tags=["topics"],
)
@public
def topics(request):
    return [person_ref(request, t) for t in Topic.objects.all()]


@api.get(
    "/authors",
    response=answers(list[schemas.Author]),
    url_name="authors",
    summary="Authors, by name",
    tags=["authors"],
)
@public
def authors(request):
    return [
        {**person_ref(request, a), "role": a.role, "bio": a.bio}
        for a in Author.objects.defer("photo")
    ]


@api.get(
    "/search",
    response=answers(schemas.SearchPage),
    url_name="search",
    summary="Search, ranked as the site's search",
    tags=["search"],
)
@public
def search(
    request,
    q: str = Query(..., description="Words to find, accents optional.", example="Tây Hồ"),
    section: str | None = Query(None, description="A section's slug.", pattern=SLUG),
    sort: str | None = Query(None, description="`date` for newest first.", pattern="^(date)?$"),
    cursor: str | None = Query(None, description="From a previous page's `next`."),
    limit: int = Query(PAGE_SIZE, description="Stories per page, 1 to 50.", ge=1, le=50),
):
    form = SearchForm({"q": q, "section": section or "", "sort": sort or ""})
    if not form.is_valid():
        raise ValidationError([{"loc": ("query", name)} for name in form.errors])
    query = form.cleaned_data["q"].strip()
    ids, _capped = (
        version.shared(words_key(query, *form.key()), lambda: views.ranked_matches(query, form))
        if query
        else ([], False)
    )
    start = cursors.offset(cursor)
    shown = ids[start : start + bounded(limit)]
    more = start + bounded(limit) < len(ids)
    return {
        "items": summaries(request, shown),
        "count": len(ids),
        "next": next_address(request, cursors.at(start + bounded(limit)) if more else None),
    }


@api.get(
    "/most-read",
    response=answers(schemas.MostRead),
    url_name="most-read",
    summary="The most read stories of the last 24 hours",
    tags=["most read"],
)
@public
def most_read_stories(request):
    found = most_read.top()
    if found is None:  # the cache does not answer: nothing is counted
        seconds, stories_found = settings.MOST_READ_REFRESH_SECONDS, []
    else:
        seconds, stories_found = found.seconds, found.stories
    # Kept by the page cache no longer than the list itself.
    setattr(request, pages.KEEP_AT_MOST, min(seconds, pages.kept_for(request)))
    return {"items": summaries(request, [a.pk for a in stories_found]), "refreshed_in": seconds}
