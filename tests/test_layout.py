"""The newspaper's frame around every page: today's date, the logo, the masthead footer."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import FrontPage

from .factories import make_article

HANOI = timezone.get_default_timezone()


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = datetime(2030, 3, 14, 23, 59, 30, tzinfo=HANOI)  # later than any real change

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def test_the_header_shows_today_in_hanoi_and_a_kept_page_changes_with_the_day(client, db, clock):
    make_article("Tin trong ngày", published_at=clock.now - timedelta(hours=1))
    first = client.get("/")
    assert '<time datetime="2030-03-14">' in first.content.decode()
    # Kept by browsers and CDNs no later than midnight.
    assert "max-age=30" in first["Cache-Control"] and "s-maxage=30" in first["Cache-Control"]
    assert client.get("/").content == first.content  # from the page cache
    clock.now += timedelta(seconds=31)  # 00:00:01 on the 15th, nothing else changed
    again = client.get("/", HTTP_IF_NONE_MATCH=first.get("ETag", ""))
    assert again.status_code == 200
    assert '<time datetime="2030-03-15">' in again.content.decode()


def test_a_page_kept_before_the_last_minutes_of_the_day_is_cut_to_midnight_when_served(
    client, db, clock
):
    clock.now -= timedelta(minutes=10)  # 23:49:30: ten minutes of the day left
    make_article("Tin trong ngày", published_at=clock.now - timedelta(hours=1))
    kept = client.get("/")
    assert "max-age=60" in kept["Cache-Control"] and "s-maxage=300" in kept["Cache-Control"]
    clock.now += timedelta(minutes=8)  # 23:57:30, the same version of the site
    hit = client.get("/")
    assert hit.content == kept.content  # from the page cache
    assert "max-age=60" in hit["Cache-Control"] and "s-maxage=150" in hit["Cache-Control"]


def test_the_logo_is_the_sites_wordmark_unless_a_setting_names_another(client, db, settings):
    html = client.get("/").content.decode()
    assert '<img src="/static/articles/wordmark.svg" alt="Tin Hà Nội"' in html
    settings.SITE_LOGO = "https://cdn.example.vn/logo.svg"
    assert '<img src="https://cdn.example.vn/logo.svg"' in client.get("/tin-tuc/").content.decode()


def test_the_footer_carries_the_publishers_masthead_from_settings(client, db, settings):
    settings.MASTHEAD = {
        "publisher": "Công ty Truyền thông Thủ đô",
        "licence": "Giấy phép số 123/GP-BTTTT",
        "address": "44 Lê Thái Tổ, Hoàn Kiếm, Hà Nội",
        "editor_in_chief": "Nguyễn Văn An",
        "phone": "024 3825 0000",
        "email": "toasoan@example.vn",
    }
    html = client.get("/").content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    for label, value in [
        ("Cơ quan chủ quản", "Công ty Truyền thông Thủ đô"),
        ("Giấy phép", "Giấy phép số 123/GP-BTTTT"),
        ("Tổng biên tập", "Nguyễn Văn An"),
        ("Địa chỉ", "44 Lê Thái Tổ, Hoàn Kiếm, Hà Nội"),
    ]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in footer
    assert 'href="tel:02438250000"' in footer and 'href="mailto:toasoan@example.vn"' in footer
    settings.MASTHEAD = {**settings.MASTHEAD, "phone": "", "email": ""}
    footer = client.get("/tin-tuc/").content.decode()  # a page not kept yet
    assert "Điện thoại" not in footer and "mailto:" not in footer


def test_the_section_menu_lists_every_section_in_one_row(client, seed):
    html = client.get("/").content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert nav.index("Trang chủ") < nav.index("Chỉ đạo - Điều hành") < nav.index("Nhịp sống Thủ đô")


def test_the_front_page_row_is_not_made_by_reading_the_home_page(client, db):
    client.get("/")
    assert not FrontPage.objects.exists()


def test_only_the_first_photo_of_an_article_is_loaded_at_once(client, db):
    from .factories import png_upload

    blocks = [
        {"caption": "Ảnh đã mất"},  # a caption whose photo did not survive comes first
        *({"image": png_upload(size=(900, 600)), "alt_text": f"Ảnh {n}"} for n in range(3)),
    ]
    html = client.get(make_article("Ba ảnh", blocks=blocks).get_absolute_url()).content.decode()
    body = html[html.index('class="article-body"') : html.index("</article>")]
    assert body.count('loading="eager"') == 1 and body.count('loading="lazy"') == 2
    assert body.index('loading="eager"') < body.index('loading="lazy"')
