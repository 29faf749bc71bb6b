"""A real browser on the newspaper's pages: the layout's landmarks at a phone's and a
desktop's width, axe on every kind of page, and an editor laying out the front page.

Playwright drives Debian's Chromium, as tests/test_browser.py does; axe-core is read from
``.tools/node_modules`` (``make check-tools``). ``SAVE_SCREENSHOTS=1`` also writes the
pages' screenshots to docs/screenshots/.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from articles.models import Article, Author, Category, FrontPage, Topic

from .browsers import needs_chromium
from .demo import make_demo_newsroom

AXE = Path(__file__).resolve().parent.parent / ".tools/node_modules/axe-core/axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs/screenshots"
PASSWORD = "mật-khẩu-dài-2025"

pytestmark = needs_chromium


@pytest.fixture
def newsroom(transactional_db):
    stories = make_demo_newsroom()
    return {
        "home": "/",
        "article": stories[0].get_absolute_url(),
        "section": Category.objects.get(name="Nhịp sống Thủ đô").get_absolute_url(),
        "topic": Topic.objects.get(name="Giao thông").get_absolute_url(),
        "author": Author.objects.get(name="Minh Anh").get_absolute_url(),
    }


def all_images_loaded(page):
    """Scroll to the end a screen at a time (lazy photos load on the way) and wait for every
    photo."""
    height = page.evaluate("document.body.scrollHeight")
    for top in range(0, height, 600):
        page.evaluate(f"window.scrollTo(0, {top})")
        page.wait_for_timeout(50)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    for _ in range(100):  # wait_for_function evaluates a string, which the CSP refuses
        if page.evaluate("[...document.images].every(img => img.complete)"):
            break
        page.wait_for_timeout(200)
    page.evaluate("window.scrollTo(0, 0)")


def box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_layout_has_a_newspapers_landmarks(live_server, browser, newsroom, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    for name, path in newsroom.items():
        page.goto(live_server.url + path)
        all_images_loaded(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (
            f"{name} scrolls sideways"
        )
        # The section menu is one row, scrolling sideways on a phone when it must.
        tops = page.locator(".site-nav li").evaluate_all("items => items.map(i => i.offsetTop)")
        assert len(set(tops)) == 1, f"{name}: the section menu stacks"
        main, aside = box(page, "main"), box(page, "aside.sidebar")
        if width == 1280:
            assert aside["x"] >= main["x"] + main["width"], f"{name}: the sidebar is beside"
        else:
            assert aside["y"] >= main["y"] + main["height"], f"{name}: one column"
        if os.environ.get("SAVE_SCREENSHOTS"):
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)

    page.goto(live_server.url + "/")
    lead = page.locator(".lead-story .lead-photo img")
    assert lead.get_attribute("loading") == "eager"
    assert lead.evaluate("img => img.naturalWidth") > 0
    assert page.locator(".secondary-stories .thumb img").count() >= 3
    assert page.locator(".latest .thumb img").count() >= 3
    if width == 390:
        nav = page.locator(".site-nav ul")
        assert nav.evaluate("ul => ul.scrollWidth > ul.clientWidth"), "the menu scrolls"


def test_axe_finds_no_violations_on_the_newspapers_pages(live_server, browser, newsroom):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run 'make check-tools'")
    # The site's CSP allows no injected script; axe is the test's, not the page's.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in newsroom.items():
            page.goto(live_server.url + path)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']}))"
                ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))"
            )
            assert violations == [], f"{name} at {width}px: {violations}"


@pytest.mark.parametrize("width", [390, 1280])
def test_an_editor_fills_the_lead_slot_previews_and_puts_the_front_page_live(
    live_server, browser, newsroom, width
):
    User.objects.create_superuser("tongbientap", password=PASSWORD)
    chosen = Article.objects.get(title="Doanh nghiệp nhỏ được hỗ trợ vay vốn ưu đãi")
    errors = []
    editor = browser.new_page(viewport={"width": width, "height": 900})
    editor.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    editor.goto(f"{live_server.url}/admin/login/")
    editor.fill("#id_username", "tongbientap")
    editor.fill("#id_password", PASSWORD)
    editor.click("input[type=submit]")

    editor.goto(f"{live_server.url}/admin/articles/frontpage/")
    editor.wait_for_url(re.compile(r".*/admin/articles/frontpage/\d+/change/$"))
    # The lead slot: type part of the headline, accents left out, and pick the story.
    editor.click("#id_lead + .select2 .select2-selection")
    editor.fill(".select2-search__field", "doanh nghiep nho")
    editor.locator(".select2-results__option", has_text=chosen.title).click()
    if os.environ.get("SAVE_SCREENSHOTS"):
        editor.screenshot(path=SCREENSHOTS / f"admin-front-page-{width}.png", full_page=True)
    editor.click("input[name=_preview]")
    editor.wait_for_url(re.compile(r".*/frontpage/preview/$"))
    assert chosen.title in editor.locator(".lead-story").inner_text()
    assert editor.locator(".preview-banner").is_visible()

    reader = browser.new_context().new_page()
    reader.goto(live_server.url + "/")
    assert chosen.title not in reader.locator(".lead-story").inner_text(), "not live yet"

    editor.go_back()
    editor.click("input[name=_put_live]")
    editor.wait_for_selector(".messagelist .success", timeout=15_000)
    assert FrontPage.objects.get(edition="live").lead_id == chosen.pk
    reader.reload()
    assert chosen.title in reader.locator(".lead-story").inner_text()
    assert not errors, f"the admin logged errors in the browser (CSP?): {errors}"
