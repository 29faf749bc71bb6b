"""A real browser, end to end: a reporter writes a story of every kind of block in the
body's editor (django-content-editor, django-prose-editor), moves the photo by drag and
drop, saves, and a reader gets every block in that order, the embed loading nothing
from its provider until asked.

Playwright for Python drives Debian's Chromium, as ``test_browser`` does.
"""

import importlib
import importlib.util
import os
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Photo

from .browsers import needs_chromium

pytestmark = needs_chromium

PASSWORD = "mật-khẩu-dài-2025"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
TITLE = "Lễ hội hoa sen Hồ Tây"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
PROVIDER_HOSTS = re.compile(r"youtube|ytimg|googlevideo|facebook|fbcdn")


def library_photo(**fields):
    buffer = BytesIO()
    Image.new("RGB", (1200, 800), (30, 140, 60)).save(buffer, "JPEG")
    photo = Photo(image=SimpleUploadedFile("sen.jpg", buffer.getvalue()), **fields)
    photo.save()
    return photo


def log_in(page, base, username):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def add_block(page, prefix):
    """Add a block of the kind ``prefix`` at the end of the body, as a reporter does: the
    "+" under the last block, then the kind; the new block's form, and its number."""
    page.locator(".order-machine-insert-target.last").click()
    page.locator(f".plugin-buttons .plugin-button[data-plugin-prefix={prefix}]").click()
    count = int(page.input_value(f"#id_{prefix}-TOTAL_FORMS"))
    return page.locator(f"#{prefix}-{count - 1}"), count - 1


def type_rich_text(block, page, steps):
    block.locator(".tiptap").click()
    for kind, value in steps:
        if kind == "type":
            page.keyboard.type(value)
        else:
            page.keyboard.press(value)


def newsroom_groups():
    """The newsroom's two groups with the permissions their migrations give them, made
    again where a transactional test before this one emptied the tables the migrations
    filled. (Serialized rollback cannot bring them back: the content types the flush made
    again clash with the serialized ones.)"""
    from django.contrib.auth.models import Group, Permission

    def migration(name):
        return importlib.import_module(f"articles.migrations.{name}")

    groups = migration("0003_newsroom_groups")
    grants = {
        groups.REPORTERS: list(groups.REPORTER_PERMISSIONS),
        groups.EDITORS: list(groups.EDITOR_PERMISSIONS),
    }
    for more in (
        migration("0012_breaking_and_corrections").GRANTS,
        migration("0014_bylines_to_authors").ROLES,
    ):
        for name, codenames in more.items():
            grants[name] += codenames
    grants[groups.EDITORS] += migration("0020_api_key").GRANTS
    body = migration("0017_body_from_old_blocks")
    blocks = [f"{verb}_{model}" for model in body.BLOCK_MODELS for verb in VERBS]
    grants[body.REPORTERS] += [*blocks, "add_photo", "change_photo", "view_photo"]
    grants[body.EDITORS] += [*blocks, "add_photo", "change_photo", "view_photo", "delete_photo"]
    for name, codenames in grants.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.set(
                Permission.objects.filter(
                    content_type__app_label="articles", codename__in=codenames
                ).exclude(codename__endswith="_textblock")
            )


VERBS = ("add", "change", "delete", "view")


