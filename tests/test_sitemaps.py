from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from articles.models import Article

from .factories import make_article, make_category

SCHEMAS = Path(__file__).parent / "schemas"
NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
HOST = "http://testserver"


@pytest.fixture
def newsroom(db):
    now = timezone.now()
    section = make_category("Chỉ đạo - Điều hành")
    make_category("Chuyên mục trống")
    today = make_article(
        "Tin hôm nay: “A & B”", category=section, published_at=now - timedelta(hours=3)
    )
    last_week = make_article("Tin tuần trước", published_at=now - timedelta(days=7))
    for fields in (
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": now + timedelta(hours=1)},
    ):
        make_article("Chưa đăng", category=section, **fields)
    return section, today, last_week


def urls(response):
    root = ElementTree.fromstring(response.content)
    return {u.findtext("s:loc", namespaces=NS): u for u in root.findall("s:url", NS)}


def test_the_sitemap_lists_visible_articles_with_lastmod_and_sections_with_articles(
    client, newsroom
):
    section, today, last_week = newsroom
    entries = urls(client.get("/sitemap.xml"))
    assert set(entries) == {
        HOST + today.get_absolute_url(),
        HOST + last_week.get_absolute_url(),
        HOST + "/chi-dao-dieu-hanh/",
    }
    lastmod = entries[HOST + today.get_absolute_url()].findtext("s:lastmod", namespaces=NS)
    assert lastmod == timezone.localtime(today.updated_at).date().isoformat()


def test_the_news_sitemap_lists_the_last_two_days_with_publication_data(client, newsroom):
    section, today, last_week = newsroom
    entries = urls(client.get("/sitemap-news.xml"))
    assert list(entries) == [HOST + today.get_absolute_url()]
    news = entries[HOST + today.get_absolute_url()].find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Tin Hà Nội"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "vi"
    assert news.findtext("news:title", namespaces=NS) == "Tin hôm nay: “A & B”"
    published = news.findtext("news:publication_date", namespaces=NS)
    assert published.endswith("+07:00")
    assert abs(timezone.datetime.fromisoformat(published) - today.published_at) < timedelta(
        seconds=1
    )


def test_robots_txt_points_at_both_sitemaps_and_keeps_crawlers_out_of_admin(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {HOST}/sitemap.xml" in lines
    assert f"Sitemap: {HOST}/sitemap-news.xml" in lines


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-news.xml"])
def test_the_sitemaps_validate_against_the_sitemap_schemas(client, newsroom, url):
    etree = pytest.importorskip("lxml.etree", reason="lxml is not installed (dev extra)")
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))
    document = etree.fromstring(client.get(url).content)
    assert document.findall("s:url", NS), "an empty sitemap proves nothing"
    assert schema.validate(document), schema.error_log


def test_the_schema_refuses_a_news_entry_without_its_publication():
    etree = pytest.importorskip("lxml.etree", reason="lxml is not installed (dev extra)")
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))
    broken = etree.fromstring(
        f'<urlset xmlns="{NS["s"]}" xmlns:news="{NS["news"]}"><url><loc>{HOST}/a.html</loc>'
        "<news:news><news:title>T</news:title></news:news></url></urlset>"
    )
    assert not schema.validate(broken)
