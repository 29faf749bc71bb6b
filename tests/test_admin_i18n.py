"""The newsroom's admin speaks Vietnamese on every page an editor can reach.

A crawler follows every admin link an editor's pages give (changelists with their filters,
add and change forms, history, diffs, restore and recover forms, the desk, password change),
and the pages reached by posting (a form with an error, the unpublish confirmation, the
lock-out page, the logged-out page); no page may show an English string the admin, our
code, django-reversion or django-axes is known to write.
"""

import json
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.test import Client
from reversion.models import Version

from articles.models import Article

from .admin_forms import LIST_URL, change_url, form_data, member, post_form, ticked
from .factories import make_article, make_category

ROOT = Path(__file__).resolve().parent.parent

# What the issue saw in English, and Django's own strings that have no Vietnamese.
KNOWN_ENGLISH = [
    "Revert",
    "Reverted to",
    "RECOVER DELETED",
    "Recover deleted",
    "Please correct the error below",
    "Please correct the errors below",
    "Show counts",
    "Hide counts",
    "Skip to main content",
    "Toggle theme",
    "Django administration",
    "Django site admin",
    "Trang quản trị cho Django",
    "Trang web admin Django",
    "Site administration",
    "Press the save button",
    "Choose a date from the list",
    "Too many failed",
    "Account locked",
    "Welcome,",
    "View site",
    "Log out",
    "Recent actions",
    "Date/time",
    "What changed",
    "Scheduled",
    "Returned",
    "Preview links",
    "Waiting for review",
    "My drafts",
]


def msgids_of_ours():
    """The English of every message our catalogue translates: none may be left in a page."""
    text = (ROOT / "locale/vi/LC_MESSAGES/django.po").read_text()
    ids = re.findall(r'^msgid "(.+)"$', text, re.MULTILINE)
    # Whole sentences and labels of two words or more; placeholders cut them into pieces.
    pieces = []
    for msgid in ids:
        for piece in re.split(r"%\(\w+\)[sd]|\{\w+\}|<[^>]+>|\\n", msgid):
            piece = piece.strip(" .,:;“”\"'()")
            if len(piece.split()) >= 2:
                pieces.append(piece)
    return pieces


class _Reader(HTMLParser):
    """A page's words as a person meets them: text, titles, labels, button captions."""

    SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words, self.links, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in self.SHOWN_ATTRIBUTES:
            if attrs.get(name):
                self.words.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.words.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.words.append(data.strip())


def read(response):
    reader = _Reader()
    reader.feed(response.content.decode())
    return reader


def english_in(text, content_words):
    """Known English strings in ``text``, leaving out the test's own content."""
    found = [s for s in KNOWN_ENGLISH + msgids_of_ours() if s in text]
    return [s for s in found if not any(s in word for word in content_words)]


# The crawl -------------------------------------------------------------------------

SKIP = ("/admin/logout/", "/admin/jsi18n/", "/preview/")


def kind_of(url):
    """A page's kind: its path and the names of its query's parameters. One page of each
    kind is read (every filter and order of a list shows the same words)."""
    parts = urlsplit(url)
    return parts.path, tuple(sorted(name for name, _ in parse_qsl(parts.query)))


def crawl(client, start, limit=200):
    seen, queue, pages = set(), deque(start), {}
    while queue and len(pages) < limit:
        url = urldefrag(queue.popleft())[0]
        if kind_of(url) in seen:
            continue
        seen.add(kind_of(url))
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        reader = read(response)
        pages[url] = reader
        for link in reader.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue
            target = link if link.startswith("/") else f"{urlsplit(url).path}{link}"
            if target.startswith("/admin/") and not target.startswith(SKIP):
                queue.append(target)
    return pages


@pytest.fixture
def newsroom(db):
    """A day's stories: published with a photo and versions, scheduled, in review, a
    returned one with a note, a deleted one to recover, and a section."""
    section = make_category("Thời sự")
    return section


