"""Any value in any public URL or query parameter gets an answer, never a server error.

Hypothesis generates the values: Vietnamese in both normalization forms, control
characters, very long strings, numbers of every size, and plain junk.
"""

import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles.models import Article

from .factories import make_article, make_category

ANSWERS = {200, 301, 302, 404}

VIETNAMESE = "Quận Tây Hồ chủ động vượt khó, hoàn thành xuất sắc Đảng ủy phường Nhật Tân"


def nfd(value):
    return unicodedata.normalize("NFD", value)


vietnamese = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper(), max_size=80).flatmap(
    lambda text: st.sampled_from(
        [text, nfd(text), text[: len(text) // 2] + nfd(text)[len(text) // 2 :]]
    )
)
controls = st.text(alphabet=st.characters(max_codepoint=0x9F, categories=["Cc"]), max_size=20)
anything = st.text(max_size=200)
very_long = (
    st.integers(1000, 20_000).map(lambda n: ("9" * n, "a" * n, "Hồ" * n)).flatmap(st.sampled_from)
)
numbers = st.integers(-(10**30), 10**30).map(str)
number_like = st.sampled_from(
    ["0", "-1", "1.5", "1e400", "nan", "inf", "0x10", " 1", "1 ", "１", "٣", "", "1/0", "%00"]
)
values = st.one_of(vietnamese, controls, anything, very_long, numbers, number_like)
segments = st.one_of(values, st.from_regex(r"[a-z0-9-]{1,60}", fullmatch=True))

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def site(seed):
    section = make_category("Nhịp sống Thủ đô mới")
    article = make_article("Phố đi bộ Hồ Gươm", category=section, blocks=["Đoạn một."])
    return {"section": section.slug, "article": article}


def path(value):
    return quote(value, safe="")


def assert_answers(client, url, params=None):
    response = client.get(url, params)
    assert response.status_code in ANSWERS, (url, params, response.status_code)
    return response


@PROPERTY
@given(page=values)
@example(page="99999999999999999999999999")
@example(page="2")
def test_any_page_number_is_answered_on_every_list(client, site, page):
    for url in ("/", f"/{site['section']}/", "/tin-tuc/", "/tim-kiem/"):
        assert_answers(client, url, {"page": page})
    assert_answers(client, "/tim-kiem/", {"q": "hồ", "page": page})
    assert_answers(client, "/sitemap-articles.xml", {"p": page})
    assert_answers(client, "/sitemap-sections.xml", {"p": page})
    assert_answers(client, "/sitemap.xml", {"p": page})


@PROPERTY
@given(query=values)
@example(query="' OR 1=1; --")
@example(query="%' AND search_text LIKE '%")
@example(query="\x00")
def test_any_search_is_answered(client, site, query):
    response = assert_answers(client, "/tim-kiem/", {"q": query})
    assert response.status_code == 200


@PROPERTY
@given(section=segments, slug=segments, pk=st.one_of(numbers, values))
@example(section="tin-tuc", slug="pho-di-bo-ho-guom", pk="10000000000000000000000")
@example(section="tin-tuc", slug="pho-di-bo-ho-guom", pk="-1")
def test_any_section_slug_or_id_is_answered(client, site, section, slug, pk):
    article = site["article"]
    for url in (
        f"/{path(section)}/",
        f"/{path(section)}/rss/",
        f"/{path(section)}/{path(slug)}-{path(pk)}.html",
        f"/{site['section']}/{path(slug)}-{article.pk}.html",
        f"/{path(section)}/{article.slug}-{article.pk}.html",
    ):
        assert_answers(client, url)


@PROPERTY
@given(junk=values)
def test_any_query_string_on_the_fixed_pages_is_answered(client, site, junk):
    for url in ("/rss/", "/sitemap-news.xml", "/robots.txt", "/"):
        # Any name at all: "url" or "client" too.
        assert_answers(client, url, {"q": junk, "p": junk, "page": junk, junk[:20] or "x": junk})


# NFC and NFD are two spellings of the same Vietnamese words.


@PROPERTY
@given(words=st.lists(st.sampled_from(VIETNAMESE.replace(",", "").split()), min_size=1, max_size=4))
def test_nfc_and_nfd_vietnamese_find_the_same_articles(seed, words):
    query = " ".join(words)
    composed = unicodedata.normalize("NFC", query)
    found = list(Article.objects.published().search(composed).values_list("pk", flat=True))
    assert (
        list(Article.objects.published().search(nfd(query)).values_list("pk", flat=True)) == found
    )


def test_an_nfd_headline_is_found_by_an_nfc_query_and_the_other_way_round(db):
    typed_nfd = make_article(nfd("Đê Quảng Bá mùa hoa sưa"))
    typed_nfc = make_article("Ngõ phố Thụy Khuê")
    published = Article.objects.published()
    assert list(published.search("Quảng Bá")) == [typed_nfd]
    assert list(published.search(nfd("Thụy Khuê"))) == [typed_nfc]
    assert list(published.search("quang ba")) == [typed_nfd]