@pytest.mark.django_db(transaction=True)
def test_a_reporter_writes_a_story_of_every_block_and_a_reader_gets_it_in_order(
    live_server, browser
):
    from django.contrib.auth.models import Group

    newsroom_groups()
    reporter = User.objects.create_user("phongvien", password=PASSWORD, is_staff=True)
    reporter.groups.add(Group.objects.get(name="Phóng viên"))
    editor = User.objects.create_user("bientap", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Biên tập viên"))
    photo = library_photo(alt_text="Sen hồng", credit="Ảnh: Minh Anh", caption="Sen nở sớm")
    errors = []

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    log_in(page, live_server.url, "phongvien")
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_title", TITLE)
    page.fill("#id_sapo", "Hồ Tây vào mùa sen.")

    first, _ = add_block(page, "richtexts")
    type_rich_text(
        first,
        page,
        [
            ("type", "## Sen về phố"),
            ("press", "Enter"),
            ("type", "Đoạn một có chữ "),
            ("press", "Control+b"),
            ("type", "đậm"),
            ("press", "Control+b"),
            ("type", " và một liên kết"),
        ],
    )
    for _ in "liên kết":
        page.keyboard.press("Shift+ArrowLeft")
    first.locator("button[data-name=link]").click()
    page.fill("dialog[open] input[name=href]", "https://hanoimoi.vn/sen")
    page.locator("dialog[open] button[type=submit]").click()

    figure, n = add_block(page, "figures")
    # The photo comes from the library: found by typing without accents.
    figure.locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("sen hong")
    page.locator(".select2-results__option", has_text="Sen hồng").click()
    assert page.input_value(f"#id_figures-{n}-photo") == str(photo.pk)

    second, _ = add_block(page, "richtexts")
    type_rich_text(second, page, [("type", "Đoạn hai, sau ảnh.")])
    quote, n = add_block(page, "quotes")
    quote.locator(f"#id_quotes-{n}-text").fill("Mùa sen là mùa đẹp nhất.")
    quote.locator(f"#id_quotes-{n}-attribution").fill("Bà Lan, Quảng An")
    embed, n = add_block(page, "embeds")
    embed.locator(f"#id_embeds-{n}-url").fill(YOUTUBE)

    # The photo stands between the paragraphs; it is dragged above the first one (in view,
    # as the reporter sees it: the form above the body is long).
    first.locator("h3[draggable]").scroll_into_view_if_needed()
    figure.locator("h3[draggable]").drag_to(
        first.locator("h3[draggable]"), target_position={"x": 40, "y": 2}
    )
    tops = [block.bounding_box()["y"] for block in (figure, first, second, quote, embed)]
    assert tops == sorted(tops), "the editor shows the new order"
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success", timeout=15_000)
    assert not errors, f"the admin logged errors in the browser (CSP?): {errors}"

    article = Article.objects.get(title=TITLE)
    assert [block.kind for block in article.body()] == ["figure", "text", "text", "quote", "embed"]
    # A reporter cannot publish: the editor's act is not what this test is about.
    article.status = Article.Status.PUBLISHED
    article.published_at = timezone.now() - timedelta(minutes=1)
    article.save()

    reader = browser.new_context().new_page()
    requests = []
    reader.on("request", lambda r: requests.append(r.url))
    reader.goto(f"{live_server.url}{article.get_absolute_url()}")
    body = reader.locator(".article-body")
    text = body.inner_text()
    order = [
        "Sen nở sớm",
        "Sen về phố",
        "Đoạn một có chữ đậm",
        "Đoạn hai, sau ảnh.",
        "Mùa sen là mùa đẹp nhất.",
        "Bà Lan, Quảng An",
        "YouTube",
    ]
    positions = [text.index(piece) for piece in order]
    assert positions == sorted(positions), text
    assert body.locator("h2").inner_text() == "Sen về phố"
    assert body.locator("strong").inner_text() == "đậm"
    link = body.locator("a[href='https://hanoimoi.vn/sen']")
    assert link.inner_text() == "liên kết" and link.get_attribute("rel") == "noopener"
    assert body.locator("figure img").get_attribute("alt") == "Sen hồng"
    assert "Ảnh: Minh Anh" in body.locator("figcaption").inner_text()

    reader.wait_for_load_state("networkidle")
    assert not [url for url in requests if PROVIDER_HOSTS.search(url)], requests
    assert body.locator("iframe").count() == 0
    body.get_by_role("button", name="Tải từ YouTube").click()
    frame = body.locator("iframe")
    frame.wait_for(state="attached")
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    reader.wait_for_timeout(500)
    assert [url for url in requests if "youtube-nocookie.com" in url], "loaded once asked"


@pytest.mark.django_db(transaction=True)
def test_an_editor_moves_a_photo_above_the_first_paragraph_with_the_keyboard_only(
    live_server, browser
):
    from .factories import make_article, make_photo

    User.objects.create_superuser("tongbientap", password=PASSWORD)
    photo = make_photo(alt_text="Sen hồng", caption="Sen nở sớm")
    story = make_article(
        "Sen về phố",
        blocks=["Đoạn một.", "Đoạn hai.", {"photo": photo, "caption": "Sen bên hồ"}],
    )
    errors = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    log_in(page, live_server.url, "tongbientap")
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")
    figure = page.locator("#figures-0")
    first, second = page.locator("#richtexts-0"), page.locator("#richtexts-1")
    status = page.locator("#block-order-status")
    assert status.get_attribute("aria-live") == "polite"

    # The photo's caption has the focus; Alt+ArrowUp moves its block up, once.
    caption = figure.locator("textarea[name='figures-0-caption']")
    caption.focus()
    page.keyboard.press("Alt+ArrowUp")
    page.wait_for_function("document.activeElement.name === 'figures-0-caption'")
    status_text = "Ảnh minh họa: đã chuyển lên, nay là khối 2 trên 3."
    page.wait_for_function(
        "t => document.getElementById('block-order-status').textContent === t", arg=status_text
    )
    assert page.input_value("[name='figures-0-ordering']") == "20"
    assert page.input_value("[name='richtexts-1-ordering']") == "30"

    # Then its title bar's "move up" button, reached with Tab from the block before it
    # in the page (Tab follows the order shown) and pressed with Enter.
    up = figure.get_by_role("button", name="Chuyển khối lên")
    assert up.get_attribute("aria-keyshortcuts") == "Alt+ArrowUp"
    first.get_by_role("button", name="Chuyển khối xuống").focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if up.evaluate("button => button === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the photo's move-up button")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "t => document.getElementById('block-order-status').textContent === t",
        arg="Ảnh minh họa: đã chuyển lên, nay là khối 1 trên 3.",
    )
    page.keyboard.press("Enter")  # already first: said so, nothing moves
    page.wait_for_function(
        "t => document.getElementById('block-order-status').textContent === t",
        arg="Ảnh minh họa: đã là khối đầu tiên.",
    )
    tops = [block.bounding_box()["y"] for block in (figure, first, second)]
    assert tops == sorted(tops), "the editor shows the new order"
    assert not figure.evaluate("block => block.classList.contains('collapsed')")
    if os.environ.get("SAVE_SCREENSHOTS"):
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            up.focus()
            figure.locator("h3").scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -120)")
            page.screenshot(path=SCREENSHOTS / f"writing-block-order-{width}.png")

    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success", timeout=15_000)
    assert not errors, f"the admin logged errors in the browser (CSP?): {errors}"
    assert [block.kind for block in Article.objects.get(pk=story.pk).body()] == [
        "figure",
        "text",
        "text",
    ]

    reader = browser.new_page()
    reader.goto(f"{live_server.url}{story.get_absolute_url()}")
    text = reader.locator(".article-body").inner_text()
    assert text.index("Sen bên hồ") < text.index("Đoạn một.") < text.index("Đoạn hai."), text


