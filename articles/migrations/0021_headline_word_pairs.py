"""The headline part of the search text also holds each two adjacent words as one token.

A phrase of common words in a headline is then found from its pairs, each rarer than its
words (see ``articles.search.headline_part``). Only the headline part of ``search_text``
is written again, in SQL, so the bodies are not read; the search indexes follow it
(SQLite: the update trigger of 0015; PostgreSQL: the generated columns). No column or
table changes, so SQLite's triggers stay; on PostgreSQL the headline vector is kept in
the row.
"""

from django.db import migrations

BATCH = 1000


def _sql(vendor):
    """The headline part of each article's search text, and how to replace it."""
    if vendor == "postgresql":
        find = "strpos(search_text, E'\\x1f')"
    else:
        find = "instr(search_text, char(31))"
    select = f"SELECT id, title, substr(search_text, 1, {find} - 1) FROM articles_article WHERE {find} > 0"
    update = (
        f"UPDATE articles_article SET search_text = %s || substr(search_text, {find}) WHERE id = %s"
    )
    return select, update


def _rewrite(form):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        select, update = _sql(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(select)
            rows = cursor.fetchall()
        changed = [(form(title), pk) for pk, title, head in rows if form(title) != head]
        for start in range(0, len(changed), BATCH):
            with connection.cursor() as cursor:
                cursor.executemany(update, changed[start : start + BATCH])

    return run


def _with_pairs(title):
    from articles.search import headline_part

    return headline_part(title)


def _words_only(title):
    from articles.search import _part

    return _part(title or "")


def _storage(kind):
    """On PostgreSQL, where a row keeps its headline vector: MAIN keeps it in the row (as
    0015 does the search vector), so checking a phrase in the rows the index found reads
    no second table; the rewrite below stores every article's vector so."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE articles_article ALTER COLUMN headline_vector SET STORAGE {kind}",
                params=None,
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0020_api_key")]

    operations = [
        migrations.RunPython(_storage("MAIN"), _storage("EXTENDED")),
        migrations.RunPython(_rewrite(_with_pairs), _rewrite(_words_only)),
    ]
