"""History that loses nothing: revisions, what changed, restoring, and no lost updates."""

from reversion.models import Version

from articles.models import Article, RelatedLink

from .admin_forms import (
    LIST_URL,
    change_url,
    errors_of,
    form_data,
    member,
    post_form,
    run_action,
)
from .factories import make_article


def test_the_second_of_two_open_forms_is_refused_and_both_edits_survive(client, editor, db):
    article = make_article("Tiêu đề gốc", blocks=["Đoạn gốc."])
    other = member("bientap2", "Biên tập viên")
    first_form = form_data(client.__class__().get(change_url(article)))  # anonymous: empty
    assert not first_form

    client.force_login(editor)
    second = client.__class__()
    second.force_login(other)
    mine = form_data(client.get(change_url(article)))
    theirs = form_data(second.get(change_url(article)))

    mine["title"] = "Tiêu đề của biên tập 1"
    assert client.post(change_url(article), mine).status_code == 302
    theirs["title"] = "Tiêu đề của biên tập 2"
    response = second.post(change_url(article), theirs)

    assert response.status_code == 200
    page = response.content.decode()
    assert "sau khi bạn mở" in page or "after you opened it" in page
    assert 'value="Tiêu đề của biên tập 2"' in page, "the refused edit is still in the form"
    assert f"/admin/articles/article/{article.pk}/history/" in page
    article.refresh_from_db()
    assert article.title == "Tiêu đề của biên tập 1"
    titles = [v.field_dict["title"] for v in Version.objects.get_for_object(article)]
    assert "Tiêu đề của biên tập 1" in titles


def test_a_restored_revision_brings_back_the_blocks_and_links(client, editor):
    one, two = make_article("Liên quan một"), make_article("Liên quan hai")
    client.force_login(editor)
    article = make_article("Bài gốc", blocks=["Đoạn A.", {"caption": "Ảnh A"}], related=[one])
    assert post_form(client, article).status_code == 302  # the first revision
    first = Version.objects.get_for_object(article).first()

    data = form_data(client.get(change_url(article)))
    data["title"] = "Bài đã sửa"
    data["richtexts-0-text"] = "Đoạn B."
    data["figures-0-DELETE"] = "on"
    data["related_links-0-target"] = str(two.pk)
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.figures.count()) == ("Bài đã sửa", 0)

    changes = client.get(f"{LIST_URL}{article.pk}/history/{first.pk}/changes/").content.decode()
    assert "Bài gốc" in changes
    newest = Version.objects.get_for_object(article).first()
    changes = client.get(f"{LIST_URL}{article.pk}/history/{newest.pk}/changes/").content.decode()
    assert "<del>-  Đoạn A.</del>" in changes and "<ins>+  Đoạn B.</ins>" in changes

    revision_url = f"{LIST_URL}{article.pk}/history/{first.pk}/"
    response = client.post(revision_url, form_data(client.get(revision_url)))
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.title == "Bài gốc"
    assert [(b.kind, b.searchable_text()) for b in article.body()] == [
        ("text", "Đoạn A."),
        ("figure", "Ảnh A"),
    ]
    assert list(RelatedLink.objects.filter(article=article).values_list("target", flat=True)) == [
        one.pk
    ]


def test_history_lists_who_saved_each_version(client, editor):
    article = make_article("Có lịch sử")
    client.force_login(editor)
    post_form(client, article, title="Có lịch sử, bản hai")
    page = client.get(f"{LIST_URL}{article.pk}/history/").content.decode()
    assert "bientap" in page and "/changes/" in page


def restore(client, article, version):
    """Open an old version's page and post it back, as the restore button does."""
    url = f"{LIST_URL}{article.pk}/history/{version.pk}/"
    return client.post(url, form_data(client.get(url)))


def test_a_restore_never_winds_the_version_back_so_a_form_opened_before_it_is_refused(
    client, editor
):
    article = make_article("Bản một")
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    first = Version.objects.get_for_object(article).first()
    assert post_form(client, article, title="Bản hai").status_code == 302
    article.refresh_from_db()
    before_restore = article.version

    other = client.__class__()
    other.force_login(member("bientap2", "Biên tập viên"))
    theirs = form_data(other.get(change_url(article)))

    assert restore(client, article, first).status_code == 302
    article.refresh_from_db()
    assert article.title == "Bản một"
    assert article.version == before_restore + 1, "the restore is a new version, not an old one"

    theirs["title"] = "Bản ba, mở trước khi khôi phục"
    response = other.post(change_url(article), theirs)
    assert response.status_code == 200
    assert "sau khi bạn mở" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Bản một"


def test_a_restore_opened_before_someone_elses_save_is_refused_and_their_save_stays(client, editor):
    article = make_article("Bản gốc")
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    first = Version.objects.get_for_object(article).first()
    url = f"{LIST_URL}{article.pk}/history/{first.pk}/"
    restore_form = form_data(client.get(url))

    other = client.__class__()
    other.force_login(member("bientap2", "Biên tập viên"))
    assert post_form(other, article, title="Sửa sau khi mở bản cũ").status_code == 302

    response = client.post(url, restore_form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "bientap2" in page and "sau khi bạn mở" in page
    newest = Version.objects.get_for_object(article).first()
    assert f"{LIST_URL}{article.pk}/history/{newest.pk}/changes/" in page
    article.refresh_from_db()
    assert article.title == "Sửa sau khi mở bản cũ"


def test_a_reporter_cannot_restore_an_old_draft_over_a_published_article(client, reporter, editor):
    client.force_login(reporter)
    article = make_article("Bài của phóng viên", status=Article.Status.DRAFT, created_by=reporter)
    assert post_form(client, article, status="review").status_code == 302
    draft = Version.objects.get_for_object(article).first()
    client.force_login(editor)
    run_action(client, "publish", article)
    article.refresh_from_db()
    assert article.is_visible

    client.force_login(reporter)
    url = f"{LIST_URL}{article.pk}/history/{draft.pk}/"
    assert client.get(url).status_code == 403
    crafted = {"title": "Gỡ lén", "status": "draft", "opened_version": str(article.version)}
    assert client.post(url, crafted).status_code == 403
    article.refresh_from_db()
    assert (article.title, article.status) == ("Bài của phóng viên", Article.Status.PUBLISHED)


def test_what_changed_names_who_saved_and_shows_the_changed_lines(client, editor):
    article = make_article("Trước khi sửa", blocks=["Đoạn cũ."])
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    assert post_form(client, article, title="Sau khi sửa").status_code == 302
    newest = Version.objects.get_for_object(article).first()
    page = client.get(f"{LIST_URL}{article.pk}/history/{newest.pk}/changes/").content.decode()
    assert "bientap" in page
    assert "<del>-tiêu đề: Trước khi sửa</del>" in page
    assert "<ins>+tiêu đề: Sau khi sửa</ins>" in page
    assert "Đoạn cũ." not in page, "an unchanged body is not repeated"


def test_an_audit_trail_says_who_published_and_who_unpublished(client, editor):
    article = make_article("Bài kiểm toán", status=Article.Status.REVIEW, published_at=None)
    client.force_login(editor)
    run_action(client, "publish", article)
    run_action(client, "unpublish", article)
    page = client.get(f"{LIST_URL}{article.pk}/history/").content.decode()
    page = page[page.index('id="change-history"') :]
    assert page.count("bientap") >= 2
    assert page.index("Đã gỡ xuống") < page.index("Đã xuất bản"), "newest first"
