"""Settings for the newsroom, read from the environment (see README, "Configuration").

With no environment at all the site runs on SQLite in a file beside this
package and keeps media on local disk, so a new machine needs nothing else.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A development key only when DEBUG is on: production must bring its own.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else None)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY in the environment when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin, whose first page is the desk (articles/desk.py).
    "newsroom.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "reversion",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # The body's editor: blocks as one draggable stream, rich text in ProseMirror.
    "content_editor",
    "django_prose_editor",
    # The public API's schema and its documentation page, served from our own static files.
    "ninja",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsroom.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above the page cache: every API request is keyed and counted, kept answers too.
    "articles.api.access.ApiAccessMiddleware",
    "articles.cache.pages.PageCacheMiddleware",
    # Below the page cache, which keeps each page once per encoding (newsroom/compression.py).
    "newsroom.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "newsroom.conditional.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Check a kept connection before use, so the site recovers by itself after an outage.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# How long a request waits for the database (seconds, 0 for no bound), so that a hung or
# locked database gives readers the 503 page (newsroom/resilience.py) well before gunicorn
# kills the worker (WEB_TIMEOUT). The statement and lock bounds hold in the web process only:
# newsroom/wsgi.py and asgi.py set DATABASE_TIMEOUTS, and management commands (migrate,
# loaddata, make_synthetic_news, publish_static) run as long as their work takes.
DATABASE_TIMEOUTS = env.bool("DATABASE_TIMEOUTS", default=False)
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
DATABASE_STATEMENT_TIMEOUT = env.float("DATABASE_STATEMENT_TIMEOUT", default=10)
DATABASE_LOCK_TIMEOUT = env.float("DATABASE_LOCK_TIMEOUT", default=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    db_options = DATABASES["default"].setdefault("OPTIONS", {})
    if DATABASE_CONNECT_TIMEOUT:
        db_options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    if DATABASE_TIMEOUTS:
        # Sent with the connection's start-up, so they cost no round trip.
        db_options.setdefault(
            "options",
            f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000:.0f}"
            f" -c lock_timeout={DATABASE_LOCK_TIMEOUT * 1000:.0f}",
        )
    # A health check with no round trip (newsroom/postgresql), and Django's own
    # server-side binding, with which the server plans a statement run five times once
    # per connection. Behind a PgBouncer older than 1.21 in transaction mode, which cannot
    # keep prepared statements, set PREPARED_STATEMENTS=false.
    DATABASES["default"]["ENGINE"] = "newsroom.postgresql"
    db_options.setdefault("server_side_binding", True)
    if env.bool("PREPARED_STATEMENTS", default=True):
        db_options.setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Readers never wait for a writer (WAL), and a writer waits its turn instead of failing;
    # in the web process, for DATABASE_LOCK_TIMEOUT at most.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL;",
        transaction_mode="IMMEDIATE",
        timeout=DATABASE_LOCK_TIMEOUT if DATABASE_TIMEOUTS and DATABASE_LOCK_TIMEOUT else 20,
    )
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "articles.cache.redis.RedisCache"
    # A Redis that is down or unreachable costs a request little, and is then left alone
    # for a few seconds (articles/cache/redis.py): pages are rendered from the database.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
        socket_timeout=env.float("CACHE_TIMEOUT", default=1.0),
    )
# Whether every process of the site sees the same cache. One kept in each process's memory
# (the default, locmemcache://) is not: the site's version is then read from the database on
# every request, so no worker serves a page older than another's edit
# (articles/cache/version.py), and `check --deploy` says so.
CACHE_SHARED_BY_PROCESSES = CACHES["default"]["BACKEND"] not in (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
# On Redis, each process keeps the site's version until Redis says it changed (a thread per
# process listens), instead of asking Redis for it on every request.
CACHE_WATCH = env.bool("CACHE_WATCH", default=True)
# Characters (not bytes) of HTML each process keeps of articles' own parts of their pages,
# which outlive every change but their own (articles/cache/fragments.py); 0 turns it off.
FRAGMENT_MEMORY = env.int("FRAGMENT_MEMORY", default=16 * 1024 * 1024)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["newsroom.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed files with hashed names, served by WhiteNoise; `collectstatic` makes them.
    "staticfiles": {
        "BACKEND": "newsroom.staticfiles.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)

# Photos on any S3-compatible storage instead of local disk (pip install ".[s3]").
if env("MEDIA_STORAGE", default="local") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "custom_domain": env("S3_CUSTOM_DOMAIN", default=None),
            "file_overwrite": False,
            "querystring_auth": False,
        },
    }

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# The format of a story's saved versions of its figures: with the library photo's credit,
# alt text and file as they stood (articles/figure_versions.py).
SERIALIZATION_MODULES = {"figure_json": "articles.figure_versions"}

SITE_NAME = env("SITE_NAME", default="Tin Hà Nội")

# The desk (articles/desk.py, notes.py, previews.py). Notes are mailed through Django's
# email framework: EMAIL_URL (smtp://user:password@host:587 ...); by default the console.
vars().update(
    (name, value)
    for name, value in env.email_url("EMAIL_URL", default="consolemail://").items()
    if value is not None
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="toasoan@localhost")
# How long a shareable preview link works unless an editor revokes it first, in hours.
PREVIEW_LINK_HOURS = env.float("PREVIEW_LINK_HOURS", default=48)
# Someone has a story open while their page's heartbeat was heard this recently (seconds).
PRESENCE_SECONDS = env.int("PRESENCE_SECONDS", default=90)
# How often an open edit page says so (its heartbeat), in seconds.
PRESENCE_BEAT_SECONDS = env.int("PRESENCE_BEAT_SECONDS", default=20)
# The site's logo in the masthead: a static file's path or an absolute URL; the default is
# the SVG wordmark made for the site.
SITE_LOGO = env("SITE_LOGO", default="articles/wordmark.svg")

# The publisher's masthead in every page's footer, as Vietnamese law asks of a news site.
# Empty values are left out.
MASTHEAD = {
    "publisher": env("MASTHEAD_PUBLISHER", default="Tin Hà Nội"),
    "licence": env("MASTHEAD_LICENCE", default="đang chờ cấp"),
    "address": env("MASTHEAD_ADDRESS", default="Hà Nội, Việt Nam"),
    "editor_in_chief": env("MASTHEAD_EDITOR_IN_CHIEF", default="Ban biên tập Tin Hà Nội"),
    "phone": env("MASTHEAD_PHONE", default=""),
    "email": env("MASTHEAD_EMAIL", default=""),
}

# Work done after an editor's save, off the request (articles/tasks.py): by default queued
# in the database and run by `manage.py db_worker`; the immediate backend runs it in the
# request, once the save is committed.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# Photo uploads (checked by articles/uploads.py)
FIGURE_MAX_BYTES = env.int("FIGURE_MAX_BYTES", default=10 * 1024 * 1024)
FIGURE_MAX_PIXELS = env.int("FIGURE_MAX_PIXELS", default=40_000_000)

# Without DEBUG, WhiteNoise serves what collectstatic gathered; with it, the apps' own files.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = DEBUG

# Autosave of the article form (articles/autosave.py): seconds after the last keystroke
# before the form is sent, the largest form kept (below DATA_UPLOAD_MAX_MEMORY_SIZE), and
# the days an autosave or a photo kept across a form error waits (`manage.py prune_autosaves`).
AUTOSAVE_DELAY_SECONDS = env.float("AUTOSAVE_DELAY_SECONDS", default=3)
AUTOSAVE_MAX_BYTES = env.int("AUTOSAVE_MAX_BYTES", default=2 * 1024 * 1024)
AUTOSAVE_KEEP_DAYS = env.int("AUTOSAVE_KEEP_DAYS", default=30)

# Fields one admin form may post: each block of an article's body is about five, and
# Django's default of 1,000 refused (and lost) an article of some 250 blocks.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=20_000)

# Readers' pages may be kept this long by browsers (max-age) and CDNs (s-maxage).
PUBLIC_CACHE_CONTROL = {
    "max_age": env.int("PUBLIC_MAX_AGE", default=60),
    "s_maxage": env.int("PUBLIC_S_MAXAGE", default=300),
}

# How long a readers' page may stay in the page cache (0 turns it off). Any change
# to the content makes a new generation of pages at once; see articles/cache/pages.py.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=3600)

# The public API's limits (articles/api/access.py): requests per minute for a client
# without a key (by address) and for each partner's key.
API_ANONYMOUS_REQUESTS_PER_MINUTE = env.int("API_ANONYMOUS_REQUESTS_PER_MINUTE", default=60)
API_PARTNER_REQUESTS_PER_MINUTE = env.int("API_PARTNER_REQUESTS_PER_MINUTE", default=1200)

# How long one list of the most read stories ("Đọc nhiều") is shown before it is computed
# again from the counts (articles/most_read.py); pages showing it are kept no longer.
MOST_READ_REFRESH_SECONDS = env.int("MOST_READ_REFRESH_SECONDS", default=300)

# Security --------------------------------------------------------------------
# HTTPS is assumed wherever DEBUG is off; HTTPS=false serves plain HTTP (on loopback).
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if env.bool("BEHIND_PROXY", default=False):
    # Only behind a proxy that sets this header itself; otherwise clients could forge it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:", *env.list("CSP_IMG_SOURCES", default=[])],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    # Embedded videos and posts (articles/embeds.py), loaded only once a reader asks.
    "frame-src": ["https://www.youtube-nocookie.com", "https://www.facebook.com"],
}
# The <style> elements the body's rich text editor (django-prose-editor's Tiptap) adds to
# the page, allowed on the admin pages that load it and nowhere else (newsroom/security.py).
CSP_EDITOR_STYLE_HASHES = [
    "sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA=",
    "sha256-6KH64FfqOmiulyFs5UFlEHuGZ5qo9jPRKvpjnThIwdk=",
]
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"

# Login throttling (django-axes): five failures lock that username from that address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The address a failure counts against is the client's (django-ipware, as django-axes
# documents for reverse proxies). Behind AXES_PROXY_COUNT proxies that each append the
# address they received from to X-Forwarded-For, the client is the address the outermost
# one appended: that many from the right. Entries left of it are the client's own, maybe
# forged, and are ignored; with no proxy the header is not read at all.
axes_proxies = env.int("AXES_PROXY_COUNT", default=0)
if axes_proxies:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # ipware counts the proxies named in the header: all but the one closest to the site.
    AXES_IPWARE_PROXY_COUNT = axes_proxies - 1
    AXES_IPWARE_PROXY_ORDER = "left-most"
    # A longer header than that (entries the client added) is read from the right, not refused.
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None

# Logging ---------------------------------------------------------------------
# Every 500's traceback (django.request) and every warning of the site's own loggers (the
# cache's outages, static publication) go to standard error, which gunicorn and the platform
# keep. Django's own 4xx warnings stay out: the access log has every request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name} [{process}] {message}", "style": "{"},
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env("LOG_LEVEL", default="WARNING")},
    "loggers": {
        # Instead of Django's own handlers (mail to ADMINS, the console with DEBUG only).
        "django": {"handlers": [], "level": "INFO" if DEBUG else "ERROR", "propagate": True},
    },
}

# Errors to Sentry too when SENTRY_DSN is given (pip install ".[sentry]").
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            'SENTRY_DSN is set but sentry-sdk is not installed: pip install ".[sentry]"'
        ) from missing
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        integrations=[DjangoIntegration()],
        send_default_pii=False,
    )

# Static publication (articles/publishing.py): off unless a folder or STATIC_PUBLISH is given.
# An edit's pages are written by the task worker (TASKS above) once the edit commits.
STATIC_PUBLISH_ROOT = env("STATIC_PUBLISH_ROOT", default="")
STATIC_PUBLISH = env.bool("STATIC_PUBLISH", default=bool(STATIC_PUBLISH_ROOT))
STATIC_PUBLISH_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": STATIC_PUBLISH_ROOT or BASE_DIR / "published", "base_url": "/"},
}
STATIC_PUBLISH_HOST = env("STATIC_PUBLISH_HOST", default=ALLOWED_HOSTS[0])
STATIC_PUBLISH_SCHEME = env("STATIC_PUBLISH_SCHEME", default="https")
STATIC_PUBLISH_LIST_PAGES = env.int("STATIC_PUBLISH_LIST_PAGES", default=5)
STATIC_PUBLISH_FRESH_ARTICLES = env.int("STATIC_PUBLISH_FRESH_ARTICLES", default=100)
