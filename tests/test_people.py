"""Topics and authors: their pages and feeds, the byline, the admin's choosing, the migration."""

import importlib
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.apps import apps
from django.utils import timezone

from articles.models import Article, Author, Topic

from .factories import make_article


@pytest.fixture
def traffic(db):
    topic = Topic.objects.create(name="Giao thông")
    author = Author.objects.create(name="Đỗ Minh Anh", role="Phóng viên", bio="Viết về đô thị.")
    visible = make_article("Cầu mới bắc qua sông Hồng")
    hidden = [
        make_article("Bản nháp về cầu", status=Article.Status.DRAFT),
        make_article("Tin hẹn giờ về cầu", published_at=timezone.now() + timedelta(hours=2)),
    ]
    for story in [visible, *hidden]:
        story.topics.add(topic)
        story.authors.add(author)
    return topic, author, visible


def test_a_topic_page_lists_only_its_visible_stories(client, traffic):
    topic, _, visible = traffic
    assert topic.slug == "giao-thong" and topic.get_absolute_url() == "/chu-de/giao-thong/"
    html = client.get(topic.get_absolute_url()).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert "Giao thông" in main and visible.title in main
    assert "Bản nháp" not in html and "hẹn giờ" not in html


def test_an_author_page_shows_who_they_are_and_only_their_visible_stories(client, traffic):
    _, author, visible = traffic
    assert author.get_absolute_url() == "/tac-gia/do-minh-anh/"
    html = client.get(author.get_absolute_url()).content.decode()
    assert "Đỗ Minh Anh" in html and "Viết về đô thị." in html and "Phóng viên" in html
    assert visible.title in html and "Bản nháp" not in html and "hẹn giờ" not in html


@pytest.mark.parametrize("kind", ["topic", "author"])
def test_topic_and_author_feeds_carry_only_visible_stories(client, traffic, kind):
    topic, author, visible = traffic
    url = (topic if kind == "topic" else author).get_absolute_url() + "rss/"
    channel = ElementTree.fromstring(client.get(url).content).find("channel")
    assert [item.findtext("title") for item in channel.findall("item")] == [visible.title]


def test_an_unknown_topic_or_author_is_not_found(client, db):
    assert client.get("/chu-de/khong-co/").status_code == 404
    assert client.get("/tac-gia/khong-co/rss/").status_code == 404


def test_the_byline_links_each_author_and_falls_back_to_the_free_text(client, traffic):
    _, author, visible = traffic
    second = Author.objects.create(name="Lan Hương")
    visible.authors.add(second)
    html = client.get(visible.get_absolute_url()).content.decode()
    assert f'<a href="{author.get_absolute_url()}" rel="author">Đỗ Minh Anh</a>' in html
    assert f'<a href="{second.get_absolute_url()}" rel="author">Lan Hương</a>' in html
    assert '<a href="/chu-de/giao-thong/">Giao thông</a>' in html
    plain = make_article("Bài có bút danh", byline="Nhóm phóng viên")
    assert (
        '<p class="byline">Nhóm phóng viên</p>'
        in client.get(plain.get_absolute_url()).content.decode()
    )


def test_renaming_an_author_shows_on_the_story_at_once(client, traffic):
    _, author, visible = traffic
    client.get(visible.get_absolute_url())
    author.name = "Đỗ Minh Anh (Hà Nội)"
    author.save()
    assert "Đỗ Minh Anh (Hà Nội)" in client.get(visible.get_absolute_url()).content.decode()


def test_adding_a_topic_to_a_published_story_shows_at_once(client, traffic):
    _, _, visible = traffic
    client.get(visible.get_absolute_url())
    visible.topics.add(Topic.objects.create(name="Tết Nguyên đán"))
    assert "Tết Nguyên đán" in client.get(visible.get_absolute_url()).content.decode()


def test_topic_and_author_slugs_are_reserved_for_sections(db):
    from django.core.exceptions import ValidationError

    from articles.models import validate_section_slug

    for slug in ("chu-de", "tac-gia"):
        with pytest.raises(ValidationError):
            validate_section_slug(slug)


def test_the_sitemaps_list_topics_and_authors_with_visible_stories(client, traffic):
    topic, author, _ = traffic
    Topic.objects.create(name="Chủ đề trống")
    topics = client.get("/sitemap-topics.xml").content.decode()
    assert f"/chu-de/{topic.slug}/" in topics and "chu-de-trong" not in topics
    assert f"/tac-gia/{author.slug}/" in client.get("/sitemap-authors.xml").content.decode()


@pytest.mark.parametrize("term", ["ha noi", "HÀ NỘI", "Hà Nội", "noi"])
def test_topics_are_found_in_the_admin_with_accents_and_case_ignored(client, db, term):
    from .admin_forms import member

    Topic.objects.create(name="Hà Nội")
    Topic.objects.create(name="Hải Phòng")
    client.force_login(member("phongvien", "Phóng viên"))
    response = client.get(
        "/admin/autocomplete/",
        {"term": term, "app_label": "articles", "model_name": "article", "field_name": "topics"},
    )
    assert [row["text"] for row in response.json()["results"]] == ["Hà Nội"]


def test_free_text_bylines_become_authors_and_nothing_is_lost(db):
    migration = importlib.import_module("articles.migrations.0014_bylines_to_authors")
    stories = {
        "Minh Anh, Lan Hương": make_article(byline="Minh Anh, Lan Hương"),
        "Minh Anh": make_article(byline="Minh Anh"),
        "Trần Văn Bình và Lê Thị Cúc": make_article(byline="Trần Văn Bình và Lê Thị Cúc"),
        "": make_article(byline=""),
    }
    migration.bylines_to_authors(apps, None)
    for byline, story in stories.items():
        story.refresh_from_db()
        assert story.byline == byline, "the free text is kept as written"
    names = lambda story: sorted(a.name for a in story.authors.all())  # noqa: E731
    assert names(stories["Minh Anh, Lan Hương"]) == ["Lan Hương", "Minh Anh"]
    assert names(stories["Minh Anh"]) == ["Minh Anh"]
    assert names(stories["Trần Văn Bình và Lê Thị Cúc"]) == ["Lê Thị Cúc", "Trần Văn Bình"]
    assert names(stories[""]) == []
    assert Author.objects.filter(name="Minh Anh").count() == 1
    assert Author.objects.get(name="Trần Văn Bình").slug == "tran-van-binh"
