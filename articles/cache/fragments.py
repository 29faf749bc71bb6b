"""HTML that is a pure function of the content it shows, kept in each process's memory.

An article's own part of its page (the headline, the body, the tags for search
engines and shared links) changes only when its rows do, so it outlives every change
of the site but its own. A fragment is found under a digest of the values it is
rendered from (model instances with all their loaded fields and related rows, the
request's host, scheme, language and script prefix), never under a time or a
version: whatever changes a row (the admin, ``update()``, ``loaddata``, a database
console) changes the key. What is not data (templates, settings) changes with a
deploy, which starts new processes with nothing kept.

Kept by each process, up to ``FRAGMENT_MEMORY`` characters (``Store``).
"""

import datetime
import decimal
import functools
import hashlib
import pickle
import threading
from collections import OrderedDict

from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile
from django.urls import get_script_prefix
from django.utils import translation

from ..models import Body


class Store:
    """Fragments by key, up to ``settings.FRAGMENT_MEMORY`` characters of HTML: the least
    recently used go first. Unlike Django's LocMemCache it keeps the text itself, not a
    pickle of it to load on every read."""

    def __init__(self, memory=None):
        self._memory = memory
        self.lock = threading.Lock()
        self.clear()

    @property
    def memory(self):
        return settings.FRAGMENT_MEMORY if self._memory is None else self._memory

    def clear(self, **kwargs):
        with self.lock:
            self.fragments, self.size = OrderedDict(), 0

    def get(self, key):
        with self.lock:
            html = self.fragments.get(key)
            if html is not None:
                self.fragments.move_to_end(key)
            return html

    def keep(self, key, html):
        if len(html) > self.memory:
            return
        with self.lock:
            if key in self.fragments:
                return
            self.fragments[key] = html
            self.size += len(html)
            while self.size > self.memory:
                _, dropped = self.fragments.popitem(last=False)
                self.size -= len(dropped)


store = Store()


def key(name, request, values):
    """The digest of everything the fragment ``name`` is rendered from.

    A fragment of small plain values only (none, or today's date) is found under those
    values themselves, each with its type (``1 == True``, yet they print differently):
    nothing to digest.
    """
    if _SMALL.issuperset(map(type, values)):
        return (name, *_site(request), *[(type(value), value) for value in values])
    made_of = [name, *_site(request)]
    seen = set()
    made_of += [_content(value, seen) for value in values]
    return _digest(made_of).hex()


def _digest(values):
    # Pickled: as unambiguous as repr(), and it copies text rather than reading it.
    return hashlib.blake2b(pickle.dumps(values, protocol=5), digest_size=20).digest()


def _site(request):
    """The language, where the site is mounted, and for a request its scheme and host,
    read once for all its fragments: addresses in a fragment start with the script prefix."""
    if request is None:
        return (translation.get_language(), get_script_prefix())
    if not hasattr(request, "fragments_site"):
        request.fragments_site = (
            translation.get_language(), get_script_prefix(), request.scheme, request.get_host()
        )  # fmt: skip
    return request.fragments_site


# Values that are all they show, whole. A queryset, say, is not: it is rows yet to be read.
PLAIN = (str, int, float, decimal.Decimal, datetime.date, datetime.time, type(None))
# Plain values small enough to be a key as they are (a text may be long).
_SMALL = {bool, int, datetime.date, type(None)}


def _content(value, seen):
    if isinstance(value, models.Model):
        return _row(value, seen)
    if isinstance(value, Body):
        return _body_digest(value)
    if isinstance(value, (list, tuple)):
        return [_content(item, seen) for item in value]
    if isinstance(value, PLAIN):
        return value
    raise TypeError(f"A fragment is keyed on rows, lists and plain values, not {type(value)}.")


def _row(instance, seen):
    """A model instance as its loaded fields, with the related rows loaded beside it."""
    label = (instance._meta.label, instance.pk)
    if label in seen:
        return label  # a block's article is the article already counted
    seen.add(label)
    loaded = instance.__dict__  # deferred fields are absent
    fields = [
        value if type(value) in _AS_THEY_ARE else _plain(value)
        for value in map(loaded.get, _attnames(type(instance)))
    ]
    # An empty relation (no section) says no more than its column does, read or not: a
    # render that looks at it leaves the key as it was.
    related = [
        (name, _row(other, seen))
        for name, other in sorted(instance._state.fields_cache.items())
        if other is not None
    ]
    return label, fields, related


def _body_digest(body):
    """The body's rows, as read (plain values, and cheaper than the blocks), with the
    addresses and headlines of the articles it links to, digested once for all of a
    page's fragments: they never change once read."""
    digest = body.__dict__.get("fragments_digest")
    if digest is None:
        digest = body.__dict__["fragments_digest"] = _digest([body.rows, body.links_digest()])
    return digest


def _plain(value):
    # A photo's field holds its name until it is first read, then a FieldFile of it.
    if isinstance(value, FieldFile):
        return value.name
    # A time as its ISO text, offset included: cheaper to digest than its zone.
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


_AS_THEY_ARE = {str, int, bool, type(None)}
"""The types of most fields' values, digested as they are."""


@functools.cache
def _attnames(model):
    return tuple(field.attname for field in model._meta.concrete_fields)


def _loaded(values):
    """How much of the keyed rows is loaded: their fields and related rows, which a render
    that reads a deferred field or a relation adds to."""
    counts, seen, rows = [], set(), list(values)
    while rows:
        value = rows.pop()
        if isinstance(value, (list, tuple)):
            rows.extend(value)
        elif isinstance(value, models.Model) and id(value) not in seen:
            seen.add(id(value))
            related = value._state.fields_cache
            counts.append(len(value.__dict__.keys() & _attnames(type(value))) + len(related))
            rows.extend(other for other in related.values() if other is not None)
    return counts


def rendered(name, request, values, render):
    """The HTML of ``render()``, from this process's copy when the values are the same."""
    found = key(name, request, values)
    html = store.get(found)
    if html is None:
        loaded = _loaded(values)
        html = render()
        # Rendering may have read related rows the first key did not count (a section
        # loaded lazily): the copy is kept under the key of what it was rendered from.
        if _loaded(values) != loaded:
            found = key(name, request, values)
        store.keep(found, html)
    return html
