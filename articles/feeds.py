"""RSS 2.0 feeds: the whole site and each section (django.contrib.syndication)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Article, Category

ITEMS = 30


def feed_items(articles):
    # The description is the sapo, so it is loaded with the rest (no query per item).
    return articles.select_related("category").defer("search_text").latest_first()[:ITEMS]


class LatestArticlesFeed(Feed):
    language = "vi"

    def title(self):
        return settings.SITE_NAME

    def link(self):
        return "/"

    def description(self):
        return _("The latest news from %(site)s.") % {"site": settings.SITE_NAME}

    def items(self):
        return feed_items(Article.objects.published())

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.sapo

    # Readers of the feed see the times of the site: Hanoi's, with its +0700 offset.
    def item_pubdate(self, article):
        return timezone.localtime(article.published_at)

    def item_updateddate(self, article):
        return timezone.localtime(article.updated_at)

    def item_author_name(self, article):
        return article.byline or None

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
        return section.description or _("The latest news in %(section)s.") % {
            "section": section.name
        }

    def items(self, section):
        return feed_items(section.articles.published())
