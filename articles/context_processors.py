from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    from . import freshness
    from .models import Category

    def sections():
        return freshness.shared(
            "nav",
            lambda: list(Category.objects.only("name", "slug")),
            freshness.of_request(request),
        )

    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": SimpleLazyObject(sections),
    }
