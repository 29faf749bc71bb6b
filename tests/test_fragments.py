"""An article's own part of its page is rendered once for each content it has, whatever
else changes on the site."""

from datetime import timedelta

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import set_script_prefix

from articles.cache import fragments
from articles.models import Article, Figure, RichText

from .factories import make_article, make_category

BODY_PARTS = "articles/includes/blocks/figure.html"


@pytest.fixture
def story(db, settings):
    # Without the page cache, every request renders the page.
    settings.PAGE_CACHE_SECONDS = 0
    return make_article(
        "Chợ hoa Quảng Bá",
        category=make_category("Nhịp sống Thủ đô"),
        blocks=["Chợ mở suốt đêm.", {"caption": "Chợ hoa lúc rạng sáng"}],
    )


def rendered_templates(response):
    return {template.name for template in response.templates}


def test_a_second_reading_of_an_article_does_not_render_its_body_again(client, story):
    first = client.get(story.get_absolute_url())
    second = client.get(story.get_absolute_url())
    assert BODY_PARTS in rendered_templates(first)
    assert BODY_PARTS not in rendered_templates(second)
    assert second.content == first.content


def test_a_change_to_another_article_leaves_this_articles_fragments_in_place(client, story):
    client.get(story.get_absolute_url())
    make_article("Phố bích họa Phùng Hưng")  # the site changes: its shared lists start over
    response = client.get(story.get_absolute_url())
    assert BODY_PARTS not in rendered_templates(response)
    assert "Phố bích họa Phùng Hưng" in response.content.decode()  # in "Tin khác"


def test_a_block_changed_without_any_signal_shows_on_the_next_reading(client, story):
    client.get(story.get_absolute_url())
    Figure.objects.filter(article=story).update(caption="Chợ hoa lúc nửa đêm")
    RichText.objects.filter(article=story).update(text="Chợ mở từ chiều.")
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Chợ hoa lúc nửa đêm" in page and "Chợ hoa lúc rạng sáng" not in page
    assert "Chợ mở từ chiều." in page and "Chợ mở suốt đêm." not in page


def test_a_headline_changed_in_the_database_shows_in_the_page_and_its_tags(client, story):
    client.get(story.get_absolute_url())
    Article.objects.filter(pk=story.pk).update(title="Chợ hoa Quảng Bá vào mùa")
    page = client.get(story.get_absolute_url()).content.decode()
    assert "<h1>Chợ hoa Quảng Bá vào mùa</h1>" in page
    assert '<meta property="og:title" content="Chợ hoa Quảng Bá vào mùa">' in page


def test_a_renamed_section_shows_in_the_breadcrumb_and_the_dateline(client, story):
    client.get(story.get_absolute_url())
    type(story.category).objects.filter(pk=story.category_id).update(name="Đời sống")
    page = client.get(story.get_absolute_url()).content.decode()
    # The navigation above is shared until the site next changes, which update() does not mark.
    article_part = page.split("<main")[1].split("<section")[0]
    assert article_part.count(">Đời sống</a>") == 2  # the breadcrumb and the dateline
    assert "Nhịp sống Thủ đô" not in article_part


def test_each_host_gets_its_own_absolute_addresses(client, story, settings):
    settings.ALLOWED_HOSTS = ["hanoi.example", "tinhanoi.example"]
    first = client.get(story.get_absolute_url(), HTTP_HOST="hanoi.example").content.decode()
    second = client.get(story.get_absolute_url(), HTTP_HOST="tinhanoi.example").content.decode()
    assert f'href="http://hanoi.example{story.get_absolute_url()}"' in first
    assert f'href="http://tinhanoi.example{story.get_absolute_url()}"' in second
    assert "hanoi.example" not in second.replace("tinhanoi.example", "")


def test_the_key_counts_where_the_site_is_mounted(story):
    at_the_root = fragments.key("page", None, [story])
    set_script_prefix("/bao/")  # as the WSGI handler does for a site mounted at /bao
    try:
        assert fragments.key("page", None, [story]) != at_the_root
    finally:
        set_script_prefix("/")


def test_a_changed_setting_renders_the_fragments_again(client, story, settings):
    client.get(story.get_absolute_url())
    settings.SITE_NAME = "Tin Hà Nội"
    page = client.get(story.get_absolute_url()).content.decode()
    assert '<meta property="og:site_name" content="Tin Hà Nội">' in page


def test_the_key_counts_every_loaded_field_and_the_rows_loaded_beside_them(story):
    article = Article.objects.select_related("category").get(pk=story.pk)
    before = fragments.key("page", None, [article, article.body()])
    article.byline = "Minh Anh"
    assert fragments.key("page", None, [article, article.body()]) != before
    article.byline = story.byline
    assert fragments.key("page", None, [article, article.body()]) == before
    article.category.slug = "doi-song"
    assert fragments.key("page", None, [article, article.body()]) != before


def test_a_time_moved_by_a_microsecond_changes_the_key(story):
    article = Article.objects.get(pk=story.pk)
    before = fragments.key("page", None, [article])
    article.updated_at += timedelta(microseconds=1)
    assert fragments.key("page", None, [article]) != before


