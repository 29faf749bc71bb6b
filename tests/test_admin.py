"""The editors' desk, driven through the admin's real URLs as reporters and editors use it."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from articles.models import Article, Figure, RelatedLink

from .admin_forms import form_data
from .factories import make_article, make_category, png_upload

ADD_URL = "/admin/articles/article/add/"
LIST_URL = "/admin/articles/article/"


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def member(username, group):
    user = User.objects.create_user(username, password="mật-khẩu-dài-2025", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(db):
    return member("phongvien", "Phóng viên")


@pytest.fixture
def editor(db):
    return member("bientap", "Biên tập viên")


def empty_inlines(**totals):
    data = {}
    for prefix in ("textblocks", "figures", "related_links"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(totals.get(prefix, 0)),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def new_article_data(title="Hồ Tây mùa sen", status="draft", **fields):
    return {
        "title": title,
        "slug": "",
        "sapo": "Sen nở kín mặt hồ.",
        "category": "",
        "byline": "Minh Anh",
        "status": status,
        **empty_inlines(),
        **fields,
    }


def post_form(client, article, **changes):
    """Open the article's edit page and post it back with ``changes``."""
    data = form_data(client.get(change_url(article)))
    data.update(changes)
    return client.post(change_url(article), data)


def errors_of(response):
    return str(response.context["errors"]) if response.context else ""


# Writing and the workflow -------------------------------------------------------------


