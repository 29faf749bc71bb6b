from django.conf import settings
from django.templatetags.static import static
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


def site(request):
    from . import lists
    from .cache import version

    return {
        "site_name": settings.SITE_NAME,
        "site_logo": SimpleLazyObject(lambda: logo_url(settings.SITE_LOGO)),
        "masthead": settings.MASTHEAD,
        # Today in Hanoi: the site's version moves when the day does (articles/cache/version.py).
        "today": timezone.localdate(),
        "nav_sections": SimpleLazyObject(lambda: lists.sections(version.of_request(request))),
    }


def logo_url(logo):
    """The logo's address: an absolute URL as it is, else a static file's."""
    return logo if logo.startswith(("http://", "https://", "/")) else static(logo)
