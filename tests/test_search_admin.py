"""Editors find every story they may see, whatever its status; readers only the visible ones.

Run on SQLite by ``make test`` and on PostgreSQL in the PostgreSQL pass.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

from .factories import make_article, make_category
from .test_search import shown_titles

LIST_URL = "/admin/articles/article/"


@pytest.fixture
def unseen(db):
    """A draft, a story in review and a scheduled story, and a visible one like them."""
    section = make_category("Giao thông")
    now = timezone.now()
    return {
        "draft": make_article(
            "Đường vành đai bốn qua Hoài Đức", status=Article.Status.DRAFT, category=section
        ),
        "review": make_article("Cầu Tứ Liên khởi công tháng Mười", status=Article.Status.REVIEW),
        "scheduled": make_article(
            "Phố Hàng Đào cấm xe máy cuối tuần",
            published_at=now + timedelta(hours=5),
            category=section,
        ),
        "visible": make_article("Xe buýt điện chạy quanh Hồ Gươm", category=section),
    }


def listed_titles(page):
    return re.findall(r'<th class="field-title"><a [^>]*>([^<]*)</a>', page)


@pytest.mark.parametrize(
    "kind, typed",
    [
        ("draft", "duong vanh dai bon qua hoai duc"),
        ("review", "cau tu lien khoi cong"),
        ("scheduled", "pho hang dao cam xe may"),
        ("visible", "xe buyt dien"),
    ],
)
def test_the_admin_list_finds_any_status_by_a_headline_typed_without_accents(
    client, editor, unseen, kind, typed
):
    client.force_login(editor)
    page = client.get(LIST_URL, {"q": typed}).content.decode()
    assert listed_titles(page) == [unseen[kind].title]


def test_the_admin_list_ranks_the_best_match_first(client, editor, unseen):
    now = timezone.now()
    make_article("Tin ngắn", sapo="Đường vành đai bốn sắp xong.", published_at=now)
    client.force_login(editor)
    page = client.get(LIST_URL, {"q": "duong vanh dai bon"}).content.decode()
    assert listed_titles(page) == [unseen["draft"].title, "Tin ngắn"]


def picker(client, term):
    url = reverse("admin:articles_article_related_search")
    return client.get(
        url,
        {
            "term": term,
            "app_label": "articles",
            "model_name": "relatedlink",
            "field_name": "target",
        },
    ).json()["results"]


@pytest.mark.parametrize(
    "kind, typed, label",
    [
        ("draft", "vanh dai bon", "Đường vành đai bốn qua Hoài Đức · Giao thông · Bản nháp"),
        ("review", "cau tu li", "Cầu Tứ Liên khởi công tháng Mười · "),
        ("scheduled", "hang dao cam", "Phố Hàng Đào cấm xe máy cuối tuần · Giao thông · "),
    ],
)
def test_the_related_picker_finds_any_status_and_shows_section_status_and_date(
    client, editor, unseen, kind, typed, label
):
    client.force_login(editor)
    results = picker(client, typed)
    assert [r["id"] for r in results] == [str(unseen[kind].pk)]
    assert results[0]["text"].startswith(label)
    if kind == "scheduled":
        when = timezone.localtime(unseen[kind].published_at)
        assert results[0]["text"].endswith(when.strftime("%d/%m/%Y %H:%M"))


def test_the_change_page_asks_the_picker_that_labels_its_choices(client, editor, unseen):
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    assert reverse("admin:articles_article_related_search") in page


def test_readers_search_does_not_find_them(client, unseen):
    for typed in [
        "duong vanh dai bon qua hoai duc",
        "cau tu lien khoi cong",
        "pho hang dao cam xe may",
    ]:
        page = client.get("/tim-kiem/", {"q": typed}).content.decode()
        assert shown_titles(page) == []
    page = client.get("/tim-kiem/", {"q": "xe buyt dien"}).content.decode()
    assert shown_titles(page) == [unseen["visible"].title]


def test_the_picker_needs_a_staff_login(client, unseen):
    response = client.get(
        reverse("admin:articles_article_related_search"),
        {
            "term": "hang dao",
            "app_label": "articles",
            "model_name": "relatedlink",
            "field_name": "target",
        },
    )
    assert response.status_code == 302 and "Hàng Đào" not in response.content.decode()
