"""Small factories: an article is published an hour ago unless a test says otherwise."""

from datetime import timedelta
from io import BytesIO
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Category, Figure, RelatedLink, TextBlock

_numbers = count(1)


def make_category(name=None, **fields):
    return Category.objects.create(name=name or f"Chuyên mục {next(_numbers)}", **fields)


def make_article(title=None, *, category=None, blocks=(), related=(), **fields):
    """An article; ``blocks`` are strings (text) or dicts (figure fields), in order."""
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("sapo", "Tóm tắt bài viết.")
    article = Article.objects.create(
        title=title or f"Bài viết số {next(_numbers)}", category=category, **fields
    )
    for position, block in enumerate(blocks, start=1):
        if isinstance(block, str):
            TextBlock.objects.create(article=article, position=position, text=block)
        else:
            Figure.objects.create(article=article, position=position, **block)
    for position, target in enumerate(related, start=1):
        RelatedLink.objects.create(article=article, target=target, position=position)
    return article


def png_upload(name="anh.png", size=(64, 48), color=(200, 30, 30)):
    """A small real PNG, as a browser would upload it."""
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
