"""The old blocks' fields go, once 0011 carried them into the new body."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_body_from_old_blocks")]

    operations = [
        migrations.RemoveField(
            model_name="figure",
            name="alt_text",
        ),
        migrations.RemoveField(
            model_name="figure",
            name="credit",
        ),
        migrations.RemoveField(
            model_name="figure",
            name="image",
        ),
        migrations.RemoveField(
            model_name="figure",
            name="image_height",
        ),
        migrations.RemoveField(
            model_name="figure",
            name="image_width",
        ),
        migrations.RemoveField(
            model_name="figure",
            name="position",
        ),
        migrations.RemoveField(
            model_name="figure",
            name="rendition_widths",
        ),
        migrations.AlterModelOptions(
            name="figure",
            options={
                "ordering": ["ordering", "pk"],
                "verbose_name": "figure",
                "verbose_name_plural": "figures",
            },
        ),
        migrations.AlterField(
            model_name="figure",
            name="caption",
            field=models.TextField(
                blank=True,
                help_text="This story's caption; left empty, the photo's default caption.",
                verbose_name="caption",
            ),
        ),
        migrations.DeleteModel(
            name="TextBlock",
        ),
    ]
