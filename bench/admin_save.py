"""Time an editor's save of the Tây Hồ story in the admin, as the test client posts it.

Run it on a database that holds the ``tay_ho`` fixture (and, say, 1,000 synthetic
articles); with ``STATIC_PUBLISH_ROOT`` set it measures the save with static publication
on. Prints JSON: the median and spread of the saves, and the files written.

    python bench/admin_save.py [--repeat 15]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from articles.models import Article  # noqa: E402
from tests.admin_forms import change_url, form_data  # noqa: E402

SEED = "quan-tay-ho-chu-dong-vuot-kho-hoan-thanh-xuat-sac-cac-phong-trao-thi-dua"


def published_files():
    root = Path(settings.STATIC_PUBLISH_STORAGE["OPTIONS"]["location"])
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def time_saves(repeat):
    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    client.force_login(user)
    article = Article.objects.get(slug=SEED)
    url = change_url(article)
    times = []
    for n in range(repeat + 1):  # the first save warms templates and translations
        data = form_data(client.get(url))  # each save posts the form as it was just opened
        data["title"] = f"{article.title} ({n})"
        started = time.perf_counter()
        response = client.post(url, data)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 302:
            raise SystemExit(f"The save was refused ({response.status_code}).")
        if n:
            times.append(elapsed)
    return {
        "static_publish": settings.STATIC_PUBLISH,
        "tasks_backend": settings.TASKS["default"]["BACKEND"],
        "saves": repeat,
        "p50_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "files_published": published_files(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    print(json.dumps(time_saves(parser.parse_args().repeat)))
