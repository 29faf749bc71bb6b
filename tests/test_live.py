"""A live newsroom: most read, breaking news, corrections and updates, and what outside
judges found on the readers' pages (feeds' photos, sitemaps' images, compression, one
search landmark)."""

import gzip
import pickle
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from articles import most_read
from articles.cache import version
from articles.models import Article, Correction

from .factories import make_article, make_category, png_upload

BOX = re.compile(r'<section class="most-read".*?</section>', re.S)


def most_read_box(html):
    """The headlines of the "Đọc nhiều" box, in its order; None when there is no box."""
    found = BOX.search(html)
    if found is None:
        return None
    assert "Đọc nhiều" in found.group(0)
    return [
        unescape(t) for t in re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', found.group(0))
    ]


def beacon_url(html):
    """The address the page's beacon script counts the view at."""
    found = re.search(
        r'<script src="/static/articles/js/most-read\.js" data-count-url="([^"]+)" defer>', html
    )
    return found and found.group(1)


def read_by(url, address, agent="Mozilla/5.0 (Linux; Android 14) Chrome/131"):
    """A reader's browser sending the beacon of a page."""
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent).post(url)


def everything_kept():
    """Every key and value the cache holds, as bytes (locmem or Redis)."""
    if isinstance(getattr(cache, "_cache", None), dict):  # locmem
        return pickle.dumps(dict(cache._cache)) + pickle.dumps(list(cache._cache))
    client = cache._cache.get_client()
    return b"".join(key + (client.dump(key) or b"") for key in client.scan_iter())


@pytest.fixture(autouse=True)
def new_process(monkeypatch):
    """Each test starts as a new process: no day's salt kept from another test's cache."""
    monkeypatch.setattr(most_read, "_salts", {})


@pytest.fixture
def clock(monkeypatch):
    """The counts' clock, moved by hand (hours and the age of the list)."""

    class Clock:
        now = 1_780_000_000.0

        def move(self, seconds):
            self.now += seconds

    found = Clock()
    monkeypatch.setattr(most_read, "clock", lambda: found.now)
    return found


# Most read ------------------------------------------------------------------------------


