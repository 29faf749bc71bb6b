"""Sitemaps: every visible article and section, and the Google News sitemap."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article

from .factories import make_article, make_category

NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "n": "http://www.google.com/schemas/sitemap-news/0.9",
}


def locations(response):
    return [
        u.findtext("s:loc", namespaces=NS)
        for u in ET.fromstring(response.content).findall("s:url", NS)
    ]


def listed(client):
    """Every <url> the sitemap index leads to, by its location."""
    index = ET.fromstring(client.get("/sitemap.xml").content)
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    urls = {}
    for sitemap in index.findall("s:sitemap", NS):
        path = sitemap.findtext("s:loc", namespaces=NS).removeprefix("http://testserver")
        for url in ET.fromstring(client.get(path).content).findall("s:url", NS):
            urls[url.findtext("s:loc", namespaces=NS)] = url
    return urls


def test_the_sitemap_lists_every_visible_article_with_lastmod_and_the_sections(client, seed):
    urls = listed(client)
    for article in Article.objects.published():
        url = urls[f"http://testserver{article.get_absolute_url()}"]
        lastmod = timezone.localtime(article.updated_at).replace(microsecond=0).isoformat()
        assert url.findtext("s:lastmod", namespaces=NS) == lastmod
    assert "http://testserver/chi-dao-dieu-hanh/" in urls
    assert "http://testserver/nhip-song-thu-do/" in urls
    assert len(urls) == 17 + 2


def test_the_news_sitemap_has_the_last_two_days_with_publication_data(client, db):
    now = timezone.now()
    fresh = make_article("Tin trong ngày", published_at=now - timedelta(hours=3))
    make_article("Tin cũ", published_at=now - timedelta(days=3))
    root = ET.fromstring(client.get("/sitemap-news.xml").content)
    urls = root.findall("s:url", NS)
    assert [u.findtext("s:loc", namespaces=NS) for u in urls] == [
        f"http://testserver{fresh.get_absolute_url()}"
    ]
    news = urls[0].find("n:news", NS)
    assert news.findtext("n:publication/n:name", namespaces=NS) == "Tin Hà Nội"
    assert news.findtext("n:publication/n:language", namespaces=NS) == "vi"
    assert news.findtext("n:title", namespaces=NS) == "Tin trong ngày"
    published = news.findtext("n:publication_date", namespaces=NS)
    assert published == timezone.localtime(fresh.published_at).isoformat()


def test_sitemaps_never_list_unpublished_articles_or_empty_sections(client, db):
    empty = make_category("Mục trống")
    drafts = [
        make_article("Nháp", status=Article.Status.DRAFT, category=empty),
        make_article("Hẹn giờ", published_at=timezone.now() + timedelta(hours=1)),
    ]
    make_article("Đã đăng")
    shown = [*listed(client), *locations(client.get("/sitemap-news.xml"))]
    assert any("da-dang" in url for url in shown)
    assert all(d.slug not in url for d in drafts for url in shown)
    assert all(empty.get_absolute_url() not in url for url in shown)


def test_a_newsroom_larger_than_one_sitemap_is_listed_whole_through_the_index(
    client, db, monkeypatch
):
    from articles.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 5)
    articles = [make_article(f"Bài số {n}") for n in range(12)]
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-articles.xml?p=3" in index and "sitemap-articles.xml?p=4" not in index
    urls = listed(client)
    assert all(f"http://testserver{a.get_absolute_url()}" in urls for a in articles)


def test_the_schema_check_refuses_a_news_entry_without_its_publication():
    etree = pytest.importorskip("lxml.etree", reason="not installed: lxml")
    schema = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "schemas" / "sitemap.xsd")))
    broken = etree.fromstring(
        f'<urlset xmlns="{NS["s"]}" xmlns:news="{NS["n"]}"><url>'
        "<loc>http://testserver/a.html</loc>"
        "<news:news><news:title>T</news:title></news:news></url></urlset>"
    )
    assert not schema.validate(broken)


def test_the_index_counts_the_articles_once_per_change_and_again_after_one(
    client, db, settings, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.sitemaps import ArticleSitemap

    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(ArticleSitemap, "limit", 5)
    for n in range(10):
        make_article(f"Bài số {n}")
    assert "sitemap-articles.xml?p=2" in client.get("/sitemap.xml").content.decode()
    with CaptureQueriesContext(connection) as queries:
        client.get("/sitemap.xml")
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    make_article("Bài thứ mười một")
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-articles.xml?p=3" in index


def test_each_page_of_the_index_carries_when_the_site_last_changed_in_hanoi_time(
    client, db, monkeypatch
):
    from articles.cache import version
    from articles.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    make_article("Bài số một", category=make_category("Thời sự"))
    make_article("Bài số hai")
    make_article("Bài số ba")
    index = ET.fromstring(client.get("/sitemap.xml").content)
    entries = {
        s.findtext("s:loc", namespaces=NS): s.findtext("s:lastmod", namespaces=NS)
        for s in index.findall("s:sitemap", NS)
    }
    changed = timezone.localtime(version.current()).isoformat()
    assert changed.endswith("+07:00")
    assert entries == {
        "http://testserver/sitemap-articles.xml": changed,
        "http://testserver/sitemap-articles.xml?p=2": changed,
        "http://testserver/sitemap-sections.xml": changed,
        "http://testserver/sitemap-topics.xml": None,
        "http://testserver/sitemap-authors.xml": None,
    }
