"""The editors' desk, driven through the admin's real URLs: preview, the list, the edit page."""

import html
import json
import re
import shutil
import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.admin import ListQuerySet
from articles.models import Article
from articles.text import slugify

from .admin_forms import ADD_URL, LIST_URL, change_url, member, post_form
from .factories import make_article, make_category

# Preview -------------------------------------------------------------------------------


def test_the_author_and_editors_preview_a_draft_as_readers_will_see_it(client, reporter, editor):
    article = make_article(
        "Nháp bí mật", status=Article.Status.DRAFT, created_by=reporter, blocks=["Nội dung nháp."]
    )
    url = f"{LIST_URL}{article.pk}/preview/"
    for user in (reporter, editor):
        client.force_login(user)
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Nháp bí mật" in page and "Nội dung nháp." in page
        assert 'class="preview-banner"' in page and 'rel="canonical"' not in page
        assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
        assert "noindex" in response["X-Robots-Tag"]
    assert client.get(article.get_absolute_url()).status_code == 404


def test_no_one_else_may_preview_a_draft(client, reporter):
    author = member("tacgia", "Phóng viên")
    article = make_article("Nháp người khác", status=Article.Status.DRAFT, created_by=author)
    client.force_login(reporter)
    assert client.get(f"{LIST_URL}{article.pk}/preview/").status_code == 403
    client.logout()
    response = client.get(f"{LIST_URL}{article.pk}/preview/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# The list ------------------------------------------------------------------------------


def test_the_list_finds_tay_ho_typed_without_accents(client, editor, seed):
    client.force_login(editor)
    page = client.get(LIST_URL, {"q": "tay ho"}).content.decode()
    assert seed.title in page
    assert "LĐLĐ huyện Chương Mỹ" not in page


def test_the_list_counts_drafts_and_articles_in_review(client, editor):
    for _ in range(3):
        make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.REVIEW)
    make_article()
    client.force_login(editor)
    page = client.get(LIST_URL).content.decode()
    assert "3 bản nháp" in page and "1 chờ duyệt" in page


def test_the_list_shows_section_status_time_and_last_editor(client, editor):
    article = make_article("Bài trong danh sách", category=make_category("Nhịp sống Thủ đô"))
    client.force_login(editor)
    post_form(client, article)
    page = client.get(LIST_URL).content.decode()
    for shown in ("Bài trong danh sách", "Nhịp sống Thủ đô", "Đã xuất bản", "bientap"):
        assert shown in page


def test_the_list_counts_only_drafts_and_articles_in_review(client, editor):
    make_article(status=Article.Status.DRAFT, published_at=None)
    for _ in range(2):
        make_article(status=Article.Status.REVIEW, published_at=None)
    client.force_login(editor)
    page = client.get(LIST_URL, {"status__exact": "published"}).content.decode()
    assert "1 bản nháp" in page and "2 chờ duyệt" in page


# The date hierarchy --------------------------------------------------------------------

# 18:00 UTC on New Year's Eve is already 1 January in Hà Nội (UTC+7).
SPREAD = [
    datetime(2023, 3, 5, 2, tzinfo=UTC),
    datetime(2023, 3, 20, 23, tzinfo=UTC),
    datetime(2023, 7, 1, 9, tzinfo=UTC),
    datetime(2024, 12, 31, 18, tzinfo=UTC),
]


def hierarchy_choices(page):
    """The periods the date hierarchy offers, as written on its links."""
    nav = re.search(r'<nav class="toplinks">(.*?)</nav>', page, re.S)[1]
    return re.findall(r'<a href="[^"]*">([^<]*)</a>', nav)


