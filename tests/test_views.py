import re
from datetime import datetime, timedelta
from html import escape, unescape

import pytest
from django.utils import timezone

from articles.models import Article, Category

from .factories import make_article, make_category, make_photo
from .test_search import shown_titles


def figcaptions(html):
    return [unescape(c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)]


def test_the_article_page_shows_the_captions_as_figure_captions_between_paragraphs(client, seed):
    html = unescape(client.get(seed.get_absolute_url()).content.decode())
    captions = [f.caption for f in seed.figures.all()]
    assert [c.strip() for c in figcaptions(html)] == captions
    body = html[html.index('<div class="article-body">') :]
    first_paragraph = seed.richtexts.first().searchable_text().splitlines()[0]
    order = [body.index(captions[0]), body.index(first_paragraph)]
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


def test_an_article_has_one_address_and_an_id_with_leading_zeros_is_not_it(client, seed):
    assert seed.get_absolute_url().endswith(f"-{seed.pk}.html")
    padded = seed.get_absolute_url().replace(f"-{seed.pk}.html", f"-0{seed.pk}.html")
    assert client.get(padded).status_code == 404


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
    main = html[html.index("<main") : html.index("</main>")]
    assert "Bài của mục" in main
    assert "Bài mục khác" not in main and "Nháp của mục" not in main
    # The sidebar's latest news is the whole site's, drafts left out.
    assert "Bài mục khác" in html and "Nháp của mục" not in html


@pytest.mark.parametrize("url", ["/tin-tuc/", "/chi-dao-dieu-hanh/", "/tim-kiem/?q=tay"])
@pytest.mark.parametrize("page", ["0", "99", "abc", "-1", "1.5", "9" * 30])
def test_a_bad_page_number_is_not_found(client, seed, url, page):
    joiner = "&" if "?" in url else "?"
    assert client.get(f"{url}{joiner}page={page}").status_code == 404


# Home, sections, all news -------------------------------------------------------------


def test_home_leads_with_the_newest_pick_and_lists_latest_picks_and_sections(client, db):
    section = make_category("Nhịp sống Thủ đô")
    now = timezone.now()
    pick = make_article(
        "Tin nên xem", is_pick=True, category=section, published_at=now - timedelta(hours=3)
    )
    newest = make_article("Tin mới nhất", category=section, published_at=now - timedelta(minutes=5))
    html = client.get("/").content.decode()
    lead = html[html.index('class="lead-story"') : html.index('class="latest"')]
    assert "Tin nên xem" in lead
    latest = html[html.index('class="latest"') :]
    assert "Tin mới nhất" in latest
    block = html[html.index('id="section-nhip-song-thu-do"') :]
    assert newest.title in block and pick.title in block


def test_home_leads_with_the_newest_article_when_there_is_no_pick(client, seed):
    html = client.get("/").content.decode()
    lead = html[html.index('class="lead-story"') : html.index('class="latest"')]
    assert seed.title in lead, "the seed story is dated as the newest"


def test_the_all_news_page_lists_every_visible_article_newest_first(client, seed):
    html = client.get("/tin-tuc/").content.decode()
    titles = [a.title for a in Article.objects.published().latest_first()]
    positions = [html.index(escape(t)) for t in titles]
    assert positions == sorted(positions)


def test_a_section_page_is_paginated_with_sapo_and_time(client, db):
    section = make_category("Chỉ đạo - Điều hành")
    now = timezone.now()
    for n in range(25):
        make_article(f"Bài số {n:02d}", category=section, published_at=now - timedelta(hours=n + 1))
    first = client.get("/chi-dao-dieu-hanh/").content.decode()
    second = client.get("/chi-dao-dieu-hanh/?page=2").content.decode()
    assert "Bài số 00" in first and "Bài số 19" in first and "Bài số 20" not in first
    assert "Bài số 20" in second and "Bài số 24" in second
    assert "Tóm tắt bài viết." in first
    assert 'rel="next" href="?page=2"' in first


