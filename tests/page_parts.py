"""Reading the parts of a page that tests look at: meta tags, links, JSON-LD."""

import json
from html.parser import HTMLParser


class PageParts(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.meta = {}  # name or property -> content
        self.links = {}  # rel -> href
        self.json_ld = []
        self.title = ""
        self._in = None
        self._buffer = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.meta[attrs.get("name") or attrs.get("property")] = attrs["content"]
        elif tag == "link" and "rel" in attrs:
            self.links.setdefault(attrs["rel"], attrs.get("href"))
        elif tag == "title" or (tag == "script" and attrs.get("type") == "application/ld+json"):
            self._in, self._buffer = tag, []

    def handle_data(self, data):
        if self._in:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if tag == self._in == "title":
            self.title = "".join(self._buffer)
        elif tag == self._in == "script":
            self.json_ld.append(json.loads("".join(self._buffer)))
        if tag == self._in:
            self._in = None

    def structured(self, type_name):
        return next(d for d in self.json_ld if d["@type"] == type_name)


def parts(response):
    return PageParts(response.content.decode())


class VisibleText(HTMLParser):
    """The text a reader sees inside a page's first ``within`` element (its <body>, or
    its <article>, say): no scripts, styles or head."""

    HIDDEN = {"script", "style", "head", "title", "template"}

    def __init__(self, html, within="body"):
        super().__init__(convert_charrefs=True)
        self.words, self._hidden, self._within, self._depth = [], 0, within, 0
        self._done = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == self._within and not self._done:
            self._depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self._hidden -= 1
        if tag == self._within and self._depth:
            self._depth -= 1
            self._done = not self._depth

    def handle_data(self, data):
        if self._depth and not self._hidden:
            self.words += data.split()


def visible_text(html, within="body"):
    """The words a reader sees on a page (inside ``within``), in order, one space apart."""
    return " ".join(VisibleText(html, within).words)
