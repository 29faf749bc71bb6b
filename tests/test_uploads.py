"""Photo uploads into the library: checked by Pillow before anything is stored."""

import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from articles.models import Photo
from articles.uploads import check_image

from .admin_forms import PHOTO_ADD_URL, change_url, photo_data
from .factories import make_article, png_upload


def jpeg_bytes(size=(80, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(name, content, content_type="image/jpeg"):

    return SimpleUploadedFile(name, content, content_type=content_type)


NOT_A_PHOTO = "Tệp không phải là ảnh mở được, hoặc đã bị hỏng."
BAD_UPLOADS = {
    "text renamed .jpg": (lambda: upload("anh.jpg", "Không phải ảnh".encode() * 50), NOT_A_PHOTO),
    "truncated jpeg": (lambda: upload("anh.jpg", jpeg_bytes((400, 300))[:-400]), NOT_A_PHOTO),
    "over the pixel limit": (
        lambda: upload("anh.png", png_upload(size=(1200, 1000)).read()),
        "Ảnh có 1200×1000 điểm ảnh; chỉ nhận tối đa 1 triệu điểm ảnh.",
    ),
    "svg": (
        lambda: upload("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        NOT_A_PHOTO,
    ),
}


@pytest.mark.parametrize(("bad", "message"), BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_a_bad_photo_is_refused_with_a_form_error_and_nothing_is_kept(
    client, editor, settings, media_root, bad, message
):
    settings.FIGURE_MAX_PIXELS = 1_000_000
    client.force_login(editor)
    data = photo_data(bad(), caption="Chú thích giữ lại")
    response = client.post(PHOTO_ADD_URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist' in page and message in page
    assert "Chú thích giữ lại" in page, "what the editor typed comes back"
    assert not Photo.objects.exists()
    assert not list(media_root.rglob("*.*")) if media_root.exists() else True


def test_a_photo_without_alt_text_is_refused(client, editor):
    client.force_login(editor)
    response = client.post(PHOTO_ADD_URL, photo_data(png_upload(), alt_text=""))
    assert response.status_code == 200
    assert not Photo.objects.exists()


def test_a_photo_is_stored_under_a_generated_name_with_its_real_format(client, editor):
    client.force_login(editor)
    data = photo_data(upload("../../etc/passwd.gif", jpeg_bytes()))
    assert client.post(PHOTO_ADD_URL, data).status_code == 302
    name = Photo.objects.get().image.name
    assert name.startswith("figures/") and name.endswith(".jpg") and "passwd" not in name


def test_the_edit_page_shows_a_thumbnail_of_each_photo(client, editor):
    article = make_article(blocks=[{"image": png_upload(), "alt_text": "Sen", "caption": "Sen"}])
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert f'src="{article.figures.get().image.url}"' in page
    assert 'class="figure-thumbnail"' in page


def image_bytes(image_format, size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 160, 40)).save(buffer, image_format)
    return buffer.getvalue()


def png_claiming_size(width, height):
    """A tiny PNG whose header claims ``width`` × ``height``: a decompression bomb's shape."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    # The IHDR chunk follows the 8-byte signature: length, type, width, height..., CRC.
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


@pytest.mark.parametrize(
    ("image_format", "extension"),
    [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif")],
)
def test_each_accepted_format_passes_and_takes_the_extension_of_its_real_format(
    image_format, extension
):
    stored = check_image(SimpleUploadedFile("tai-len.bin", image_bytes(image_format)))
    assert stored.name == f"photo.{extension}"
    assert stored.tell() == 0, "the file is ready for storing"
    with Image.open(stored) as image:
        assert image.format == image_format


def test_a_format_we_do_not_serve_is_refused_by_name(settings):
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        check_image(SimpleUploadedFile("anh.jpg", image_bytes("BMP")))
    assert refused.value.messages == [
        "Không nhận tệp BMP; hãy tải lên ảnh JPEG, PNG, WebP hoặc GIF."
    ]


def test_a_file_over_the_byte_limit_is_refused_before_it_is_decoded(settings):
    settings.FIGURE_MAX_BYTES = 1000
    photo = SimpleUploadedFile("anh.png", image_bytes("PNG", (300, 300)) + b"\0" * 1000)
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        check_image(photo)
    assert refused.value.code == "too_large"
    assert "ảnh chỉ được tối đa 1000" in refused.value.messages[0]


def test_an_image_over_the_pixel_limit_is_refused_with_its_size(settings):
    settings.FIGURE_MAX_PIXELS = 2_000_000
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        check_image(SimpleUploadedFile("anh.png", png_claiming_size(3000, 1000)))
    assert refused.value.code == "too_many_pixels"
    assert "3000×1000" in refused.value.messages[0]


def test_a_decompression_bomb_is_refused_without_being_decoded():
    bomb = SimpleUploadedFile("bom.png", png_claiming_size(50_000, 50_000))
    assert bomb.size < 100
    with pytest.raises(ValidationError) as refused:
        check_image(bomb)
    assert refused.value.code == "too_many_pixels"


def test_a_decompression_bomb_posted_to_the_admin_leaves_nothing_behind(client, editor, media_root):
    client.force_login(editor)
    data = photo_data(SimpleUploadedFile("bom.png", png_claiming_size(50_000, 50_000)))
    response = client.post(PHOTO_ADD_URL, data)
    assert response.status_code == 200
    assert "Ảnh quá lớn để mở an toàn." in response.content.decode()
    assert not Photo.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))
