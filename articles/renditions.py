"""Smaller copies of each photo for phones and screens: the one place that makes them.

Renditions are WebP files named after the original and their width. They are made
by a task (``articles.tasks``) once the editor's save is committed, off the request;
the figure then records the widths made, and pages link only to those: until then,
to the photo itself. A photo is never enlarged.
"""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps

from . import uploads

WIDTHS = (480, 800, 1200)
QUALITY = 80


def widths_wanted(figure):
    """The rendition widths a figure should have: those narrower than its photo."""
    if not figure.image or not figure.image_width:
        return []
    return [w for w in WIDTHS if w < figure.image_width]


def widths_for(figure):
    """The rendition widths a figure has: those made, narrowest first."""
    if not figure.image:
        return []
    return sorted(int(w) for w in (figure.rendition_widths or "").split())


def pending(figure):
    """Whether some of the figure's renditions are still to be made."""
    return not set(widths_wanted(figure)) <= set(widths_for(figure))


def rendition_name(image_name, width):
    path = PurePosixPath(image_name)
    return str(PurePosixPath("renditions") / path.parent / f"{path.stem}-{width}.webp")


def rendition_url(figure, width):
    return default_storage.url(rendition_name(figure.image.name, width))


def make_renditions(figure):
    """Write the figure's renditions that are missing; the widths it has afterwards."""
    wanted = widths_wanted(figure)
    missing = [
        w for w in wanted if not default_storage.exists(rendition_name(figure.image.name, w))
    ]
    if not missing:
        return wanted
    with figure.image.open("rb") as source, Image.open(source) as original:
        # Photos stored before uploads were turned upright may still need turning.
        original = ImageOps.exif_transpose(original)
        if original.mode not in ("RGB", "RGBA"):
            original = original.convert("RGBA" if "transparency" in original.info else "RGB")
        for width in missing:
            if width >= original.width:
                wanted.remove(width)
                continue
            height = max(1, round(original.height * width / original.width))
            buffer = BytesIO()
            original.resize((width, height), Image.LANCZOS).save(buffer, "WEBP", quality=QUALITY)
            uploads.save_whole(
                default_storage,
                rendition_name(figure.image.name, width),
                ContentFile(buffer.getvalue()),
            )
    return wanted


def make_for(figure_pk, image_name):
    """Make the renditions of figure ``figure_pk``'s photo ``image_name`` and record them.

    Nothing is done for a figure deleted, or given another photo, since the task was
    queued: that photo has a task of its own. The record is saved as the figure, so
    readers' pages change with it (see ``articles.cache.version``).
    """
    from .models import Figure

    figure = Figure.objects.filter(pk=figure_pk, image=image_name).first()
    if figure is None:
        return []
    made = make_renditions(figure)
    with transaction.atomic():
        figure = Figure.objects.select_for_update().filter(pk=figure_pk, image=image_name).first()
        if figure is not None:
            figure.rendition_widths = " ".join(str(w) for w in made)
            figure.save(update_fields=["rendition_widths"])
    return made


def queue_missing():
    """Queue a task for each figure whose renditions are not all made; how many were queued."""
    from . import tasks
    from .models import Figure

    figures = Figure.objects.photos().filter(image_width__gt=min(WIDTHS))
    missing = [figure for figure in figures.iterator() if pending(figure)]
    for figure in missing:
        tasks.make_renditions.enqueue(figure.pk, figure.image.name)
    return len(missing)
