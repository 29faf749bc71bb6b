"""Sitemaps for search engines: every article and section, and Google News."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Greatest
from django.utils import timezone

from .cache import version
from .models import Article, Author, Category, Figure, Topic

NEWS_WINDOW = timedelta(days=2)


class SharedCountSitemap(Sitemap):
    @property
    def paginator(self):
        # The index and every sitemap page need the number of pages.
        return version.SharedCountPaginator(self._items(), self.limit, type(self).__name__)


class ArticleSitemap(SharedCountSitemap):
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .select_related("category")
            .only("pk", "slug", "updated_at", "category__slug")
            .order_by("-pk")
        )

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        # For the index: when content last changed, known without reading any article.
        return version.current()

    def get_urls(self, *args, **kwargs):
        urls = super().get_urls(*args, **kwargs)
        # Each story's photo, for its <image:image> (one query for the page of the sitemap).
        Figure.objects.with_first_photos(url["item"] for url in urls)
        return urls


class CategorySitemap(SharedCountSitemap):
    def items(self):
        # When each section's page last changed: its newest visible story's publication
        # or last change, whichever is later.
        newest = (
            Article.objects.published()
            .filter(category=OuterRef("pk"))
            .annotate(changed=Greatest("updated_at", "published_at"))
            .order_by("-changed")
            .values("changed")[:1]
        )
        return (
            Category.objects.annotate(changed=Subquery(newest))
            .filter(changed__isnull=False)
            .order_by("position", "name")
        )

    def lastmod(self, section):
        return section.changed

    def get_latest_lastmod(self):
        return version.current()


class NewsSitemap(ArticleSitemap):
    """Google News: the articles of the last two days, with their publication data."""

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .select_related("category")
            .only("pk", "slug", "title", "published_at", "updated_at", "category__slug")
            .latest_first()[:1000]
        )


class TopicSitemap(SharedCountSitemap):
    def items(self):
        return Topic.objects.filter(articles__in=Article.objects.published()).distinct()


class AuthorSitemap(SharedCountSitemap):
    def items(self):
        return Author.objects.filter(articles__in=Article.objects.published()).distinct()


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": CategorySitemap,
    "topics": TopicSitemap,
    "authors": AuthorSitemap,
}
