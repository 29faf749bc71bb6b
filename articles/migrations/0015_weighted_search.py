"""Search by relevance: the headline, sapo and body weighted apart, and a headline index.

``search_text`` now holds three parts (headline, sapo, body) split by ``\\x1f``, each
with its words folded and then, once more, as written with their marks (see
``articles/search.py``). Every article is indexed, whatever its status: readers'
searches keep to ``Article.objects.published()``, editors' find everything.

SQLite (when built with FTS5): two contentless FTS5 tables kept by triggers,
``article_search`` (headline, sapo, body) and ``article_search_head`` (the headline),
both keyed in publication order:

    key = (published_at, or 2100-01-01 for a story without one, in seconds) << 31 | id

PostgreSQL: two stored tsvector columns, ``search_vector`` (the parts weighted A, B, C)
kept in the row, and ``headline_vector``, each with a GIN index.

The search text of every article is computed again here, from its headline, sapo and
blocks, in the new form; going back computes the old form.
"""

from django.db import migrations, models

# Keep in step with search.py (_ID_BITS, _NO_TIME).
KEY = (
    "((COALESCE(CAST(strftime('%s', {row}.published_at) AS INTEGER), 4102444800) << 31) + {row}.id)"
)
# The three parts of search_text, split by char(31).
_REST = "substr({row}.search_text, instr({row}.search_text, char(31)) + 1)"
TITLE = "substr({row}.search_text, 1, instr({row}.search_text, char(31)) - 1)"
SAPO = f"substr({_REST}, 1, instr({_REST}, char(31)) - 1)"
BODY = f"substr({_REST}, instr({_REST}, char(31)) + 1)"


def _parts(row):
    return ", ".join(part.format(row=row) for part in (TITLE, SAPO, BODY))


def _index(row):
    key = KEY.format(row=row)
    return (
        f"INSERT INTO article_search(rowid, title, sapo, body) SELECT {key}, {_parts(row)}; "
        f"INSERT INTO article_search_head(rowid, title) SELECT {key}, {TITLE.format(row=row)};"
    )


def _unindex(row):
    # A contentless table forgets a row only when given the exact text it indexed.
    key = KEY.format(row=row)
    return (
        f"INSERT INTO article_search(article_search, rowid, title, sapo, body) "
        f"SELECT 'delete', {key}, {_parts(row)}; "
        f"INSERT INTO article_search_head(article_search_head, rowid, title) "
        f"SELECT 'delete', {key}, {TITLE.format(row=row)};"
    )


TOKENS = "tokenize='unicode61 remove_diacritics 0'"
SQLITE_DROP_OLD = [
    "DROP TRIGGER IF EXISTS article_search_insert",
    "DROP TRIGGER IF EXISTS article_search_delete",
    "DROP TRIGGER IF EXISTS article_search_update",
    "DROP TABLE IF EXISTS article_search",
]
SQLITE = [
    # Full detail: phrases need each word's position. Prefix indexes for the related
    # picker, which matches the last word typed as the start of a headline's word.
    f"CREATE VIRTUAL TABLE article_search USING fts5(title, sapo, body, content='', {TOKENS})",
    "CREATE VIRTUAL TABLE article_search_head USING fts5("
    f"title, content='', {TOKENS}, prefix='1 2 3')",
    f"CREATE TRIGGER article_search_insert AFTER INSERT ON articles_article BEGIN "
    f"{_index('new')} END",
    f"CREATE TRIGGER article_search_delete AFTER DELETE ON articles_article BEGIN "
    f"{_unindex('old')} END",
    f"CREATE TRIGGER article_search_update "
    f"AFTER UPDATE OF id, published_at, search_text ON articles_article BEGIN "
    f"{_unindex('old')} {_index('new')} END",
]
SQLITE_FILL = [
    f"INSERT INTO article_search(rowid, title, sapo, body) "
    f"SELECT {KEY.format(row='a')}, {_parts('a')} FROM articles_article a",
    f"INSERT INTO article_search_head(rowid, title) "
    f"SELECT {KEY.format(row='a')}, {TITLE.format(row='a')} FROM articles_article a",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS article_search_insert",
    "DROP TRIGGER IF EXISTS article_search_delete",
    "DROP TRIGGER IF EXISTS article_search_update",
    "DROP TABLE IF EXISTS article_search",
    "DROP TABLE IF EXISTS article_search_head",
]


