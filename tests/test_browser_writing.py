"""A real browser, end to end: a reporter writes a story of every kind of block in the
body's editor (django-content-editor, django-prose-editor), moves the photo by drag and
drop, saves, and a reader gets every block in that order, the embed loading nothing
from its provider until asked.

Playwright for Python drives Debian's Chromium, as ``test_browser`` does.
"""

import importlib
import importlib.util
import re
import shutil
from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Photo

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None, reason="Playwright is not installed"
    ),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]

PASSWORD = "mật-khẩu-dài-2025"
TITLE = "Lễ hội hoa sen Hồ Tây"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
PROVIDER_HOSTS = re.compile(r"youtube|ytimg|googlevideo|facebook|fbcdn")


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's driver runs an event loop in this thread; the tests still use the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


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
