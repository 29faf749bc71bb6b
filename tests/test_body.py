"""The body of a story: rich text sanitized whatever arrives, text stored NFC, links that
follow our articles, embeds that load nothing until asked, and the photo library."""

import json
import re
import unicodedata
from html import unescape

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from articles import renditions, richtext
from articles.models import Article, Embed, Figure, Photo, Quote, RichText

from .admin_forms import (
    ADD_URL,
    change_url,
    empty_inlines,
    errors_of,
    form_data,
    new_article_data,
)
from .factories import make_article, make_photo, png_upload
from .page_parts import parts, visible_text

# Each hostile input, what must not survive of it, and what of it must.
HOSTILE = {
    "script tag": ("<p>Tin nóng<script>alert('x')</script></p>", ["<script", "alert"], "Tin nóng"),
    "onerror attribute": ('<p>Ảnh<img src="x" onerror="alert(1)"></p>', ["onerror", "<img"], "Ảnh"),
    "javascript: link": ('<p><a href="javascript:alert(1)">Bấm</a></p>', ["javascript:"], "Bấm"),
    "style attribute": ('<p style="color:red">Đỏ</p>', ["style", "color:red"], "Đỏ"),
    "event handler on an allowed tag": ('<p onclick="steal()">Chữ</p>', ["onclick"], "Chữ"),
    "data: link": ('<a href="data:text/html,&lt;b&gt;">Dữ liệu</a>', ["data:"], "Dữ liệu"),
    "vbscript: link": ('<a href="vbscript:msgbox(1)">VB</a>', ["vbscript"], "VB"),
    "iframe": (
        '<iframe src="https://evil.example/"></iframe><p>Sau</p>',
        ["iframe", "evil"],
        "Sau",
    ),
    "style element": ("<style>p{display:none}</style><p>Hiện</p>", ["<style", "display"], "Hiện"),
    "h1 heading": ("<h1>Tiêu đề lớn</h1>", ["<h1"], "Tiêu đề lớn"),
    "class and id": ('<p class="x" id="y">Lớp</p>', ["class=", "id="], "Lớp"),
    "span and div": ("<div><span>Khối</span></div>", ["<div", "<span"], "Khối"),
    "title and lang": (
        '<p title="Lừa" lang="en"><a href="/x" title="t">Tựa</a></p>',
        ["title", "lang"],
        "Tựa",
    ),
    "link target": ('<a href="https://vnexpress.net/" target="_blank">Báo</a>', ["target"], "Báo"),
    "svg with script": ("<svg><script>alert(1)</script></svg><p>Ok</p>", ["<svg", "alert"], "Ok"),
}


