"""The PostgreSQL backend (newsroom/postgresql): a health check with no round trip,
prepared statements for the article page and times read in C."""

import datetime
import time
from unittest import mock

import pytest
from django.db import connection, connections
from django.utils import timezone

# The default install has no PostgreSQL driver: `make test` alone must still run.
pytest.importorskip("psycopg", reason="needs the postgres extra (psycopg)")

from django.db.backends.postgresql.psycopg_any import BaseTzLoader  # noqa: E402

from newsroom.postgresql.base import time_loader  # noqa: E402

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


def prepared_statements(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_article_pages_statement_is_planned_once_per_connection(client, seed):
    for _ in range(3):
        assert seed.title in client.get(seed.get_absolute_url()).content.decode()
    client.get("/tim-kiem/?q=tay+ho")
    # One statement reads the article, its section and its body.
    [prepared] = prepared_statements(connection)
    assert all(table in prepared for table in ("category", "textblock", "figure")), prepared


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
    for _ in range(3):
        with kept_connection.prepared_cursor() as cursor:
            cursor.execute("SELECT %s::int + 1", [41])
            assert cursor.fetchone() == (42,)
    assert prepared_statements(kept_connection) == []


TIMES = [
    "2026-12-03 01:02:03.456789+07",  # a Hanoi time, read as UTC
    "2026-12-03 00:00:00+00",
    "1900-01-01 00:00:00+07:05:50",  # local mean time, an offset in seconds
    "9999-12-31 23:59:59.999999+00",
]


def read_times(wrapper, values):
    with wrapper.cursor() as cursor:
        cursor.execute(
            "SELECT t::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS v(t, n) ORDER BY n",
            [values],
        )
        return [row[0] for row in cursor.fetchall()]


def djangos_reading(wrapper, values):
    """What Django's own loader makes of the same values, on the same connection."""

    class DjangosLoader(BaseTzLoader):
        timezone = wrapper.timezone

    wrapper.connection.adapters.register_loader("timestamptz", DjangosLoader)
    try:
        return read_times(wrapper, values)
    finally:
        wrapper.connection.adapters.register_loader("timestamptz", time_loader(wrapper.timezone))


def test_times_are_read_as_djangos_loader_reads_them(kept_connection):
    read = read_times(kept_connection, TIMES)
    assert read == djangos_reading(kept_connection, TIMES)
    assert [t.tzinfo for t in read] == [datetime.UTC] * len(TIMES)
    assert read[0] == datetime.datetime(2026, 12, 2, 18, 2, 3, 456789, tzinfo=datetime.UTC)


def failure(read):
    try:
        read()
    except Exception as error:
        return type(error), str(error)
    pytest.fail("the time was read")


@pytest.mark.parametrize(
    ("date_style", "value"),
    [
        ("ISO", "infinity"),
        ("ISO", "0044-03-15 12:00:00+00 BC"),
        ("SQL, DMY", "2026-12-03 01:02:03+07"),  # which psycopg cannot read either
    ],
)
def test_a_time_it_cannot_read_fails_as_with_djangos_loader(kept_connection, date_style, value):
    with kept_connection.cursor() as cursor:
        cursor.execute(f"SET DateStyle = '{date_style}'")
    ours = failure(lambda: read_times(kept_connection, [value]))
    assert ours == failure(lambda: djangos_reading(kept_connection, [value]))


def test_a_model_reads_aware_times_in_utc(db):
    from .factories import make_article

    article = make_article(published_at=timezone.now().replace(microsecond=0))
    read = type(article).objects.get(pk=article.pk)
    assert read.published_at == article.published_at and read.published_at.tzinfo is datetime.UTC