def test_an_unknown_section_is_not_found_in_the_sites_design(client, db):
    response = client.get("/khong-co-muc-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


# The article page ---------------------------------------------------------------------


def test_the_article_page_has_a_breadcrumb_time_byline_and_sapo(client, db):
    section = make_category("Nhịp sống Thủ đô")
    at = timezone.make_aware(datetime(2025, 1, 23, 20, 53))
    article = make_article(
        "Bài đầy đủ", category=section, byline="Minh Anh", sapo="Đoạn dẫn.", published_at=at
    )
    html = client.get(article.get_absolute_url()).content.decode()
    crumbs = html[html.index('class="breadcrumb"') : html.index("</nav>", html.index("breadcrumb"))]
    assert 'href="/"' in crumbs and 'href="/nhip-song-thu-do/"' in crumbs
    assert "23/01/2025 20:53" in html
    assert '<p class="byline">Minh Anh</p>' in html and '<p class="sapo">Đoạn dẫn.</p>' in html


def test_related_links_are_topped_up_from_the_same_section(client, db):
    section = make_category()
    chosen = make_article("Do biên tập chọn", category=section)
    same_section = make_article("Cùng chuyên mục", category=section)
    elsewhere = make_article("Mục khác", category=make_category())
    article = make_article("Đang đọc", category=section, related=[chosen])
    html = client.get(article.get_absolute_url()).content.decode()
    box = html[html.index('class="related"') : html.index('class="other-news"')]
    assert box.index("Do biên tập chọn") < box.index("Cùng chuyên mục")
    assert elsewhere.title not in box and same_section.title in box


def test_the_picks_box_shows_editors_picks_but_not_the_article_itself(client, db):
    pick = make_article("Bài được chọn", is_pick=True)
    article = make_article("Cũng là pick", is_pick=True)
    html = client.get(article.get_absolute_url()).content.decode()
    box = html[html.index('class="picks"') :]
    box = box[: box.index("</section>")]
    assert "Nên xem" in box and pick.title in box and article.title not in box


def test_a_photo_is_shown_with_renditions_srcset_size_and_loading(
    client, db, media_root, django_capture_on_commit_callbacks
):
    from .factories import png_upload

    with django_capture_on_commit_callbacks(execute=True):  # renditions are made on commit
        article = make_article(
            blocks=[
                "Đoạn mở đầu.",
                {"image": png_upload(size=(1600, 900)), "alt_text": "Hồ Tây", "caption": "Ảnh"},
                {"image": png_upload(size=(900, 600)), "alt_text": "Phố cổ", "caption": "Ảnh 2"},
            ]
        )
    figure = article.figures.order_by("ordering").first()
    html = client.get(article.get_absolute_url()).content.decode()
    first, second = re.findall(r"<figure class=\"figure\">\s*(<img[^>]+>)", html)
    for width in (480, 800, 1200):
        assert f"-{width}.webp {width}w" in first
    assert f"{figure.image.url} 1600w" in first
    assert 'width="1600" height="900"' in first and 'alt="Hồ Tây"' in first
    # The first photo is the page's largest paint: loaded at once, before the others.
    assert 'loading="eager"' in first and 'fetchpriority="high"' in first
    assert 'loading="lazy"' in second and "fetchpriority" not in second


# Search -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["tay ho", "TÂY HỒ", "Tây Hồ"])
def test_search_finds_the_seed_story_with_or_without_accents(client, seed, query):
    html = client.get("/tim-kiem/", {"q": query}).content.decode()
    assert shown_titles(html) == [seed.title]


@pytest.mark.parametrize(
    "query",
    ["", " ", "x" * 10_000, "'; DROP TABLE articles_article; --", "<script>alert(1)</script>"],
)
def test_search_is_safe_with_any_input(client, seed, query):
    response = client.get("/tim-kiem/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert Article.objects.count() == 17


def test_search_results_are_not_indexed(client, seed):
    html = client.get("/tim-kiem/", {"q": "tay ho"}).content.decode()
    assert '<meta name="robots" content="noindex, follow">' in html


def test_search_never_shows_an_unpublished_article(client, db):
    make_article("Tây Hồ bản nháp", status=Article.Status.DRAFT)
    make_article("Tây Hồ hẹn giờ", published_at=timezone.now() + timedelta(days=1))
    html = client.get("/tim-kiem/", {"q": "tay ho"}).content.decode()
    assert "bản nháp" not in html and "hẹn giờ" not in html


# HTTP ---------------------------------------------------------------------------------


def test_public_pages_can_be_cached_by_a_cdn_and_revalidated(client, seed, monkeypatch):
    url = seed.get_absolute_url()
    # A second after the last change: no date is sent in the second of a change (caching.py).
    later = timezone.now() + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get(url)
    assert "public" in response["Cache-Control"] and "s-maxage=300" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304


def test_an_edit_ends_revalidation_at_once(client, seed, monkeypatch):
    url = seed.get_absolute_url()
    later = timezone.now() + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    first = client.get(url)
    seed.title = "Tiêu đề đã sửa"
    seed.save()
    for validator in (
        {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]},
        {"HTTP_IF_NONE_MATCH": first["ETag"]},
    ):
        after = client.get(url, **validator)
        assert after.status_code == 200
        assert "Tiêu đề đã sửa" in after.content.decode()


def test_public_pages_refuse_posts(client, seed):
    assert client.post("/").status_code == 405
    assert client.post(seed.get_absolute_url()).status_code == 405


# Query counts -------------------------------------------------------------------------


@pytest.fixture
def no_page_cache(settings):
    """Measure the views themselves, not the page cache in front of them."""
    settings.PAGE_CACHE_SECONDS = 0


def add_content(size):
    sections = [make_category() for _ in range(3)]
    targets = [make_article(category=sections[n % 3], is_pick=n % 4 == 0) for n in range(size)]
    blocks = [f"Đoạn {n}." if n % 2 else {"caption": f"Ảnh {n}"} for n in range(size)]
    return make_article(category=sections[0], blocks=blocks, related=targets)


@pytest.mark.parametrize("size", [2, 30])
def test_the_article_page_runs_two_queries_whatever_its_figures_and_links(
    client, db, no_page_cache, django_assert_max_num_queries, size
):
    article = add_content(size)
    # The first reader after a change also computes what every page shares (the breaking
    # banner among them), the article's photo for shared links, its corrections, and its
    # authors and topics.
    with django_assert_max_num_queries(15):
        assert client.get(article.get_absolute_url()).status_code == 200
    # Then: the article, and its body (text blocks and figures together).
    with django_assert_max_num_queries(2):
        response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert html.count("<figcaption>") == size // 2 and f"Đoạn {size - 1}." in html


def test_an_article_page_rendered_afresh_takes_its_shared_links_photo_from_its_body(
    client, db, no_page_cache, settings, django_assert_max_num_queries
):
    first, second = make_photo(alt_text="Hồ Tây"), make_photo(alt_text="Phủ Tây Hồ")
    article = make_article(blocks=["Đoạn đầu.", {"photo": first}, {"photo": second}])
    settings.FRAGMENT_MEMORY = 0  # nothing kept: the first reader after an edit of it
    client.get(article.get_absolute_url())
    with django_assert_max_num_queries(2):  # the article, and its body
        html = client.get(article.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="http://testserver{first.image.url}">' in html
    assert '<meta property="og:image:alt" content="Hồ Tây">' in html


def listed_headlines_rendered(response):
    return sum(t.name == "articles/includes/article_item.html" for t in response.templates)


def test_the_lists_article_pages_share_are_rendered_once_per_change_of_the_site(
    client, db, no_page_cache
):
    older, newer = make_category(), make_category()
    last_week = timezone.now() - timedelta(days=7)
    first, second = (make_article(category=older, published_at=last_week) for _ in range(2))
    latest = [make_article(category=newer) for _ in range(11)]
    # Each page renders its own related box (one headline: the other old article) ...
    assert listed_headlines_rendered(client.get(first.get_absolute_url())) == 1 + 10
    # ... and the second takes "Tin khác" as the first one rendered it.
    assert listed_headlines_rendered(client.get(second.get_absolute_url())) == 1
    latest[-1].title = "Tin mới nhất, đã sửa"
    latest[-1].save()
    response = client.get(second.get_absolute_url())
    assert listed_headlines_rendered(response) == 1 + 10
    assert "Tin mới nhất, đã sửa" in response.content.decode()


@pytest.mark.parametrize("size", [2, 30])
def test_home_and_section_pages_run_a_fixed_number_of_queries(
    client, db, no_page_cache, django_assert_max_num_queries, size
):
    article = add_content(size)
    # The first reader after a change: a few queries (the breaking banner's and the front
    # page's layout among them), plus one short one per section.
    with django_assert_max_num_queries(8 + Category.objects.count()):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/").status_code == 200
    # The section, its count, its page of articles and that page's photos; the sidebar's
    # latest news and their photos.
    with django_assert_max_num_queries(6):
        assert client.get(article.category.get_absolute_url()).status_code == 200
    # Then the articles are counted and the cards rendered no more: the section, its page.
    with django_assert_max_num_queries(2):
        assert client.get(article.category.get_absolute_url()).status_code == 200


def test_a_section_counts_its_pages_again_after_a_change(client, db, no_page_cache, monkeypatch):
    monkeypatch.setattr("articles.views.PAGE_SIZE", 2)
    section = make_category("Giao thông")
    for _ in range(4):
        make_article(category=section)
    assert client.get("/giao-thong/?page=2").status_code == 200
    assert client.get("/giao-thong/?page=3").status_code == 404
    make_article("Bài thứ năm", category=section)
    assert "Bài thứ năm" in client.get("/giao-thong/?page=1").content.decode()
    assert client.get("/giao-thong/?page=3").status_code == 200


# Lists: section order, thumbnails, what never shows -----------------------------------


def test_home_shows_a_block_per_section_in_position_order(client, db):
    second = make_category("Mục hai", position=2)
    first = make_category("Mục một", position=1)
    for section in (second, first):
        make_article(f"Bài của {section.name}", category=section)
    html = client.get("/").content.decode()
    assert html.index('id="section-muc-mot"') < html.index('id="section-muc-hai"')
    block = html[html.index('id="section-muc-mot"') :]
    assert "Bài của Mục một" in block[: block.index("</section>")]


def test_listed_articles_show_their_first_photo_as_a_thumbnail(
    client, db, django_capture_on_commit_callbacks
):
    from .factories import png_upload

    section = make_category("Mục")
    with django_capture_on_commit_callbacks(execute=True):  # renditions are made on commit
        make_article(
            "Có ảnh",
            category=section,
            blocks=[
                "Đoạn đầu.",
                {"caption": "Ảnh mất"},
                {"image": png_upload(size=(900, 600)), "alt_text": "Ảnh đầu tiên"},
                {"image": png_upload(size=(900, 600)), "alt_text": "Ảnh thứ hai"},
            ],
        )
    make_article("Không ảnh", category=section)
    for url in ("/muc/", "/tin-tuc/", "/tim-kiem/?q=anh"):
        html = re.sub("</?mark>", "", client.get(url).content.decode())  # search marks words
        cards = {
            re.search(r"<h2><a [^>]+>([^<]+)</a>", card).group(1): card
            for card in html.split('<article class="article-card">')[1:]
        }
        assert 'alt="Ảnh đầu tiên"' in cards["Có ảnh"] and "Ảnh thứ hai" not in cards["Có ảnh"]
        # The card shows the photo's 16:9 crop, around its focal point (the middle).
        assert 'width="900" height="506"' in cards["Có ảnh"]
        # Narrower than crops are made (1200 px): no srcset, so never stretched.
        assert re.search(r'src="[^"]+-16x9-0500-0500\.webp" width', cards["Có ảnh"])
        assert "<img" not in cards["Không ảnh"]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/tin-tuc/",
        "/muc/",
        "/tim-kiem/?q=bi+mat",
        "/rss/",
        "/muc/rss/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-sections.xml",
        "/sitemap-news.xml",
    ],
)
def test_drafts_articles_in_review_and_scheduled_ones_appear_nowhere(client, db, url):
    section = make_category("Mục")
    shown = make_article("Bí mật công khai", category=section)
    hidden = [
        make_article("Bí mật nháp", category=section, status=Article.Status.DRAFT),
        make_article("Bí mật chờ duyệt", category=section, status=Article.Status.REVIEW),
        make_article(
            "Bí mật hẹn giờ", category=section, published_at=timezone.now() + timedelta(hours=1)
        ),
    ]
    page = client.get(url).content.decode()
    # Each URL shows what it is for: the index its sitemaps, the sections sitemap sections.
    expected = {
        "/sitemap.xml": "/sitemap-articles.xml",
        "/sitemap-sections.xml": section.get_absolute_url(),
    }.get(url, shown.get_absolute_url())
    assert expected in page
    for article in hidden:
        assert article.title not in page and article.slug not in page


