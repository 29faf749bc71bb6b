"""A photo file chosen in the library's form (or the window the "+" of a story's photo block
opens) is kept across a form error, for its editor only, and pruned when no save takes it."""

from datetime import timedelta
from io import StringIO

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from articles import kept_photos
from articles.kept_photos import FIELD, PENDING_DIR
from articles.models import Photo

from .admin_forms import PHOTO_ADD_URL, photo_data
from .admin_forms import form_data as article_form_data
from .factories import png_upload

POPUP_URL = f"{PHOTO_ADD_URL}?_to_field=id&_popup=1"
POPUP = {"_popup": "1", "_to_field": "id"}
KEPT_NOTE = "Ảnh “ho-guom.png” bạn đã chọn vẫn được giữ"


def form_data(response):
    return article_form_data(response, "photo_form")


def pending():
    if not default_storage.exists(PENDING_DIR):
        return []
    return default_storage.listdir(PENDING_DIR)[1]


def test_a_photo_refused_for_its_alt_text_is_kept_and_saved_without_choosing_it_again(
    client, editor
):
    client.force_login(editor)
    chosen = png_upload("ho-guom.png", size=(90, 60), color=(10, 120, 30))
    refused = client.post(POPUP_URL, {**photo_data(chosen, alt_text=""), **POPUP})
    page = refused.content.decode()
    assert refused.status_code == 200 and 'class="errornote"' in page
    assert KEPT_NOTE in page
    assert 'name="image"' in page and 'name="image" required' not in page  # the box may stay empty
    token = form_data(refused)[FIELD]
    assert len(pending()) == 1 and not Photo.objects.exists()

    assert form_data(refused)["_popup"] == "1"
    data = {**photo_data("", alt_text="Hồ Gươm"), **POPUP, FIELD: token}
    del data["image"]
    saved = client.post(POPUP_URL, data)
    assert saved.status_code == 200
    photo = Photo.objects.get()
    assert photo.alt_text == "Hồ Gươm" and (photo.image_width, photo.image_height) == (90, 60)
    assert "data-popup-response" in saved.content.decode()  # the window hands it to the story
    assert pending() == []


def test_a_new_choice_wins_over_the_kept_photo(client, editor):
    client.force_login(editor)
    refused = client.post(PHOTO_ADD_URL, photo_data(png_upload("ho-guom.png"), alt_text=""))
    token = form_data(refused)[FIELD]
    again = photo_data(png_upload("xanh.png", size=(40, 30)), alt_text="Ảnh xanh")
    assert client.post(PHOTO_ADD_URL, {**again, FIELD: token}).status_code == 302
    assert (Photo.objects.get().image_width, Photo.objects.get().image_height) == (40, 30)


def test_a_kept_photo_is_only_for_its_editor_and_a_bad_file_is_not_kept(client, editor):
    client.force_login(editor)
    refused = client.post(PHOTO_ADD_URL, photo_data(png_upload("ho-guom.png"), alt_text=""))
    token = form_data(refused)[FIELD]
    # Its editor, refused again, keeps it by the same token.
    again = client.post(PHOTO_ADD_URL, {**photo_data("", alt_text=""), FIELD: token})
    assert form_data(again)[FIELD] == token and KEPT_NOTE in again.content.decode()

    other = User.objects.create_superuser("thuky", password="mật-khẩu-dài-2025")
    client.force_login(other)
    stolen = client.post(PHOTO_ADD_URL, {**photo_data("", alt_text="Lấy"), FIELD: token})
    assert stolen.status_code == 200 and FIELD not in form_data(stolen)
    assert "bạn đã chọn vẫn được giữ" not in stolen.content.decode()
    forged = client.post(
        PHOTO_ADD_URL, {**photo_data("", alt_text="Giả"), FIELD: token[:-2] + "xx"}
    )
    assert FIELD not in form_data(forged)
    assert not Photo.objects.exists() and len(pending()) == 1

    fake = SimpleUploadedFile("anh.png", b"<svg onload=alert(1)>", content_type="image/png")
    refused = client.post(PHOTO_ADD_URL, photo_data(fake, alt_text=""))
    assert refused.status_code == 200 and FIELD not in form_data(refused)
    assert len(pending()) == 1


def test_kept_photos_no_save_took_are_pruned(client, editor):
    client.force_login(editor)
    client.post(PHOTO_ADD_URL, photo_data(png_upload("ho-guom.png"), alt_text=""))
    assert len(pending()) == 1
    out = StringIO()
    call_command("prune_autosaves", stdout=out)
    assert out.getvalue().strip() == "Deleted 0 autosave(s) and 0 kept photo(s)."
    assert kept_photos.prune(timezone.now() + timedelta(seconds=5)) == 1
    assert pending() == []
