"""Finding articles by the words people type, with or without accents, best match first.

What is indexed (``document``, stored in ``Article.search_text``): the headline, the sapo
and the body's ``searchable_text()``, three parts split by ``SEPARATOR``, each as its
words folded by ``text.fold`` (``Hồ Tây`` is ``ho tay``), so that ``tay ho``, ``TÂY HỒ``
and ``Tây Hồ``, in NFC or NFD, find the same stories. The headline part then holds each
two adjacent words joined as one token (``hoˍtay``, ``headline_part``), for phrases.
The marks a word was typed with are weighed afterwards, on the candidates' headlines and
sapos (step 2 below). The indexes of migrations 0015 and 0021 read it:

- SQLite: two FTS5 tables kept by triggers, ``article_search`` (headline, sapo, body)
  and ``article_search_head`` (the headline alone), whose rowid is a key in publication
  order (see ``_key``), so FTS5 walks any match newest first.
- PostgreSQL: two stored ``tsvector`` columns with GIN indexes: ``search_vector``, the
  three parts weighted ``setweight`` A, B and C, and ``headline_vector``.

How a query is answered (``ranked``):

1. Candidates. Four walks, each stopping at the newest ``SCAN`` matches: the words as a
   phrase in the headline and all the words in the headline (from the small headline
   index), then the phrase anywhere and all the words anywhere (from the whole one). A
   phrase is the words adjacent and in order: FTS5's ``"a b"``, PostgreSQL's ``a <-> b``.
   In the headline the index is asked for the phrase's rarest pair tokens (``_rarest``)
   and the phrase is checked in the rows they find, so that a phrase of common words
   costs what its rarest pairs cost. A walk that finds ``SCAN`` headlines ends the
   search: those take the first places.
2. Scores, in Python, identical on both engines, for at most ``4 * SCAN`` candidates:
   headline beats sapo beats body (the weights of ``WEIGHTS``); a phrase beats the same
   words scattered; each word typed with its marks and found with the same marks in the
   headline or sapo beats a folded match (``Hồ`` ranks "Hồ" above "hộ" and "họ", ``ho``
   finds all three alike); a recency boost worth less than any of these lets this week's
   story beat a years-old one of the same relevance; ties go to the newer story.

Why the cost is bounded when a word is common: no step ranks every match. A walk in
publication order stops after ``SCAN`` matches (SQLite: FTS5 reads its doclists in rowid
order, which is publication order; PostgreSQL: the planner walks the ``article_newest``
index backwards and checks each row's vector, or takes the GIN index when the words are
rare and sorts the few matches). Readers' walks start at the present (``published()``
notes it), not at the scheduled stories. The headline walks read the small index, so an
old story whose headline matches is found however many newer stories mention the words
in their bodies; when ``SCAN`` headlines hold every word, they take the first places and
the whole index is not read at all. Neither engine's own ranking function ranks the
matches: FTS5's ``bm25`` first counts every row that holds each word (for its IDF), the
whole archive for a word in every story, and PostgreSQL's ``ts_rank`` reads the vector
of each row it ranks. Step 2 reads only the candidates' headlines and sapos.

What still grows with the archive: several words each common but rare together and
never adjacent in a headline (no pair token to start from): both engines intersect each
word's list. A whole headline is found from its pairs. The figures, with the plans, are
in bench/RESULTS-SEARCH.md.
"""

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import BooleanField, Case, IntegerField, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from . import text

MAX_WORDS = 12
# How many matches each walk keeps: what a common word costs follows this number, not
# the size of the archive.
SCAN = 100
# Kept for callers that show how many results there may be at most.
RANKED_MATCHES = SCAN
SEPARATOR = "\x1f"
# Joins two adjacent words of a headline into one token (``tayˍho``): a letter to both
# indexes' tokenizers, never part of a word read from a query or a text.
PAIR = "\u02cd"
_WORD = re.compile(r"[^\W_\u02cd]+")
# The SQLite key (migration 0010): seconds of publication << _ID_BITS | id.
_ID_BITS = 31
_ID_MASK = (1 << _ID_BITS) - 1
# Stories without a publication time (drafts) sort as the newest, as on PostgreSQL.
_FAR = datetime(2100, 1, 1, tzinfo=UTC)
_NO_TIME = int(_FAR.timestamp())

