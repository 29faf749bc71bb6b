"""Search behaves the same on every database; on PostgreSQL it is full-text and indexed."""

import re
import unicodedata
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search
from articles.models import Article, RichText
from articles.search import RANKED_MATCHES, words

from .factories import make_article

SPELLINGS = ["tay ho", "TAY HO", "Tây Hồ", unicodedata.normalize("NFD", "Tây Hồ"), "tây   hồ!"]


@pytest.mark.parametrize("query", SPELLINGS, ids=["plain", "upper", "nfc", "nfd", "spaced"])
def test_every_spelling_of_tay_ho_finds_the_seed_story(seed, query):
    assert list(Article.objects.published().search(query)) == [seed]


def test_words_match_whole_words_and_the_picker_matches_the_start_of_the_last(db):
    article = make_article("Tin ngắn", sapo="Kỳ họp thứ nhất của phong trào thi đua.")
    published = Article.objects.published()
    assert list(published.search("ky hop")) == [article]
    assert list(published.search("phong trao thi")) == [article]
    assert not published.search("ky h").exists()
    assert not published.search("hat").exists()
    # As typed into the related picker: the last word may be unfinished.
    assert list(Article.objects.search("tin ng", prefix=True)) == [article]


def test_every_word_must_match(seed):
    assert not Article.objects.published().search("tây hồ giao thừa").exists()


def test_d_with_stroke_is_searched_as_d(db):
    article = make_article("Đống Đa đón Tết")
    assert list(Article.objects.published().search("dong da")) == [article]
    assert list(Article.objects.published().search("ĐỐNG ĐA")) == [article]


@pytest.mark.parametrize("query", ["", "   ", "!!! ???", "' OR 1=1 --", "&|!:*()"])
def test_a_query_without_words_finds_nothing_and_never_fails(seed, query):
    assert list(Article.objects.published().search(query)) == []


def test_search_keeps_the_visibility_rule(db):
    make_article("Tây Hồ nháp", status=Article.Status.DRAFT)
    make_article("Tây Hồ hẹn giờ", published_at=timezone.now() + timedelta(hours=1))
    shown = make_article("Tây Hồ đã đăng")
    assert list(Article.objects.published().search("tay ho")) == [shown]


def test_equally_good_matches_come_newest_first(db):
    now = timezone.now()
    older = make_article("Hồ Tây mùa thu", published_at=now - timedelta(days=2))
    newer = make_article("Hồ Tây mùa đông", published_at=now - timedelta(days=1))
    assert list(Article.objects.published().search("ho tay mua")) == [newer, older]


def test_words_are_folded_and_limited(db):
    assert words("Đường  LÁNG, số 5!") == ["duong", "lang", "so", "5"]
    assert len(words("từ " * 100)) == 12


def test_an_edited_article_is_found_by_its_new_words_and_not_its_old_ones(db):
    article = make_article("Chợ hoa Quảng An", blocks=["Hoa đào về sớm."])
    article.title = "Chợ hoa Nhật Tân"
    article.save()
    block = RichText.objects.get(article=article)
    block.text = "Quất cảnh xuống phố."
    block.save()
    published = Article.objects.published()
    assert list(published.search("nhat tan")) == [article]
    assert list(published.search("quat canh")) == [article]
    assert not published.search("quang an").exists()
    assert not published.search("hoa dao").exists()


def test_a_deleted_article_is_not_found(db):
    article = make_article("Cầu Long Biên")
    article.delete()
    assert not Article.objects.published().search("long bien").exists()


def test_an_unpublished_article_is_found_again_when_republished(db):
    article = make_article("Phố sách Đinh Lễ")
    article.status = Article.Status.DRAFT
    article.save()
    assert not Article.objects.published().search("dinh le").exists()
    article.status = Article.Status.PUBLISHED
    article.save()
    assert list(Article.objects.published().search("dinh le")) == [article]


@pytest.mark.parametrize(
    "query",
    ['"tay" ho', "tay* ho", "-tay ho", "tay: ho", "(tay) (ho)", 'tay"ho', "^tay + ho"]
    + ["tay & ho | !quan"],
)
def test_search_syntax_and_operators_in_a_query_are_only_punctuation(seed, query):
    assert list(Article.objects.published().search(query)) == [seed]


def test_search_keywords_in_a_query_are_only_words(db):
    article = make_article("Near, or và and: tiếng Anh trong lời nói hằng ngày")
    make_article("Tiếng Anh cho trẻ em")
    assert list(Article.objects.published().search("tieng anh NEAR OR AND NOT")) == []
    assert list(Article.objects.published().search("tieng anh NEAR OR AND")) == [article]


