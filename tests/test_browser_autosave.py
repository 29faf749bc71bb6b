"""In a real browser: an editor's unsaved work survives a closed tab, leaving asks first, and a
stale save shows both versions. Screenshots of the offer and the side-by-side view go to
docs/screenshots/ at 390 and 1280 px.

Playwright drives the system Chromium, as tests/test_browser.py does; skips where either is
missing.
"""

import re
import time

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from articles.models import Article, Autosave

from .browsers import needs_chromium, save_screenshot
from .factories import make_article

PASSWORD = "mật-khẩu-dài-2025"

pytestmark = needs_chromium


@pytest.fixture
def quick_autosave(settings):
    settings.AUTOSAVE_DELAY_SECONDS = 0.5


@pytest.fixture
def editor_context(live_server, browser, transactional_db):
    """A browser in which the editor "tongbientap" is logged in, and a list of what went wrong
    in its pages (console errors, CSP refusals, failed requests)."""
    User.objects.create_superuser("tongbientap", password=PASSWORD)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors = []
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "tongbientap")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    page.close()

    def watch(page):
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
        return page

    context.on("page", watch)
    yield context, errors
    context.close()


def body_field(page):
    """The first text block of the article's body: its rich-text editor, once it is up (the
    editor is a module script: it comes after the page has loaded)."""
    editable = page.locator("#richtexts-0 .tiptap[contenteditable=true]")
    editable.wait_for(timeout=15_000)
    return editable


def body_text(field):
    if field.evaluate("node => node.isContentEditable"):
        return field.inner_text().strip()
    return field.input_value()


def type_body(page, text):
    """Replace the first text block's words with ``text``, again if the editor was still
    setting its first content when the keys arrived (a busy machine)."""
    field = body_field(page)
    for _attempt in range(3):
        field.fill(text)
        if wait_for(lambda: body_text(field) == text, timeout=3):
            return field
    raise AssertionError(f"the editor holds {body_text(field)!r}, not {text!r}")


def words_of(html):
    return re.sub(r"<[^>]+>", "", html).strip()


def hanoi(moment):
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def wait_for(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def shoot(page, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.evaluate("window.scrollTo(0, 0)")
    save_screenshot(page, f"{name}-{width}")


TITLE = "Phố cổ Hà Nội đón Tết, bản đang viết"
BODY = "Hàng Mã rực rỡ đèn lồng từ sáng sớm; người dân nô nức sắm Tết."


def test_a_closed_tab_loses_nothing_the_editor_restores_and_saves(
    live_server, editor_context, quick_autosave
):
    context, errors = editor_context
    story = make_article("Phố cổ Hà Nội đón Tết", blocks=["Đoạn văn cũ."])
    url = f"{live_server.url}/admin/articles/article/{story.pk}/change/"

    page = context.new_page()
    page.goto(url)
    page.click("#id_title")
    page.fill("#id_title", TITLE)
    body_field(page).click()
    type_body(page, BODY)
    page.wait_for_selector(".autosave-status:has-text('Đã lưu tự động lúc')", timeout=15_000)

    def autosaved():
        saved = Autosave.objects.filter(article=story).first()
        return (
            saved is not None
            and ["title", TITLE] in saved.data
            and any(words_of(value) == BODY for _name, value in saved.data)
        )

    assert wait_for(autosaved), "the typed headline and body reached the server"
    page.close()  # the tab is closed without saving
    assert Article.objects.get(pk=story.pk).title == "Phố cổ Hà Nội đón Tết"

    page = context.new_page()
    page.goto(url)
    banner = page.locator(".autosave-banner")
    saved_at = hanoi(Autosave.objects.get(article=story).saved_at)
    assert banner.inner_text().startswith(
        f"Có bản lưu tự động lúc {saved_at} (giờ Hà Nội) chưa được lưu"
    )
    for width in (390, 1280):
        shoot(page, "autosave-offer", width)
    page.click("text=Khôi phục")
    page.wait_for_selector(".autosave-restored")
    assert "_autosave" not in page.url  # the address is the article's own again
    assert page.input_value("#id_title") == TITLE
    assert body_text(body_field(page)) == BODY
    assert Article.objects.get(pk=story.pk).title == "Phố cổ Hà Nội đón Tết"

    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success", timeout=15_000)
    story.refresh_from_db()
    assert story.title == TITLE
    assert [block.searchable_text() for block in story.body()] == [BODY]
    assert not Autosave.objects.filter(article=story).exists()
    assert not errors, f"the admin logged errors in the browser (CSP?): {errors}"


def test_leaving_with_unsaved_changes_asks_first_but_saving_does_not(
    live_server, editor_context, quick_autosave
):
    context, errors = editor_context
    story = make_article("Hồ Tây lộng gió", blocks=["Đoạn văn."])
    url = f"{live_server.url}/admin/articles/article/{story.pk}/change/"
    dialogs = []

    # Opened and left untouched: nothing to ask.
    page = context.new_page()
    page.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.dismiss())
    page.goto(url)
    page.click("#id_title")
    with page.expect_event("close", timeout=5_000):
        page.close(run_before_unload=True)
    assert dialogs == []

    page = context.new_page()
    page.goto(url)
    page.click("#id_title")
    page.keyboard.press("End")
    page.keyboard.type(" mùa sen")
    with page.expect_event("dialog", timeout=5_000) as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # the editor stays
    assert not page.is_closed()

    page.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.dismiss())
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success", timeout=15_000)
    assert dialogs == [], "saving asks nothing"
    assert Article.objects.get(pk=story.pk).title == "Hồ Tây lộng gió mùa sen"
    assert not errors, errors


