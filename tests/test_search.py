"""Search behaves the same on every database; on PostgreSQL it is full-text and indexed."""

import unicodedata
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.search import words

from .factories import make_article

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs DATABASE_URL pointing at PostgreSQL"
)

SPELLINGS = ["tay ho", "TAY HO", "Tây Hồ", unicodedata.normalize("NFD", "Tây Hồ"), "tây   hồ!"]


@pytest.mark.parametrize("query", SPELLINGS, ids=["plain", "upper", "nfc", "nfd", "spaced"])
def test_every_spelling_of_tay_ho_finds_the_seed_story(seed, query):
    assert list(Article.objects.published().search(query)) == [seed]


def test_a_word_matches_the_start_of_words(seed):
    assert seed in Article.objects.published().search("quan tay h")
    assert seed in Article.objects.published().search("phong trao thi")


def test_every_word_must_match(seed):
    assert not Article.objects.published().search("tây hồ giao thừa").exists()


def test_d_with_stroke_is_searched_as_d(db):
    article = make_article("Đống Đa đón Tết")
    assert list(Article.objects.published().search("dong da")) == [article]
    assert list(Article.objects.published().search("ĐỐNG ĐA")) == [article]


@pytest.mark.parametrize("query", ["", "   ", "!!! ???", "' OR 1=1 --", "&|!:*()"])
def test_a_query_without_words_finds_nothing_and_never_fails(seed, query):
    assert list(Article.objects.published().search(query)) == []


def test_operators_typed_by_a_reader_are_only_words(seed):
    assert list(Article.objects.published().search("tay & ho | !quan")) == [seed]


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


@on_postgresql
def test_the_better_match_ranks_first_on_postgresql(db):
    now = timezone.now()
    strong = make_article(
        "Tây Hồ", sapo="Tây Hồ, Tây Hồ và Tây Hồ.", published_at=now - timedelta(days=5)
    )
    weak = make_article("Tin ngắn", sapo="Nhắc qua Tây Hồ một lần.", published_at=now)
    assert list(Article.objects.published().search("tay ho")) == [strong, weak]


@on_postgresql
def test_a_search_uses_the_gin_index_on_postgresql(db):
    topics = ["hồ tây", "phố cổ", "giao thông", "trường học", "bệnh viện", "chợ đêm"]
    Article.objects.bulk_create(
        Article(
            title=f"Tin {n}",
            slug=f"tin-{n}",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
            search_text=f"tin {n} {topics[n % len(topics)]} {'hiem' if n == 7 else ''}",
        )
        for n in range(4000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    query = Article.objects.published().search("hiếm")
    assert list(query.values_list("slug", flat=True)) == ["tin-7"]
    plan = query.explain()
    assert "article_search" in plan, plan
