"""Finding articles by the words readers type, with or without accents.

Both sides are folded by ``text.fold`` (the stored ``Article.search_text`` and
the query), so ``tay ho``, ``TÂY HỒ`` and ``Tây Hồ`` are the same words. Each
word matches the start of a word in the article, and every word must match.

On PostgreSQL the words go through full-text search with the ``simple``
configuration (folding already did what a Vietnamese dictionary would), backed
by a GIN index (migration 0004); the newest 300 matches are ranked by relevance,
then recency. Other databases take the portable path: every word contained,
newest first.
"""

import re

from django.db import connection
from django.db.models import F

from . import text

MAX_WORDS = 12
RANKED_MATCHES = 300
_WORD = re.compile(r"[^\W_]+")


def words(query):
    return _WORD.findall(text.fold(query))[:MAX_WORDS]


def search(queryset, query):
    found = words(query)
    if not found:
        return queryset.none()
    if connection.vendor == "postgresql":
        return _full_text(queryset, found)
    for word in found:
        queryset = queryset.filter(search_text__contains=word)
    return queryset.order_by("-published_at", "-pk")


def _full_text(queryset, found):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    # Matches the expression of the GIN index in migration 0004, so the index is used.
    vector = SearchVector("search_text", config="simple")
    terms = SearchQuery(
        " & ".join(f"'{word}':*" for word in found), config="simple", search_type="raw"
    )
    # Ranking reads the text of every match; a common word at 100,000 articles made
    # that seconds. So the newest matches are found by the index alone, and only they
    # are ranked: readers of news want recent stories first among the relevant ones.
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
