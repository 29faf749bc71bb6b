from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from articles import previews
from articles.api.endpoints import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("xem-truoc/<str:token>/", previews.shared_preview, name="shared-preview"),
    path("", include("articles.urls")),
]


def serve_media(request, path):
    # MEDIA_ROOT is read per request: tests give each test a folder of its own.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    # Development and tests only: in production the web server or the storage serves media.
    urlpatterns.insert(0, re_path(r"^media/(?P<path>.*)$", serve_media))

handler500 = "newsroom.resilience.server_error"
