"""The addresses of the readers' pages, each reversed once per process.

Django's ``reverse`` costs more than the rest of a headline's link, and a page links to
the same addresses (home, all news, the feed, its section, the article itself) wherever
it is rendered. An address changes only with its view's arguments, the URLconf, the
script prefix or the language, all of which are in the key it is kept under.
"""

import functools

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


def path_to(viewname, *args, **kwargs):
    """``reverse(viewname, args=args, kwargs=kwargs)``, remembered."""
    return _reversed(
        viewname,
        args,
        tuple(kwargs.items()),
        get_resolver(get_urlconf()),
        get_script_prefix(),
        get_language(),
    )


@functools.lru_cache(maxsize=4096)
def _reversed(viewname, args, kwargs, resolver, prefix, language):
    return reverse(viewname, args=args, kwargs=dict(kwargs))
