"""Each name of a free-text byline becomes an author of its story; the newsroom's roles
get what they need of topics, authors and the front page.

The byline itself is kept as written (readers see it where a story has no authors), so
nothing is lost; going back leaves the bylines as they are.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

from articles import text
from articles.models.people import byline_names


def bylines_to_authors(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Author = apps.get_model("articles", "Author")
    authors = {author.name: author for author in Author.objects.all()}
    slugs = set(Author.objects.values_list("slug", flat=True))
    for article in Article.objects.exclude(byline="").only("pk", "byline").iterator():
        names = [name for name in byline_names(article.byline) if len(name) <= 100]
        for name in names:
            if name not in authors:
                base = text.slugify(name, max_length=92) or "tac-gia"
                slug, n = base, 1
                while slug in slugs:
                    n += 1
                    slug = f"{base}-{n}"
                slugs.add(slug)
                authors[name] = Author.objects.create(
                    name=name, slug=slug, folded_name=text.fold(name)[:100]
                )
        article.authors.add(*(authors[name] for name in names))


REPORTER_PERMISSIONS = ["view_author", "view_topic", "add_topic"]
EDITOR_PERMISSIONS = [
    *(f"{verb}_{model}" for model in ("author", "topic") for verb in ("add", "change", "view")),
    "delete_topic",
    "view_frontpage",
    "change_frontpage",
]
ROLES = {"Phóng viên": REPORTER_PERMISSIONS, "Biên tập viên": EDITOR_PERMISSIONS}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_contenttypes(app_config, apps=apps, verbosity=0)
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="articles", codename__in=codenames
                )
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="articles", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_authors_topics_front_page")]

    operations = [
        migrations.RunPython(bylines_to_authors, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
