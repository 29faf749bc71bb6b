"""Two application servers behind one PostgreSQL and one Redis act as one site.

Starts two gunicorn processes on free 127.0.0.1 ports with production settings,
edits through one and reads through the other. Runs where the suite itself runs
on PostgreSQL and Redis (`.ci/run` does), and skips elsewhere.
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article, Photo

from .admin_forms import form_data
from .factories import png_upload
from .live import Browser, log_in, start_servers

pytestmark = [
    pytest.mark.needs_postgres,
    pytest.mark.needs_redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def servers(server_env):
    """Two gunicorn processes, A and B, each on its own port."""
    yield from start_servers(server_env, 2)


def test_an_edit_through_one_server_is_served_by_the_other(servers, editor_account):
    a, b = servers
    call_command("loaddata", "tay_ho", verbosity=0)
    story = Article.objects.get(slug__startswith="quan-tay-ho")
    reader, editor = Browser(), Browser()

    assert story.title in reader.get(f"{b}{story.get_absolute_url()}").text  # now cached on B

    assert "/admin/login/" not in log_in(editor, a, *editor_account).url
    change = f"/admin/articles/article/{story.pk}/change/"
    fields = form_data(editor.get(f"{a}{change}"))
    fields["title"] = "Quận Tây Hồ tổng kết thi đua năm 2023"
    editor.post(f"{a}{change}", fields)

    served = reader.get(f"{b}{story.get_absolute_url()}").text
    assert "Quận Tây Hồ tổng kết thi đua năm 2023" in served


def test_a_session_and_an_upload_work_whichever_server_answers(servers, server_env, editor_account):
    a, b = servers
    call_command("loaddata", "tay_ho", verbosity=0)
    story = Article.objects.get(slug__startswith="quan-tay-ho")
    editor = Browser()
    log_in(editor, a, *editor_account)

    admin_on_b = editor.get(f"{b}/admin/")
    assert "/admin/login/" not in admin_on_b.url and "tongbientap" in admin_on_b.text.lower()

    # The photo goes into the library through B, and into the story through A.
    add = "/admin/articles/photo/add/"
    fields = form_data(editor.get(f"{b}{add}"), form_id="photo_form")
    fields |= {"alt_text": "Hội nghị tổng kết", "focal_x": "0.5", "focal_y": "0.5"}
    editor.post(f"{b}{add}", fields, files={"image": png_upload(size=(900, 600))})
    photo = Photo.objects.get()
    change = f"/admin/articles/article/{story.pk}/change/"
    fields = form_data(editor.get(f"{a}{change}"))
    fields["figures-0-photo"] = str(photo.pk)
    editor.post(f"{a}{change}", fields)

    figure = story.figures.get(ordering=10)
    assert figure.image, "the upload through B was saved"
    assert (Path(server_env["MEDIA_ROOT"]) / figure.image.name).exists()
    page_on_a = Browser().get(f"{a}{story.get_absolute_url()}").text
    assert figure.image.url in page_on_a
