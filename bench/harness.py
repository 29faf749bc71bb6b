"""The newsroom benchmark: see bench/README.md. Loopback only, every load bounded in time."""

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RUN = Path(os.environ.get("BENCH_RUN_DIR", "/tmp/newsroom-bench"))
DJANGO_PORT, STATIC_PORT, PUBLISH_PORT = 18001, 18002, 18003
PAGES = ["article", "home", "section", "search", "rss", "sitemap"]


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def base_env(database_url, cache_url="dummycache://", page_cache=True, fragments=True):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        HTTPS="false",  # plain HTTP on loopback
        SECRET_KEY="bench-only-secret-key-not-for-production",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        MEDIA_ROOT=str(RUN / "media"),
        STATIC_ROOT=str(RUN / "static"),
        PYTHONPATH=str(ROOT),
        PAGE_CACHE_SECONDS="3600" if page_cache else "0",
        # One client (wrk) on one address: the API's limit must not be what is measured.
        API_ANONYMOUS_REQUESTS_PER_MINUTE="100000000",
    )
    env.pop("STATIC_PUBLISH_ROOT", None)
    env.pop("FRAGMENT_MEMORY", None)  # the site's default
    if not fragments:
        env["FRAGMENT_MEMORY"] = "0"
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def serving_in_process(page):
    """``serve(count)``: ``page`` answered ``count`` times in this process by Django's WSGI
    handler, as gunicorn would call it. An answer other than 200 ends the process."""
    import io

    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from bench.inprocess import target_paths

    path = "/bench/minimal/" if page == "minimal" else target_paths()[page]
    handler = WSGIHandler()
    url_path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": url_path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "SCRIPT_NAME": "",
    }  # fmt: skip

    def serve(count):
        statuses = set()
        for _ in range(count):
            response = handler({**environ, "wsgi.input": io.BytesIO()}, lambda s, h: None)
            b"".join(response)
            response.close()
            statuses.add(response.status_code)
        if statuses != {200}:
            sys.exit(f"{path}: {statuses}")

    return serve


