"""The admin as a browser uses it: its URLs, its staff, and its forms read back as posts."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, User


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "__prefix__" in (attrs.get("name") or ""):
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "file", "button") or (
                kind in ("checkbox", "radio") and "checked" not in attrs
            ):
                return
            value = attrs.get("value", "on" if kind == "checkbox" else "")
            if name in self.data and kind in ("hidden", "checkbox"):
                # Repeated names (ticked rows, say) post every value, as a browser does.
                earlier = self.data[name]
                value = [*(earlier if isinstance(earlier, list) else [earlier]), value]
            self.data[name] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif (
            self._select is not None
            and tag == "option"
            and (
                # A browser posts the selected option, or else the first one.
                "selected" in attrs or self._select not in self.data
            )
        ):
            self.data[self._select] = attrs.get("value", "")

    def handle_data(self, text):
        if self._textarea:
            self.data[self._textarea] += text

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # Browsers drop the one newline that follows <textarea>.
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_data(response, form_id="article_form"):
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    return reader.data


ADD_URL = "/admin/articles/article/add/"
PHOTO_ADD_URL = "/admin/articles/photo/add/"
LIST_URL = "/admin/articles/article/"


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def member(username, group):
    user = User.objects.create_user(username, password="mật-khẩu-dài-2025", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


INLINE_PREFIXES = ("richtexts", "figures", "quotes", "embeds", "storycards", "related_links")
"""The article form's inlines: the body's kinds of block, then the related links."""


def empty_inlines(**totals):
    data = {}
    for prefix in INLINE_PREFIXES:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(totals.get(prefix, 0)),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def new_article_data(title="Hồ Tây mùa sen", status="draft", **fields):
    return {
        "title": title,
        "slug": "",
        "sapo": "Sen nở kín mặt hồ.",
        "category": "",
        "byline": "Minh Anh",
        "status": status,
        **empty_inlines(),
        **fields,
    }


def photo_data(image, alt_text="Ảnh", caption="", credit="", **fields):
    """A new photo of the library as the photo form posts it."""
    return {
        "image": image,
        "alt_text": alt_text,
        "caption": caption,
        "credit": credit,
        "focal_x": "0.5",
        "focal_y": "0.5",
        **fields,
    }


def post_form(client, article, **changes):
    """Open the article's edit page and post it back with ``changes``."""
    data = form_data(client.get(change_url(article)))
    data.update(changes)
    return client.post(change_url(article), data)


def errors_of(response):
    return str(response.context["errors"]) if response.context else ""


@pytest.fixture
def reporter(db):
    return member("phongvien", "Phóng viên")


@pytest.fixture
def editor(db):
    return member("bientap", "Biên tập viên")


def ticked(client, *articles):
    """The article list as rendered, posted back with ``articles`` ticked, as a browser
    would: each row carries the version it showed."""
    data = form_data(client.get(LIST_URL), form_id="changelist-form")
    data["_selected_action"] = [str(article.pk) for article in articles]
    return data


def run_action(client, action, *articles):
    """Tick ``articles`` in the list and run ``action`` ("publish", "unpublish") on them,
    confirming it where the admin asks to."""
    return confirmed(client, client.post(LIST_URL, {**ticked(client, *articles), "action": action}))


def confirmed(client, response):
    """The answer to ``response``'s confirmation page, said yes to; else ``response``."""
    confirmation = form_data(response, form_id="unpublish-form")
    return client.post(LIST_URL, confirmation) if confirmation else response