WEIGHTS = {
    "headline": 8.0,  # every word in the headline
    "headline_phrase": 6.0,  # ... as a phrase
    "headline_whole": 4.0,  # the query is the whole headline
    "headline_share": 3.0,  # times the share of the words found in the headline
    "sapo": 3.0,  # every word in the sapo
    "sapo_phrase": 2.0,
    "phrase": 2.0,  # the phrase anywhere (the body included)
    "tone_headline": 1.5,  # per word typed with marks and found so in the headline
    "tone_sapo": 0.5,
    "recent": 1.0,  # at most: today's story; halved at RECENT_DAYS
}
RECENT_DAYS = 30


@dataclass(frozen=True)
class Query:
    """What a query searches for: folded words, and the same words as typed."""

    folded: tuple
    toned: tuple
    prefix: bool = False

    def __bool__(self):
        return bool(self.folded)

    @property
    def marked(self):
        """The words typed with marks (those whose exact form counts)."""
        return {t for f, t in zip(self.folded, self.toned, strict=True) if f != t}


def _pairs(value):
    """Each word of ``value`` as (folded, lower-cased as written), in NFC."""
    pairs = []
    for word in _WORD.findall(unicodedata.normalize("NFC", value).lower()):
        pairs += _word_pairs(word)
    return pairs


@functools.lru_cache(maxsize=100_000)
def _word_pairs(word):
    folded = _WORD.findall(text.fold(word))
    if len(folded) == 1:
        return ((folded[0], word),)
    return tuple((f, f) for f in folded)


@functools.lru_cache(maxsize=100_000)
def _folded(word):
    """``text.fold`` of one word as written, remembered: the results' snippets fold the
    same few thousand syllables on every search."""
    return text.fold(word)


def parse(query, prefix=False):
    pairs = _pairs(query)[:MAX_WORDS]
    return Query(tuple(f for f, _ in pairs), tuple(t for _, t in pairs), prefix)


def words(query):
    return list(parse(query).folded)


def words_key(query, *extra):
    """A short name for what ``query`` searches for, and how, for caches."""
    parsed = parse(query)
    named = " ".join(parsed.folded) + "|" + " ".join(parsed.toned) + "|" + repr(extra)
    return "search-" + hashlib.sha256(named.encode()).hexdigest()[:32]


def _part(value):
    return " ".join(f for f, _ in _pairs(value))


def headline_part(title):
    """The headline's folded words, then each two adjacent ones as one token."""
    folded = [f for f, _ in _pairs(title or "")]
    return " ".join(folded + _adjacent(folded))


def _adjacent(folded):
    return [a + PAIR + b for a, b in zip(folded, folded[1:], strict=False)]


def document(title, sapo, body_texts):
    """The stored search text of an article (see the module's docstring)."""
    body = "\n".join(filter(None, body_texts))
    return SEPARATOR.join([headline_part(title), _part(sapo or ""), _part(body)])


# The walks -------------------------------------------------------------------------


def _fts_words(query):
    # Only words() tokens reach MATCH, each a quoted string: nothing typed can become
    # an FTS5 operator.
    quoted = [f'"{w}"' for w in query.folded]
    if query.prefix:
        quoted[-1] += "*"
    return quoted


# SQLite: the stored text a walk checks in the rows its index found: the headline part,
# or every part (apart, so that no phrase runs from one into the next).
_HEAD_TEXT = "substr(search_text, 1, instr(search_text, char(31)) - 1)"
_ALL_TEXT = "replace(search_text, char(31), ' . ')"


def _sqlite_walk(queryset, table, match, since, until, check=None):
    """The newest ``SCAN`` rows ``match`` finds; ``check``, (text, pieces): only those
    whose stored ``text`` holds each piece (words, one space apart) whole."""
    low = (int(since.timestamp()) << _ID_BITS) if since else 0
    high = (int(until.timestamp()) << _ID_BITS) if until else (_NO_TIME + 1) << _ID_BITS
    key = RawSQL(f"({table}.rowid & {_ID_MASK})", [])
    inner = queryset.order_by().filter(pk=key)
    if check:
        text_sql, pieces = check
        for piece in pieces:
            inner = inner.filter(
                RawSQL(f"instr(' ' || {text_sql} || ' ', %s) > 0", [f" {piece} "], BooleanField())
            )
    sql, params = inner.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid & {_ID_MASK} FROM {table} WHERE {table} MATCH %s "
            f"AND rowid >= %s AND rowid < %s AND EXISTS ({sql}) "
            f"ORDER BY rowid DESC LIMIT %s",
            [match, low, high, *params, SCAN],
        )
        return [row[0] for row in cursor.fetchall()]


