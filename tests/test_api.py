"""The public API: what each endpoint gives, against the seed story and made stories; its
filters, cursors, 304s, throttling and partners' keys; and that it shows only what readers
may see."""

import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import most_read
from articles.api import access
from articles.models import ApiKey, Article, Author, Correction, Topic

from .factories import make_article, make_category, png_upload

SOURCE = Path(__file__).resolve().parent.parent / "fixtures/source/tay-ho-article.txt"
ISO_HANOI = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


@pytest.fixture
def line():
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    return dict(enumerate(lines, start=1))


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def paragraphs(html):
    return re.findall(r"<p>(.*?)</p>", html)


def texts(value):
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


# The seed story ---------------------------------------------------------------------------


def test_the_seed_story_has_its_headline_sapo_paragraphs_captions_and_related_in_order(
    client, seed, line, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        story = get(client, f"/api/v1/stories/{seed.pk}")
    assert story["headline"] == line[1]
    assert story["sapo"] == line[2]
    body = story["body"]
    assert [b["caption"] for b in body if b["type"] == "photo"] == [
        line[n].removesuffix(" |") for n in (3, 6, 9, 12)
    ]
    said = [p for b in body if b["type"] == "text" for p in paragraphs(b["html"])]
    assert said == [line[n] for n in (4, 5, 7, 8, 10, 11, 13, 14, 15, 16)]
    # The blocks in reading order: a photo before each pair of paragraphs.
    assert [b["type"] for b in body] == ["photo", "text"] * 4
    assert all(b["photo"] is None for b in body if b["type"] == "photo")  # photos were lost
    assert paragraphs(story["body_html"]) == said
    assert story["body_html"].count("<figcaption>") == 4
    assert [r["headline"] for r in story["related"]] == [line[n] for n in range(19, 26)]
    assert story["url"] == f"http://testserver{seed.get_absolute_url()}"
    assert story["api_url"] == f"http://testserver/api/v1/stories/{seed.pk}"
    assert story["section"] is None and story["corrections"] == []
    for related in story["related"]:
        target = Article.objects.get(pk=related["id"])
        assert related["url"] == f"http://testserver{target.get_absolute_url()}"
    for value in texts(story):
        assert unicodedata.is_normalized("NFC", value)


def test_times_are_hanoi_time_in_iso_8601(client, seed):
    story = get(client, f"/api/v1/stories/{seed.pk}")
    assert ISO_HANOI.match(story["published_at"]) and ISO_HANOI.match(story["updated_at"])
    moment = datetime.fromisoformat(story["published_at"])
    assert moment == seed.published_at
    listed = get(client, "/api/v1/stories")["items"]
    assert all(ISO_HANOI.match(item["published_at"]) for item in listed)


def test_the_story_list_is_the_visible_stories_newest_first(
    client, seed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        page = get(client, "/api/v1/stories", limit=50)
    expected = list(Article.objects.published().latest_first().values_list("pk", "title"))
    assert [(item["id"], item["headline"]) for item in page["items"]] == expected
    assert page["next"] is None
    first = page["items"][0]
    assert first["id"] == seed.pk and first["sapo"] == seed.sapo


def test_a_story_shows_its_photos_with_renditions_credit_and_alt_text_and_corrections(client, db):
    section = make_category("Văn hóa")
    linked = make_article("Bài được giới thiệu")
    article = make_article(
        "Phố sách Hà Nội",
        category=section,
        blocks=[
            {"caption": "Phố sách ngày khai trương", "image": png_upload(), "credit": "Ảnh: Lan"},
            "Đoạn <một>.",
            {"kind": "quote", "text": "Sách là bạn", "attribution": "Một độc giả"},
            {"kind": "embed", "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
            {"kind": "card", "target": linked},
        ],
    )
    figure = article.figures.get()
    figure.photo.alt_text = "Người đọc bên giá sách"
    figure.photo.rendition_widths = "480 800"
    figure.photo.save()
    Correction.objects.create(article=article, text="Sửa tên phố.")
    author = Author.objects.create(name="Lan Hương", role="Phóng viên ảnh")
    article.authors.add(author)

    story = get(client, f"/api/v1/stories/{article.pk}")

    photo_block, text, quote, embed, card = story["body"]
    assert photo_block["caption"] == "Phố sách ngày khai trương"
    photo = photo_block["photo"]
    assert photo["credit"] == "Ảnh: Lan" and photo["alt_text"] == "Người đọc bên giá sách"
    assert photo["url"] == f"http://testserver{figure.photo.image.url}"
    assert [r["width"] for r in photo["renditions"]] == [480, 800]
    assert photo["renditions"][0]["url"].endswith("-480.webp")
    assert (photo["width"], photo["height"]) == (64, 48)
    assert story["photo"] == photo
    assert text == {"type": "text", "html": "<p>Đoạn &lt;một&gt;.</p>"}
    assert quote == {"type": "quote", "text": "Sách là bạn", "attribution": "Một độc giả"}
    assert embed["provider"] == "youtube"
    assert card["story"]["id"] == linked.pk and card["story"]["headline"] == linked.title
    assert story["section"]["slug"] == section.slug
    assert story["byline"] == "Lan Hương" and story["authors"][0]["slug"] == author.slug
    [correction] = story["corrections"]
    assert correction["kind"] == "correction" and correction["text"] == "Sửa tên phố."
    assert ISO_HANOI.match(correction["created_at"])
    assert '<img src="http://testserver/media/' in story["body_html"]


def test_sections_topics_and_authors(client, seed):
    topic = Topic.objects.create(name="Giao thông")
    Author.objects.create(name="Minh Anh", role="Phóng viên", bio="Mảng đô thị.")
    sections = get(client, "/api/v1/sections")
    assert [s["name"] for s in sections] == ["Chỉ đạo - Điều hành", "Nhịp sống Thủ đô"]
    assert sections[0]["url"] == "http://testserver/chi-dao-dieu-hanh/"
    assert get(client, "/api/v1/topics") == [
        {
            "id": topic.pk,
            "slug": "giao-thong",
            "name": "Giao thông",
            "url": "http://testserver/chu-de/giao-thong/",
        }
    ]
    [listed] = get(client, "/api/v1/authors")
    assert (listed["name"], listed["role"], listed["bio"]) == (
        "Minh Anh",
        "Phóng viên",
        "Mảng đô thị.",
    )


# Filters and cursors ----------------------------------------------------------------------


def ids(page):
    return [item["id"] for item in page["items"]]


def test_filters_by_section_topic_author_dates_and_updated_since(client, db):
    culture, sport = make_category("Văn hóa"), make_category("Thể thao")
    zone = timezone.get_default_timezone()
    old = make_article("Cũ", category=culture, published_at=datetime(2024, 1, 10, 8, tzinfo=zone))
    new = make_article("Mới", category=sport, published_at=datetime(2024, 2, 1, 23, tzinfo=zone))
    topic, author = Topic.objects.create(name="Tết"), Author.objects.create(name="Minh Anh")
    old.topics.add(topic)
    new.authors.add(author)
    Article.objects.filter(pk=old.pk).update(updated_at=datetime(2024, 1, 10, 8, tzinfo=zone))

    assert ids(get(client, "/api/v1/stories", section="van-hoa")) == [old.pk]
    assert ids(get(client, "/api/v1/stories", topic="tet")) == [old.pk]
    assert ids(get(client, "/api/v1/stories", author=author.slug)) == [new.pk]
    assert ids(get(client, "/api/v1/stories", since="2024-01-11")) == [new.pk]
    # Days are Hanoi's: 23:00 on 1 February is that day, though 16:00 UTC.
    assert ids(get(client, "/api/v1/stories", until="2024-02-01")) == [new.pk, old.pk]
    assert ids(get(client, "/api/v1/stories", until="2024-01-31")) == [old.pk]
    assert ids(get(client, "/api/v1/stories", since="2024-01-01", until="2024-01-31")) == [old.pk]
    assert ids(get(client, "/api/v1/stories", updated_since="2024-06-01T00:00:00+07:00")) == [
        new.pk
    ]
    for name in ("section", "topic", "author"):
        unknown = client.get("/api/v1/stories", {name: "khong-co"})
        assert unknown.status_code == 404 and unknown.json() == {"detail": "Không tìm thấy."}


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "không-phải"},
        {"cursor": "OTk5OTk5OTk5OTk5OTk5OS4x"},
        {"limit": "0"},
        {"limit": "500"},
        {"since": "2024-13-01"},
        {"since": "2024-02-01", "until": "2024-01-01"},
        {"updated_since": "hôm qua"},
        {"section": "van\x00hoa"},
        {"author": "minh anh"},
    ],
)
def test_a_bad_parameter_is_a_400_in_vietnamese(client, db, params):
    response = client.get("/api/v1/stories", params)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "không hợp lệ" in detail or "không được" in detail.lower()