def test_the_box_ranks_stories_by_views_counted_by_their_pages_beacons(client, db, clock, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page cache's own expiry is on the real clock
    stories = {name: make_article(name) for name in ("Ba lượt", "Hai lượt", "Một lượt")}
    draft = make_article("Bản nháp được đọc", status=Article.Status.DRAFT)
    for name, readers in (("Ba lượt", 3), ("Hai lượt", 2), ("Một lượt", 1)):
        url = beacon_url(client.get(stories[name].get_absolute_url()).content.decode())
        assert url == f"/luot-doc/{stories[name].pk}/"
        for n in range(readers):
            assert read_by(url, f"203.0.113.{n}").status_code == 204
    for n in range(5):  # never shown: readers may not see it
        read_by(f"/luot-doc/{draft.pk}/", f"198.51.100.{n}")

    clock.move(most_read.refresh_seconds() + 1)  # the list shown so far (empty) is renewed
    assert most_read_box(client.get("/").content.decode()) == ["Ba lượt", "Hai lượt", "Một lượt"]
    article_page = client.get(stories["Một lượt"].get_absolute_url()).content.decode()
    assert most_read_box(article_page) == ["Ba lượt", "Hai lượt", "Một lượt"]


def test_a_client_is_counted_once_per_story_per_hour(db, clock):
    story, other = make_article("Tin nóng"), make_article("Tin khác")
    url = f"/luot-doc/{story.pk}/"
    for _ in range(10):
        read_by(url, "203.0.113.9")
    read_by(f"/luot-doc/{other.pk}/", "203.0.113.9")  # another story counts on its own
    read_by(url, "203.0.113.9", agent="Another browser/1.0")  # another client behind the address
    assert most_read.totals() == {story.pk: 2, other.pk: 1}

    clock.move(3600)  # the next hour: counted again, and the last hour still counts
    read_by(url, "203.0.113.9")
    read_by(url, "203.0.113.9")
    assert most_read.totals() == {story.pk: 3, other.pk: 1}

    clock.move(24 * 3600)  # a day later, the first hour is out of the 24
    assert most_read.totals() == {}


def test_the_beacon_sets_no_cookie_and_nothing_of_the_reader_is_stored(db, clock):
    story = make_article()
    response = read_by(f"/luot-doc/{story.pk}/", "203.0.113.77", agent="Rare-Browser/9.9")
    assert response.status_code == 204 and not response.cookies
    assert "no-store" in response["Cache-Control"]
    kept = everything_kept()
    assert b"most-read:seen:" in kept  # the view's hash is there...
    assert b"203.0.113.77" not in kept and b"Rare-Browser" not in kept  # ...and nothing else
    # The hashes' salt is the cache's own, a new one each day.
    today = cache.get(f"most-read:salt:{most_read.current_hour() // 24}")
    clock.move(24 * 3600)
    read_by(f"/luot-doc/{story.pk}/", "203.0.113.77")
    tomorrow = cache.get(f"most-read:salt:{most_read.current_hour() // 24}")
    assert today and tomorrow and today != tomorrow


def test_the_beacon_refuses_a_get_and_ignores_ids_of_no_visible_story(client, db, clock):
    story = make_article()
    assert client.get(f"/luot-doc/{story.pk}/").status_code == 405
    assert read_by(f"/luot-doc/{story.pk + 1000}/", "203.0.113.1").status_code == 204
    assert most_read.totals() == {}


def test_the_box_is_refreshed_every_few_minutes_not_on_every_view(client, db, clock, settings):
    settings.MOST_READ_REFRESH_SECONDS = 300
    settings.PAGE_CACHE_SECONDS = 0  # the page cache's own expiry is on the real clock
    first, second = make_article("Bài thứ nhất"), make_article("Bài thứ hai")
    read_by(f"/luot-doc/{first.pk}/", "203.0.113.1")
    assert most_read_box(client.get("/").content.decode()) == ["Bài thứ nhất"]
    for n in range(3):
        read_by(f"/luot-doc/{second.pk}/", f"203.0.113.{n + 10}")
    clock.move(200)
    assert most_read_box(client.get("/").content.decode()) == ["Bài thứ nhất"]
    clock.move(101)
    assert most_read_box(client.get("/").content.decode()) == ["Bài thứ hai", "Bài thứ nhất"]


def test_a_process_reads_the_list_from_the_cache_once_until_it_is_due(
    client, db, clock, settings, monkeypatch
):
    settings.MOST_READ_REFRESH_SECONDS = 300
    settings.PAGE_CACHE_SECONDS = 0  # every request renders its page
    story = make_article("Bài được đọc nhiều")
    read_by(f"/luot-doc/{story.pk}/", "203.0.113.1")
    lists_read = []
    real_get = cache.get
    monkeypatch.setattr(
        cache,
        "get",
        lambda key, *a, **kw: (
            lists_read.append(key) if key.startswith(f"{most_read.PREFIX}:list") else None,
            real_get(key, *a, **kw),
        )[1],
    )
    for _ in range(3):
        assert most_read_box(client.get("/").content.decode()) == ["Bài được đọc nhiều"]
    assert len(lists_read) == 1
    clock.move(301)  # due again: read from the cache, found old, computed again
    assert most_read_box(client.get("/").content.decode()) == ["Bài được đọc nhiều"]
    assert len(lists_read) == 2


def test_a_page_showing_the_box_is_kept_in_the_page_cache_no_longer_than_the_box(
    client, db, clock, settings, monkeypatch
):
    settings.MOST_READ_REFRESH_SECONDS = 300
    story = make_article("Bài được đọc")
    read_by(f"/luot-doc/{story.pk}/", "203.0.113.1")
    kept = []
    real_set = cache.set
    monkeypatch.setattr(
        cache,
        "set",
        lambda key, value, timeout=None, **kw: (
            kept.append((key, timeout)) or real_set(key, value, timeout, **kw)
        ),
    )
    client.get("/")
    clock.move(120)
    client.get(story.get_absolute_url())
    page_entries = [timeout for key, timeout in kept if key.startswith("articles:page:")]
    assert page_entries == [300, 180]


def test_the_beacon_is_in_pages_from_the_page_cache_and_in_the_static_publication(
    client, db, clock, settings, tmp_path, django_assert_num_queries
):
    from articles import publishing

    story = make_article("Bài trên trang tĩnh")
    client.get(story.get_absolute_url())
    with django_assert_num_queries(0):  # from the page cache: no view of the site ran
        cached = client.get(story.get_absolute_url()).content.decode()
    assert beacon_url(cached) == f"/luot-doc/{story.pk}/"

    settings.STATIC_PUBLISH = True
    settings.STATIC_PUBLISH_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "published"},
    }
    settings.ALLOWED_HOSTS = [settings.STATIC_PUBLISH_HOST, "testserver"]
    publishing.Publisher().publish_changes(publishing.Changes(articles={story.pk}))
    static = (tmp_path / "published" / publishing.file_name(story.get_absolute_url())).read_text()
    url = beacon_url(static)
    assert url == f"/luot-doc/{story.pk}/"
    read_by(url, "203.0.113.5")
    assert most_read.totals() == {story.pk: 1}


