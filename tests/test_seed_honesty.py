"""The seed story is shown honestly: the fixture's inferred times are not shown to
readers as facts, and the captions whose photos were lost do not look broken."""

import re
from pathlib import Path

from django.template.loader import render_to_string

from articles.models import Article, Figure

from .factories import make_article
from .page_parts import parts, visible_text

SOURCE = Path(__file__).resolve().parent.parent / "fixtures/source/tay-ho-article.txt"


def source_line():
    return dict(enumerate(SOURCE.read_text(encoding="utf-8").splitlines(), start=1))


def box_only_titles():
    line = source_line()
    listed = {line[n] for n in range(27, 47, 2)}
    return [line[n] for n in range(19, 26) if line[n] not in listed]


def test_the_seven_inferred_times_are_marked_as_not_known(seed):
    unknown = set(Article.objects.filter(time_is_known=False).values_list("title", flat=True))
    assert unknown == {seed.title, *box_only_titles()}
    assert len(unknown) == 7
    # The ten "Tin khác" articles keep the times the page gives.
    assert Article.objects.filter(time_is_known=True).count() == 10


def test_the_seed_story_page_shows_no_invented_time(client, seed):
    page = client.get(seed.get_absolute_url()).content.decode()
    article = page.split("<article", 1)[1].split("</article>", 1)[0]
    assert "<time" not in article
    assert "21:00" not in visible_text(page) and "00:00" not in visible_text(page)
    # "Tin khác" beside it has stories of that day, with their own times; the story has none.
    assert "23/01/2025" not in visible_text(page, within="article")


def test_the_six_box_only_stories_show_no_time_anywhere(client, seed):
    six = Article.objects.filter(title__in=box_only_titles())
    assert six.count() == 6
    for story in six:
        assert not render_to_string("articles/includes/dateline.html", {"article": story}).strip()
        page = client.get(story.get_absolute_url()).content.decode()
        assert "21/01/2025" not in visible_text(page, within="article")
    home = visible_text(client.get("/").content.decode())
    assert "00:00" not in home and "21/01/2025 00:00" not in home


def test_the_machines_still_get_a_time(client, seed):
    page = parts(client.get(seed.get_absolute_url()))
    assert page.structured("NewsArticle")["datePublished"].startswith("2025-01-23T21:00")
    # The seed story is still the newest of the seed, as on the captured page.
    assert Article.objects.first() == seed


def test_a_story_with_a_known_time_still_shows_it(client, seed):
    line = source_line()
    listed = Article.objects.get(title=line[27])
    section, day, minute = line[28].rsplit(" ", 2)
    page = client.get(listed.get_absolute_url()).content.decode()
    assert f"{day} {minute}" in visible_text(page)
    assert section in visible_text(page)
    mine = make_article("Tin có giờ thật")
    assert mine.time_is_known
    dateline = render_to_string("articles/includes/dateline.html", {"article": mine})
    assert "<time datetime=" in dateline


def test_the_four_captions_render_as_captions_without_an_image(client, seed):
    figures = Figure.objects.filter(article=seed)
    assert figures.count() == 4 and all(f.photo is None for f in figures)
    page = client.get(seed.get_absolute_url()).content.decode()
    article = page.split("<article", 1)[1].split("</article>", 1)[0]
    assert "<img" not in article
    found = re.findall(
        r'<figure class="figure figure-caption-only">\s*<figcaption>(.*?)</figcaption>\s*</figure>',
        article,
        re.S,
    )
    assert len(found) == 4
    assert all(caption.strip() for caption in found)


def test_the_caption_only_style_is_in_the_stylesheet():
    css = (Path(__file__).resolve().parent.parent / "articles/static/articles/site.css").read_text(
        "utf-8"
    )
    assert ".figure-caption-only {" in css
