"""History that loses nothing: revisions, what changed, restoring, and no lost updates."""

import json
from zoneinfo import ZoneInfo

from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Author, RelatedLink, Topic

from .admin_forms import (
    LIST_URL,
    change_url,
    errors_of,
    form_data,
    member,
    post_form,
    run_action,
)
from .factories import make_article, make_photo, png_upload


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


# A photo of the library is shared by stories: what is changed in it shows in each one's
# history, and restoring a story never writes it back.

PHOTOS_URL = "/admin/articles/photo/"
# A photo's save, with the search text of the three stories that show it folded again
# and a version of each saved (about 25 queries a story, however many blocks it has).
QUERIES_FOR_THREE_STORIES = 78


def change_photo(client, photo, **changes):
    """Open the library photo's edit page and post it back with ``changes``, as the
    library's form does."""
    url = f"{PHOTOS_URL}{photo.pk}/change/"
    data = form_data(client.get(url), form_id="photo_form")
    assert data, "the photo's form was shown"
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    return response


def newest_change_page(client, article):
    newest = Version.objects.get_for_object(article).first()
    return newest, client.get(f"{LIST_URL}{article.pk}/history/{newest.pk}/changes/")


def test_a_credit_changed_in_the_library_shows_in_the_history_of_each_story_using_it(
    client, editor
):
    photo = make_photo(credit="Ảnh: Minh Anh", alt_text="Sen nở trên Hồ Tây")
    first = make_article("Hồ Tây mùa sen", blocks=["Đoạn một.", {"photo": photo}])
    second = make_article("Sen Tây Hồ vào mùa", blocks=[{"photo": photo, "caption": "Sen"}])
    unrelated = make_article("Bài không có ảnh này", blocks=["Chỉ có chữ."])
    editor.first_name, editor.last_name = "Lan", "Nguyễn"
    editor.save()
    client.force_login(editor)
    assert post_form(client, first).status_code == 302  # one story already has versions

    before = timezone.now()
    change_photo(client, photo, credit="Ảnh: Lan Anh/TTXVN")
    photo.refresh_from_db()
    assert photo.credit == "Ảnh: Lan Anh/TTXVN"

    for article in (first, second):
        newest, response = newest_change_page(client, article)
        assert newest.revision.user == editor
        assert "Sen nở trên Hồ Tây" in newest.revision.comment
        assert "Nguyễn Lan" in newest.revision.comment or "Lan Nguyễn" in newest.revision.comment
        assert "thư viện" in newest.revision.comment
        page = response.content.decode()
        assert "<del>-  nguồn ảnh: Ảnh: Minh Anh</del>" in page
        assert "<ins>+  nguồn ảnh: Ảnh: Lan Anh/TTXVN</ins>" in page
        # Saved when the photo was, as the desk reads times: Hanoi time.
        when = timezone.localtime(newest.revision.date_created, ZoneInfo("Asia/Ho_Chi_Minh"))
        assert abs(when - before).total_seconds() < 60
        assert f"{when:%d/%m/%Y %H:%M}" in page
        history_page = client.get(f"{LIST_URL}{article.pk}/history/").content.decode()
        assert "Sen nở trên Hồ Tây" in history_page
    assert not Version.objects.get_for_object(unrelated).exists()
    # The second story had no version yet: it first gets one as it stood before.
    comments = [v.revision.comment for v in Version.objects.get_for_object(second)]
    assert len(comments) == 2 and "Như trước khi" in comments[1]
    assert Version.objects.get_for_object(first).count() == 2

    # The photo's alt text changes next: the last version's diff shows that change alone.
    change_photo(client, photo, alt_text="Hoa sen nở kín Hồ Tây")
    _newest, response = newest_change_page(client, second)
    page = response.content.decode()
    assert "<del>-  mô tả ảnh: Sen nở trên Hồ Tây</del>" in page
    assert "<ins>+  mô tả ảnh: Hoa sen nở kín Hồ Tây</ins>" in page
    assert "<del>-  nguồn ảnh" not in page


def test_a_library_photo_changed_where_readers_see_nothing_saves_no_story_version(client, editor):
    photo = make_photo(credit="Ảnh: Minh Anh")
    article = make_article("Một bài có ảnh", blocks=[{"photo": photo}])
    client.force_login(editor)
    change_photo(client, photo, focal_x="0.2", caption="Chú thích mặc định mới")
    assert not Version.objects.get_for_object(article).exists()


