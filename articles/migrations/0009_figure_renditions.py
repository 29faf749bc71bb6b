"""Each figure records the widths of its renditions, which a worker now makes after the save.

Until now they were made during every save of a figure, so an existing figure is taken
to have those narrower than its photo, as ``articles.renditions`` chose them.
"""

from django.db import migrations, models

WIDTHS = (480, 800, 1200)


def record_made_widths(apps, schema_editor):
    Figure = apps.get_model("articles", "Figure")
    figures = Figure.objects.exclude(image="").filter(image_width__gt=min(WIDTHS))
    batch = []
    for figure in figures.only("pk", "image_width").iterator(chunk_size=1000):
        figure.rendition_widths = " ".join(str(w) for w in WIDTHS if w < figure.image_width)
        batch.append(figure)
        if len(batch) == 1000:
            Figure.objects.bulk_update(batch, ["rendition_widths"])
            batch = []
    Figure.objects.bulk_update(batch, ["rendition_widths"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_site_change")]

    operations = [
        migrations.AddField(
            model_name="figure",
            name="rendition_widths",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                help_text="The widths of the photo's renditions made so far (“480 800”); pages link to these only, and to the photo itself until they are made.",
                max_length=50,
            ),
        ),
        migrations.RunPython(record_made_widths, migrations.RunPython.noop),
    ]
