"""The lists of headlines every page shows, each computed once per change of the site.

The views, the context processor, the feeds and the template tags take them from here;
the models know nothing of keeping them.
"""

from django.db.models import Max

from .cache import version
from .models import Article, Category, FrontPage


def sections(site_version=None):
    """Every section, by position, with its name and slug: the site's navigation."""
    return version.shared("nav", lambda: list(Category.objects.only("name", "slug")), site_version)


def _visible():
    return Article.objects.published().listing().latest_first()


def newest(count):
    """The ``count`` newest visible articles."""
    return version.shared(f"latest-{count}", lambda: list(_visible()[:count]))


def newest_in_section(section_id, count):
    """The ``count`` newest visible articles of a section."""
    return version.shared(
        f"section-{section_id}-latest-{count}",
        lambda: list(_visible().filter(category_id=section_id)[:count]),
    )


def latest_picks(count):
    """The ``count`` newest visible editor's picks."""
    return version.shared(f"picks-{count}", lambda: list(_visible().filter(is_pick=True)[:count]))


def sections_with_latest(count):
    """Sections that have visible articles, each with its ``count`` newest as ``latest``.

    One short walk of the (section, status, time) index per section: the cost follows
    the number of sections, never the number of articles.
    """

    def compute():
        sections = list(Category.objects.all())
        for section in sections:
            section.latest = list(_visible().filter(category=section)[:count])
        return [section for section in sections if section.latest]

    return version.shared(f"sections-latest-{count}", compute)


def related(article, limit):
    """The editor's related links readers may see, topped up to ``limit`` with the newest
    articles of the same section; the editor's own choices are never cut."""

    def compute():
        chosen = article.related_articles()
        if len(chosen) >= limit or not article.category_id:
            return chosen
        shown = {article.pk, *(a.pk for a in chosen)}
        # Enough of the section's newest that, with every shown one left out, the rest
        # still fill the box: one list per section, shared by all its articles.
        newest = newest_in_section(article.category_id, 2 * limit + 1)
        return chosen + [a for a in newest if a.pk not in shown][: limit - len(chosen)]

    return version.shared(f"related-{article.pk}-{limit}", compute)


def picks_besides(article, limit=5):
    """The editor's picks ("Nên xem") readers may see, other than ``article``."""
    return [a for a in latest_picks(limit + 1) if a.pk != article.pk][:limit]


def other_news(article, limit=10):
    """ "Tin khác": the latest visible articles other than ``article``."""
    return [a for a in newest(limit + 1) if a.pk != article.pk][:limit]


def breaking(site_version=None):
    """The story whose breaking banner is up, as a list of one (or none). Each banner's end
    moves the site's version (``version.database_version``), so no job takes it down."""
    return version.shared(
        "breaking", lambda: list(Article.objects.breaking().listing()[:1]), site_version
    )


def highest_article_id():
    """The highest id of a visible article: views of higher ids are not counted."""
    return version.shared(
        "highest-visible-id",
        lambda: Article.objects.published().aggregate(highest=Max("pk"))["highest"] or 0,
    )


def front_page():
    """The live front page's layout (``FrontPage.layout``), every slot filled."""
    return version.shared("front-page", lambda: FrontPage.as_saved(FrontPage.Edition.LIVE).layout())


def authors_and_topics(article):
    """The authors and topics of ``article``, as its page shows them."""
    return version.shared(
        f"people-{article.pk}",
        lambda: (list(article.authors.all()), list(article.topics.all())),
    )
