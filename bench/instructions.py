"""Instructions per request, in one process, counted by valgrind's callgrind.

A count of instructions does not move with the machine's other work, as requests per
second on a shared machine do by a third or more, so it tells a small change to the code
from noise. Each page is served through Django's WSGI handler, as gunicorn would, with
the settings of the benchmark's *uncached* mode (the page cache off, shared pieces in
Redis, fragments kept by the process). Startup is left out: the process is counted
serving ``--few`` requests, then ``--many``, and the difference is divided by their
difference.

    python bench/instructions.py [--engine postgres] [--articles 1000] [article minimal ...]

On PostgreSQL the count is the Python process's alone: the server's work is
``cpu.py``'s to measure.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import harness  # beside this file: the benchmark's settings and commands

ROOT, PYTHON = harness.ROOT, harness.PYTHON
WARM_UP = 30


def serve(page, count):
    """Serve ``page`` ``WARM_UP + count`` times (inside valgrind)."""
    harness.serving_in_process(page)(WARM_UP + count)


def instructions(env, page, count):
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         PYTHON, str(Path(__file__)), "--serve", page, str(count)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(re.search(r"Collected : (\d+)", out.stderr).group(1))


CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15")
SAME_COUNT = {"PYTHONHASHSEED": "0"}  # the same dictionaries, so the same count, every run


def mode_env(database_url, mode):
    """The settings of the harness's ``mode`` (``harness.MODES``), the page cache off."""
    settings = harness.MODES[mode]
    cache_url = CACHE_URL if settings["redis"] else "dummycache://"
    return harness.base_env(database_url, cache_url, False, settings["fragments"])


def prepare(folder, articles, mode):
    """SQLite with the seed story and ``articles`` synthetic ones, in ``folder``."""
    env = mode_env(f"sqlite:///{folder}/db.sqlite3", mode)
    env.update(MEDIA_ROOT=f"{folder}/media", STATIC_ROOT=f"{folder}/static", **SAME_COUNT)
    harness.manage(env, "migrate", "--noinput", "-v0")
    harness.manage(env, "loaddata", "tay_ho", "-v0")
    harness.manage(env, "collectstatic", "--noinput", "-v0")
    harness.manage(env, "make_synthetic_news", "--articles", str(articles), "-v0")
    return env


def prepare_postgres(articles, mode):
    """The benchmark's PostgreSQL database of that size, built as ``run.sh`` builds it."""
    url, _ = harness.build("postgres", articles, rebuild=False)
    env = {**mode_env(url, mode), **SAME_COUNT}
    harness.manage(env, "collectstatic", "--noinput", "-v0")
    return env


def count(env, args):
    import redis

    if env["CACHE_URL"].startswith("redis"):
        redis.Redis.from_url(env["CACHE_URL"]).flushdb()
    for page in args.pages:
        few = instructions(env, page, args.few)
        many = instructions(env, page, args.many)
        per_request = (many - few) / (args.many - args.few)
        print(f"{page}: {per_request / 1e6:.2f} million instructions per request", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=["article", "minimal"])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--few", type=int, default=20)
    parser.add_argument("--many", type=int, default=120)
    parser.add_argument(
        "--mode", choices=["uncached", "just edited", "no cache"], default="uncached",
        help="the harness's mode whose settings the pages are served with",
    )  # fmt: skip
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is missing: apt-get install -y valgrind")
    if args.engine == "postgres":
        count(prepare_postgres(args.articles, args.mode), args)
        return
    with tempfile.TemporaryDirectory() as folder:
        count(prepare(folder, args.articles, args.mode), args)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main()
