"""Work done after an editor's save, off the request: run by ``manage.py db_worker``.

Which queue runs them is the ``TASKS`` setting (``TASKS_BACKEND`` in the environment).
"""

from django_tasks import task

from . import publishing, renditions


@task()
def make_renditions(photo_pk, image_name):
    """Make and record the renditions and crops of a library photo (``renditions.make_for``)."""
    return renditions.make_for(photo_pk, image_name)


@task()
def publish_static_changes(**changes):
    """Rewrite the static files one committed edit touched (``publishing.Changes``);
    returns how many files were written."""
    if not publishing.enabled():
        return 0
    publisher = publishing.Publisher()
    publisher.publish_changes(publishing.Changes.from_arguments(**changes))
    return publisher.written


@task()
def mail_note(note_pk):
    """Mail a note to its recipient (``notes.add_note``); returns how many mails were sent."""
    from django.core.mail import send_mail

    from .models import Note
    from .notes import mail_text

    note = Note.objects.select_related("article", "author", "recipient").filter(pk=note_pk).first()
    if note is None or note.recipient is None or not note.recipient.email:
        return 0
    subject, body = mail_text(note)
    return send_mail(subject, body, None, [note.recipient.email])
