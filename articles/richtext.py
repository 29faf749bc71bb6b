"""The rich text of a story's body: the one rule of what HTML it may hold.

Whatever the browser sends (the editor's widget, a crafted POST, a fixture), the text
is normalised to NFC and cleaned by nh3 to exactly the tags below; a link keeps only
its ``href`` (http, https or mailto). Links to our own articles are stored as the
article's path, which carries its id, and are resolved by that id when the page is
rendered, so they follow the article when its slug or section changes. Links
elsewhere get ``rel="noopener"``.
"""

import re
import unicodedata
from html import unescape
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.db import models
from django.utils.html import escape

TAGS = frozenset(
    {"p", "h2", "h3", "strong", "b", "em", "i", "a", "ul", "ol", "li", "blockquote", "br"}
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})

# What the editor's widget (django-prose-editor) offers: the same tags, no more.
EDITOR_EXTENSIONS = {
    "Paragraph": True,
    "Heading": {"levels": [2, 3]},
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "History": True,
}

_cleaner = nh3.Cleaner(
    tags=set(TAGS),
    # "*": none on every tag, where nh3 would keep "title" and "lang".
    attributes={"a": {"href"}, "*": set()},
    url_schemes=set(URL_SCHEMES),
    link_rel=None,
    strip_comments=True,
    # Their content is code, not text: it goes with them.
    clean_content_tags={"script", "style"},
)

_LINK = re.compile(r'<a href="([^"]*)">')
ARTICLE_PATH = re.compile(r"^/[\w-]+/[\w-]+-([1-9][0-9]*)\.html$")


def nfc(value):
    """``value`` in Unicode's composed form (NFC), as every text is stored."""
    return unicodedata.normalize("NFC", value) if value else value


def normalise_fields(instance, names=None):
    """Turn the text fields of ``instance`` (or those ``names``) to NFC, in place."""
    for field in instance._meta.concrete_fields:
        if (names is None or field.name in names) and isinstance(
            field, (models.CharField, models.TextField)
        ):
            setattr(instance, field.attname, nfc(getattr(instance, field.attname)))


def own_hosts():
    return {host.lstrip(".").lower() for host in settings.ALLOWED_HOSTS if host != "*"}


def article_path(href):
    """The path of one of our articles that ``href`` links to, or None."""
    parts = urlsplit(unescape(href))
    if parts.scheme in ("http", "https") and (parts.hostname or "") not in own_hosts():
        return None
    if parts.scheme not in ("", "http", "https") or parts.query:
        return None
    return parts.path if ARTICLE_PATH.match(parts.path) else None


def _link(match):
    href = match.group(1)
    if (path := article_path(href)) is not None:
        return f'<a href="{escape(path)}">'
    if urlsplit(unescape(href)).scheme in ("http", "https"):
        return f'<a href="{href}" rel="noopener">'
    return match.group(0)


def _actually_empty(html):
    # The editor sends one empty paragraph for an empty text.
    return "" if re.fullmatch(r"(\s|<p>(\s|<br>)*</p>)*", html) else html


def sanitize(html):
    """``html`` as it may be stored: NFC, the allowed tags and links only."""
    cleaned = _cleaner.clean(nfc(html or ""))
    return _actually_empty(_LINK.sub(_link, cleaned)).strip()


def from_plain_text(value):
    """Paragraphs of plain text (one per line) as rich text: each line a ``<p>``, escaped."""
    lines = [line.strip() for line in (value or "").replace("\r\n", "\n").split("\n")]
    return "".join(f"<p>{escape(nfc(line))}</p>" for line in lines if line)


def linked_article_ids(html):
    """The ids of our articles that ``html`` (stored rich text) links to."""
    ids = []
    if not html or "<a " not in html:  # most paragraphs: no need to search them
        return ids
    for href in _LINK_ANY.findall(html):
        if match := ARTICLE_PATH.match(href):
            ids.append(int(match.group(1)))
    return ids


_LINK_ANY = re.compile(r'<a href="([^"]*)"')


def resolve_links(html, addresses):
    """``html`` with each link to one of our articles pointing at its current address.

    ``addresses`` maps an article's id to its path; a link to an article not in it
    (gone, or not visible) is left as it was stored.
    """

    if not addresses or not html:  # nothing to point elsewhere
        return html or ""

    def current(match):
        href = match.group(1)
        found = ARTICLE_PATH.match(href)
        if found and (path := addresses.get(int(found.group(1)))):
            return f'<a href="{escape(path)}"'
        return match.group(0)

    return _LINK_ANY.sub(current, html or "")


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h2|h3|li|blockquote)>|<br>")


def plain_text(html):
    """The text of ``html``, tags stripped, one line per paragraph, heading or item."""
    text = unescape(_TAG.sub("", _BLOCK_END.sub("\n", html or "")))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
