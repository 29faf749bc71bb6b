"""Hostile text typed into any field is shown as text, on every page, feed and sitemap."""

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from articles.models import Article, Category, Figure, RelatedLink, RichText

from .crawl import crawl, entry_points
from .factories import make_article, make_category, png_upload

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
JS_LINK = '<a href="javascript:alert(1)">bấm</a>'
SQL = "'; DROP TABLE articles_article; --"
CLOSE_JSON = '</script><script>alert("ld")</script>'
HOSTILE = f"{SCRIPT} {BREAKOUT} {JS_LINK} {SQL} {CLOSE_JSON}"


class Markup(HTMLParser):
    """What a browser would run in a piece of HTML: scripts, handlers, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.json_ld = []
        self._script_type = None
        self._script_text = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith(("javascript:", "data:text/html", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._script_type = dict(attrs).get("type") or "text/javascript"
            self._script_text = []
            # The site's own static scripts (the most-read beacon) are the only others.
            own = (dict(attrs).get("src") or "").startswith("/static/articles/js/")
            if self._script_type != "application/ld+json" and not own:
                self.problems.append(f"<script type={self._script_type!r}>")

    def handle_data(self, data):
        if self._script_type is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script_type is not None:
            if self._script_type == "application/ld+json":
                self.json_ld.append("".join(self._script_text))
            self._script_type = None


def inspect(html):
    markup = Markup()
    markup.feed(html)
    markup.close()
    return markup


@pytest.fixture
def hostile(seed):
    section = make_category(f"Chuyên mục {SCRIPT}{BREAKOUT}", description=HOSTILE)
    article = make_article(
        f"Tiêu đề {HOSTILE}",
        category=section,
        sapo=f"Sapo {HOSTILE}",
        byline=f"Phóng viên {HOSTILE}",
        is_pick=True,
        blocks=[
            f"Đoạn một {HOSTILE}\nĐoạn hai {JS_LINK}",
            {
                "caption": f"Chú thích {HOSTILE}",
                "credit": f"Ảnh {BREAKOUT}"[:200],
                "alt_text": f"Mô tả {BREAKOUT}",
                "image": png_upload(),
            },
        ],
        related=[seed],
    )
    RelatedLink.objects.create(article=seed, target=article, position=99)
    return article


def test_hostile_text_in_every_field_is_shown_as_text_on_every_page_and_feed(client, hostile):
    counts = {m: m.objects.count() for m in (Article, Category, RichText, Figure, RelatedLink)}
    searches = [f"/tim-kiem/?{urlencode({'q': q})}" for q in (HOSTILE, SQL, "Tiêu đề script")]

    pages = crawl(client, entry_points(*searches), limit=400)

    assert hostile.get_absolute_url() in pages
    checked = 0
    for url, page in pages.items():
        if page.status != 200:
            continue
        if page.is_html:
            markup = inspect(page.text)
            assert not markup.problems, f"{url}: {markup.problems}"
            for block in markup.json_ld:
                json.loads(block)  # A headline cannot end the block early.
            checked += 1
        elif page.is_xml:
            ET.fromstring(page.text.encode())  # Well-formed: the text stayed text.
            checked += 1
    assert checked >= 6
    # The SQL was stored and shown as text, and touched nothing.
    assert {m: m.objects.count() for m in counts} == counts
    assert Article.objects.filter(title__contains=SQL).exists()


@pytest.mark.parametrize("feed", ["/rss/", "section"])
def test_an_rss_description_holds_no_markup_that_feed_readers_would_run(client, hostile, feed):
    url = f"{hostile.category.get_absolute_url()}rss/" if feed == "section" else feed
    root = ET.fromstring(client.get(url).content)
    descriptions = [element.text or "" for element in root.iter("description")]
    assert any("alert(1)" in text for text in descriptions)
    for text in descriptions:
        assert not inspect(text).problems, text


def test_json_ld_of_a_hostile_headline_parses_and_holds_the_headline_verbatim(client, hostile):
    page = client.get(hostile.get_absolute_url()).content.decode()
    blocks = [json.loads(block) for block in inspect(page).json_ld]
    news = next(block for block in blocks if block["@type"] == "NewsArticle")
    assert news["headline"] == hostile.title
    assert news["description"] == hostile.sapo
    assert news["author"]["name"] == hostile.byline
    breadcrumb = next(block for block in blocks if block["@type"] == "BreadcrumbList")
    # The visible breadcrumb's: home, then the story's section.
    assert breadcrumb["itemListElement"][-1]["name"] == hostile.category.name


def test_the_hostile_headline_reaches_readers_as_text(client, hostile):
    page = client.get(hostile.get_absolute_url()).content.decode()
    assert "<h1>Tiêu đề &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
