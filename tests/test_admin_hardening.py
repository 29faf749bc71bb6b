"""The admin under attack: restores and recovers that bypass the rules, list actions on texts
no one saw, malformed staff URLs, and bodies of hundreds of blocks."""

from unittest import mock
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from reversion.models import Revision, Version

from articles import history
from articles.models import Article, RichText

from .admin_forms import (
    ADD_URL,
    LIST_URL,
    change_url,
    confirmed,
    empty_inlines,
    errors_of,
    form_data,
    member,
    new_article_data,
    post_form,
    run_action,
    ticked,
)
from .factories import make_article, make_category


def saved_state(article):
    """What a restore must not touch: the article's text, status and version, and its history."""
    article.refresh_from_db()
    return (article.title, article.status, article.version, Revision.objects.count())


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def deleted_by_an_editor(client, editor, article):
    """Delete ``article`` through the admin as ``editor``, as the delete button does."""
    client.force_login(editor)
    response = client.post(f"{LIST_URL}{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


# Restoring and recovering --------------------------------------------------------------


def test_a_reporter_gets_403_from_recover_on_a_published_article_and_nothing_changes(
    client, reporter, editor
):
    article = make_article("Bài đã đăng của tòa soạn", blocks=["Đoạn thật."])
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    version = Version.objects.get_for_object(article).first()
    before = saved_state(article)

    client.force_login(reporter)
    url = f"{LIST_URL}recover/{version.pk}/"
    assert client.get(url).status_code == 403
    crafted = {
        **new_article_data("Chữ của phóng viên", status="draft"),
        "opened_version": "1",
    }
    assert client.post(url, crafted).status_code == 403

    assert saved_state(article) == before
    assert article.status == Article.Status.PUBLISHED
    assert [b.searchable_text() for b in article.body()] == ["Đoạn thật."]


def test_a_reporter_can_neither_list_nor_undelete_what_an_editor_deleted(client, reporter, editor):
    article = make_article("Bài đã xoá", status=Article.Status.DRAFT)
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    version = Version.objects.get_for_object(article).first()
    deleted_by_an_editor(client, editor, article)
    assert "Bài đã xoá" in client.get(f"{LIST_URL}recover/").content.decode()
    assert "recoverlink" in client.get(LIST_URL).content.decode()

    client.force_login(reporter)
    assert "recoverlink" not in client.get(LIST_URL).content.decode()
    assert client.get(f"{LIST_URL}recover/").status_code == 403
    url = f"{LIST_URL}recover/{version.pk}/"
    assert client.get(url).status_code == 403
    assert client.post(url, new_article_data("Bài đã xoá")).status_code == 403
    assert not Article.objects.filter(pk=article.pk).exists()


def test_recover_of_an_article_that_still_exists_is_refused_even_for_an_editor(client, editor):
    article = make_article("Vẫn còn đây")
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    old = Version.objects.get_for_object(article).first()
    assert post_form(client, article, title="Vẫn còn đây, bản mới").status_code == 302
    before = saved_state(article)

    url = f"{LIST_URL}recover/{old.pk}/"
    for response in (client.get(url), client.post(url, form_data(client.get(change_url(article))))):
        assert response.status_code == 302
        assert response["Location"] == f"{LIST_URL}{article.pk}/history/"
    assert any("chưa bị xoá" in message for message in messages_of(response))
    assert saved_state(article) == before


def test_an_editor_recovers_a_deleted_article_with_a_version_above_all_it_ever_had(client, editor):
    article = make_article("Bản đầu", blocks=["Đoạn đầu."])
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    first = Version.objects.get_for_object(article).first()
    assert post_form(client, article, title="Bản cuối").status_code == 302
    assert post_form(client, article, title="Bản cuối cùng").status_code == 302
    article.refresh_from_db()
    highest = article.version
    deleted_by_an_editor(client, editor, article)

    url = f"{LIST_URL}recover/{first.pk}/"
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == 302, errors_of(response)

    recovered = Article.objects.get(pk=article.pk)
    assert recovered.title == "Bản đầu"
    assert [b.searchable_text() for b in recovered.body()] == ["Đoạn đầu."]
    assert "doan dau" in recovered.search_text
    assert recovered.version == highest + 1


def test_recovering_an_article_whose_address_was_taken_since_says_so_and_changes_nothing(
    client, editor
):
    article = make_article("Cùng một địa chỉ", blocks=["Đoạn cũ."])
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    version = Version.objects.get_for_object(article).first()
    deleted_by_an_editor(client, editor, article)
    newcomer = make_article("Cùng một địa chỉ")
    assert newcomer.slug == article.slug

    url = f"{LIST_URL}recover/{version.pk}/"
    response = client.post(url, new_article_data("Cùng một địa chỉ", slug=article.slug))
    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}recover/"
    said = " ".join(messages_of(response))
    assert f"“{article.slug}”" in said and "đã thuộc về" in said
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not RichText.objects.filter(text="Đoạn cũ.").exists()


