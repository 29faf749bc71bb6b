"""Search timings at growing archive sizes, in process (not through HTTP).

    DEBUG=true DATABASE_URL=sqlite:////tmp/newsroom-search/1000.sqlite3 \\
        .venv/bin/python bench/search.py 1000
    PG=postgres://postgres@127.0.0.1:5432/search
    psql $PG -c 'CREATE SCHEMA IF NOT EXISTS bench_1000'
    DEBUG=true DATABASE_URL="$PG?options=-c%20search_path%3Dbench_1000" \\
        .venv/bin/python bench/search.py 1000 --explain

Migrates the database named by DATABASE_URL (one made for this: a SQLite file, or a
PostgreSQL schema of its own, created first), then adds synthetic articles up to the size
given, unless it holds them from an earlier run (bulk: headline,
sapo and a body of the synthetic generator's sentences, no block rows: search reads
only ``search_text``), and times ``search.ranked`` on readers' articles for a rare word,
a common word and a headline phrase: the p50 and p90 of ``--runs`` runs after one
warm-up run. On PostgreSQL it prints the plan of each walk (EXPLAIN ANALYZE).
``--interleave`` times corpora built earlier, of several sizes, in turn.
Prints a Markdown table; the figures are written down in bench/RESULTS-SEARCH.md.
"""

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import search, synthetic  # noqa: E402
from articles.models import Article  # noqa: E402

QUERIES = {
    "rare word": "kỳ lân",
    "common word": "được",
    "headline phrase": "Quận Tây Hồ hoàn thành dự án cải tạo hồ",
}
# Articles whose sapo holds the rare word, by number.
RARE_AT = {7, 507, 100_007, 500_007, 900_007}
BATCH = 5000


def add_articles(first, last, rng, now, sections):
    """Articles numbered ``first`` to ``last - 1``, in batches of plain INSERTs."""
    # Each sentence's folded words, worked out once.
    sentences = [search._part(sentence) for sentence in synthetic._SENTENCES]
    columns = (
        "title, slug, sapo, category_id, byline, status, published_at, is_pick, created_at, "
        "updated_at, version, search_text, time_is_known"
    )
    sql = f"INSERT INTO articles_article ({columns}) VALUES ({', '.join(['%s'] * 13)})"
    for start in range(first, last, BATCH):
        rows = []
        for number in range(start, min(start + BATCH, last)):
            title = synthetic.headline(rng)
            sapo = synthetic.paragraph(rng, 2) + (" Kỳ lân xuất hiện." if number in RARE_AT else "")
            # As many sentences as the synthetic generator's blocks and captions hold.
            count = sum(3 * rng.randint(1, 3) for _ in range(rng.randint(2, 6)))
            count += rng.randint(0, 3)
            body = " ".join(sentences[rng.randrange(len(sentences))] for _ in range(count))
            status, published_at = synthetic.pick_status(rng, now)
            text = search.SEPARATOR.join([search.headline_part(title), search._part(sapo), body])
            rows.append(
                (
                    title,
                    f"{synthetic.SYNTHETIC_PREFIX}search-{number}",
                    sapo,
                    rng.choice(sections).pk,
                    "",
                    status,
                    published_at,
                    False,
                    now,
                    now,
                    1,
                    text,
                    True,
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        print(f"  {min(start + BATCH, last)} articles", file=sys.stderr, flush=True)


@contextlib.contextmanager
def without_search_indexes(drop):
    """On PostgreSQL, a big load goes faster with the GIN indexes made afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous = OFF")
        else:
            cursor.execute("SET synchronous_commit = off")
    if connection.vendor != "postgresql":
        yield
        return
    if drop:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS article_search")
            cursor.execute("DROP INDEX IF EXISTS article_search_head")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS article_search ON articles_article "
            "USING gin (search_vector)"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_head ON articles_article "
            "USING gin (headline_vector)"
        )


def timed(query, runs):
    """p50 and p90 of the wall time, and p50 of this thread's CPU time (which, on SQLite,
    includes the database's work, and is not inflated by other processes' load), in ms."""
    search.ranked(Article.objects.published(), query)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.thread_time()
        found = search.ranked(Article.objects.published(), query)
        cpus.append((time.thread_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    walls.sort()
    return (
        statistics.median(walls),
        walls[int(len(walls) * 0.9) - 1],
        statistics.median(cpus),
        len(found.ids),
    )


def use(size):
    """Point the connection at the corpus of ``size`` articles, made by an earlier run: on
    PostgreSQL the schema ``bench_<size>``, on SQLite the file ``<size>.sqlite3`` beside
    the one DATABASE_URL names."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO bench_{int(size)}")
    else:
        connection.close()
        connection.settings_dict["NAME"] = str(
            Path(connection.settings_dict["NAME"]).with_name(f"{int(size)}.sqlite3")
        )


