"""The desk: its boxes, notes and returns, scheduling shown, previews and share links,
presence, and the history's diff as editors read it."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from articles import desk, previews
from articles.models import Article, Note, Presence, PreviewLink, StatusChange

from .admin_forms import (
    ADD_URL,
    LIST_URL,
    change_url,
    form_data,
    member,
    new_article_data,
    post_form,
)
from .factories import make_article, make_category, make_photo


def box(page, box_id):
    """The HTML of one box of the desk."""
    start = page.index(f'id="{box_id}"')
    return page[start : page.index("</section>", start)]


def notes_url(article):
    return f"{LIST_URL}{article.pk}/notes/"


# The desk ------------------------------------------------------------------------


def test_the_desk_is_the_admins_first_page_with_each_box(client, editor, reporter):
    now = timezone.now()
    section = make_category("Thời sự")
    mine = make_article("Nháp của phóng viên", status="draft", created_by=reporter)
    make_article("Nháp của người khác", status="draft")
    old = make_article("Chờ lâu", status="review", published_at=None)
    new = make_article("Chờ chưa lâu", status="review", published_at=None)
    StatusChange.objects.create(
        article=old, author=reporter, old_status="draft", new_status="review",
        created_at=now - timedelta(hours=3),
    )  # fmt: skip
    StatusChange.objects.create(
        article=new, author=reporter, old_status="draft", new_status="review",
        created_at=now - timedelta(minutes=10),
    )  # fmt: skip
    later = make_article("Hẹn giờ chiều nay", published_at=now + timedelta(hours=2))
    today = make_article("Đã lên trang", category=section, published_at=now - timedelta(minutes=5))
    StatusChange.objects.create(
        article=today, author=editor, old_status="review", new_status="published"
    )
    make_article("Bài hôm qua", published_at=now - timedelta(days=2))
    Presence.objects.create(article=mine, user=reporter, since=now - timedelta(minutes=7))

    client.force_login(reporter)
    page = client.get("/admin/").content.decode()
    assert "Nháp của phóng viên" in box(page, "desk-drafts")
    assert "Nháp của người khác" not in box(page, "desk-drafts")
    waiting = box(page, "desk-waiting")
    assert waiting.index("Chờ lâu") < waiting.index("Chờ chưa lâu"), "the oldest first"
    assert "đã chờ 3\xa0giờ" in waiting and "đã chờ 10\xa0phút" in waiting
    scheduled = box(page, "desk-scheduled")
    assert "Hẹn giờ chiều nay" in scheduled
    assert timezone.localtime(later.published_at).strftime("%d/%m/%Y %H:%M") in scheduled
    published = box(page, "desk-published")
    assert "Đã lên trang" in published and "bientap" in published
    assert "Bài hôm qua" not in published
    editing = box(page, "desk-editing")
    assert "Nháp của phóng viên" in editing and "phongvien" in editing


def desk_world(size, editor, reporter):
    """``size`` stories in every box of the desk."""
    now = timezone.now()
    for n in range(size):
        draft = make_article(f"Nháp {n}", status="draft", created_by=reporter)
        back = make_article(f"Trả lại {n}", status="returned", created_by=reporter)
        note = Note.objects.create(article=back, author=editor, recipient=reporter, text="Sửa")
        StatusChange.objects.create(
            article=back, author=editor, old_status="review", new_status="returned", note=note
        )
        review = make_article(f"Chờ {n}", status="review", published_at=None)
        StatusChange.objects.create(
            article=review, author=reporter, old_status="draft", new_status="review"
        )
        make_article(f"Hẹn {n}", published_at=now + timedelta(hours=n + 1))
        make_article(f"Hôm nay {n}", published_at=now - timedelta(seconds=n + 1))
        Presence.objects.create(article=draft, user=reporter)


@pytest.mark.parametrize("size", [1, 15])
def test_the_desks_queries_do_not_grow_with_the_stories(
    client, editor, reporter, django_assert_max_num_queries, size
):
    desk_world(size, editor, reporter)
    client.force_login(reporter)
    # Session, user, the user's permissions (two), the recent actions, then one query
    # per box (seven boxes).
    with django_assert_max_num_queries(12):
        page = client.get("/admin/").content.decode()
    assert page.count("Trả lại ") >= size and f"Hẹn {size - 1}" in page


def test_each_box_is_one_query(editor, reporter, django_assert_num_queries):
    desk_world(3, editor, reporter)
    with django_assert_num_queries(7):
        found = desk.boxes(reporter)
    assert len(found["returned"]) == 3 and len(found["unread_notes"]) == 3
    assert [a.title for a in found["scheduled"]] == ["Hẹn 0", "Hẹn 1", "Hẹn 2"]
    assert {a.published_by for a in found["published_today"]} == {None}


# Notes and returns ---------------------------------------------------------------


def test_an_editor_returns_a_story_with_a_note_and_the_reporter_is_told(
    client, editor, reporter, django_capture_on_commit_callbacks
):
    reporter.email = "phongvien@example.vn"
    reporter.save()
    story = make_article("Bài cần sửa", status="review", published_at=None, created_by=reporter)
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            notes_url(story), {"text": "Thiếu nguồn ở đoạn hai.", "_return": "1"}
        )
    assert response.status_code == 302

    story.refresh_from_db()
    assert story.status == Article.Status.RETURNED
    note = Note.objects.get(article=story)
    assert (note.author, note.recipient, note.text) == (editor, reporter, "Thiếu nguồn ở đoạn hai.")
    change = StatusChange.objects.get(article=story)
    assert (change.author, change.old_status, change.new_status, change.note) == (
        editor,
        "review",
        "returned",
        note,
    )
    assert "Trả lại phóng viên" in Version.objects.get_for_object(story).first().revision.comment
    [message] = mail.outbox
    assert message.to == ["phongvien@example.vn"]
    assert "Bài cần sửa" in message.subject and "Thiếu nguồn ở đoạn hai." in message.body

    reporter_client = Client()
    reporter_client.force_login(reporter)
    page = reporter_client.get("/admin/").content.decode()
    returned = box(page, "desk-returned")
    assert "Bài cần sửa" in returned and "Thiếu nguồn ở đoạn hai." in returned
    assert "1 ghi chú chưa đọc" in returned
    # Opening the story reads the note, which the change page shows in its thread.
    change_page = reporter_client.get(change_url(story)).content.decode()
    thread = change_page[change_page.index('id="desk-notes"') :]
    assert "Thiếu nguồn ở đoạn hai." in thread and "Bị trả lại" in thread
    assert Note.objects.get(pk=note.pk).read_at is not None
    assert "chưa đọc" not in box(reporter_client.get("/admin/").content.decode(), "desk-returned")


def test_only_editors_return_stories_and_an_empty_note_is_refused(client, editor, reporter):
    story = make_article("Bài chờ", status="review", published_at=None, created_by=reporter)
    client.force_login(reporter)
    assert client.post(notes_url(story), {"text": "Tự trả", "_return": "1"}).status_code == 403
    client.force_login(editor)
    response = client.post(notes_url(story), {"text": "  ", "_return": "1"}, follow=True)
    assert "ghi chú đang trống" in response.content.decode()
    story.refresh_from_db()
    assert story.status == "review" and not Note.objects.exists()
    published = make_article("Đã xuất bản", created_by=reporter)
    response = client.post(notes_url(published), {"text": "Gỡ", "_return": "1"})
    assert response.status_code == 403
    assert client.get(notes_url(story)).status_code == 405


def test_every_status_change_is_recorded_with_its_author(client, editor, reporter):
    client.force_login(reporter)
    assert client.post(ADD_URL, new_article_data("Phố cổ về đêm")).status_code == 302
    story = Article.objects.get(title="Phố cổ về đêm")
    assert post_form(client, story, status="review").status_code == 302
    client.force_login(editor)
    story.refresh_from_db()
    assert post_form(client, story, status="published").status_code == 302
    log = [
        (c.author.username, c.old_status, c.new_status)
        for c in StatusChange.objects.filter(article=story)
    ]
    assert log == [
        ("phongvien", "", "draft"),
        ("phongvien", "draft", "review"),
        ("bientap", "review", "published"),
    ]
    # A note without a return is a note in the thread, addressed to the reporter.
    client.post(notes_url(story), {"text": "Ảnh đẹp."})
    assert Note.objects.get(article=story).recipient == reporter


def test_the_reporter_resubmits_a_returned_story(client, editor, reporter):
    story = make_article("Bài bị trả", status="review", published_at=None, created_by=reporter)
    client.force_login(editor)
    assert 'value="returned"' not in client.get(change_url(story)).content.decode()
    refused = post_form(client, story, status="returned")
    assert refused.status_code == 200 and Article.objects.get(pk=story.pk).status == "review"
    client.post(notes_url(story), {"text": "Sửa tiêu đề.", "_return": "1"})
    client.force_login(reporter)
    assert 'value="returned" selected' in client.get(change_url(story)).content.decode()
    story.refresh_from_db()
    assert post_form(client, story, title="Bài đã sửa", status="review").status_code == 302
    assert StatusChange.objects.filter(article=story).last().new_status == "review"


# Scheduling ----------------------------------------------------------------------


def test_a_scheduled_story_is_marked_filtered_and_its_save_says_when(client, editor):
    when = timezone.now() + timedelta(days=1)
    shown = timezone.localtime(when).strftime("%d/%m/%Y %H:%M")
    story = make_article("Hẹn giờ sáng mai", published_at=when)
    make_article("Đang hiện")
    client.force_login(editor)

    listing = client.get(LIST_URL).content.decode()
    row = listing[listing.index("Hẹn giờ sáng mai") :]
    row = row[: row.index("</tr>")]
    assert "Hẹn giờ" in row and shown in row and "Đã xuất bản" not in row
    scheduled = client.get(f"{LIST_URL}?schedule=scheduled").content.decode()
    assert "Hẹn giờ sáng mai" in scheduled and "Đang hiện" not in scheduled
    visible = client.get(f"{LIST_URL}?schedule=visible").content.decode()
    assert "Hẹn giờ sáng mai" not in visible and "Đang hiện" in visible

    response = post_form(client, story, title="Hẹn giờ sáng mai (sửa)")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(f"từ {shown} (giờ Hà Nội)" in m for m in messages), messages


# Previews ------------------------------------------------------------------------


def test_preview_is_on_every_change_page_and_view_on_site_only_when_visible(client, editor):
    draft = make_article("Bản nháp", status="draft", published_at=None)
    visible = make_article("Bài đang hiện")
    scheduled = make_article("Bài hẹn giờ", published_at=timezone.now() + timedelta(hours=1))
    client.force_login(editor)
    for article in (draft, visible, scheduled):
        page = client.get(change_url(article)).content.decode()
        assert f'href="{LIST_URL}{article.pk}/preview/"' in page
        assert ("viewsitelink" in page) == (article is visible), article.title
    page = client.get(change_url(visible)).content.decode()
    assert visible.get_absolute_url() in page


def make_link(client, article):
    client.post(f"{LIST_URL}{article.pk}/preview-links/")
    link = PreviewLink.objects.filter(article=article).first()
    return link, previews.url(link)


def test_a_shared_preview_shows_the_draft_to_anyone_and_is_never_kept(client, editor, settings):
    settings.PREVIEW_LINK_HOURS = 48
    draft = make_article("Bản nháp bí mật", status="draft", published_at=None, blocks=["Đoạn."])
    client.force_login(editor)
    link, url = make_link(client, draft)
    assert link.created_by == editor
    assert abs(link.expires_at - timezone.now() - timedelta(hours=48)) < timedelta(minutes=1)
    assert url in client.get(change_url(draft)).content.decode()

    stranger = Client()
    response = stranger.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bản nháp bí mật" in page and "Đoạn." in page
    assert 'class="preview-banner"' in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "private, no-store"
    assert not any(key.startswith("articles:page:") for key in cache_keys()), "not kept"
    assert stranger.get(url).status_code == 200


def cache_keys():
    """Every key the cache holds, without Django's prefix and version (":1:")."""
    if hasattr(cache._cache, "get_client"):  # Redis
        keys = [key.decode() for key in cache._cache.get_client().keys("*")]
    else:
        keys = list(cache._cache)
    return [key.split(":", 2)[-1] for key in keys]


