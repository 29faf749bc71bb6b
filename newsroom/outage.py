"""A database that is briefly unreachable gets readers a 503 page, not a stack trace.

Nothing has to be restarted afterwards: Django drops a connection that failed
when the request ends, and ``CONN_HEALTH_CHECKS`` makes the next request check
a reused connection before trusting it, so the site answers again as soon as
the database does.

``server_error`` is the project's ``handler500``, rather than a middleware's
``process_exception``: that hook sees only errors raised by views, and the page
cache's middleware asks the database too when it is cold. Django logs the error
as usual before it gets here.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def server_error(request, *args, **kwargs):
    if isinstance(sys.exception(), OUTAGE_ERRORS):
        return unavailable(request)
    return defaults.server_error(request, *args, **kwargs)


def unavailable(request):
    try:
        # The page must not need the database: the menu of sections is left out.
        body = render_to_string("503.html", {"nav_sections": []}, request=request)
    except Exception:  # The page itself must never turn a 503 into a 500.
        logger.exception("The 503 page could not be rendered")
        body = _("The site is briefly unavailable. Please try again in a minute.")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