def _sqlite_probe(table, terms):
    """For each term, how many of its newest ``_PROBE`` matches there are and the key of
    the oldest of them: fewer, or further back, is rarer."""
    probe = (
        f"SELECT count(*), min(rowid) FROM (SELECT rowid FROM {table} "
        f"WHERE {table} MATCH %s ORDER BY rowid DESC LIMIT %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join([probe] * len(terms)),
            [value for term in terms for value in (f'"{term}"', _PROBE)],
        )
        return dict(zip(terms, cursor.fetchall(), strict=True))


def _pg_walk(queryset, column, tsquery, since, until, check=None):
    # The query is written into the SQL, not passed as a parameter: with server-side
    # binding a statement run often gets a generic plan, which cannot tell a common word
    # from a rare one. Only words() tokens (letters and digits) reach it.
    def literal(value):
        return "'" + value.replace("'", "''") + "'"

    condition = f"{column} @@ to_tsquery('simple'::regconfig, {literal(tsquery)})"
    if check:
        # Called as a function, not as @@, the check is no index condition: the index
        # reads the rare tokens of ``tsquery`` only, the rows it finds are then checked.
        condition += (
            f" AND ts_match_vq({column}, to_tsquery('simple'::regconfig, {literal(check)}))"
        )
    # The time bounds too are written into the SQL: a readers' walk then differs from the
    # last one (the present moves), so it is never prepared, and each is planned for its
    # own words. A prepared walk's generic plan cannot tell a rare word's few matches from
    # a common one's and may walk every article by date (measured: 0.1 ms become 280 ms).
    for bound, operator in ((since, ">="), (until, "<")):
        if bound:
            condition += f" AND published_at {operator} '{bound.isoformat()}'::timestamptz"
    found = queryset.filter(RawSQL(condition, [], output_field=BooleanField()))
    return list(found.order_by("-published_at", "-pk").values_list("pk", flat=True)[:SCAN])


def _pg_terms(query):
    terms = [f"'{w}'" for w in query.folded]
    if query.prefix:
        terms[-1] += ":*"
    return terms


def _pair_terms(query):
    """The query's adjacent words as the headline index holds them (``headline_part``)."""
    return [a + PAIR + b for a, b in zip(query.folded, query.folded[1:], strict=False)]


# How many of a phrase's pairs the headline walk asks the index for: the rarest ones.
# Reading every pair's list costs what the commonest costs; the phrase is checked anyway.
RARE_PAIRS = 2
# SQLite: how many of a pair's newest matches tell how common it is.
_PROBE = 200


def _rarest(pairs):
    """The ``RARE_PAIRS`` pairs the headline index holds least often, as far as the engine
    tells it cheaply: PostgreSQL's statistics of the column (a pair not among its most
    common elements is rarer than those), or on SQLite how far back a pair's newest
    ``_PROBE`` matches reach (rarer pairs reach further, or have fewer)."""
    if len(pairs) <= RARE_PAIRS:
        return pairs
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = 'articles_article' "
                "AND attname = 'headline_vector'"
            )
            row = cursor.fetchone()
            frequency = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
            key = {p: frequency.get(p, 0.0) for p in pairs}
        else:
            key = _sqlite_probe("article_search_head", pairs)
    return sorted(pairs, key=lambda p: key[p])[:RARE_PAIRS]


