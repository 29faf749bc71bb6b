"""When the database is briefly gone, readers get a page that says so, not a stack trace.

Django reconnects on the next request by itself (``CONN_HEALTH_CHECKS``), so the site
recovers as soon as the database answers again. The cache's outages never come this far:
the Redis cache answers a miss meanwhile and pages are rendered from the database
(``articles/cache/redis.py``); a Redis error from anywhere else is still answered here. This is
the site's ``handler500``: Django calls it while the failure is still being handled, from
whichever layer it came (a view, a middleware, a template).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as default_server_error

try:
    from redis.exceptions import ConnectionError as CacheUnreachable
    from redis.exceptions import TimeoutError as CacheTimeout

    CACHE_OUTAGES = (CacheUnreachable, CacheTimeout)
except ImportError:  # the embedded default has no Redis
    CACHE_OUTAGES = ()

RETRY_AFTER_SECONDS = 30

# What an unreachable, restarting or busy database says, as opposed to a bad query; a
# statement or lock wait cut short by its timeout (settings, DATABASE_TIMEOUTS) is busy too.
OUTAGE_SIGNS = (
    "connect",
    "server closed",
    "terminating",
    "shutting down",
    "locked",
    "unable to open",
    "statement timeout",
    "lock timeout",
)


def is_outage(exception):
    if isinstance(exception, (InterfaceError, *CACHE_OUTAGES)):
        return True
    message = str(exception).lower()
    return isinstance(exception, OperationalError) and any(s in message for s in OUTAGE_SIGNS)


def server_error(request, *args, **kwargs):
    if not is_outage(sys.exc_info()[1]):
        return default_server_error(request, *args, **kwargs)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
