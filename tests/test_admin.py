"""The editors' desk, driven through the admin's real URLs: preview, the list, the edit page."""

import pytest

from articles.models import Article

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


def test_the_admin_fills_slugs_with_the_vietnamese_rule(client, editor):
    client.force_login(editor)
    page = client.get(ADD_URL).content.decode()
    assert page.index("admin/js/urlify.js") < page.index("articles/js/slug.js")
    assert page.index("articles/js/slug.js") < page.index("articles/js/admin-slug.js")


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
    assert [r["text"] for r in found["results"]] == ["Bài để liên kết"]


# Query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("articles", [5, 60])
def test_the_list_runs_a_bounded_number_of_queries(
    client, editor, django_assert_max_num_queries, articles
):
    section = make_category()
    for _ in range(articles):
        make_article(category=section)
    client.force_login(editor)
    with django_assert_max_num_queries(12):
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
    with django_assert_max_num_queries(16):
        assert client.get(change_url(article)).status_code == 200
