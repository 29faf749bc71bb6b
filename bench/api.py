"""The public API beside the pages it mirrors, cached and uncached.

    .venv/bin/python bench/api.py                          # 1,000 synthetic articles
    .venv/bin/python bench/api.py --articles 1000 --duration 5 --rounds 3

Builds a SQLite database (the seed story and ``--articles`` synthetic ones), then for each
mode starts gunicorn (``--workers``, production settings, the cache in Redis ``--redis``,
emptied first): *uncached* (``PAGE_CACHE_SECONDS=0``: every request renders, the shared
lists from Redis) and *cached* (the page cache in Redis). It loads with ``wrk --latency``,
in rounds, the article page and ``/api/v1/stories/<id>`` of the same story, and the news
list ``/tin-tuc/`` and ``/api/v1/stories`` (20 stories each). Anonymous requests, with the
API's limit lifted so that the throttle's own cost (two cache calls) is measured, not its
429s. Each figure is the median of the rounds. Prints Markdown.
"""

import argparse
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import PORT, ROOT, build, env_for, flush, serve, wrk  # noqa: E402

MODES = {"uncached": "0", "cached": "3600"}


def targets(pk, url):
    return {
        "article page": url,
        "api story": f"/api/v1/stories/{pk}",
        "news list page (/tin-tuc/)": "/tin-tuc/",
        "api story list": "/api/v1/stories",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    run = Path(tempfile.mkdtemp(prefix="api-bench-"))
    env = env_for(ROOT, run, args.redis)
    env["API_ANONYMOUS_REQUESTS_PER_MINUTE"] = "100000000"
    pk, url = build(ROOT, env, args.articles)
    results = {}
    for _ in range(args.rounds):
        for mode, seconds in MODES.items():
            flush(args.redis)
            server = serve(ROOT, {**env, "PAGE_CACHE_SECONDS": seconds}, args.workers)
            try:
                for target, path in targets(pk, url).items():
                    for _warm in range(3):
                        urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=5)
                    load = wrk(path, args.duration, args.connections)
                    results.setdefault((target, mode), []).append(load)
            finally:
                server.terminate()
                server.wait()
    flush(args.redis)

    print(f"gunicorn --workers {args.workers}, wrk -t1 -c{args.connections} "
          f"-d{args.duration}s, median of {args.rounds} rounds, SQLite with the seed and "
          f"{args.articles} synthetic articles, cache in Redis.\n")  # fmt: skip
    print("| target | mode | requests/s | p50 (ms) | non-2xx |")
    print("| --- | --- | ---: | ---: | ---: |")
    for (target, mode), loads in sorted(results.items(), key=lambda item: item[0][1]):
        rps = statistics.median(load["rps"] for load in loads)
        p50 = statistics.median(load["p50_ms"] for load in loads)
        errors = sum(load["errors"] for load in loads)
        print(f"| {target} | {mode} | {rps:,.0f} | {p50:.2f} | {errors} |")


if __name__ == "__main__":
    main()
