import json
from datetime import UTC, datetime

import pytest

from articles.templatetags.news import to_json

from .factories import make_article, make_category, png_upload
from .page_parts import PageParts, parts

HOST = "http://testserver"


@pytest.fixture
def story(db):
    section = make_category("Chỉ đạo - Điều hành")
    return make_article(
        "Hà Nội & “Tây Hồ” </script><script>alert(1)</script>",
        category=section,
        sapo="Quận Tây Hồ hoàn thành xuất sắc các phong trào thi đua.",
        byline="Minh Anh",
        published_at=datetime(2025, 1, 23, 13, 53, tzinfo=UTC),
        blocks=[{"image": png_upload(), "alt_text": "Hội nghị", "caption": "Ảnh"}],
    )


def test_the_article_page_has_title_description_and_an_absolute_canonical(client, story):
    page = parts(client.get(story.get_absolute_url()))
    assert page.title == f"{story.title} - Tin Hà Nội"
    assert page.meta["description"] == story.sapo
    assert page.links["canonical"] == HOST + story.get_absolute_url()


def test_the_article_page_has_open_graph_and_twitter_card_tags(client, story):
    page = parts(client.get(story.get_absolute_url()))
    photo = story.figures.get().image.url
    assert page.meta["og:type"] == "article"
    assert page.meta["og:title"] == page.meta["twitter:title"] == story.title
    assert page.meta["og:description"] == page.meta["twitter:description"] == story.sapo
    assert page.meta["og:url"] == HOST + story.get_absolute_url()
    assert page.meta["og:image"] == page.meta["twitter:image"] == HOST + photo
    assert page.meta["twitter:card"] == "summary_large_image"
    assert page.meta["article:published_time"] == "2025-01-23T20:53:00+07:00"


def test_the_article_json_ld_is_a_news_article_with_every_field_search_engines_need(client, story):
    page = parts(client.get(story.get_absolute_url()))
    news = page.structured("NewsArticle")
    assert news["headline"] == story.title
    assert news["datePublished"] == "2025-01-23T13:53:00+00:00"
    assert datetime.fromisoformat(news["dateModified"]) == story.updated_at
    assert news["author"] == {"@type": "Person", "name": "Minh Anh"}
    assert news["image"] == [HOST + story.figures.get().image.url]
    assert news["publisher"]["name"] == "Tin Hà Nội"
    assert news["publisher"]["logo"]["url"].startswith(HOST + "/static/articles/share")
    assert news["mainEntityOfPage"] == HOST + story.get_absolute_url()


def test_the_article_json_ld_has_the_breadcrumb_from_home_through_the_section(client, story):
    crumbs = parts(client.get(story.get_absolute_url())).structured("BreadcrumbList")
    assert [(i["position"], i["name"], i["item"]) for i in crumbs["itemListElement"]] == [
        (1, "Tin Hà Nội", HOST + "/"),
        (2, "Chỉ đạo - Điều hành", HOST + "/chi-dao-dieu-hanh/"),
        (3, story.title, HOST + story.get_absolute_url()),
    ]


def test_a_script_tag_in_a_headline_cannot_leave_the_json_ld(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    scripts = html.split('<script type="application/ld+json">')[1:]
    assert len(scripts) == 2
    for script in scripts:
        body = script[: script.index("</script>")]
        assert "<" not in body and ">" not in body and "&" not in body
    assert "\\u003C/script\\u003E" in html
    assert "<script>alert(1)" not in html


def test_json_for_scripts_escapes_like_djangos_json_script():
    assert to_json({"a": "</script>&"}) == '{"a":"\\u003C/script\\u003E\\u0026"}'
    assert json.loads(to_json({"a": "</script>&"})) == {"a": "</script>&"}


def test_an_article_without_photos_or_byline_still_has_an_image_and_an_author(client, seed):
    page = parts(client.get(seed.get_absolute_url()))
    news = page.structured("NewsArticle")
    assert news["image"][0].startswith(HOST + "/static/articles/share")
    assert page.meta["og:image"] == news["image"][0]
    assert news["author"]["name"] == (seed.byline or "Tin Hà Nội")


def test_a_preview_has_no_canonical_link_and_is_not_indexed(rf, story):
    from articles.views import render_article

    request = rf.get("/admin/preview/")
    html = render_article(request, story, preview=True).content.decode()
    page = PageParts(html)
    assert "canonical" not in page.links
    assert page.meta["robots"] == "noindex, nofollow"
    assert page.json_ld == []
    assert "Xem trước" in html


def test_home_and_section_pages_have_their_own_canonical_and_description(client, story):
    home = parts(client.get("/"))
    assert home.links["canonical"] == HOST + "/"
    assert home.meta["description"] == "Tin tức Hà Nội từ Tin Hà Nội."
    section = parts(client.get("/chi-dao-dieu-hanh/"))
    assert section.links["canonical"] == HOST + "/chi-dao-dieu-hanh/"
    assert section.title == "Chỉ đạo - Điều hành - Tin Hà Nội"
    assert section.links["alternate"] == "/chi-dao-dieu-hanh/rss/"


def test_search_results_are_not_indexed(client, story):
    page = parts(client.get("/tim-kiem/?q=tay+ho"))
    assert page.meta["robots"].startswith("noindex")
    assert "canonical" not in page.links
