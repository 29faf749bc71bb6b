"""Embeds of posts and videos from the providers we allow, by the URL a reporter pastes.

Nothing is loaded from the provider until the reader asks: the page shows a link and a
button, and ``static/articles/js/embed.js`` puts the provider's frame in place on a
click. The frame's origin is the only thing the Content-Security-Policy allows for it
(``frame-src``, see ``FRAME_ORIGINS``).
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


@dataclass(frozen=True)
class Embedded:
    provider: str  # "youtube", "facebook"
    name: str  # as readers see it
    frame_url: str
    aspect: str  # "video" (16:9) or "post"


def _youtube(parts):
    host = parts.hostname or ""
    video = None
    if host == "youtu.be":
        video = parts.path.strip("/")
    elif host in ("youtube.com", "www.youtube.com", "m.youtube.com"):
        if parts.path == "/watch":
            video = (parse_qs(parts.query).get("v") or [""])[0]
        elif m := re.match(r"^/(embed|shorts|live)/([^/]+)/?$", parts.path):
            video = m.group(2)
    if video and _YOUTUBE_ID.match(video):
        # The no-cookie host: no tracking cookie even once the reader starts the video.
        return Embedded(
            "youtube", "YouTube", f"https://www.youtube-nocookie.com/embed/{video}", "video"
        )
    return None


def _facebook(parts):
    host = parts.hostname or ""
    if host not in ("facebook.com", "www.facebook.com", "m.facebook.com", "fb.watch"):
        return None
    if host == "fb.watch" or "/videos/" in parts.path or parts.path.startswith("/watch"):
        plugin, aspect = "video.php", "video"
    elif re.search(r"/(posts|permalink\.php|photos|story\.php)", parts.path):
        plugin, aspect = "post.php", "post"
    else:
        return None
    url = parts.geturl()
    return Embedded(
        "facebook",
        "Facebook",
        f"https://www.facebook.com/plugins/{plugin}?href={quote(url, safe='')}",
        aspect,
    )


PROVIDERS = (_youtube, _facebook)
FRAME_ORIGINS = ("https://www.youtube-nocookie.com", "https://www.facebook.com")


def recognise(url):
    """What ``url`` embeds, or None where no allowed provider has it."""
    parts = urlsplit((url or "").strip())
    if parts.scheme != "https":
        return None
    for provider in PROVIDERS:
        if found := provider(parts):
            return found
    return None


def validate_embed_url(url):
    if recognise(url) is None:
        raise ValidationError(
            _("Only https links to a YouTube video or a Facebook post or video can be embedded."),
            code="provider",
        )
