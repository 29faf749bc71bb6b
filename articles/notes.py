"""Notes between the desk's people, returns to the reporter, and the log of status changes.

Every status change and every note is recorded here with its author; a note to someone
is also mailed to them by the task worker (Django's email framework, ``EMAIL_URL``).
"""

from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reversion import create_revision, set_comment, set_user

from .models import Article, Note, StatusChange

RETURNABLE = (Article.Status.DRAFT, Article.Status.REVIEW)


class NotReturnable(Exception):
    """The story cannot be returned: it is published, already returned, or gone."""


def record_status(article, old, new, author, note=None):
    """Write down that ``author`` moved ``article`` from ``old`` to ``new`` (if it moved)."""
    if old == new:
        return None
    return StatusChange.objects.create(
        article=article, author=author, old_status=old or "", new_status=new, note=note
    )


def add_note(article, author, text, recipient=None):
    """A note on ``article``; one addressed to someone is mailed to them after commit."""
    note = Note.objects.create(article=article, author=author, recipient=recipient, text=text)
    if recipient is not None and recipient.email:
        transaction.on_commit(partial(_queue_mail, note.pk))
    return note


def _queue_mail(note_pk):
    from .tasks import mail_note

    mail_note.enqueue(note_pk)


def return_to_reporter(article_pk, editor, text):
    """Send a story back to its reporter with ``text``: status "returned", a note to the
    reporter, both in the story's log, as one revision. Returns the note."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_pk).first()
        if article is None or article.status not in RETURNABLE:
            raise NotReturnable
        old = article.status
        with create_revision():
            set_user(editor)
            set_comment(_("Returned to the reporter"))
            article.status = Article.Status.RETURNED
            article.updated_by = editor
            article.save()
        note = add_note(article, editor, text, recipient=article.created_by)
        record_status(article, old, article.status, editor, note=note)
    return note


def mark_read(article, user):
    """The notes to ``user`` on ``article`` are read: they have the story open."""
    return Note.objects.filter(article=article, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def thread(article):
    """The story's notes and status changes, oldest first, each as (when, kind, row); a
    note that came with a status change (a return) carries it as ``status_change``."""
    changes = list(StatusChange.objects.filter(article=article).select_related("author"))
    with_note = {change.note_id: change for change in changes if change.note_id}
    items = [(change.created_at, "status", change) for change in changes if not change.note_id]
    for note in Note.objects.filter(article=article).select_related("author", "recipient"):
        note.status_change = with_note.get(note.pk)
        items.append((note.created_at, "note", note))
    return sorted(items, key=lambda item: item[0])


def mail_text(note):
    """The subject and body of the email telling a note's recipient of it."""
    subject = _("A note on “%(title)s”") % {"title": note.article.title}
    who = note.author.get_full_name() or note.author.get_username() if note.author else "—"
    body = _("%(who)s wrote on “%(title)s”:\n\n%(text)s\n") % {
        "who": who,
        "title": note.article.title,
        "text": note.text,
    }
    return subject, body
