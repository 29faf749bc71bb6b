"""An article can say its publication time is an estimate, so readers are not shown it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_remove_old_blocks")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="time_is_known",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "The publication time is the story's own, not an estimate. When it is "
                    "not, readers see no time; lists, feeds and sitemaps still order by it."
                ),
                verbose_name="time is known",
            ),
        ),
    ]