def test_a_restore_counts_on_from_the_highest_version_the_article_ever_had(client, editor):
    article = make_article("Bản một")
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    first = Version.objects.get_for_object(article).first()
    assert post_form(client, article, title="Bản hai").status_code == 302
    assert post_form(client, article, title="Bản ba").status_code == 302
    highest = history.highest_version(article.pk)
    # A version wound back before this was fixed is still counted past.
    Article.objects.filter(pk=article.pk).update(version=1)

    url = f"{LIST_URL}{article.pk}/history/{first.pk}/"
    opened = form_data(client.get(url))
    assert opened["opened_version"] == "1"
    assert client.post(url, opened).status_code == 302
    article.refresh_from_db()
    assert article.title == "Bản một"
    assert article.version == highest + 1
    assert history.highest_version(article.pk) == highest + 1


def test_a_reporter_cannot_publish_by_restoring_a_version_that_was_published(
    client, editor, reporter
):
    article = make_article(
        "Bài từng đăng", status=Article.Status.REVIEW, created_by=reporter, published_at=None
    )
    client.force_login(editor)
    run_action(client, "publish", article)
    published = Version.objects.get_for_object(article).first()
    run_action(client, "unpublish", article)
    before = saved_state(article)
    assert article.status == Article.Status.DRAFT

    client.force_login(reporter)
    url = f"{LIST_URL}{article.pk}/history/{published.pk}/"
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page, "shown read-only"
    crafted = {"title": "Đăng lén", "status": "published", "opened_version": str(article.version)}
    assert client.post(url, crafted).status_code == 403
    assert saved_state(article) == before


def test_the_restore_and_recover_pages_speak_vietnamese(client, editor):
    article = make_article("Bài có lịch sử")
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    version = Version.objects.get_for_object(article).first()
    url = f"{LIST_URL}{article.pk}/history/{version.pk}/"
    page = client.get(url).content.decode()
    assert "Bấm nút Lưu bên dưới để đưa bài về phiên bản này." in page
    assert client.post(url, form_data(client.get(url))).status_code == 302
    history_page = client.get(f"{LIST_URL}{article.pk}/history/").content.decode()
    assert "Đưa về phiên bản đã lưu lúc" in history_page

    deleted_by_an_editor(client, editor, article)
    page = client.get(f"{LIST_URL}recover/").content.decode()
    assert "Khôi phục bài viết đã xoá" in page and "Bài có lịch sử" in page
    page = client.get(f"{LIST_URL}recover/{version.pk}/").content.decode()
    assert "Bấm nút Lưu bên dưới để khôi phục bài đã xoá" in page


def test_history_urls_restore_only_a_version_of_that_same_existing_article(client, editor):
    one = make_article("Bài một", blocks=["Đoạn một."])
    two = make_article("Bài hai")
    client.force_login(editor)
    assert post_form(client, one).status_code == 302
    assert post_form(client, two).status_code == 302
    of_one = Version.objects.get_for_object(one).first()
    block_version = Version.objects.get_for_model(RichText).get(revision=of_one.revision)
    before = saved_state(two)

    assert client.get(f"{LIST_URL}{two.pk}/history/{of_one.pk}/").status_code == 404
    # A block's version whose id happens to equal an article's id is not the article's.
    RichText.objects.filter(pk=block_version.object_id).update(article=two)
    Version.objects.filter(pk=block_version.pk).update(object_id=str(two.pk))
    assert client.post(f"{LIST_URL}{two.pk}/history/{block_version.pk}/", {}).status_code == 404
    assert saved_state(two) == before

    deleted_by_an_editor(client, editor, one)
    url = f"{LIST_URL}{one.pk}/history/{of_one.pk}/"
    assert client.get(url).status_code == 404, "undeleting goes through recover only"
    assert client.post(url, new_article_data("Bài một")).status_code == 404
    assert not Article.objects.filter(pk=one.pk).exists()


