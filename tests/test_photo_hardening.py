"""Photos as a phone or a camera sends them: metadata, orientation, odd shapes, and the cost
of a save with many of them."""

import errno
import io
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from PIL import ExifTags, Image, ImageCms

from articles import renditions
from articles.admin import PhotoAdmin
from articles.models import Photo

from .admin_forms import PHOTO_ADD_URL, photo_data
from .factories import make_article, png_upload

RED, BLUE = (220, 20, 20), (20, 20, 220)


def camera_jpeg(size=(400, 300), orientation=1, icc_profile=None):
    """A JPEG as a phone writes it: EXIF with GPS, camera and artist, top half red, bottom
    half blue as the sensor read it, and the orientation to show it with."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0], size[1] // 2))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS R5"
    exif[ExifTags.Base.Artist] = "Nguyen Van Anh"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (21.0, 2.0, 47.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (105.0, 49.0, 10.0),
    }
    buffer = io.BytesIO()
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    image.save(buffer, "JPEG", exif=exif, comment=b"Nguyen Van Anh, Ho Tay", **extra)
    return buffer.getvalue()


def post_photo(client, content, name="IMG_0001.JPG", **fields):
    """Upload a photo into the library, as the photo form (or a photo block's "+") does."""
    image = SimpleUploadedFile(name, content, "image/jpeg")
    data = photo_data(image, caption="Chú thích của phóng viên", **fields)
    return client.post(PHOTO_ADD_URL, data)


def stored_bytes(figure):
    with default_storage.open(figure.image.name) as file:
        return file.read()


def test_the_camera_exif_is_really_in_the_upload_these_tests_send():
    with Image.open(io.BytesIO(camera_jpeg())) as image:
        exif = image.getexif()
        assert exif[ExifTags.Base.Make] == "Canon"
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"


def test_a_stored_photo_keeps_no_gps_position_camera_or_author(
    client, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_photo(client, camera_jpeg()).status_code == 302
    stored = stored_bytes(Photo.objects.get())
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "comment" not in image.info and "xmp" not in image.info
    for secret in (b"Exif", b"Canon", b"EOS R5", b"Nguyen Van Anh"):
        assert secret not in stored


def test_a_photo_keeps_its_colour_profile(client, editor):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    client.force_login(editor)
    assert post_photo(client, camera_jpeg(icc_profile=profile)).status_code == 302
    with Image.open(io.BytesIO(stored_bytes(Photo.objects.get()))) as image:
        assert image.info["icc_profile"] == profile


def test_a_turned_phone_photo_is_stored_upright_and_its_renditions_fit_it(
    client, editor, django_capture_on_commit_callbacks
):
    # The sensor's 4000×3000, which the phone says to turn a quarter clockwise (6).
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_photo(client, camera_jpeg((4000, 3000), orientation=6))
    assert response.status_code == 302
    figure = Photo.objects.get()
    assert (figure.image_width, figure.image_height) == (3000, 4000)
    with Image.open(io.BytesIO(stored_bytes(figure))) as image:
        assert image.size == (3000, 4000)
        assert ExifTags.Base.Orientation not in image.getexif()
        # The top of the scene (red) is now on the right, as the phone showed it.
        assert image.getpixel((2900, 2000))[0] > 200 and image.getpixel((100, 2000))[2] > 200
    made = {}
    for width in renditions.WIDTHS:
        with default_storage.open(renditions.rendition_name(figure.image.name, width)) as file:
            made[width] = Image.open(file).size
    assert made == {480: (480, 640), 800: (800, 1067), 1200: (1200, 1600)}


def test_a_turned_photo_gets_no_rendition_wider_than_it_shows(
    client, editor, django_capture_on_commit_callbacks
):
    # 900×600 as stored, 600×900 as shown: an 800-wide copy would be an enlargement.
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_photo(client, camera_jpeg((900, 600), orientation=8)).status_code == 302
    figure = Photo.objects.get()
    assert (figure.image_width, figure.image_height) == (600, 900)
    assert renditions.widths_for(figure) == [480]
    assert default_storage.exists(renditions.rendition_name(figure.image.name, 480))
    assert not default_storage.exists(renditions.rendition_name(figure.image.name, 800))


@pytest.mark.parametrize("size", [(1000, 1), (1, 1000), (1100, 100)])
def test_a_photo_thinner_than_one_to_ten_is_refused_and_the_form_kept(client, editor, size):
    buffer = io.BytesIO()
    Image.new("RGB", size, RED).save(buffer, "PNG")
    client.force_login(editor)
    response = post_photo(client, buffer.getvalue(), name="duong-ke.png")
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"Ảnh có kích thước {size[0]}×{size[1]} điểm ảnh; cạnh dài chỉ được dài gấp tối đa "
        "10 lần cạnh ngắn." in page
    )
    assert "Chú thích của phóng viên" in page
    assert not Photo.objects.exists()


def test_a_photo_of_one_to_ten_is_accepted(client, editor):
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 100), RED).save(buffer, "PNG")
    client.force_login(editor)
    assert post_photo(client, buffer.getvalue(), name="toan-canh.png").status_code == 302
    assert (Photo.objects.get().image_width, Photo.objects.get().image_height) == (1000, 100)


