"""Cursors of the API's lists: where the next page starts, written opaquely.

A story list is walked newest first by (publication time, id), and a cursor is the last
story's pair: the next page is what comes after it in that order, so a story published
meanwhile (newer than any walked) never shifts a page. Search's ranked list is kept per
version of the site, so its cursor is an offset into it.
"""

import base64
import binascii
from datetime import UTC, datetime

from django.db.models import Q

LARGEST_ID = 2**63 - 1


class BadCursor(ValueError):
    pass


def _encode(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (ValueError, binascii.Error, UnicodeError) as error:
        raise BadCursor(cursor) from error


def after(article):
    """The cursor of the page that follows ``article``."""
    return _encode(f"{int(article.published_at.timestamp())}.{article.pk}")


def story_filter(cursor):
    """What of a newest-first list comes after ``cursor``."""
    seconds, _, pk = _decode(cursor).partition(".")
    try:
        moment, pk = datetime.fromtimestamp(int(seconds), UTC), int(pk)
    except (ValueError, OverflowError, OSError) as error:
        raise BadCursor(cursor) from error
    if not 0 < pk <= LARGEST_ID or not 1 <= moment.year <= 9998:
        raise BadCursor(cursor)
    return Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk)


def offset(cursor):
    """The offset an ``at`` cursor (search) stands for; 0 without one."""
    if not cursor:
        return 0
    text = _decode(cursor)
    if not text.startswith("@") or not text[1:].isdigit() or len(text) > 10:
        raise BadCursor(cursor)
    return int(text[1:])


def at(position):
    return _encode(f"@{position}")
