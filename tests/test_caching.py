"""The page cache serves readers from memory and never serves a page older than its content."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from articles.models import Article, Figure, RelatedLink

from .factories import make_article, make_category


@pytest.fixture
def newsroom(db):
    """A section, a story with a figure and a related link, and a story that links to it."""
    section = make_category("Nhịp sống Thủ đô")
    story = make_article(
        "Chợ hoa Quảng Bá",
        category=section,
        blocks=["Chợ mở suốt đêm.", {"caption": "Chợ hoa lúc rạng sáng"}],
    )
    linking = make_article("Bài có liên kết", category=make_category("Khác"), related=[story])
    return section, story, linking


@pytest.fixture(params=["page cache", "shared fragments only"])
def either_cache(request, settings):
    """With the page cache, and without it: then the shared fragments must keep up alone."""
    if request.param == "shared fragments only":
        settings.PAGE_CACHE_SECONDS = 0


def pages_showing(story, linking):
    """Every page on which the story or its changes can be seen."""
    return {
        "article": story.get_absolute_url(),
        "home": "/",
        "section": story.category.get_absolute_url(),
        "all news": "/tin-tuc/",
        "related from another article": linking.get_absolute_url(),
        "feed": "/rss/",
        "section feed": f"{story.category.get_absolute_url()}rss/",
        "sitemap": "/sitemap-articles.xml",
    }


def warm(client, urls):
    return {name: client.get(url).content.decode() for name, url in urls.items()}


def test_a_second_request_is_served_from_the_cache_without_any_query(
    client, newsroom, django_assert_num_queries
):
    _, story, _ = newsroom
    first = client.get(story.get_absolute_url())
    with django_assert_num_queries(0):
        second = client.get(story.get_absolute_url())
    assert second.content == first.content
    with django_assert_num_queries(0):
        assert (
            client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"]).status_code
            == 304
        )


@pytest.mark.usefixtures("either_cache")
def test_an_edited_headline_shows_at_once_on_every_page(client, newsroom):
    _, story, linking = newsroom
    urls = pages_showing(story, linking)
    warm(client, urls)
    story.title = "Chợ hoa Quảng Bá đón Tết"
    story.save()
    urls["article"] = story.get_absolute_url()
    for name, html in warm(client, urls).items():
        if name != "sitemap":
            assert "Chợ hoa Quảng Bá đón Tết" in html, name


@pytest.mark.usefixtures("either_cache")
def test_an_unpublished_story_leaves_every_page_at_once(client, newsroom):
    _, story, linking = newsroom
    urls = pages_showing(story, linking)
    warm(client, urls)
    story.status = Article.Status.DRAFT
    story.save()
    assert client.get(story.get_absolute_url()).status_code == 404
    for name, html in warm(client, {k: v for k, v in urls.items() if k != "article"}).items():
        assert "Chợ hoa Quảng Bá" not in html and story.slug not in html, name


@pytest.mark.usefixtures("either_cache")
def test_a_published_story_appears_on_every_page_at_once(client, newsroom):
    section, _, linking = newsroom
    draft = make_article("Phố bích họa", category=section, status=Article.Status.DRAFT)
    urls = pages_showing(draft, linking)
    del urls["article"]
    warm(client, urls)
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert "Phố bích họa" in client.get(draft.get_absolute_url()).content.decode()
    for name in ("home", "section", "all news", "feed", "section feed"):
        assert "Phố bích họa" in client.get(urls[name]).content.decode(), name
    assert "Phố bích họa" in box(client, linking, "other-news")
    assert draft.get_absolute_url() in client.get(urls["sitemap"]).content.decode()


@pytest.mark.usefixtures("either_cache")
def test_an_edited_caption_shows_at_once(client, newsroom):
    _, story, _ = newsroom
    client.get(story.get_absolute_url())
    figure = story.figures.get()
    figure.caption = "Chợ hoa lúc nửa đêm"
    figure.save()
    assert "Chợ hoa lúc nửa đêm" in client.get(story.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("either_cache")
def test_added_and_removed_related_links_show_at_once(client, newsroom):
    _, story, linking = newsroom
    other = make_article("Làng đào Nhật Tân")
    client.get(story.get_absolute_url())
    link = RelatedLink.objects.create(article=story, target=other, position=1)
    assert "Làng đào Nhật Tân" in related_box(client, story)
    link.delete()
    assert "Làng đào Nhật Tân" not in related_box(client, story)


def box(client, article, name):
    html = client.get(article.get_absolute_url()).content.decode()
    start = html.find(f'class="{name}"')
    return html[start : html.index("</section>", start)] if start >= 0 else ""


def related_box(client, article):
    return box(client, article, "related")


@pytest.mark.usefixtures("either_cache")
def test_a_renamed_section_shows_at_once(client, newsroom):
    section, story, _ = newsroom
    warm(client, {"home": "/", "article": story.get_absolute_url()})
    section.name = "Sống ở Thủ đô"
    section.save()
    for url in ("/", story.get_absolute_url(), section.get_absolute_url()):
        assert "Sống ở Thủ đô" in client.get(url).content.decode(), url


@pytest.mark.usefixtures("either_cache")
def test_a_scheduled_story_appears_on_its_minute_with_no_job(client, newsroom, monkeypatch):
    section, _, _ = newsroom
    due = timezone.now() + timedelta(minutes=5)
    scheduled = make_article("Bắn pháo hoa đêm giao thừa", category=section, published_at=due)
    for url in ("/", section.get_absolute_url()):
        assert "Bắn pháo hoa" not in client.get(url).content.decode()
    assert client.get(scheduled.get_absolute_url()).status_code == 404

    monkeypatch.setattr(timezone, "now", lambda: due + timedelta(seconds=1))
    for url in ("/", section.get_absolute_url(), scheduled.get_absolute_url(), "/rss/"):
        assert "Bắn pháo hoa" in client.get(url).content.decode(), url


def queries_for(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return len(context.captured_queries)


@pytest.mark.parametrize("url", ["/tim-kiem/?q=cho+hoa", "/admin/articles/article/"])
def test_search_and_admin_pages_are_never_served_from_the_cache(admin_client, newsroom, url):
    queries_for(admin_client, url)
    assert queries_for(admin_client, url) > 0


@pytest.mark.usefixtures("either_cache")
def test_a_deleted_figure_leaves_the_page_at_once(client, newsroom):
    _, story, _ = newsroom
    client.get(story.get_absolute_url())
    Figure.objects.filter(article=story).get().delete()
    assert "Chợ hoa lúc rạng sáng" not in client.get(story.get_absolute_url()).content.decode()


def test_links_shared_with_tracking_parameters_are_served_from_the_page_cache(
    client, newsroom, django_assert_num_queries
):
    _, story, _ = newsroom
    page = client.get(story.get_absolute_url())
    # On Redis the first read of the site's version starts its watch (articles/cache/redis.py),
    # and the next read checks the copy once under it; from then on no query.
    client.get(story.get_absolute_url())
    with django_assert_num_queries(0):
        shared = client.get(f"{story.get_absolute_url()}?fbclid=IwAR0x&utm_source=zalo")
    assert shared.content == page.content


def test_each_page_of_a_list_has_its_own_copy_in_the_page_cache(client, newsroom):
    first = client.get("/tin-tuc/")
    assert "Chợ hoa Quảng Bá" in first.content.decode()
    # Three articles make one page: the second is not the first page's copy.
    assert client.get("/tin-tuc/?page=2&utm_source=zalo").status_code == 404
    assert client.get("/tin-tuc/?utm_source=zalo&page=1").content == first.content


@pytest.mark.parametrize("url", ["/rss/", "/sitemap.xml", "/sitemap-articles.xml", "/robots.txt"])
def test_feeds_sitemaps_and_robots_are_cacheable_and_served_from_the_cache(
    client, seed, url, django_assert_num_queries, clock
):
    clock.move(seconds=2)
    first = client.get(url)
    assert "public" in first["Cache-Control"] and first["Last-Modified"]
    with django_assert_num_queries(0):
        assert client.get(url).content == first.content


@pytest.fixture
def clock(monkeypatch):
    """The site's clock, stopped at a chosen moment and moved by hand."""

    class Clock:
        now = timezone.now().replace(microsecond=100_000)

        def move(self, **delta):
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def test_a_page_sent_in_the_second_of_a_change_has_no_date_to_revalidate_with(
    client, clock, newsroom
):
    _, story, _ = newsroom  # changed at .1 s
    clock.move(seconds=0.2)
    first = client.get(story.get_absolute_url())
    assert "Last-Modified" not in first and first["ETag"]

    clock.move(seconds=0.4)  # still the same second
    story.title = "Chợ hoa Quảng Bá mở cả đêm"
    story.save()
    again = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "Chợ hoa Quảng Bá mở cả đêm" in again.content.decode()


