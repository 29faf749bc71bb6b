"""A GIN index for full-text search on PostgreSQL; other databases search without it."""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS article_search ON articles_article "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search")


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_newsroom_groups")]

    operations = [migrations.RunPython(create_index, drop_index)]
