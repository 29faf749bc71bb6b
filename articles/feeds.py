"""RSS 2.0 feeds: the whole site and each section (django.contrib.syndication)."""

import mimetypes
import re
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed, rfc3339_date
from django.utils.html import escape
from django.utils.translation import gettext as _

from .models import Article, Author, Category, Topic

ITEMS = 30
MEDIA_RSS = "http://search.yahoo.com/mrss/"
CONTENT_MODULE = "http://purl.org/rss/1.0/modules/content/"


class NewsFeed(Rss201rev2Feed):
    """RSS 2.0 with each story's whole body as HTML in ``content:encoded``, and its photo
    as Media RSS ``<media:content>``: its address, type and size, known without asking the
    storage for the file's length (which an ``<enclosure>`` needs)."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:media": MEDIA_RSS,
            "xmlns:content": CONTENT_MODULE,
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("updateddate"):
            # When the story last changed (a correction, say): RSS has no element of its own.
            handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        if item.get("content_encoded"):
            handler.addQuickElement("content:encoded", item["content_encoded"])
        photo = item.get("photo")
        if photo is None:
            return
        handler.addQuickElement(
            "media:content",
            None,
            {
                # Made absolute on the feed's own address, as its items' links are.
                "url": urljoin(self.feed["link"], photo["url"]),
                "type": photo["type"],
                "medium": "image",
                "width": str(photo["width"]),
                "height": str(photo["height"]),
            },
        )
        if photo["alt"]:
            handler.addQuickElement("media:description", photo["alt"], {"type": "plain"})


_RELATIVE = re.compile(r'(href|src)="(/[^"]*)"')


def body_html(article, absolute, body=None):
    """The article's body (``body``, or else read) as sanitized HTML, its addresses made
    absolute with ``absolute``.

    Embeds are links to the provider's page: a feed reader loads nothing from it."""
    body = article.body() if body is None else body
    html = "\n".join(block.html(body.addresses) for block in body)
    return _RELATIVE.sub(lambda m: f'{m.group(1)}="{absolute(m.group(2))}"', html)


class LatestArticlesFeed(Feed):
    language = "vi"
    feed_type = NewsFeed

    def get_feed(self, obj, request):
        self.request = request
        return super().get_feed(obj, request)

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The feed is written a tag at a time, about a thousand pieces, and a WSGI server
        # sends each piece on its own: until they were joined, the feed left the page
        # cache at 40% of an HTML page's rate.
        response.content = response.content
        return response

    def title(self):
        return settings.SITE_NAME

    def link(self):
        return "/"

    def description(self):
        return _("The latest news from %(site)s.") % {"site": settings.SITE_NAME}

    def items(self):
        return newest(Article.objects.published())

    def item_extra_kwargs(self, article):
        absolute = self.request.build_absolute_uri
        extra = {"content_encoded": body_html(article, absolute, article.feed_body)}
        photo = article.first_photo
        if photo is not None:
            extra["photo"] = {
                "url": photo.image.url,
                "type": mimetypes.guess_type(photo.image.name)[0] or "image/jpeg",
                "width": photo.image_width,
                "height": photo.image_height,
                "alt": photo.alt_text,
            }
        return extra

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        # Feed readers read a description as HTML; the sapo is plain text.
        return escape(article.sapo)

    # Readers and aggregators see the newsroom's own clock: Hanoi time.

    def item_pubdate(self, article):
        return timezone.localtime(article.published_at)

    def item_updateddate(self, article):
        return timezone.localtime(article.updated_at).replace(microsecond=0)

    def item_author_name(self, article):
        return article.byline_text() or None

    def item_categories(self, article):
        return [article.category.name] if article.category_id else []


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, section):
        return f"{section.name} - {settings.SITE_NAME}"

    def link(self, section):
        return section.get_absolute_url()

    def description(self, section):
        return escape(section.description) or _("The latest news in %(section)s.") % {
            "section": section.name
        }

    def items(self, section):
        return newest(section.articles.published())


class TopicFeed(SectionFeed):
    """A topic's newest stories."""

    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def description(self, topic):
        return _("The latest news on %(topic)s.") % {"topic": topic.name}

    def items(self, topic):
        return newest(topic.articles.published())


class AuthorFeed(SectionFeed):
    """An author's newest stories."""

    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def description(self, author):
        return _("The latest stories by %(author)s.") % {"author": author.name}

    def items(self, author):
        return newest(author.articles.published())


def newest(articles):
    """A feed's items: the newest of ``articles``, with their authors and bodies
    (``feed_body``), and each its first photo taken from its body."""
    items = Article.with_bodies(
        articles.listing().prefetch_related("authors").latest_first()[:ITEMS]
    )
    for article in items:
        article.feed_body = article.body()
        article.first_photo = next(iter(article.feed_body.photos), None)
    return items
