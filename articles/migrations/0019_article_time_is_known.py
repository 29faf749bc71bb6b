"""An article can say its publication time is an estimate, so readers are not shown it.

On SQLite the column is added with ``ALTER TABLE … ADD COLUMN``: Django's ``AddField``
rebuilds the table there, which drops the search index's triggers on it (0015).
"""

from django.db import migrations, models

HELP = (
    "The publication time is the story's own, not an estimate. When it is "
    "not, readers see no time; lists, feeds and sitemaps still order by it."
)


def _field():
    field = models.BooleanField(default=True, help_text=HELP, verbose_name="time is known")
    field.set_attributes_from_name("time_is_known")
    return field


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "ALTER TABLE articles_article ADD COLUMN time_is_known bool NOT NULL DEFAULT 1",
            params=None,
        )
    else:
        schema_editor.add_field(apps.get_model("articles", "Article"), _field())


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ALTER TABLE articles_article DROP COLUMN time_is_known", params=None)
    else:
        schema_editor.remove_field(apps.get_model("articles", "Article"), _field())


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_remove_old_blocks")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_column, drop_column)],
            state_operations=[
                migrations.AddField(
                    model_name="article",
                    name="time_is_known",
                    field=models.BooleanField(
                        default=True, help_text=HELP, verbose_name="time is known"
                    ),
                ),
            ],
        ),
    ]