def test_a_reporter_writes_a_draft_with_text_and_a_photo_reorders_it_and_sends_it_to_review(
    client, reporter
):
    client.force_login(reporter)
    data = new_article_data(
        **empty_inlines(textblocks=2, figures=1),
        **{"textblocks-0-position": "1", "textblocks-0-text": "Đoạn thứ nhất."},
        **{"textblocks-1-position": "3", "textblocks-1-text": "Đoạn thứ hai."},
        **{
            "figures-0-position": "2",
            "figures-0-image": png_upload(),
            "figures-0-alt_text": "Sen hồng trên mặt hồ",
            "figures-0-caption": "Sen Hồ Tây buổi sớm.",
            "figures-0-credit": "Ảnh: Minh Anh",
        },
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(title="Hồ Tây mùa sen")
    assert article.slug == "ho-tay-mua-sen"
    assert (article.status, article.created_by, article.updated_by) == ("draft", reporter, reporter)
    assert [b.kind for b in article.body()] == ["text", "figure", "text"]
    figure = article.figures.get()
    assert figure.image.name.endswith(".png") and (figure.image_width, figure.image_height) == (
        64,
        48,
    )

    # The photo goes first: positions are what the editor typed, renumbered 1..n.
    data = form_data(client.get(change_url(article)))
    data["figures-0-position"] = "0"
    data["status"] = "review"
    response = client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.status == "review"
    assert [(b.kind, b.position) for b in article.body()] == [
        ("figure", 1),
        ("text", 2),
        ("text", 3),
    ]


def test_a_reporter_is_not_offered_publish_and_a_crafted_post_is_refused(client, reporter):
    article = make_article("Bản nháp của phóng viên", status=Article.Status.REVIEW)
    client.force_login(reporter)
    page = client.get(change_url(article)).content.decode()
    assert 'value="published"' not in page
    response = post_form(client, article, status="published")
    assert response.status_code == 200
    assert "published" in errors_of(response) or "hợp lệ" in errors_of(response)
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_a_reporter_cannot_change_a_published_article_even_with_a_crafted_post(client, reporter):
    article = make_article("Bài đã đăng")
    client.force_login(reporter)
    page = client.get(change_url(article)).content.decode()
    assert 'name="_save"' not in page, "a published article is read-only for reporters"
    response = client.post(
        change_url(article), {**new_article_data("Sửa lén"), "opened_version": "1"}
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Bài đã đăng"


def test_a_reporter_cannot_run_the_publish_actions(client, reporter):
    article = make_article("Chờ duyệt", status=Article.Status.REVIEW)
    client.force_login(reporter)
    page = client.get(LIST_URL).content.decode()
    assert 'value="publish"' not in page
    client.post(LIST_URL, {"action": "publish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_an_editor_publishes_schedules_and_unpublishes(client, editor):
    in_review = make_article("Chờ duyệt", status=Article.Status.REVIEW, published_at=None)
    later = make_article("Hẹn giờ", status=Article.Status.DRAFT, published_at=None)
    live = make_article("Đang hiển thị")
    client.force_login(editor)

    response = post_form(client, in_review, status="published")
    assert response.status_code == 302, errors_of(response)
    in_review.refresh_from_db()
    assert in_review.is_visible and in_review.published_at <= timezone.now()
    assert client.get(in_review.get_absolute_url()).status_code == 200

    tomorrow = timezone.localtime() + timedelta(days=1)
    response = post_form(
        client,
        later,
        status="published",
        published_at_0=tomorrow.strftime("%d/%m/%Y"),
        published_at_1=tomorrow.strftime("%H:%M:%S"),
    )
    assert response.status_code == 302, errors_of(response)
    later.refresh_from_db()
    assert later.status == "published" and not later.is_visible
    assert client.get(later.get_absolute_url()).status_code == 404
    assert later in Article.objects.published(at=tomorrow + timedelta(minutes=1))

    client.post(LIST_URL, {"action": "unpublish", "_selected_action": [live.pk]})
    live.refresh_from_db()
    assert live.status == Article.Status.DRAFT
    assert client.get(live.get_absolute_url()).status_code == 404
    assert Version.objects.get_for_object(live).first().revision.get_comment() == "Đã gỡ xuống"


def test_the_publish_action_dates_an_undated_article_and_leaves_an_audit_trail(client, editor):
    article = make_article("Chưa có giờ", status=Article.Status.REVIEW, published_at=None)
    client.force_login(editor)
    client.post(LIST_URL, {"action": "publish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.is_visible
    entry = article_log(article).first()
    assert (entry.user, entry.change_message) == (editor, "Đã xuất bản")


def article_log(article):
    from django.contrib.admin.models import LogEntry

    return LogEntry.objects.filter(object_id=str(article.pk)).order_by("-action_time")


# Photos --------------------------------------------------------------------------------


def jpeg_bytes(size=(80, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(name, content, content_type="image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


BAD_UPLOADS = {
    "text renamed .jpg": lambda: upload("anh.jpg", "Không phải ảnh".encode() * 50),
    "truncated jpeg": lambda: upload("anh.jpg", jpeg_bytes((400, 300))[:-400]),
    "over the pixel limit": lambda: upload("anh.png", png_upload(size=(1200, 1000)).read()),
    "svg": lambda: upload("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
}


@pytest.mark.parametrize("bad", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_a_bad_photo_is_refused_with_a_form_error_and_nothing_is_kept(
    client, editor, settings, media_root, bad
):
    settings.FIGURE_MAX_PIXELS = 1_000_000
    client.force_login(editor)
    data = new_article_data(
        "Bài có ảnh hỏng",
        **empty_inlines(figures=1),
        **{
            "figures-0-position": "1",
            "figures-0-image": bad(),
            "figures-0-alt_text": "Ảnh",
            "figures-0-caption": "Chú thích giữ lại",
        },
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist' in page
    assert "Chú thích giữ lại" in page, "what the editor typed comes back"
    assert not Article.objects.filter(title="Bài có ảnh hỏng").exists()
    assert not Figure.objects.exists()
    assert not list(media_root.rglob("*.*")) if media_root.exists() else True


def test_a_photo_without_alt_text_is_refused(client, editor):
    client.force_login(editor)
    data = new_article_data(
        **empty_inlines(figures=1),
        **{"figures-0-position": "1", "figures-0-image": png_upload(), "figures-0-alt_text": ""},
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert not Figure.objects.exists()


def test_a_photo_is_stored_under_a_generated_name_with_its_real_format(client, editor):
    client.force_login(editor)
    data = new_article_data(
        **empty_inlines(figures=1),
        **{
            "figures-0-position": "1",
            "figures-0-image": upload("../../etc/passwd.gif", jpeg_bytes()),
            "figures-0-alt_text": "Ảnh",
        },
    )
    assert client.post(ADD_URL, data).status_code == 302
    name = Figure.objects.get().image.name
    assert name.startswith("figures/") and name.endswith(".jpg") and "passwd" not in name


def test_the_edit_page_shows_a_thumbnail_of_each_photo(client, editor):
    article = make_article(blocks=[{"image": png_upload(), "alt_text": "Sen", "caption": "Sen"}])
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert f'src="{article.figures.get().image.url}"' in page
    assert 'class="figure-thumbnail"' in page


# No lost updates and history ----------------------------------------------------------


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
    data["textblocks-0-text"] = "Đoạn B."
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
    assert [(b.kind, getattr(b, "text", None) or b.caption) for b in article.body()] == [
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