def test_an_animated_gif_is_refused_with_a_message(client, editor):
    frames = [Image.new("RGB", (60, 40), colour) for colour in (RED, BLUE, (20, 200, 20))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    client.force_login(editor)
    response = post_photo(client, buffer.getvalue(), name="dong.gif")
    assert response.status_code == 200
    assert "Không nhận ảnh động; hãy tải lên một ảnh tĩnh." in response.content.decode()
    assert not Photo.objects.exists()


@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "GIF"])
def test_other_formats_are_stored_in_their_format_without_metadata_and_with_transparency(
    client, editor, image_format
):
    image = Image.new("RGBA" if image_format != "GIF" else "P", (120, 80))
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Nguyen Van Anh"
    buffer = io.BytesIO()
    options = {"exif": exif} if image_format != "GIF" else {"transparency": 0}
    image.save(buffer, image_format, **options)
    client.force_login(editor)
    response = post_photo(client, buffer.getvalue(), name=f"anh.{image_format.lower()}")
    assert response.status_code == 302
    stored = stored_bytes(Photo.objects.get())
    assert b"Nguyen Van Anh" not in stored
    with Image.open(io.BytesIO(stored)) as saved:
        assert saved.format == image_format
        assert dict(saved.getexif()) == {}
        assert saved.mode == "RGBA" or "transparency" in saved.info


# Files of a save that fails ----------------------------------------------------------


class FillingUp:
    """An upload whose disk fills up after ``room`` more bytes: the write fails part-way."""

    def __init__(self, content, room):
        self.content, self.room = content, room

    def chunks(self, chunk_size=None):
        for chunk in self.content.chunks(1000):
            if self.room < len(chunk):
                raise OSError(errno.ENOSPC, "No space left on device")
            self.room -= len(chunk)
            yield chunk


class DiskFillingUp(FileSystemStorage):
    """The media folder on a disk with ``ROOM`` bytes left for the whole test."""

    ROOM = 45_000  # a noisy 120×90 PNG is about 30 kB
    saved = []

    def _save(self, name, content):
        upload = FillingUp(content, DiskFillingUp.room)
        try:
            name = super()._save(name, upload)
        finally:
            DiskFillingUp.room = upload.room
        DiskFillingUp.saved.append(name)
        return name


@pytest.fixture
def full_disk(settings):
    DiskFillingUp.room, DiskFillingUp.saved = DiskFillingUp.ROOM, []
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.DiskFillingUp"}}


