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