def test_every_admin_page_an_editor_reaches_is_in_vietnamese(client, newsroom, settings):
    settings.AXES_FAILURE_LIMIT = 2
    editor = member("bientap", "Biên tập viên")
    reporter = member("phongvien", "Phóng viên")
    client.force_login(editor)
    story = make_article(
        "Phố đi bộ Hồ Gươm mở cửa",
        category=newsroom,
        blocks=["Đoạn một.", {"caption": "Ảnh hồ", "credit": "Minh Anh"}],
        byline="Minh Anh",
    )
    post_form(client, story, title="Phố đi bộ Hồ Gươm mở cửa lại")  # two versions
    post_form(client, Article.objects.get(pk=story.pk), sapo="Tóm tắt mới.")
    make_article("Lễ hội mùa thu", status=Article.Status.REVIEW, published_at=None)
    gone = make_article("Bài sẽ bị xoá", category=newsroom)
    post_form(client, gone)
    client.post(f"{change_url(gone).removesuffix('change/')}delete/", {"post": "yes"})
    assert not Article.objects.filter(pk=gone.pk).exists()
    draft = make_article("Bản nháp của phóng viên", status="draft", created_by=reporter)
    client.post(f"{LIST_URL}{draft.pk}/notes/", {"text": "Cần thêm nguồn.", "_return": "1"})
    content = list(Article.objects.values_list("title", flat=True)) + [
        "Cần thêm nguồn.",
        "Minh Anh",
        "Thời sự",
    ]

    pages = crawl(client, ["/admin/", "/admin/password_change/", "/admin/password_change/done/"])
    visited = set(pages)
    for expected in (
        "/admin/",
        LIST_URL,
        f"{LIST_URL}add/",
        change_url(story),
        f"{LIST_URL}{story.pk}/history/",
        f"{LIST_URL}recover/",
        "/admin/articles/category/",
        "/admin/password_change/",
    ):
        assert expected in visited, f"the crawl did not reach {expected}"
    version = Version.objects.get_for_object(story).first()
    assert any(f"/history/{version.pk}/" in url for url in visited), "a restore form"
    assert any("/recover/" in url and url != f"{LIST_URL}recover/" for url in visited)
    assert any("?status__exact=" in url for url in visited), "the list's filters"
    assert len(pages) > 20

    # Pages reached by posting.
    restore = f"{LIST_URL}{story.pk}/history/{version.pk}/"
    restored = client.post(restore, form_data(client.get(restore)), follow=True)
    posted = {"after a restore": restored}
    assert restored.redirect_chain, "the restore saved"
    data = form_data(client.get(change_url(story)))
    data["title"] = ""
    posted["form with an error"] = client.post(change_url(story), data)
    assert posted["form with an error"].status_code == 200
    published = make_article("Bài đang hiện")
    posted["unpublish confirmation"] = client.post(
        LIST_URL, {**ticked(client, published), "action": "unpublish"}
    )
    posted["logged out"] = client.post("/admin/logout/")
    stranger = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(3):
        posted["lock-out"] = stranger.post(
            "/admin/login/", {"username": "bientap", "password": "sai-mật-khẩu"}
        )
    posted["login"] = Client().get("/admin/login/")
    assert b"10.1.2.3" not in posted["lock-out"].content
    assert posted["lock-out"].status_code in (403, 429)

    found = {}
    for url, reader in pages.items():
        if english := english_in("\n".join(reader.words), content):
            found[url] = english
    for name, response in posted.items():
        if english := english_in("\n".join(read(response).words), content):
            found[name] = english
    assert not found, f"English left in the admin: {found}"


def test_the_site_header_and_title_come_from_site_name(client, editor, settings):
    settings.SITE_NAME = "Tin Hà Nội"
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    assert "Tin Hà Nội — Tòa soạn" in page
    assert "<title>" in page and "Tin Hà Nội — Tòa soạn</title>" in page
    settings.SITE_NAME = "Tin Hải Phòng"
    assert "Tin Hải Phòng — Tòa soạn" in client.get("/admin/").content.decode()


def test_the_body_editors_own_labels_are_in_vietnamese(client, editor):
    """content-editor hands its labels to its script as JSON, which the crawl cannot read."""
    client.force_login(editor)
    story = make_article("Chợ hoa Quảng Bá", blocks=["Đoạn một."])
    page = client.get(f"/admin/articles/article/{story.pk}/change/").content.decode()
    data = re.search(r'<script[^>]*id="content-editor-context"[^>]*>(.*?)</script>', page, re.S)
    context = json.loads(data.group(1))
    assert context["messages"]["collapseAll"] == "Thu gọn mọi khối"
    assert context["messages"]["createNew"] == "Thêm khối mới"
    assert [region["title"] for region in context["regions"]] == ["Nội dung bài viết"]
    english = [text for text in context["messages"].values() if text in CONTENT_EDITOR_ENGLISH]
    assert english == []


# "marked for deletion" is left out: the editor writes it into an inline <style> whose hash
# the Content-Security-Policy allows (CSP_EDITOR_STYLE_HASHES), as Django's "Hide" and "Show".
CONTENT_EDITOR_ENGLISH = {
    "Add new item",
    "No items.",
    "New item",
    "Collapse all items",
    "Uncollapse all items",
    "Use Ctrl-Click to select and move multiple items.",
    "Clone from region",
    "Select all",
}
