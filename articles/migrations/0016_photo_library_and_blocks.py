"""The photo library and the body's new kinds of block (rich text, quote, embed, story
card); figures gain a photo of the library and content-editor's region and order.

The old blocks are carried over by 0011 and their old fields removed by 0012.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import articles.embeds
import articles.models.photos


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_weighted_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Photo",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "image",
                    models.ImageField(
                        height_field="image_height",
                        upload_to=articles.models.photos.figure_upload_to,
                        verbose_name="image",
                        width_field="image_width",
                    ),
                ),
                ("image_width", models.PositiveIntegerField(blank=True, editable=False, null=True)),
                (
                    "image_height",
                    models.PositiveIntegerField(blank=True, editable=False, null=True),
                ),
                ("credit", models.CharField(blank=True, max_length=200, verbose_name="credit")),
                (
                    "alt_text",
                    models.CharField(
                        help_text="What the photo shows, for readers who cannot see it.",
                        max_length=300,
                        verbose_name="alt text",
                    ),
                ),
                (
                    "caption",
                    models.TextField(
                        blank=True,
                        help_text="A story that uses the photo starts with this caption.",
                        verbose_name="default caption",
                    ),
                ),
                (
                    "focal_x",
                    models.FloatField(
                        default=0.5,
                        help_text="Click on the photo to set the point that crops keep.",
                        validators=[
                            django.core.validators.MinValueValidator(0.0),
                            django.core.validators.MaxValueValidator(1.0),
                        ],
                        verbose_name="focal point (across)",
                    ),
                ),
                (
                    "focal_y",
                    models.FloatField(
                        default=0.5,
                        validators=[
                            django.core.validators.MinValueValidator(0.0),
                            django.core.validators.MaxValueValidator(1.0),
                        ],
                        verbose_name="focal point (down)",
                    ),
                ),
                (
                    "uploaded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="uploaded"
                    ),
                ),
                (
                    "rendition_widths",
                    models.CharField(
                        blank=True,
                        default="",
                        editable=False,
                        help_text="The widths of the photo's renditions made so far (“480 800”); pages link to these only, and to the photo itself until they are made.",
                        max_length=50,
                    ),
                ),
                (
                    "crops",
                    models.CharField(
                        blank=True,
                        default="",
                        editable=False,
                        help_text="The focal point (“0.5 0.5”) the 16:9 and square crops were made from.",
                        max_length=50,
                    ),
                ),
                (
                    "search_text",
                    models.TextField(
                        blank=True,
                        editable=False,
                        help_text="Caption, credit and alt text folded, for search.",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "photo",
                "verbose_name_plural": "photos",
                "ordering": ["-uploaded_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="Embed",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region", models.CharField(blank=True, default="body", max_length=40)),
                ("ordering", models.IntegerField(default=0, verbose_name="order")),
                (
                    "url",
                    models.URLField(
                        help_text="The address of a YouTube video or a Facebook post or video.",
                        max_length=500,
                        validators=[articles.embeds.validate_embed_url],
                        verbose_name="link",
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(class)ss",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "embed",
                "verbose_name_plural": "embeds",
                "ordering": ["ordering", "pk"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="Quote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region", models.CharField(blank=True, default="body", max_length=40)),
                ("ordering", models.IntegerField(default=0, verbose_name="order")),
                ("text", models.TextField(verbose_name="quotation")),
                (
                    "attribution",
                    models.CharField(blank=True, max_length=200, verbose_name="who said it"),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(class)ss",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "quote",
                "verbose_name_plural": "quotes",
                "ordering": ["ordering", "pk"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="RichText",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region", models.CharField(blank=True, default="body", max_length=40)),
                ("ordering", models.IntegerField(default=0, verbose_name="order")),
                ("text", models.TextField(blank=True, verbose_name="text")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(class)ss",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "text",
                "verbose_name_plural": "texts",
                "ordering": ["ordering", "pk"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="StoryCard",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region", models.CharField(blank=True, default="body", max_length=40)),
                ("ordering", models.IntegerField(default=0, verbose_name="order")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(class)ss",
                        to="articles.article",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.article",
                        verbose_name="related article",
                    ),
                ),
            ],
            options={
                "verbose_name": "related story card",
                "verbose_name_plural": "related story cards",
                "ordering": ["ordering", "pk"],
                "abstract": False,
            },
        ),
        migrations.AddField(
            model_name="figure",
            name="ordering",
            field=models.IntegerField(default=0, verbose_name="order"),
        ),
        migrations.AddField(
            model_name="figure",
            name="region",
            field=models.CharField(blank=True, default="body", max_length=40),
        ),
        migrations.AddField(
            model_name="figure",
            name="photo",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="figures",
                to="articles.photo",
                verbose_name="photo",
            ),
        ),
    ]
