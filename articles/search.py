"""Finding articles by the words readers type, with or without accents.

Both sides are folded by ``text.fold`` (the stored ``Article.search_text`` and
the query), so ``tay ho``, ``TÂY HỒ`` and ``Tây Hồ`` are the same words. Each
word matches the start of a word in the article, and every word must match.
Readers get the newest 100 matches (``RANKED_MATCHES``), five pages.

The work must not grow with the number of matches: a common word matches most
of the archive. Each database finds the newest matches with the index that
migration 0005 builds for it:

- SQLite: an FTS5 table whose rowid is a key in publication order (published
  second, then id), so FTS5 walks the matches newest first and stops at 100.
- PostgreSQL: full-text search with the ``simple`` configuration (folding already
  did what a Vietnamese dictionary would) on a stored tsvector. The planner walks
  the newest articles and checks each vector when a word is common, and takes the
  GIN index when it is rare. The 100 are ranked by relevance, then recency.

Other databases, and SQLite built without FTS5, take the portable path: every
word contained, newest first, read from every row.
"""

import functools
import hashlib
import re

from django.db import connection
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils import timezone

from . import text

MAX_WORDS = 12
# What a common word's search costs follows this number, not the archive's size: SQLite
# reads this many rows and PostgreSQL walks the newest articles until it has this many.
# At 300 (15 pages), a search's p50 under load at 100,000 articles was 1.9 times (SQLite)
# and 1.8 times (PostgreSQL) its p50 at 1,000; at 100, 1.05 and 1.22 (bench/RESULTS.md).
RANKED_MATCHES = 100
_WORD = re.compile(r"[^\W_]+")
# The SQLite key (migration 0005): published second << _ID_BITS | id.
_ID_BITS = 31


def words(query):
    return _WORD.findall(text.fold(query))[:MAX_WORDS]


def words_key(query):
    """A short name for what ``query`` searches for (its folded words), for caches."""
    return "search-" + hashlib.sha256(" ".join(words(query)).encode()).hexdigest()[:32]


def search(queryset, query):
    found = words(query)
    if not found:
        return queryset.none()
    if connection.vendor == "postgresql":
        return _full_text(queryset, found)
    if connection.vendor == "sqlite" and _has_index():
        return _newest_first(queryset, found)
    for word in found:
        queryset = queryset.filter(search_text__contains=word)
    return queryset.order_by("-published_at", "-pk")


@functools.cache
def _has_index():
    """Whether migration 0005 made the FTS5 table (it does only where SQLite has FTS5)."""
    return "article_search" in connection.introspection.table_names()


def _newest_first(queryset, found):
    # Only words() tokens reach MATCH, each a quoted string: nothing a reader types
    # can become an FTS5 operator. "word"* is a prefix query.
    match = " ".join(f'"{word}"*' for word in found)
    # The index holds published articles; keys above this second are scheduled ones.
    now = int(timezone.now().timestamp()) + 1 << _ID_BITS
    newest = RawSQL(
        "SELECT rowid & %s FROM article_search WHERE article_search MATCH %s AND rowid < %s "
        "ORDER BY rowid DESC LIMIT %s",
        [(1 << _ID_BITS) - 1, match, now, RANKED_MATCHES],
    )
    return queryset.filter(pk__in=newest).order_by("-published_at", "-pk")


def _full_text(queryset, found):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

    # The stored column of migration 0005, which the GIN index covers.
    vector = RawSQL("search_vector", [], output_field=SearchVectorField())
    terms = SearchQuery(
        " & ".join(f"'{word}':*" for word in found), config="simple", search_type="raw"
    )
    # Only the newest matches are ranked: readers of news want recent stories first
    # among the relevant ones, and ranking every match of a common word cost seconds.
    newest = (
        queryset.alias(document=vector)
        .filter(document=terms)
        .order_by("-published_at", "-pk")
        .values("pk")[:RANKED_MATCHES]
    )
    return (
        queryset.filter(pk__in=newest)
        .annotate(rank=SearchRank(vector, terms))
        .order_by(F("rank").desc(), "-published_at", "-pk")
    )
