import pytest
from django.core.management import call_command

from .admin_forms import editor, reporter  # noqa: F401  (the newsroom's two roles)
from .factories import make_article, make_category  # noqa: F401
from .live import editor_account, server_env  # noqa: F401  (fixtures for live servers)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached (the cache may be a shared Redis)."""
    from django.core.cache import cache

    from articles.cache import fragments, version

    def forget():
        cache.clear()
        version.copies.clear()
        fragments.store.clear()

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