def test_the_newest_matches_are_chosen_by_publication_time_not_creation_order(db):
    now = timezone.now()
    # Written first but published last, like a story held back for an embargo.
    held = make_article("Đường hoa Hàng Lược", published_at=now - timedelta(minutes=1))
    Article.objects.bulk_create(
        Article(
            title=f"Hàng Lược {n}",
            slug=f"hang-luoc-{n}",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(days=1, minutes=n),
            search_text=f"hang luoc {n}",
        )
        for n in range(RANKED_MATCHES)
    )
    found = list(Article.objects.published().search("hang luoc"))
    assert len(found) == RANKED_MATCHES
    assert found[0] == held
    assert Article.objects.get(slug=f"hang-luoc-{RANKED_MATCHES - 1}") not in found


def test_a_scheduled_article_does_not_take_a_place_among_the_newest(db):
    now = timezone.now()
    make_article("Hội sách Hàng Lược", published_at=now + timedelta(hours=1))
    Article.objects.bulk_create(
        Article(
            title=f"Hàng Lược {n}",
            slug=f"hang-luoc-{n}",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n + 1),
            search_text=f"hang luoc {n}",
        )
        for n in range(RANKED_MATCHES)
    )
    assert Article.objects.published().search("hang luoc").count() == RANKED_MATCHES


def shown_titles(html):
    """The headlines of a results page, without the marks around the matched words."""
    results = re.search(r'<ol class="search-results"[^>]*>(.*?)</ol>', html, re.S)
    if results is None:
        return []
    titles = re.findall(r"<h2><a [^>]*>(.*?)</a></h2>", results[1])
    return [re.sub(r"</?mark>", "", title) for title in titles]


def test_a_search_page_costs_the_same_few_queries_however_many_match(
    client, db, django_assert_max_num_queries
):
    for n in range(30):
        make_article(f"Hồ Gươm {n}")
    # The next scheduled story, the section menu and the form's sections, the four walks
    # of the search (on SQLite, and a count of each word's newest matches), the
    # candidates' headlines, the page of matches and their photos.
    with django_assert_max_num_queries(12):
        first = client.get("/tim-kiem/?q=ho+guom").content.decode()
    # Again: the form's sections, the page of matches and their photos only.
    with django_assert_max_num_queries(3):
        again = client.get("/tim-kiem/?q=ho+guom").content.decode()
    for html in (first, again):
        assert len(shown_titles(html)) == 20 and "Hồ Gươm 29" in shown_titles(html)


@pytest.mark.needs_postgres
def test_the_better_match_ranks_first_on_postgresql(db):
    now = timezone.now()
    strong = make_article(
        "Tây Hồ", sapo="Tây Hồ, Tây Hồ và Tây Hồ.", published_at=now - timedelta(days=5)
    )
    weak = make_article("Tin ngắn", sapo="Nhắc qua Tây Hồ một lần.", published_at=now)
    assert list(Article.objects.published().search("tay ho")) == [strong, weak]


def walks(query, queryset=None):
    """The SQL of each walk that a search for ``query`` runs."""
    with CaptureQueriesContext(connection) as queries:
        search.ranked(queryset or Article.objects.published(), query)
    sqls = [q["sql"] for q in queries if "MATCH" in q["sql"] or "@@" in q["sql"]]
    return [sql for sql in sqls if "count(*)" not in sql]  # not SQLite's probes of lists


