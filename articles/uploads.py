"""What a photo upload must be before anything of it is stored.

The browser's file name and content type are the uploader's word; Pillow's
reading of the bytes is ours. A file is accepted only when Pillow can decode
all of it, in a format we serve, within the byte and pixel limits, and it is
stored under the extension of the format Pillow found.
"""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def check_image(upload):
    """Raise ``ValidationError`` unless ``upload`` is an image we accept.

    On success, rename ``upload`` to carry the extension of its real format.
    """
    max_bytes = settings.FIGURE_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; photos may be at most %(limit)s."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    image_format = _decode(upload)
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("%(format)s files are not accepted; upload a JPEG, PNG, WebP or GIF photo."),
            params={"format": image_format or _("This kind of")},
            code="format",
        )
    upload.name = f"photo.{ACCEPTED_FORMATS[image_format]}"
    return upload


def _decode(upload):
    """Decode every pixel once, so a truncated or bomb file fails here, not later."""
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
                image.load()
                return image.format
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