def test_a_process_keeps_a_bounded_number_of_characters_dropping_the_least_used():
    store = fragments.Store(memory=10)
    store.keep("a", "aaaa")
    store.keep("b", "bbbb")
    store.get("a")
    store.keep("c", "cccc")
    assert [store.get(key) for key in "abc"] == ["aaaa", None, "cccc"]
    assert store.size == 8


def test_the_memory_for_fragments_is_counted_in_characters_not_bytes():
    store = fragments.Store(memory=6)
    store.keep("vi", "Hồ Tây")  # 6 characters, 9 bytes in UTF-8
    assert store.get("vi") == "Hồ Tây"
    assert store.size == 6


def test_with_no_memory_for_fragments_every_reading_renders_the_body(client, story, settings):
    settings.FRAGMENT_MEMORY = 0
    client.get(story.get_absolute_url())
    assert BODY_PARTS in rendered_templates(client.get(story.get_absolute_url()))


def test_values_that_print_alike_have_different_keys():
    pairs = [(1, "1"), (None, "None"), ("a, b", ["a", "b"]), (1.0, "1.0"), ("", [])]
    for one, other in pairs:
        assert fragments.key("f", None, [one]) != fragments.key("f", None, [other])


def test_a_body_read_twice_has_the_same_key_and_an_edited_one_another(story):
    before = fragments.key("page", None, [story.body()])
    assert fragments.key("page", None, [story.body()]) == before
    RichText.objects.filter(article=story).update(text="Chợ mở đến trưa.")
    assert fragments.key("page", None, [story.body()]) != before


def test_a_fragment_keyed_on_a_queryset_is_refused_since_it_is_rows_yet_to_be_read(story):
    with pytest.raises(TypeError, match="rows, lists and plain values"):
        fragments.key("page", None, [Article.objects.all()])


def test_a_section_read_while_rendering_counts_in_the_key_of_what_is_kept(story):
    fragment = Template(
        "{% load news %}{% fragment f article %}{{ article.category.name }}{% endfragment %}"
    )

    def render():
        # Without select_related: the section is only read by the template.
        return fragment.render(Context({"article": Article.objects.get(pk=story.pk)}))

    assert render() == "Nhịp sống Thủ đô"
    type(story.category).objects.filter(pk=story.category_id).update(name="Đời sống")
    assert render() == "Đời sống"


@pytest.mark.parametrize("tag", ["fragment", "shared"])
def test_a_kept_fragment_without_a_name_is_a_template_error_that_says_so(tag):
    with pytest.raises(TemplateSyntaxError, match="needs a name"):
        Template(f"{{% load news %}}{{% {tag} %}}x{{% end{tag} %}}")


@pytest.mark.parametrize("tag", ["fragment", "shared"])
def test_a_block_inside_a_kept_fragment_is_a_template_error_since_it_could_not_be_filled(tag):
    with pytest.raises(TemplateSyntaxError, match="cannot hold a {% block %}"):
        Template(f"{{% load news %}}{{% {tag} f %}}{{% block b %}}{{% endblock %}}{{% end{tag} %}}")


def test_a_fragment_of_small_plain_values_is_kept_once_for_each_value_and_its_type():
    from datetime import date

    assert fragments.key("f", None, [date(2030, 3, 14)]) == fragments.key(
        "f", None, [date(2030, 3, 14)]
    )
    assert fragments.key("f", None, [date(2030, 3, 14)]) != fragments.key(
        "f", None, [date(2030, 3, 15)]
    )
    assert fragments.key("f", None, [1]) != fragments.key("f", None, [True])
    assert fragments.key("f", None, []) != fragments.key("g", None, [])


def test_a_deferred_field_read_while_rendering_counts_in_the_key_of_what_is_kept(story):
    fragment = Template(
        "{% load news %}{% fragment f article %}{{ article.sapo }}{% endfragment %}"
    )

    def render():
        # The sapo is left out of the query: only the template reads it.
        return fragment.render(Context({"article": Article.objects.only("title").get(pk=story.pk)}))

    Article.objects.filter(pk=story.pk).update(sapo="Chợ mở suốt đêm.")
    assert render() == "Chợ mở suốt đêm."
    Article.objects.filter(pk=story.pk).update(sapo="Chợ mở đến sáng.")
    assert render() == "Chợ mở đến sáng."


def test_a_render_that_reads_nothing_more_is_keyed_once(story, monkeypatch):
    keys = []  # each key new: every render is a miss
    monkeypatch.setattr(fragments, "key", lambda *args: keys.append(args) or object())
    article = Article.objects.select_related("category").get(pk=story.pk)
    kept = Template(
        "{% load news %}{% fragment f article %}{{ article.category.name }}{% endfragment %}"
    )

    assert kept.render(Context({"article": article})) == "Nhịp sống Thủ đô"
    assert len(keys) == 1

    keys.clear()
    lazily = Article.objects.get(pk=story.pk)  # its section is read by the render
    assert kept.render(Context({"article": lazily})) == "Nhịp sống Thủ đô"
    assert len(keys) == 2
