"""The Tây Hồ fixture, held line by line against the captured page it came from."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from articles import lists
from articles.models import Article, Category, Figure, Photo, RelatedLink, RichText

from .factories import make_article
from .page_parts import visible_text

SOURCE = Path(__file__).resolve().parent.parent / "fixtures/source/tay-ho-article.txt"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def line():
    """The captured page by line number, as the seed README numbers them."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    return dict(enumerate(lines, start=1))


def captions_of(line):
    return [line[n].removesuffix(" |") for n in (3, 6, 9, 12)]


def test_the_headline_and_sapo_are_the_source_lines(seed, line):
    assert seed.title == line[1]
    assert seed.sapo == line[2]


def test_the_body_is_every_paragraph_with_the_captions_where_the_photos_stood(seed, line):
    body = [
        ("figure", block.caption)
        if block.kind == "figure"
        else ("text", block.searchable_text().splitlines())
        for block in seed.body()
    ]
    assert body == [
        ("figure", line[3].removesuffix(" |")),
        ("text", [line[4], line[5]]),
        ("figure", line[6].removesuffix(" |")),
        ("text", [line[7], line[8]]),
        ("figure", line[9].removesuffix(" |")),
        ("text", [line[10], line[11]]),
        ("figure", line[12].removesuffix(" |")),
        ("text", [line[13], line[14], line[15], line[16]]),
    ]


def test_captions_keep_no_capture_marks_and_no_image_is_invented(seed, line):
    figures = list(seed.figures.all())
    assert [f.caption for f in figures] == captions_of(line)
    assert all(not f.caption.endswith("|") for f in figures)
    assert all(not f.photo and not f.credit and not f.alt_text for f in figures)
    assert not Photo.objects.exists()


def test_the_box_headlines_are_the_related_links_in_order(seed, line):
    assert [a.title for a in seed.related_articles()] == [line[n] for n in range(19, 26)]


def test_tin_khac_is_the_ten_listed_articles_with_their_sections_and_hanoi_times(seed, line):
    expected = [(line[n], line[n + 1]) for n in range(27, 47, 2)]
    shown = [
        (a.title, f"{a.category.name} {a.published_at.astimezone(HANOI):%d/%m/%Y %H:%M}")
        for a in lists.other_news(seed)
    ]
    assert shown == expected


def test_the_two_sections_are_named_exactly(seed):
    assert list(Category.objects.values_list("name", flat=True)) == [
        "Chỉ đạo - Điều hành",
        "Nhịp sống Thủ đô",
    ]


def test_a_headline_in_both_lists_is_one_article(seed, line):
    ihanoi = line[20]
    assert ihanoi == line[27]
    article = Article.objects.get(title=ihanoi)
    assert article.published_at == datetime(2025, 1, 23, 20, 53, tzinfo=HANOI)
    assert article.category.name == "Chỉ đạo - Điều hành"
    assert seed.related_links.filter(target=article).count() == 1
    assert Article.objects.count() == 1 + 7 + 10 - 1


def test_what_the_page_does_not_give_is_left_empty(seed, line):
    assert seed.byline == ""
    assert seed.category is None
    only_in_box = Article.objects.filter(title__in=[line[n] for n in range(19, 26)]).exclude(
        title__in=[line[n] for n in range(27, 47, 2)]
    )
    assert only_in_box.count() == 6
    assert all(a.category is None and a.sapo == "" and a.byline == "" for a in only_in_box)


def test_every_inference_is_written_down_beside_the_fixture():
    notes = (SOURCE.parent.parent / "README.md").read_text(encoding="utf-8")
    assert "21:00" in notes and "21/01/2025 00:00" in notes
    assert "inference" in notes.lower()


def test_the_stored_search_text_matches_the_rule(seed):
    for article in Article.objects.all():
        assert article.search_text == article.fold_search_text()
    assert "tay ho" in seed.search_text


def counts():
    return [m.objects.count() for m in (Category, Article, RichText, Figure, RelatedLink)]


def test_loading_the_fixture_twice_leaves_the_same_rows(seed):
    before = counts()
    ids = sorted(Article.objects.values_list("pk", "slug"))
    call_command("loaddata", "tay_ho", verbosity=0)
    assert counts() == before == [2, 17, 4, 4, 7]
    assert sorted(Article.objects.values_list("pk", "slug")) == ids


def test_the_seed_story_reads_word_for_word_as_it_did_before_the_new_body(client, seed):
    """The text of the story's page, as it was rendered from the old text blocks and
    figures (``tests/data``), is the text rendered from the new body."""
    before = (Path(__file__).parent / "data/tay_ho_article_text.txt").read_text("utf-8")
    page = client.get(seed.get_absolute_url()).content.decode()
    assert visible_text(page, within="article") == before.strip()
    # Each paragraph is a paragraph of its own, and each caption a figure's, as before.
    article = page.split("<article", 1)[1].split("</article>", 1)[0]
    assert (article.count("<p>"), article.count("<figcaption>")) == (10, 4)


def test_loading_the_fixture_keeps_the_articles_already_there(db):
    mine = [make_article(f"Bài có sẵn {n}") for n in range(3)]
    call_command("loaddata", "tay_ho", verbosity=0)
    for article in mine:
        article.refresh_from_db()
        assert article.title.startswith("Bài có sẵn")
    assert Article.objects.count() == 3 + 17
