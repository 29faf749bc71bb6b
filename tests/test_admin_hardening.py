"""The admin under attack: bodies of hundreds of blocks."""

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, TextBlock

from .admin_forms import (
    ADD_URL,
    change_url,
    empty_inlines,
    errors_of,
    form_data,
    new_article_data,
)
from .factories import make_article, make_category

# Many blocks ---------------------------------------------------------------------------


def blocks_data(count):
    """Inline form data for ``count`` new text blocks, numbered in order, with the four
    fields a browser posts for each."""
    data = empty_inlines(textblocks=count)
    for n in range(count):
        data[f"textblocks-{n}-id"] = data[f"textblocks-{n}-article"] = ""
        data[f"textblocks-{n}-position"] = str(n + 1)
        data[f"textblocks-{n}-text"] = f"Đoạn số {n + 1}."
    return data


def admin_add(client, title, count):
    """Add an article of ``count`` text blocks; the statements run and the body reads made."""
    data = new_article_data(title, **blocks_data(count))
    with (
        mock.patch.object(Article, "body", autospec=True, side_effect=Article.body) as reads,
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    return len(queries), reads.call_count


def test_an_admin_save_grows_linearly_with_the_number_of_blocks(client, editor):
    client.force_login(editor)
    admin_add(client, "Khởi động", 2)  # the first post of a session reads more
    small_queries, small_reads = admin_add(client, "Mười khối", 10)
    large_queries, large_reads = admin_add(client, "Hai mươi khối", 20)
    assert large_queries <= 2 * small_queries + 5
    # Each added block costs at most its own insert, and the body is read a fixed
    # number of times, not once per block.
    assert large_queries - small_queries <= 10 + 3
    assert small_reads == large_reads <= 3


def test_moving_every_block_renumbers_them_in_a_bounded_number_of_statements(client, editor):
    category = make_category("Đời sống")
    small = make_article("Ít", category=category, blocks=[f"Đoạn {n}." for n in range(10)])
    large = make_article("Nhiều", category=category, blocks=[f"Đoạn {n}." for n in range(40)])
    client.force_login(editor)
    counted = []
    for article in (small, large):
        data = form_data(client.get(change_url(article)))
        count = int(data["textblocks-TOTAL_FORMS"])
        data["textblocks-0-position"] = str(count + 1)  # the first paragraph goes last
        with CaptureQueriesContext(connection) as queries:
            assert client.post(change_url(article), data).status_code == 302
        counted.append(len(queries))
        texts = [block.text for block in article.body()]
        assert texts == [f"Đoạn {n}." for n in [*range(1, count), 0]]
        assert [block.position for block in article.body()] == list(range(1, count + 1))
    # Django checks each posted row's id with a statement of its own; renumbering the
    # thirty more blocks that moved adds none.
    assert counted[1] - counted[0] <= 30 + 3


def test_an_admin_post_of_400_blocks_saves_them_all_in_order(client, editor):
    client.force_login(editor)
    response = client.post(ADD_URL, new_article_data("Bài rất dài", **blocks_data(400)))
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get(title="Bài rất dài")
    assert [block.text for block in article.body()] == [f"Đoạn số {n}." for n in range(1, 401)]
    assert "doan so 400" in article.search_text


def test_a_block_saved_outside_the_admin_still_refolds_the_search_text(db):
    article = make_article("Ngoài bàn biên tập")
    TextBlock.objects.create(article=article, position=1, text="Chợ hoa Quảng Bá")
    article.refresh_from_db()
    assert "cho hoa quang ba" in article.search_text