def assert_refused(response, article):
    assert response.status_code == 404
    page = response.content.decode()
    assert article.title not in page and "preview-banner" not in page
    assert str(article.pk) not in re.sub(r"<[^>]+>", "", page).split()


def test_a_tampered_expired_or_revoked_link_is_a_plain_404(client, editor, reporter, settings):
    draft = make_article("Bản nháp kín", status="draft", published_at=None)
    other = make_article("Bản nháp khác", status="draft", published_at=None)
    client.force_login(editor)
    link, url = make_link(client, draft)
    stranger = Client()
    token = url.split("/")[-2]
    assert_refused(stranger.get(url.replace(token, token[:-2] + "xx")), draft)
    signer = signing.Signer(salt=previews.SALT)
    forged = signer.sign_object({"link": link.pk, "article": other.pk})
    assert_refused(stranger.get(f"/xem-truoc/{forged}/"), draft)
    assert_refused(stranger.get(f"/xem-truoc/{signer.sign_object({'link': link.pk})}/"), draft)
    unsalted = signing.Signer().sign_object({"link": link.pk, "article": draft.pk})
    assert_refused(stranger.get(f"/xem-truoc/{unsalted}/"), draft)

    link.expires_at = timezone.now() - timedelta(seconds=1)
    link.save()
    assert_refused(stranger.get(url), draft)

    second, second_url = make_link(client, other)
    assert stranger.get(second_url).status_code == 200
    # A reporter who did not make it may not revoke it; an editor may.
    reporter_client = Client()
    reporter_client.force_login(reporter)
    revoke = f"{LIST_URL}{other.pk}/preview-links/{second.pk}/revoke/"
    assert reporter_client.post(revoke).status_code == 403
    assert client.post(revoke).status_code == 302
    assert_refused(stranger.get(second_url), other)
    second.refresh_from_db()
    assert second.revoked_by == editor and second.revoked_at is not None


