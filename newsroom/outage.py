"""A database that is briefly unreachable gets readers a 503 page, not a stack trace.

Nothing has to be restarted afterwards: the failed connection is dropped here,
and ``CONN_HEALTH_CHECKS`` makes the next request check a reused connection
before trusting it, so the site answers again as soon as the database does.
"""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s", exception, exc_info=exception)
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        return unavailable(request)


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
