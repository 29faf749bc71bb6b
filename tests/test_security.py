"""What the site promises about security, each promise tested the way it can be broken."""

import os
import re
import runpy
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "".join(chr(33 + (n * 7) % 90) for n in range(60))


def run_django(code_or_args, **env):
    """Run manage.py (or Python code) with production settings and ``env``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "HTTPS", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="newsroom.settings", **env)
    command = [sys.executable, *code_or_args]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)


# Deployment ---------------------------------------------------------------------------


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="news.example.vn",
        # A cache shared by the server's workers (Redis in production; the database's own
        # cache here, which needs no package the default install lacks). The check does
        # not connect to it.
        CACHE_URL="dbcache://newsroom_cache",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_server_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_django(["-c", "import django; django.setup()"], DEBUG="false", ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


# Headers ------------------------------------------------------------------------------


def csp_of(response):
    return dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )


@pytest.mark.parametrize("url", ["/", "/tin-tuc/", "/admin/login/", "/rss/", "/khong-co/"])
def test_every_response_carries_the_security_headers(client, seed, url):
    response = client.get(url)
    policy = csp_of(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_https_responses_carry_hsts(client, seed, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_settings_redirect_to_https_and_secure_the_cookies():
    result = run_django(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_HTTPONLY)",
        ],
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
    )
    assert result.stdout.split() == ["True", "True", "True", "31536000", "True"], result.stderr


def test_no_page_needs_inline_script_or_style_so_the_policy_holds(admin_client, seed):
    urls = [
        "/",
        seed.get_absolute_url(),
        "/tim-kiem/?q=tay+ho",
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        f"/admin/articles/article/{seed.pk}/change/",
        f"/admin/articles/article/{seed.pk}/history/",
        f"/admin/articles/article/{seed.pk}/preview/",
    ]
    for url in urls:
        response = admin_client.get(url)
        html = response.content.decode()
        inline = [
            tag
            for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
            if "application/ld+json" not in tag and "application/json" not in tag
        ]
        # The editor's import map is the one inline script, allowed by this response's
        # nonce alone (and none of the readers' pages has one).
        policy = csp_of(response)["script-src"]
        for tag in list(inline):
            nonce = re.fullmatch(r'<script type="importmap" nonce="([\w-]+)">', tag)
            if nonce and policy == f"'self' 'nonce-{nonce.group(1)}'":
                inline.remove(tag)
                assert "/admin/" in url
        assert not inline, (url, inline)
        assert not re.search(r"\son[a-z]+\s*=", html), url
        assert not re.search(r"\sstyle\s*=", html), url


# Accounts -----------------------------------------------------------------------------


def attempt(client, username, password, ip="203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_repeated_wrong_passwords_lock_the_account_from_that_address(client, db, settings):
    User.objects.create_user("bientap", password="mật-khẩu-đúng-2025", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "bientap", "sai").status_code == 200
    assert attempt(client, "bientap", "sai").status_code == 429, "the last failure locks"
    locked = attempt(client, "bientap", "mật-khẩu-đúng-2025")
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    elsewhere = attempt(client.__class__(), "bientap", "mật-khẩu-đúng-2025", ip="198.51.100.4")
    assert elsewhere.status_code == 302, "another address is not locked out"


def test_the_correct_password_works_again_once_the_cool_off_has_passed(client, db, settings):
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    User.objects.create_user("bientap", password="mật-khẩu-đúng-2025", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "bientap", "sai")
    assert attempt(client, "bientap", "mật-khẩu-đúng-2025").status_code == 429
    # Time passes: the recorded failures grow older than the cool-off.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - get_cool_off() - timedelta(minutes=1)
    )
    assert attempt(client, "bientap", "mật-khẩu-đúng-2025").status_code == 302


def test_a_correct_password_before_the_limit_resets_the_count(client, db, settings):
    User.objects.create_user("bientap", password="mật-khẩu-đúng-2025", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "bientap", "sai")
    assert attempt(client, "bientap", "mật-khẩu-đúng-2025").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "bientap", "sai")
    assert attempt(client, "bientap", "mật-khẩu-đúng-2025").status_code == 302


def settings_from_environment(**env):
    """The settings module's values when it is read with ``env`` added to the environment."""
    with mock.patch.dict(os.environ, env):
        return runpy.run_path(str(ROOT / "newsroom" / "settings.py"))


