"""Where a page's render goes: the time of each kept piece and include, in one process.

Serves a page through Django's WSGI handler (as ``instructions.py`` does, SQLite with the
seed story and 1,000 synthetic articles) with a mode's settings, and prints, per request,
the milliseconds spent in each ``{% fragment %}``, ``{% shared %}`` and ``{% include %}``
(a piece's time includes the pieces inside it):

    python bench/pieces.py --mode "just edited" article
"""

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness  # beside this file: the benchmark's settings and commands
import instructions

WARM_UP, REQUESTS = 30, 300


def timed_pieces(page):
    """Per request: {piece: (milliseconds, times rendered)}, and the whole request's time."""
    serve = harness.serving_in_process(page)
    from django.template import loader_tags

    from articles.templatetags import news

    spent, rendered = collections.Counter(), collections.Counter()

    def timed(node_class, name_of):
        render = node_class.render

        def timed_render(node, context):
            started = time.perf_counter()
            try:
                return render(node, context)
            finally:
                spent[name_of(node)] += time.perf_counter() - started
                rendered[name_of(node)] += 1

        node_class.render = timed_render

    timed(news.FragmentNode, lambda node: f"fragment {node.name}")
    timed(news.SharedNode, lambda node: f"shared {node.name}")
    timed(loader_tags.IncludeNode, lambda node: f"include {node.template.var}")
    serve(WARM_UP)
    spent.clear(), rendered.clear()
    started = time.perf_counter()
    serve(REQUESTS)
    whole = (time.perf_counter() - started) * 1000 / REQUESTS
    pieces = {
        name: (seconds * 1000 / REQUESTS, rendered[name] / REQUESTS)
        for name, seconds in spent.most_common()
    }
    return pieces, whole


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", nargs="?", default="article")
    parser.add_argument("--mode", choices=list(harness.MODES)[:3], default="uncached")
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = instructions.prepare(folder, args.articles, args.mode)
        if env["CACHE_URL"].startswith("redis"):
            import redis

            redis.Redis.from_url(env["CACHE_URL"]).flushdb()
        out = subprocess.run(
            [harness.PYTHON, str(Path(__file__)), "--time", args.page],
            cwd=harness.ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
    pieces, whole = json.loads(out.stdout.splitlines()[-1])
    print(f"{args.page} ({args.mode}): {whole:.3f} ms a request")
    for name, (milliseconds, times) in pieces.items():
        print(f"{milliseconds:8.3f} ms  {times:4.1f}×  {name}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--time"]:
        print(json.dumps(timed_pieces(sys.argv[2])))
    else:
        main()
