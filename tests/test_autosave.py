"""Autosave of the article form: stored per editor and article, offered back, never published;
a stale save shown side by side; a chosen library photo kept across a form error."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from articles import autosave
from articles.cache import version
from articles.models import Article, Autosave, Figure, RichText, SiteChange

from .admin_forms import ADD_URL, change_url, empty_inlines, form_data, new_article_data
from .factories import make_article, make_photo, png_upload


def autosave_url(article=None):
    if article is None:
        return "/admin/articles/article/autosave/"
    return f"/admin/articles/article/{article.pk}/autosave/"


def send(client, url, data, files=(), **extra):
    """Post a form's state as autosave.js does."""
    pairs = [[name, value] for name, value in data.items()]
    body = json.dumps({"data": pairs, "files": list(files)})
    return client.post(url, body, content_type="application/json", **extra)


def typed(client, article, **changes):
    """The article's edit form as opened, with ``changes`` typed in."""
    data = form_data(client.get(change_url(article)))
    data.update(changes)
    return data


def hanoi(moment):
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


@pytest.fixture
def story(db):
    return make_article("Hà Nội vào thu", blocks=["Gió heo may về trên phố."])


def new_text_block(index, ordering, html):
    """A text block added to the body in the browser, as content-editor's "add" posts it:
    the form ``index`` of the ``richtexts`` inline, at ``ordering`` in the body."""
    return {
        "richtexts-TOTAL_FORMS": str(index + 1),
        f"richtexts-{index}-text": html,
        f"richtexts-{index}-region": "body",
        f"richtexts-{index}-ordering": str(ordering),
    }


# The endpoint ------------------------------------------------------------------------


def test_an_autosave_is_stored_once_per_editor_and_article(client, editor, story):
    client.force_login(editor)
    data = typed(client, story, title="Hà Nội vào thu, bản đang viết")
    first = send(client, autosave_url(story), data)
    assert first.status_code == 200
    saved = Autosave.objects.get(user=editor, article=story)
    assert ["title", "Hà Nội vào thu, bản đang viết"] in saved.data
    assert first.json()["shown"] == hanoi(saved.saved_at)

    data["title"] = "Hà Nội vào thu, bản mới hơn"
    assert send(client, autosave_url(story), data).status_code == 200
    rows = Autosave.objects.filter(user=editor, article=story)
    assert rows.count() == 1
    assert ["title", "Hà Nội vào thu, bản mới hơn"] in rows.get().data

    # A new article is kept per editor too, apart from the story.
    assert send(client, autosave_url(), new_article_data("Bài mới")).status_code == 200
    assert Autosave.objects.filter(user=editor, article=None).count() == 1
    assert send(client, autosave_url(), new_article_data("Bài mới hơn")).status_code == 200
    assert ["title", "Bài mới hơn"] in Autosave.objects.get(user=editor, article=None).data


def test_an_autosave_changes_nothing_readers_or_the_history_see(client, editor, story):
    client.force_login(editor)
    page = client.get(story.get_absolute_url()).content.decode()
    before = Article.objects.values().get(pk=story.pk)
    versions = Version.objects.count()
    site = list(SiteChange.objects.values_list("changed_at", flat=True))
    seen = version.current()

    data = typed(client, story, title="Tiêu đề chưa lưu", sapo="Sapo chưa lưu")
    data["richtexts-0-text"] = "<p>Đoạn chưa lưu.</p>"
    assert send(client, autosave_url(story), data).status_code == 200

    assert Article.objects.values().get(pk=story.pk) == before  # version, updated_at included
    assert list(RichText.objects.filter(article=story).values_list("text", flat=True)) == [
        "<p>Gió heo may về trên phố.</p>"
    ]
    assert Version.objects.count() == versions
    assert list(SiteChange.objects.values_list("changed_at", flat=True)) == site
    assert version.current() == seen
    reader = Client().get(story.get_absolute_url()).content.decode()
    assert "Tiêu đề chưa lưu" not in reader and "Đoạn chưa lưu." not in reader
    assert reader == page


