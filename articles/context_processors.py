from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    from . import freshness, lists

    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": SimpleLazyObject(lambda: lists.sections(freshness.of_request(request))),
    }
