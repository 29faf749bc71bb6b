"""The site's URLs plus one fixed response: the floor of any Django page here."""

from django.http import HttpResponse
from django.urls import include, path

BODY = b"<!DOCTYPE html><title>ok</title><p>ok</p>"


def minimal(request):
    return HttpResponse(BODY)


urlpatterns = [
    path("bench/minimal/", minimal),
    path("", include("newsroom.urls")),
]