def inprocess(env, *args):
    out = subprocess.run(
        [PYTHON, "-m", "bench.inprocess", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def database_url(engine, size):
    if engine == "sqlite":
        return f"sqlite:///{RUN}/bench-{size}.sqlite3"
    return f"postgres://postgres@127.0.0.1:5432/bench_{size}"


def build(engine, size, rebuild):
    """A database with the seed story and ``size`` synthetic articles (kept between runs)."""
    url = database_url(engine, size)
    marker = RUN / f"built-{engine}-{size}"
    if marker.exists() and not rebuild:
        log(f"{engine} {size}: reusing the database built before")
        manage(base_env(url), "migrate", "--noinput", "-v0")  # the code may have moved on
        return url, json.loads(marker.read_text())
    if engine == "sqlite":
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c"]
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS bench_{size}"], check=True)
        subprocess.run([*psql, f"CREATE DATABASE bench_{size}"], check=True)
    env = base_env(url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "loaddata", "tay_ho", "-v0")
    started = time.monotonic()
    manage(env, "make_synthetic_news", "--articles", str(size), "-v0")
    info = {"synthetic_seconds": round(time.monotonic() - started, 1)}
    if engine == "postgres":
        manage(
            env,
            "shell",
            "-c",
            "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
        )
    else:
        manage(
            env,
            "shell",
            "-c",
            "from django.db import connection; connection.cursor().execute('ANALYZE')",
        )
    marker.write_text(json.dumps(info))
    log(f"{engine} {size}: built in {info['synthetic_seconds']} s")
    return url, info


class Server:
    def __init__(self, args, env, port, name):
        self.name, self.port = name, port
        self.log = open(RUN / f"{name}.log", "w")  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{name} did not start; see {RUN / (name + '.log')}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def gunicorn(env, workers, port):
    return Server(
        [GUNICORN, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "-", "--log-level", "warning", "newsroom.wsgi"],
        {**env, "GUNICORN_CMD_ARGS": ""},
        port,
        f"gunicorn-{port}",
    )  # fmt: skip


def nginx():
    conf = (HERE / "nginx.conf.template").read_text()
    for key, value in {
        "@RUN@": str(RUN), "@STATIC_PORT@": str(STATIC_PORT),
        "@PUBLISH_PORT@": str(PUBLISH_PORT), "@DJANGO_PORT@": str(DJANGO_PORT),
    }.items():  # fmt: skip
        conf = conf.replace(key, value)
    (RUN / "nginx.conf").write_text(conf)
    if not shutil.which("nginx"):
        return None
    return Server(
        ["nginx", "-c", str(RUN / "nginx.conf"), "-g", "daemon off;"], None, STATIC_PORT, "nginx"
    )


def wrk(url, duration, connections):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, timeout=duration + 30,
    ).stdout  # fmt: skip

    def latency(pct):
        found = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(found.group(1)), found.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency(50),
        "p99_ms": latency(99),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def redis_url(index):
    """Each database its own Redis database: the site version and shared pieces of one size must
    never be served for another."""
    return f"redis://127.0.0.1:6379/{9 + index}"


def flush_redis(url):
    """Each mode starts with an empty cache."""
    import redis

    redis.Redis.from_url(url).flushdb()


# What "uncached" means: every request renders its page (the page cache is off); the pieces
# shared by all pages (latest, picks, sections) come from Redis, as they do for the first
# reader of a page after a change, and an article's own parts from its process, as after a
# change of any other article. "just edited" renders those too, as after an edit of the
# article itself. "no cache" has no cache at all.
MODES = {
    "no cache": {"redis": False, "page_cache": False, "fragments": False},
    "just edited": {"redis": True, "page_cache": False, "fragments": False},
    "uncached": {"redis": True, "page_cache": False, "fragments": True},
    "cached": {"redis": True, "page_cache": True, "fragments": True},
}
ARTICLE_ONLY = ("no cache", "just edited")


def median_load(runs):
    """One figure per target: the median of its rounds, each figure on its own."""
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "p50_rounds": [r["p50_ms"] for r in runs],
    }


def growth(small, big):
    """How much slower at the big size: the median, over the rounds, of the big size's p50
    over the small size's, the two loaded one after the other in the same round. The
    machine's speed drifts between rounds (a third on a shared machine), not within a
    few seconds, so a round's own ratio leaves the drift out where a ratio of medians,
    each from a different round, keeps it."""
    pairs = [b / s for s, b in zip(small["p50_rounds"], big["p50_rounds"], strict=True) if s]
    return f"{statistics.median(pairs):.2f}" if pairs else "n/a"


def prepare(engine, size, args):
    """Build the database and take the in-process measurements of one size."""
    url, info = build(engine, size, args.rebuild)
    env = base_env(url)
    paths = inprocess(env, "paths")
    log(f"{engine} {size}: pages present: {', '.join(paths)}")
    in_proc = inprocess(
        base_env(url, "locmemcache://", page_cache=False), "queries", json.dumps(paths)
    )
    in_proc["pages_no_cache"] = inprocess(env, "queries", json.dumps(paths), "--pages-only")[
        "pages"
    ]
    return {"engine": engine, "size": size, "url": url, "paths": paths, "build": info,
            **in_proc, "load": {}}  # fmt: skip


def targets(mode, paths):
    """What is loaded in a mode: its minimal view first, the floor of its ratios."""
    found = {f"minimal view {mode}": "/bench/minimal/"}
    pages = ["article"] if mode in ARTICLE_ONLY else list(paths)
    found.update({f"{page} {mode}": paths[page] for page in pages})
    return found


