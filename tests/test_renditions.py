import re
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import Context, Template
from django_tasks_db.models import DBTaskResult
from PIL import Image

from articles import renditions
from articles.models import Article, Figure, Photo
from articles.tasks import make_renditions

from .admin_forms import (
    ADD_URL,
    PHOTO_ADD_URL,
    change_url,
    empty_inlines,
    form_data,
    new_article_data,
    photo_data,
)
from .factories import make_article, png_upload

PHOTOS_URL = "/admin/articles/photo/"

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PROCESSING = "Ảnh đang được xử lý: bạn đọc xem ảnh gốc cho đến khi các bản thu nhỏ được tạo xong."


@pytest.fixture
def figure_with(db, django_capture_on_commit_callbacks):
    """A figure with a photo of ``size``, saved and committed (so its renditions are made)."""

    def make(size, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            article = make_article(
                blocks=[{"image": png_upload(size=size), "alt_text": "Ảnh", **fields}]
            )
        return article.figures.get()

    return make


def test_an_uploaded_photo_gets_webp_renditions_of_each_smaller_width(figure_with):
    figure = figure_with((1600, 900))
    for width in (480, 800, 1200):
        name = renditions.rendition_name(figure.image.name, width)
        with default_storage.open(name) as file, Image.open(file) as image:
            assert image.format == "WEBP"
            assert image.size == (width, round(900 * width / 1600))
    assert figure.rendition_widths == "480 800 1200"


def test_renditions_are_made_once_the_save_is_committed_never_inside_it(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        article = make_article(blocks=[{"image": png_upload(size=(1000, 500)), "alt_text": "Ảnh"}])
        figure = article.figures.get()
        assert not default_storage.exists(renditions.rendition_name(figure.image.name, 480))
        assert renditions.widths_for(figure) == [] and renditions.pending(figure)
    # Renditions are the library photo's, whatever story shows it.
    assert [c.args for c in queued if getattr(c, "func", None) == make_renditions.enqueue] == [
        (figure.photo_id, figure.image.name)
    ]
    figure.refresh_from_db()
    assert renditions.widths_for(figure) == [480, 800] and not renditions.pending(figure)
    assert default_storage.exists(renditions.rendition_name(figure.image.name, 800))


def test_until_its_renditions_are_made_a_page_shows_the_photo_itself(db):
    article = make_article(blocks=[{"image": png_upload(size=(1600, 900)), "alt_text": "Ảnh"}])
    figure = article.figures.get()  # committed callbacks never ran: no renditions yet
    html = render_image(figure)
    assert f'src="{figure.image.url}"' in html and "srcset" not in html and ".webp" not in html
    assert 'width="1600" height="900"' in html


def test_a_photo_is_never_enlarged(figure_with):
    figure = figure_with((600, 400))
    assert renditions.widths_for(figure) == [480]
    assert not default_storage.exists(renditions.rendition_name(figure.image.name, 800))


def test_a_small_photo_is_served_as_it_is_and_waits_for_nothing(figure_with):
    figure = figure_with((300, 200))
    assert not renditions.pending(figure)
    html = render_image(figure)
    assert "srcset" not in html
    assert f'src="{figure.image.url}"' in html


def test_rendition_names_derive_from_the_original_and_stay_apart_from_uploads():
    assert (
        renditions.rendition_name("figures/2025/01/abc.png", 800)
        == "renditions/figures/2025/01/abc-800.webp"
    )


def render_image(figure):
    return Template("{% load news %}{% figure_image figure %}").render(Context({"figure": figure}))


def test_the_image_tag_has_srcset_sizes_dimensions_lazy_loading_and_alt(figure_with):
    figure = figure_with((1600, 900), alt_text='Hội nghị "thi đua" <2025>')
    html = render_image(figure)
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', html))
    stem = figure.image.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    assert attributes["src"].endswith(f"{stem}-1200.webp")
    assert [c.rsplit(" ", 1)[1] for c in attributes["srcset"].split(", ")] == [
        "480w",
        "800w",
        "1200w",
        "1600w",
    ]
    assert attributes["sizes"] == "(max-width: 46rem) 100vw, 46rem"
    assert (attributes["width"], attributes["height"]) == ("1600", "900")
    assert attributes["loading"] == "lazy"
    assert unescape(attributes["alt"]) == 'Hội nghị "thi đua" <2025>'
    assert "<2025>" not in html


@pytest.mark.parametrize("mode", ["P", "L", "RGBA"])
def test_renditions_are_made_from_palette_grey_and_transparent_photos(
    db, mode, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "photo.png"
    Image.new(mode, (900, 600)).save(path)
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(
            blocks=[
                {"image": SimpleUploadedFile("photo.png", path.read_bytes()), "alt_text": "Ảnh"}
            ]
        )
    figure = article.figures.get()
    assert default_storage.exists(renditions.rendition_name(figure.image.name, 800))


def test_the_article_page_shows_the_photo_with_its_renditions(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(
            blocks=[
                "Đoạn đầu.",
                {"image": png_upload(size=(1000, 500)), "alt_text": "Ảnh", "caption": "Chú thích"},
            ]
        )
    html = client.get(article.get_absolute_url()).content.decode()
    figure = html[html.index("<figure") : html.index("</figure>")]
    assert 'srcset="' in figure and "-480.webp 480w" in figure and "-800.webp 800w" in figure
    assert 'width="1000" height="500"' in figure
    assert "<figcaption>Chú thích</figcaption>" in figure


def test_a_task_for_a_photo_since_replaced_or_deleted_records_nothing(figure_with):
    figure = figure_with((1000, 500)).photo
    old_name = figure.image.name
    figure.image = png_upload(size=(900, 600))
    figure.save()  # its own task is never run here
    assert renditions.make_for(figure.pk, old_name) == []
    figure.refresh_from_db()
    assert figure.rendition_widths == "" and renditions.pending(figure)
    assert renditions.make_for(figure.pk + 1000, figure.image.name) == []


def test_photos_left_without_renditions_are_queued_again_by_a_command(db, capsys):
    waiting = make_article(blocks=[{"image": png_upload(size=(1000, 500)), "alt_text": "Ảnh"}])
    make_article(blocks=[{"image": png_upload(size=(300, 200)), "alt_text": "Nhỏ"}])
    call_command("queue_renditions")  # the tests' queue runs each task at once
    # The small photo needs no smaller copy, but its crops.
    assert "Queued the renditions of 2 photo(s)." in capsys.readouterr().out
    assert waiting.figures.get().rendition_widths == "480 800"
    call_command("queue_renditions")
    assert "Queued the renditions of 0 photo(s)." in capsys.readouterr().out


# The queue in the database, as in production -------------------------------------------


def upload_photos(client, count):
    """Upload ``count`` photos into the library; the response to the last one."""
    for n in range(count):
        image = png_upload(f"anh-{n}.png", size=(1600, 900))
        response = client.post(PHOTO_ADD_URL, photo_data(image, alt_text=f"Ảnh {n}"), follow=True)
    return response


def photo_article_data():
    """A new published article showing every photo of the library."""
    photos = list(Photo.objects.order_by("pk"))
    data = new_article_data(
        "Ảnh hội nghị", status="published", **empty_inlines(figures=len(photos))
    )
    for n, photo in enumerate(photos):
        data |= {f"figures-{n}-ordering": str(n + 1), f"figures-{n}-photo": str(photo.pk)}
    return data


def figure_html(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    return html[html.index("<figure") : html.index("</figure>")]


@pytest.mark.django_db(transaction=True)
def test_a_save_with_photos_queues_their_renditions_and_the_worker_makes_them(
    client, settings, media_root
):
    settings.TASKS = DATABASE_QUEUE
    client.force_login(User.objects.create_superuser("tongbientap", password="x"))
    response = upload_photos(client, 2)
    assert response.redirect_chain and response.status_code == 200
    assert PROCESSING in response.content.decode()
    assert client.post(ADD_URL, photo_article_data()).status_code == 302

    # Nothing was made in the request: two tasks wait for the worker.
    queued = DBTaskResult.objects.filter(task_path="articles.tasks.make_renditions")
    assert [task.status for task in queued] == ["READY", "READY"]
    assert not (media_root / "renditions").exists()
    article = Article.objects.get()
    first = figure_html(client, article)
    assert "srcset" not in first and f'src="{article.figures.first().image.url}"' in first
    assert PROCESSING in client.get(change_url(article)).content.decode()
    assert PROCESSING in client.get(PHOTOS_URL).content.decode()

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert [task.status for task in queued.all()] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert DBTaskResult.objects.count() == 2, "recording the renditions queues nothing more"
    for figure in Photo.objects.all():
        assert figure.rendition_widths == "480 800 1200"
        for width in (480, 800, 1200):
            assert default_storage.exists(renditions.rendition_name(figure.image.name, width))
    # The page readers get changed with the figures' record, cache or not.
    made = figure_html(client, article)
    assert all(f"-{width}.webp {width}w" in made for width in (480, 800, 1200))
    assert PROCESSING not in client.get(change_url(article)).content.decode()
    assert PROCESSING not in client.get(PHOTOS_URL).content.decode()


@pytest.mark.django_db(transaction=True)
def test_with_the_immediate_queue_the_renditions_exist_when_the_save_returns(client, media_root):
    client.force_login(User.objects.create_superuser("tongbientap", password="x"))
    response = upload_photos(client, 1)
    assert PROCESSING not in response.content.decode()
    assert client.post(ADD_URL, photo_article_data()).status_code == 302
    figure = Figure.objects.get()
    assert figure.rendition_widths == "480 800 1200"
    assert "-1200.webp 1200w" in figure_html(client, figure.article)


@pytest.mark.django_db(transaction=True)
def test_an_edit_that_keeps_the_photo_queues_no_new_work(client, settings):
    settings.TASKS = DATABASE_QUEUE
    client.force_login(User.objects.create_superuser("tongbientap", password="x"))
    upload_photos(client, 1)
    client.post(ADD_URL, photo_article_data())
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    article = Article.objects.get()
    data = form_data(client.get(change_url(article)))
    data["title"] = "Ảnh hội nghị (cập nhật)"
    assert client.post(change_url(article), data).status_code == 302
    assert DBTaskResult.objects.count() == 1
    assert Photo.objects.get().rendition_widths == "480 800 1200"
