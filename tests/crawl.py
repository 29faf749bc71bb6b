"""A crawler of the readers' site through Django's test client.

Starting from a few entry points it follows every same-site link a page gives
(``href``, ``src`` and ``srcset`` in HTML; ``<loc>``, ``<link>`` and ``<guid>``
in feeds and sitemaps; ``Sitemap:`` lines in robots.txt; every address in the API's
JSON; redirects), up to a bound, and keeps every answer, so tests can look for what
must never be there.
"""

import html
import json
import re
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

HOST = "testserver"
# Not readers' pages: the desk, and static assets that hold no content.
SKIPPED_PREFIXES = ("/admin/", "/static/")

_XML_LINKS = re.compile(r"<(?:loc|link|guid)\b[^>]*>([^<]+)</(?:loc|link|guid)>")
_XML_HREFS = re.compile(r"""\bhref=["']([^"']+)["']""")
_ROBOTS_LINKS = re.compile(r"^(?:Sitemap|Allow):\s*(\S+)", re.MULTILINE)


@dataclass
class Page:
    url: str
    status: int
    content_type: str
    text: str

    @property
    def is_html(self):
        return self.content_type.startswith("text/html")

    @property
    def is_xml(self):
        return "xml" in self.content_type

    @property
    def is_json(self):
        return self.content_type.startswith("application/json")


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name in ("href", "src"):
                self.links.append(value)
            elif name == "srcset":
                self.links += [part.split()[0] for part in value.split(",") if part.strip()]


def links_of(page):
    """Every link that ``page`` gives, as written."""
    if page.is_html:
        parser = _LinkParser()
        parser.feed(page.text)
        parser.close()
        return parser.links
    if page.is_xml:
        found = _XML_LINKS.findall(page.text) + _XML_HREFS.findall(page.text)
        return [html.unescape(link).strip() for link in found]
    if page.is_json:
        return [text for text in _strings(json.loads(page.text)) if _ADDRESS.match(text)]
    return _ROBOTS_LINKS.findall(page.text)


_ADDRESS = re.compile(rf"^(/|https?://{HOST}/)[^{{}}\s]*$")


def _strings(value):
    """Every string of a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def same_site(base, link):
    """``link`` resolved against ``base`` as a path with its query, or None if elsewhere."""
    parts = urlsplit(urljoin(f"http://{HOST}{base}", link))
    if parts.scheme not in ("http", "https") or parts.netloc != HOST:
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def fetch(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Page(
        url=url,
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        text=body.decode("utf-8", errors="replace"),
    ), response


def crawl(client, start, limit=500):
    """Pages reachable from the URLs in ``start``, as ``{url: Page}``; at most ``limit``."""
    seen = dict.fromkeys(start)
    queue = deque(start)
    pages = {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        page, response = fetch(client, url)
        pages[url] = page
        links = links_of(page) if page.status == 200 else []
        if response.has_header("Location"):
            links.append(response["Location"])
        for link in links:
            target = same_site(url, link)
            if target and target not in seen and not target.startswith(SKIPPED_PREFIXES):
                seen[target] = None
                queue.append(target)
    return pages


def entry_points(*extra):
    """Where a crawl of the whole readers' site starts: the home page, the feeds,
    the sitemaps, robots.txt and every section with its feed."""
    from articles.models import Category

    sections = Category.objects.all()
    return [
        "/",
        "/rss/",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/robots.txt",
        *(section.get_absolute_url() for section in sections),
        *(f"{section.get_absolute_url()}rss/" for section in sections),
        *extra,
    ]


# The public API's lists, from which its crawl reaches every story it gives.
API_ENTRY_POINTS = [
    "/api/v1/stories?limit=50",
    "/api/v1/sections",
    "/api/v1/topics",
    "/api/v1/authors",
    "/api/v1/most-read",
]
