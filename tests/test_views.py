import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.utils import timezone

from articles.models import Article

from .factories import make_article, make_category, png_upload


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


# The readers' site: home, sections, article boxes, search, HTTP, errors.

HANOI_NOON = datetime(2025, 1, 23, 5, 0, tzinfo=UTC)  # 12:00 in Hanoi


def test_the_article_page_shows_the_time_in_hanoi_byline_sapo_and_breadcrumb(client, db):
    section = make_category("Chỉ đạo - Điều hành")
    article = make_article(
        "Tiêu đề",
        category=section,
        byline="Minh Anh",
        sapo="Lời dẫn.",
        published_at=datetime(2025, 1, 23, 13, 53, tzinfo=UTC),
    )
    html = client.get(article.get_absolute_url()).content.decode()
    main = html[html.index('<nav class="breadcrumb"') :]
    assert '<time datetime="2025-01-23T20:53:00+07:00">23/01/2025 20:53</time>' in main
    assert '<p class="byline">Minh Anh</p>' in main and '<p class="sapo">Lời dẫn.</p>' in main
    crumbs = main[: main.index("</nav>")]
    assert 'href="/"' in crumbs and 'href="/chi-dao-dieu-hanh/"' in crumbs
    assert main.index("</nav>") < main.index("<h1>Tiêu đề</h1>")


def box(html, heading):
    start = html.index(f">{heading}</h2>")
    return html[start : html.index("</section>", start)]


def titles(fragment):
    return [
        unescape(t)
        for t in re.findall(r'<a href="[^"]+">([^<]+)</a>\s*<p class="dateline"', fragment)
    ]


def test_related_links_come_first_in_the_editors_order_then_the_section_fills_up(client, db):
    section = make_category("Mục")
    fillers = [
        make_article(
            f"Cùng mục {n}", category=section, published_at=HANOI_NOON + timedelta(minutes=n)
        )
        for n in range(8)
    ]
    elsewhere = make_article("Mục khác", published_at=HANOI_NOON)
    article = make_article("Bài chính", category=section, related=[elsewhere, fillers[0]])
    html = client.get(article.get_absolute_url()).content.decode()
    assert titles(box(html, "Có thể bạn quan tâm")) == [
        "Mục khác",
        "Cùng mục 0",
        "Cùng mục 7",
        "Cùng mục 6",
        "Cùng mục 5",
        "Cùng mục 4",
    ]


def test_the_picks_box_shows_the_editors_picks_but_not_the_article_itself(client, db):
    pick = make_article("Bài nên xem", is_pick=True)
    article = make_article("Bài chính", is_pick=True)
    make_article("Bài thường")
    picks = titles(box(client.get(article.get_absolute_url()).content.decode(), "Nên xem"))
    assert picks == ["Bài nên xem"] and pick.is_pick


def test_the_article_page_runs_the_same_few_queries_however_big_the_article(
    client, db, django_assert_max_num_queries
):
    section = make_category("Mục")
    small = make_article(category=section, blocks=["Một đoạn.", {"caption": "Ảnh"}])
    targets = [make_article(category=section, is_pick=True) for _ in range(12)]
    big = make_article(
        category=section,
        blocks=[*(f"Đoạn {n}." for n in range(15)), *({"caption": f"Ảnh {n}"} for n in range(15))],
        related=targets[:9],
    )
    with django_assert_max_num_queries(6) as few:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(6) as many:
        html = client.get(big.get_absolute_url()).content.decode()
    assert html.count("<figcaption>") == 15 and len(titles(box(html, "Có thể bạn quan tâm"))) == 9
    assert len(many.captured_queries) == len(few.captured_queries)


def test_home_and_section_pages_run_the_same_few_queries_however_many_articles(
    client, db, django_assert_max_num_queries
):
    sections = [make_category(f"Mục {n}") for n in range(2)]
    make_article(category=sections[0], blocks=[{"image": png_upload(), "alt_text": "Ảnh"}])
    counts = []
    for _ in range(2):
        with django_assert_max_num_queries(7) as home:
            client.get("/")
        with django_assert_max_num_queries(6) as section:
            client.get(sections[0].get_absolute_url())
        counts.append((len(home.captured_queries), len(section.captured_queries)))
        for n in range(25):
            make_article(
                category=sections[n % 2],
                is_pick=n % 3 == 0,
                blocks=[{"image": png_upload(), "alt_text": "Ảnh"}],
            )
        sections.append(make_category(f"Mục thêm {len(sections)}"))
        make_article(category=sections[-1])
    assert counts[0] == counts[1]


def test_home_leads_with_the_newest_pick_and_shows_each_section_in_position_order(client, db):
    second = make_category("Mục hai", position=2)
    first = make_category("Mục một", position=1)
    make_article("Tin mới nhất", category=second, published_at=HANOI_NOON + timedelta(hours=2))
    make_article("Nên xem mới", category=first, is_pick=True, published_at=HANOI_NOON)
    make_article(
        "Nên xem cũ", category=first, is_pick=True, published_at=HANOI_NOON - timedelta(days=1)
    )
    html = unescape(client.get("/").content.decode())
    lead = html[html.index('class="lead-story"') : html.index("</section>")]
    assert "Nên xem mới" in lead and "Tin mới nhất" not in lead
    assert titles(box(html, "Tin mới nhất")) == ["Tin mới nhất", "Nên xem cũ"]
    assert titles(box(html, "Nên xem")) == ["Nên xem cũ"]
    assert html.index('id="section-muc-mot"') < html.index('id="section-muc-hai"')


def test_home_without_picks_leads_with_the_newest_article(client, db):
    make_article("Cũ", published_at=HANOI_NOON)
    make_article("Mới", published_at=HANOI_NOON + timedelta(hours=1))
    html = client.get("/").content.decode()
    assert "Mới" in html[html.index('class="lead-story"') : html.index("</section>")]