def interleaved(sizes, runs):
    """Each query at each size, one run at a time in turn, so that every size meets the
    same load: the rows of the table, from ``runs`` runs after one warm-up round."""
    walls, cpus, found = {}, {}, {}
    for round_ in range(runs + 1):
        for size in sizes:
            use(size)
            for name, query in QUERIES.items():
                wall, cpu = time.perf_counter(), time.thread_time()
                result = search.ranked(Article.objects.published(), query)
                if round_:
                    cpus.setdefault((size, name), []).append((time.thread_time() - cpu) * 1000)
                    walls.setdefault((size, name), []).append((time.perf_counter() - wall) * 1000)
                found[size, name] = len(result.ids)
    for size in sizes:
        for name, query in QUERIES.items():
            wall = sorted(walls[size, name])
            print(
                f"| {connection.vendor} | {size:,} | {name} `{query}` | "
                f"{statistics.median(wall):.2f} | {wall[int(len(wall) * 0.9) - 1]:.2f} | "
                f"{statistics.median(cpus[size, name]):.2f} | {found[size, name]} |",
                flush=True,
            )


def explain(query):
    """The plan of each walk of a readers' search for ``query``, as it runs now."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        search.ranked(Article.objects.published(), query)
    lines, total, walks = [], 0.0, [q["sql"] for q in queries if "@@" in q["sql"]]
    for sql in walks:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql.replace("%", "%%"))
            lines.append("-- " + sql[sql.index("WHERE") : sql.index("WHERE") + 160] + " …")
            lines += [row[0] for row in cursor.fetchall()]
        total += float(lines[-1].split(":")[1].split()[0])  # "Execution Time: 0.3 ms"
    lines.append(f"-- PostgreSQL's own time, {len(walks)} walks: {total:.2f} ms")
    return lines


def build(size, rng, now):
    """Make the database hold ``size`` articles (kept from an earlier run if it does)."""
    call_command("migrate", verbosity=0)
    had = Article.objects.count()
    if had > size:
        call_command("flush", interactive=False, verbosity=0)
        had = 0
    sections = synthetic.make_sections()
    started = time.monotonic()
    with without_search_indexes(size - had > 50_000):
        add_articles(had, size, rng, now - timedelta(minutes=1), sections)
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE articles_article" if connection.vendor == "postgresql" else "ANALYZE"
        )
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("size", type=int)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--fill",
        nargs=2,
        type=int,
        metavar=("FIRST", "LAST"),
        help="only add the articles numbered FIRST to LAST - 1 (several loaders at once)",
    )
    parser.add_argument(
        "--interleave",
        nargs="+",
        type=int,
        metavar="SIZE",
        help="time corpora built earlier (size and these sizes) in turn, without building",
    )
    args = parser.parse_args()
    if args.interleave:
        interleaved([args.size, *args.interleave], args.runs)
        return
    if args.fill:
        first, last = args.fill
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        sections = synthetic.make_sections()
        add_articles(first, last, random.Random(first), timezone.now(), sections)
        return
    built = build(args.size, random.Random(args.size), timezone.now())
    for name, query in QUERIES.items():
        p50, p90, cpu, found = timed(query, args.runs)
        print(
            f"| {connection.vendor} | {args.size:,} | {name} `{query}` | {p50:.2f} | {p90:.2f} "
            f"| {cpu:.2f} | {found} |",
            flush=True,
        )
        if args.explain and connection.vendor == "postgresql":
            print("\n".join([f"### {name} at {args.size:,}", *explain(query)]), file=sys.stderr)
    print(f"built in {built:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