# Presence ------------------------------------------------------------------------


def test_a_second_person_sees_who_has_the_story_open_and_since_when(client, editor, reporter):
    story = make_article("Bài đang sửa", status="draft", published_at=None, created_by=reporter)
    client.force_login(reporter)
    client.get(change_url(story))
    since = timezone.localtime(Presence.objects.get(user=reporter).since).strftime("%H:%M")

    other = Client()
    other.force_login(editor)
    page = other.get(change_url(story)).content.decode()
    line = page[page.index('id="desk-presence"') :]
    line = line[: line.index("</p>")]
    assert "phongvien" in line and since in line and "hidden" not in line
    beat = client.post(f"{LIST_URL}{story.pk}/presence/").json()
    assert [o["name"] for o in beat["others"]] == ["bientap"]
    assert "bientap" in beat["text"]
    # Gone quiet for longer than PRESENCE_SECONDS: no longer shown.
    Presence.objects.filter(user=editor).update(seen_at=timezone.now() - timedelta(minutes=5))
    assert client.post(f"{LIST_URL}{story.pk}/presence/").json()["others"] == []
    client.post(f"{LIST_URL}{story.pk}/presence/", {"leave": "1"})
    assert not Presence.objects.filter(user=reporter).exists()


# History -------------------------------------------------------------------------


