"""While the database is unreachable readers get a 503 page; then the site recovers by itself."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from articles import freshness

REAL_EXECUTE = CursorWrapper._execute


def database_down_for(queries, error=OperationalError):
    """Patch the cursor so that the next ``queries`` queries fail as an unreachable server's do."""
    failures = iter(range(queries))

    def execute(cursor, *args, **kwargs):
        if next(failures, None) is not None:
            raise error("server closed the connection unexpectedly")
        return REAL_EXECUTE(cursor, *args, **kwargs)

    return mock.patch.object(CursorWrapper, "_execute", execute)


@pytest.fixture
def reader():
    # As a real server would: an error becomes a page, not an exception in the test.
    return Client(raise_request_exception=False)


def assert_is_the_503_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert '<header class="site-header">' in page, "the page is in the site's design"
    assert "Tạm thời gián đoạn" in page
    assert "Xin vui lòng thử lại sau một phút." in page
    assert "Traceback" not in page and "OperationalError" not in page


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_reader_gets_a_503_page_while_the_database_is_down_then_the_article(reader, seed, error):
    freshness.last_modified()  # Warm: the first query is the view's own.
    with database_down_for(1, error):
        assert_is_the_503_page(reader.get(seed.get_absolute_url()))
    response = reader.get(seed.get_absolute_url())
    assert response.status_code == 200
    assert seed.title in response.content.decode()


def test_an_outage_met_before_the_view_is_a_503_page_too(reader, seed):
    # With a cold cache, the page cache asks the database first (for scheduled articles).
    with database_down_for(1):
        assert_is_the_503_page(reader.get("/"))
    assert reader.get("/").status_code == 200


def test_a_longer_outage_answers_503_to_every_reader_until_it_ends(reader, seed):
    freshness.last_modified()
    urls = ["/", seed.get_absolute_url(), "/tim-kiem/?q=tay+ho", "/rss/", "/sitemap.xml"]
    with database_down_for(10_000):
        for url in urls:
            assert_is_the_503_page(reader.get(url))
    for url in urls:
        assert reader.get(url).status_code == 200, url


def test_the_503_page_is_not_kept_by_the_page_cache(reader, seed):
    freshness.last_modified()
    with database_down_for(1):
        reader.get("/")
    home = reader.get("/")
    assert home.status_code == 200
    assert seed.title in home.content.decode()


def test_other_errors_still_get_the_500_page(reader, seed):
    with mock.patch("articles.views.render_article", side_effect=ValueError("a bug")):
        response = reader.get(seed.get_absolute_url())
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in response.content.decode()


def test_the_connection_is_checked_before_it_is_reused(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
