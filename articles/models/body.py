"""An article's body: one ordered list of blocks of several kinds, and the sequence that
reads them.

The blocks are edited as one stream in the admin by django-content-editor (each kind is
one of its "plugins": ``region`` and ``ordering`` are its fields); the page reads all of
them in one query (``page_sql``).
"""

import functools
from collections.abc import Sequence

from content_editor.models import PluginBase, Region
from django.db import DEFAULT_DB_ALIAS, models
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from .. import embeds, richtext
from ..page_sql import BODY_COLUMNS, PHOTO_COLUMNS

BODY = "body"
# Where a block's text and the row it refers to are in a row of the body's query.
_TEXT, _REF_ID = (1 + BODY_COLUMNS.index(name) for name in ("text", "ref_id"))
REGIONS = [Region(key=BODY, title=_("Story body"))]
"""The article's one region: content-editor's list of blocks is the body."""


class Body(Sequence):
    """An article's blocks in body order, as one query read them (``Article.body()``).

    The rows stand for the blocks: a kept fragment is keyed on them (see
    ``fragments``), with the articles the body links to (``linked``). The model
    instances are made when the body is first read, which a page whose fragments are
    kept never does.
    """

    def __init__(self, article, rows):
        self.article, self.rows = article, tuple(map(tuple, rows))

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, str):
            # A template's ``body.has_embeds`` tries ``body["has_embeds"]`` first: answer
            # without making the blocks, which a page whose fragments are kept never needs.
            raise TypeError("A body is indexed by numbers.")
        return self.blocks[index]

    def __iter__(self):
        return iter(self.blocks)

    @cached_property
    def blocks(self):
        from .photos import Photo

        db = self.article._state.db or DEFAULT_DB_ALIAS
        blocks = []
        for kind, *row in self.rows:
            model = BLOCK_KINDS[kind]
            row.extend((self.article.pk, BODY))
            block = model.from_db(db, *_reading(model, row))
            block.article = self.article
            if model.kind == "figure" and block.photo_id is not None:
                block.photo = Photo.from_db(db, *_reading(Photo, row))
            if model.kind == "card":
                block.shown = self.linked.get(block.target_id)
            elif model.kind == "text":
                block.shown_html = block.html(self.addresses)
            blocks.append(block)
        return blocks

    @cached_property
    def linked(self):
        """The visible articles the body links to (cards, links in its text), by id:
        read in one query, and only when there are some."""
        from .articles import Article

        ids, kinds = set(), BLOCK_KINDS.kinds
        for row in self.rows:
            kind = kinds[row[0]]
            if kind == "card":
                ids.add(row[_REF_ID])
            elif kind == "text":
                ids.update(richtext.linked_article_ids(row[_TEXT]))
        ids.discard(None)
        if not ids:
            return {}
        found = Article.objects.published().listing().defer("sapo").filter(pk__in=ids)
        return {article.pk: article for article in found}

    @cached_property
    def photos(self):
        """The figures that show a photo, in body order: the first is the page's largest
        paint and the image of its shared links."""
        return [block for block in self.blocks if block.kind == "figure" and block.image]

    @property
    def has_embeds(self):
        return BLOCK_KINDS.kinds.index("embed") in [row[0] for row in self.rows]

    @cached_property
    def addresses(self):
        return {pk: article.get_absolute_url() for pk, article in self.linked.items()}

    def links_digest(self):
        """What of the linked articles the body shows: their addresses and headlines."""
        return sorted(
            (pk, article.get_absolute_url(), article.title) for pk, article in self.linked.items()
        )


def _reading(model, row):
    """``model.from_db()``'s field names and values, read from a row of the body's query
    with the article's id and the region added at its end."""
    names, columns = _columns(model)
    return names, [row[column] for column in columns]


@functools.cache
def _columns(model):
    """A model's field names in its order, as ``from_db`` takes them, and the column of the
    body's rows each is read from."""
    from .photos import Photo

    if model is Photo:
        where = {name: BODY_COLUMNS.index(column) for name, column in PHOTO_COLUMNS.items()}
    else:
        where = {
            "id": BODY_COLUMNS.index("id"),
            "ordering": BODY_COLUMNS.index("ordering"),
            "article_id": len(BODY_COLUMNS),
            "region": len(BODY_COLUMNS) + 1,
            **{name: BODY_COLUMNS.index(column) for name, column in model.body_columns.items()},
        }
    names = tuple(f.attname for f in model._meta.concrete_fields if f.attname in where)
    return names, tuple(where[name] for name in names)


class BlockKeyManager(models.Manager):
    def get_by_natural_key(self, article_slug, ordering):
        return self.get(article__slug=article_slug, ordering=ordering)


