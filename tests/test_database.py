"""The PostgreSQL backend (newsroom/postgresql): a health check with no round trip, for
any file descriptor, and Django's server-side binding that prepares the page's statements."""

import contextlib
import datetime
import os
import resource
import time
from unittest import mock

import pytest
from django.db import connection, connections
from django.utils import timezone

# The default install has no PostgreSQL driver: `make test` alone must still run.
pytest.importorskip("psycopg", reason="needs the postgres extra (psycopg)")

pytestmark = pytest.mark.needs_postgres


@pytest.fixture
def kept_connection(db):
    """A second connection to the test database, as a worker keeps one between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_the_site_uses_the_backend_whose_check_needs_no_round_trip(kept_connection):
    assert type(kept_connection).__module__ == "newsroom.postgresql.base"
    assert kept_connection.health_check_enabled


def asking_the_server(wrapper):
    """Count the cursors opened on ``wrapper``'s connection, as asking the server takes one."""
    asked = []
    real_cursor = wrapper.connection.cursor

    def cursor(*args, **kwargs):
        asked.append(True)
        return real_cursor(*args, **kwargs)

    return asked, mock.patch.object(wrapper.connection, "cursor", cursor)


def test_an_idle_connection_is_usable_without_asking_the_server(kept_connection):
    asked, counting = asking_the_server(kept_connection)
    with counting:
        assert kept_connection.is_usable()
    assert not asked


def test_a_connection_the_server_ended_is_dropped_and_the_next_request_reconnects(
    kept_connection,
):
    ended = kept_connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [ended])
    deadline = time.monotonic() + 5
    while kept_connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not kept_connection.is_usable()

    kept_connection.close_if_unusable_or_obsolete()  # what Django does as a request starts
    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != ended


def test_inside_a_transaction_the_check_asks_the_server(kept_connection):
    kept_connection.set_autocommit(False)
    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    asked, counting = asking_the_server(kept_connection)
    with counting:
        assert kept_connection.is_usable()
    assert asked
    kept_connection.rollback()
    kept_connection.set_autocommit(True)


@contextlib.contextmanager
def descriptors_below_taken(number):
    """Every free file descriptor below ``number`` held open, so the next one opened is
    ``number`` or above."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < number + 64:
        pytest.skip(f"this process may open only {hard} files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, number + 64), hard))
    held = []
    try:
        while (fd := os.open(os.devnull, os.O_RDONLY)) < number:
            held.append(fd)
        os.close(fd)
        yield
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_connection_on_a_descriptor_past_1023_is_checked_and_dropped_when_ended(db):
    with descriptors_below_taken(1100):
        wrapper = connections.create_connection("default")
        wrapper.ensure_connection()
    try:
        assert wrapper.connection.fileno() >= 1100
        asked, counting = asking_the_server(wrapper)
        with counting:
            assert wrapper.is_usable()
        assert not asked
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [wrapper.connection.info.backend_pid])
        deadline = time.monotonic() + 5
        while wrapper.is_usable() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not wrapper.is_usable()
    finally:
        wrapper.close()


def prepared_statements(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_article_pages_statement_is_prepared_once_it_is_read_a_few_times(
    client, seed, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(6):
        assert seed.title in client.get(seed.get_absolute_url()).content.decode()
    # One statement reads the article, its section and its body.
    prepared = [sql for sql in prepared_statements(connection) if "articles_richtext" in sql]
    assert len(prepared) == 1, prepared
    tables = ("category", "figure", "photo", "quote", "embed", "storycard")
    assert all(table in prepared[0] for table in tables), prepared


def test_a_prepared_statement_is_logged_and_counted_like_any_other(
    client, seed, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(seed.get_absolute_url())  # the pieces the page shares with others
    with django_assert_max_num_queries(1) as queries:
        client.get(seed.get_absolute_url())
    [sql] = [query["sql"] for query in queries.captured_queries]
    assert f"= {seed.pk}" in sql and "articles_figure" in sql, sql


def test_with_prepared_statements_turned_off_nothing_is_prepared(kept_connection):
    kept_connection.connection.prepare_threshold = None  # PREPARED_STATEMENTS=false
    for _ in range(8):
        with kept_connection.cursor() as cursor:
            cursor.execute("SELECT %s::int + 1", [41])
            assert cursor.fetchone() == (42,)
    assert prepared_statements(kept_connection) == []


def test_a_model_reads_aware_times_in_utc(db):
    from .factories import make_article

    article = make_article(published_at=timezone.now().replace(microsecond=0))
    read = type(article).objects.get(pk=article.pk)
    assert read.published_at == article.published_at and read.published_at.tzinfo is datetime.UTC
