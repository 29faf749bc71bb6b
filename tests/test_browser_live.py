"""A real browser: an editor's breaking banner and correction, and a reader's beacon.

Drives Debian's Chromium as tests/test_browser.py does; skips, saying why, where
Playwright or Chromium is missing. Saves the screenshots of docs/screenshots/.
"""

import time
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles import most_read

from .browsers import needs_chromium, save_screenshot
from .factories import make_article, make_category

pytestmark = needs_chromium


def jpeg(name, size, color=(40, 90, 160)):
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def sign_in(page, url):
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", "tongbientap")
    page.fill("#id_password", "mật-khẩu-dài-2025")
    page.click("input[type=submit]")


def wait_for(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)


@pytest.mark.parametrize("width", [390, 1280])
def test_an_editor_sets_a_breaking_banner_and_adds_a_correction_readers_see_both(
    live_server, browser, transactional_db, width
):
    User.objects.create_superuser("tongbientap", password="mật-khẩu-dài-2025")
    section = make_category("Thời sự")
    story = make_article(
        "Mưa lớn gây ngập nhiều tuyến phố nội thành",
        category=section,
        sapo="Từ 16 giờ chiều nay, mưa lớn khiến nhiều tuyến phố ngập sâu.",
        blocks=["Nhiều tuyến phố như Nguyễn Khuyến, Trần Phú ngập sâu 30-40 cm."],
    )
    make_article("Hồ Tây mùa sen", category=section)
    errors = []
    editor = browser.new_page(viewport={"width": width, "height": 900})
    editor.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(editor, live_server.url)
    editor.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    end = timezone.localtime() + timedelta(hours=3)
    editor.fill("#id_breaking_until_0", end.strftime("%d/%m/%Y"))
    editor.fill("#id_breaking_until_1", end.strftime("%H:%M:%S"))
    editor.click("#corrections-group .add-row a")
    editor.select_option("#id_corrections-0-kind", "update")
    editor.fill("#id_corrections-0-text", "Đến 19 giờ, nước đã rút ở phần lớn các tuyến phố.")
    editor.click("input[name=_save]")
    editor.wait_for_selector(".messagelist .success", timeout=15_000)
    assert not errors, f"the admin logged errors in the browser: {errors}"
    note = story.corrections.get()

    reader = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    reader.goto(f"{live_server.url}/")
    banner = reader.locator("aside.breaking")
    assert banner.get_attribute("aria-label") == "Tin nóng"
    assert banner.inner_text().startswith("TIN NÓNG")  # in capitals by the style sheet
    save_screenshot(reader, f"breaking-banner-{width}")
    banner.get_by_role("link", name=story.title).click()
    reader.wait_for_url(f"{live_server.url}{story.get_absolute_url()}")

    correction = reader.locator(".corrections")
    when = timezone.localtime(note.created_at).strftime("%d/%m/%Y %H:%M")
    assert correction.locator(".correction-head").inner_text().split() == [
        "CẬP",
        "NHẬT",  # shown in capitals by the style sheet
        *when.split(),
    ]
    assert "nước đã rút" in correction.inner_text()
    # At the story's end: after its last paragraph.
    below = reader.evaluate(
        "() => document.querySelector('.corrections').getBoundingClientRect().top"
        " > document.querySelector('.article-body').getBoundingClientRect().bottom"
    )
    assert below
    correction.scroll_into_view_if_needed()
    reader.evaluate("() => window.scrollBy(0, -120)")
    save_screenshot(reader, f"correction-{width}")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_readers_page_sends_the_beacon_and_the_most_read_box_follows(
    live_server, browser, transactional_db, settings, width
):
    settings.MOST_READ_REFRESH_SECONDS = 1
    stories = [
        make_article(title)
        for title in (
            "Hà Nội mở thêm 5 tuyến buýt điện",
            "Phố đi bộ Hồ Gươm đông vui dịp cuối tuần",
            "Giá rau xanh tăng sau mưa lớn",
        )
    ]
    assert most_read.totals() == {}
    # Three readers (three browsers) of the first story, two of the second, one of the third;
    # the page is served from the page cache from the second reader on.
    for count, story in zip((3, 2, 1), stories, strict=True):
        for n in range(count):
            page = browser.new_context(user_agent=f"Trình duyệt {n}").new_page()
            page.goto(f"{live_server.url}{story.get_absolute_url()}")
            wait_for(lambda s=story, c=n + 1: most_read.totals().get(s.pk) == c)
            page.context.close()
    # The same reader again within the hour counts no more.
    page = browser.new_context(user_agent="Trình duyệt 0").new_page()
    page.goto(f"{live_server.url}{stories[0].get_absolute_url()}")
    page.wait_for_load_state("networkidle")
    assert most_read.totals()[stories[0].pk] == 3

    time.sleep(1.1)  # the box is computed again once its time is up
    reader = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    reader.goto(f"{live_server.url}/")
    box = reader.locator("section.most-read")
    assert box.locator("h2").inner_text() == "Đọc nhiều"
    assert box.locator("li").all_inner_texts() == [story.title for story in stories]
    box.scroll_into_view_if_needed()
    reader.evaluate("() => window.scrollBy(0, -80)")
    save_screenshot(reader, f"most-read-{width}")


def test_a_small_photo_is_never_stretched_and_the_first_is_loaded_at_once(
    live_server, browser, transactional_db
):
    story = make_article(
        "Ảnh nhỏ",
        is_pick=True,
        blocks=[
            {"image": jpeg("nho.jpg", (240, 160)), "alt_text": "Ảnh nhỏ"},
            {"image": jpeg("lon.jpg", (1600, 900)), "alt_text": "Ảnh lớn"},
        ],
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for url in ("/", story.get_absolute_url()):
        page.goto(f"{live_server.url}{url}")
        small = page.locator("img[alt='Ảnh nhỏ']").first
        assert small.evaluate("img => img.getBoundingClientRect().width") <= 240, url
    assert small.get_attribute("loading") == "eager"
    assert small.get_attribute("fetchpriority") == "high"
    big = page.locator("img[alt='Ảnh lớn']")
    assert big.get_attribute("loading") == "lazy"


AXE = Path(__file__).resolve().parent.parent / ".tools" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: make check-tools")
@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_nothing_on_home_article_and_search_with_the_new_boxes(
    live_server, browser, transactional_db, settings, width
):
    settings.MOST_READ_REFRESH_SECONDS = 1
    section = make_category("Thời sự")
    story = make_article(
        "Cháy lớn ở phố cổ",
        category=section,
        breaking_until=timezone.now() + timedelta(hours=1),
        blocks=["Đoạn một.", {"image": jpeg("anh.jpg", (800, 500)), "alt_text": "Phố cổ"}],
    )
    other = make_article("Hồ Tây mùa sen", category=section)
    story.corrections.create(text="Sửa số nhà bị cháy.")
    for reader in ("a", "b"):
        for article in (story, other):
            most_read.count(article.pk, "203.0.113.1", reader)
    time.sleep(1.1)
    # axe is injected as a script of its own: the site's policy allows none.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    for url in ("/", story.get_absolute_url(), "/tim-kiem/?q=pho+co"):
        page.goto(f"{live_server.url}{url}")
        if url != "/tim-kiem/?q=pho+co":
            assert page.locator("aside.breaking").count() == 1, url
            assert page.locator("section.most-read li").count() == 2, url
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
        )
        assert violations == [], f"{url}: {violations}"