@pytest.mark.needs_postgres
def test_the_gin_indexes_can_answer_a_search_on_postgresql(db):
    topics = ["hồ tây", "phố cổ", "giao thông", "trường học", "bệnh viện", "chợ đêm"]
    Article.objects.bulk_create(
        Article(
            title=f"Tin {n}",
            slug=f"tin-{n}",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
            search_text=f"tin {n} {topics[n % len(topics)]} {'hiem' if n == 7 else ''}",
        )
        for n in range(2000)
    )
    assert list(Article.objects.published().search("hiếm").values("slug")) == [{"slug": "tin-7"}]
    # Which plan wins depends on the table's statistics (the benchmark measures that);
    # what must hold is that the indexes serve the walks' own expressions. With the
    # other ways ruled out, a plan that still reads every row would mean they do not.
    found = walks("hiếm")
    assert len(found) == 2  # one word: the headline walk and the whole one
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")  # as autovacuum would after such a load
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        # The articles' b-tree indexes could serve a bitmap of every visible row instead;
        # dropped for this test's transaction only, they leave the full-text ones to prove.
        cursor.execute(
            "DROP INDEX article_visible, article_newest, article_section, article_pick,"
            " article_breaking"
        )
        plans = []
        for sql in found:
            cursor.execute("EXPLAIN " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "article_search_head" in plans[0], plans[0]
    assert "article_search" in plans[1] and "article_search_head" not in plans[1], plans[1]


def test_a_repeated_search_is_ranked_once_per_change_of_the_site(client, db, monkeypatch):
    monkeypatch.setattr("articles.views.PAGE_SIZE", 2)
    for n in range(4):
        make_article(f"Đường Thanh Niên {n}")
    assert client.get("/tim-kiem/?q=thanh+nien&page=2").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        # The same words in capitals are the same search (typed marks would rank otherwise).
        assert client.get("/tim-kiem/?q=THANH+NIEN&page=3").status_code == 404
        page = client.get("/tim-kiem/?q=thanh+nien").content.decode()
    # Only the page's articles, read by id: neither a count nor the search again.
    assert [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() or "search" in q["sql"]] == []
    assert shown_titles(page) == ["Đường Thanh Niên 3", "Đường Thanh Niên 2"]
    make_article("Đường Thanh Niên mới mở")
    after = shown_titles(client.get("/tim-kiem/?q=thanh+nien").content.decode())
    assert "Đường Thanh Niên mới mở" in after and "Đường Thanh Niên 2" not in after
    assert client.get("/tim-kiem/?q=thanh+nien&page=3").status_code == 200


def test_a_repeated_search_never_shows_an_article_unpublished_since(client, db):
    kept, withdrawn = make_article("Phố Hàng Mã cũ"), make_article("Phố Hàng Mã mới")
    assert "Phố Hàng Mã mới" in shown_titles(client.get("/tim-kiem/?q=hang+ma").content.decode())
    withdrawn.status = Article.Status.DRAFT
    withdrawn.save()
    page = shown_titles(client.get("/tim-kiem/?q=hang+ma").content.decode())
    assert "Phố Hàng Mã mới" not in page and kept.title in page


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_on_sqlite_a_search_reads_the_fts5_indexes_not_every_article(db):
    make_article("Hồ Tây mùa sen")
    assert [a.title for a in Article.objects.published().search("ho tay")] == ["Hồ Tây mùa sen"]
    found = walks("ho tay")
    assert len(found) == 4
    with connection.cursor() as cursor:
        for sql in found:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan and "SCAN articles_article" not in plan, plan


@pytest.mark.needs_postgres
def test_on_postgresql_each_articles_search_vector_is_kept_in_its_row(db):
    # Checking a vector kept out of line (TOAST) costs a second read per row walked.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute "
            "WHERE attrelid = 'articles_article'::regclass AND attname LIKE '%%_vector' "
            "ORDER BY attname"
        )
        assert cursor.fetchall() == [("headline_vector", "m"), ("search_vector", "m")]


def test_the_index_follows_bulk_updates_of_status_and_time(db):
    article = make_article("Chợ phiên Bắc Hà", status=Article.Status.DRAFT, published_at=None)

    def readers():
        return list(Article.objects.published().search("cho phien bac ha"))

    assert readers() == [] and list(Article.objects.search("cho phien bac ha")) == [article]
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PUBLISHED, published_at=timezone.now() - timedelta(minutes=1)
    )
    assert readers() == [article]
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert readers() == [] and list(Article.objects.search("cho phien bac ha")) == [article]


def test_the_seed_fixture_holds_the_search_text_its_stories_compute(seed):
    for article in Article.objects.all():
        assert article.search_text == article.fold_search_text(), article.title


def test_the_headline_index_holds_each_two_adjacent_words_as_one_token():
    assert search.headline_part("Quận Tây Hồ") == "quan tay ho quanˍtay tayˍho"
    assert (
        search.headline_part("Hà Nội") == "ha noi haˍnoi" and search.headline_part("Mưa") == "mua"
    )
    # The joining letter never comes from what is typed: it cannot reach a pair token.
    assert words("tayˍho") == ["tay", "ho"]