def noisy_png(size=(120, 90)):
    """A PNG of some kilobytes that does not compress: it takes a few writes to store."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 80).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def photo_post(n):
    """The photo form of a noisy PNG, with its caption and credit."""
    image = SimpleUploadedFile(f"anh-{n}.png", noisy_png(), "image/png")
    return photo_data(image, alt_text=f"Ảnh {n}", caption=f"Chú thích ảnh {n}", credit="Ảnh: An")


def files_in(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_the_fake_disk_really_fills_up_part_way_through_the_second_photo(full_disk, media_root):
    from django.core.files.base import ContentFile

    first, second = noisy_png(), noisy_png()
    assert len(first) < DiskFillingUp.ROOM < len(first) + len(second)
    default_storage.save("a.png", ContentFile(first))
    with pytest.raises(OSError):
        default_storage.save("b.png", ContentFile(second))
    assert 0 < (media_root / "b.png").stat().st_size < len(second), "Django leaves it truncated"


def test_a_full_disk_is_a_clear_error_the_text_is_kept_and_no_file_is_left(
    client, editor, full_disk, media_root
):
    client.force_login(editor)
    assert client.post(PHOTO_ADD_URL, photo_post(0)).status_code == 302
    kept = files_in(media_root)
    response = client.post(PHOTO_ADD_URL, photo_post(1))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kho lưu ảnh đã đầy nên chưa có gì được lưu." in page
    assert "Chú thích ảnh 1" in page and "Ảnh: An" in page, "what was typed comes back"
    assert list(Photo.objects.values_list("caption", flat=True)) == ["Chú thích ảnh 0"]
    assert len(DiskFillingUp.saved) == 1, "the first photo was stored, the second did not fit"
    assert files_in(media_root) == kept, "the truncated photo is not left behind"


def test_a_save_that_rolls_back_after_its_photos_were_stored_leaves_no_file(
    client, editor, media_root
):
    client.force_login(editor)
    client.raise_request_exception = False
    with mock.patch.object(
        PhotoAdmin, "log_addition", side_effect=IntegrityError("a row that breaks the save")
    ):
        response = client.post(PHOTO_ADD_URL, photo_post(0))
    assert response.status_code == 500
    assert not Photo.objects.exists()
    assert files_in(media_root) == []


def test_a_save_that_succeeds_keeps_its_photos(client, editor, media_root):
    client.force_login(editor)
    for n in range(2):
        assert client.post(PHOTO_ADD_URL, photo_post(n)).status_code == 302
    names = {str(media_root / figure.image.name) for figure in Photo.objects.all()}
    assert len(names) == 2 and {str(p) for p in files_in(media_root / "figures")} == names


def test_a_rendition_that_fills_the_disk_leaves_no_truncated_file_and_is_made_later(
    db, media_root, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        article = make_article(
            blocks=[
                {"image": SimpleUploadedFile("a.png", noisy_png((1000, 600))), "alt_text": "Ảnh"}
            ]
        )
    figure = article.figures.get().photo
    DiskFillingUp.room = 1500
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.DiskFillingUp"}}
    with pytest.raises(OSError):
        renditions.make_for(figure.pk, figure.image.name)
    assert files_in(media_root / "renditions") == []
    figure.refresh_from_db()
    assert figure.rendition_widths == ""
    DiskFillingUp.room = 10**9
    assert renditions.make_for(figure.pk, figure.image.name) == [480, 800]
    # Two widths, and the 16:9 and square crops.
    assert len(files_in(media_root / "renditions")) == 2 + 2


# Photos stored before uploads were cleaned -------------------------------------------


def test_photos_stored_with_metadata_are_rewritten_without_it_and_turned_upright(
    db, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(
            blocks=[
                # Stored as uploads were: as sent, metadata and all.
                {"image": SimpleUploadedFile("a.jpg", camera_jpeg((1600, 1200))), "alt_text": "A"},
                {
                    "image": SimpleUploadedFile("b.jpg", camera_jpeg((1600, 900), orientation=6)),
                    "alt_text": "B",
                },
                {"image": png_upload(size=(1000, 500)), "alt_text": "Sạch"},
            ]
        )
    kept, turned, clean = (figure.photo for figure in article.figures.all())
    clean_bytes = stored_bytes(clean)
    assert b"Canon" in stored_bytes(kept) and (turned.image_width, turned.image_height) == (
        1600,
        900,
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("strip_photo_metadata")
    assert "Rewrote 2 photo(s) without metadata; 1 turned upright." in capsys.readouterr().out

    kept.refresh_from_db()
    turned.refresh_from_db()
    for figure in (kept, turned):
        data = stored_bytes(figure)
        assert b"Canon" not in data and b"Nguyen Van Anh" not in data
    assert stored_bytes(clean) == clean_bytes, "a photo with nothing to hide is left as it is"
    assert kept.rendition_widths == "480 800 1200"
    assert (turned.image_width, turned.image_height) == (900, 1600)
    assert turned.rendition_widths == "480 800"
    with default_storage.open(renditions.rendition_name(turned.image.name, 800)) as file:
        assert Image.open(file).size == (800, 1422)
    assert not default_storage.exists(renditions.rendition_name(turned.image.name, 1200))
