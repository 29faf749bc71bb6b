"""Sections and articles: slugs, the publication-time rule, visibility, related links."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, router, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .. import page_sql, paths, richtext, search, text
from .body import REGIONS, Body

# Top-level paths that a section slug must not take over.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "media",
        "static",
        "rss",
        "tim-kiem",
        "tin-tuc",
        "sitemap",
        "robots",
        "chu-de",
        "tac-gia",
        "luot-doc",
    }
)

MAX_SEARCH_QUERY = 200

NO_SECTION_SLUG = "tin-tuc"
"""The URL segment of an article that has no section (the seed story is one)."""


def validate_section_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is reserved for another page of the site."), params={"slug": value}
        )


PUBLICATION_YEARS = range(1912, 2100)
"""The years, in the site's time (Hanoi), that a publication time may fall in.

From 1912 Hanoi's clock is a whole number of minutes ahead of UTC (before, 7:06:30,
which HTML's ``<time>``, RSS and sitemaps cannot write), and no time turns into a
year before 1 once stored in UTC. To 2099: any schedule fits, every year after one
still holds a date (the admin's date hierarchy counts on it), and no year has more
than four digits.
"""


BREAKING_OUT_OF_RANGE = _(
    "The end of the breaking banner must be from %(first)s to %(last)s (Hanoi time)."
)


def validate_publication_time(value, message=None):
    """Refuse a publication time (or another moment of the newsroom's calendar, with its own
    ``message``) outside ``PUBLICATION_YEARS``, with the range in the message."""
    if value is None:
        return
    zone = timezone.get_default_timezone()
    if timezone.is_naive(value):
        value = value.replace(tzinfo=zone)
    first = datetime(PUBLICATION_YEARS.start, 1, 1, tzinfo=zone)
    after = datetime(PUBLICATION_YEARS.stop, 1, 1, tzinfo=zone)
    if not first <= value < after:
        raise ValidationError(
            message or _("The publication time must be from %(first)s to %(last)s (Hanoi time)."),
            code="out_of_range",
            params={
                "first": date_format(first, "SHORT_DATETIME_FORMAT"),
                "last": date_format(after - timedelta(minutes=1), "SHORT_DATETIME_FORMAT"),
            },
        )


def unique_slug(model, title, *, exclude_pk=None, max_length=200):
    """The Vietnamese slug of ``title``, suffixed ``-2``, ``-3``... until unused."""
    base = text.slugify(title, max_length=max_length - 8) or "bai-viet"
    taken = set(
        model._default_manager.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


SLUG_TRIES = 20


def save_with_free_slug(instance, save, *, max_length, using=None):
    """Run ``save`` (the model's own); if another row took the slug meanwhile, run it
    again with the next free suffix (``-2``, ``-3``...).

    A form checks the slug is free before saving, but two adds at once both pass that
    check and only one INSERT can win. Each try runs in a savepoint, so a refused one
    leaves the surrounding transaction (the admin's) usable. ``slug_taken`` is the slug
    that was asked for where this save had to use another one, else None.
    """
    model = type(instance)
    using = using or router.db_for_write(model, instance=instance)
    instance.slug_taken = None
    for _try in range(SLUG_TRIES):
        try:
            with transaction.atomic(using=using):
                return save()
        except IntegrityError:
            others = model._default_manager.using(using).exclude(pk=instance.pk)
            if not others.filter(slug=instance.slug).exists():
                raise  # another constraint refused the row, not the slug
            asked = instance.slug_taken = instance.slug_taken or instance.slug
            instance.slug = unique_slug(model, asked, exclude_pk=instance.pk, max_length=max_length)
    raise IntegrityError(f"No free slug for {instance!r} after {SLUG_TRIES} tries.")


class SlugKeyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Category(models.Model):
    """A section of the site ("Chỉ đạo - Điều hành", "Nhịp sống Thủ đô"...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, validators=[validate_section_slug]
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Sections are listed in this order.")
    )

    objects = SlugKeyManager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Category, self.name, exclude_pk=self.pk, max_length=100)
        save_with_free_slug(
            self,
            lambda: super(Category, self).save(*args, **kwargs),
            max_length=100,
            using=kwargs.get("using"),
        )

    def get_absolute_url(self):
        return paths.path_to("articles:category", self.slug)

    def natural_key(self):
        return (self.slug,)


class ArticleQuerySet(models.QuerySet):
    def published(self, at=None):
        """What readers may see: published, and not scheduled for later than ``at``.

        This is the one rule of visibility; every public page, feed, sitemap and
        search goes through it, and ``is_visible`` applies it to a row already read
        (the article page's, see ``ArticleManager.for_page``). Scheduling needs no
        job: an article whose ``published_at`` is in the future simply is not here
        until then.
        """
        at = at or timezone.now()
        visible = self.filter(status=Article.Status.PUBLISHED, published_at__lte=at)
        # Noted for search, whose walks in publication order then start at this moment
        # instead of passing every scheduled story first (search.py).
        visible.query.visible_at = at
        return visible

    def search(self, query, **options):
        """Articles holding every word of ``query``, accents and case ignored, best match
        first (see search.py)."""
        return search.search(self, query, **options)

    def breaking(self, at=None):
        """Visible articles whose breaking banner is still up at ``at``, newest first."""
        at = at or timezone.now()
        return self.published(at).filter(breaking_until__gt=at).latest_first()

    def latest_first(self):
        return self.order_by("-published_at", "-pk")

    def in_order_of(self, pks):
        """The articles of ``pks`` that this queryset holds, in the order of ``pks``."""
        found = self.in_bulk(pks)
        return [found[pk] for pk in pks if pk in found]

    def listing(self):
        """What a list of headlines needs, in one query."""
        return self.select_related("category").defer("search_text")

    def for_reading(self):
        """What an article's own page needs: the article and its section (``body()`` reads
        the rest in one query).

        Not the search text: readers never see it, and on PostgreSQL it is kept
        compressed, out of the row, so reading it cost a second lookup.
        """
        return self.listing()


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_page(self, pk):
        """Article ``pk`` and its section, as its page shows them, or None; visible or not
        (readers' pages check ``is_visible``, the preview does not). See ``page_sql``."""
        low, high = connections[self.db].ops.integer_field_range(
            self.model._meta.pk.get_internal_type()
        )
        if not isinstance(pk, int) or not low <= pk <= high:
            return None  # no such row, and more digits than the column holds
        return page_sql.read_article(self.model, self.db, pk)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        RETURNED = "returned", _("Returned")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("headline"), max_length=255)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("Made from the headline when left empty."),
    )
    sapo = models.TextField(_("sapo"), blank=True, help_text=_("The lead paragraph."))
    category = models.ForeignKey(
        Category,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="articles",
        null=True,
        blank=True,
    )
    byline = models.CharField(
        _("byline"),
        max_length=200,
        blank=True,
        help_text=_("Shown as written where the story has no authors chosen."),
    )
    authors = models.ManyToManyField(
        "articles.Author", verbose_name=_("authors"), blank=True, related_name="articles"
    )
    topics = models.ManyToManyField(
        "articles.Topic", verbose_name=_("topics"), blank=True, related_name="articles"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("A time in the future schedules the article."),
    )
    time_is_known = models.BooleanField(
        _("time is known"),
        default=True,
        help_text=_(
            "The publication time is the story's own, not an estimate. When it is not, "
            "readers see no time; lists, feeds and sitemaps still order by it."
        ),
    )
    is_pick = models.BooleanField(
        _("editor's pick"), default=False, help_text=_("Shown across the site as “Nên xem”.")
    )
    breaking_until = models.DateTimeField(
        _("breaking news until"),
        null=True,
        blank=True,
        help_text=_(
            "A banner on every page links to the article until this time, then disappears "
            "by itself. Leave empty for an ordinary story."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised on every save; a form opened on an older version may not save.",
    )
    search_text = models.TextField(
        blank=True,
        editable=False,
        help_text="Headline, sapo and body as search indexes them (articles.search.document).",
    )

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [("publish_article", _("Can publish, unpublish and schedule articles"))]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_visible"),
            models.Index(fields=["category", "status", "published_at"], name="article_section"),
            models.Index(fields=["is_pick", "status", "published_at"], name="article_pick"),
            # The admin's list in its default order, and the dates of its date hierarchy.
            models.Index(fields=["published_at", "id"], name="article_newest"),
            # The breaking banner's story, and the moments its banner ends: few rows.
            models.Index(
                fields=["status", "breaking_until"],
                name="article_breaking",
                condition=models.Q(breaking_until__isnull=False),
            ),
        ]

    regions = REGIONS  # the body, as django-content-editor edits it

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.normalise()  # before the slug and the search text are made from it
        if not self.slug:
            self.slug = unique_slug(Article, self.title, exclude_pk=self.pk)
        if self.pk:
            self.version += 1
        if self.published_at:
            # Readers see minutes; HTML's datetime attribute allows no microseconds.
            self.published_at = self.published_at.replace(microsecond=0)
        if self.breaking_until:
            self.breaking_until = self.breaking_until.replace(microsecond=0)
        self.search_text = self.fold_search_text()
        save_with_free_slug(
            self,
            lambda: super(Article, self).save(*args, **kwargs),
            max_length=200,
            using=kwargs.get("using"),
        )

    def get_absolute_url(self):
        return paths.path_to("articles:article", **self.address())

    def normalise(self):
        """Its text NFC, however it arrives (``signals.normalise_text``)."""
        richtext.normalise_fields(self, ("title", "sapo", "byline"))

    def clean_fields(self, exclude=None):
        # Here rather than in clean(): a field the form leaves out (a reporter's
        # publication time) is in ``exclude``, and an error on it would have no place.
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "published_at" not in (exclude or ()) and "published_at" not in errors:
            try:
                validate_publication_time(self.published_at)
            except ValidationError as error:
                errors["published_at"] = error.error_list
        if "breaking_until" not in (exclude or ()) and "breaking_until" not in errors:
            try:
                validate_publication_time(self.breaking_until, BREAKING_OUT_OF_RANGE)
            except ValidationError as error:
                errors["breaking_until"] = error.error_list
        if errors:
            raise ValidationError(errors)

    def address(self):
        """What the article's URL is made of: its section's slug, its own slug and its id."""
        section = self.category.slug if self.category_id else NO_SECTION_SLUG
        return {"section": section, "slug": self.slug, "pk": self.pk}

    def natural_key(self):
        return (self.slug,)

    @cached_property
    def breadcrumb(self):
        """Where the article sits, from the home page, as (name, path): the trail its page
        shows and the one its structured data gives search engines."""
        if self.category_id:
            section = (self.category.name, self.category.get_absolute_url())
        else:
            section = (_("All news"), paths.path_to("articles:news"))
        return [(_("Home"), paths.path_to("articles:home")), section]

    @cached_property
    def summary(self):
        """The sapo, or else the headline, in at most 50 words: what search results and
        shared links show under the headline."""
        return Truncator(self.sapo or self.title).words(50, truncate=" …")

    @property
    def is_visible(self):
        """Whether readers can see the article now (the same rule as ``published()``)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def body(self):
        """The body's blocks of every kind, in the order the editor placed them, in one query."""
        if self.pk is None:
            return Body(self, [])
        if (rows := self.__dict__.pop("body_rows", None)) is not None:
            return Body(self, rows)  # read with the article by ``for_page``, once
        return Body(self, page_sql.read_body(self._state.db or DEFAULT_DB_ALIAS, self.pk))

    def note_correction(self, moment=None):
        """Mark the article as changed at ``moment`` (now): a correction or update note was
        added, edited or removed, so its page, feeds and sitemaps give a new modified time."""
        moment = moment or timezone.now()
        Article.objects.filter(pk=self.pk, updated_at__lt=moment).update(updated_at=moment)
        self.updated_at = max(self.updated_at, moment) if self.updated_at else moment

    def byline_text(self):
        """The byline as plain text: the authors' names, or else the free-text byline."""
        return ", ".join(author.name for author in self.authors.all()) or self.byline

    @classmethod
    def with_bodies(cls, articles):
        """``articles`` as a list, each with its body read, in one query for them all."""
        articles = list(articles)
        if articles:
            db = articles[0]._state.db or DEFAULT_DB_ALIAS
            bodies = page_sql.read_bodies(db, [article.pk for article in articles])
            for article in articles:
                article.body_rows = bodies[article.pk]
        return articles

    def related_articles(self):
        """The editor's related links that readers may see, in the editor's order."""
        return list(
            Article.objects.published()
            .listing()
            .filter(related_from__article=self)
            .order_by("related_from__position")
        )

    def renumber_body(self):
        """Number the blocks 10, 20, 30... in body order, so no two share a place.

        The moved blocks are written in a few batched statements, not one per block.
        """
        moved = defaultdict(list)
        for number, block in enumerate(self.body(), start=1):
            if block.ordering != number * 10:
                block.ordering = number * 10
                moved[type(block)].append(block)
        for model, blocks in moved.items():
            if blocks:
                model.objects.bulk_update(blocks, ["ordering"])

    def fold_search_text(self):
        """What search indexes of the article: see ``search.document``."""
        body = [block.searchable_text() for block in self.body()] if self.pk else []
        return search.document(self.title, self.sapo, body)

    def refresh_search_text(self):
        """Re-fold the stored search text after the body changed."""
        self.search_text = self.fold_search_text()
        Article.objects.filter(pk=self.pk).update(search_text=self.search_text)


class RelatedLinkManager(models.Manager):
    def get_by_natural_key(self, article_slug, target_slug):
        return self.get(article__slug=article_slug, target__slug=target_slug)


class RelatedLink(models.Model):
    """An editor's link from one article to another ("Có thể bạn quan tâm")."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(
        Article,
        verbose_name=_("related article"),
        on_delete=models.CASCADE,
        related_name="related_from",
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = RelatedLinkManager()

    class Meta:
        ordering = ["position"]
        verbose_name = _("related link")
        verbose_name_plural = _("related links")
        constraints = [
            models.UniqueConstraint(fields=["article", "target"], name="relatedlink_once"),
            models.CheckConstraint(
                condition=~models.Q(article=models.F("target")), name="relatedlink_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.article} → {self.target}"

    def natural_key(self):
        return (*self.article.natural_key(), *self.target.natural_key())

    natural_key.dependencies = ["articles.article"]

    def clean(self):
        if self.article_id and self.article_id == self.target_id:
            raise ValidationError({"target": _("An article cannot be related to itself.")})
