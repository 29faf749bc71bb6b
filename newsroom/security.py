"""Headers that tell browsers what this site's pages may do.

Django sets nosniff, referrer policy, frame denial and HSTS from settings; the
Content-Security-Policy it does not have before 6.0, so it is added here. No
page of the site or the admin runs inline scripts, event handlers or styles,
so the policy allows none (a test walks the pages to keep it so).
"""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}".strip()
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
