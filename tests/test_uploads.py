"""Photo uploads in the figure block: checked by Pillow before anything is stored."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Article, Figure

from .admin_forms import ADD_URL, change_url, empty_inlines, new_article_data
from .factories import make_article, png_upload


def jpeg_bytes(size=(80, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(name, content, content_type="image/jpeg"):

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
