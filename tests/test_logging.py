"""Every 500 leaves its traceback on the server's standard error, and in Sentry when
``SENTRY_DSN`` is set; the site's own warnings are written there too."""

import gzip
import http.server
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from .live import ROOT, free_port, new_site, running_servers

BROKEN_URLS = """
from django.urls import include, path


def broken(request):
    raise RuntimeError("the press jammed on page 7")


urlpatterns = [path("hong/", broken), path("", include("newsroom.urls"))]
handler500 = "newsroom.resilience.server_error"
"""
BROKEN_SETTINGS = """
from newsroom.settings import *  # noqa

ROOT_URLCONF = "broken_urls"
"""


@pytest.fixture
def broken_site(tmp_path):
    """A new site with production settings and one page that raises."""
    (tmp_path / "broken_urls.py").write_text(BROKEN_URLS)
    (tmp_path / "broken_settings.py").write_text(BROKEN_SETTINGS)
    env = new_site(tmp_path)
    env.update(
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
        DJANGO_SETTINGS_MODULE="broken_settings",
    )
    env.pop("SENTRY_DSN", None)
    return env, tmp_path / "server.log"


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_500_under_gunicorn_writes_its_traceback_to_standard_error(broken_site):
    env, log = broken_site
    with running_servers(env, 1, log=log) as (base,):
        status, html = get(f"{base}/hong/")
        assert status == 500
        assert "the press jammed" not in html, "readers never see the exception"
        time.sleep(0.5)  # the worker's last line reaches the file
    written = log.read_text()
    assert "ERROR django.request" in written
    assert "Internal Server Error: /hong/" in written
    assert "Traceback (most recent call last)" in written
    assert "RuntimeError: the press jammed on page 7" in written


def test_the_sites_own_warnings_are_written_to_standard_error_and_404s_are_not(broken_site):
    env, _ = broken_site
    script = (
        "import django, logging; django.setup()\n"
        "from django.test import Client\n"
        "Client().get('/khong-co-trang-nay/')\n"
        "logging.getLogger('articles.cache.redis').warning('Redis is unreachable: from the db')\n"
        "logging.getLogger('articles.publishing').info('an ordinary day')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING articles.cache.redis" in result.stderr
    assert "Redis is unreachable: from the db" in result.stderr
    assert "an ordinary day" not in result.stderr
    assert "khong-co-trang-nay" not in result.stderr


class SentryServer(http.server.ThreadingHTTPServer):
    """Stands in for Sentry: keeps the envelopes it is sent."""

    def __init__(self):
        self.envelopes = []
        self.received = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(handler):
                body = handler.rfile.read(int(handler.headers["Content-Length"]))
                if handler.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                elif handler.headers.get("Content-Encoding") == "br":
                    body = pytest.importorskip("brotli").decompress(body)
                self.envelopes.append(body.decode(errors="replace"))
                self.received.set()
                handler.send_response(200)
                handler.end_headers()

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", free_port()), Handler)


def test_a_500_is_sent_to_sentry_when_sentry_dsn_is_set(broken_site):
    pytest.importorskip("sentry_sdk", reason='not installed: sentry-sdk (pip install ".[sentry]")')
    env, log = broken_site
    sentry = SentryServer()
    threading.Thread(target=sentry.serve_forever, daemon=True).start()
    try:
        env["SENTRY_DSN"] = f"http://publickey@127.0.0.1:{sentry.server_address[1]}/42"
        with running_servers(env, 1, log=log) as (base,):
            assert get(f"{base}/hong/")[0] == 500
            assert sentry.received.wait(15), "nothing reached Sentry"
    finally:
        sentry.shutdown()
        sentry.server_close()
    event = next(e for e in sentry.envelopes if "the press jammed" in e)
    assert "RuntimeError" in event
    assert "/hong/" in event


def test_the_site_refuses_to_start_when_sentry_dsn_is_set_and_sentry_sdk_is_missing(
    broken_site, tmp_path
):
    env, _ = broken_site
    missing = tmp_path / "without_sentry"
    missing.mkdir()
    (missing / "sentry_sdk.py").write_text("raise ImportError('No module named sentry_sdk')\n")
    env["PYTHONPATH"] = os.pathsep.join([str(missing), env["PYTHONPATH"]])
    env["SENTRY_DSN"] = "https://publickey@sentry.example.vn/42"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert 'SENTRY_DSN is set but sentry-sdk is not installed: pip install ".[sentry]"' in (
        result.stderr
    )
