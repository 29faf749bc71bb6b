"""Smaller copies of each photo for phones and screens: the one place that makes them.

Renditions are WebP files named after the original and their width; crops (16:9 and
square) are cut around the photo's focal point and named after it too. They are made
by a task (``articles.tasks``) once the editor's save is committed, off the request;
the photo then records what was made, and pages link only to those: until then, to
the photo itself. A photo is never enlarged. Everything here takes a library
``Photo`` or a ``Figure``, which shows its photo's fields as its own.
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
    """Whether some of the photo's renditions or crops are still to be made."""
    missing_widths = not set(widths_wanted(figure)) <= set(widths_for(figure))
    return missing_widths or bool(figure.image and crops_stale(_photo(figure)))


def _photo(figure):
    return getattr(figure, "photo", None) or figure


# Crops around the focal point ---------------------------------------------------------

CROPS = {"16x9": (16, 9, 1200), "1x1": (1, 1, 600)}
"""Each crop's name, its proportions and the widest it is made."""


def crops_stale(photo):
    """Whether the photo's crops were not made from its present focal point."""
    return bool(photo.image) and photo.crops != photo.focal_key


def crop_box(width, height, ratio, focal_x, focal_y):
    """The largest box of proportions ``ratio`` (w, h) in a ``width`` × ``height`` photo,
    centred on the focal point as far as the photo's edges allow."""
    rw, rh = ratio
    if width * rh > height * rw:  # wider than the crop: cut the sides
        box_w, box_h = round(height * rw / rh), height
    else:
        box_w, box_h = width, round(width * rh / rw)
    left = min(max(round(focal_x * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal_y * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def crop_name(image_name, crop, focal_key):
    path = PurePosixPath(image_name)
    point = focal_key.replace(" ", "-").replace(".", "")
    return str(PurePosixPath("renditions") / path.parent / f"{path.stem}-{crop}-{point}.webp")


def crop_url(photo, crop):
    """The address of ``photo``'s crop (``"16x9"``, ``"1x1"``), or None until it is made."""
    photo = _photo(photo)
    if not photo.image or crops_stale(photo):
        return None
    return default_storage.url(crop_name(photo.image.name, crop, photo.focal_key))


def crop_size(photo, crop):
    """The width and height of ``photo``'s crop (``"16x9"``, ``"1x1"``) as ``make_crops``
    makes it, from the photo's size and focal point alone."""
    photo = _photo(photo)
    rw, rh, widest = CROPS[crop]
    left, top, right, bottom = crop_box(
        photo.image_width, photo.image_height, (rw, rh), photo.focal_x, photo.focal_y
    )
    width, height = right - left, bottom - top
    if width > widest:
        return widest, max(1, round(height * widest / width))
    return width, height


def make_crops(photo, original):
    for crop, (rw, rh, widest) in CROPS.items():
        name = crop_name(photo.image.name, crop, photo.focal_key)
        if default_storage.exists(name):
            continue
        box = crop_box(original.width, original.height, (rw, rh), photo.focal_x, photo.focal_y)
        cut = original.crop(box)
        if cut.width > widest:
            cut = cut.resize(
                (widest, max(1, round(cut.height * widest / cut.width))), Image.LANCZOS
            )
        buffer = BytesIO()
        cut.save(buffer, "WEBP", quality=QUALITY)
        uploads.save_whole(default_storage, name, ContentFile(buffer.getvalue()))


def rendition_name(image_name, width):
    path = PurePosixPath(image_name)
    return str(PurePosixPath("renditions") / path.parent / f"{path.stem}-{width}.webp")


def rendition_url(figure, width):
    return default_storage.url(rendition_name(figure.image.name, width))


def make_renditions(figure, crops=False):
    """Write the photo's renditions (and with ``crops``, its crops) that are missing; the
    widths it has afterwards."""
    wanted = widths_wanted(figure)
    missing = [
        w for w in wanted if not default_storage.exists(rendition_name(figure.image.name, w))
    ]
    if not missing and not crops:
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
        if crops:
            make_crops(_photo(figure), original)
    return wanted


def make_for(photo_pk, image_name):
    """Make the renditions and crops of photo ``photo_pk`` (file ``image_name``) and
    record them.

    Nothing is done for a photo deleted, or given another file, since the task was
    queued: that file has a task of its own. The record is saved as the photo, so
    readers' pages change with it (see ``articles.cache.version``); crops made from a
    focal point moved meanwhile are not recorded, and that move queued its own task.
    """
    from .models import Photo

    photo = Photo.objects.filter(pk=photo_pk, image=image_name).first()
    if photo is None:
        return []
    focal_key = photo.focal_key
    made = make_renditions(photo, crops=True)
    with transaction.atomic():
        photo = Photo.objects.select_for_update().filter(pk=photo_pk, image=image_name).first()
        if photo is not None:
            photo.rendition_widths = " ".join(str(w) for w in made)
            if photo.focal_key == focal_key:
                photo.crops = focal_key
            photo.save(update_fields=["rendition_widths", "crops"])
    return made


def queue_missing():
    """Queue a task for each photo whose renditions are not all made; how many were queued."""
    from . import tasks
    from .models import Photo

    missing = [photo for photo in Photo.objects.iterator() if pending(photo)]
    for photo in missing:
        tasks.make_renditions.enqueue(photo.pk, photo.image.name)
    return len(missing)
