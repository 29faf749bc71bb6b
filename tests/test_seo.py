"""What search engines and social networks read from an article page."""

import json
import re
from html import unescape

from django.utils import timezone

from .factories import make_article, make_category, png_upload


def structured_data(html):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def meta(html, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def test_the_seed_page_describes_itself_with_its_sapo_and_canonical_url(client, seed):
    html = client.get(seed.get_absolute_url()).content.decode()
    assert f"<title>{seed.title} - " in html
    assert meta(html, "name", "description").startswith("Báo cáo kết quả phong trào thi đua")
    canonical = f"http://testserver{seed.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert meta(html, "property", "og:title") == seed.title
    assert meta(html, "property", "og:url") == canonical
    assert meta(html, "property", "og:type") == "article"
    # The seed has no photo: no card may promise a large image it does not have.
    assert meta(html, "name", "twitter:card") == "summary"
    assert meta(html, "property", "article:published_time") == "2025-01-23T21:00:00+07:00"


def test_the_news_article_json_ld_carries_what_google_asks_for(client, db):
    section = make_category("Nhịp sống Thủ đô")
    article = make_article(
        "Hồ Tây đón khách",
        category=section,
        byline="Minh Anh",
        blocks=[{"image": png_upload(), "alt_text": "Hồ", "caption": "Hồ Tây"}],
    )
    html = client.get(article.get_absolute_url()).content.decode()
    news, crumbs = structured_data(html)
    assert news["@type"] == "NewsArticle"
    assert news["headline"] == "Hồ Tây đón khách"
    # Hanoi time to the second, as the page's Open Graph tags say it.
    hanoi = timezone.get_default_timezone()
    assert news["datePublished"] == article.published_at.astimezone(hanoi).isoformat()
    assert news["dateModified"] == (
        article.updated_at.astimezone(hanoi).replace(microsecond=0).isoformat()
    )
    assert article.updated_at.microsecond, "a time with microseconds is written without them"
    for key in ("datePublished", "dateModified"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", news[key]), news[key]
    assert news["dateModified"] == meta(html, "property", "article:modified_time")
    assert news["author"] == {"@type": "Person", "name": "Minh Anh"}
    assert news["publisher"]["name"] == "Tin Hà Nội"
    assert news["image"] == [f"http://testserver{article.figures.get().image.url}"]
    trail = [(item["name"], item["item"]) for item in crumbs["itemListElement"]]
    assert trail == [
        ("Trang chủ", "http://testserver/"),
        ("Nhịp sống Thủ đô", f"http://testserver{section.get_absolute_url()}"),
    ]
    assert trail == visible_breadcrumb(html)


def visible_breadcrumb(html):
    """The breadcrumb the page shows, as (name, absolute address)."""
    nav = re.search(r'<nav class="breadcrumb"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return [
        (unescape(name), f"http://testserver{href}")
        for href, name in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)
    ]


def test_a_story_without_a_section_has_the_same_breadcrumb_in_its_data_and_on_its_page(
    client, seed
):
    html = client.get(seed.get_absolute_url()).content.decode()
    _, crumbs = structured_data(html)
    trail = [(item["name"], item["item"]) for item in crumbs["itemListElement"]]
    assert (
        trail
        == visible_breadcrumb(html)
        == [
            ("Trang chủ", "http://testserver/"),
            ("Tất cả tin tức", "http://testserver/tin-tuc/"),
        ]
    )


def test_a_script_tag_in_a_headline_cannot_leave_the_json_ld(client, db):
    title = 'Tin </script><script>alert("x")</script> & <b>đậm</b>'
    article = make_article(title, sapo="</script><img src=x onerror=alert(1)>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    news, _ = structured_data(html)
    assert news["headline"] == title
    assert news["description"] == "</script><img src=x onerror=alert(1)>"


def test_an_article_without_byline_is_authored_by_the_newsroom(client, seed):
    news, _ = structured_data(client.get(seed.get_absolute_url()).content.decode())
    assert news["author"] == {"@type": "Organization", "name": "Tin Hà Nội"}
    assert "image" not in news, "the seed's photos did not survive; none is invented"


def test_robots_txt_points_at_both_sitemaps_and_keeps_crawlers_out_of_admin(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Sitemap: http://testserver/sitemap-news.xml" in text
    assert "Disallow: /admin/" in text


def test_open_graph_and_twitter_tags_carry_the_headline_sapo_and_photo(client, db):
    article = make_article(
        "Hồ Tây đón khách",
        sapo="Đoạn dẫn & lời chào.",
        blocks=[{"image": png_upload(), "alt_text": "Hồ", "caption": "Hồ Tây"}],
    )
    html = client.get(article.get_absolute_url()).content.decode()
    photo = f"http://testserver{article.figures.get().image.url}"
    assert meta(html, "property", "og:description") == "Đoạn dẫn & lời chào."
    assert meta(html, "name", "twitter:title") == "Hồ Tây đón khách"
    assert meta(html, "name", "twitter:description") == "Đoạn dẫn & lời chào."
    assert meta(html, "property", "og:image") == meta(html, "name", "twitter:image") == photo
    figure = article.figures.get()
    assert meta(html, "property", "og:image:width") == str(figure.image_width)
    assert meta(html, "property", "og:image:height") == str(figure.image_height)
    assert meta(html, "property", "og:image:alt") == "Hồ"
    assert meta(html, "name", "twitter:card") == "summary_large_image"
    assert meta(html, "name", "description") == "Đoạn dẫn & lời chào."


def test_an_article_without_a_photo_names_no_image_for_sharing(client, seed):
    html = client.get(seed.get_absolute_url()).content.decode()
    assert meta(html, "property", "og:image") is None
    assert meta(html, "name", "twitter:image") is None


def test_home_and_sections_have_absolute_canonical_links(client, seed):
    home = client.get("/").content.decode()
    assert '<link rel="canonical" href="http://testserver/">' in home
    section = client.get("/chi-dao-dieu-hanh/?page=1").content.decode()
    assert '<link rel="canonical" href="http://testserver/chi-dao-dieu-hanh/">' in section
    news = client.get("/tin-tuc/?page=1").content.decode()
    assert news.count('rel="canonical"') == 1
    assert '<link rel="canonical" href="http://testserver/tin-tuc/">' in news


def test_json_for_scripts_escapes_what_djangos_json_script_escapes():
    from articles.templatetags.news import to_json

    assert to_json({"a": "</script>&"}) == '{"a":"\\u003C/script\\u003E\\u0026"}'
    assert json.loads(to_json({"a": "</script>&"})) == {"a": "</script>&"}
