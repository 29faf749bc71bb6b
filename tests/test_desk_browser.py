"""A real browser walks the desk's day: a reporter writes and submits, an editor returns
the story with a note, the reporter sees it on the desk, edits and resubmits, the editor
schedules it, the desk shows it scheduled, a shared preview shows it to a stranger before
publication and stops when revoked or expired, and at its time the story is public.

Set ``SAVE_SCREENSHOTS=1`` to keep screenshots of the desk, the notes thread and a preview at
390 and 1280 px (docs/screenshots/ holds the ones made so).
"""

import importlib
import importlib.util
import os
import re
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from reversion.models import Version

from articles.models import Article, PreviewLink

from .admin_forms import member
from .browsers import needs_chromium, save_screenshot
from .factories import make_article, make_category, make_photo
from .test_browser_writing import newsroom_groups

pytestmark = needs_chromium

PASSWORD = "mật-khẩu-dài-2025"
TITLE = "Phố đi bộ Hồ Gươm mở lại"
NOTE = "Cần thêm ý kiến của người dân ở đoạn hai."


ROLES = importlib.import_module("articles.migrations.0003_newsroom_groups")


def newsroom_member(username, group):
    """A member of one of the newsroom's groups, made again with every permission their
    migrations give them (the body's blocks, the library) where a transactional test
    before this one emptied the tables the migrations filled."""
    newsroom_groups()
    return member(username, group)