def measure_load(entries, args, cache_middleware):
    """Load the sizes of one engine in turns, so that a change in the machine's speed during
    the run weighs on each size alike: each mode starts a server per size, then each round
    loads each target on every size, one after the other."""
    runs = {id(entry): {} for entry in entries}
    modes = list(MODES) if cache_middleware else ["no cache"]
    for mode in modes:
        servers = []
        try:
            for index, entry in enumerate(entries):
                cache_url = redis_url(index) if MODES[mode]["redis"] else "dummycache://"
                if MODES[mode]["redis"]:
                    flush_redis(cache_url)
                env = base_env(
                    entry["url"], cache_url, MODES[mode]["page_cache"], MODES[mode]["fragments"]
                )
                servers.append(gunicorn(env, args.workers, DJANGO_PORT + 10 * index))
            for round_ in range(1, args.repeats + 1):
                for name in targets(mode, entries[0]["paths"]):
                    for entry, server in zip(entries, servers, strict=True):
                        path = targets(mode, entry["paths"]).get(name)
                        if path is None:
                            continue
                        target = f"http://127.0.0.1:{server.port}{path}"
                        urllib.request.urlopen(target).read()  # fill the cache, if any
                        load = wrk(target, args.duration, args.connections)
                        runs[id(entry)].setdefault(name, []).append(load)
                        log(f"{entry['engine']} {entry['size']} {name} ({round_}): {load}")
        finally:
            for server in servers:
                server.stop()
    for entry in entries:
        entry["load"] = {name: median_load(r) for name, r in runs[id(entry)].items()}


def measure_static(entry, args):
    """A file from nginx: a copy of the article page, then the static publication."""
    # Pages only: search and the API are never published as files.
    published = {
        k: v for k, v in entry["paths"].items() if k != "search" and not k.startswith("api")
    }
    shutil.rmtree(RUN / "published", ignore_errors=True)
    inprocess(base_env(entry["url"]), "publish", json.dumps(published), str(RUN / "published"))
    copy = RUN / "static-copy"
    copy.mkdir(exist_ok=True)
    shutil.copyfile(
        RUN / "published" / entry["paths"]["article"].lstrip("/"), copy / "article.html"
    )
    web = nginx()
    if not web:
        return
    try:
        urls = {
            "static file (nginx)": f"http://127.0.0.1:{STATIC_PORT}/article.html",
            "article static publication": f"http://127.0.0.1:{PUBLISH_PORT}{published['article']}",
            "home static publication": f"http://127.0.0.1:{PUBLISH_PORT}{published['home']}",
        }
        for name, url in urls.items():
            runs = [wrk(url, args.duration, args.connections) for _ in range(args.repeats)]
            entry["load"][name] = median_load(runs)
    finally:
        web.stop()


def row(*cells):
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def rps(load, name):
    return load.get(name, {}).get("rps")


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "n/a"


