"""The newsroom's two roles, with exactly the permissions each needs."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

REPORTERS = "Phóng viên"
EDITORS = "Biên tập viên"

# Reporters write and edit drafts and send them to review. The admin and the
# article form keep them off published articles and the publish status.
REPORTER_PERMISSIONS = [
    "add_article",
    "change_article",
    "view_article",
    "view_category",
    *(
        f"{verb}_{model}"
        for model in ("textblock", "figure", "relatedlink")
        for verb in ("add", "change", "delete", "view")
    ),
]
EDITOR_PERMISSIONS = [
    *REPORTER_PERMISSIONS,
    "delete_article",
    "publish_article",
    "add_category",
    "change_category",
]


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; these groups need them now.
    # A migration's app config is a stub without models_module, which both calls check.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_contenttypes(app_config, apps=apps, verbosity=0)
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ((REPORTERS, REPORTER_PERMISSIONS), (EDITORS, EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[REPORTERS, EDITORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_publish_permission_and_free_positions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
