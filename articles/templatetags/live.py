"""Template pieces of a live newsroom: the breaking banner and the most-read box."""

from django import template

from .. import lists, most_read
from ..cache import pages, version

register = template.Library()


@register.simple_tag(takes_context=True)
def breaking_story(context):
    """The story whose breaking banner is up (the newest if several), or None."""
    request = context.get("request")
    stories = lists.breaking(version.of_request(request) if request else None)
    return stories[0] if stories else None


@register.simple_tag(takes_context=True)
def most_read_stories(context):
    """The list of the most-read stories of the last 24 hours ("Đọc nhiều",
    ``most_read.Shown``), or None while the cache does not answer. The page showing them is
    kept in the page cache no longer than they are (``articles.cache.pages.kept_for``)."""
    found = most_read.top()
    if found is None:
        return None
    request = context.get("request")
    if request is not None:
        setattr(request, pages.KEEP_AT_MOST, min(found.seconds, pages.kept_for(request)))
    return found