def test_search_results_are_paginated_and_the_pages_keep_the_query(client, db):
    for n in range(25):
        make_article(f"Hồ Tây số {n}")
    html = client.get("/tim-kiem/", {"q": "ho tay"}).content.decode()
    assert len(shown_titles(html)) == 20
    assert 'href="?q=ho+tay&amp;page=2"' in html
    second = client.get("/tim-kiem/", {"q": "ho tay", "page": 2}).content.decode()
    assert len(shown_titles(second)) == 5


def test_search_shows_html_in_the_query_as_text(client, db):
    html = client.get("/tim-kiem/", {"q": '<b>"đậm"</b>'}).content.decode()
    assert "&lt;b&gt;&quot;đậm&quot;&lt;/b&gt;" in html and "<b>" not in html


def test_the_search_page_offers_the_query_again_and_the_header_form_stays_empty(client, db):
    html = client.get("/tim-kiem/", {"q": "phố cổ"}).content.decode()
    assert '<input id="search-page-q" type="search" name="q" value="phố cổ"' in html
    assert '<input id="search-q" type="search" name="q" value=""' in html
    # The header is kept for every page: the next page's must not carry this query.
    home = client.get("/").content.decode()
    assert "phố cổ" not in home and '<input id="search-q" type="search" name="q" value=""' in home