def test_a_preview_sends_no_beacon(rf, db):
    from articles.views import render_article

    draft = make_article("Bản nháp", status=Article.Status.DRAFT)
    html = render_article(rf.get("/"), draft, preview=True).content.decode()
    assert beacon_url(html) is None


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The cache is a Redis on a port where nothing listens."""
    backend = pytest.importorskip("articles.cache.redis", reason="not installed: redis")
    from .live import free_port

    monkeypatch.setattr(backend, "_breakers", {})
    settings.CACHES = {
        "default": {
            "BACKEND": "articles.cache.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    settings.CACHE_SHARED_BY_PROCESSES = True
    version.copies.clear()


def test_with_the_cache_down_pages_render_without_the_box_and_the_beacon_answers(db, redis_down):
    story = make_article("Bài khi bộ nhớ đệm hỏng")
    reader = Client()
    for url in ("/", story.get_absolute_url()):
        response = reader.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and story.title in html
        assert most_read_box(html) is None
    assert beacon_url(html) == f"/luot-doc/{story.pk}/"
    assert read_by(f"/luot-doc/{story.pk}/", "203.0.113.1").status_code == 204


@pytest.mark.needs_redis
def test_on_redis_views_are_counted_in_sorted_sets_across_processes(client, db, clock):
    story, other = make_article("Bài Redis"), make_article("Bài khác")
    assert isinstance(most_read.counter(), most_read.RedisCounter)
    for n in range(3):
        read_by(f"/luot-doc/{story.pk}/", f"203.0.113.{n}")
    read_by(f"/luot-doc/{other.pk}/", "203.0.113.1")
    read_by(f"/luot-doc/{other.pk}/", "203.0.113.1")
    assert most_read.totals() == {story.pk: 3, other.pk: 1}
    assert most_read_box(client.get("/").content.decode()) == ["Bài Redis", "Bài khác"]


# Breaking news --------------------------------------------------------------------------


@pytest.fixture
def site_clock(monkeypatch):
    """The site's clock, stopped and moved by hand."""

    class Clock:
        now = timezone.now().replace(microsecond=0)

        def move(self, **delta):
            self.now += timedelta(**delta)

    found = Clock()
    monkeypatch.setattr(timezone, "now", lambda: found.now)
    return found


def banner(html):
    found = re.search(r'<aside class="breaking"[^>]*>.*?<a href="([^"]+)">([^<]+)</a>', html, re.S)
    return found and (found.group(1), unescape(found.group(2)))


