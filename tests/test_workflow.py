"""The editors' workflow: who may write, send to review, publish, schedule and unpublish."""

from datetime import timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Photo

from .admin_forms import (
    ADD_URL,
    LIST_URL,
    change_url,
    empty_inlines,
    errors_of,
    form_data,
    new_article_data,
    post_form,
    run_action,
)
from .factories import make_article, png_upload

PHOTO_ADD_URL = "/admin/articles/photo/add/"


def test_a_reporter_writes_a_draft_with_text_and_a_photo_reorders_it_and_sends_it_to_review(
    client, reporter
):
    client.force_login(reporter)
    # The photo goes into the library first (in place, from the photo block's "+").
    response = client.post(
        PHOTO_ADD_URL,
        {
            "image": png_upload(),
            "alt_text": "Sen hồng trên mặt hồ",
            "caption": "Sen Hồ Tây buổi sớm.",
            "credit": "Ảnh: Minh Anh",
            "focal_x": "0.5",
            "focal_y": "0.5",
        },
    )
    assert response.status_code == 302, errors_of(response)
    photo = Photo.objects.get()
    assert (photo.uploaded_by, photo.image_width, photo.image_height) == (reporter, 64, 48)
    data = new_article_data(
        **empty_inlines(richtexts=2, figures=1),
        **{"richtexts-0-ordering": "10", "richtexts-0-text": "<p>Đoạn thứ nhất.</p>"},
        **{"richtexts-1-ordering": "30", "richtexts-1-text": "<p>Đoạn thứ hai.</p>"},
        **{"figures-0-ordering": "20", "figures-0-photo": str(photo.pk), "figures-0-caption": ""},
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(title="Hồ Tây mùa sen")
    assert article.slug == "ho-tay-mua-sen"
    assert (article.status, article.created_by, article.updated_by) == ("draft", reporter, reporter)
    assert [b.kind for b in article.body()] == ["text", "figure", "text"]
    figure = article.figures.get()
    # Left empty, the caption is the photo's own; credit and alt text are the photo's.
    assert (figure.caption, figure.credit, figure.alt_text) == (
        "Sen Hồ Tây buổi sớm.",
        "Ảnh: Minh Anh",
        "Sen hồng trên mặt hồ",
    )

    # The photo goes first (content-editor posts the order it shows), numbered 10, 20, 30.
    data = form_data(client.get(change_url(article)))
    data["figures-0-ordering"] = "5"
    data["status"] = "review"
    response = client.post(change_url(article), data)
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.status == "review"
    assert [(b.kind, b.ordering) for b in article.body()] == [
        ("figure", 10),
        ("text", 20),
        ("text", 30),
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
    run_action(client, "publish", article)
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

    run_action(client, "unpublish", live)
    live.refresh_from_db()
    assert live.status == Article.Status.DRAFT
    assert client.get(live.get_absolute_url()).status_code == 404
    assert Version.objects.get_for_object(live).first().revision.get_comment() == "Đã gỡ xuống"


def test_the_publish_action_dates_an_undated_article_and_leaves_an_audit_trail(client, editor):
    article = make_article("Chưa có giờ", status=Article.Status.REVIEW, published_at=None)
    client.force_login(editor)
    run_action(client, "publish", article)
    article.refresh_from_db()
    assert article.is_visible
    entry = article_log(article).first()
    assert (entry.user, entry.change_message) == (editor, "Đã xuất bản")


def article_log(article):

    return LogEntry.objects.filter(object_id=str(article.pk)).order_by("-action_time")


def test_the_two_roles_have_exactly_the_permissions_they_need(db):
    def codenames(group):
        return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))

    blocks = {
        f"{verb}_{model}"
        for model in ("richtext", "figure", "quote", "embed", "storycard", "relatedlink")
        for verb in ("add", "change", "delete", "view")
    }
    reporter = {"add_article", "change_article", "view_article", "view_category", *blocks}
    # Reporters choose authors and topics, may add a topic, and use the photo library.
    reporter |= {"view_author", "view_topic", "add_topic", "view_correction"}
    reporter |= {"add_photo", "change_photo", "view_photo"}
    assert codenames("Phóng viên") == reporter
    assert codenames("Biên tập viên") == reporter | {
        "delete_article",
        "publish_article",
        "add_category",
        "change_category",
        *(f"{verb}_correction" for verb in ("add", "change", "delete", "view")),
        "add_author",
        "change_author",
        "change_topic",
        "delete_topic",
        "view_frontpage",
        "change_frontpage",
        "delete_photo",
        # Editors make partners' keys to the API and revoke them (never delete them).
        "add_apikey",
        "change_apikey",
        "view_apikey",
    }


def test_the_body_is_shown_to_readers_in_the_order_the_reporter_set(client, reporter):
    article = make_article(
        "Thứ tự đoạn",
        status=Article.Status.DRAFT,
        created_by=reporter,
        blocks=["Đoạn đầu tiên.", "Đoạn thứ hai.", {"caption": "Ảnh cuối."}],
    )
    client.force_login(reporter)
    data = form_data(client.get(change_url(article)))
    # Move the photo to the top and swap the two paragraphs.
    data.update({"figures-0-ordering": "1", "richtexts-0-ordering": "3"})
    data["richtexts-1-ordering"] = "2"
    assert client.post(change_url(article), data).status_code == 302
    page = client.get(f"{LIST_URL}{article.pk}/preview/").content.decode()
    assert page.index("Ảnh cuối.") < page.index("Đoạn thứ hai.") < page.index("Đoạn đầu tiên.")
