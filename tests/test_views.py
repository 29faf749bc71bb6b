import re
from html import unescape

import pytest
from django.utils import timezone

from articles.models import Article

from .factories import make_article, make_category


def figcaptions(html):
    return [unescape(c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)]


def test_the_article_page_shows_the_captions_as_figure_captions_between_paragraphs(client, seed):
    html = unescape(client.get(seed.get_absolute_url()).content.decode())
    captions = [f.caption for f in seed.figures.all()]
    assert [c.strip() for c in figcaptions(html)] == captions
    body = html[html.index('<div class="article-body">') :]
    order = [body.index(captions[0]), body.index(seed.textblocks.first().paragraphs()[0])]
    assert order == sorted(order), "the first photo stands before the first paragraph"
    assert body.index(captions[3]) < body.index("Tại hội nghị, các tập thể, cá nhân")


def test_the_article_page_shows_the_related_box_and_tin_khac(client, seed):
    html = client.get(seed.get_absolute_url()).content.decode()
    related = html[html.index("Có thể bạn quan tâm") : html.index("Tin khác")]
    assert "LĐLĐ huyện Chương Mỹ thăm, tặng quà" in related
    assert "Hà Nội: Loạt màn hình led tuyên truyền Nghị định 168" in related
    other = html[html.index("Tin khác") :]
    assert "23/01/2025 20:53" in other and "21/01/2025 15:17" in other
    assert other.index("Kiểm tra việc tiếp nhận") < other.index("Tập trung lãnh đạo Đại hội")
    assert seed.title not in other


def test_the_page_speaks_vietnamese(client, seed):
    html = client.get(seed.get_absolute_url()).content.decode()
    assert '<html lang="vi">' in html


def test_an_outdated_slug_or_section_redirects_permanently_to_the_canonical_url(client, db):
    section = make_category("Chỉ đạo - Điều hành")
    article = make_article("Tiêu đề cũ", category=section)
    old_url = article.get_absolute_url()
    article.title, article.slug = "Tiêu đề mới", ""
    article.save()
    for url in (old_url, f"/nhip-song-thu-do/tieu-de-moi-{article.pk}.html"):
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == f"/chi-dao-dieu-hanh/tieu-de-moi-{article.pk}.html"


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": timezone.now() + timezone.timedelta(hours=1)},
    ],
    ids=["draft", "review", "scheduled"],
)
def test_an_unpublished_article_is_not_found(client, db, fields):
    article = make_article("Bí mật", **fields)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_an_unknown_article_id_is_not_found(client, seed):
    assert client.get("/tin-tuc/khong-co-999999.html").status_code == 404


def test_home_lists_the_seed_story(client, seed):
    html = client.get("/").content.decode()
    assert seed.title in html
    assert seed.get_absolute_url() in html


def test_a_section_lists_only_its_own_visible_articles(client, db):
    mine, other = make_category("Nhịp sống Thủ đô"), make_category("Khác")
    make_article("Bài của mục", category=mine)
    make_article("Bài mục khác", category=other)
    make_article("Nháp của mục", category=mine, status=Article.Status.DRAFT)
    html = client.get("/nhip-song-thu-do/").content.decode()
    assert "Bài của mục" in html
    assert "Bài mục khác" not in html and "Nháp của mục" not in html


@pytest.mark.parametrize("url", ["/tin-tuc/", "/chi-dao-dieu-hanh/", "/tim-kiem/?q=tay"])
@pytest.mark.parametrize("page", ["0", "99", "abc", "-1", "1.5", "9" * 30])
def test_a_bad_page_number_is_not_found(client, seed, url, page):
    joiner = "&" if "?" in url else "?"
    assert client.get(f"{url}{joiner}page={page}").status_code == 404
