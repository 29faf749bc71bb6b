"""What a photo upload must be before anything of it is stored, and how it is stored.

The browser's file name and content type are the uploader's word; Pillow's
reading of the bytes is ours. A file is accepted only when Pillow can decode
all of it, in a format we serve, within the byte and pixel limits and the
aspect ratio, and it is stored under the extension of the format Pillow found.

What is stored is not the uploaded file but the photo encoded again, once,
upright, with no metadata but its colour profile: the camera's GPS position,
its make and serial number, the photographer's name never reach a reader.
"""

import errno
import logging
import warnings
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

MAX_ASPECT_RATIO = 10
"""The longer side of a photo may be at most this many times its shorter side.

Panoramas (about 4:1) and tall infographics (about 1:6) pass. A thinner strip has
no rendition a page could show: a 1000×1 line is 0 pixels high at 480 wide.
"""

JPEG_QUALITY = 90
"""JPEG photos are encoded again at this quality: no visible loss, and no larger."""


def check_image(upload):
    """The photo ``upload`` as it will be stored, or ``ValidationError`` saying what is wrong.

    The result is a new file named after the real format, holding the photo upright
    (its EXIF orientation applied) and with no metadata but its ICC colour profile.
    """
    max_bytes = settings.FIGURE_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; photos may be at most %(limit)s."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    with _decoded(upload) as image:
        image_format = image.format
        if image_format not in ACCEPTED_FORMATS:
            raise ValidationError(
                _("%(format)s files are not accepted; upload a JPEG, PNG, WebP or GIF photo."),
                params={"format": image_format or _("This kind of")},
                code="format",
            )
        if getattr(image, "is_animated", False):
            # Each frame would cost what a photo costs, and renditions are still images.
            raise ValidationError(
                _("Animated images are not accepted; upload a still photo."), code="animated"
            )
        content = encoded(image, image_format)
    return SimpleUploadedFile(
        f"photo.{ACCEPTED_FORMATS[image_format]}", content, Image.MIME[image_format]
    )


@contextmanager
def _decoded(upload):
    """The image of ``upload`` with every pixel decoded once, so that a truncated or bomb
    file fails here, not later; too many pixels or too thin a shape fail before decoding."""
    max_pixels = settings.FIGURE_MAX_PIXELS
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ValidationError(
                        _(
                            "The photo is %(width)s×%(height)s pixels; "
                            "at most %(limit)s million pixels are accepted."
                        ),
                        params={
                            "width": width,
                            "height": height,
                            "limit": max_pixels // 1_000_000,
                        },
                        code="too_many_pixels",
                    )
                if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
                    raise ValidationError(
                        _(
                            "The photo is %(width)s×%(height)s pixels; its longer side may "
                            "be at most %(ratio)s times its shorter side."
                        ),
                        params={"width": width, "height": height, "ratio": MAX_ASPECT_RATIO},
                        code="aspect_ratio",
                    )
                image.load()
                yield image
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("The photo is too large to open safely."), code="too_many_pixels"
        ) from error
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError) as error:
        raise ValidationError(
            _("The file is not a photo that can be opened, or it is damaged."),
            code="invalid",
        ) from error
    finally:
        upload.seek(0)


def encoded(image, image_format):
    """``image`` upright, in ``image_format``, with its colour profile and transparency and
    nothing else of what its file said (EXIF, XMP, comments, text chunks)."""
    keep = {
        name: image.info[name] for name in ("icc_profile", "transparency") if name in image.info
    }
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    if orientation != 1:
        image = ImageOps.exif_transpose(image)
    image.info = {}  # Pillow writes some of what it read (a JPEG's comment) unless told not to
    options = {"JPEG": {"quality": JPEG_QUALITY}, "WEBP": {"quality": JPEG_QUALITY}}
    buffer = BytesIO()
    image.save(buffer, image_format, **keep, **options.get(image_format, {}))
    return buffer.getvalue()


def carries_metadata(image):
    """Whether an opened image holds more than ``encoded`` keeps: EXIF, XMP, a comment, text."""
    info = image.info.keys() - {"icc_profile", "transparency", "dpi", "jfif", "jfif_version",
                                "jfif_unit", "jfif_density", "adobe", "adobe_transform",
                                "progressive", "progression", "gamma", "aspect", "background",
                                "version", "loop", "duration", "lossless"}  # fmt: skip
    return bool(image.getexif()) or bool(info)


# Storing ---------------------------------------------------------------------


class PhotoNotStored(Exception):
    """A photo could not be written to the storage (a full disk, say); nothing of it is left."""

    def __init__(self, error):
        super().__init__(str(error))
        self.full = getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT)

    @property
    def message(self):
        if self.full:
            return _(
                "The photo storage is full, so nothing was saved. Your text is kept below: "
                "ask the technical team to free some space, then choose the photos again "
                "and save."
            )
        return _(
            "The photos could not be stored, so nothing was saved. Your text is kept "
            "below: choose the photos again and save."
        )


def save_whole(storage, name, content, max_length=None):
    """Save ``content`` in ``storage`` under ``name`` or a free name like it; a write that
    fails part-way (a full disk) leaves no truncated file behind."""
    name = storage.get_available_name(name, max_length=max_length)
    try:
        return storage.save(name, content, max_length=max_length)
    except OSError:
        with suppress(OSError):
            storage.delete(name)
        raise


def store(photo):
    """Write the new photo of ``photo`` (an image field's file, not yet stored) to its storage,
    as ``FieldFile.save`` would, but whole or not at all; remembered by ``orphans_removed``."""
    field, instance = photo.field, photo.instance
    name = field.generate_filename(instance, photo.name)
    try:
        name = save_whole(photo.storage, name, photo.file, max_length=field.max_length)
    except OSError as error:
        logger.exception("A photo could not be stored as %s", name)
        raise PhotoNotStored(error) from error
    if (stored := _stored.get()) is not None:
        stored.append((photo.storage, name))
    photo.name = name
    setattr(instance, field.attname, name)  # reads the stored photo's size, as Django does
    photo._committed = True


_stored = ContextVar("stored_photos", default=None)


@contextmanager
def orphans_removed():
    """Photos stored within that no library photo holds at the end are deleted.

    A save that fails or rolls back after its photos were written leaves rows that
    never were: their files go with them. Django has no hook for a rollback, so what
    decides is whether a library photo holds the file once the transaction is over.
    """
    stored = []
    token = _stored.set(stored)
    try:
        yield
    finally:
        _stored.reset(token)
        if stored:
            _remove_unheld(stored)


def _remove_unheld(stored):
    from .models import Photo

    names = [name for _, name in stored]
    try:
        held = set(Photo.objects.filter(image__in=names).values_list("image", flat=True))
    except DatabaseError:
        logger.exception("Could not tell which new photos were saved; kept %s", names)
        return
    for storage, name in stored:
        if name not in held:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("Could not delete the unsaved photo %s", name)