def test_a_photo_whose_credit_differs_shows_it_in_the_diff_with_hanoi_times(client, editor):
    # Credit and alt text belong to the library's photo: a story shows another credit when
    # its photo block points at another photo, and the diff says so line by line.
    lan = make_photo(credit="Ảnh: Lan", alt_text="Mặt hồ")
    minh = make_photo(credit="Ảnh: Minh", alt_text="Mặt hồ")
    story = make_article(
        "Bài có ảnh",
        blocks=[{"photo": lan, "caption": "Hồ Tây"}],
        published_at=timezone.make_aware(timezone.datetime(2025, 1, 23, 0, 30)),
    )
    client.force_login(editor)
    assert post_form(client, story).status_code == 302
    story.refresh_from_db()
    assert post_form(client, story, **{"figures-0-photo": str(minh.pk)}).status_code == 302
    latest = Version.objects.get_for_object(story).first()
    page = client.get(f"{LIST_URL}{story.pk}/history/{latest.pk}/changes/").content.decode()
    assert "<del>-  nguồn ảnh: Ảnh: Lan</del>" in page
    assert "<ins>+  nguồn ảnh: Ảnh: Minh</ins>" in page
    assert "mô tả ảnh: Mặt hồ</del>" not in page  # the same alt text is no change

    first = Version.objects.get_for_object(story).last()
    page = client.get(f"{LIST_URL}{story.pk}/history/{first.pk}/changes/").content.decode()
    assert "thời gian xuất bản: 23/01/2025 00:30" in page
    assert "+00:00" not in page


def test_restoring_says_what_it_will_change_before_it_does(client, editor):
    story = make_article("Tiêu đề cũ")
    client.force_login(editor)
    post_form(client, story)
    story.refresh_from_db()
    post_form(client, story, title="Tiêu đề mới")
    old = Version.objects.get_for_object(story).last()
    page = client.get(f"{LIST_URL}{story.pk}/history/{old.pk}/").content.decode()
    changes = page[page.index('id="restore-changes"') :]
    assert "<del>-tiêu đề: Tiêu đề mới</del>" in changes
    assert "<ins>+tiêu đề: Tiêu đề cũ</ins>" in changes
    story.refresh_from_db()
    assert story.title == "Tiêu đề mới", "nothing restored by looking"
    data = form_data(client.get(f"{LIST_URL}{story.pk}/history/{old.pk}/"))
    assert client.post(f"{LIST_URL}{story.pk}/history/{old.pk}/", data).status_code == 302
    story.refresh_from_db()
    assert story.title == "Tiêu đề cũ"


def test_new_staff_see_a_desk_without_stories(client, db):
    client.force_login(member("bientap", "Biên tập viên"))
    page = client.get("/admin/").content.decode()
    assert "Không có bài nào chờ duyệt." in page and "Bàn biên tập" in page
