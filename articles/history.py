"""Reading an article's revisions (kept by django-reversion) as editors see them."""

import difflib
import json
from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from reversion.models import Version

from .models import Article, Category, Figure, RelatedLink, TextBlock


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
        f"{_('status')}: {Article.Status(fields['status']).label if fields.get('status') else ''}",
        f"{_('publication time')}: {hanoi_time(fields.get('published_at'))}",
        f"{_('editor’s pick')}: {yes_no(fields.get('is_pick'))}",
    ]
    blocks, links = [], []
    for part in version.revision.version_set.select_related("content_type"):
        model, data = part.content_type.model_class(), part.field_dict
        if model is TextBlock and data["article_id"] == int(version.object_id):
            blocks.append((data["position"], [f"  {line}" for line in data["text"].splitlines()]))
        elif model is Figure and data["article_id"] == int(version.object_id):
            described = [f"  [{_('figure')}] {data['caption']}"]
            if data.get("image"):
                described.append(f"  {_('image')}: {data['image']}")
            described.append(f"  {_('alt text')}: {data.get('alt_text', '')}")
            described.append(f"  {_('credit')}: {data.get('credit', '')}")
            blocks.append((data["position"], described))
        elif model is RelatedLink and data["article_id"] == int(version.object_id):
            links.append((data["position"], data["target_id"]))
    lines.append(f"{_('body')}:")
    for _position, described in sorted(blocks, key=lambda block: block[0]):
        lines.extend(described)
    titles = dict(Article.objects.filter(pk__in=[t for _p, t in links]).values_list("pk", "title"))
    lines.append(f"{_('related articles')}:")
    lines.extend(f"  {titles.get(target, target)}" for _p, target in sorted(links))
    return lines


def diff(before, after):
    """Unified diff lines from ``before`` to ``after`` (either may be ``None``)."""
    return list(difflib.unified_diff(snapshot(before), snapshot(after), lineterm="", n=2))[2:]
