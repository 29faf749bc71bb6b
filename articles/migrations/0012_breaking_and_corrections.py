"""Breaking news (an end time on the article) and corrections and updates, which editors
add, change and remove, and reporters see."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

REPORTERS = "Phóng viên"
EDITORS = "Biên tập viên"
GRANTS = {
    REPORTERS: ["view_correction"],
    EDITORS: [f"{verb}_correction" for verb in ("add", "change", "delete", "view")],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="articles", codename__in=codenames
                )
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="articles", codename__endswith="_correction"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_autosave"),
        ("articles", "0003_newsroom_groups"),
    ]

    operations = [
        migrations.CreateModel(
            name="Correction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("correction", "Correction"), ("update", "Update")],
                        default="correction",
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("text", models.TextField(verbose_name="text")),
                (
                    "created_at",
                    models.DateTimeField(editable=False, verbose_name="time"),
                ),
            ],
            options={
                "verbose_name": "correction or update",
                "verbose_name_plural": "corrections and updates",
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="breaking_until",
            field=models.DateTimeField(
                blank=True,
                help_text="A banner on every page links to the article until this time, then disappears by itself. Leave empty for an ordinary story.",
                null=True,
                verbose_name="breaking news until",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("breaking_until__isnull", False)),
                fields=["status", "breaking_until"],
                name="article_breaking",
            ),
        ),
        migrations.AddField(
            model_name="correction",
            name="article",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="corrections",
                to="articles.article",
                verbose_name="article",
            ),
        ),
        migrations.RunPython(grant, revoke),
    ]