def report(results, args, cache_middleware, started):
    lines = [
        "# Benchmark results",
        "",
        f"Run on {started:%Y-%m-%d %H:%M} with `{' '.join(['bench/run.sh', *sys.argv[1:]])}`",
        f"({os.cpu_count()} cores; gunicorn {args.workers} sync workers; wrk -t2 "
        f"-c{args.connections} -d{args.duration}s on 127.0.0.1; DEBUG off). Each figure is the "
        f"median of {args.repeats} rounds; the sizes of an engine are loaded in turn within "
        "each round.",
        "Page cache middleware: "
        + (
            ", ".join(cache_middleware)
            if cache_middleware
            else "not present on this branch, so no cached runs."
        ),
        "",
        "*uncached*: the page cache is off, so every request renders its page; the pieces",
        "all pages share (latest, picks, a section's newest, the menu, the HTML of their",
        "lists, counts for pagination) come from Redis, as for the first reader of a page",
        "after a change, and an article's own parts (headline, body, tags) from its",
        "process, as after a change of any other article. *just edited*: the same, but the",
        "article's own parts are rendered too, as after an edit of that article.",
        "*no cache*: no cache at all (`dummycache://`, no kept fragments). *cached*: the",
        "page cache in Redis. The minimal view is measured in each mode, under that",
        "mode's settings, and each ratio uses its own.",
        "",
    ]
    for entry in results:
        lines += [
            f"## {entry['engine']}, {entry['size']:,} synthetic articles "
            f"(built in {entry['build']['synthetic_seconds']} s)",
            "",
            "| target | req/s | p50 ms | p99 ms | non-2xx |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, load in entry["load"].items():
            lines.append(
                f"| {name} | {load['rps']:.0f} | {load['p50_ms']:.2f} | {load['p99_ms']:.2f} "
                f"| {load['non_2xx']} |"
            )
        lines += [
            "",
            "| page | path | status | SQL queries (uncached) | SQL queries (no cache) |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for name, page in entry["pages"].items():
            bare = entry["pages_no_cache"][name]["queries"]
            lines.append(
                row(name, f"`{entry['paths'][name]}`", page["status"], page["queries"], bare)
            )
        for name, page in entry["admin"].items():
            label = f"{name} (p50 {page['p50_ms']:.1f} ms, test client)"
            lines.append(row(label, "", page["status"], page["queries"], ""))
        load = entry["load"]
        static = load.get("static file (nginx)", {}).get("rps")
        lines += [
            "",
            "| ratio (req/s) | value | target |",
            "| --- | ---: | --- |",
        ]
        for mode, target in (
            ("uncached", "≥ 0.35"),
            ("just edited", ""),
            ("no cache", ""),
            ("cached", "≥ 0.80"),
        ):
            lines.append(
                row(
                    f"article {mode} / minimal view {mode}",
                    ratio(rps(load, f"article {mode}"), rps(load, f"minimal view {mode}")),
                    target,
                )
            )
        lines += [
            row("article cached / static file", ratio(rps(load, "article cached"), static), ""),
            row(
                "article static publication / static file",
                ratio(rps(load, "article static publication"), static),
                "≈ 1",
            ),
            "",
        ]
    engines = sorted({e["engine"] for e in results})
    for engine in engines:
        by_size = {e["size"]: e for e in results if e["engine"] == engine}
        if len(by_size) < 2:
            continue
        small, big = min(by_size), max(by_size)
        lines += [
            f"## {engine}: p50 at {big:,} / p50 at {small:,} (target ≤ 1.25)",
            "",
            "The ratio is the median of the rounds' own ratios (`growth()` in bench/harness.py);",
            "the ratio of the two medians beside it keeps the machine's drift between rounds.",
            "",
            "| page | p50 small ms | p50 big ms | ratio of medians | ratio |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, load in by_size[big]["load"].items():
            other = by_size[small]["load"].get(name)
            if other:
                small_ms, big_ms = other["p50_ms"], load["p50_ms"]
                lines.append(
                    row(
                        name,
                        f"{small_ms:.2f}",
                        f"{big_ms:.2f}",
                        ratio(big_ms, small_ms),
                        growth(other, load),
                    )
                )
        for name, page in by_size[big]["admin"].items():
            other = by_size[small]["admin"][name]
            small_ms, big_ms = other["p50_ms"], page["p50_ms"]
            label = f"{name} (target < 300 ms)"
            lines.append(
                row(label, f"{small_ms:.1f}", f"{big_ms:.1f}", ratio(big_ms, small_ms), "")
            )
        lines.append("")
    Path(args.output).write_text("\n".join(lines) + "\n")
    (RUN / "results.json").write_text(json.dumps(results, indent=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated article counts")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per round")
    parser.add_argument("--repeats", type=int, default=3, help="rounds per target (medians)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the databases")
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"), help="the table's file")
    args = parser.parse_args()
    for tool in ("wrk",):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install -y wrk nginx")
    RUN.mkdir(parents=True, exist_ok=True)
    # Production settings serve hashed static files, named by collectstatic's manifest.
    manage(base_env(database_url("sqlite", 0)), "collectstatic", "--noinput", "-v0")
    started = datetime.datetime.now()
    cache_middleware = inprocess(base_env(database_url("sqlite", 0)), "cache")
    results = []
    for engine in args.engines.split(","):
        entries = [prepare(engine, size, args) for size in map(int, args.sizes.split(","))]
        measure_load(entries, args, cache_middleware)
        for entry in entries:
            measure_static(entry, args)
            results.append(entry)
        report(results, args, cache_middleware, started)
    log(f"wrote {args.output}")


if __name__ == "__main__":
    main()
