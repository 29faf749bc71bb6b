"""Headers that tell browsers what this site's pages may do.

Django sets nosniff, referrer policy, frame denial and HSTS from settings; the
Content-Security-Policy it does not have before 6.0, so it is added here. No
page of the site or the admin runs inline scripts, event handlers or styles,
so the policy allows none (a test walks the pages to keep it so). The one exception is
the import map of the editors' scripts (``<script type="importmap">``, how the body's
editor loads its modules): a response that has one allows it by a nonce of its own, and
the two <style> elements the rich text editor (Tiptap) writes by their digests.
"""

import secrets

from django.conf import settings


def csp_nonce(request):
    """This response's nonce for the one inline script it may carry (an import map)."""
    if not hasattr(request, "_csp_nonce"):
        request._csp_nonce = secrets.token_urlsafe(18)
    return request._csp_nonce


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}".strip()
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        policy = self.policy
        if nonce := getattr(request, "_csp_nonce", None):
            policy = policy.replace("script-src 'self'", f"script-src 'self' 'nonce-{nonce}'", 1)
            styles = " ".join(f"'{digest}'" for digest in settings.CSP_EDITOR_STYLE_HASHES)
            policy = policy.replace("style-src 'self'", f"style-src 'self' {styles}", 1)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