def signed_in(browser, base, username):
    """A page of a browser context of its own, signed in as ``username``, watching for
    errors (a script the CSP refused, a failed request)."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: page.errors.append(r.url) if r.status >= 400 else None)
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#desk-drafts")
    return page


def screenshot(page, name, full_page=True):
    """Keep ``name`` at 390 and 1280 px when SAVE_SCREENSHOTS asks for it."""
    if not os.environ.get("SAVE_SCREENSHOTS"):
        return
    size = page.viewport_size
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        save_screenshot(page, f"{name}-{width}", full_page=full_page)
    page.set_viewport_size(size)


def save(page):
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success", timeout=15_000)


def test_the_desks_day(live_server, browser, transactional_db, settings):
    settings.PRESENCE_BEAT_SECONDS = 1
    base = live_server.url
    newsroom_member("phongvien", ROLES.REPORTERS)
    newsroom_member("bientap", ROLES.EDITORS)

    # The reporter writes the story and sends it to review.
    reporter = signed_in(browser, base, "phongvien")
    reporter.goto(f"{base}/admin/articles/article/add/")
    reporter.fill("#id_title", TITLE)
    reporter.fill("#id_sapo", "Từ tối nay, phố đi bộ quanh hồ mở lại sau ba tháng.")
    # A paragraph of the body: a text block added in the content editor, typed in its editor.
    reporter.locator(".order-machine-insert-target.last").click()
    reporter.locator(".plugin-buttons .plugin-button[data-plugin-prefix=richtexts]").click()
    reporter.locator("#richtexts-0 .tiptap").click()
    reporter.keyboard.type("Người dân đã chờ đợi từ lâu.")
    reporter.select_option("#id_status", "review")
    save(reporter)
    story = Article.objects.get(title=TITLE)
    assert story.status == Article.Status.REVIEW

    # The editor finds it waiting on the desk; the reporter still has it open.
    reporter.goto(f"{base}/admin/articles/article/{story.pk}/change/")
    editor = signed_in(browser, base, "bientap")
    waiting = editor.locator("#desk-waiting")
    assert TITLE in waiting.inner_text() and "đã chờ" in waiting.inner_text()
    waiting.get_by_role("link", name=TITLE).click()
    presence = editor.locator("#desk-presence")
    assert "phongvien" in presence.inner_text()
    # The reporter's page learns of the editor by its heartbeat (our script, under the CSP).
    reporter.locator("#desk-presence", has_text="bientap").wait_for(timeout=10_000)

    # The editor returns it with a note.
    editor.fill("#id_note_text", NOTE)
    editor.click("input[name=_return]")
    editor.wait_for_selector(".messagelist .success")
    story.refresh_from_db()
    assert story.status == Article.Status.RETURNED

    # The reporter sees the note on the desk, edits and resubmits.
    reporter.goto(f"{base}/admin/")
    returned = reporter.locator("#desk-returned")
    assert NOTE in returned.inner_text() and "1 ghi chú chưa đọc" in returned.inner_text()
    screenshot(reporter, "desk")
    returned.get_by_role("link", name=TITLE).first.click()
    thread = reporter.locator("#desk-notes")
    assert NOTE in thread.inner_text() and "Bị trả lại" in thread.inner_text()
    thread.scroll_into_view_if_needed()
    screenshot(reporter, "desk-notes")
    reporter.locator("#richtexts-0 .tiptap").fill(
        "Người dân đã chờ đợi từ lâu, bà Lan ở phố Đinh Tiên Hoàng nói."
    )
    reporter.select_option("#id_status", "review")
    save(reporter)
    assert Article.objects.get(pk=story.pk).status == Article.Status.REVIEW

    # Before publication, the editor shares a preview with a stranger.
    editor.goto(f"{base}/admin/articles/article/{story.pk}/change/")
    editor.click("#preview-link-form input[type=submit]")
    editor.wait_for_selector(".messagelist .success")
    link = editor.locator(".desk-link-url").first.input_value()
    stranger = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    response = stranger.goto(link)
    assert response.status == 200 and response.headers["x-robots-tag"] == "noindex, nofollow"
    assert "bà Lan" in stranger.locator("article").inner_text()
    assert stranger.locator(".preview-banner").is_visible()
    screenshot(stranger, "desk-preview")

    # The editor schedules it, half a minute from now, to the second.
    when = timezone.localtime(timezone.now() + timedelta(seconds=30)).replace(microsecond=0)
    editor.goto(f"{base}/admin/articles/article/{story.pk}/change/")
    editor.select_option("#id_status", "published")
    editor.fill("#id_published_at_0", when.strftime("%d/%m/%Y"))
    editor.fill("#id_published_at_1", when.strftime("%H:%M:%S"))
    save(editor)
    shown = when.strftime("%d/%m/%Y %H:%M")
    assert f"từ {shown} (giờ Hà Nội)" in editor.locator(".messagelist").inner_text()
    editor.goto(f"{base}/admin/")
    assert shown in editor.locator("#desk-scheduled").inner_text()
    section = make_category("Thời sự")
    make_article(
        "Hà Nội khởi công cầu Trần Hưng Đạo bắc qua sông Hồng, dài gần 1,5 km",
        category=section,
        byline="Minh Anh",
    )
    make_article("Lễ hội mùa thu ở phố cổ", status="draft", published_at=None, byline="Thu Hà")
    editor.goto(f"{base}/admin/articles/article/")
    row = editor.locator("#result_list tr", has_text=TITLE)
    assert "Hẹn giờ" in row.inner_text() and shown in row.inner_text()
    screenshot(editor, "desk-list", full_page=False)
    story.refresh_from_db()
    address = f"{base}{story.get_absolute_url()}"
    reader = browser.new_context().new_page()
    assert reader.goto(address).status == 404, "not before its time"

    # The preview link stops when revoked; an expired one is refused too.
    editor.goto(f"{base}/admin/articles/article/{story.pk}/change/")
    editor.click("#desk-previews .desk-revoke")
    editor.wait_for_selector(".messagelist .success")
    refused = stranger.goto(link)
    assert refused.status == 404 and TITLE not in stranger.content()
    editor.click("#preview-link-form input[type=submit]")
    editor.wait_for_selector(".messagelist .success")
    second = editor.locator(".desk-link-url").first.input_value()
    assert stranger.goto(second).status == 200
    PreviewLink.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert stranger.goto(second).status == 404

    # At its time it is public, with no job run: readers' pages decide by the clock.
    time.sleep(max(0.0, (when - timezone.now()).total_seconds()) + 1)
    page = reader.goto(address)
    assert page.status == 200 and TITLE in reader.locator("h1").inner_text()
    reader.goto(f"{base}/")
    assert reader.get_by_role("link", name=TITLE).count() >= 1

    for page in (reporter, editor):
        assert not [e for e in page.errors if not re.search(r"/xem-truoc/", e)], page.errors


def test_a_credit_changed_in_the_photo_library_shows_in_the_storys_history(
    live_server, browser, transactional_db
):
    base = live_server.url
    newsroom_member("bientap", ROLES.EDITORS)
    photo = make_photo(credit="Ảnh: Minh Anh", alt_text="Cầu Long Biên lúc bình minh")
    story = make_article(
        "Cầu Long Biên 123 tuổi", blocks=["Cây cầu thép qua sông Hồng.", {"photo": photo}]
    )

    editor = signed_in(browser, base, "bientap")
    editor.goto(f"{base}/admin/articles/photo/{photo.pk}/change/")
    editor.fill("#id_credit", "Ảnh: Lan Anh/TTXVN")
    save(editor)
    photo.refresh_from_db()
    assert photo.credit == "Ảnh: Lan Anh/TTXVN"

    editor.goto(f"{base}/admin/articles/article/{story.pk}/history/")
    newest = editor.locator("#change-history tbody tr").first
    assert "Cầu Long Biên lúc bình minh" in newest.inner_text() and "bientap" in newest.inner_text()
    newest.locator("a[href$='/changes/']").click()
    diff = editor.locator(".revision-diff")
    assert diff.locator("del", has_text="Ảnh: Minh Anh").count() == 1
    assert diff.locator("ins", has_text="Ảnh: Lan Anh/TTXVN").count() == 1
    saved = editor.locator("#content-main p").first.inner_text()
    comment = editor.locator(".revision-comment").inner_text()
    assert "Cầu Long Biên lúc bình minh" in comment and "thư viện ảnh" in comment
    saved_at = Version.objects.get_for_object(story).first().revision.date_created
    hanoi = timezone.localtime(saved_at, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert hanoi.strftime("%d/%m/%Y %H:%M") in saved and "bientap" in saved, "in Hanoi time"
    screenshot(editor, "history-photo-credit")
    assert not editor.errors, editor.errors
