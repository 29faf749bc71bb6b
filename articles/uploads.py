"""What a photo upload must be before anything of it is stored, and how it is stored.

The browser's file name and content type are the uploader's word; Pillow's
reading of the bytes is ours. A file is accepted only when Pillow can decode
all of it, in a format we serve, within the byte and pixel limits and the
aspect ratio, and it is stored under the extension of the format Pillow found.

What is stored is not the uploaded file but the photo encoded again, once,
upright, with no metadata but its colour profile: the camera's GPS position,
its make and serial number, the photographer's name never reach a reader.
"""

import warnings
from contextlib import contextmanager
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps

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
        content = _encoded(image, image_format)
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


def _encoded(image, image_format):
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
