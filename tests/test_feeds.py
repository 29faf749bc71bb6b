from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest

from articles.models import Article

from .factories import make_article, make_category


@pytest.fixture
def newsroom(db):
    section = make_category("Nhịp sống Thủ đô")
    older = make_article(
        "Phố đi bộ Hồ Gươm & đêm nhạc",
        category=section,
        sapo="Một <b>đêm</b> nhạc.",
        byline="Lan Anh",
        published_at=datetime(2025, 1, 21, 8, 17, tzinfo=UTC),
    )
    newer = make_article("Tây Hồ thi đua", published_at=datetime(2025, 1, 23, 13, 53, tzinfo=UTC))
    for fields in (
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": datetime(2999, 1, 1, tzinfo=UTC)},
    ):
        make_article("Chưa đăng", category=section, **fields)
    return section, older, newer


def items(response):
    channel = ElementTree.fromstring(response.content).find("channel")
    return channel, channel.findall("item")


def test_the_site_feed_lists_visible_articles_newest_first_with_hanoi_dates(client, newsroom):
    section, older, newer = newsroom
    response = client.get("/rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel, entries = items(response)
    assert channel.findtext("title") == "Tin Hà Nội"
    assert channel.findtext("language") == "vi"
    assert [e.findtext("title") for e in entries] == [newer.title, older.title]
    assert [e.findtext("pubDate") for e in entries] == [
        "Thu, 23 Jan 2025 20:53:00 +0700",
        "Tue, 21 Jan 2025 15:17:00 +0700",
    ]
    assert entries[1].findtext("link") == "http://testserver" + older.get_absolute_url()
    assert entries[1].findtext("description") == "Một <b>đêm</b> nhạc."
    assert entries[1].findtext("category") == "Nhịp sống Thủ đô"
    assert entries[1].findtext("{http://purl.org/dc/elements/1.1/}creator") == "Lan Anh"


def test_a_section_feed_lists_only_that_sections_visible_articles(client, newsroom):
    section, older, newer = newsroom
    channel, entries = items(client.get("/nhip-song-thu-do/rss/"))
    assert channel.findtext("title") == "Nhịp sống Thủ đô - Tin Hà Nội"
    assert channel.findtext("link") == "http://testserver/nhip-song-thu-do/"
    assert [e.findtext("title") for e in entries] == [older.title]


def test_an_unknown_section_has_no_feed(client, db):
    assert client.get("/khong-co/rss/").status_code == 404


def test_the_feed_runs_the_same_few_queries_for_one_or_thirty_items(
    client, db, django_assert_max_num_queries
):
    section = make_category("Chuyên mục")
    make_article(category=section)
    with django_assert_max_num_queries(2) as small:
        client.get("/rss/")
    for _ in range(29):
        make_article(category=section)
    with django_assert_max_num_queries(2) as large:
        assert len(items(client.get("/rss/"))[1]) == 30
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_feeds_parse_with_feedparser_without_errors(client, newsroom):
    feedparser = pytest.importorskip("feedparser", reason="feedparser is not installed (dev extra)")
    for url in ("/rss/", "/nhip-song-thu-do/rss/"):
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo, f"{url}: {feed.get('bozo_exception')}"
        assert feed.version == "rss20"
        assert feed.entries
    first = feedparser.parse(client.get("/rss/").content).entries[0]
    assert first.title == "Tây Hồ thi đua"
    assert first.published_parsed[:5] == (2025, 1, 23, 13, 53)  # the same moment, in UTC
