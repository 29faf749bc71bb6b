"""Reading an article's revisions (kept by django-reversion) as editors see them."""

import difflib
import json
import re
from contextlib import contextmanager
from datetime import datetime
from html import unescape

import reversion
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from reversion.models import Version

from . import figure_versions
from .models import BLOCK_KINDS, Article, Author, Category, Figure, Photo, RelatedLink, Topic


def versions_of_articles():
    """Saved versions of articles only: a restore or recover is always of an article."""
    return Version.objects.get_for_model(Article)


def highest_version(article_pk):
    """The highest version number the article ever had, as its saved versions recorded it.

    A restore counts on from this, so that no form opened on any earlier state of the
    article (before a delete, or before a version was wound back) can pass as current.
    """
    numbers = [0]
    for saved in Version.objects.get_for_object_reference(Article, article_pk):
        if saved.format == "json":
            numbers.append(json.loads(saved.serialized_data)[0]["fields"].get("version", 0))
        else:
            numbers.append(saved.field_dict.get("version", 0))
    return max(numbers)


def previous_version(version):
    """The version of the same article saved just before ``version``, if any."""
    return (
        Version.objects.get_for_object_reference(Article, version.object_id)
        .filter(pk__lt=version.pk)
        .order_by("-pk")
        .first()
    )


def latest_version(article_pk):
    """The article's most recent saved version: what it is now, as the history knows it."""
    return Version.objects.get_for_object_reference(Article, article_pk).order_by("-pk").first()


