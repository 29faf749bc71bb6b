"""Relevance on an archive: 2,000 synthetic stories plus the seed, on SQLite and PostgreSQL.

The archive is made once for the module (bulk, with the synthetic generator's headlines,
sapos and sentences) and removed afterwards; each test's own stories roll back with it.
"""

import json
import random
import unicodedata
from datetime import timedelta
from html import escape
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles import search, synthetic
from articles.models import Article, Category, RichText

from .factories import make_article

CORPUS = 2000
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures/tay_ho.json"
SEED_HEADLINES = [
    row["fields"]["title"]
    for row in json.loads(FIXTURE.read_text(encoding="utf-8"))
    if row["model"] == "articles.article"
]


def make_corpus(count, seed=0):
    """``count`` synthetic stories with text blocks, in a few bulk inserts."""
    rng = random.Random(seed)
    now = timezone.now()
    sections = synthetic.make_sections()
    plans = []
    for number in range(count):
        title, sapo = synthetic.headline(rng), synthetic.paragraph(rng, 2)
        texts = [synthetic.paragraph(rng, 3) for _ in range(rng.randint(1, 4))]
        blocks = [
            RichText(ordering=n * 10, text=f"<p>{escape(t)}</p>")
            for n, t in enumerate(texts, start=1)
        ]
        status, published_at = synthetic.pick_status(rng, now)
        article = Article(
            title=title,
            slug=f"{synthetic.SYNTHETIC_PREFIX}{number}",
            sapo=sapo,
            category=rng.choice(sections),
            status=status,
            published_at=published_at,
            search_text=synthetic.search_text(title, sapo, blocks),
        )
        plans.append((article, blocks))
    Article.objects.bulk_create([article for article, _ in plans], batch_size=500)
    for article, blocks in plans:
        for block in blocks:
            block.article = article
    RichText.objects.bulk_create([b for _, blocks in plans for b in blocks], batch_size=1000)


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("loaddata", "tay_ho", verbosity=0)
        make_corpus(CORPUS)
    yield
    with django_db_blocker.unblock():
        synthetic.delete_synthetic()
        Article.objects.all().delete()
        Category.objects.all().delete()


def first(query, queryset=None):
    found = search.ranked(queryset or Article.objects.published(), query).ids
    return Article.objects.get(pk=found[0]) if found else None


def spellings(headline):
    nfc = unicodedata.normalize("NFC", headline)
    return {
        "toned": nfc,
        "folded": " ".join(search.parse(nfc).folded),
        "nfd": unicodedata.normalize("NFD", nfc),
        "upper": nfc.upper(),
    }


def test_the_archive_holds_the_seed_and_the_synthetic_stories(archive, db):
    assert Article.objects.filter(slug__startswith=synthetic.SYNTHETIC_PREFIX).count() == CORPUS
    assert Article.objects.filter(title__in=SEED_HEADLINES).count() == len(SEED_HEADLINES) == 17


@pytest.mark.parametrize("headline", SEED_HEADLINES, ids=range(1, 18))
@pytest.mark.parametrize("spelling", ["toned", "folded", "nfd", "upper"])
def test_each_seed_headline_however_typed_finds_its_story_first(archive, db, headline, spelling):
    query = spellings(headline)[spelling]
    assert first(query).title == headline


def test_the_first_words_of_the_seed_headline_find_it_first(archive, db):
    assert first("Quận Tây Hồ chủ động vượt khó").title == SEED_HEADLINES[0]
    assert first("quan tay ho chu dong vuot kho").title == SEED_HEADLINES[0]


def test_a_phrase_outranks_the_same_words_scattered(archive, db):
    now = timezone.now()
    phrase = make_article("Mùa sen Hồ Tây về muộn", published_at=now - timedelta(days=3))
    scattered = make_article("Sen nở muộn, mùa du lịch Hồ Tây", published_at=now)
    found = search.ranked(Article.objects.published(), "mùa sen").ids
    assert found.index(phrase.pk) < found.index(scattered.pk)


