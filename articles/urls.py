from django.contrib.sitemaps import views as sitemap_views
from django.urls import converters, path, register_converter

from . import feeds, sitemaps, views
from .models import NO_SECTION_SLUG

app_name = "articles"


class IdConverter(converters.IntConverter):
    """An id as addresses write it, without leading zeros: one address per article, so
    the article page knows its own from the parts it is given."""

    regex = "[1-9][0-9]*"


register_converter(IdConverter, "id")

urlpatterns = [
    # First, as most readers come for a story: no other address ends in "-<id>.html".
    path("<slug:section>/<slug:slug>-<id:pk>.html", views.article_detail, name="article"),
    path("", views.home, name="home"),
    path("tim-kiem/", views.search, name="search"),
    path("luot-doc/<id:pk>/", views.count_read, name="count-read"),
    path("rss/", views.public(feeds.LatestArticlesFeed()), name="feed"),
    path("robots.txt", views.public(views.robots_txt), name="robots"),
    # Browsers and crawlers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", views.favicon, name="favicon"),
    # An index of one sitemap per kind, each paginated (?p=N): no article is left out.
    path(
        "sitemap.xml",
        views.public(sitemap_views.index),
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "articles:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-news.xml",
        views.public(sitemap_views.sitemap, reads=("p",)),
        {"sitemaps": {"news": sitemaps.NewsSitemap}, "template_name": "sitemap_news.xml"},
        name="sitemap-news",
    ),
    path(
        "sitemap-<section>.xml",
        views.public(sitemap_views.sitemap, reads=("p",)),
        {"sitemaps": sitemaps.SITEMAPS, "template_name": "sitemap_images.xml"},
        name="sitemap-section",
    ),
    path(f"{NO_SECTION_SLUG}/", views.news_index, name="news"),
    path("chu-de/<slug:slug>/", views.topic_detail, name="topic"),
    path("chu-de/<slug:slug>/rss/", views.public(feeds.TopicFeed()), name="topic-feed"),
    path("tac-gia/<slug:slug>/", views.author_detail, name="author"),
    path("tac-gia/<slug:slug>/rss/", views.public(feeds.AuthorFeed()), name="author-feed"),
    path("<slug:slug>/rss/", views.public(feeds.SectionFeed()), name="section-feed"),
    path("<slug:slug>/", views.category_detail, name="category"),
]
