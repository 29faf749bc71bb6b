"""An article's body: blocks of text and figures in one order, and the sequence that reads them."""

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .. import text
from ..page_sql import BODY_COLUMNS, BODY_KINDS


class Body(Sequence):
    """An article's blocks in body order, as one query read them (``Article.body()``).

    The rows stand for the blocks: a kept fragment is keyed on them (see
    ``fragments``). The model instances are made when the body is first read,
    which a page whose fragments are kept never does.
    """

    def __init__(self, article, rows):
        self.article, self.rows = article, tuple(rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return self.blocks[index]

    @cached_property
    def blocks(self):
        db = self.article._state.db or DEFAULT_DB_ALIAS
        models = [self.article._meta.get_field(name).related_model for name in BODY_KINDS]
        kinds = [(m, [f.attname for f in m._meta.concrete_fields]) for m in models]
        blocks = []
        for kind, *row in self.rows:
            model, fields = kinds[kind]
            values = dict(zip(BODY_COLUMNS, row, strict=True), article_id=self.article.pk)
            block = model.from_db(db, fields, [values[name] for name in fields])
            block.article = self.article
            blocks.append(block)
        return blocks


class BlockKeyManager(models.Manager):
    def get_by_natural_key(self, article_slug, position):
        return self.get(article__slug=article_slug, position=position)


class BodyBlock(models.Model):
    """A piece of an article's body; text blocks and figures share one order.

    Positions are not unique in the database: a reorder swaps them, one row at
    a time. ``Article.renumber_body()`` makes them 1..n again after every edit.
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="%(class)ss"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = BlockKeyManager()

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def natural_key(self):
        return (*self.article.natural_key(), self.position)

    natural_key.dependencies = ["articles.article"]


class TextBlock(BodyBlock):
    kind = "text"

    text = models.TextField(_("text"), help_text=_("One paragraph per line."))

    class Meta(BodyBlock.Meta):
        verbose_name = _("text block")
        verbose_name_plural = _("text blocks")

    def __str__(self):
        return self.text[:60]

    def paragraphs(self):
        return text.paragraphs(self.text)

    def searchable_text(self):
        return self.text