def test_a_stale_save_shows_both_versions_side_by_side(live_server, editor_context):
    context, errors = editor_context
    other = User.objects.create_user("thuky", password=PASSWORD, is_staff=True)
    story = make_article("Cầu Long Biên", blocks=["Cây cầu hơn trăm tuổi."])
    url = f"{live_server.url}/admin/articles/article/{story.pk}/change/"
    page = context.new_page()
    page.goto(url)
    page.fill("#id_title", "Cầu Long Biên, bản của tôi")
    type_body(page, "Cây cầu thép hơn trăm tuổi bắc qua sông Hồng.")

    # Another editor saves meanwhile.
    story.refresh_from_db()
    story.title = "Cầu Long Biên, bản của thư ký"
    story.updated_by = other
    story.save()

    page.click("input[name=_save]")
    page.wait_for_selector(".autosave-conflict")
    heading = page.locator("#autosave-conflict-title").inner_text()
    story.refresh_from_db()
    assert heading == (
        f"thuky đã lưu bài này lúc {hanoi(story.updated_at)} (giờ Hà Nội), sau khi bạn mở bài"
    )
    first = page.locator(".autosave-conflict tbody tr").first
    assert first.locator("th").inner_text() == "Tiêu đề"
    assert first.locator(".autosave-theirs").inner_text() == "Cầu Long Biên, bản của thư ký"
    assert first.locator(".autosave-yours").inner_text() == "Cầu Long Biên, bản của tôi"
    assert page.input_value("#id_title") == "Cầu Long Biên, bản của tôi"
    for width in (390, 1280):
        shoot(page, "autosave-stale", width)
    assert Article.objects.get(pk=story.pk).title == "Cầu Long Biên, bản của thư ký"
    assert not [error for error in errors if "/change/" not in error], errors


def test_an_editor_logged_out_meanwhile_is_told_and_keeps_the_page(
    live_server, editor_context, quick_autosave
):
    from django.contrib.sessions.models import Session

    context, errors = editor_context
    story = make_article("Chợ Đồng Xuân", blocks=["Đoạn văn."])
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    Session.objects.all().delete()  # the session ends while the page is open
    page.fill("#id_title", "Chợ Đồng Xuân sau giờ đăng xuất")
    status = page.locator(".autosave-status")
    status.filter(has_text="bạn đã bị đăng xuất").wait_for(timeout=15_000)
    assert status.inner_text() == (
        "Chưa lưu tự động được: bạn đã bị đăng xuất. Hãy đăng nhập lại ở một thẻ khác rồi "
        "bấm Lưu ở trang này."
    )
    assert page.input_value("#id_title") == "Chợ Đồng Xuân sau giờ đăng xuất"
    assert not Autosave.objects.exists()