def test_a_headline_phrase_is_found_from_its_pairs_and_only_in_order(db):
    phrase = make_article("Quận Tây Hồ hoàn thành dự án")
    # Every pair of "quận tây hồ" is here, the phrase is not.
    make_article("Quận Tây Sơn và Tây Hồ")
    later = make_article("Hồ Tây, quận Tây Hồ cũ")  # the phrase after other words
    found = search.candidates(Article.objects.published(), search.parse("quận tây hồ"))
    assert sorted(found["headline_phrase"]) == sorted([phrase.pk, later.pk])
    assert "quanˍtay" in walks("quận tây hồ")[0] and "tayˍho" in walks("quận tây hồ")[0]
    # The last word typed as the start of a word: the last pair's second word too.
    picker = search.candidates(Article.objects.all(), search.parse("quan tay h", prefix=True))
    assert len(picker["headline_phrase"]) == 2


def test_when_headlines_fill_the_phrase_walk_the_other_walks_are_not_taken(db, monkeypatch):
    monkeypatch.setattr(search, "SCAN", 3)
    for n in range(3):
        make_article(f"Cầu Long Biên {n}")
    older = make_article("Cầu Long Biên", published_at=timezone.now() - timedelta(days=9))
    make_article("Biên bản cầu Long", sapo="Cầu Long Biên trong tóm tắt.")
    assert len(walks("cau long bien")) == 1
    found = search.ranked(Article.objects.published(), "cau long bien")
    assert found.capped and len(found.ids) == 3 and older.pk not in found.ids
    monkeypatch.setattr(search, "SCAN", 6)
    assert len(walks("cau long bien")) == 4  # fewer than SCAN: every walk is taken


def test_the_migration_writes_the_pairs_into_every_headline_part_and_back(db):
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    migration = import_module("articles.migrations.0021_headline_word_pairs")
    article = make_article("Phố đi bộ Hồ Gươm", blocks=["Thân bài về phố đi bộ."])
    editor = SimpleNamespace(connection=connection)
    migration._rewrite(migration._words_only)(apps, editor)
    article.refresh_from_db()
    head, rest = article.search_text.split(search.SEPARATOR, 1)
    assert head == "pho di bo ho guom" and "than bai ve pho di bo" in rest
    query = search.parse("pho di bo ho guom")
    assert search.candidates(Article.objects.all(), query)["headline_phrase"] == []
    migration._rewrite(migration._with_pairs)(apps, editor)
    article.refresh_from_db()
    assert article.search_text == article.fold_search_text()
    assert search.candidates(Article.objects.all(), query)["headline_phrase"] == [article.pk]


def test_the_headline_walk_asks_the_index_for_the_rarest_pairs_only(db):
    for n in range(30):
        make_article(f"Cầu Long Biên ngày {n}")
    fixed = make_article("Cầu Long Biên sửa xong mặt cầu")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # PostgreSQL reads how common each token is from here
    pairs = search._pair_terms(search.parse("cầu long biên sửa xong"))
    assert sorted(search._rarest(pairs)) == ["bienˍsua", "suaˍxong"]
    head_walk = [sql for sql in walks("cầu long biên sửa xong") if "count(*)" not in sql][0]
    assert "bienˍsua" in head_walk and "cauˍlong" not in head_walk
    found = search.ranked(Article.objects.published(), "cầu long biên sửa xong")
    assert found.ids[0] == fixed.pk


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own way for a rare word")
def test_on_sqlite_a_rare_word_beside_a_common_one_is_read_alone_and_the_rest_checked(
    db, monkeypatch
):
    monkeypatch.setattr(search, "_PROBE", 3)
    for n in range(5):
        make_article(f"Tin {n}", sapo=f"Nhiệm kỳ thứ {n} của hội đồng.")
    together = make_article("Tin lạ", sapo="Con kỳ lân bằng giấy.")
    apart = make_article("Tin khác", sapo="Lân ở đình làng, nhiệm kỳ mới.")
    found = search.candidates(Article.objects.published(), search.parse("kỳ lân"))
    assert found["phrase"] == [together.pk]
    assert sorted(found["all"]) == sorted([together.pk, apart.pk])
    whole = [sql for sql in walks("kỳ lân") if "FROM article_search WHERE" in sql]
    assert len(whole) == 2 and all("MATCH '\"lan\"'" in sql for sql in whole)


@pytest.mark.needs_postgres
def test_on_postgresql_a_readers_walk_is_never_the_same_statement_twice(db):
    # A statement run five times is prepared, and a prepared walk may get a generic plan
    # that reads every article by date for a rare word: each walk carries its own times.
    make_article("Hồ Tây mùa sen")
    first, second = walks("ho tay"), walks("ho tay")
    assert len(first) == len(second) == 4
    assert all(a != b and "published_at < '" in a for a, b in zip(first, second, strict=True))