def test_a_walk_with_cursors_is_stable_while_a_story_is_published_midway(client, db):
    now = timezone.now()
    stories = [make_article(f"Bài {n}", published_at=now - timedelta(hours=n)) for n in range(1, 8)]
    # Two published at the same second: the id decides.
    twin = make_article("Bài song sinh", published_at=stories[3].published_at)
    draft = make_article("Bài nháp", status=Article.Status.DRAFT, published_at=now)
    expected = list(Article.objects.published().latest_first().values_list("pk", flat=True))

    page = get(client, "/api/v1/stories", limit=3)
    walked = ids(page)
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()  # published between the first and the second page
    newcomer = make_article("Bài mới đăng giữa chừng", published_at=timezone.now())
    while page["next"]:
        assert page["next"].startswith("http://testserver/api/v1/stories?")
        page = get(client, page["next"].removeprefix("http://testserver"))
        walked += ids(page)

    assert walked == expected
    assert twin.pk in walked and draft.pk not in walked and newcomer.pk not in walked
    # A new walk starts with them.
    assert ids(get(client, "/api/v1/stories", limit=2)) == [newcomer.pk, draft.pk]


def test_filters_are_kept_in_the_next_address(client, db):
    section = make_category("Văn hóa")
    for n in range(3):
        make_article(f"Văn hóa {n}", category=section)
    make_article("Nơi khác")
    page = get(client, "/api/v1/stories", section="van-hoa", limit=2)
    assert "section=van-hoa" in page["next"]
    rest = get(client, page["next"].removeprefix("http://testserver"))
    assert len(ids(page) + ids(rest)) == 3 and rest["next"] is None


