"""The newsroom's content: sections, articles, their body blocks, photos and links.

Nothing here knows of caching: the lists kept per change of the site are in
``articles.lists``, the site's version and its rule in the cache's modules.
"""

from .articles import (
    MAX_SEARCH_QUERY,
    NO_SECTION_SLUG,
    PUBLICATION_YEARS,
    RESERVED_SLUGS,
    SLUG_TRIES,
    Article,
    ArticleManager,
    ArticleQuerySet,
    Category,
    RelatedLink,
    SlugKeyManager,
    save_with_free_slug,
    unique_slug,
    validate_publication_time,
    validate_section_slug,
)
from .body import BlockKeyManager, Body, BodyBlock, TextBlock
from .photos import Figure, FigureManager, figure_upload_to
from .site import SiteChange

__all__ = [
    "MAX_SEARCH_QUERY",
    "NO_SECTION_SLUG",
    "PUBLICATION_YEARS",
    "RESERVED_SLUGS",
    "SLUG_TRIES",
    "Article",
    "ArticleManager",
    "ArticleQuerySet",
    "BlockKeyManager",
    "Body",
    "BodyBlock",
    "Category",
    "Figure",
    "FigureManager",
    "RelatedLink",
    "SiteChange",
    "SlugKeyManager",
    "TextBlock",
    "figure_upload_to",
    "save_with_free_slug",
    "unique_slug",
    "validate_publication_time",
    "validate_section_slug",
]