@pytest.mark.parametrize("shared", [False, True], ids=["own cache", "shared cache"])
def test_a_breaking_banner_shows_on_every_page_until_its_end_then_goes_with_no_job(
    client, db, site_clock, settings, shared
):
    settings.CACHE_SHARED_BY_PROCESSES = shared
    section = make_category("Thời sự")
    story = make_article(
        "Cháy lớn ở phố cổ",
        category=section,
        breaking_until=site_clock.now + timedelta(minutes=30),
    )
    other = make_article("Tin thường", category=section)
    urls = ["/", "/tin-tuc/", section.get_absolute_url(), other.get_absolute_url()]
    site_clock.move(seconds=2)
    for url in urls:
        assert banner(client.get(url).content.decode()) == (
            story.get_absolute_url(),
            "Cháy lớn ở phố cổ",
        ), url
    site_clock.move(minutes=29, seconds=57)  # the pages are still in the page cache
    assert banner(client.get("/").content.decode())
    site_clock.move(seconds=2)
    for url in urls:
        assert banner(client.get(url).content.decode()) is None, url


def test_a_breaking_banner_waits_for_its_scheduled_story(client, db, site_clock):
    make_article(
        "Tin hẹn giờ",
        published_at=site_clock.now + timedelta(minutes=10),
        breaking_until=site_clock.now + timedelta(hours=1),
    )
    assert banner(client.get("/").content.decode()) is None
    site_clock.move(minutes=10, seconds=1)
    assert banner(client.get("/").content.decode())[1] == "Tin hẹn giờ"


@pytest.fixture
def static_folder(settings, tmp_path):
    settings.STATIC_PUBLISH = True
    settings.STATIC_PUBLISH_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path},
    }
    settings.ALLOWED_HOSTS = [settings.STATIC_PUBLISH_HOST, "testserver"]
    return tmp_path


def test_the_static_publication_loses_the_banner_at_the_next_due_run(db, site_clock, static_folder):
    from articles import publishing

    make_article("Tin nóng tĩnh", breaking_until=site_clock.now + timedelta(minutes=5))
    publishing.Publisher().publish_all()
    assert banner((static_folder / "index.html").read_text())[1] == "Tin nóng tĩnh"
    publishing.Publisher().publish_due()
    site_clock.move(minutes=6)
    publishing.Publisher().publish_due()  # `publish_static --due`, run each minute
    assert banner((static_folder / "index.html").read_text()) is None


def test_an_ended_banner_leaves_the_newest_article_pages_at_the_next_due_run(
    db, site_clock, static_folder
):
    from articles import publishing

    other = make_article("Tin hôm qua", published_at=site_clock.now - timedelta(days=2))
    make_article("Tin nóng tĩnh", breaking_until=site_clock.now + timedelta(minutes=5))
    publishing.Publisher().publish_all()
    publishing.Publisher().publish_due()
    page = static_folder / publishing.file_name(other.get_absolute_url())
    assert banner(page.read_text())[1] == "Tin nóng tĩnh"
    site_clock.move(minutes=6)
    publishing.Publisher().publish_due()
    assert banner(page.read_text()) is None


def test_the_first_due_run_of_a_hanoi_day_rewrites_every_page_with_the_new_date(
    db, site_clock, static_folder, settings
):
    from articles import publishing

    settings.STATIC_PUBLISH_FRESH_ARTICLES = 1
    old = make_article("Tin tuần trước", published_at=site_clock.now - timedelta(days=7))
    make_article("Tin hôm nay")
    publishing.Publisher().publish_all()
    publishing.Publisher().publish_due()
    page = static_folder / publishing.file_name(old.get_absolute_url())

    def dated(html):
        return re.search(r'<p class="today"><time datetime="([^"]+)"', html).group(1)

    today = timezone.localdate(site_clock.now)
    assert dated(page.read_text()) == dated((static_folder / "index.html").read_text())
    assert dated(page.read_text()) == today.isoformat()
    site_clock.now = version.day_bounds(site_clock.now)[1] + timedelta(seconds=30)
    publishing.Publisher().publish_due()  # the first run after midnight, Hanoi time
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert dated(page.read_text()) == tomorrow
    assert dated((static_folder / "index.html").read_text()) == tomorrow