def _weighted(part, weight):
    return (
        f"setweight(to_tsvector('simple'::regconfig, "
        f"split_part(COALESCE(search_text, ''), E'\\x1f', {part})), '{weight}')"
    )


POSTGRESQL = [
    "DROP INDEX IF EXISTS article_search",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE articles_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    f"{_weighted(1, 'A')} || {_weighted(2, 'B')} || {_weighted(3, 'C')}) STORED",
    "ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE MAIN",
    "ALTER TABLE articles_article ADD COLUMN headline_vector tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple'::regconfig, split_part(COALESCE(search_text, ''), E'\\x1f', 1))"
    ") STORED",
    "CREATE INDEX article_search ON articles_article USING gin (search_vector)",
    "CREATE INDEX article_search_head ON articles_article USING gin (headline_vector)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS article_search_head",
    "DROP INDEX IF EXISTS article_search",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS headline_vector",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE articles_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, COALESCE(search_text, ''))) STORED",
    "ALTER TABLE articles_article ALTER COLUMN search_vector SET STORAGE MAIN",
    "CREATE INDEX article_search ON articles_article USING gin (search_vector)",
]


def has_fts5(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        return bool(cursor.fetchone()[0])


def _run(statements, schema_editor):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def _texts(apps, schema_editor):
    """Each article's headline, sapo and block texts, read in three queries."""
    using = schema_editor.connection.alias
    Article = apps.get_model("articles", "Article")
    blocks = {}
    for model, field in (("TextBlock", "text"), ("Figure", "caption")):
        rows = apps.get_model("articles", model).objects.using(using)
        for article_id, position, value in rows.values_list("article_id", "position", field):
            blocks.setdefault(article_id, []).append((position, value))
    for article in Article.objects.using(using).only("pk", "title", "sapo").iterator():
        body = [value for _, value in sorted(blocks.get(article.pk, []), key=lambda b: b[0])]
        yield article, body


def _refill(form):
    def run(apps, schema_editor):
        Article = apps.get_model("articles", "Article")
        changed = []
        for article, body in _texts(apps, schema_editor):
            article.search_text = form(article.title, article.sapo, body)
            changed.append(article)
            if len(changed) == 1000:
                Article.objects.using(schema_editor.connection.alias).bulk_update(
                    changed, ["search_text"]
                )
                changed = []
        Article.objects.using(schema_editor.connection.alias).bulk_update(changed, ["search_text"])

    return run


def _new_form(title, sapo, body):
    from articles.search import document

    return document(title, sapo, body)


def _old_form(title, sapo, body):
    from articles.text import fold

    return fold("\n".join(filter(None, [title, sapo, *body])))


def create(apps, schema_editor):
    connection = schema_editor.connection
    fts5 = connection.vendor == "sqlite" and has_fts5(connection)
    if fts5:
        _run(SQLITE_DROP_OLD, schema_editor)
    _refill(_new_form)(apps, schema_editor)
    if fts5:
        _run(SQLITE + SQLITE_FILL, schema_editor)
    elif connection.vendor == "postgresql":
        _run(POSTGRESQL, schema_editor)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        _run(SQLITE_REVERSE, schema_editor)
    elif connection.vendor == "postgresql":
        _run(POSTGRESQL_REVERSE, schema_editor)
    _refill(_old_form)(apps, schema_editor)
    if connection.vendor == "sqlite" and has_fts5(connection):
        from importlib import import_module

        old = import_module("articles.migrations.0005_search_in_date_order")
        old.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_bylines_to_authors")]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="search_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Headline, sapo and body as search indexes them (articles.search.document).",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