def test_only_who_may_change_the_article_may_autosave_it(client, reporter, editor, story):
    client.force_login(reporter)
    # A reporter may not change a published story, so may not autosave it either.
    assert send(client, autosave_url(story), {"title": "x"}).status_code == 403
    draft = make_article("Bản nháp", status=Article.Status.DRAFT)
    assert send(client, autosave_url(draft), {"title": "Bản nháp, sửa"}).status_code == 200
    assert send(client, autosave_url(), {"title": "Bài mới"}).status_code == 200
    assert not Autosave.objects.filter(article=story).exists()
    assert Autosave.objects.filter(user=reporter).count() == 2

    client.logout()
    anonymous = send(client, autosave_url(draft), {"title": "x"})
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    outsider = User.objects.create_user("docgia", password="mật-khẩu-dài-2025")
    client.force_login(outsider)
    assert send(client, autosave_url(draft), {"title": "x"}).status_code == 302
    client.force_login(editor)
    assert send(client, "/admin/articles/article/999999/autosave/", {}).status_code == 404
    assert send(client, "/admin/articles/article/abc/autosave/", {}).status_code == 404
    assert Autosave.objects.filter(user=reporter).count() == 2


def test_an_autosave_needs_a_post_with_the_csrf_token(editor, story):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.get(autosave_url(story)).status_code == 405
    assert send(client, autosave_url(story), {"title": "Không có mã"}).status_code == 403
    assert not Autosave.objects.exists()
    client.get(change_url(story))  # sets the CSRF cookie, as opening the page does
    token = client.cookies["csrftoken"].value
    ok = send(client, autosave_url(story), {"title": "Có mã"}, HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200
    assert Autosave.objects.get().data == [["title", "Có mã"]]


def test_too_large_or_malformed_autosaves_are_refused_saying_why(client, editor, story, settings):
    client.force_login(editor)
    assert send(client, autosave_url(story), {"title": "Bản đầu"}).status_code == 200
    settings.AUTOSAVE_MAX_BYTES = 1000
    big = send(client, autosave_url(story), {"title": "Dài " * 500})
    assert big.status_code == 413
    assert "quá lớn để lưu tự động" in big.json()["error"]
    assert "tối đa 1000" in big.json()["error"] and "Hãy bấm Lưu" in big.json()["error"]
    for body in ("không phải JSON", "[1, 2]", '{"data": [["a"]]}', '{"data": [[1, 2]]}'):
        bad = client.post(autosave_url(story), body, content_type="application/json")
        assert bad.status_code == 400
        assert bad.json()["error"] == "Yêu cầu lưu tự động không mang nội dung của biểu mẫu."
    # What was stored before stays as it was.
    assert Autosave.objects.get().data == [["title", "Bản đầu"]]


def test_the_csrf_token_is_never_stored_and_nul_characters_are_dropped(client, editor, story):
    client.force_login(editor)
    data = {"csrfmiddlewaretoken": "bí mật", "title": "Có\x00 NUL", "sapo": "\ud800"}
    assert send(client, autosave_url(story), data, files=["figures-0-image"]).status_code == 200
    saved = Autosave.objects.get()
    assert saved.data == [["title", "Có NUL"], ["sapo", "?"]]
    assert saved.files == ["figures-0-image"]


def test_an_autosave_request_costs_a_handful_of_queries(
    client, editor, story, django_assert_max_num_queries
):
    client.force_login(editor)
    data = typed(client, story, title="Đếm truy vấn")
    send(client, autosave_url(story), data)  # the row exists: the usual case is an update
    data["title"] = "Đếm truy vấn lần hai"
    with django_assert_max_num_queries(6):
        assert send(client, autosave_url(story), data).status_code == 200


# The offer, restoring and discarding -------------------------------------------------------

BANNER = re.compile(
    r"Có bản lưu tự động lúc (\d\d/\d\d/\d{4} \d\d:\d\d) \(giờ Hà Nội\) chưa được lưu"
)


def test_reopening_offers_an_autosave_newer_than_the_article(client, editor, story):
    client.force_login(editor)
    assert BANNER.search(client.get(change_url(story)).content.decode()) is None
    send(client, autosave_url(story), typed(client, story, title="Đang viết dở"))
    saved = Autosave.objects.get()

    page = client.get(change_url(story)).content.decode()
    found = BANNER.search(page)
    assert found and found.group(1) == hanoi(saved.saved_at)
    assert 'href="?_autosave=restore"' in page and ">Khôi phục</a>" in page
    assert ">Bỏ qua</button>" in page
    assert f'action="{change_url(story)[:-7]}autosave/discard/"' in page

    # Saved by someone after the autosave: not offered as the latest text, but not hidden.
    story.updated_by = User.objects.create_user("thuky")
    story.save()
    Autosave.objects.update(saved_at=story.updated_at - timedelta(minutes=1))
    page = client.get(change_url(story)).content.decode()
    assert BANNER.search(page) is None
    earlier = hanoi(story.updated_at - timedelta(minutes=1))
    assert (
        f"Có bản lưu tự động lúc {earlier} (giờ Hà Nội), cũ hơn lần lưu của thuky lúc "
        f"{hanoi(story.updated_at)}: khôi phục sẽ cho xem cả hai bản"
    ) in page


def test_restoring_renders_the_autosaved_form_with_added_rows_and_saves_nothing(
    client, editor, story
):
    client.force_login(editor)
    data = typed(client, story, title="Tiêu đề khôi phục", sapo="Sapo khôi phục")
    data["richtexts-0-text"] = "<p>Đoạn đầu đã sửa.</p>"
    # A block added in the browser, as the content editor's "add" makes it.
    data.update(new_text_block(1, 20, "<p>Đoạn thêm mới.</p>"))
    send(client, autosave_url(story), data, files=["photo-image"])
    before = Article.objects.values().get(pk=story.pk)
    versions = Version.objects.count()

    response = client.get(change_url(story) + "?_autosave=restore")
    assert response.status_code == 200
    restored = form_data(response)
    assert restored["title"] == "Tiêu đề khôi phục"
    assert restored["sapo"] == "Sapo khôi phục"
    assert restored["richtexts-0-text"] == "<p>Đoạn đầu đã sửa.</p>"
    assert restored["richtexts-1-text"] == "<p>Đoạn thêm mới.</p>"
    assert restored["richtexts-1-ordering"] == "20"
    assert restored["richtexts-TOTAL_FORMS"] == "2"
    page = response.content.decode()
    saved = Autosave.objects.get()
    assert f"Đã khôi phục bản lưu tự động lúc {hanoi(saved.saved_at)} (giờ Hà Nội)" in page
    assert "photo-image" in page  # a file input's photo must be chosen again, and it says so
    assert 'class="errornote"' not in page
    assert 'data-unsaved="1"' in page  # leaving asks, though nothing was typed since

    assert Article.objects.values().get(pk=story.pk) == before
    assert RichText.objects.filter(article=story).count() == 1
    assert Version.objects.count() == versions

    # The editor presses Save: the restored form is the article now, and the autosave goes.
    assert client.post(change_url(story), restored).status_code == 302
    story.refresh_from_db()
    assert story.title == "Tiêu đề khôi phục"
    assert [block.text for block in story.body()] == [
        "<p>Đoạn đầu đã sửa.</p>",
        "<p>Đoạn thêm mới.</p>",
    ]
    assert not Autosave.objects.exists()


def test_a_new_article_is_restored_and_its_save_forgets_the_autosave(client, editor):
    client.force_login(editor)
    data = new_article_data("Bài chưa từng lưu")
    data.update(new_text_block(0, 10, "<p>Đoạn duy nhất.</p>"))
    send(client, autosave_url(), data)
    offer = client.get(ADD_URL).content.decode()
    assert BANNER.search(offer)
    restored = form_data(client.get(ADD_URL + "?_autosave=restore"))
    assert restored["title"] == "Bài chưa từng lưu"
    assert restored["richtexts-0-text"] == "<p>Đoạn duy nhất.</p>"
    assert not Article.objects.filter(title="Bài chưa từng lưu").exists()

    assert client.post(ADD_URL, restored).status_code == 302
    article = Article.objects.get(title="Bài chưa từng lưu")
    assert [block.text for block in article.body()] == ["<p>Đoạn duy nhất.</p>"]
    assert not Autosave.objects.exists()


def test_another_editors_autosave_is_neither_offered_nor_restored(client, editor, story):
    other = User.objects.create_superuser("thuky", password="mật-khẩu-dài-2025")
    client.force_login(other)
    send(client, autosave_url(story), typed(client, story, title="Của người khác"))
    client.force_login(editor)
    assert BANNER.search(client.get(change_url(story)).content.decode()) is None
    assert form_data(client.get(change_url(story) + "?_autosave=restore"))["title"] == story.title


def test_discarding_deletes_the_autosave_and_opens_the_article_as_stored(client, editor, story):
    client.force_login(editor)
    send(client, autosave_url(story), typed(client, story, title="Bỏ đi"))
    send(client, autosave_url(), new_article_data("Bài mới bỏ đi"))
    discard = change_url(story)[:-7] + "autosave/discard/"
    assert client.get(discard).status_code == 405
    response = client.post(discard)
    assert response.status_code == 302 and response["Location"] == change_url(story)
    assert not Autosave.objects.filter(article=story).exists()
    assert BANNER.search(client.get(change_url(story)).content.decode()) is None

    response = client.post("/admin/articles/article/autosave/discard/")
    assert response["Location"] == ADD_URL
    assert not Autosave.objects.exists()


# A stale save, side by side ----------------------------------------------------------------


def test_a_refused_stale_save_keeps_the_typed_form_and_shows_both_versions(client, editor, story):
    other = User.objects.create_superuser("thuky", password="mật-khẩu-dài-2025")
    client.force_login(editor)
    mine = typed(client, story, title="Tiêu đề của tôi", sapo="Sapo của tôi")
    mine["richtexts-0-text"] = "<p>Đoạn của tôi.</p>"
    mine.update(new_text_block(1, 20, "<p>Đoạn tôi thêm.</p>"))

    # Meanwhile another editor saves the story.
    story.refresh_from_db()
    story.title = "Tiêu đề của người kia"
    story.updated_by = other
    story.save()
    RichText.objects.filter(article=story).update(text="<p>Đoạn của người kia.</p>")
    RichText.objects.create(article=story, ordering=50, text="<p>Đoạn người kia thêm.</p>")
    story.refresh_from_db()

    response = client.post(change_url(story), mine)
    assert response.status_code == 200
    kept = form_data(response)
    assert kept["title"] == "Tiêu đề của tôi"
    assert kept["richtexts-0-text"] == "<p>Đoạn của tôi.</p>"
    page = response.content.decode()
    assert (
        f"thuky đã lưu bài này lúc {hanoi(story.updated_at)} (giờ Hà Nội), sau khi bạn mở bài"
        in page
    )
    rows = re.findall(
        r'<tr>\s*<th scope="row">(.*?)</th>\s*<td class="autosave-theirs"[^>]*>(.*?)</td>'
        r'\s*<td class="autosave-yours"[^>]*>(.*?)</td>',
        page,
        re.S,
    )
    assert ("Tiêu đề", "Tiêu đề của người kia", "Tiêu đề của tôi") in rows
    assert ("Sapo", "Tóm tắt bài viết.", "Sapo của tôi") in rows
    # A block's text is shown as its words, not its HTML.
    assert ("Văn bản 1 · Văn bản", "Đoạn của người kia.", "Đoạn của tôi.") in rows
    assert ("Văn bản 2 · Văn bản", "—", "Đoạn tôi thêm.") in rows
    assert ("Văn bản 2 · Thứ tự", "—", "20") in rows
    added = "Văn bản · thêm vào trong lúc bạn sửa · "
    assert (added + "Văn bản", "Đoạn người kia thêm.", "—") in rows
    assert (added + "Thứ tự", "50", "—") in rows
    # Fields the two agree on are not listed.
    assert len(rows) == 7, [r[0] + " | " + r[1] + " | " + r[2] for r in rows]
    story.refresh_from_db()
    assert story.title == "Tiêu đề của người kia"


# Photos chosen before a form error ------------------------------------------------------
#
# A figure shows a photo of the library, chosen by its id: the form's own value, kept
# across an error and an autosave like any other. The article form has no file input.


def photo_post(photo=None, **fields):
    data = new_article_data(**fields, **empty_inlines(figures=1))
    data.update(
        {
            "figures-0-photo": str(photo.pk) if photo else "",
            "figures-0-caption": "Hồ Gươm",
            "figures-0-region": "body",
            "figures-0-ordering": "10",
        }
    )
    return data


def test_a_chosen_photo_is_kept_across_a_form_error_and_saved_with_the_form(client, editor):
    client.force_login(editor)
    photo = make_photo(png_upload("ho-guom.png"), alt_text="Hồ Gươm")
    refused = client.post(ADD_URL, photo_post(photo, title=""))
    assert refused.status_code == 200 and 'class="errornote"' in refused.content.decode()
    kept = form_data(refused)
    assert kept["figures-0-photo"] == str(photo.pk)
    assert kept["figures-0-caption"] == "Hồ Gươm"
    assert photo.image.url in refused.content.decode()  # its thumbnail, not to choose again

    # Fixed and saved again, without choosing the photo again.
    assert client.post(ADD_URL, {**kept, "title": "Hồ Gươm sáng nay"}).status_code == 302
    figure = Figure.objects.get(article__title="Hồ Gươm sáng nay")
    assert figure.photo == photo and figure.caption == "Hồ Gươm"
    assert figure.image_width == 64 and figure.image_height == 48


def test_a_photo_is_kept_across_several_errors_and_a_new_choice_wins(client, editor):
    client.force_login(editor)
    photo = make_photo()
    first = client.post(ADD_URL, photo_post(photo, title=""))
    second = client.post(ADD_URL, {**form_data(first), "title": ""})
    assert form_data(second)["figures-0-photo"] == str(photo.pk)
    chosen = make_photo(png_upload("xanh.png", size=(40, 30), color=(0, 0, 200)))
    data = {**form_data(second), "title": "Ảnh chọn lại", "figures-0-photo": str(chosen.pk)}
    assert client.post(ADD_URL, data).status_code == 302
    assert Figure.objects.get().photo == chosen
    assert Figure.objects.get().image_width == 40


def test_a_file_posted_with_a_refused_article_form_is_neither_stored_nor_offered(
    client, editor, media_root
):
    client.force_login(editor)
    refused = client.post(
        ADD_URL, {**photo_post(title=""), "figures-0-upload": png_upload("ho-guom.png")}
    )
    assert refused.status_code == 200 and 'class="errornote"' in refused.content.decode()
    assert "ho-guom.png" not in refused.content.decode()
    assert not any(path.is_file() for path in media_root.rglob("*"))


# Pruning --------------------------------------------------------------------------------


def test_old_autosaves_are_pruned(client, editor, story):
    client.force_login(editor)
    send(client, autosave_url(story), {"title": "Mới"})
    send(client, autosave_url(), {"title": "Cũ"})
    Autosave.objects.filter(article=None).update(saved_at=timezone.now() - timedelta(days=31))

    out = StringIO()
    call_command("prune_autosaves", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 autosave(s) and 0 kept photo(s)."
    assert list(Autosave.objects.values_list("article", flat=True)) == [story.pk]
    assert autosave.prune(days=0, now=timezone.now() + timedelta(seconds=5)) == 1
    assert not Autosave.objects.exists()


def test_the_edit_page_loads_autosave_from_a_static_file_with_translated_messages(
    client, editor, story
):
    client.force_login(editor)
    page = client.get(change_url(story)).content.decode()
    script = r'<script src="/static/articles/js/autosave\.js"( nonce="[^"]+")?></script>'
    assert re.search(script, page)
    assert f'data-url="{autosave_url(story)}"' in page
    assert 'data-msg-saved="Đã lưu tự động lúc {time} (bài chưa được lưu)"' in page
    assert 'data-unsaved="0"' in page
    assert "<script>" not in page


def test_restoring_needs_the_right_to_change_the_article(client, reporter, story):
    Autosave.objects.create(
        user=reporter, article=story, data=[["title", "Sửa lén"]], saved_at=timezone.now()
    )
    client.force_login(reporter)
    assert client.get(change_url(story) + "?_autosave=restore").status_code == 403
    story.refresh_from_db()
    assert story.title == "Hà Nội vào thu"


def test_a_save_forgets_only_its_editors_autosave(client, editor, story):
    other = User.objects.create_superuser("thuky", password="mật-khẩu-dài-2025")
    Autosave.objects.create(user=other, article=story, data=[], saved_at=timezone.now())
    client.force_login(editor)
    data = typed(client, story, title="Đã lưu")
    send(client, autosave_url(story), data)
    send(client, autosave_url(), new_article_data("Bài mới của tôi"))
    assert client.post(change_url(story), data).status_code == 302
    left = Autosave.objects.values_list("user__username", "article")
    assert sorted(left, key=str) == sorted([("thuky", story.pk), ("bientap", None)], key=str)


def test_restoring_an_autosave_from_before_anothers_save_shows_both_versions(client, editor, story):
    client.force_login(editor)
    send(client, autosave_url(story), typed(client, story, title="Bản tự lưu của tôi"))
    story.refresh_from_db()
    story.title = "Bản người khác vừa lưu"
    story.save()
    response = client.get(change_url(story) + "?_autosave=restore")
    assert form_data(response)["title"] == "Bản tự lưu của tôi"
    page = response.content.decode()
    assert "autosave-conflict" in page and "Bản người khác vừa lưu" in page
    story.refresh_from_db()
    assert story.title == "Bản người khác vừa lưu"


def test_a_chosen_photo_comes_back_with_a_restored_autosave(client, editor):
    client.force_login(editor)
    photo = make_photo()
    refused = client.post(ADD_URL, photo_post(photo, title=""))
    state = form_data(refused)
    send(client, autosave_url(), {**state, "title": "Ảnh giữ qua khôi phục"})
    restored = client.get(ADD_URL + "?_autosave=restore")
    assert form_data(restored)["figures-0-photo"] == str(photo.pk)
    assert client.post(ADD_URL, form_data(restored)).status_code == 302
    figure = Figure.objects.get(article__title="Ảnh giữ qua khôi phục")
    assert figure.photo == photo and figure.image_width == 64