def test_restoring_a_story_never_writes_back_the_shared_library_photo(client, editor):
    photo = make_photo(credit="Ảnh: Minh Anh", alt_text="Cầu Long Biên")
    other = make_photo(credit="Ảnh: Hải Đăng", alt_text="Phố cổ")
    article = make_article("Cầu Long Biên", blocks=[{"photo": photo, "caption": "Cầu"}])
    neighbour = make_article("Bài khác dùng ảnh", blocks=[{"photo": photo}])
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    first = Version.objects.get_for_object(article).first()
    change_photo(client, photo, credit="Ảnh: Lan Anh")
    # The story's figure now shows another photo of the library.
    assert post_form(client, article, **{"figures-0-photo": str(other.pk)}).status_code == 302
    assert article.figures.get().photo == other

    assert restore(client, article, first).status_code == 302
    article.refresh_from_db()
    figure = article.figures.get()
    assert (figure.photo, figure.caption) == (photo, "Cầu"), "the story is as it was"
    photo.refresh_from_db()
    assert photo.credit == "Ảnh: Lan Anh", "the library keeps its credit"
    assert neighbour.figures.get().credit == "Ảnh: Lan Anh"
    other.refresh_from_db()
    assert (other.credit, other.alt_text) == ("Ảnh: Hải Đăng", "Phố cổ"), "nor is it deleted"


def test_the_history_diff_lists_a_storys_authors_and_topics_by_name_in_order(client, editor):
    mai = Author.objects.create(name="Trần Mai")
    an = Author.objects.create(name="Lê An")
    traffic = Topic.objects.create(name="Giao thông")
    tet = Topic.objects.create(name="Tết")
    article = make_article("Đường phố ngày Tết")
    article.authors.set([mai])
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    response = post_form(
        client, article, authors=[str(mai.pk), str(an.pk)], topics=[str(tet.pk), str(traffic.pk)]
    )
    assert response.status_code == 302, errors_of(response)
    _newest, response = newest_change_page(client, article)
    page = response.content.decode()
    assert "<del>-tác giả: Trần Mai</del>" in page
    assert "<ins>+tác giả: Lê An, Trần Mai</ins>" in page, "in the order readers see them"
    assert "<del>-chủ đề: </del>" in page
    assert "<ins>+chủ đề: Giao thông, Tết</ins>" in page


def test_a_photo_file_replaced_in_the_library_shows_in_the_storys_history(client, editor):
    photo = make_photo(credit="Ảnh: Minh Anh")
    article = make_article("Một bài có ảnh", blocks=[{"photo": photo}])
    old_name = photo.image.name
    client.force_login(editor)
    change_photo(client, photo, image=png_upload("moi.png", color=(10, 120, 30)))
    photo.refresh_from_db()
    assert photo.image.name != old_name
    _newest, response = newest_change_page(client, article)
    page = response.content.decode()
    assert f"<del>-  ảnh: {old_name}</del>" in page
    assert f"<ins>+  ảnh: {photo.image.name}</ins>" in page


def test_a_photo_change_saves_each_storys_version_in_a_bounded_number_of_queries(
    client, editor, django_assert_max_num_queries
):
    photo = make_photo(credit="Ảnh: Minh Anh")
    stories = [
        make_article(blocks=["Đoạn.", {"photo": photo}, "Đoạn hai.", {"photo": photo}])
        for _ in range(3)
    ]
    client.force_login(editor)
    for story in stories:
        assert post_form(client, story).status_code == 302
    url = f"{PHOTOS_URL}{photo.pk}/change/"
    data = {**form_data(client.get(url), form_id="photo_form"), "credit": "Ảnh: Lan Anh"}
    with django_assert_max_num_queries(QUERIES_FOR_THREE_STORIES):
        assert client.post(url, data).status_code == 302
    assert all(Version.objects.get_for_object(story).count() == 2 for story in stories)


def test_a_story_whose_versions_kept_no_photo_fields_still_shows_a_library_change(client, editor):
    photo = make_photo(credit="Ảnh: Minh Anh")
    article = make_article("Bài có phiên bản cũ", blocks=[{"photo": photo}])
    client.force_login(editor)
    assert post_form(client, article).status_code == 302
    # As a figure's version was kept before the photo's fields were: Django's JSON alone.
    figure_version = Version.objects.get(
        revision=Version.objects.get_for_object(article).get().revision,
        content_type__model="figure",
    )
    data = json.loads(figure_version.serialized_data)
    data[0].pop("photo_as_shown")
    figure_version.serialized_data, figure_version.format = json.dumps(data), "json"
    figure_version.save()

    change_photo(client, photo, credit="Ảnh: Lan Anh")
    comments = [v.revision.comment for v in Version.objects.get_for_object(article)]
    assert len(comments) == 3 and "Như trước khi" in comments[1], "a version as it stood first"
    _newest, response = newest_change_page(client, article)
    page = response.content.decode()
    assert "<del>-  nguồn ảnh: Ảnh: Minh Anh</del>" in page
    assert "<ins>+  nguồn ảnh: Ảnh: Lan Anh</ins>" in page
