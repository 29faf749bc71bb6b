"""Settings for the test suite: fast, isolated, and honest about which services are real.

``DATABASE_URL`` and ``CACHE_URL`` still choose the database and cache, so the
same suite runs on PostgreSQL and Redis when they are given.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key")
# The test client speaks plain HTTP; production's HTTPS settings are tested on their own.
os.environ.setdefault("HTTPS", "false")

from .settings import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests render templates without running collectstatic first.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Security: the test client speaks plain HTTP; tests that need HTTPS ask for it (secure=True).
SECURE_SSL_REDIRECT = False

# The browser tests look at uploaded photos through the live server.
SERVE_MEDIA = True

# The suite is one process, whose in-memory cache is then the whole site's cache; the
# tests of several processes start servers with the site's own settings.
CACHE_SHARED_BY_PROCESSES = True

# Renditions are made as soon as a save is committed; tests of the queue ask for it.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The test client is one address asking many times: the API's tests of its limits set
# their own.
API_ANONYMOUS_REQUESTS_PER_MINUTE = API_PARTNER_REQUESTS_PER_MINUTE = 1_000_000
