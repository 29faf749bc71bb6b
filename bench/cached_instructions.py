"""Instructions per page cache hit, in one process, counted by valgrind's callgrind.

A cached page costs about half a millisecond, which the machine's other work moves by more
than any change to the code; a count of instructions does not. For each tree (``--base``,
extracted with ``git archive``, and this work tree) it builds a SQLite database as
``live.py`` does, then counts the main thread (``--separate-threads``: not the watch of the
site's version) serving the page ``--few`` times, then ``--many``, after three requests
that fill the page cache, each count with Redis emptied first, and divides the difference.

    .venv/bin/python bench/cached_instructions.py --base bc303e3 --redis redis://127.0.0.1:6379/12
"""

import argparse
import glob
import re
import subprocess
import tempfile
from pathlib import Path

import live  # beside this file: the trees and their databases

SERVE = """
import sys
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
url, count = sys.argv[1], int(sys.argv[2])
for _ in range(3 + count):
    assert client.get(url).status_code == 200
"""


def main_thread_instructions(tree, env, url, count, folder):
    live.flush(env["CACHE_URL"])
    out = Path(tempfile.mkdtemp(dir=folder))
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--separate-threads=yes",
         f"--callgrind-out-file={out}/callgrind.%p", live.PYTHON, "-c", SERVE, url, str(count)],
        cwd=tree, env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings",
                       "PYTHONHASHSEED": "0"},
        check=True, capture_output=True,
    )  # fmt: skip
    (main,) = glob.glob(f"{out}/callgrind.*-01")
    return int(re.search(r"^totals: (\d+)", Path(main).read_text(), re.M).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="the tree before (a git revision)")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--few", type=int, default=50)
    parser.add_argument("--many", type=int, default=250)
    args = parser.parse_args()
    run = Path(tempfile.mkdtemp(prefix="cached-instructions-"))
    before = run / "before"
    before.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(live.ROOT), "archive", args.base], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
    print("| tree | page | instructions per cached hit (main thread) |")
    print("| --- | --- | ---: |")
    for name, tree in {"before": before, "after": live.ROOT}.items():
        env = live.env_for(tree, run, args.redis)
        env["DATABASE_URL"] = f"sqlite:///{run}/{name}.sqlite3"
        env["STATIC_ROOT"] = str(run / f"static-{name}")
        _, url = live.build(tree, env, args.articles)
        for page in (url, "/"):
            few = main_thread_instructions(tree, env, page, args.few, run)
            many = main_thread_instructions(tree, env, page, args.many, run)
            per_hit = (many - few) / (args.many - args.few)
            label = "home" if page == "/" else "article"
            print(f"| {name} | {label} | {per_hit / 1e6:.3f} M |", flush=True)
    live.flush(args.redis)


if __name__ == "__main__":
    main()
