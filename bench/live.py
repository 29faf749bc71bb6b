"""The live newsroom's costs: the most-read beacon, and cached pages before and after it.

    .venv/bin/python bench/live.py                       # against the commit before the feature
    .venv/bin/python bench/live.py --base main --duration 5 --rounds 3

For each tree (``--base``, extracted with ``git archive``, and this work tree) it builds a
SQLite database (the seed story and ``--articles`` synthetic ones), starts gunicorn
(``--workers``, production settings, the cache in Redis ``--redis``, emptied first), and
loads with ``wrk --latency``: the cached article and home pages (no compression asked, and,
on this tree, brotli asked), and on this tree the beacon ``POST /luot-doc/<id>/``, each
request from a new client (counted) and from one client (counted once an hour). Rounds run
the trees one after the other; each figure is the median of its rounds. Prints Markdown.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = 18041

NEW_CLIENT = """
wrk.method = "POST"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, {["User-Agent"] = "bench-" .. counter .. "-" .. math.random(1e9)})
end
"""
SAME_CLIENT = 'wrk.method = "POST"\nwrk.headers["User-Agent"] = "bench-one-reader"\n'


def env_for(tree, run, redis_url):
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY="bench-only-secret-key-not-for-production",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{run}/{tree.name}.sqlite3",
        CACHE_URL=redis_url,
        STATIC_ROOT=str(run / f"static-{tree.name}"),
        MEDIA_ROOT=str(run / "media"),
        PYTHONPATH=str(tree),
    )
    return env


def build(tree, env, articles):
    def manage(*args):
        subprocess.run([PYTHON, "manage.py", *args], cwd=tree, env=env, check=True)

    manage("migrate", "--noinput", "-v", "0")
    manage("loaddata", "tay_ho", "-v", "0")
    manage("make_synthetic_news", "--articles", str(articles))
    manage("collectstatic", "--noinput", "-v", "0")
    code = (
        "from articles.models import Article; a = Article.objects.published()"
        ".latest_first().first(); print(a.pk, a.get_absolute_url())"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=tree, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    return int(out[0]), out[1]


def flush(redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def serve(tree, env, workers):
    server = subprocess.Popen(
        [GUNICORN, "--chdir", str(tree), "--workers", str(workers), "--bind",
         f"127.0.0.1:{PORT}", "--log-level", "warning", "newsroom.wsgi"],
        env={**env, "GUNICORN_CMD_ARGS": ""}, cwd=tree,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/robots.txt", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def wrk(path, duration, connections, script=None, headers=()):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script:
            lua.write(script)
            lua.flush()
            command += ["-s", lua.name]
        for header in headers:
            command += ["-H", header]
        out = subprocess.run(
            [*command, f"http://127.0.0.1:{PORT}{path}"],
            capture_output=True, text=True, timeout=duration + 30,
        ).stdout  # fmt: skip
    found = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": float(found.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[found.group(2)],
        "errors": int(errors.group(1)) if errors else 0,
    }


IN_PROCESS = """
import json, os, statistics, sys, time
import django
django.setup()
from django.test import Client
pk, url, count, rounds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
after = sys.argv[5] == "after"
client = Client(HTTP_HOST="127.0.0.1")
def per_request(call):
    call(0)  # warm
    times = []
    for r in range(rounds):
        start = time.perf_counter()
        for n in range(count):
            call(r * count + n)
        times.append((time.perf_counter() - start) / count * 1000)
    return statistics.median(times)
found = {
    "article, cached": per_request(lambda n: client.get(url)),
    "home, cached": per_request(lambda n: client.get("/")),
}
if after:
    found["beacon, a new client each request"] = per_request(
        lambda n: client.post(f"/luot-doc/{pk}/", HTTP_USER_AGENT=f"bench-{n}-{time.time()}"))
    found["beacon, one client again and again"] = per_request(
        lambda n: client.post(f"/luot-doc/{pk}/", HTTP_USER_AGENT="bench-one-reader"))
print(json.dumps(found))
"""


def in_process(tree, env, pk, url, count, rounds, name):
    """Milliseconds per request served by Django's test client in one process (no network,
    no server): what each request costs the site's own code, cache round trips included."""
    out = subprocess.run(
        [PYTHON, "-c", IN_PROCESS, str(pk), url, str(count), str(rounds), name],
        cwd=tree, env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def targets(tree_name, pk, url):
    found = {
        "article, cached": (url, None, ()),
        "home, cached": ("/", None, ()),
    }
    if tree_name == "after":
        found["article, cached, brotli asked"] = (url, None, ("Accept-Encoding: br, gzip",))
        found["beacon, a new client each request"] = (f"/luot-doc/{pk}/", NEW_CLIENT, ())
        found["beacon, one client again and again"] = (f"/luot-doc/{pk}/", SAME_CLIENT, ())
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD~1", help="the tree before (a git revision)")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--in-process", type=int, default=0, metavar="N",
        help="instead of gunicorn and wrk, time N requests a round in one process",
    )  # fmt: skip
    args = parser.parse_args()

    run = Path(tempfile.mkdtemp(prefix="live-bench-"))
    before = run / "before"
    before.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", args.base], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
    trees = {"before": before, "after": ROOT}
    built = {}
    for name, tree in trees.items():
        env = env_for(tree, run, args.redis)
        env["DATABASE_URL"] = f"sqlite:///{run}/{name}.sqlite3"
        env["STATIC_ROOT"] = str(run / f"static-{name}")
        built[name] = (env, *build(tree, env, args.articles))

    if args.in_process:
        print(f"Django's test client in one process, {args.in_process} requests a round, "
              f"median of {args.rounds} rounds, SQLite with the seed and {args.articles} "
              f"synthetic articles, cache in Redis; base {args.base}.\n")  # fmt: skip
        print("| tree | target | ms per request | requests/s (one process) |")
        print("| --- | --- | ---: | ---: |")
        for name, tree in trees.items():
            env, pk, url = built[name]
            flush(args.redis)
            found = in_process(tree, env, pk, url, args.in_process, args.rounds, name)
            for target, ms in found.items():
                print(f"| {name} | {target} | {ms:.3f} | {1000 / ms:,.0f} |")
        flush(args.redis)
        return

    results = {}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            env, pk, url = built[name]
            flush(args.redis)
            server = serve(tree, env, args.workers)
            try:
                for target, (path, script, headers) in targets(name, pk, url).items():
                    for _warm in range(3):
                        request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}")
                        if script:
                            request.method = "POST"
                        urllib.request.urlopen(request, timeout=5)
                    load = wrk(path, args.duration, args.connections, script, headers)
                    results.setdefault((name, target), []).append(load)
            finally:
                server.terminate()
                server.wait()
    flush(args.redis)

    print(f"gunicorn --workers {args.workers}, wrk -t1 -c{args.connections} "
          f"-d{args.duration}s, median of {args.rounds} rounds, SQLite with the seed and "
          f"{args.articles} synthetic articles, cache in Redis; base {args.base}.\n")  # fmt: skip
    print("| tree | target | requests/s | p50 (ms) | non-2xx |")
    print("| --- | --- | ---: | ---: | ---: |")
    for (name, target), loads in results.items():
        rps = statistics.median(load["rps"] for load in loads)
        p50 = statistics.median(load["p50_ms"] for load in loads)
        errors = sum(load["errors"] for load in loads)
        print(f"| {name} | {target} | {rps:,.0f} | {p50:.2f} | {errors} |")


if __name__ == "__main__":
    main()