# The list's actions --------------------------------------------------------------------


def test_publish_from_the_list_refuses_an_article_saved_after_the_list_was_shown(client, editor):
    changed = make_article("Chờ duyệt, bị sửa", status=Article.Status.REVIEW, published_at=None)
    unchanged = make_article("Chờ duyệt, như cũ", status=Article.Status.REVIEW, published_at=None)
    client.force_login(editor)
    data = ticked(client, changed, unchanged)
    assert data[f"shown_version_{changed.pk}"] == str(changed.version)

    other = client.__class__()
    other.force_login(member("phongvien2", "Phóng viên"))
    assert post_form(other, changed, title="Sửa sau khi danh sách hiện ra").status_code == 302

    response = client.post(LIST_URL, {**data, "action": "publish"})
    assert response.status_code == 302
    changed.refresh_from_db()
    unchanged.refresh_from_db()
    assert changed.status == Article.Status.REVIEW, "not the unseen text"
    assert changed.title == "Sửa sau khi danh sách hiện ra"
    assert unchanged.is_visible
    said = " ".join(messages_of(response))
    assert "“Sửa sau khi danh sách hiện ra”" in said and "Chờ duyệt, như cũ" not in said
    assert "Đã xuất bản: 1" in said


def test_unpublish_asks_first_and_still_refuses_an_article_saved_before_the_yes(client, editor):
    article = make_article("Đang hiển thị")
    draft = make_article("Vẫn là nháp", status=Article.Status.DRAFT)
    client.force_login(editor)
    asked = client.post(LIST_URL, {**ticked(client, article, draft), "action": "unpublish"})
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Đang hiển thị" in page and "Vẫn là nháp" not in page
    assert "Người đọc sẽ không còn thấy" in page
    article.refresh_from_db()
    assert article.is_visible, "nothing changes until the editor says yes"

    Article.objects.get(pk=article.pk).save()  # someone saves it while the page is open
    response = confirmed(client, asked)
    article.refresh_from_db()
    assert article.is_visible
    assert any("“Đang hiển thị”" in message for message in messages_of(response))

    response = run_action(client, "unpublish", article)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert not article.is_visible
    assert messages_of(response) == ["Đã gỡ xuống: 1 bài viết."]