def test_words_in_the_headline_outrank_the_sapo_which_outranks_the_body(archive, db):
    now = timezone.now()
    in_body = make_article("Tin chiều", sapo="Tin ngắn.", blocks=["Chuyện về lồng đèn kéo quân."])
    in_sapo = make_article(
        "Tin trưa", sapo="Lồng đèn kéo quân trở lại.", published_at=now - timedelta(days=1)
    )
    in_headline = make_article("Lồng đèn kéo quân", published_at=now - timedelta(days=2))
    found = search.ranked(Article.objects.published(), "long den keo quan").ids
    assert found[:3] == [in_headline.pk, in_sapo.pk, in_body.pk]


def test_an_exact_tone_outranks_a_folded_match_and_plain_letters_find_all(archive, db):
    now = timezone.now()
    lake = make_article("Chuyện hồ ở làng Vạn Phúc", published_at=now - timedelta(days=9))
    household = make_article("Chuyện hộ ở làng Vạn Phúc", published_at=now - timedelta(days=1))
    family = make_article("Chuyện họ ở làng Vạn Phúc", published_at=now)
    assert first("Chuyện Hồ làng Vạn Phúc") == lake
    assert first(unicodedata.normalize("NFD", "chuyện hồ làng vạn phúc")) == lake
    assert first("Chuyện hộ làng Vạn Phúc") == household
    # Without marks, all three alike: the newest first.
    found = search.ranked(Article.objects.published(), "chuyen ho lang van phuc").ids
    assert found[:3] == [family.pk, household.pk, lake.pk]


def test_the_newer_story_wins_a_tie(archive, db):
    now = timezone.now()
    older = make_article("Phố đi bộ Trịnh Công Sơn", published_at=now - timedelta(days=400))
    newer = make_article("Phố đi bộ Trịnh Công Sơn", published_at=now - timedelta(days=500))
    newer.published_at = now - timedelta(days=2)
    newer.save()
    assert search.ranked(Article.objects.published(), "pho di bo trinh cong son").ids[:2] == [
        newer.pk,
        older.pk,
    ]


def test_this_weeks_story_beats_a_ten_year_old_one_of_slightly_better_relevance(archive, db):
    now = timezone.now()
    # The old one's sapo has one of the words, with its tones: a little more relevant.
    old = make_article(
        "Cầu Long Biên sơn lại",
        sapo="Màu sơn mới.",
        published_at=now - timedelta(days=3650),
    )
    new = make_article(
        "Cầu Long Biên sơn lại", sapo="Tin ngắn.", published_at=now - timedelta(days=3)
    )
    assert search.ranked(Article.objects.published(), "Cầu Long Biên sơn lại").ids[:2] == [
        new.pk,
        old.pk,
    ]
    # A clearly better match still wins, however old.
    old.title = "Cầu Long Biên sơn lại sau mười năm"
    old.save()
    new.title = "Sơn lại lan can, cầu Long Biên thông xe"
    new.save()
    assert first("Cầu Long Biên sơn lại") == old


def test_a_common_word_finds_at_most_a_bounded_number_of_candidates(archive, db):
    found = search.ranked(Article.objects.published(), "được")
    assert found.capped and SCAN_BOUND >= len(found.ids) >= search.SCAN


SCAN_BOUND = 4 * search.SCAN


def test_readers_never_find_a_draft_a_story_in_review_or_a_scheduled_one(archive, db):
    hidden = Article.objects.exclude(pk__in=Article.objects.published().values("pk")).filter(
        slug__startswith=synthetic.SYNTHETIC_PREFIX
    )
    assert hidden.exists()
    for article in hidden[:5]:
        ids = search.ranked(Article.objects.published(), article.title).ids
        assert article.pk not in ids
        assert article.pk in search.ranked(Article.objects.all(), article.title).ids