def candidates(queryset, query, since=None, until=None):
    """The ids each walk finds: {"headline_phrase", "headline", "phrase", "all"} -> ids."""
    pairs = _pair_terms(query)
    # The phrase in the headline: the index reads only its pair tokens, each rarer than
    # its words; the phrase itself is checked in the rows found. A prefix query (the
    # picker's) reads the phrase from the index, its last word being any word's start.
    check = None
    if connection.vendor == "sqlite":
        quoted = _fts_words(query)
        phrase = '"' + " ".join(w.strip('"*') for w in quoted) + '"'
        if query.prefix:
            phrase += "*"
        every = " AND ".join(quoted)
        head_phrase = phrase
        if len(pairs) == 1 and not query.prefix:
            head_phrase = f'"{pairs[0]}"'  # two words: the pair is the phrase
        elif pairs and not query.prefix:
            rare = _rarest(pairs)
            head_phrase = " AND ".join(f'"{p}"' for p in rare)
            check = (_HEAD_TEXT, [" ".join(query.folded)])
        walk = _sqlite_walk
        head, whole = "article_search_head", "article_search"
    elif connection.vendor == "postgresql":
        terms = _pg_terms(query)
        phrase, every = " <-> ".join(terms), " & ".join(terms)
        head_phrase = phrase
        if len(pairs) == 1 and not query.prefix:
            head_phrase = f"'{pairs[0]}'"
        elif pairs and not query.prefix:
            head_phrase, check = " & ".join(f"'{p}'" for p in _rarest(pairs)), phrase
        walk = _pg_walk
        head, whole = "headline_vector", "search_vector"
    else:
        return _portable(queryset, query, since, until)
    single = len(query.folded) == 1
    found = {"headline_phrase": walk(queryset, head, head_phrase, since, until, check)}
    if len(found["headline_phrase"]) >= SCAN:
        # As many headlines hold the phrase as the walks keep: they take the first
        # places, and the other walks, of words that may each be common, are not taken.
        found["headline"] = found["phrase"] = found["all"] = []
        return found
    found["headline"] = (
        found["headline_phrase"] if single else walk(queryset, head, every, since, until)
    )
    if len(found["headline"]) >= SCAN:
        # As many headlines hold every word as the walks keep: they take the first places,
        # and the whole index, where common words fill long lists, is not read.
        found["phrase"] = found["all"] = []
        return found
    if connection.vendor == "sqlite" and not single and not query.prefix:
        return found | _sqlite_whole(queryset, query, since, until, phrase, every)
    found["phrase"] = walk(queryset, whole, phrase, since, until)
    found["all"] = found["phrase"] if single else walk(queryset, whole, every, since, until)
    return found


def _sqlite_whole(queryset, query, since, until, phrase, every):
    """The whole index's walks on SQLite. FTS5 reads a common word's list as far as the
    walk goes, even beside a rare word; when one word has fewer than ``_PROBE`` matches,
    the index is asked for that word alone and the others are checked in the rows."""
    counts = _sqlite_probe("article_search", sorted(set(query.folded)))
    word, (count, _) = min(counts.items(), key=lambda item: item[1])
    if count >= _PROBE:
        phrase_ids = _sqlite_walk(queryset, "article_search", phrase, since, until)
        return {
            "phrase": phrase_ids,
            "all": _sqlite_walk(queryset, "article_search", every, since, until),
        }
    rare = f'"{word}"'
    in_phrase = (_ALL_TEXT, [" ".join(query.folded)])
    every_word = (_ALL_TEXT, sorted(set(query.folded)))
    return {
        "phrase": _sqlite_walk(queryset, "article_search", rare, since, until, in_phrase),
        "all": _sqlite_walk(queryset, "article_search", rare, since, until, every_word),
    }


def _portable(queryset, query, since, until):
    """Databases without a full-text index: every word contained, newest first."""
    for word in query.folded:
        queryset = queryset.filter(search_text__contains=word)
    if since:
        queryset = queryset.filter(published_at__gte=since)
    if until:
        queryset = queryset.filter(published_at__lt=until)
    ids = list(queryset.order_by("-published_at", "-pk").values_list("pk", flat=True)[:SCAN])
    return {"headline_phrase": [], "headline": [], "phrase": [], "all": ids}


# The scores ------------------------------------------------------------------------


def _contains_phrase(words, phrase, prefix):
    n = len(phrase)
    for start in range(len(words) - n + 1):
        window = words[start : start + n]
        if window[:-1] == list(phrase[:-1]) and _word_matches(window[-1], phrase[-1], prefix):
            return True
    return False


def _word_matches(word, wanted, prefix):
    return word.startswith(wanted) if prefix else word == wanted


def _has_all(words, query):
    present = set(words)
    if not query.prefix:
        return present.issuperset(query.folded)
    last = query.folded[-1]
    return present.issuperset(query.folded[:-1]) and any(w.startswith(last) for w in present)