# Search and most read ---------------------------------------------------------------------


def test_search_ranks_as_the_site_does_and_pages_with_cursors(client, seed):
    from articles import views

    found, _ = views.ranked_matches("phong trào thi đua")
    assert found and seed.pk in found
    page = get(client, "/api/v1/search", q="phong trào thi đua", limit=1)
    assert ids(page) == found[:1] and page["count"] == len(found)
    walked = ids(page)
    while page["next"]:
        page = get(client, page["next"].removeprefix("http://testserver"))
        walked += ids(page)
    assert walked == found
    assert get(client, "/api/v1/search", q="không có từ nào như thế zzqx")["items"] == []


def test_most_read_is_the_sites_list(client, seed, settings):
    other = Article.objects.published().exclude(pk=seed.pk).first()
    for n in range(3):
        most_read.count(seed.pk, f"10.0.0.{n}", "trình duyệt")
    most_read.count(other.pk, "10.0.0.9", "trình duyệt")
    answer = get(client, "/api/v1/most-read")
    assert ids(answer) == [seed.pk, other.pk]
    assert 0 < answer["refreshed_in"] <= settings.MOST_READ_REFRESH_SECONDS


# Caching, 304s and CORS -------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The site's clock, stopped and moved by hand."""

    class Clock:
        now = timezone.now().replace(microsecond=100_000)

        def move(self, **delta):
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def test_etag_and_last_modified_give_304_until_the_site_changes(client, seed, clock):
    clock.move(seconds=2)  # past the second of the seed's change (``cache.pages``)
    url = f"/api/v1/stories/{seed.pk}"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and "public" in first["Cache-Control"]
    assert first.has_header("Last-Modified")
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304
    # The same version as the pages: the story's page has the same Last-Modified.
    assert client.get(seed.get_absolute_url())["Last-Modified"] == first["Last-Modified"]
    clock.move(seconds=2)
    seed.title = "Quận Tây Hồ: tiêu đề mới"
    seed.save()
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200 and again.json()["headline"] == "Quận Tây Hồ: tiêu đề mới"


