"""The newsroom's content: sections, articles, their body blocks, the photo library and links.

Nothing here knows of caching: the lists kept per change of the site are in
``articles.lists``, the site's version and its rule in the cache's modules.
"""

# ruff: noqa: F401  (names re-exported for the rest of the project)
from .api_keys import ApiKey
from .articles import (
    MAX_SEARCH_QUERY,
    NO_SECTION_SLUG,
    PUBLICATION_YEARS,
    RESERVED_SLUGS,
    Article,
    ArticleQuerySet,
    Category,
    RelatedLink,
    unique_slug,
    validate_publication_time,
    validate_section_slug,
)
from .autosave import Autosave
from .body import BLOCK_KINDS, Body, BodyBlock, Embed, Quote, RichText, StoryCard
from .corrections import Correction
from .desk import Note, Presence, PreviewLink, StatusChange
from .front_page import FrontPage
from .people import Author, Topic, byline_names
from .photos import Figure, Photo, figure_upload_to
from .site import SiteChange
