"""The front page the editors lay out: named slots, each holding a story they chose.

Two editions: the draft the editors fill and preview, and the live one readers see; putting
the draft live copies it. What a slot shows is decided in ``FrontPage.layout()``: a story
readers may not see (unpublished, scheduled) leaves its slot by itself, and an empty slot
falls back to the newest story of its kind, so no slot is ever blank.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .articles import Article, Category

SECONDARY_SLOTS = 5
SECTION_SLOTS = 4

SLOT_FIELDS = (
    ["lead"]
    + [f"secondary_{n}" for n in range(1, SECONDARY_SLOTS + 1)]
    + [f"section_{n}" for n in range(1, SECTION_SLOTS + 1)]
    + [f"section_{n}_story" for n in range(1, SECTION_SLOTS + 1)]
)


def _slot(model, label, **options):
    """A slot of the front page: a story or a section, empty when it leaves the site."""
    return models.ForeignKey(
        model,
        verbose_name=label,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        **options,
    )


def _story(label):
    return _slot(Article, label, limit_choices_to={"status": "published"})


class FrontPage(models.Model):
    class Edition(models.TextChoices):
        DRAFT = "draft", _("Draft (being laid out)")
        LIVE = "live", _("Live (what readers see)")

    edition = models.CharField(_("edition"), max_length=5, choices=Edition.choices, unique=True)
    lead = _story(_("lead story"))
    secondary_1 = _story(_("secondary story 1"))
    secondary_2 = _story(_("secondary story 2"))
    secondary_3 = _story(_("secondary story 3"))
    secondary_4 = _story(_("secondary story 4"))
    secondary_5 = _story(_("secondary story 5"))
    section_1 = _slot(Category, _("section block 1"))
    section_1_story = _story(_("its top story"))
    section_2 = _slot(Category, _("section block 2"))
    section_2_story = _story(_("its top story"))
    section_3 = _slot(Category, _("section block 3"))
    section_3_story = _story(_("its top story"))
    section_4 = _slot(Category, _("section block 4"))
    section_4_story = _story(_("its top story"))
    changed_at = models.DateTimeField(_("last changed"), auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("front page")
        verbose_name_plural = _("front page")

    def __str__(self):
        return str(self.get_edition_display())

    @classmethod
    def edition_of(cls, edition):
        """The edition's row, made (empty) if it is missing: for the editors."""
        return cls.objects.get_or_create(edition=edition)[0]

    @classmethod
    def as_saved(cls, edition):
        """The edition as saved, or an empty one (not saved): reading writes nothing."""
        return cls.objects.filter(edition=edition).first() or cls(edition=edition)

    def chosen_stories(self):
        """The ids of the stories the editors chose, slot by slot (None where empty)."""
        return {
            name: getattr(self, f"{name}_id")
            for name in SLOT_FIELDS
            if not name.startswith("section_") or name.endswith("_story")
        }

    def chosen_sections(self):
        return [getattr(self, f"section_{n}_id") for n in range(1, SECTION_SLOTS + 1)]

    def copy_to(self, other):
        """Lay ``other`` out as this one is (the draft put live)."""
        for name in SLOT_FIELDS:
            setattr(other, f"{name}_id", getattr(self, f"{name}_id"))
        other.changed_by_id = self.changed_by_id
        other.save()

    def layout(self, per_section=4, latest=10, picks=5, candidates=30):
        """What the front page shows, laid out as the editors chose, every slot filled.

        Returns a dict: ``lead``, ``secondary`` (a list), ``sections`` (sections, each with
        ``stories``), ``latest`` and ``picks`` (the sidebar's lists). Every story shown has
        ``first_photo``. The queries follow the number of sections, never of stories.
        """
        from .photos import Figure

        visible = Article.objects.published().listing()
        chosen = self.chosen_stories()
        wanted = [pk for pk in chosen.values() if pk]
        found = visible.in_bulk(wanted) if wanted else {}
        newest = list(visible.latest_first()[:candidates])
        newest_picks = list(visible.filter(is_pick=True).latest_first()[: picks + 1])
        blocks = self._sections_in_order()
        for section in blocks:
            section.newest = list(
                visible.filter(category=section).latest_first()[: per_section + SECONDARY_SLOTS + 1]
            )
        everything = {a.pk: a for a in [*found.values(), *newest, *newest_picks]}
        everything.update((a.pk, a) for section in blocks for a in section.newest)
        Figure.objects.with_first_photos(everything.values())

        def one(article):  # the same row, with its photo, wherever it was read
            return everything[article.pk] if article is not None else None

        shown = set()
        # The lead: the editors' choice, else the newest pick with a photo, else the newest
        # story with a photo, else the newest story.
        lead = one(found.get(chosen["lead"]))
        if lead is None:
            with_photo = [one(a) for a in newest_picks + newest if one(a).first_photo]
            lead = (with_photo or [one(a) for a in newest] or [None])[0]
        if lead is not None:
            shown.add(lead.pk)
        secondary = []
        picked = [found.get(chosen[f"secondary_{n}"]) for n in range(1, SECONDARY_SLOTS + 1)]
        for story in [*filter(None, picked), *newest]:
            if len(secondary) < SECONDARY_SLOTS and story.pk not in shown:
                secondary.append(one(story))
                shown.add(story.pk)

        sections = []
        for section in blocks:
            if len(sections) >= SECTION_SLOTS:
                break
            top = one(found.get(section.chosen_story))
            stories = self._block_stories(top, [one(a) for a in section.newest], shown, per_section)
            if stories:
                section.stories = stories
                shown.update(a.pk for a in stories)
                sections.append(section)
        return {
            "lead": lead,
            "secondary": secondary,
            "sections": sections,
            "latest": [one(a) for a in newest if a.pk != getattr(lead, "pk", None)][:latest],
            "picks": [one(a) for a in newest_picks if a.pk != getattr(lead, "pk", None)][:picks],
        }

    def _sections_in_order(self):
        """Every section, those the editors chose for the blocks first (in their order),
        each with ``chosen_story``, its block's top story as chosen (or None)."""
        chosen = {}
        for n in range(1, SECTION_SLOTS + 1):
            pk = getattr(self, f"section_{n}_id")
            if pk and pk not in chosen:
                chosen[pk] = getattr(self, f"section_{n}_story_id")
        sections = list(Category.objects.all())
        order = list(chosen)
        sections.sort(key=lambda s: order.index(s.pk) if s.pk in chosen else len(order))
        for section in sections:
            section.chosen_story = chosen.get(section.pk)
        return sections

    @staticmethod
    def _block_stories(top, newest, shown, count):
        """A section block's stories: its chosen top story, then its newest not shown above
        (the newest with a photo first when none was chosen); the newest shown above if
        none is left, so no block is blank."""
        rest = [a for a in newest if a.pk not in shown and a != top]
        if not rest and top is None:
            rest = newest
        if top is None:
            with_photo = [a for a in rest if a.first_photo]
            if with_photo:
                rest.remove(with_photo[0])
                top = with_photo[0]
        return ([top] if top is not None else []) + rest[: count - (top is not None)]