def test_once_the_second_has_passed_the_date_answers_if_modified_since(
    client, clock, newsroom, django_assert_num_queries
):
    _, story, _ = newsroom
    changed = clock.now
    clock.move(seconds=1)
    url = story.get_absolute_url()
    first = client.get(url)
    assert first["Last-Modified"] == http_date(changed.timestamp())
    with django_assert_num_queries(0):
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    clock.move(seconds=0.5)
    story.sapo = "Chợ hoa mở từ chiều 28 Tết."
    story.save()
    after = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert after.status_code == 200 and "Chợ hoa mở từ chiều 28 Tết." in after.content.decode()


def test_a_head_request_is_answered_from_the_cached_page(
    client, newsroom, django_assert_num_queries
):
    _, story, _ = newsroom
    page = client.get(story.get_absolute_url())
    with django_assert_num_queries(0):
        head = client.head(story.get_absolute_url())
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == page["ETag"] and head["Content-Length"] == page["Content-Length"]


# Each process's own copies of the shared pieces ---------------------------------------


def test_a_change_marked_by_another_process_is_seen_at_once(db):
    from django.core.cache import cache

    from articles.cache import version

    assert version.shared("piece", lambda: "before") == "before"
    assert version.shared("piece", lambda: "recomputed") == "before"
    # Another process's edit reaches this one only through the shared cache.
    later = timezone.now() + timedelta(seconds=1)
    cache.set(version.KEY, (later, None), timeout=None)
    assert version.shared("piece", lambda: "after") == "after"