def test_the_end_of_a_banner_is_a_moment_the_site_changes(db, site_clock):
    end = site_clock.now + timedelta(minutes=5)
    make_article(breaking_until=end)
    make_article(status=Article.Status.DRAFT, breaking_until=site_clock.now + timedelta(minutes=1))
    changed, upcoming = version.database_version(site_clock.now)
    assert upcoming == end
    site_clock.move(minutes=6)
    changed, upcoming = version.database_version(site_clock.now)
    assert changed == end and upcoming == version.day_bounds(site_clock.now)[1]  # tomorrow


def test_an_end_out_of_the_newsrooms_calendar_is_refused_with_a_clear_error(db):
    from django.core.exceptions import ValidationError

    article = make_article()
    article.breaking_until = timezone.now().replace(year=2150)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "breaking_until" in error.value.message_dict


# Corrections and updates ----------------------------------------------------------------


def test_a_correction_shows_at_the_end_with_its_hanoi_time_and_moves_date_modified(
    client, db, site_clock
):
    story = make_article("Giá vé xe buýt", blocks=["Giá vé là 7.000 đồng."])
    first_page = client.get(story.get_absolute_url()).content.decode()
    site_clock.now = datetime(2027, 3, 4, 5, 6, 30, 123456, tzinfo=UTC)
    Correction.objects.create(article=story, text="Giá vé đúng là 8.000 đồng.")
    site_clock.move(minutes=20)
    Correction.objects.create(article=story, kind=Correction.Kind.UPDATE, text="Giá mới từ 1/4.")
    html = client.get(story.get_absolute_url()).content.decode()
    assert html != first_page
    notes = re.search(r'<section class="corrections".*?</section>', html, re.S).group(0)
    assert html.index("Giá vé là 7.000 đồng.") < html.index(notes)  # at the story's end
    text = re.sub(r"<[^>]+>|\s+", " ", notes)
    assert "Đính chính 04/03/2027 12:06 Giá vé đúng là 8.000 đồng." in " ".join(text.split())
    assert "Cập nhật 04/03/2027 12:26 Giá mới từ 1/4." in " ".join(text.split())

    modified = "2027-03-04T12:26:30+07:00"
    assert f'<meta property="article:modified_time" content="{modified}">' in html
    assert f'"dateModified":"{modified}"' in html

    feed = ET.fromstring(client.get("/rss/").content)
    [item] = feed.iter("item")
    assert item.findtext("{http://www.w3.org/2005/Atom}updated") == modified
    assert feed.findtext("channel/lastBuildDate") == "Thu, 04 Mar 2027 12:26:30 +0700"
    sitemap = client.get("/sitemap-articles.xml").content.decode()
    assert f"<lastmod>{modified}</lastmod>" in sitemap


def test_the_corrections_inline_is_offered_on_published_stories_only(client, editor, db):
    from .admin_forms import change_url

    draft = make_article(status=Article.Status.DRAFT)
    story = make_article()
    client.force_login(editor)
    assert "corrections-TOTAL_FORMS" not in client.get(change_url(draft)).content.decode()
    assert "corrections-TOTAL_FORMS" in client.get(change_url(story)).content.decode()


def test_an_editor_adds_a_correction_and_a_banner_end_in_the_admin(client, editor, db):
    from .admin_forms import change_url, errors_of, form_data

    story = make_article("Tin sửa")
    client.force_login(editor)
    data = form_data(client.get(change_url(story)))
    end = timezone.localtime() + timedelta(hours=2)
    data.update(
        {
            "breaking_until_0": end.strftime("%d/%m/%Y"),
            "breaking_until_1": end.strftime("%H:%M:%S"),
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-kind": "update",
            "corrections-0-text": "Đã có thêm thông tin.",
        }
    )
    response = client.post(change_url(story), data)
    assert response.status_code == 302, errors_of(response)
    story.refresh_from_db()
    assert story.breaking_until == end.replace(microsecond=0)
    assert story.corrections.get().text == "Đã có thêm thông tin."
    page = Client().get(story.get_absolute_url()).content.decode()
    assert "Đã có thêm thông tin." in page and banner(page)[1] == "Tin sửa"


