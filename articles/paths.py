"""The addresses of the readers' pages that take no arguments: home, all news, the feed,
search. Each is reversed once per process, for it changes only with the URLconf, the
script prefix or the language, and every page's masthead and footer link to them."""

import functools

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


def fixed_path(viewname):
    """``reverse(viewname)``, for a view whose address takes no arguments."""
    return _reversed(viewname, get_resolver(get_urlconf()), get_script_prefix(), get_language())


@functools.lru_cache(maxsize=64)
def _reversed(viewname, resolver, prefix, language):
    return reverse(viewname)
