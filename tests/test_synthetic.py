from django.core.management import call_command

from articles.models import Article, Category, Figure, Photo, RelatedLink, RichText
from articles.synthetic import SYNTHETIC_PREFIX


def synthetic():
    return Article.objects.filter(slug__startswith=SYNTHETIC_PREFIX)


def test_makes_the_asked_number_of_marked_articles_in_marked_sections(db):
    call_command("make_synthetic_news", articles=50, seed=1, verbosity=0)
    assert synthetic().count() == 50
    sections = Category.objects.filter(articles__in=synthetic()).distinct()
    assert sections.count() > 1
    assert all(s.slug.startswith(SYNTHETIC_PREFIX) for s in sections)
    assert all(s.name.startswith("[Thử nghiệm]") for s in sections)


def test_every_article_has_two_to_six_text_blocks_and_up_to_three_figures(db):
    call_command("make_synthetic_news", articles=50, seed=2, verbosity=0)
    for article in synthetic().prefetch_related("richtexts", "figures"):
        assert 2 <= len(article.richtexts.all()) <= 6
        assert len(article.figures.all()) <= 3
        positions = [block.ordering for block in article.body()]
        assert positions == list(range(10, 10 * len(positions) + 1, 10))
    figure = Figure.objects.filter(article__in=synthetic()).first()
    # The figures share the few photos of the library: each file is stored once.
    photos = Figure.objects.filter(article__in=synthetic()).values("photo").distinct()
    assert photos.count() <= Photo.objects.count() < Figure.objects.count()
    assert figure.image.storage.exists(figure.image.name)
    assert (figure.image.width, figure.image.height) == (figure.image_width, figure.image_height)


def test_most_articles_are_visible_and_some_are_drafts_review_or_scheduled(db):
    call_command("make_synthetic_news", articles=400, seed=3, verbosity=0)
    visible = synthetic().published().count()
    assert 360 <= visible < 400
    hidden = synthetic().exclude(pk__in=synthetic().published().values("pk"))
    assert hidden.filter(status=Article.Status.PUBLISHED).exists()  # scheduled
    assert hidden.exclude(status=Article.Status.PUBLISHED).exists()


def test_stored_search_text_is_what_the_model_would_fold(db):
    call_command("make_synthetic_news", articles=50, seed=4, verbosity=0)
    for article in synthetic():
        assert article.search_text == article.fold_search_text()
    title_word = synthetic().first().title.split()[-1]
    assert synthetic().search(title_word).exists()


def test_related_links_point_to_other_existing_articles_at_most_five_each(db):
    call_command("make_synthetic_news", articles=50, seed=5, verbosity=0)
    links = RelatedLink.objects.filter(article__in=synthetic())
    assert links.exists()
    for link in links.select_related("target"):
        assert link.target_id != link.article_id
        assert link.target.slug.startswith(SYNTHETIC_PREFIX)
    counts = [a.related_links.count() for a in synthetic()]
    assert max(counts) <= 5


def test_the_same_seed_gives_the_same_headlines(db):
    call_command("make_synthetic_news", articles=20, seed=6, verbosity=0)
    first = list(synthetic().order_by("pk").values_list("title", flat=True))
    call_command("make_synthetic_news", delete=True, verbosity=0)
    call_command("make_synthetic_news", articles=20, seed=6, verbosity=0)
    assert list(synthetic().order_by("pk").values_list("title", flat=True)) == first


def test_delete_removes_only_synthetic_rows_and_keeps_the_seed_story(seed):
    before = {
        model: model.objects.count() for model in (Article, Category, RichText, Figure, RelatedLink)
    }
    call_command("make_synthetic_news", articles=50, seed=7, verbosity=0)
    # A real link into synthetic data goes with it; the real article stays.
    RelatedLink.objects.create(article=seed, target=synthetic().first(), position=99)
    call_command("make_synthetic_news", delete=True, verbosity=0)
    after = {
        model: model.objects.count() for model in (Article, Category, RichText, Figure, RelatedLink)
    }
    assert after == before
    assert Article.objects.filter(pk=seed.pk).exists()
