from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import feeds, sitemaps, views
from .models import NO_SECTION_SLUG

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("tim-kiem/", views.search, name="search"),
    path("rss/", feeds.LatestArticlesFeed(), name="feed"),
    path("robots.txt", views.robots_txt, name="robots"),
    # Browsers and crawlers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap",
    ),
    path(
        "sitemap-news.xml",
        sitemap,
        {"sitemaps": {"news": sitemaps.NewsSitemap}, "template_name": "sitemap_news.xml"},
        name="sitemap-news",
    ),
    path(f"{NO_SECTION_SLUG}/", views.news_index, name="news"),
    path("<slug:section>/<slug:slug>-<int:pk>.html", views.article_detail, name="article"),
    path("<slug:slug>/rss/", feeds.SectionFeed(), name="section-feed"),
    path("<slug:slug>/", views.category_detail, name="category"),
]
