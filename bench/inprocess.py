"""In-process measurements for one database: target paths, SQL queries per page,
admin timings, and the static publication of the measured pages. Prints JSON."""

import json
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from articles.models import Article  # noqa: E402
from articles.synthetic import SYNTHETIC_PREFIX  # noqa: E402

HOST = "127.0.0.1"


def target_paths():
    article = (
        Article.objects.published()
        .filter(slug__startswith=SYNTHETIC_PREFIX)
        .annotate(f=Count("figures", distinct=True), r=Count("related_links", distinct=True))
        .filter(f__gte=2, r__gte=3)
        .select_related("category")
        .order_by("pk")
        .first()
    )
    paths = {
        "article": article.get_absolute_url(),
        "home": "/",
        "section": article.category.get_absolute_url(),
        "search": "/tim-kiem/?q=ho+tay",
        "rss": "/rss/",
        "sitemap": "/sitemap.xml",
        # The public API beside the pages: the story list and the same article's story.
        "api list": "/api/v1/stories",
        "api story": f"/api/v1/stories/{article.pk}",
    }
    return paths


def exists(path):
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return Client(HTTP_HOST=HOST).get(path).status_code == 200


def count_queries(paths):
    client = Client(HTTP_HOST=HOST)
    counts = {}
    for name, path in paths.items():
        client.get(path)  # warm caches of templates and translations
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        counts[name] = {"status": response.status_code, "queries": len(queries)}
    return counts


def time_admin(repeat=15):
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    article = Article.objects.filter(slug__startswith=SYNTHETIC_PREFIX).order_by("-pk").first()
    pages = {
        "admin changelist": "/admin/articles/article/",
        "admin change page": f"/admin/articles/article/{article.pk}/change/",
    }
    result = {}
    for name, path in pages.items():
        client.get(path)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        result[name] = {
            "status": response.status_code,
            "p50_ms": statistics.median(times),
            "queries": len(queries),
        }
    return result


def publish(paths, folder):
    """Write the measured pages (and nothing else) into the static publication."""
    from articles.publishing import Publisher

    settings.STATIC_PUBLISH_HOST = HOST
    settings.STATIC_PUBLISH_SCHEME = "http"
    storage_spec = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": folder},
    }
    from django.core.files.storage import storages

    publisher = Publisher(storages.create_storage(storage_spec))
    for path in paths.values():
        publisher.publish(path)
    return publisher.written


if __name__ == "__main__":
    action = sys.argv[1]
    if action == "paths":
        paths = target_paths()
        print(json.dumps({name: path for name, path in paths.items() if exists(path)}))
    elif action == "queries":
        paths = json.loads(sys.argv[2])
        pages = count_queries(paths)
        admin = {} if "--pages-only" in sys.argv else time_admin()
        print(json.dumps({"pages": pages, "admin": admin}))
    elif action == "publish":
        print(json.dumps({"written": publish(json.loads(sys.argv[2]), sys.argv[3])}))
    elif action == "cache":
        print(json.dumps(settings.PAGE_CACHE_MIDDLEWARE))