def test_a_section_is_paginated_newest_first_with_sapo_thumbnail_and_time(client, db):
    section = make_category("Mục")
    for n in range(23):
        make_article(
            f"Bài {n:02}",
            category=section,
            sapo=f"Lời dẫn {n:02}.",
            published_at=HANOI_NOON + timedelta(minutes=n),
            blocks=[{"image": png_upload(), "alt_text": f"Ảnh {n:02}"}] if n == 22 else [],
        )
    first = client.get("/muc/").content.decode()
    heads = re.findall(r"<h2><a [^>]+>(Bài \d+)</a></h2>", first)
    assert heads == [f"Bài {n:02}" for n in range(22, 2, -1)]
    assert "Lời dẫn 22." in first and 'alt="Ảnh 22"' in first and "23/01/2025 12:22" in first
    second = client.get("/muc/?page=2").content.decode()
    assert re.findall(r"<h2><a [^>]+>(Bài \d+)</a></h2>", second) == ["Bài 02", "Bài 01", "Bài 00"]
    assert 'rel="prev" href="?page=1"' in second


VISIBLE_PAGES = [
    "/",
    "/tin-tuc/",
    "/muc/",
    "/tim-kiem/?q=bi+mat",
    "/rss/",
    "/muc/rss/",
    "/sitemap.xml",
    "/sitemap-news.xml",
]


@pytest.mark.parametrize("url", VISIBLE_PAGES)
def test_drafts_articles_in_review_and_scheduled_ones_appear_nowhere(client, db, url):
    section = make_category("Mục")
    make_article("Bí mật công khai", category=section)
    hidden = [
        make_article("Bí mật nháp", category=section, status=Article.Status.DRAFT),
        make_article("Bí mật chờ duyệt", category=section, status=Article.Status.REVIEW),
        make_article(
            "Bí mật hẹn giờ", category=section, published_at=timezone.now() + timedelta(hours=1)
        ),
    ]
    page = unescape(client.get(url).content.decode())
    assert "Bí mật công khai" in page or "bi-mat-cong-khai" in page
    for article in hidden:
        assert article.title not in page and article.slug not in page


@pytest.mark.parametrize("query", ["tay ho", "TÂY HỒ", "Tây Hồ", "  tây   HO "])
def test_search_finds_the_same_articles_with_or_without_accents_and_case(client, seed, query):
    html = unescape(client.get("/tim-kiem/", {"q": query}).content.decode())
    assert seed.title in html
    assert "Kết quả cho" in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "x" * 10_000,
        "'; DROP TABLE articles_article; --",
        '<script>alert("x")</script>',
        "%_\\",
        "\x00",
    ],
    ids=["empty", "10000-chars", "sql", "html", "like-wildcards", "nul"],
)
def test_search_is_safe_with_any_input(client, seed, query):
    response = client.get("/tim-kiem/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert '<meta name="robots" content="noindex' in html
    assert Article.objects.filter(pk=seed.pk).exists()
    if query.startswith("<script>"):
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_search_results_are_paginated_and_keep_the_query(client, db):
    for n in range(25):
        make_article(f"Hồ Tây số {n}")
    html = client.get("/tim-kiem/", {"q": "ho tay"}).content.decode()
    assert html.count('class="article-card"') == 20
    assert 'href="?q=ho%20tay&amp;page=2"' in html
    second = client.get("/tim-kiem/", {"q": "ho tay", "page": 2}).content.decode()
    assert second.count('class="article-card"') == 5


def test_public_pages_say_how_long_browsers_and_cdns_may_keep_them(client, seed):
    for url in ("/", "/tin-tuc/", seed.get_absolute_url()):
        cache_control = {part.strip() for part in client.get(url)["Cache-Control"].split(",")}
        assert cache_control == {"public", "max-age=60", "s-maxage=300"}


def test_an_unchanged_page_is_revalidated_with_304_by_date_or_etag(client, seed):
    url = seed.get_absolute_url()
    first = client.get(url)
    assert first["Last-Modified"] and first["ETag"]
    by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    by_tag = client.get(url, headers={"if-none-match": first["ETag"]})
    assert (by_date.status_code, by_tag.status_code) == (304, 304)
    assert by_date.content == b""


def test_a_change_to_the_article_makes_the_old_etag_and_date_stale(client, seed):
    url = seed.get_absolute_url()
    first = client.get(url)
    seed.title = "Tiêu đề đã sửa"
    seed.save()
    again = client.get(
        url, headers={"if-none-match": first["ETag"], "if-modified-since": first["Last-Modified"]}
    )
    assert again.status_code == 200
    assert "Tiêu đề đã sửa" in again.content.decode()


def test_the_404_page_is_in_the_sites_design_and_in_vietnamese(client, db):
    response = client.get("/khong-co-trang-nay/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<header class="site-header">' in html and "/static/articles/site.css" in html
    assert "<h1>Không tìm thấy trang</h1>" in html or "Không tìm thấy" in html


def test_the_500_page_renders_in_vietnamese_without_the_database(rf):
    from django.views.defaults import server_error

    # No db fixture: any query would fail the test, as a broken database would the page.
    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Đã có lỗi xảy ra</h1>" in html and "/static/articles/site.css" in html


def test_the_preview_shows_a_visible_banner(rf, db):
    from articles.views import render_article

    draft = make_article("Bản nháp", status=Article.Status.DRAFT)
    html = render_article(rf.get("/"), draft, preview=True).content.decode()
    banner = html[html.index('class="preview-banner"') :]
    assert "<strong>Xem trước</strong>" in banner[: banner.index("</p>")]
    assert "Trạng thái: Bản nháp" in banner[: banner.index("</p>")]
