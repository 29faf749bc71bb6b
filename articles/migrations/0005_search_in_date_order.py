"""Search indexes whose cost does not grow with the number of matches (see search.py).

SQLite (when built with FTS5): a contentless FTS5 table ``article_search`` over the
folded ``search_text`` of published articles, kept in sync by triggers. Its rowid is
not the article id but a key in publication order, so the newest matches come first
and a query can stop after 300 of them:

    key = (published_at in whole seconds since 1970) << 31 | id

PostgreSQL: the tsvector is stored in a generated column, so checking a row or ranking
it reads the vector instead of re-parsing the text; the GIN index moves onto it.

Other databases, and SQLite without FTS5, get nothing and search without an index.
"""

from django.db import migrations

# Keep in step with search.py (_ID_BITS): the id is the key's low 31 bits.
KEY = "((CAST(strftime('%s', {row}.published_at) AS INTEGER) << 31) + {row}.id)"
INDEXED = "{row}.status = 'published' AND {row}.published_at IS NOT NULL"


def _index(row):
    return (
        f"INSERT INTO article_search(rowid, search_text) "
        f"SELECT {KEY.format(row=row)}, {row}.search_text WHERE {INDEXED.format(row=row)};"
    )


def _unindex(row):
    # A contentless table forgets a row only when given the exact text it indexed.
    return (
        f"INSERT INTO article_search(article_search, rowid, search_text) "
        f"SELECT 'delete', {KEY.format(row=row)}, {row}.search_text "
        f"WHERE {INDEXED.format(row=row)};"
    )


SQLITE = [
    # detail=none: only which rows hold a word, all that matching needs. The prefix
    # indexes make "word"* read one list instead of merging every longer word's list;
    # a Vietnamese syllable has at most 7 letters ("nghieng").
    "CREATE VIRTUAL TABLE article_search USING fts5("
    "search_text, content='', columnsize=0, detail=none, prefix='1 2 3 4 5 6 7')",
    f"CREATE TRIGGER article_search_insert AFTER INSERT ON articles_article BEGIN "
    f"{_index('new')} END",
    f"CREATE TRIGGER article_search_delete AFTER DELETE ON articles_article BEGIN "
    f"{_unindex('old')} END",
    f"CREATE TRIGGER article_search_update "
    f"AFTER UPDATE OF id, status, published_at, search_text ON articles_article BEGIN "
    f"{_unindex('old')} {_index('new')} END",
    "INSERT INTO article_search(rowid, search_text) "
    f"SELECT {KEY.format(row='a')}, a.search_text FROM articles_article a "
    f"WHERE {INDEXED.format(row='a')}",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS article_search_insert",
    "DROP TRIGGER IF EXISTS article_search_delete",
    "DROP TRIGGER IF EXISTS article_search_update",
    "DROP TABLE IF EXISTS article_search",
]

POSTGRESQL = [
    "ALTER TABLE articles_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, COALESCE(search_text, ''))) STORED",
    "DROP INDEX IF EXISTS article_search",
    "CREATE INDEX article_search ON articles_article USING gin (search_vector)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS article_search",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS article_search ON articles_article "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))",
]


def has_fts5(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        return bool(cursor.fetchone()[0])


def _run(statements, schema_editor):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite" and has_fts5(connection):
        _run(SQLITE, schema_editor)
    elif connection.vendor == "postgresql":
        _run(POSTGRESQL, schema_editor)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _run(SQLITE_REVERSE, schema_editor)
    elif schema_editor.connection.vendor == "postgresql":
        _run(POSTGRESQL_REVERSE, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_search_index")]

    operations = [migrations.RunPython(create, drop)]
