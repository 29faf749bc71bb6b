"""Encode again, as uploads now are, the stored photos that still carry metadata."""

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from PIL import Image

from articles import renditions, uploads
from articles.models import Photo


class Command(BaseCommand):
    help = (
        "Rewrite every stored photo that still carries EXIF, XMP or comments (GPS, camera, "
        "author), upright and with only its colour profile, under its own name; a photo "
        "turned upright gets its renditions made again. Purge a CDN's copies afterwards."
    )

    def handle(self, **options):
        rewritten = turned = 0
        for figure in Photo.objects.iterator():
            size = rewrite(figure)
            if size is None:
                continue
            rewritten += 1
            if size != (figure.image_width, figure.image_height):
                turned += 1
                for width in renditions.WIDTHS:
                    figure.image.storage.delete(renditions.rendition_name(figure.image.name, width))
                figure.image_width, figure.image_height = size
                figure.rendition_widths = figure.crops = ""
                # Saved as the photo: pages change, and new renditions are queued.
                figure.save(
                    update_fields=["image_width", "image_height", "rendition_widths", "crops"]
                )
        self.stdout.write(
            f"Rewrote {rewritten} photo(s) without metadata; {turned} turned upright."
        )


def rewrite(figure):
    """Write ``figure``'s photo again without its metadata; its new size, or None if it had none.

    The file is replaced under its own name, so for a moment it is missing.
    """
    storage, name = figure.image.storage, figure.image.name
    with storage.open(name) as file, Image.open(file) as image:
        if not uploads.carries_metadata(image):
            return None
        image.load()
        content = uploads.encoded(image, image.format)
    storage.delete(name)
    uploads.save_whole(storage, name, ContentFile(content))
    with storage.open(name) as file, Image.open(file) as image:
        return image.size
