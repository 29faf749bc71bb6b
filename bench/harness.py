"""The newsroom benchmark: see bench/README.md. Loopback only, every load bounded in time."""

import argparse
import datetime
import json
import os
import re
import shutil
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


REDIS_URL = "redis://127.0.0.1:6379/9"


def base_env(database_url, cache_url="dummycache://", page_cache=True):
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
    )
    env.pop("STATIC_PUBLISH_ROOT", None)
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


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


def gunicorn(env, workers):
    return Server(
        [GUNICORN, "--workers", str(workers), "--bind", f"127.0.0.1:{DJANGO_PORT}",
         "--access-logfile", "-", "--log-level", "warning", "newsroom.wsgi"],
        {**env, "GUNICORN_CMD_ARGS": ""},
        DJANGO_PORT,
        "gunicorn",
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


def flush_redis():
    """Each database starts with an empty cache: another one's pages must not be served."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# What "uncached" means: every request renders its page (the page cache is off); the
# pieces shared by all pages (latest, picks, sections) come from Redis, as they do
# for the first reader of a page after a change. "no cache" has no cache at all.
MODES = {
    "no cache": {"cache_url": "dummycache://", "page_cache": False},
    "uncached": {"cache_url": REDIS_URL, "page_cache": False},
    "cached": {"cache_url": REDIS_URL, "page_cache": True},
}


def measure(engine, size, args, results, cache_middleware):
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
    published = {k: v for k, v in paths.items() if k != "search"}
    shutil.rmtree(RUN / "published", ignore_errors=True)
    inprocess(env, "publish", json.dumps(published), str(RUN / "published"))
    copy = RUN / "static-copy"
    copy.mkdir(exist_ok=True)
    entry = {"engine": engine, "size": size, "paths": paths, "build": info, **in_proc, "load": {}}
    modes = ["no cache", "uncached", "cached"] if cache_middleware else ["no cache"]
    for mode in modes:
        flush_redis()
        server = gunicorn(base_env(url, **MODES[mode]), args.workers)
        try:
            # The floor for this mode: the same middleware, settings and cache.
            entry["load"][f"minimal view {mode}"] = wrk(
                f"http://127.0.0.1:{DJANGO_PORT}/bench/minimal/", args.duration, args.connections
            )
            if mode == "no cache":
                target = f"http://127.0.0.1:{DJANGO_PORT}{paths['article']}"
                entry["load"]["article no cache"] = wrk(target, args.duration, args.connections)
                continue
            if mode == "uncached":
                body = urllib.request.urlopen(
                    f"http://127.0.0.1:{DJANGO_PORT}{paths['article']}"
                ).read()
                (copy / "article.html").write_bytes(body)
            for page, path in paths.items():
                target = f"http://127.0.0.1:{DJANGO_PORT}{path}"
                urllib.request.urlopen(target).read()  # fill the cache, if any
                entry["load"][f"{page} {mode}"] = wrk(target, args.duration, args.connections)
                log(f"{engine} {size} {page} {mode}: {entry['load'][f'{page} {mode}']}")
            if mode == "uncached":
                web = nginx()
                if web:
                    try:
                        entry["load"]["static file (nginx)"] = wrk(
                            f"http://127.0.0.1:{STATIC_PORT}/article.html",
                            args.duration,
                            args.connections,
                        )
                        for page in ("article", "home"):
                            entry["load"][f"{page} static publication"] = wrk(
                                f"http://127.0.0.1:{PUBLISH_PORT}{paths[page]}",
                                args.duration, args.connections,
                            )  # fmt: skip
                    finally:
                        web.stop()
        finally:
            server.stop()
    results.append(entry)


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
        f"-c{args.connections} -d{args.duration}s on 127.0.0.1; DEBUG off).",
        "Page cache middleware: "
        + (
            ", ".join(cache_middleware)
            if cache_middleware
            else "not present on this branch, so no cached runs."
        ),
        "",
        "*uncached*: the page cache is off, so every request renders its page; the pieces",
        "all pages share (latest, picks, a section's newest, the menu, the HTML of their",
        "lists, counts for pagination) come from",
        "Redis, as for the first reader of a page after a change. *no cache*: no cache at",
        "all (`dummycache://`). *cached*: the page cache in Redis. The minimal view is",
        "measured in each mode, under that mode's settings, and each ratio uses its own.",
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
        for mode, target in (("uncached", "≥ 0.35"), ("no cache", ""), ("cached", "≥ 0.80")):
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
            "| page | p50 small ms | p50 big ms | ratio |",
            "| --- | ---: | ---: | ---: |",
        ]
        for name, load in by_size[big]["load"].items():
            other = by_size[small]["load"].get(name)
            if other:
                small_ms, big_ms = other["p50_ms"], load["p50_ms"]
                lines.append(row(name, f"{small_ms:.2f}", f"{big_ms:.2f}", ratio(big_ms, small_ms)))
        for name, page in by_size[big]["admin"].items():
            other = by_size[small]["admin"][name]
            small_ms, big_ms = other["p50_ms"], page["p50_ms"]
            label = f"{name} (target < 300 ms)"
            lines.append(row(label, f"{small_ms:.1f}", f"{big_ms:.1f}", ratio(big_ms, small_ms)))
        lines.append("")
    Path(args.output).write_text("\n".join(lines) + "\n")
    (RUN / "results.json").write_text(json.dumps(results, indent=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated article counts")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per target")
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
        for size in map(int, args.sizes.split(",")):
            measure(engine, size, args, results, cache_middleware)
            report(results, args, cache_middleware, started)
    log(f"wrote {args.output}")


if __name__ == "__main__":
    main()