def test_the_date_hierarchy_offers_the_years_months_and_days_of_hanoi(client, editor):
    for when in SPREAD:
        make_article(published_at=when)
    make_article(status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    assert hierarchy_choices(client.get(LIST_URL).content.decode()) == ["2023", "2025"]
    in_2023 = client.get(LIST_URL, {"published_at__year": 2023}).content.decode()
    assert hierarchy_choices(in_2023) == ["Tháng 3 2023", "Tháng 7 2023"]
    in_march = {"published_at__year": 2023, "published_at__month": 3}
    in_march = client.get(LIST_URL, in_march).content.decode()
    assert hierarchy_choices(in_march) == ["5 Tháng 3", "21 Tháng 3"]


@pytest.mark.parametrize("kind", ["year", "month", "day"])
def test_the_list_offers_the_same_periods_as_django_for_any_filter(db, kind):
    section = make_category()
    for n, when in enumerate(SPREAD):
        make_article(published_at=when, category=section if n % 2 else None)
    make_article(status=Article.Status.REVIEW, published_at=None, category=section)
    for found in (Article.objects.all(), Article.objects.filter(category=section)):
        walked = ListQuerySet(Article, query=found.query)
        for order in ("ASC", "DESC"):
            expected = found.datetimes("published_at", kind, order)
            assert [str(d) for d in walked.datetimes("published_at", kind, order)] == [
                str(d) for d in expected
            ]


def test_the_date_hierarchy_never_truncates_the_date_of_every_article(client, editor):
    for when in SPREAD:
        make_article(published_at=when)
    client.force_login(editor)
    for params in ({}, {"published_at__year": 2023}, {"status__exact": "published"}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST_URL, params).status_code == 200
        assert not [q["sql"] for q in queries if "trunc" in q["sql"].lower()]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_the_first_page_of_the_list_is_read_from_an_index_not_sorted(db):
    plan = Article.objects.all()[:50].explain()
    assert "article_newest" in plan and "TEMP B-TREE" not in plan


SLUG_SCRIPTS = (
    "admin/js/urlify.js",
    "articles/js/slug.js",
    "articles/js/admin-slug.js",
    "admin/js/prepopulate.js",
)
HARNESS = Path(__file__).parent / "js" / "prepopulate_harness.js"


def typed_slug(page, title, leave_out=()):
    """The slug the page's own scripts fill in as ``title`` is typed (run by Node)."""
    sources = [unquote(src) for src in re.findall(r'<script src="([^"]+)"', page)]
    scripts = []
    for name in SLUG_SCRIPTS:
        src = next(s for s in sources if s.endswith(name))
        if name not in leave_out:
            scripts.append(
                (sources.index(src), finders.find(src.removeprefix(settings.STATIC_URL)))
            )
    (field,) = json.loads(html.unescape(re.search(r'data-prepopulated-fields="([^"]*)"', page)[1]))
    setup = {
        "scripts": [path for _order, path in sorted(scripts)],
        "field": field["id"],
        "dependency": field["dependency_ids"][0],
        "maxLength": field["maxLength"],
        "allowUnicode": field["allowUnicode"],
        "title": title,
    }
    run = subprocess.run(
        [shutil.which("node"), HARNESS], input=json.dumps(setup), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.skipif(not shutil.which("node"), reason="needs Node.js to run the admin's scripts")
@pytest.mark.parametrize(
    "title",
    [
        "Đường Đại Cồ Việt đông đúc",
        unicodedata.normalize("NFD", "Quận Tây Hồ chủ động vượt khó"),
        "Hội nghị " * 40,
    ],
)
def test_the_admin_fills_the_slug_as_the_server_would(client, editor, title):
    client.force_login(editor)
    page = client.get(ADD_URL).content.decode()
    assert typed_slug(page, title) == slugify(title)
    # Without the project's rule, Django's URLify gets Vietnamese wrong.
    assert typed_slug(page, title, leave_out={"articles/js/admin-slug.js"}) != slugify(title)


def test_the_admin_speaks_vietnamese(client, editor):
    client.force_login(editor)
    page = client.get(ADD_URL).content.decode()
    assert "Tiêu đề" in page and "Sapo" in page and "Thời gian xuất bản" in page
    assert "Thêm bài viết" in page


def test_related_links_are_chosen_with_an_autocomplete(client, editor):
    make_article("Bài để liên kết")
    client.force_login(editor)
    page = client.get(ADD_URL).content.decode()
    assert "admin-autocomplete" in page
    found = client.get(
        "/admin/autocomplete/",
        {
            "term": "bai de lien",
            "app_label": "articles",
            "model_name": "relatedlink",
            "field_name": "target",
        },
    ).json()
    assert [r["text"].split(" · ")[0] for r in found["results"]] == ["Bài để liên kết"]


# Query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("articles", [5, 60])
def test_the_list_runs_a_bounded_number_of_queries(
    client, editor, django_assert_max_num_queries, articles
):
    section = make_category()
    for _ in range(articles):
        make_article(category=section)
    client.force_login(editor)
    with django_assert_max_num_queries(13):
        assert client.get(LIST_URL).status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_the_edit_page_runs_a_bounded_number_of_queries(
    client, editor, django_assert_max_num_queries, size
):
    targets = [make_article() for _ in range(size)]
    article = make_article(
        blocks=[f"Đoạn {n}." if n % 2 else {"caption": f"Ảnh {n}"} for n in range(size)],
        related=targets,
    )
    client.force_login(editor)
    # The form with its five kinds of block, its authors, topics, corrections and photos;
    # 8 for the desk around it (presence, notes read, the thread, who else is here, preview
    # links) and 1 for the autosave offer: as many whatever the story holds.
    with django_assert_max_num_queries(32):
        assert client.get(change_url(article)).status_code == 200
