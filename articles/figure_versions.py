"""The format in which a story's saved versions keep its figures: the figure's own fields,
as Django's JSON has them, and beside them the library photo's fields that readers see, as
they stood when the version was saved.

The history shows a credit or alt text changed in the library from these. Restoring a
version reads the figure's own fields alone: the shared photo is never written back.
"""

import json

from django.core.serializers import json as django_json

FORMAT = "figure_json"
"""The name under which ``SERIALIZATION_MODULES`` knows this module."""

PHOTO_SHOWN = ("image", "credit", "alt_text")
"""The photo's fields readers see wherever a story shows it (the file, credit, alt text)."""


def photo_as_shown(photo):
    """The fields of ``photo`` that readers see, as text."""
    return {
        "image": photo.image.name,
        "credit": photo.credit,
        "alt_text": photo.alt_text,
    }


class Serializer(django_json.Serializer):
    def get_dump_object(self, obj):
        data = super().get_dump_object(obj)
        photo = obj.photo if getattr(obj, "photo_id", None) else None
        if photo is not None:
            data["photo_as_shown"] = photo_as_shown(photo)
        return data


Deserializer = django_json.Deserializer


def photo_of(serialized_data):
    """The photo's fields as a saved version of a figure kept them, or None (a version
    saved before they were kept, or a figure without a photo)."""
    return json.loads(serialized_data)[0].get("photo_as_shown")
