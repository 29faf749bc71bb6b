"""CPU time per request, in one process: Django's, its PostgreSQL backend's and Redis's.

Requests per second under load mix wrk, gunicorn and the machine's other work into
one figure; valgrind's count (``instructions.py``) sees only the Python process. This
serves a page in one process through Django's WSGI handler, with the settings of the
benchmark's *uncached* mode, on the benchmark's database of that size (built as
``run.sh`` builds it), and reads from ``/proc`` the CPU time that the process, the
PostgreSQL backend serving it and the Redis server spent on the requests.

    python bench/cpu.py [--engine postgres] [--articles 1000] [--requests 2000] [article ...]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import harness  # beside this file: the benchmark's settings, databases and commands

WARM_UP = 50
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User and system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def serve(page, count):
    """Serve ``page`` ``count`` times after a warm-up; print the CPU milliseconds of each part."""
    requests = harness.serving_in_process(page)  # Django is set up from here on
    import redis
    from django.conf import settings
    from django.db import connection

    requests(WARM_UP)
    cache_server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    parts = {"redis": cache_server.info()["process_id"]}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the connection kept for the requests
            cursor.execute("SELECT pg_backend_pid()")
            parts["postgres"] = cursor.fetchone()[0]
    before = {name: cpu_seconds(pid) for name, pid in parts.items()}
    started = time.process_time()
    requests(count)
    spent = {"django": time.process_time() - started}
    spent.update({name: cpu_seconds(pid) - before[name] for name, pid in parts.items()})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            if cursor.fetchone()[0] != parts["postgres"]:
                sys.exit("the requests changed database connection: the figures would be wrong")
    print(json.dumps({name: seconds * 1000 / count for name, seconds in spent.items()}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=["article", "minimal"])
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    url, _ = harness.build(args.engine, args.articles, rebuild=False)
    cache_url = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14")
    env = harness.base_env(url, cache_url, page_cache=False)
    harness.manage(env, "collectstatic", "--noinput", "-v0")
    import redis

    redis.Redis.from_url(cache_url).flushdb()
    for page in args.pages:
        out = subprocess.run(
            [harness.PYTHON, str(Path(__file__)), "--serve", page, str(args.requests)],
            cwd=harness.ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        spent = json.loads(out.stdout.strip().splitlines()[-1])
        figures = ", ".join(f"{name} {ms:.3f}" for name, ms in spent.items())
        print(f"{page}: {sum(spent.values()):.3f} ms of CPU per request ({figures})", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main()