def score(query, title, sapo, when, in_phrase, now):
    """How well an article matches ``query`` (see the module's docstring)."""
    head = _pairs(title)
    head_folded = [f for f, _ in head]
    result = 0.0
    if _has_all(head_folded, query):
        result += WEIGHTS["headline"]
        if _contains_phrase(head_folded, query.folded, query.prefix):
            result += WEIGHTS["headline_phrase"]
            if len(head_folded) == len(query.folded):
                result += WEIGHTS["headline_whole"]
    found = sum(1 for q in set(query.folded) if q in head_folded)
    result += WEIGHTS["headline_share"] * found / len(set(query.folded))
    lead = _pairs(sapo)
    lead_folded = [f for f, _ in lead]
    if _has_all(lead_folded, query):
        result += WEIGHTS["sapo"]
        if _contains_phrase(lead_folded, query.folded, query.prefix):
            result += WEIGHTS["sapo_phrase"]
    if in_phrase:
        result += WEIGHTS["phrase"]
    marked = query.marked
    if marked:
        head_toned = {t for _, t in head}
        result += WEIGHTS["tone_headline"] * len(marked & head_toned)
        result += WEIGHTS["tone_sapo"] * len(marked & {t for _, t in lead})
    if when is not None:
        age = max((now - when).total_seconds(), 0) / 86400
        result += WEIGHTS["recent"] * RECENT_DAYS / (RECENT_DAYS + age)
    else:
        result += WEIGHTS["recent"]
    return result


@dataclass
class Results:
    """Ranked article ids, and whether a walk stopped at ``SCAN`` (more may match)."""

    ids: list
    capped: bool


def ranked(queryset, query, *, since=None, until=None, by_date=False, prefix=False):
    """The ids of the articles of ``queryset`` that ``query`` finds, best first."""
    parsed = query if isinstance(query, Query) else parse(query, prefix)
    if not parsed:
        return Results([], False)
    if (visible_at := getattr(queryset.query, "visible_at", None)) is not None:
        # Readers' articles (``published()``): nothing published later can be among them.
        limit = visible_at + timedelta(seconds=1)
        until = min(until, limit) if until else limit
    found = candidates(queryset, parsed, since, until)
    ids = set().union(*found.values())
    in_phrase = set(found["phrase"]) | set(found["headline_phrase"])
    rows = (
        queryset.model._default_manager.using(queryset.db)
        .filter(pk__in=ids)
        .values_list("pk", "title", "sapo", "published_at", "created_at")
    )
    now = timezone.now()
    scored = []
    for pk, title, sapo, published_at, created_at in rows:
        when = published_at or created_at
        points = score(parsed, title, sapo, when, pk in in_phrase, now)
        newest = (published_at or _FAR).timestamp()
        scored.append(((0 if by_date else -round(points, 6), -newest, -pk), pk))
    scored.sort()
    capped = any(len(ids_) >= SCAN for ids_ in found.values())
    return Results([pk for _, pk in scored], capped)


def search(queryset, query, **options):
    """``queryset``'s articles that ``query`` finds, in the order of ``ranked``."""
    ids = ranked(queryset, query, **options).ids
    if not ids:
        return queryset.alias(search_order=Value(0)).none()
    order = Case(
        *(When(pk=pk, then=Value(n)) for n, pk in enumerate(ids)), output_field=IntegerField()
    )
    return queryset.filter(pk__in=ids).alias(search_order=order).order_by("search_order")


def suggestions(query):
    """Other queries to try when ``query`` finds nothing: the words without marks, and
    fewer words (the first ones)."""
    parsed = parse(query)
    tries = []
    folded = " ".join(parsed.folded)
    if folded != " ".join(parsed.toned):
        tries.append(folded)
    if len(parsed.toned) > 1:
        tries.append(" ".join(parsed.toned[: max(1, len(parsed.toned) // 2)]))
        tries.append(" ".join(parsed.toned[:-1]))
    return list(dict.fromkeys(t for t in tries if t and t != query))


def highlight(value, query):
    """``value`` escaped, with the words ``query`` searches for in ``<mark>``."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    parsed = query if isinstance(query, Query) else parse(query)
    wanted = set(parsed.folded)
    pieces, last = [], 0
    nfc = unicodedata.normalize("NFC", value or "")
    for match in _WORD.finditer(nfc):
        if _folded(match.group()) in wanted:
            pieces.append(escape(nfc[last : match.start()]))
            pieces.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    pieces.append(escape(nfc[last:]))
    return mark_safe("".join(pieces))


def snippet(value, query, words_around=18):
    """A piece of ``value`` around the first matched word, highlighted, or None."""
    parsed = query if isinstance(query, Query) else parse(query)
    tokens = unicodedata.normalize("NFC", value or "").split()
    wanted = set(parsed.folded)
    for n, token in enumerate(tokens):
        if any(w in wanted for w in _WORD.findall(_folded(token))):
            start = max(0, n - words_around // 3)
            piece = " ".join(tokens[start : start + words_around])
            before = "… " if start else ""
            after = " …" if start + words_around < len(tokens) else ""
            return highlight(before + piece + after, parsed)
    return None