def test_the_page_cache_keeps_each_query_of_the_list_apart(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 300
    culture = make_category("Văn hóa")
    mine = make_article("Trong chuyên mục", category=culture)
    other = make_article("Ngoài chuyên mục")
    assert ids(get(client, "/api/v1/stories")) == [other.pk, mine.pk]
    assert ids(get(client, "/api/v1/stories", section="van-hoa")) == [mine.pk]
    # Kept: the same answer without touching the database.
    Article.objects.filter(pk=other.pk).update(title="Đổi thẳng trong cơ sở dữ liệu")
    assert get(client, "/api/v1/stories")["items"][0]["headline"] == "Ngoài chuyên mục"


def test_made_up_parameters_share_the_answers_copy(client, db, settings):
    from .test_cache_hardening import cache_keys

    settings.PAGE_CACHE_SECONDS = 300
    make_article("Một bài")
    first = client.get("/api/v1/stories", {"limit": "5"}).content
    kept = cache_keys()
    for n in range(50):
        again = client.get("/api/v1/stories", {"utm_source": f"zalo-{n}", "limit": "5"})
        assert again.content == first
    assert cache_keys() == kept


def test_the_page_cache_knows_every_parameter_of_the_api(client, db):
    from articles.api.endpoints import QUERY_PARAMETERS

    document = client.get("/api/v1/openapi.json").json()
    read = {
        parameter["name"]
        for path in document["paths"].values()
        for operation in path.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }
    assert read == QUERY_PARAMETERS


def test_a_listed_story_is_new_as_soon_as_it_is_edited(client, seed, settings):
    """The list's stories are kept until the site next changes, and no longer."""
    for page_cache in (0, 300):
        settings.PAGE_CACHE_SECONDS = page_cache
        assert get(client, "/api/v1/stories")["items"][0]["headline"] == seed.title
        seed.title = f"Quận Tây Hồ, bản sửa {page_cache}"
        seed.save()
        assert get(client, "/api/v1/stories")["items"][0]["headline"] == seed.title


def test_any_origin_may_read(client, db):
    response = client.get("/api/v1/sections", headers={"Origin": "https://doitac.vn"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/stories",
        headers={"Origin": "https://doitac.vn", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    assert "X-API-Key" in preflight["Access-Control-Allow-Headers"]
    assert client.post("/api/v1/stories").status_code == 405


# Throttling and keys ----------------------------------------------------------------------


def test_anonymous_clients_are_throttled_with_retry_after_and_a_vietnamese_message(
    client, db, settings
):
    settings.API_ANONYMOUS_REQUESTS_PER_MINUTE = 3
    for _ in range(3):
        assert client.get("/api/v1/sections").status_code == 200
    refused = client.get("/api/v1/stories")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert refused.json()["detail"] == (
        f"Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau {refused['Retry-After']} giây."
    )
    assert refused["Access-Control-Allow-Origin"] == "*"
    # Another address has its own count.
    assert client.get("/api/v1/sections", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_the_throttle_counts_windows_of_a_minute(rf, db, settings):
    settings.API_ANONYMOUS_REQUESTS_PER_MINUTE = 1
    request = rf.get("/api/v1/sections")
    start = 1_700_000_000 // 60 * 60
    assert access.over_limit(request, None, now=start + 10) == 0
    assert access.over_limit(request, None, now=start + 20) == 41
    assert access.over_limit(request, None, now=start + 60) == 0


def new_key(name="Báo đối tác"):
    key = ApiKey(name=name)
    secret = key.new_key()
    key.save()
    return key, secret


def test_a_partners_key_has_higher_limits_and_its_use_is_recorded(client, db, settings):
    settings.API_ANONYMOUS_REQUESTS_PER_MINUTE = 1
    settings.API_PARTNER_REQUESTS_PER_MINUTE = 5
    key, secret = new_key()
    assert ApiKey.objects.get().digest != secret and secret not in str(key.__dict__.values())
    for _ in range(5):
        assert client.get("/api/v1/sections", headers={"X-API-Key": secret}).status_code == 200
    assert client.get("/api/v1/sections", headers={"X-API-Key": secret}).status_code == 429
    key.refresh_from_db()
    assert key.last_used_at is not None and timezone.now() - key.last_used_at < timedelta(minutes=1)


def test_a_revoked_or_unknown_key_is_refused_even_for_a_kept_answer(client, db, settings):
    settings.PAGE_CACHE_SECONDS = 300
    key, secret = new_key()
    assert client.get("/api/v1/sections", headers={"X-API-Key": secret}).status_code == 200
    key.revoke()
    refused = client.get("/api/v1/sections", headers={"X-API-Key": secret})
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Khóa API không hợp lệ hoặc đã bị thu hồi."
    assert client.get("/api/v1/sections", headers={"X-API-Key": "nr_sai"}).status_code == 401
    assert client.get("/api/v1/sections").status_code == 200  # anonymous still reads


def test_an_editor_creates_a_key_sees_it_once_and_revokes_it(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_apikey_add"), {"name": "Cổng thông tin quận"}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    [message] = [m for m in shown if m.startswith("Khóa của")]
    secret = re.search(r"(nr_\S+)\. ", message).group(1)
    assert message.startswith("Khóa của Cổng thông tin quận là nr_")
    assert sum(secret in m for m in shown) == 1  # shown once, in that message alone
    key = ApiKey.objects.get()
    assert key.created_by == editor and key.prefix == secret[:10]
    assert client.get("/api/v1/sections", headers={"X-API-Key": secret}).status_code == 200
    listing = client.get(reverse("admin:articles_apikey_changelist")).content.decode()
    assert "Cổng thông tin quận" in listing and secret not in listing
    assert key.prefix in listing
    change = client.get(reverse("admin:articles_apikey_change", args=[key.pk])).content.decode()
    assert secret not in change
    response = client.post(
        reverse("admin:articles_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
        follow=True,
    )
    assert "Đã thu hồi 1 khóa." in response.content.decode()
    assert client.get("/api/v1/sections", headers={"X-API-Key": secret}).status_code == 401


# Nothing hidden, whatever the parameters --------------------------------------------------

HIDDEN = "Zyxwvq"


@pytest.fixture
def hidden_and_shown(db):
    """A published story and, beside it in its section, topic and author, stories readers
    may not see: a draft, one in review and a scheduled one, each dated or not."""
    section = make_category("Chuyên mục chung")
    topic, author = Topic.objects.create(name="Hồ Tây"), Author.objects.create(name="Minh Anh")
    shown = make_article("Bài công khai về Hồ Tây", category=section, blocks=["Nội dung."])
    kinds = [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.DRAFT, "published_at": timezone.now() - timedelta(hours=2)},
        {"status": Article.Status.REVIEW, "published_at": timezone.now() - timedelta(hours=2)},
        {"status": Article.Status.RETURNED},
        {"published_at": timezone.now() + timedelta(hours=2)},
    ]
    hidden = [
        make_article(
            f"Tin mật {HIDDEN} số {n} về Hồ Tây",
            category=section,
            sapo=f"Sapo mật {HIDDEN}.",
            blocks=[f"Đoạn mật {HIDDEN}."],
            **fields,
        )
        for n, fields in enumerate(kinds)
    ]
    for article in [shown, *hidden]:
        article.topics.add(topic)
        article.authors.add(author)
    make_article("Bài liên quan", related=hidden, blocks=[{"kind": "card", "target": hidden[0]}])
    return {"shown": shown, "hidden": hidden, "section": section, "topic": topic, "author": author}


def assert_nothing_hidden(response, hidden):
    assert response.status_code in {200, 304, 400, 404}, (response.status_code, response.content)
    text = response.content.decode()
    assert HIDDEN not in text
    for article in hidden:
        assert f'"id": {article.pk},' not in text and article.slug not in text


from hypothesis import HealthCheck, example, given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from .test_input import values  # noqa: E402

PROPERTY = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
names = st.sampled_from(
    ["section", "topic", "author", "since", "until", "updated_since", "cursor", "limit", "q"]
)
known = st.sampled_from(
    ["chuyen-muc-chung", "ho-tay", "minh-anh", "2020-01-01", "2099-12-31", "1", "50", "Hồ Tây"]
)


@PROPERTY
@given(params=st.dictionaries(names, st.one_of(values, known), max_size=5))
@example(params={"since": "0001-01-01", "until": "9999-12-31"})
@example(params={"section": "\x00", "topic": "\x00", "q": "\x00"})
@example(params={"updated_since": "0001-01-01T00:00:00+14:00"})
@example(params={"updated_since": "9999-12-31T23:59:59-12:00"})
@example(params={"cursor": "OTk5OTk5OTk5OTk5Ljk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"})
def test_no_parameter_reaches_a_hidden_story(client, hidden_and_shown, params):
    hidden = hidden_and_shown["hidden"]
    client.cookies.clear()
    for url in ("/api/v1/stories", "/api/v1/search", "/api/v1/most-read"):
        assert_nothing_hidden(client.get(url, params), hidden)
    for article in hidden:
        assert_nothing_hidden(client.get(f"/api/v1/stories/{article.pk}", params), hidden)


@PROPERTY
@given(story_id=st.one_of(values, st.integers(-(10**30), 10**30).map(str)))
@example(story_id="99999999999999999999999")
def test_any_story_id_is_answered(client, hidden_and_shown, story_id):
    from urllib.parse import quote

    response = client.get(f"/api/v1/stories/{quote(story_id, safe='')}")
    assert_nothing_hidden(response, hidden_and_shown["hidden"])


def test_the_hidden_stories_fixture_is_reachable_by_its_filters(client, hidden_and_shown):
    """The property tests above would pass on an empty site: this one shows they ask a
    site where the filters find the published story beside the hidden ones."""
    shown = hidden_and_shown["shown"]
    for name in ("section", "topic", "author"):
        value = hidden_and_shown[name].slug
        assert ids(get(client, "/api/v1/stories", **{name: value})) == [shown.pk]
    assert ids(get(client, "/api/v1/search", q="Hồ Tây")) == [shown.pk]
    related = next(a for a in Article.objects.filter(title="Bài liên quan"))
    story = get(client, f"/api/v1/stories/{related.pk}")
    assert story["related"] == [] and story["body"] == []