@pytest.mark.django_db(transaction=True)
def test_a_photo_uploaded_from_the_photo_block_survives_a_form_error(
    live_server, browser, tmp_path
):
    User.objects.create_superuser("tongbientap", password=PASSWORD)
    from .factories import make_article

    story = make_article("Sen về phố", blocks=["Đoạn một.", {"caption": "Ảnh sẽ chọn"}])
    path = tmp_path / "sen-ho-tay.jpg"
    buffer = BytesIO()
    Image.new("RGB", (900, 600), (30, 140, 60)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    errors = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url, "tongbientap")
    page.goto(f"{live_server.url}/admin/articles/article/{story.pk}/change/")

    # The photo block's "+" opens the library's form in a window of its own.
    with page.expect_popup() as opened:
        page.locator("#add_id_figures-0-photo").click()
    window = opened.value
    window.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    window.set_input_files("#id_image", str(path))
    window.click("input[name=_save]")  # no alt text: refused
    window.wait_for_selector(".errornote")
    note = window.locator(".kept-photo")
    assert "“sen-ho-tay.jpg”" in note.inner_text() and "vẫn được giữ" in note.inner_text()
    assert window.input_value("#id_image") == ""  # the browser emptied it; nothing to redo
    if os.environ.get("SAVE_SCREENSHOTS"):
        for width in (390, 1280):
            window.set_viewport_size({"width": width, "height": 900})
            window.screenshot(path=SCREENSHOTS / f"photo-kept-{width}.png")
    window.fill("#id_alt_text", "Sen hồng bên Hồ Tây")
    with window.expect_event("close"):
        window.click("input[name=_save]")

    photo = Photo.objects.get(alt_text="Sen hồng bên Hồ Tây")
    assert (photo.image_width, photo.image_height) == (900, 600)
    page.wait_for_function(
        "pk => document.querySelector('#id_figures-0-photo').value === pk", arg=str(photo.pk)
    )
    assert not errors, errors