# What outside judges found ------------------------------------------------------------------


def test_feeds_carry_each_storys_photo_as_media_content(client, db):
    section = make_category("Ảnh")
    with_photo = make_article(
        "Có ảnh",
        category=section,
        blocks=["Mở đầu.", {"image": png_upload(size=(640, 360)), "alt_text": "Cầu Long Biên"}],
    )
    make_article("Không ảnh", category=section)
    photo = with_photo.figures.get()
    media = "{http://search.yahoo.com/mrss/}content"
    for url in ("/rss/", f"{section.get_absolute_url()}rss/"):
        items = ET.fromstring(client.get(url).content).findall("channel/item")
        contents = {item.findtext("title"): item.findall(media) for item in items}
        [content] = contents["Có ảnh"]
        assert content.attrib == {
            "url": f"http://testserver{photo.image.url}",
            "type": "image/png",
            "medium": "image",
            "width": "640",
            "height": "360",
        }
        assert contents["Không ảnh"] == []


def test_sitemaps_carry_image_entries_and_sections_their_lastmod(client, db):
    section = make_category("Ảnh")
    with_photo = make_article(
        "Có ảnh", category=section, blocks=[{"image": png_upload(), "alt_text": "Hồ"}]
    )
    make_article("Không ảnh", category=section)
    ns = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "i": "http://www.google.com/schemas/sitemap-image/1.1",
    }
    root = ET.fromstring(client.get("/sitemap-articles.xml").content)
    images = {
        url.findtext("s:loc", namespaces=ns): url.findtext("i:image/i:loc", namespaces=ns)
        for url in root.findall("s:url", ns)
    }
    assert images == {
        f"http://testserver{with_photo.get_absolute_url()}": (
            f"http://testserver{with_photo.figures.get().image.url}"
        ),
        f"http://testserver{Article.objects.get(title='Không ảnh').get_absolute_url()}": None,
    }
    sections = ET.fromstring(client.get("/sitemap-sections.xml").content)
    [url] = sections.findall("s:url", ns)
    newest = max(a.updated_at for a in Article.objects.all())
    assert url.findtext("s:lastmod", namespaces=ns) == (
        timezone.localtime(newest).replace(microsecond=0).isoformat()
    )


@pytest.mark.parametrize("url", ["/", "article"])
def test_pages_are_compressed_in_brotli_or_gzip_as_the_client_asks(client, seed, url):
    import brotli

    url = seed.get_absolute_url() if url == "article" else url
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    for _ in range(2):  # rendered, then from the page cache: each encoding its own copy
        br = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd")
        gz = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
        assert br["Content-Encoding"] == "br" and gz["Content-Encoding"] == "gzip"
        assert brotli.decompress(br.content) == gzip.decompress(gz.content) == plain.content
        assert "Accept-Encoding" in br["Vary"] and len(br.content) < len(plain.content) / 3
    assert client.get(url, HTTP_ACCEPT_ENCODING="br;q=0, gzip")["Content-Encoding"] == "gzip"


def test_the_admin_is_never_sent_in_brotli_but_in_djangos_gzip(client, editor):
    client.force_login(editor)
    response = client.get("/admin/articles/article/add/", HTTP_ACCEPT_ENCODING="br, gzip")
    assert response["Content-Encoding"] == "gzip"  # with Django's padding against BREACH


def test_the_search_page_has_one_search_landmark(client, seed):
    for url in ("/tim-kiem/?q=tay+ho", "/tim-kiem/", "/"):
        html = client.get(url).content.decode()
        assert len(re.findall(r'role="search"', html)) == 1, url
    assert 'id="search-page-q"' in client.get("/tim-kiem/?q=tay+ho").content.decode()
