"""Read an admin form back as the data a browser would post."""

from html.parser import HTMLParser


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
            self.data[name] = attrs.get("value", "on" if kind == "checkbox" else "")
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
