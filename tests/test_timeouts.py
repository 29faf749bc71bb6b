"""A hung or locked database gives the 503 page within seconds instead of tying up every
worker until gunicorn kills it; commands that run long are not cut short."""

import os
import runpy
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from unittest import mock

import pytest
from django.db import OperationalError, connection, transaction
from django.db.utils import ConnectionHandler

from newsroom.resilience import is_outage

from .admin_forms import form_data
from .live import EDITOR, PASSWORD, ROOT, Browser, log_in, new_site, running_servers

STORY = "/tin-tuc/quan-tay-ho-chu-dong-vuot-kho-hoan-thanh-xuat-sac-cac-phong-trao-thi-dua-1.html"
# What a test allows beyond a configured timeout: starting Python, a page's other work.
LEEWAY = 5


def settings_from_environment(**env):
    """The settings module's values when it is read with ``env`` added to the environment."""
    with mock.patch.dict(os.environ, env):
        return runpy.run_path(str(ROOT / "newsroom" / "settings.py"))


def fetch(url, **kwargs):
    """Status, headers and text of a request, whatever its status; and how long it took."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60, **kwargs) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return status, headers, body.decode(), time.monotonic() - started


# Which processes are bounded -----------------------------------------------------------


def test_the_web_process_bounds_statements_and_lock_waits_and_commands_do_not():
    url = "postgres://newsroom@db.example.vn:5432/newsroom"
    web = settings_from_environment(
        DATABASE_URL=url,
        DATABASE_TIMEOUTS="true",
        DATABASE_STATEMENT_TIMEOUT="7",
        DATABASE_LOCK_TIMEOUT="2.5",
    )["DATABASES"]["default"]["OPTIONS"]
    assert web["options"] == "-c statement_timeout=7000 -c lock_timeout=2500"
    assert web["connect_timeout"] == 5

    command = settings_from_environment(DATABASE_URL=url, DATABASE_TIMEOUTS="false")
    assert "options" not in command["DATABASES"]["default"]["OPTIONS"]
    assert command["DATABASES"]["default"]["OPTIONS"]["connect_timeout"] == 5


def test_on_sqlite_the_web_process_waits_for_a_writer_a_few_seconds_and_commands_longer():
    web = settings_from_environment(DATABASE_URL="sqlite:///x.sqlite3", DATABASE_TIMEOUTS="true")
    assert web["DATABASES"]["default"]["OPTIONS"]["timeout"] == 5
    command = settings_from_environment(DATABASE_URL="sqlite:///x.sqlite3", DATABASE_TIMEOUTS="")
    assert command["DATABASES"]["default"]["OPTIONS"]["timeout"] == 20


def show_statement_timeout(code):
    """``SHOW statement_timeout`` in a new process on the test database, after ``code``."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "SECRET_KEY": "timeouts-test-key",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DATABASE_STATEMENT_TIMEOUT": "7",
    }
    env.pop("DATABASE_TIMEOUTS", None)
    script = (
        f"{code}\nfrom django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('SHOW statement_timeout')\n"
        "    print(cursor.fetchone()[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.needs_postgres
def test_on_postgresql_the_wsgi_entry_sets_the_statement_timeout_and_manage_py_does_not(db):
    assert show_statement_timeout("import newsroom.wsgi") == "7s"
    manage = "import sys; sys.argv = ['manage.py', 'check']; import django; django.setup()"
    assert show_statement_timeout(manage) == "0"


# What readers get -------------------------------------------------------------------------


@pytest.mark.needs_postgres
@pytest.mark.parametrize(
    ("statement", "lock"), [("2", "0"), ("20", "1")], ids=["statement", "lock"]
)
def test_a_locked_table_on_postgresql_gives_the_503_page_in_seconds_then_recovers(
    transactional_db, seed, server_env, statement, lock
):
    import psycopg

    env = {**server_env, "DATABASE_STATEMENT_TIMEOUT": statement, "DATABASE_LOCK_TIMEOUT": lock}
    env["CACHE_URL"] = "locmemcache://"  # nothing cached yet: the page needs the database
    bound = min(float(t) for t in (statement, lock) if float(t)) + LEEWAY
    db = connection.settings_dict
    with running_servers(env, 1, threads=2) as (base,):
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
        ) as other:
            other.execute("LOCK TABLE articles_article IN ACCESS EXCLUSIVE MODE")
            status, headers, html, seconds = fetch(base + seed.get_absolute_url())
            assert status == 503
            assert headers["Retry-After"] == "30"
            assert "Trang đang bận" in html
            assert seconds < bound, f"{seconds:.1f} s for timeouts of {statement} s, {lock} s"
            other.rollback()
        status, _, html, _ = fetch(base + seed.get_absolute_url())
        assert status == 200
        assert seed.title in html


@pytest.mark.needs_postgres
def test_is_outage_recognises_a_statement_cut_by_its_timeout(db):
    with (
        pytest.raises(OperationalError) as cut,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")
    assert is_outage(cut.value)


def test_a_database_server_that_accepts_but_never_answers_is_an_outage_within_the_timeout(db):
    pytest.importorskip("psycopg", reason="not installed: psycopg (the postgres extra)")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel accepts connections; nothing ever answers them
        port = silent.getsockname()[1]
        settings = settings_from_environment(
            DATABASE_URL=f"postgres://newsroom@127.0.0.1:{port}/newsroom",
            DATABASE_CONNECT_TIMEOUT="2",
        )
        hung = ConnectionHandler({"default": settings["DATABASES"]["default"]})["default"]
        started = time.monotonic()
        with pytest.raises(OperationalError) as failed:
            hung.ensure_connection()
        assert time.monotonic() - started < 2 + LEEWAY
        assert is_outage(failed.value)


def test_on_sqlite_a_held_write_lock_gives_the_editor_the_503_page_in_seconds(tmp_path):
    env = new_site(tmp_path, DATABASE_LOCK_TIMEOUT="1")
    change = "/admin/articles/article/1/change/"
    with running_servers(env, 1, threads=2) as (base,):
        editor = Browser()
        log_in(editor, base, EDITOR, PASSWORD)
        fields = form_data(editor.get(base + change))
        fields["title"] = "Quận Tây Hồ: bản sửa chờ khoá"

        writer = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # another process writing, for as long as it likes
        try:
            started = time.monotonic()
            with pytest.raises(urllib.error.HTTPError) as refused:
                editor.post(base + change, fields)
            assert time.monotonic() - started < 1 + LEEWAY
            assert refused.value.code == 503
            assert refused.value.headers["Retry-After"] == "30"
            assert "Trang đang bận" in refused.value.read().decode()
            # Readers never wait for a writer.
            status, _, html, _ = fetch(base + STORY)
            assert status == 200 and "Quận Tây Hồ" in html
        finally:
            writer.execute("ROLLBACK")
            writer.close()

        saved = editor.post(base + change, fields)
        assert "/change/" not in saved.url
        assert fields["title"] in Browser().get(base + STORY).text