class BodyBlock(PluginBase):
    """A block of an article's body; blocks of every kind share one order.

    ``region`` and ``ordering`` are what django-content-editor keeps: the body is the
    only region, and the editor's drag and drop writes ``ordering``.
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="%(class)ss"
    )
    region = models.CharField(max_length=40, default=BODY, blank=True)
    ordering = models.IntegerField(_("order"), default=0)

    objects = BlockKeyManager()

    # The block's own fields and the column of the body's query that holds each.
    body_columns = {}

    class Meta:
        abstract = True
        ordering = ["ordering", "pk"]

    def natural_key(self):
        return (*self.article.natural_key(), self.ordering)

    natural_key.dependencies = ["articles.article"]

    def normalise(self):
        """Make the block what is stored: its text NFC (for HTML, sanitized), in the body.

        Run before every save, a fixture's included (``signals.normalise_text``)."""
        self.region = BODY
        richtext.normalise_fields(self)

    @property
    def template_name(self):
        """What shows the block on the readers' page: one template per kind."""
        return f"articles/includes/blocks/{self.kind}.html"

    def searchable_text(self):
        return ""

    def html(self):
        """The block as HTML for feeds and the page's text (``content:encoded``)."""
        return ""


class RichText(BodyBlock):
    """Paragraphs, subheadings, lists, links: rich text, sanitized by ``richtext``."""

    kind = "text"
    body_columns = {"text": "text"}

    text = ProseEditorField(
        _("text"),
        extensions=richtext.EDITOR_EXTENSIONS,
        sanitize=richtext.sanitize,
        blank=True,
    )

    class Meta(BodyBlock.Meta):
        verbose_name = _("text")
        verbose_name_plural = _("texts")

    def __str__(self):
        return richtext.plain_text(self.text)[:60]

    def normalise(self):
        super().normalise()
        self.text = richtext.sanitize(self.text)

    def searchable_text(self):
        return richtext.plain_text(self.text)

    def html(self, addresses=None):
        return richtext.resolve_links(self.text, addresses or {})


class Quote(BodyBlock):
    """A quotation, with who said it."""

    kind = "quote"
    body_columns = {"text": "text", "attribution": "extra"}

    text = models.TextField(_("quotation"))
    attribution = models.CharField(_("who said it"), max_length=200, blank=True)

    class Meta(BodyBlock.Meta):
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self):
        return self.text[:60]

    def searchable_text(self):
        return "\n".join(filter(None, [self.text, self.attribution]))

    def html(self, addresses=None):
        cite = f"<footer>{escape(self.attribution)}</footer>" if self.attribution else ""
        return f"<blockquote><p>{escape(self.text)}</p>{cite}</blockquote>"


class Embed(BodyBlock):
    """A video or post of an allowed provider (``embeds``), loaded only when a reader asks."""

    kind = "embed"
    body_columns = {"url": "text"}

    url = models.URLField(
        _("link"),
        max_length=500,
        validators=[embeds.validate_embed_url],
        help_text=_("The address of a YouTube video or a Facebook post or video."),
    )

    class Meta(BodyBlock.Meta):
        verbose_name = _("embed")
        verbose_name_plural = _("embeds")

    def __str__(self):
        return self.url

    @property
    def embedded(self):
        return embeds.recognise(self.url)

    def searchable_text(self):
        return ""

    def html(self, addresses=None):
        return f'<p><a href="{escape(self.url)}">{escape(self.url)}</a></p>'


class StoryCard(BodyBlock):
    """A card in the body that links to another of our stories; it follows its address."""

    kind = "card"
    body_columns = {"target_id": "ref_id"}

    target = models.ForeignKey(
        "articles.Article",
        verbose_name=_("related article"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta(BodyBlock.Meta):
        verbose_name = _("related story card")
        verbose_name_plural = _("related story cards")

    def __str__(self):
        return str(self.target_id)

    def searchable_text(self):
        return ""

    def html(self, addresses=None):
        shown = getattr(self, "shown", None)
        if shown is None:
            return ""
        return f'<p><a href="{escape(shown.get_absolute_url())}">{escape(shown.title)}</a></p>'


def _block_kinds():
    from .photos import Figure

    return (RichText, Figure, Quote, Embed, StoryCard)


class _Kinds(Sequence):
    """The block models, in the order of the body query's ``kind`` column."""

    @cached_property
    def models(self):
        return _block_kinds()

    @cached_property
    def kinds(self):
        """Each model's ``kind`` ("text", "figure"...), in the same order."""
        return tuple(model.kind for model in self.models)

    def __getitem__(self, index):
        return self.models[index]

    def __len__(self):
        return len(self.models)


BLOCK_KINDS = _Kinds()
