"""Every text block and figure becomes the new body, in the same order, losing nothing.

A text block's lines become paragraphs (``<p>``, escaped); a figure's photo becomes a
photo of the library, one per file (two figures that gave one file different credits or
alt texts get a record each, over the same file). A figure without a photo keeps its
caption, and its credit after it, as its page showed them. The blocks are numbered 10,
20, 30... in the order the page read them: by position, text first where two shared one.

Going back, the new kinds of block (quotes, embeds, story cards) have no old form and
are left out; rich text goes back to one line per paragraph, without its tags.
"""

from django.db import migrations
from django.utils import timezone

from articles import richtext, text

REPORTERS = "Phóng viên"
EDITORS = "Biên tập viên"
BLOCK_MODELS = ("richtext", "quote", "embed", "storycard", "figure")
BATCH = 1000


def old_body_in_order(TextBlock, Figure):
    """(article id, kind, block) of every old block, each article's in reading order."""
    rows = [(b.article_id, b.position, 0, b.pk, b) for b in TextBlock.objects.iterator()]
    rows += [(f.article_id, f.position, 1, f.pk, f) for f in Figure.objects.iterator()]
    rows.sort(key=lambda row: row[:4])
    return rows


def carry_over(apps, schema_editor):
    TextBlock = apps.get_model("articles", "TextBlock")
    Figure = apps.get_model("articles", "Figure")
    RichText = apps.get_model("articles", "RichText")
    Photo = apps.get_model("articles", "Photo")
    photos = {}
    texts, figures = [], []
    number, article = 0, None
    for article_id, _position, kind, _pk, block in old_body_in_order(TextBlock, Figure):
        number = number + 1 if article_id == article else 1
        article = article_id
        ordering = number * 10
        if kind == 0:
            texts.append(
                RichText(
                    article_id=article_id,
                    region="body",
                    ordering=ordering,
                    text=richtext.from_plain_text(block.text),
                )
            )
            continue
        block.region, block.ordering = "body", ordering
        if block.image:
            key = (block.image.name, block.credit, block.alt_text)
            if key not in photos:
                photos[key] = Photo.objects.create(
                    image=block.image.name,
                    image_width=block.image_width,
                    image_height=block.image_height,
                    credit=block.credit,
                    alt_text=block.alt_text,
                    caption=block.caption,
                    rendition_widths=block.rendition_widths,
                    uploaded_at=timezone.now(),
                    search_text=text.fold("\n".join([block.caption, block.credit, block.alt_text])),
                )
            block.photo = photos[key]
        elif block.credit:
            block.caption = f"{block.caption} {block.credit}".strip()
        figures.append(block)
    RichText.objects.bulk_create(texts, batch_size=BATCH)
    Figure.objects.bulk_update(figures, ["region", "ordering", "photo", "caption"], BATCH)
    grant_permissions(apps)


def grant_permissions(apps):
    """The newsroom's roles may use every kind of block and the library; only editors
    delete a photo of the library."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_contenttypes(app_config, apps=apps, verbosity=0)
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reporters = [
        f"{verb}_{model}" for model in BLOCK_MODELS for verb in ("add", "change", "delete", "view")
    ]
    reporters += ["add_photo", "change_photo", "view_photo"]
    for name, codenames in ((REPORTERS, reporters), (EDITORS, [*reporters, "delete_photo"])):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="articles", codename__in=codenames
                )
            )
            # Text blocks are no more: rich text took their place.
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="articles", codename__endswith="_textblock"
                )
            )


def carry_back(apps, schema_editor):
    TextBlock = apps.get_model("articles", "TextBlock")
    Figure = apps.get_model("articles", "Figure")
    RichText = apps.get_model("articles", "RichText")
    TextBlock.objects.bulk_create(
        [
            TextBlock(
                article_id=block.article_id,
                position=block.ordering,
                text=richtext.plain_text(block.text),
            )
            for block in RichText.objects.iterator()
        ],
        batch_size=BATCH,
    )
    figures = []
    for figure in Figure.objects.select_related("photo").iterator():
        figure.position = figure.ordering
        if photo := figure.photo:
            figure.image = photo.image.name
            figure.image_width, figure.image_height = photo.image_width, photo.image_height
            figure.credit, figure.alt_text = photo.credit, photo.alt_text
            figure.rendition_widths = photo.rendition_widths
        figures.append(figure)
    fields = ["position", "image", "image_width", "image_height", "credit", "alt_text"]
    Figure.objects.bulk_update(figures, [*fields, "rendition_widths"], BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_photo_library_and_blocks"),
        ("articles", "0003_newsroom_groups"),
    ]

    operations = [migrations.RunPython(carry_over, carry_back)]
