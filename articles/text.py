"""Vietnamese text rules: accent folding and slugs.

Django's ``slugify`` drops ``đ`` instead of turning it into ``d``, and it keeps
nothing of a letter typed in decomposed form (NFD) with stacked tone marks.
Everything that turns Vietnamese into plain ASCII goes through ``fold`` so that
slugs and search agree. ``static/articles/js/slug.js`` is its twin in the
admin; a test holds the two to the same answers.
"""

import re
import unicodedata

_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip every Vietnamese diacritic (``Đ`` -> ``d``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_D_STROKE))
    bare = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
    return bare.lower()


def slugify(text: str, max_length: int = 200) -> str:
    """The URL slug of a Vietnamese title, cut at a word boundary."""
    slug = _NOT_SLUG.sub("-", fold(text)).strip("-")
    if len(slug) > max_length:
        # Keep whole words: look one character past the limit for a hyphen.
        head = slug[: max_length + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:max_length]
    return slug


def paragraphs(text: str) -> list[str]:
    """Split a text block into its paragraphs: one per non-empty line."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
