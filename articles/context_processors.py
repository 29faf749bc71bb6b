from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    from .models import Category

    return {
        "site_name": settings.SITE_NAME,
        # Asked only by pages that show the navigation.
        "nav_sections": SimpleLazyObject(lambda: list(Category.objects.only("name", "slug"))),
    }
