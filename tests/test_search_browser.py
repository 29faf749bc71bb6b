"""A reader searches in a real browser: results, filters, nothing found; axe finds no fault.

Playwright drives Debian's Chromium as tests/test_browser.py does; axe-core comes from
axe-playwright-python. Skips, saying why, where any of them is missing. Screenshots of
the page at 390 and 1280 px go to docs/screenshots/.
"""

import importlib.util
from datetime import timedelta

import pytest
from django.utils import timezone

from .browsers import needs_chromium, save_screenshot
from .factories import make_article, make_category

pytestmark = [
    *needs_chromium,
    pytest.mark.skipif(
        importlib.util.find_spec("axe_playwright_python") is None,
        reason="axe-playwright-python is not installed",
    ),
]


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


def test_a_reader_searches_filters_and_finds_nothing_with_no_accessibility_fault(
    live_server, browser, transactional_db
):
    culture, traffic = make_category("Văn hóa"), make_category("Giao thông")
    now = timezone.now()
    for n in range(24):
        make_article(
            f"Phố cổ Hà Nội đêm hội {n}",
            category=culture if n % 2 else traffic,
            sapo="Đêm hội phố cổ Hà Nội thu hút <đông> du khách & người dân.",
            published_at=now - timedelta(days=n),
        )
    make_article("Hà Nội: phố cổ đêm hội", category=culture, sapo="Tin ngắn.")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/")
    page.fill("#search-q", "pho co ha noi dem hoi")
    page.press("#search-q", "Enter")
    page.wait_for_selector(".search-results")
    assert "25 bài viết cho “pho co ha noi dem hoi”" in page.inner_text(".search-summary")
    titles = page.locator(".search-result h2").all_inner_texts()
    assert titles[0] == "Phố cổ Hà Nội đêm hội 0" and len(titles) == 20
    assert page.locator(".search-result h2 mark").first.inner_text() == "Phố"
    assert axe_violations(page) == []
    save_screenshot(page, "search-1280")

    # Narrow down: one section, newest first.
    page.select_option("#id_section", culture.slug)
    page.select_option("#id_sort", "date")
    page.click(".search-words button")
    page.wait_for_url("**section=*")
    titles = page.locator(".search-result h2").all_inner_texts()
    assert titles[:2] == ["Hà Nội: phố cổ đêm hội", "Phố cổ Hà Nội đêm hội 1"]
    assert len(titles) == 13
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    save_screenshot(page, "search-390")

    # A range whose first day is after its last: the form says so.
    page.select_option("#id_date", "range")
    page.fill("#id_start", "2025-02-10")
    page.fill("#id_end", "2025-02-01")
    page.click(".search-words button")
    page.wait_for_selector(".search-errors")
    assert "Ngày bắt đầu không được sau ngày kết thúc" in page.inner_text(".search-errors")
    assert axe_violations(page) == []

    # Nothing found: the words without marks are offered.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/tim-kiem/?q=Phố+cổ+ngày+mưa+bão")
    assert "Không có bài viết nào khớp" in page.inner_text(".search-none")
    page.click("text=pho co ngay mua bao")
    page.wait_for_url("**q=pho%20co%20ngay%20mua%20bao")
    assert page.input_value("#search-page-q") == "pho co ngay mua bao"
    assert axe_violations(page) == []
    save_screenshot(page, "search-none-1280")
    assert errors == []
