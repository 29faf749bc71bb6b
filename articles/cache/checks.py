"""System checks of the site's own settings (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.caches, deploy=True)
def cache_shared_by_processes(app_configs, **kwargs):
    """A cache kept in each process's memory is not the site's cache under several workers."""
    if settings.CACHE_SHARED_BY_PROCESSES:
        return []
    return [
        CheckWarning(
            "The cache is kept in each process's memory "
            f"({settings.CACHES['default']['BACKEND']}), so the server's workers do not "
            "share it.",
            hint=(
                "Each worker would keep its own copy of every page; so that none serves a page "
                "older than an edit, the site's version is read from the database "
                "on every request. Set CACHE_URL=redis://HOST:6379/0 to share one cache "
                "between all workers and servers."
            ),
            id="articles.W001",
        )
    ]
