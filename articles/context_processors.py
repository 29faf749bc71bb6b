from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    from .cache import version
    from .models import Category

    def sections():
        return version.shared(
            "nav",
            lambda: list(Category.objects.only("name", "slug")),
            version.of_request(request),
        )

    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": SimpleLazyObject(sections),
    }