# Error pages and previews ---------------------------------------------------------------


def test_the_500_page_is_in_the_sites_design_and_needs_no_database(rf):
    from django.views.defaults import server_error

    # No db fixture: a query would fail this test, as a broken database would the page.
    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Đã có lỗi xảy ra</h1>" in html
    assert '<header class="site-header">' in html and "articles/site.css" in html


def test_a_preview_shows_a_visible_banner_and_no_canonical_link(rf, db):
    from articles.views import render_article

    draft = make_article("Bản nháp", status=Article.Status.DRAFT)
    html = render_article(rf.get("/"), draft, preview=True).content.decode()
    banner = html[html.index('class="preview-banner"') :]
    banner = banner[: banner.index("</p>")]
    assert "<strong>Xem trước</strong>" in banner and "Trạng thái: Bản nháp" in banner
    assert 'rel="canonical"' not in html and "application/ld+json" not in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_a_readers_kept_head_and_a_previews_head_never_stand_in_for_each_other(rf, db):
    from articles.views import render_article

    story = make_article("Hồ Tây mùa sen")
    robots = '<meta name="robots" content="noindex, nofollow">'
    read = render_article(rf.get("/"), story).content.decode()
    previewed = render_article(rf.get("/"), story, preview=True).content.decode()
    read_again = render_article(rf.get("/"), story).content.decode()
    assert robots in previewed and 'rel="canonical"' not in previewed
    for html in (read, read_again):
        assert robots not in html and 'rel="canonical"' in html
        assert "<title>Hồ Tây mùa sen - " in html


def test_favicon_ico_leads_to_the_sites_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("articles/favicon.svg")
