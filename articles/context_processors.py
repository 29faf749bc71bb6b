from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    from . import lists
    from .cache import version

    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": SimpleLazyObject(lambda: lists.sections(version.of_request(request))),
    }
