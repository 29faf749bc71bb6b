"""Work done after an editor's save, off the request: run by ``manage.py db_worker``.

Which queue runs them is the ``TASKS`` setting (``TASKS_BACKEND`` in the environment).
"""

from django_tasks import task

from . import renditions


@task()
def make_renditions(figure_pk, image_name):
    """Make and record the renditions of a figure's photo (``renditions.make_for``)."""
    return renditions.make_for(figure_pk, image_name)