@pytest.fixture
def throttle_behind(settings):
    """Apply the login throttle's settings for a given number of proxies in front."""

    def apply(proxies):
        values = settings_from_environment(AXES_PROXY_COUNT=str(proxies))
        for name, value in values.items():
            if name.startswith(("AXES_", "IPWARE_")):
                setattr(settings, name, value)

    return apply


def attempt_through_proxy(client, password, forwarded_for):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "bientap", "password": password},
        REMOTE_ADDR="10.0.0.2",  # the proxy
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_each_client_is_locked_out_on_its_own(db, settings, throttle_behind):
    throttle_behind(1)
    User.objects.create_user("bientap", password="mật-khẩu-đúng-2025", is_staff=True)
    client_a, client_b = "203.0.113.7", "198.51.100.4"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt_through_proxy(Client(), "sai", client_a)
    locked = attempt_through_proxy(Client(), "mật-khẩu-đúng-2025", client_a)
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()

    other = Client()
    assert attempt_through_proxy(other, "mật-khẩu-đúng-2025", client_b).status_code == 302
    assert other.session["_auth_user_id"] == str(User.objects.get(username="bientap").pk)


def test_behind_a_proxy_what_the_client_writes_into_x_forwarded_for_is_ignored(
    db, settings, throttle_behind
):
    throttle_behind(1)
    User.objects.create_user("bientap", password="mật-khẩu-đúng-2025", is_staff=True)
    # The proxy appends the address it saw; the entries before it are the client's own.
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt_through_proxy(Client(), "sai", f"192.0.2.{n}, 203.0.113.7")
    assert attempt_through_proxy(Client(), "mật-khẩu-đúng-2025", "203.0.113.7").status_code == 429
    assert attempt_through_proxy(Client(), "mật-khẩu-đúng-2025", "198.51.100.4").status_code == 302


def test_without_a_proxy_a_forged_x_forwarded_for_is_ignored(db, settings, throttle_behind):
    throttle_behind(0)
    User.objects.create_user("bientap", password="mật-khẩu-đúng-2025", is_staff=True)
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt_through_proxy(Client(), "sai", f"192.0.2.{n}")
    # Every failure counted against the address the connection came from.
    assert attempt_through_proxy(Client(), "mật-khẩu-đúng-2025", "198.51.100.4").status_code == 429
    elsewhere = Client().post(
        "/admin/login/?next=/admin/",
        {"username": "bientap", "password": "mật-khẩu-đúng-2025"},
        REMOTE_ADDR="10.0.0.3",
        HTTP_X_FORWARDED_FOR="192.0.2.0",
    )
    assert elsewhere.status_code == 302


@pytest.mark.parametrize("password", ["12345678", "password", "bientap2025", "ngan"])
def test_weak_passwords_are_refused(db, password):
    user = User(username="bientap2025")
    with pytest.raises(ValidationError):
        validate_password(password, user)


# Faults -------------------------------------------------------------------------------


@pytest.fixture
def reader():
    """A browser: it sees the error page the server sends, not the exception behind it."""
    from django.test import Client

    return Client(raise_request_exception=False)


def test_readers_get_a_503_page_while_the_database_is_down_and_the_site_recovers(reader, seed):
    client = reader
    down = OperationalError('connection to server at "127.0.0.1", port 5432 failed')
    with mock.patch.object(CursorWrapper, "execute", side_effect=down):
        response = client.get("/tin-tuc/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Traceback" not in html and "OperationalError" not in html
    assert "Trang đang bận" in html

    recovered = client.get("/tin-tuc/")
    assert recovered.status_code == 200
    assert seed.title in recovered.content.decode()


def test_readers_get_the_page_from_the_database_while_the_redis_cache_is_down(
    reader, seed, settings
):
    pytest.importorskip("redis", reason="not installed: redis (the production extra)")
    # Nothing listens on port 1: the cache is down.
    settings.CACHES = {
        "default": {
            "BACKEND": "articles.cache.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = reader.get(seed.get_absolute_url())
    assert response.status_code == 200
    assert seed.title in response.content.decode()


def test_a_bug_in_a_query_is_not_mistaken_for_an_outage(client, seed):
    bug = OperationalError("no such column: articles_article.headline")
    with (
        mock.patch.object(CursorWrapper, "execute", side_effect=bug),
        pytest.raises(OperationalError),
    ):
        client.get("/tin-tuc/")