def test_a_list_action_posted_without_the_shown_versions_changes_nothing(client, editor):
    article = make_article("Không rõ bản nào", status=Article.Status.REVIEW)
    client.force_login(editor)
    client.post(LIST_URL, {"action": "publish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_select_all_acts_on_rows_not_shown_but_not_on_shown_rows_that_moved(client, editor):
    articles = [
        make_article(f"Bài {n}", status=Article.Status.REVIEW, published_at=None) for n in range(3)
    ]
    client.force_login(editor)
    data = ticked(client, *articles)
    moved = articles[0]
    Article.objects.get(pk=moved.pk).save()
    # The shown version of one row is missing, as for a row on another page.
    del data[f"shown_version_{articles[2].pk}"]
    client.post(LIST_URL, {**data, "action": "publish", "select_across": "1"})
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses == {
        moved.pk: Article.Status.REVIEW,
        articles[1].pk: Article.Status.PUBLISHED,
        articles[2].pk: Article.Status.PUBLISHED,
    }


# Malformed staff URLs ------------------------------------------------------------------

JUNK_IDS = ["abc", "1.5", "%00", "-1", "99999999999999999999999", quote("bài-viết"), "0"]


@pytest.mark.parametrize("junk", JUNK_IDS)
def test_a_malformed_id_in_any_staff_url_is_a_404_or_the_usual_redirect(
    admin_client, admin_user, junk
):
    client = admin_client  # a superuser: every model's every view is open to it
    article = make_article("Bài có thật")
    assert post_form(client, article).status_code == 302
    version = Version.objects.get_for_object(article).first().pk
    urls = [
        f"{LIST_URL}{junk}/preview/",
        f"{LIST_URL}{junk}/history/{version}/",
        f"{LIST_URL}{junk}/history/{version}/changes/",
        f"{LIST_URL}{article.pk}/history/{junk}/",
        f"{LIST_URL}{article.pk}/history/{junk}/changes/",
        f"{LIST_URL}recover/{junk}/",
    ]
    read_only = set()
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{junk}/"
        urls += [f"{base}change/", f"{base}delete/", f"{base}history/"]
        request = RequestFactory().get("/")
        request.user = admin_user
        if not model_admin.has_change_permission(request):
            read_only.add(f"POST {base}change/")
        if not model_admin.has_delete_permission(request):
            read_only.update({f"GET {base}delete/", f"POST {base}delete/"})
    answers = {}
    for url in urls:
        for method in (client.get, client.post):
            answers[f"{method.__name__.upper()} {url}"] = method(url).status_code
    # A view's own 404, or Django's redirect saying there is no such object (where the
    # junk fits no other URL pattern, the change view's takes it), or the refusal of a
    # model shown read-only (the task queue's results): never a 500.
    unexpected = {
        url: status
        for url, status in answers.items()
        if status not in (302, 404) and not (status == 403 and url in read_only)
    }
    assert unexpected == {}
    assert answers[f"GET {LIST_URL}{junk}/preview/"] == 404
    article.refresh_from_db()
    assert article.title == "Bài có thật"


# Many blocks ---------------------------------------------------------------------------


def blocks_data(count):
    """Inline form data for ``count`` new text blocks, numbered in order, with the four
    fields a browser posts for each."""
    data = empty_inlines(richtexts=count)
    for n in range(count):
        data[f"richtexts-{n}-id"] = data[f"richtexts-{n}-article"] = ""
        data[f"richtexts-{n}-ordering"] = str(n + 1)
        data[f"richtexts-{n}-text"] = f"Đoạn số {n + 1}."
    return data


def admin_add(client, title, count):
    """Add an article of ``count`` text blocks; the statements run and the body reads made."""
    data = new_article_data(title, **blocks_data(count))
    with (
        mock.patch.object(Article, "body", autospec=True, side_effect=Article.body) as reads,
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    return len(queries), reads.call_count


def test_an_admin_save_grows_linearly_with_the_number_of_blocks(client, editor):
    client.force_login(editor)
    admin_add(client, "Khởi động", 2)  # the first post of a session reads more
    small_queries, small_reads = admin_add(client, "Mười khối", 10)
    large_queries, large_reads = admin_add(client, "Hai mươi khối", 20)
    assert large_queries <= 2 * small_queries + 5
    # Each added block costs at most its own insert, and the body is read a fixed
    # number of times, not once per block.
    assert large_queries - small_queries <= 10 + 3
    assert small_reads == large_reads <= 3


def test_moving_every_block_renumbers_them_in_a_bounded_number_of_statements(client, editor):
    category = make_category("Đời sống")
    small = make_article("Ít", category=category, blocks=[f"Đoạn {n}." for n in range(10)])
    large = make_article("Nhiều", category=category, blocks=[f"Đoạn {n}." for n in range(40)])
    client.force_login(editor)
    counted = []
    for article in (small, large):
        data = form_data(client.get(change_url(article)))
        count = int(data["richtexts-TOTAL_FORMS"])
        data["richtexts-0-ordering"] = str(10 * count + 5)  # the first paragraph goes last
        with CaptureQueriesContext(connection) as queries:
            assert client.post(change_url(article), data).status_code == 302
        counted.append(len(queries))
        texts = [block.searchable_text() for block in article.body()]
        assert texts == [f"Đoạn {n}." for n in [*range(1, count), 0]]
        assert [block.ordering for block in article.body()] == list(range(10, 10 * count + 1, 10))
    # Django checks each posted row's id with a statement of its own; renumbering the
    # thirty more blocks that moved adds none.
    assert counted[1] - counted[0] <= 30 + 3


def test_an_admin_post_of_400_blocks_saves_them_all_in_order(client, editor):
    client.force_login(editor)
    response = client.post(ADD_URL, new_article_data("Bài rất dài", **blocks_data(400)))
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(title="Bài rất dài")
    assert [block.text for block in article.body()] == [f"Đoạn số {n}." for n in range(1, 401)]
    assert "doan so 400" in article.search_text


def test_a_block_saved_outside_the_admin_still_refolds_the_search_text(db):
    article = make_article("Ngoài bàn biên tập")
    RichText.objects.create(article=article, ordering=1, text="Chợ hoa Quảng Bá")
    article.refresh_from_db()
    assert "cho hoa quang ba" in article.search_text
