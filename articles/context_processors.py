from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    from . import freshness
    from .models import Category

    def sections():
        return freshness.shared("nav", lambda: list(Category.objects.only("name", "slug")))

    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": SimpleLazyObject(sections),
        # The key of the {% shared %} fragments (templatetags/news.py).
        "site_changed": SimpleLazyObject(lambda: freshness.of_request(request).timestamp()),
    }
