"""Instructions per request of two checkouts of the site, on one database.

As ``instructions.py`` counts (the same settings, the same order of runs), but for this
checkout and another one serving the same database, one after the other, so only the
code differs.

    python bench/compare.py OTHER_CHECKOUT [--env NAME=VALUE ...] [article minimal ...]

The other checkout needs the same migrations; each is run with its own code.
"""

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

import harness  # beside this file
import instructions


def count(root, env, page, requests):
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         harness.PYTHON, str(Path(root) / "bench" / "instructions.py"), "--serve", page,
         str(requests)],
        cwd=root, env={**env, "PYTHONPATH": str(root)}, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return int(re.search(r"Collected : (\d+)", out.stderr).group(1))


def per_request(root, env, page, few, many):
    import redis

    redis.Redis.from_url(env["CACHE_URL"]).flushdb()
    few_count = count(root, env, page, few)  # first, as instructions.py: it fills Redis
    return (count(root, env, page, many) - few_count) / (many - few)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other")
    parser.add_argument("pages", nargs="*", default=["article", "minimal"])
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for this one")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--few", type=int, default=20)
    parser.add_argument("--many", type=int, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = instructions.prepare(folder, args.articles)
        this = {**env, **dict(pair.split("=", 1) for pair in args.env)}
        for page in args.pages:
            for name, root, page_env in (("other", args.other, env), ("this", harness.ROOT, this)):
                figure = per_request(root, page_env, page, args.few, args.many)
                print(f"{page} {name}: {figure / 1e6:.3f} million instructions", flush=True)


if __name__ == "__main__":
    main()
