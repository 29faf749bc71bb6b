import pytest
from django.core.management import call_command

from .admin_forms import editor, reporter  # noqa: F401  (the newsroom's two roles)
from .browsers import browser  # noqa: F401  (the end-to-end tests' Chromium)
from .factories import make_article, make_category  # noqa: F401
from .live import editor_account, server_env  # noqa: F401  (fixtures for live servers)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``needs_postgres`` or ``needs_redis`` skip, saying why, unless
    ``DATABASE_URL`` is PostgreSQL or ``CACHE_URL`` is Redis (`.ci/run` gives both)."""
    from django.conf import settings

    missing = {}
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        missing["needs_postgres"] = "needs DATABASE_URL on PostgreSQL"
    if not str(settings.CACHES["default"].get("LOCATION", "")).startswith(("redis:", "rediss:")):
        missing["needs_redis"] = "needs CACHE_URL on Redis"
    for item in items:
        for marker, reason in missing.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached (the cache may be a shared Redis)."""
    from django.core.cache import cache

    from articles import most_read
    from articles.cache import fragments, version

    def forget():
        cache.clear()
        version.copies.clear()
        fragments.store.clear()
        most_read.shown.clear()

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes its uploads to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def seed(db):
    """The Tây Hồ story and everything its page links to, from the project's fixture."""
    call_command("loaddata", "tay_ho", verbosity=0)
    from articles.models import Article

    return Article.objects.get(
        slug="quan-tay-ho-chu-dong-vuot-kho-hoan-thanh-xuat-sac-cac-phong-trao-thi-dua"
    )
