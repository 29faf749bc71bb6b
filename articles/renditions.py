"""Smaller copies of each photo for phones and screens: the one place that makes them.

Renditions are WebP files named after the original and their width, written
when a figure is saved (``make_renditions``), so a page only builds URLs and
never touches an image. A photo is never enlarged.
"""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

WIDTHS = (480, 800, 1200)
QUALITY = 80


def widths_for(figure):
    """The rendition widths a figure has: those narrower than its photo."""
    if not figure.image or not figure.image_width:
        return []
    return [w for w in WIDTHS if w < figure.image_width]


def rendition_name(image_name, width):
    path = PurePosixPath(image_name)
    return str(PurePosixPath("renditions") / path.parent / f"{path.stem}-{width}.webp")


def rendition_url(figure, width):
    return default_storage.url(rendition_name(figure.image.name, width))


def make_renditions(figure):
    """Write the figure's renditions that are missing."""
    widths = [
        w
        for w in widths_for(figure)
        if not default_storage.exists(rendition_name(figure.image.name, w))
    ]
    if not widths:
        return
    with figure.image.open("rb") as source, Image.open(source) as original:
        original = ImageOps.exif_transpose(original)
        if original.mode not in ("RGB", "RGBA"):
            original = original.convert("RGBA" if "transparency" in original.info else "RGB")
        for width in widths:
            height = round(original.height * width / original.width)
            buffer = BytesIO()
            original.resize((width, height), Image.LANCZOS).save(buffer, "WEBP", quality=QUALITY)
            default_storage.save(
                rendition_name(figure.image.name, width), ContentFile(buffer.getvalue())
            )