def test_a_process_keeps_a_bounded_number_of_pieces_dropping_the_least_used(db, monkeypatch):
    from articles.cache import version

    monkeypatch.setattr(version, "PROCESS_COPIES", 2)
    moment = timezone.now()
    for name in ("a", "b"):
        version.copies.keep(moment, name, name.upper())
    version.copies.get(moment, "a")
    version.copies.keep(moment, "c", "C")
    assert [version.copies.get(moment, n) for n in ("a", "b", "c")] == ["A", None, "C"]


def test_a_piece_of_an_older_site_version_never_replaces_the_newer_ones(db):
    from articles.cache import version

    newer = timezone.now()
    version.copies.keep(newer, "list", "new")
    version.copies.keep(newer - timedelta(seconds=1), "list", "old")
    assert version.copies.get(newer, "list") == "new"


def test_pieces_computed_during_a_request_are_kept_under_the_site_version_it_began(client, rf, db):
    from django.core.cache import cache

    from articles.cache import version

    def moves_on(moment):
        cache.set(version.KEY, (moment + timedelta(seconds=1), None), timeout=None)
        return moment + timedelta(seconds=1)

    began = version.of_request(rf.get("/"))
    later = moves_on(began)  # an edit lands while the page renders
    version.shared("piece", lambda: "rendered")
    assert cache.get(f"articles:shared:piece:{began.timestamp()}") == "rendered"

    client.get("/robots.txt")  # the end of a request forgets its moment
    latest = moves_on(later)
    version.shared("piece", lambda: "after the edit")
    assert cache.get(f"articles:shared:piece:{latest.timestamp()}") == "after the edit"


# The ETag -------------------------------------------------------------------------------


def test_a_rendered_pages_etag_is_the_xxh3_digest_of_its_body_and_revalidates_it(
    client, newsroom, settings
):
    import xxhash

    settings.PAGE_CACHE_SECONDS = 0  # every request renders the page
    _, story, _ = newsroom
    page = client.get(story.get_absolute_url())
    assert page["ETag"] == f'"{xxhash.xxh3_128_hexdigest(page.content)}"'
    again = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=page["ETag"])
    assert again.status_code == 304 and again.content == b""
    story.title = "Chợ hoa Quảng Bá mở cả đêm"
    story.save()
    changed = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=page["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != page["ETag"]


def test_a_responses_dates_are_read_from_its_headers_unless_the_page_cache_kept_them():
    from django.http import HttpResponse

    from articles.cache.pages import KEPT_DATES, dates_of

    response = HttpResponse(
        headers={
            "Last-Modified": http_date(1_900_000_000),
            "Cache-Control": "public, max-age=60, s-maxage=300",
        }
    )
    assert dates_of(response) == (1_900_000_000, 300)  # a page kept by an earlier release
    setattr(response, KEPT_DATES, (1_800_000_000, 60))
    assert dates_of(response) == (1_800_000_000, 60)
