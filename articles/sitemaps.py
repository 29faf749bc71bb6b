"""Sitemaps for search engines: every article and section, and Google News."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.functional import cached_property

from . import freshness
from .models import Article, Category

NEWS_WINDOW = timedelta(days=2)


class SharedCountPaginator(Paginator):
    """A paginator that counts its articles once per change of the site.

    The sitemap index and every sitemap page need the number of pages, and counting
    every visible article took longer than the rest of the page at 100,000.
    """

    def __init__(self, object_list, per_page, name):
        super().__init__(object_list, per_page)
        self.name = name

    @cached_property
    def count(self):
        return freshness.shared(f"sitemap-count-{self.name}", self.object_list.count)


class SharedCountSitemap(Sitemap):
    @property
    def paginator(self):
        return SharedCountPaginator(self._items(), self.limit, type(self).__name__)


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
        return freshness.last_modified()


class CategorySitemap(SharedCountSitemap):
    def items(self):
        return Category.objects.filter(pk__in=Article.objects.published().values("category"))


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


SITEMAPS = {"articles": ArticleSitemap, "sections": CategorySitemap}