def hanoi_time(value):
    """A stored time as editors read it: dd/mm/yyyy HH:MM, Hanoi time ("" for none)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime):
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return format_date(timezone.localtime(value), "d/m/Y H:i")


def yes_no(value):
    return _("yes") if value else _("no")


def snapshot(version):
    """The article as it stood in ``version``, as lines of text a person can compare."""
    if version is None:
        return []
    fields = version.field_dict
    category = Category.objects.filter(pk=fields.get("category_id")).first()
    lines = [
        f"{_('headline')}: {fields.get('title', '')}",
        f"{_('slug')}: {fields.get('slug', '')}",
        f"{_('sapo')}: {fields.get('sapo', '')}",
        f"{_('section')}: {category or ''}",
        f"{_('byline')}: {fields.get('byline', '')}",
        f"{_('authors')}: {names_of(Author, fields.get('authors'))}",
        f"{_('topics')}: {names_of(Topic, fields.get('topics'))}",
        f"{_('status')}: {Article.Status(fields['status']).label if fields.get('status') else ''}",
        f"{_('publication time')}: {hanoi_time(fields.get('published_at'))}",
        f"{_('editor’s pick')}: {yes_no(fields.get('is_pick'))}",
    ]
    blocks, links = [], []
    kinds = {model: model.kind for model in BLOCK_KINDS}
    article_id = int(version.object_id)
    for part in version.revision.version_set.select_related("content_type"):
        model, data = part.content_type.model_class(), part.field_dict
        if data.get("article_id") != article_id:
            continue
        if model is Figure:
            shown = figure_versions.photo_of(part.serialized_data) if data["photo_id"] else None
            blocks.append((data["ordering"], "figure", {**data, "photo_as_shown": shown}))
        elif model in kinds:
            blocks.append((data["ordering"], kinds[model], data))
        elif model is RelatedLink:
            links.append((data["position"], data["target_id"]))
    # A version saved before figures kept their photo's fields shows the photo as it is now.
    photos = Photo.objects.in_bulk(
        [d["photo_id"] for _o, k, d in blocks if k == "figure" and not d["photo_as_shown"]]
    )
    cards = Article.objects.in_bulk([d["target_id"] for _o, k, d in blocks if k == "card"])
    lines.append(f"{_('body')}:")
    for _ordering, kind, data in sorted(blocks, key=lambda block: block[0]):
        lines.extend(f"  {line}" for line in described_block(kind, data, photos, cards))
    titles = dict(Article.objects.filter(pk__in=[t for _p, t in links]).values_list("pk", "title"))
    lines.append(f"{_('related articles')}:")
    lines.extend(f"  {titles.get(target, target)}" for _p, target in sorted(links))
    return lines


def described_block(kind, data, photos, cards):
    """The lines of one block of a body, with every field readers see of it."""
    if kind == "text":
        return marked_lines(data["text"])
    if kind == "figure":
        photo = data["photo_as_shown"]
        if photo is None and data["photo_id"] in photos:
            photo = figure_versions.photo_as_shown(photos[data["photo_id"]])
        lines = [f"[{_('figure')}] {data['caption']}"]
        if photo is not None:
            lines += [
                f"{_('image')}: {photo['image']}",
                f"{_('credit')}: {photo['credit']}",
                f"{_('alt text')}: {photo['alt_text']}",
            ]
        return lines
    if kind == "quote":
        return [f"[{_('quote')}] {data['text']}", f"{_('who said it')}: {data['attribution']}"]
    if kind == "embed":
        return [f"[{_('embed')}] {data['url']}"]
    target = cards.get(data["target_id"])
    return [f"[{_('related story card')}] {target.title if target else data['target_id']}"]


def names_of(model, pks):
    """The names of a version's authors or topics, in the order readers see them (one
    deleted since by its former id)."""
    pks = pks or []
    rows = list(model.objects.filter(pk__in=pks).values_list("pk", "name"))
    found = {pk for pk, _name in rows}
    return ", ".join([name for _pk, name in rows] + [f"#{pk}" for pk in pks if pk not in found])


_MARKS = [
    (re.compile(r"<h2>"), "## "),
    (re.compile(r"<h3>"), "### "),
    (re.compile(r"<li>"), "• "),
    (re.compile(r"<blockquote>"), "> "),
    (re.compile(r"</?(strong|b)>"), "**"),
    (re.compile(r"</?(em|i)>"), "_"),
    (re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>'), r"\2 [\1]"),
    (re.compile(r"</(p|h2|h3|li|blockquote|ul|ol)>|<br>"), "\n"),
    (re.compile(r"<[^>]+>"), ""),
]


def marked_lines(html):
    """Rich text as lines a person compares: one per paragraph, heading or item, with its
    marks written out (``## `` a subheading, ``**`` bold, ``_`` italic, ``text [link]``),
    so that a bold word or a link changed shows in the diff."""
    for pattern, replacement in _MARKS:
        html = pattern.sub(replacement, html)
    return [line.strip() for line in unescape(html).splitlines() if line.strip()]


def diff(before, after):
    """Unified diff lines from ``before`` to ``after`` (either may be ``None``)."""
    return list(difflib.unified_diff(snapshot(before), snapshot(after), lineterm="", n=2))[2:]


def stories_showing(photo):
    """The stories whose body shows the library photo ``photo``."""
    return list(Article.objects.filter(figures__photo=photo).distinct().order_by("pk"))


def _keeps_photo_as(version, photo_pk, fields):
    """Whether ``version`` of a story kept the fields of photo ``photo_pk`` as ``fields``."""
    if version is None:
        return False
    figures = version.revision.version_set.filter(
        content_type=ContentType.objects.get_for_model(Figure)
    )
    kept = [
        figure_versions.photo_of(part.serialized_data)
        for part in figures
        if part.field_dict.get("photo_id") == photo_pk
    ]
    return bool(kept) and all(shown == fields for shown in kept)


@contextmanager
def photo_change_recorded(photo, changed, user):
    """Around the save of library photo ``photo`` whose fields ``changed`` readers see:
    each story that shows it gets a version saved by ``user``, with a comment naming the
    photo and who changed it, so that its history shows the change.

    A story whose last version did not keep the photo as it stood (one saved before the
    versions kept photos, or never saved in the admin) first gets a version as it stood
    before the change, so that the change shows as a difference.
    """
    if not changed:
        yield
        return
    stories = stories_showing(photo)
    stored = figure_versions.photo_as_shown(Photo.objects.get(pk=photo.pk))
    before = _("As it stood before the library photo “%(photo)s” was changed") % {"photo": photo}
    for story in stories:
        if not _keeps_photo_as(latest_version(story.pk), photo.pk, stored):
            _save_version(story, user, before)
    yield
    comment = _("Library photo “%(photo)s” changed by %(who)s: %(fields)s") % {
        "photo": photo,
        "who": user.get_full_name() or user.get_username(),
        "fields": ", ".join(str(Photo._meta.get_field(name).verbose_name) for name in changed),
    }
    for story in stories:
        _save_version(story, user, comment)


def _save_version(article, user, comment):
    """A version of ``article`` as it is stored, with its body and links."""
    with reversion.create_revision():
        reversion.add_to_revision(article)
        reversion.set_user(user)
        reversion.set_comment(comment)
