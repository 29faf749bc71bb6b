"""Time an editor's autosave of the Tây Hồ story, as autosave.js sends it, and count its queries.

Run it on a database that holds the ``tay_ho`` fixture (and, say, 1,000 synthetic
articles). Each request sends the whole edit form, changed a little each time; the
first is left out (it inserts the row and warms up). Prints JSON: the median and spread
of the server's time per request (Django's test client, no network), its queries and
the size of what was sent.

    python bench/autosave.py [--repeat 200]
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Article, Autosave  # noqa: E402
from tests.admin_forms import change_url, form_data  # noqa: E402

SEED = "quan-tay-ho-chu-dong-vuot-kho-hoan-thanh-xuat-sac-cac-phong-trao-thi-dua"


def time_autosaves(repeat):
    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    client.force_login(user)
    article = Article.objects.get(slug=SEED)
    data = form_data(client.get(change_url(article)))
    url = f"/admin/articles/article/{article.pk}/autosave/"
    times, queries, size = [], [], 0
    for n in range(repeat + 1):
        data["title"] = f"{article.title} ({n})"
        body = json.dumps({"data": list(data.items()), "files": []})
        size = len(body.encode())
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(url, body, content_type="application/json")
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"The autosave was refused ({response.status_code}).")
        if n:
            times.append(elapsed)
            queries.append(len(captured))
    Autosave.objects.filter(user=user).delete()
    times.sort()
    return {
        "database": connection.vendor,
        "requests": repeat,
        "bytes_sent": size,
        "p50_ms": round(statistics.median(times), 2),
        "p90_ms": round(times[int(len(times) * 0.9)], 2),
        "min_ms": round(times[0], 2),
        "max_ms": round(times[-1], 2),
        "queries": max(queries),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    print(json.dumps(time_autosaves(parser.parse_args().repeat)))
