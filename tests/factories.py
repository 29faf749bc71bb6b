"""Small factories: an article is published an hour ago unless a test says otherwise."""

from datetime import timedelta
from io import BytesIO
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles import richtext
from articles.models import (
    Article,
    Category,
    Embed,
    Figure,
    Photo,
    Quote,
    RelatedLink,
    RichText,
    StoryCard,
)

_numbers = count(1)


def make_category(name=None, **fields):
    return Category.objects.create(name=name or f"Chuyên mục {next(_numbers)}", **fields)


def make_photo(image=None, **fields):
    """A photo of the library (a small PNG unless ``image`` is given)."""
    fields.setdefault("alt_text", "Ảnh minh họa")
    photo = Photo(image=image or png_upload(), **fields)
    photo.save()
    return photo


def make_block(article, ordering, block):
    """One block of ``article``'s body: a string is plain text (one paragraph per line);
    a dict with ``kind`` (quote, embed, card, text) that block's fields; another dict a
    figure's fields, where ``image``, ``alt_text`` and ``credit`` make its library photo."""
    place = {"article": article, "ordering": ordering}
    if isinstance(block, str):
        return RichText.objects.create(**place, text=richtext.from_plain_text(block))
    block = dict(block)
    kind = block.pop("kind", "figure")
    if kind != "figure":
        model = {"text": RichText, "quote": Quote, "embed": Embed, "card": StoryCard}[kind]
        return model.objects.create(**place, **block)
    photo = block.pop("photo", None)
    image = block.pop("image", None)
    described = {name: block.pop(name) for name in ("alt_text", "credit") if name in block}
    if image:
        photo = make_photo(image, **described)
    return Figure.objects.create(**place, photo=photo, **block)


def make_article(title=None, *, category=None, blocks=(), related=(), **fields):
    """An article; ``blocks`` are strings (text) or dicts (see ``make_block``), in order."""
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("sapo", "Tóm tắt bài viết.")
    article = Article.objects.create(
        title=title or f"Bài viết số {next(_numbers)}", category=category, **fields
    )
    for position, block in enumerate(blocks, start=1):
        make_block(article, position * 10, block)
    for position, target in enumerate(related, start=1):
        RelatedLink.objects.create(article=article, target=target, position=position)
    return article


def png_upload(name="anh.png", size=(64, 48), color=(200, 30, 30)):
    """A small real PNG, as a browser would upload it."""
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
