"""The page shown to a locked-out login (django-axes calls ``lockout``)."""

from django.conf import settings
from django.shortcuts import render


def lockout(request, original_response=None, credentials=None):
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = max(1, round(cooloff.total_seconds() / 60))
    response = render(
        request,
        "lockout.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response
