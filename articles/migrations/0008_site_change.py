"""The moment readers' pages last changed, kept in the database too (articles/models/site.py)."""

from django.db import migrations, models
from django.utils import timezone


def first_moment(apps, schema_editor):
    SiteChange = apps.get_model("articles", "SiteChange")
    SiteChange.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"changed_at": timezone.now()}
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_search_vector_in_row")]

    operations = [
        migrations.CreateModel(
            name="SiteChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("changed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(first_moment, migrations.RunPython.noop),
    ]
