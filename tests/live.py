"""Live servers for tests: gunicorn processes with production settings, and browsers for them.

Used where the test database and the cache can be shared between processes:
PostgreSQL and Redis (`.ci/run` runs the suite on them).
"""

import atexit
import contextlib
import functools
import http.cookiejar
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection

from .admin_forms import form_data

ROOT = Path(__file__).resolve().parent.parent
EDITOR, PASSWORD = "tongbientap", "mật-khẩu-dài-2025"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def editor_account(transactional_db, settings):
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
        "CACHE_URL": os.environ.get("CACHE_URL", "locmemcache://"),
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


def new_site(tmp_path, **settings):
    """A site as a new user would run it: production settings (DEBUG off) on a fresh SQLite
    file, migrated, with the seed story, an editor and static files; returns its environment.
    ``settings`` are further environment variables."""
    template = site_template()
    # Collected once, read only: every new site serves the same files.
    env = site_env(tmp_path / "db.sqlite3", template / "static", **settings)
    source = sqlite3.connect(template / "db.sqlite3")
    copy = sqlite3.connect(tmp_path / "db.sqlite3")
    with contextlib.closing(source), contextlib.closing(copy):
        source.backup(copy)
    return env


def site_env(database, static_root, **settings):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "false",
        "HTTPS": "false",  # plain HTTP on loopback
        "SECRET_KEY": "live-test-only-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
        # One server process, so its in-memory cache is the whole site's cache.
        "CACHE_URL": "locmemcache://",
        "MEDIA_ROOT": str(database.parent / "media"),
        "STATIC_ROOT": str(static_root),
        "DJANGO_SUPERUSER_USERNAME": EDITOR,
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "DJANGO_SUPERUSER_EMAIL": "tongbientap@example.vn",
        **settings,
    }


@functools.cache
def site_template():
    """The folder of one site set up as a new user sets it up (migrated SQLite file with the
    seed story and the editor, static files collected), made once per test process and
    copied by ``new_site``: setting it up again cost each test seconds."""
    folder = Path(tempfile.mkdtemp(prefix="newsroom-site-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    env = site_env(folder / "db.sqlite3", folder / "static")
    for command in (
        ["migrate", "--noinput"],
        ["loaddata", "tay_ho"],
        ["createsuperuser", "--noinput"],
        ["collectstatic", "--noinput"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v0"], cwd=ROOT, env=env, check=True
        )
    return folder


def start_servers(env, count, workers=1, threads=1, log=None):
    """Start ``count`` gunicorn processes; yields their base URLs, stops them after.

    Their standard error goes to ``log`` (a path) if given, else to a temporary file: a
    pipe that nobody reads would fill up and stop the servers."""
    started = []
    for _ in range(count):
        port = free_port()
        errors = open(log, "a+b") if log else tempfile.TemporaryFile()  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "-b", f"127.0.0.1:{port}"]
            + ["-w", str(workers), "--threads", str(threads), "--timeout", "60"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        started.append((process, f"http://127.0.0.1:{port}", errors))
    try:
        for process, base, errors in started:
            wait_until_up(process, base, errors)
        yield [base for _, base, _ in started]
    finally:
        for process, _, errors in started:
            process.terminate()
            process.wait(timeout=10)
            errors.close()


running_servers = contextlib.contextmanager(start_servers)


def wait_until_up(process, base, errors, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors.seek(0)
            raise RuntimeError(errors.read().decode())
        try:
            urllib.request.urlopen(f"{base}/robots.txt", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{base} did not start")


@contextlib.contextmanager
def redis_of_its_own(tmp_path):
    """A redis-server of the test's own on a free port, never the shared one; yields its URL
    and a function that stops it. Skips where redis-server or the redis package is missing."""
    if not shutil.which("redis-server"):
        pytest.skip("not installed: redis-server")
    pytest.importorskip("redis", reason="not installed: redis (the production extra)")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def stop():
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)

    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0", stop
    finally:
        stop()


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