@pytest.mark.parametrize(("html", "gone", "kept"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_crafted_admin_post_stores_none_of_a_hostile_input(client, editor, html, gone, kept):
    client.force_login(editor)
    data = new_article_data(
        "Bài có mã độc",
        status="published",
        **empty_inlines(richtexts=1),
        **{"richtexts-0-ordering": "10", "richtexts-0-text": html},
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    stored = RichText.objects.get(article__title="Bài có mã độc").text
    assert kept in unescape(stored)
    for piece in gone:
        assert piece not in stored
    page = client.get(Article.objects.get(title="Bài có mã độc").get_absolute_url())
    body = page.content.decode().split('<div class="article-body">')[1].split("</article>")[0]
    assert kept in body
    for piece in gone:
        assert piece not in body


@pytest.mark.parametrize(("html", "gone", "kept"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_fixture_stores_none_of_a_hostile_input(db, tmp_path, html, gone, kept):
    article = make_article("Bài nạp từ tệp")
    fixture = tmp_path / "hostile.json"
    rows = [
        {
            "model": "articles.richtext",
            "fields": {"article": article.pk, "region": "body", "ordering": 10, "text": html},
        },
        {
            "model": "articles.quote",
            "fields": {"article": article.pk, "ordering": 20, "text": html, "attribution": ""},
        },
    ]
    fixture.write_text(json.dumps(rows), encoding="utf-8")
    call_command("loaddata", str(fixture), verbosity=0)
    stored = RichText.objects.get(article=article).text
    assert kept in unescape(stored)
    for piece in gone:
        assert piece not in stored
    # A quote is plain text: what looks like a tag is escaped on the page, never run.
    page = article.body()
    quote = next(block for block in page if block.kind == "quote")
    assert quote.text == unicodedata.normalize("NFC", html)


def test_the_allowed_tags_survive_and_an_outside_link_opens_no_window_handle(db):
    html = (
        "<h2>Phụ đề</h2><h3>Nhỏ hơn</h3><p><strong>Đậm</strong> <b>đậm</b> <em>nghiêng</em> "
        '<i>nghiêng</i> <a href="https://hanoimoi.vn/tin">báo</a><br>dòng</p>'
        "<ul><li>Một</li></ul><ol><li>Hai</li></ol><blockquote><p>Trích</p></blockquote>"
    )
    stored = richtext.sanitize(html)
    for tag in ("h2", "h3", "strong", "b", "em", "i", "ul", "ol", "li", "blockquote", "br"):
        assert f"<{tag}>" in stored
    assert '<a href="https://hanoimoi.vn/tin" rel="noopener">báo</a>' in stored
    assert richtext.sanitize(stored) == stored, "sanitizing again changes nothing"


def test_a_nfd_text_is_stored_nfc_everywhere_it_is_typed(client, editor):
    nfd = unicodedata.normalize("NFD", "Hồ Hoàn Kiếm mùa thu")
    nfc = unicodedata.normalize("NFC", nfd)
    assert nfd != nfc
    client.force_login(editor)
    photo = make_photo(alt_text=nfd, credit=nfd, caption=nfd)
    data = new_article_data(
        nfd,
        sapo=nfd,
        **empty_inlines(richtexts=1, quotes=1, figures=1),
        **{"richtexts-0-ordering": "10", "richtexts-0-text": f"<p>{nfd}</p>"},
        **{"quotes-0-ordering": "20", "quotes-0-text": nfd, "quotes-0-attribution": nfd},
        **{"figures-0-ordering": "30", "figures-0-photo": photo.pk, "figures-0-caption": nfd},
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get()
    assert (article.title, article.sapo) == (nfc, nfc)
    assert article.slug == "ho-hoan-kiem-mua-thu"
    assert RichText.objects.get().text == f"<p>{nfc}</p>"
    assert (Quote.objects.get().text, Quote.objects.get().attribution) == (nfc, nfc)
    assert Figure.objects.get().caption == nfc
    photo.refresh_from_db()
    assert (photo.alt_text, photo.credit, photo.caption) == (nfc, nfc, nfc)


def test_search_text_is_the_text_of_every_block_with_the_tags_stripped(db):
    article = make_article(
        "Phố cổ",
        blocks=[
            {"kind": "text", "text": "<h2>Hàng Mã</h2><p>Đèn <strong>lồng</strong> đỏ</p>"},
            {"kind": "quote", "text": "Phố đẹp lắm", "attribution": "Bà Lan"},
            {"image": png_upload(), "alt_text": "Đèn", "caption": "Đèn lồng", "credit": "Ảnh: Tú"},
        ],
    )
    assert [block.searchable_text() for block in article.body()] == [
        "Hàng Mã\nĐèn lồng đỏ",
        "Phố đẹp lắm\nBà Lan",
        "Đèn lồng\nẢnh: Tú",
    ]
    assert "strong" not in article.search_text and "den long do" in article.search_text
    assert Article.objects.search("ba lan").get() == article


def test_a_link_to_one_of_our_articles_follows_it_when_its_slug_changes(client, db, settings):
    settings.ALLOWED_HOSTS = ["tinhanoi.vn", "testserver"]
    target = make_article("Chợ hoa Quảng An")
    old_url = target.get_absolute_url()
    article = make_article(
        "Tết ở Hà Nội",
        blocks=[
            {
                "kind": "text",
                "text": f'<p>Xem <a href="https://tinhanoi.vn{old_url}">chợ hoa</a>.</p>',
            },
            {"kind": "card", "target": target},
        ],
    )
    # Stored as our own path, which carries the article's id.
    assert f'<a href="{old_url}">' in RichText.objects.get(article=article).text
    target.title, target.slug = "Chợ hoa Quảng An đêm giao thừa", ""
    target.save()
    new_url = target.get_absolute_url()
    assert new_url != old_url
    html = client.get(article.get_absolute_url()).content.decode()
    body = html.split('<div class="article-body">')[1]
    assert f'<a href="{new_url}">chợ hoa</a>' in body
    assert f'<a href="{new_url}">Chợ hoa Quảng An đêm giao thừa</a>' in body
    assert old_url not in body
    # The old address still leads readers there.
    assert client.get(old_url)["Location"] == new_url


def test_an_embed_from_a_provider_not_allowed_is_refused_with_a_clear_error(client, editor):
    client.force_login(editor)
    data = new_article_data(
        "Bài có video lạ",
        **empty_inlines(embeds=1),
        **{"embeds-0-ordering": "10", "embeds-0-url": "https://evil.example/watch?v=1"},
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "YouTube" in errors_of(response) and not Article.objects.exists()


@pytest.mark.parametrize(
    ("url", "frame"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://www.facebook.com/hanoimoi/posts/123456",
            "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fhanoimoi%2Fposts%2F123456",
        ),
    ],
)  # fmt: skip
def test_an_embed_is_a_placeholder_that_loads_nothing_until_the_reader_asks(client, db, url, frame):
    article = make_article("Video Hồ Gươm", blocks=["Đoạn đầu.", {"kind": "embed", "url": url}])
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    body = html.split('<div class="article-body">')[1].split("</article>")[0]
    assert "<iframe" not in html
    assert f'data-embed-src="{frame}"'.replace("&", "&amp;") in body
    # Nothing on the page makes the browser fetch from the provider: no src, no preload.
    for host in ("youtube", "facebook.com/plugins"):
        assert not any(host in tag for tag in _fetching_attributes(html))
    assert "articles/js/embed.js" in html
    policy = response["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com https://www.facebook.com" in policy
    assert "script-src 'self';" in policy


def _fetching_attributes(html):
    import re

    return re.findall(r'\s(?:src|srcset|poster|data)="([^"]*)"', html) + re.findall(
        r'<link[^>]+href="([^"]*)"', html
    )


def test_readers_page_feed_and_structured_data_follow_the_body(client, db):
    article = make_article(
        "Đêm nhạc bên hồ",
        blocks=[
            {"kind": "text", "text": "<h2>Mở màn</h2><p>Nhạc <em>trẻ</em> vang lên.</p>"},
            {
                "image": png_upload(),
                "alt_text": "Sân khấu",
                "caption": "Sân khấu",
                "credit": "TTXVN",
            },
            {"kind": "quote", "text": "Tuyệt vời", "attribution": "Khán giả"},
            {"kind": "embed", "url": "https://youtu.be/dQw4w9WgXcQ"},
        ],
    )
    page = client.get(article.get_absolute_url())
    html = page.content.decode()
    text = visible_text(html, within="article")
    assert text.index("Mở màn") < text.index("Sân khấu TTXVN") < text.index("Tuyệt vời Khán giả")
    assert "<h2>Mở màn</h2>" in html and "<em>trẻ</em>" in html
    structured = parts(page).structured("NewsArticle")
    assert structured["articleBody"] == "Mở màn\nNhạc trẻ vang lên.\nTuyệt vời\nKhán giả"
    assert structured["image"] == [f"http://testserver{Figure.objects.get().image.url}"]

    feed = client.get("/rss/").content.decode()
    assert 'xmlns:content="http://purl.org/rss/1.0/modules/content/"' in feed
    encoded = unescape(feed.split("<content:encoded>")[1].split("</content:encoded>")[0])
    assert encoded.index("<h2>Mở màn</h2>") < encoded.index('<figure><img src="http://testserver/')
    assert "<blockquote><p>Tuyệt vời</p><footer>Khán giả</footer></blockquote>" in encoded
    assert '<a href="https://youtu.be/dQw4w9WgXcQ">' in encoded and "<iframe" not in encoded


def test_the_history_diff_covers_every_field_readers_see(client, editor):
    photo = make_photo(alt_text="Hồ Tây", credit="Ảnh: An")
    article = make_article(
        "Bài có lịch sử",
        blocks=["Đoạn một.", {"photo": photo, "caption": "Hoàng hôn"}],
    )
    client.force_login(editor)
    data = form_data(client.get(change_url(article)))
    assert client.post(change_url(article), data).status_code == 302
    data = form_data(client.get(change_url(article)))
    data["figures-0-ordering"] = "1"  # the photo goes first
    data["richtexts-0-text"] = '<p>Đoạn <strong>một</strong> <a href="https://a.vn/">đây</a>.</p>'
    data |= {"embeds-TOTAL_FORMS": "1", "embeds-0-ordering": "50"}
    data["embeds-0-url"] = "https://youtu.be/dQw4w9WgXcQ"
    assert client.post(change_url(article), data).status_code == 302, "second save"
    from reversion.models import Version

    from articles import history

    newest = Version.objects.get_for_object(article).first()
    lines = history.diff(history.previous_version(newest), newest)
    # The order changed (the text now after the photo), its marks, and the new embed.
    assert "-  Đoạn một." in lines and "+  Đoạn **một** đây [https://a.vn/]." in lines
    assert any(line.startswith("+") and "https://youtu.be/dQw4w9WgXcQ" in line for line in lines)
    snapshot = history.snapshot(newest)
    body = snapshot[snapshot.index("nội dung:") :]
    assert body[1:5] == [
        "  [ảnh minh họa] Hoàng hôn",
        f"  ảnh: {photo.image.name}",
        "  nguồn ảnh: Ảnh: An",
        "  mô tả ảnh: Hồ Tây",
    ]
    assert body.index("  Đoạn **một** đây [https://a.vn/].") == 5


# The photo library --------------------------------------------------------------------


def square_pixel(photo, crop):
    """The colour at the middle of ``photo``'s ``crop``."""
    name = renditions.crop_name(photo.image.name, crop, photo.focal_key)
    with default_storage.open(name) as file, Image.open(file) as image:
        return image.getpixel((image.width // 2, image.height // 2))[:3]


def test_one_photo_in_two_stories_is_one_file_and_its_focal_point_moves_both_crops(
    db, django_capture_on_commit_callbacks, media_root
):
    # Left third red, the rest blue: a crop around the left keeps the red.
    image = Image.new("RGB", (1500, 500), (20, 20, 220))
    image.paste((220, 20, 20), (0, 0, 500, 500))
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = BytesIO()
    image.save(buffer, "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        photo = make_photo(SimpleUploadedFile("ben.png", buffer.getvalue()), alt_text="Bến")
        one = make_article("Bài một", blocks=[{"photo": photo, "caption": "Bến sáng"}])
        two = make_article("Bài hai", blocks=[{"photo": photo, "caption": "Bến chiều"}])
    stored = [p for p in (media_root / "figures").rglob("*") if p.is_file()]
    assert len(stored) == 1 and Photo.objects.count() == 1
    figures = [article.body()[0] for article in (one, two)]
    assert {figure.image.name for figure in figures} == {photo.image.name}
    assert [figure.caption for figure in figures] == ["Bến sáng", "Bến chiều"]
    photo.refresh_from_db()
    assert square_pixel(photo, "1x1")[2] > 200, "centred, the square is blue"
    before = {renditions.crop_url(figure, "1x1") for figure in figures}

    with django_capture_on_commit_callbacks(execute=True):
        photo.focal_x, photo.focal_y = 0.1, 0.5
        photo.save()
    photo.refresh_from_db()
    figures = [article.body()[0] for article in (one, two)]
    after = {renditions.crop_url(figure, "1x1") for figure in figures}
    assert len(after) == 1 and after.isdisjoint(before), "both stories show the new crop"
    assert square_pixel(photo, "1x1")[0] > 200, "around the focal point, the square is red"
    with default_storage.open(renditions.crop_name(photo.image.name, "16x9", photo.focal_key)) as f:
        assert Image.open(f).size == (889, 500)


def test_crop_boxes_keep_the_focal_point_inside_the_photo():
    assert renditions.crop_box(1600, 900, (1, 1), 0.5, 0.5) == (350, 0, 1250, 900)
    assert renditions.crop_box(1600, 900, (1, 1), 0.0, 0.5) == (0, 0, 900, 900)
    assert renditions.crop_box(1600, 900, (1, 1), 1.0, 0.5) == (700, 0, 1600, 900)
    assert renditions.crop_box(900, 1600, (16, 9), 0.5, 0.1) == (0, 0, 900, 506)


def test_the_library_is_searched_without_accents_and_shows_thumbnails(client, editor):
    make_photo(caption="Hồ Tây lộng gió", credit="Ảnh: Đức")
    make_photo(caption="Phố cổ", credit="Ảnh: Lan")
    client.force_login(editor)
    page = client.get("/admin/articles/photo/", {"q": "ho tay"}).content.decode()
    assert page.count('class="figure-thumbnail"') == 1 and "Ảnh: Đức" in page
    page = client.get("/admin/articles/photo/", {"q": "duc"}).content.decode()
    assert "Ảnh: Đức" in page and "Ảnh: Lan" not in page
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "figure", "field_name": "photo", "term": "PHO CO"},
    ).json()
    assert [result["text"] for result in found["results"]] == ["Ảnh minh họa"]


def test_a_figure_left_without_a_caption_takes_the_photos_default_one(db):
    photo = make_photo(caption="Chú thích sẵn có")
    article = make_article(blocks=[{"photo": photo}, {"photo": photo, "caption": "Riêng bài"}])
    assert [figure.caption for figure in article.body()] == ["Chú thích sẵn có", "Riêng bài"]


def test_a_photo_used_by_a_story_cannot_be_deleted_from_the_library(db):
    from django.db.models import ProtectedError

    photo = make_photo()
    make_article(blocks=[{"photo": photo}])
    with pytest.raises(ProtectedError):
        photo.delete()


def test_embed_model_keeps_only_allowed_urls(db):
    from django.core.exceptions import ValidationError

    embed = Embed(article=make_article(), url="http://www.youtube.com/watch?v=dQw4w9WgXcQ")
    with pytest.raises(ValidationError):
        embed.full_clean()


def test_the_edit_page_moves_blocks_by_keyboard_with_a_script_file_and_vietnamese_words(
    client, editor
):
    story = make_article(blocks=["Đoạn một.", "Đoạn hai."])
    client.force_login(editor)
    page = client.get(change_url(story)).content.decode()
    assert '<script src="/static/articles/js/block-order.js"' in page
    assert "/static/articles/css/block-order.css" in page
    (tag,) = re.findall(r'<p id="block-order-status"[^>]*>', page)
    status = {name: unescape(value) for name, value in re.findall(r'([\w-]+)="([^"]*)"', tag)}
    assert status.get("role") == "status" and status.get("aria-live") == "polite"
    assert status.get("data-label-up") == "Chuyển khối lên"
    assert status.get("data-label-down") == "Chuyển khối xuống"
    assert status.get("data-msg-up") == "{block}: đã chuyển lên, nay là khối {place} trên {count}."
    assert status.get("data-msg-first") == "{block}: đã là khối đầu tiên."
