"""RSS 2.0 feeds for the site and each section."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from html import unescape

from django.utils import timezone

from articles.models import Article

from .factories import make_article, make_category


def items(response):
    channel = ET.fromstring(response.content).find("channel")
    return channel, channel.findall("item")


def test_the_site_feed_lists_the_latest_articles_with_hanoi_dates(client, seed):
    channel, entries = items(client.get("/rss/"))
    assert channel.findtext("language") == "vi"
    titles = [i.findtext("title") for i in entries]
    assert titles[0] == seed.title
    assert titles[1] == "Kiểm tra việc tiếp nhận, xử lý phản ánh, kiến nghị ứng dụng iHanoi"
    ihanoi = entries[1]
    assert ihanoi.findtext("pubDate") == "Thu, 23 Jan 2025 20:53:00 +0700"
    article = Article.objects.get(title=titles[1])
    assert ihanoi.findtext("link") == f"http://testserver{article.get_absolute_url()}"
    assert ihanoi.findtext("category") == "Chỉ đạo - Điều hành"
    assert entries[0].findtext("description").startswith("Báo cáo kết quả phong trào thi đua")


def test_a_section_feed_lists_only_that_sections_articles(client, seed):
    channel, entries = items(client.get("/nhip-song-thu-do/rss/"))
    assert channel.findtext("title").startswith("Nhịp sống Thủ đô")
    assert len(entries) == 5
    assert {i.findtext("category") for i in entries} == {"Nhịp sống Thủ đô"}


def test_feeds_never_carry_unpublished_articles(client, db):
    section = make_category("Mục")
    make_article("Đã đăng", category=section)
    make_article("Nháp", category=section, status=Article.Status.DRAFT)
    make_article("Chờ duyệt", category=section, status=Article.Status.REVIEW)
    make_article("Hẹn giờ", category=section, published_at=timezone.now() + timedelta(hours=1))
    for url in ("/rss/", f"/{section.slug}/rss/"):
        _, entries = items(client.get(url))
        assert [i.findtext("title") for i in entries] == ["Đã đăng"]


def test_an_unknown_section_has_no_feed(client, db):
    assert client.get("/khong-co/rss/").status_code == 404


def test_an_item_carries_its_byline_and_its_sapo_as_text(client, db):
    make_article("Có tác giả", byline="Lan Anh", sapo="Một <b>đêm</b> nhạc & thơ.")
    _, entries = items(client.get("/rss/"))
    assert entries[0].findtext("{http://purl.org/dc/elements/1.1/}creator") == "Lan Anh"
    # Feed readers read a description as HTML: the sapo's own "<b>" must show as text.
    description = entries[0].findtext("description")
    assert "<b>" not in description
    assert unescape(description) == "Một <b>đêm</b> nhạc & thơ."


def test_the_feed_runs_the_same_queries_for_one_or_thirty_items(
    client, db, django_assert_max_num_queries
):
    section = make_category("Mục")
    make_article(category=section, blocks=["Đoạn một."])
    # The site's version, the items, their authors, and the bodies of them all, which give
    # content:encoded and each item's photo.
    with django_assert_max_num_queries(4) as one:
        client.get("/rss/")
    for _ in range(29):
        make_article(category=section, blocks=["Đoạn một.", {"caption": "Ảnh"}])
    with django_assert_max_num_queries(4) as thirty:
        assert len(items(client.get("/rss/"))[1]) == 30
    assert len(thirty.captured_queries) == len(one.captured_queries)


def test_a_feed_leaves_the_server_in_one_piece_not_a_write_per_tag(client, seed):
    # A WSGI server sends each piece of a response on its own.
    for url in ("/rss/", "/nhip-song-thu-do/rss/"):
        response = client.get(url)
        pieces = list(response)
        assert len(pieces) == 1 and pieces[0] == response.content
        assert items(response)[1], "the feed still lists its articles"
