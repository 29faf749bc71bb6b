"""A real browser, end to end: an editor publishes a story with a photo; a reader finds it.

Playwright for Python drives Debian's Chromium (Playwright's own browser
download cannot run here, so the system executable is launched). Skips, saying
why, where either is missing; `.ci/run` installs both.
"""

import re
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from PIL import Image

from articles.models import Article

from .browsers import needs_chromium

pytestmark = needs_chromium

TITLE = "Hồ Gươm rực rỡ đón năm mới"
CAPTION = "Đường hoa bên Hồ Gươm trong đêm giao thừa."


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "ho-guom.jpg"
    buffer = BytesIO()
    Image.new("RGB", (1200, 800), (180, 40, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_an_editor_publishes_a_photo_story_and_a_reader_finds_it(
    live_server, browser, photo, transactional_db
):
    User.objects.create_superuser("tongbientap", password="mật-khẩu-dài-2025")
    errors = []

    editor = browser.new_page()
    editor.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    editor.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    editor.goto(f"{live_server.url}/admin/login/")
    editor.fill("#id_username", "tongbientap")
    editor.fill("#id_password", "mật-khẩu-dài-2025")
    editor.click("input[type=submit]")

    # The photo goes into the library first, with what every story that uses it shows.
    editor.goto(f"{live_server.url}/admin/articles/photo/add/")
    editor.set_input_files("#id_image", str(photo))
    editor.fill("#id_alt_text", "Đường hoa bên hồ")
    editor.fill("#id_credit", "Ảnh: Minh Anh")
    editor.fill("#id_caption", CAPTION)
    editor.click("input[name=_save]")
    editor.wait_for_selector(".messagelist .success", timeout=15_000)

    editor.goto(f"{live_server.url}/admin/articles/article/add/")
    editor.fill("#id_title", TITLE)
    editor.locator("#id_title").blur()
    # The slug filled itself in the browser, by the project's Vietnamese rule.
    assert editor.input_value("#id_slug") == "ho-guom-ruc-ro-don-nam-moi"
    editor.fill("#id_sapo", "Người dân Thủ đô đón năm mới bên Hồ Gươm.")
    editor.select_option("#id_status", "published")
    for kind in ("richtexts", "figures"):
        editor.locator(".order-machine-insert-target.last").click()
        editor.locator(f".plugin-buttons .plugin-button[data-plugin-prefix={kind}]").click()
    editor.locator("#richtexts-0 .tiptap").click()
    editor.keyboard.type("Từ chiều, phố đi bộ đã đông kín người.")
    editor.locator("#figures-0 .select2-selection").click()
    editor.locator(".select2-container--open .select2-search__field").fill("duong hoa")
    editor.locator(".select2-results__option", has_text="Đường hoa bên hồ").click()
    editor.click("input[name=_save]")
    editor.wait_for_selector(".messagelist .success", timeout=15_000)
    assert not errors, f"the admin logged errors in the browser (CSP?): {errors}"

    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/")
    reader.get_by_role("link", name=TITLE).first.click()
    reader.wait_for_url(re.compile(r".*/ho-guom-ruc-ro-don-nam-moi-\d+\.html$"))
    figure = reader.locator("figure img")
    figure.scroll_into_view_if_needed()
    reader.wait_for_function("document.querySelector('figure img').complete")
    assert figure.evaluate("img => img.naturalWidth") > 0, "the photo loaded"
    # Left empty in the story, the caption is the photo's own, with its credit.
    assert reader.locator("figcaption").inner_text().strip() == f"{CAPTION} Ảnh: Minh Anh"

    reader.fill("#search-q", "ho guom nam moi")
    reader.press("#search-q", "Enter")
    reader.wait_for_url(re.compile(r".*/tim-kiem/\?q=ho\+guom\+nam\+moi"))
    assert reader.get_by_role("link", name=TITLE).count() >= 1
    assert Article.objects.get(title=TITLE).is_visible


@pytest.mark.parametrize("width", [390, 1280])
def test_an_editor_unpublishes_from_the_list_after_confirming_and_a_stale_row_is_left_alone(
    live_server, browser, transactional_db, width
):
    from .factories import make_article

    User.objects.create_superuser("tongbientap", password="mật-khẩu-dài-2025")
    shown = make_article("Bài sẽ gỡ xuống")
    edited = make_article("Bài vừa được sửa")
    editor = browser.new_page(viewport={"width": width, "height": 900})
    editor.goto(f"{live_server.url}/admin/login/")
    editor.fill("#id_username", "tongbientap")
    editor.fill("#id_password", "mật-khẩu-dài-2025")
    editor.click("input[type=submit]")

    editor.goto(f"{live_server.url}/admin/articles/article/")
    for article in (shown, edited):
        editor.locator(f"input.action-select[value='{article.pk}']").check()
    # Someone saves one of them after the list was shown.
    edited.title = "Bài vừa được sửa, bản mới"
    edited.save()
    editor.select_option("select[name=action]", "unpublish")
    editor.click("button[name=index]")

    # Nothing is unpublished until the editor confirms, on a page naming the articles.
    confirmation = editor.locator("#content").inner_text()
    assert shown.title in confirmation
    assert Article.objects.get(pk=shown.pk).is_visible
    editor.click("#unpublish-form input[type=submit]")
    editor.wait_for_selector(".messagelist .warning", timeout=15_000)

    assert edited.title in editor.locator(".messagelist .warning").inner_text()
    assert Article.objects.get(pk=shown.pk).status == Article.Status.DRAFT
    assert Article.objects.get(pk=edited.pk).status == Article.Status.PUBLISHED
