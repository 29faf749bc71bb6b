"""Two application servers behind one PostgreSQL and one Redis act as one site.

Starts two gunicorn processes on free 127.0.0.1 ports with production settings,
edits through one and reads through the other. Runs where the suite itself runs
on PostgreSQL and Redis (`.ci/run` does), and skips elsewhere.
"""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from articles.models import Article

from .admin_forms import form_data
from .factories import png_upload

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "mật-khẩu-dài-2025"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql"
        or "redis" not in settings.CACHES["default"]["BACKEND"].lower(),
        reason="needs DATABASE_URL on PostgreSQL and CACHE_URL on Redis",
    ),
    pytest.mark.django_db(transaction=True),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def editor_account(settings):
    """A superuser whose password the servers, with production hashers, can check."""
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    User.objects.create_superuser("tongbientap", password=PASSWORD)
    return "tongbientap", PASSWORD


@pytest.fixture
def server_env(tmp_path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": "two-servers-test-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CACHE_URL": os.environ["CACHE_URL"],
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env


@pytest.fixture
def servers(server_env):
    """Two gunicorn processes, A and B, each on its own port."""
    started = []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "newsroom.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
            ],
            cwd=ROOT,
            env=server_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append((process, f"http://127.0.0.1:{port}"))
    try:
        for process, base in started:
            wait_until_up(process, base)
        yield [base for _, base in started]
    finally:
        for process, _ in started:
            process.terminate()
            process.wait(timeout=10)


def wait_until_up(process, base, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode())
        try:
            urllib.request.urlopen(f"{base}/robots.txt", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{base} did not start")


class Browser:
    """One person's browser: cookies kept across both servers (same host, any port)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url):
        with self.opener.open(url, timeout=10) as response:
            return Page(response.status, response.read(), response.geturl())

    def post(self, url, fields, files=None):
        body, content_type = encode_multipart(fields, files or {})
        request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
        with self.opener.open(request, timeout=10) as response:
            return Page(response.status, response.read(), response.geturl())


class Page:
    def __init__(self, status, content, url):
        self.status_code, self.content, self.url = status, content, url

    @property
    def text(self):
        return self.content.decode()


def encode_multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for name, upload in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{upload.name}"\r\nContent-Type: {upload.content_type}\r\n\r\n'
            ).encode()
            + upload.read()
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def log_in(browser, base, username, password):
    login = browser.get(f"{base}/admin/login/")
    fields = form_data(login, form_id="login-form")
    fields.update(username=username, password=password, next="/admin/")
    return browser.post(f"{base}/admin/login/", fields)


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

    change = f"/admin/articles/article/{story.pk}/change/"
    fields = form_data(editor.get(f"{b}{change}"))
    fields["figures-0-alt_text"] = "Hội nghị tổng kết"
    editor.post(f"{b}{change}", fields, files={"figures-0-image": png_upload(size=(900, 600))})

    figure = story.figures.get(position=1)
    assert figure.image, "the upload through B was saved"
    assert (Path(server_env["MEDIA_ROOT"]) / figure.image.name).exists()
    page_on_a = Browser().get(f"{a}{story.get_absolute_url()}").text
    assert figure.image.url in page_on_a
