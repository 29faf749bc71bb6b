"""Production settings plus the bench-only URLconf (the minimal-view baseline)."""

from newsroom.settings import *  # noqa: F403
from newsroom.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"

# Whether the site has a page cache on this branch; the bench reports it.
PAGE_CACHE_MIDDLEWARE = [name for name in MIDDLEWARE if "cach" in name.lower()]
