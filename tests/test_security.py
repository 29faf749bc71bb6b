"""Deployment settings, security headers, the content security policy, logins and passwords."""

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from .crawl import crawl, entry_points

PROJECT = django_settings.BASE_DIR


def run_django(code, tmp_path, **env):
    """``code`` run in a fresh interpreter with production settings and ``env``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "DEBUG", "SECRET_KEY"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        CACHE_URL="locmemcache://",
        ALLOWED_HOSTS="news.example.vn",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50)}
DEPLOY_CHECK = (
    "from django.core.management import call_command\n"
    "call_command('check', deploy=True, fail_level='DEBUG')"
)


def test_the_deployment_check_reports_nothing_with_production_settings(tmp_path):
    result = run_django(DEPLOY_CHECK, tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_check_names_a_production_setting_turned_off(tmp_path):
    result = run_django(DEPLOY_CHECK, tmp_path, **PRODUCTION, SECURE_SSL_REDIRECT="false")
    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_the_server_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = run_django("", tmp_path, DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set SECRET_KEY in the environment" in result.stderr


SECURE_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
)
PRINT_SETTINGS = (
    "import json; from django.conf import settings\n"
    f"print(json.dumps({{name: getattr(settings, name) for name in {SECURE_SETTINGS!r}}}))"
)


def secure_settings(tmp_path, **env):
    result = run_django(PRINT_SETTINGS, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_https_settings_default_to_safe_in_production_and_to_plain_http_with_debug(tmp_path):
    assert secure_settings(tmp_path, **PRODUCTION) == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    assert secure_settings(tmp_path, DEBUG="true") == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_each_https_setting_can_be_changed_from_the_environment(tmp_path):
    changed = secure_settings(
        tmp_path,
        **PRODUCTION,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_PRELOAD="false",
        BEHIND_HTTPS_PROXY="true",
    )
    assert changed["SECURE_SSL_REDIRECT"] is False
    assert changed["SECURE_HSTS_SECONDS"] == 3600
    assert changed["SECURE_HSTS_PRELOAD"] is False
    assert changed["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert changed["SESSION_COOKIE_SECURE"] is True


# Headers


def assert_security_headers(response):
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        (directive.split(" ", 1) + [""])[:2]
        for directive in response["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/", "/admin/login/", "/tim-kiem/?q=ho+tay", "/khong-co/"])
def test_every_answer_carries_the_security_headers(client, seed, url):
    assert_security_headers(client.get(url, secure=True))


def test_a_page_served_from_the_page_cache_still_carries_the_security_headers(client, seed):
    client.get(seed.get_absolute_url(), secure=True)
    assert_security_headers(client.get(seed.get_absolute_url(), secure=True))


def test_plain_http_is_sent_to_https_in_production(client, seed, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/tim-kiem/?q=ho")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/tim-kiem/?q=ho"


class InlineCode(HTMLParser):
    """What a policy without 'unsafe-inline' would block: inline script, style or handlers."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.found += [f"<{tag} {name}>" for name in attributes if name.startswith("on")]
        if "style" in attributes:
            self.found.append(f"<{tag} style>")
        if tag == "style":
            self.found.append("<style>")
        if (attributes.get("href") or "").startswith("javascript:"):
            self.found.append(f"<{tag} href=javascript:>")
        scripted = attributes.get("type", "text/javascript") not in ("application/ld+json",)
        self._in_inline_script = tag == "script" and scripted and "src" not in attributes

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_readers_pages_need_nothing_the_policy_blocks(client, seed):
    pages = crawl(client, entry_points("/tim-kiem/?q=tay+ho"), limit=200)
    html_pages = {url: page for url, page in pages.items() if page.status == 200 and page.is_html}
    assert seed.get_absolute_url() in html_pages
    for url, page in html_pages.items():
        assert not inline_code(page.text), url


def test_the_admin_pages_need_nothing_the_policy_blocks(client, seed):
    admin_user = User.objects.create_superuser("bientap", "bt@example.vn", "Mật-khẩu-dài-2025")
    login = client.get("/admin/login/")
    assert not inline_code(login.content.decode())
    client.force_login(admin_user)
    pages = [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        f"/admin/articles/article/{seed.pk}/change/",
        f"/admin/articles/article/{seed.pk}/history/",
        "/admin/articles/category/add/",
        "/admin/auth/user/add/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script" in response.content.decode(), "the admin's scripts load from files"
        assert not inline_code(response.content.decode()), url


def test_the_policy_check_sees_inline_code():
    assert inline_code('<p style="color:red" onclick="x()">a</p><script>alert(1)</script>') == [
        "<p onclick>",
        "<p style>",
        "inline script: alert(1)",
    ]
    assert (
        inline_code('<script src="/a.js"></script><script type="application/ld+json">{}</script>')
        == []
    )


# Logins and passwords

PASSWORD = "Hồ-Tây-mùa-thu-2025"


@pytest.fixture
def editor(db):
    return User.objects.create_user("bientapvien", "btv@example.vn", PASSWORD, is_staff=True)


def sign_in(client, password, address="10.0.0.1", username="bientapvien"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def is_signed_in(client):
    return client.get("/admin/").status_code == 200


def lock_out(client, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, f"sai-{attempt}")
        assert response.status_code == 200, "a wrong password shows the form again"
    return sign_in(client, "sai-lan-cuoi")


def test_too_many_wrong_passwords_lock_the_login_with_a_clear_page(client, editor, settings):
    response = lock_out(client, settings)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page
    assert f"sau {settings.AXES_FAILURE_LIMIT} lần nhập sai mật khẩu" in page
    assert "Bạn có thể thử lại sau 15 phút." in page
    assert response["Retry-After"] == "900"


def test_the_right_password_is_refused_during_the_lockout(client, editor, settings):
    lock_out(client, settings)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_the_lockout_holds_that_user_from_that_address_only(client, editor, settings):
    lock_out(client, settings)
    assert sign_in(client, PASSWORD, address="10.0.0.2").status_code == 302
    assert is_signed_in(client)


def test_the_right_password_works_again_after_the_cool_off(client, editor, settings):
    lock_out(client, settings)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(minutes=1)
    )
    assert sign_in(client, PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_fewer_wrong_passwords_than_the_limit_do_not_lock(client, editor, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, f"sai-{attempt}")
    assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "password, reason",
    [
        ("ngan12", "password_too_short"),
        ("password123", "password_too_common"),
        ("4815162342", "password_entirely_numeric"),
        ("bientapvien2", "password_too_similar"),
    ],
)
def test_a_weak_password_is_refused_with_a_reason(db, password, reason):
    user = User(username="bientapvien2", email="b@example.vn")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)
    assert reason in [error.code for error in refused.value.error_list]


def test_a_long_uncommon_password_is_accepted(db):
    validate_password(PASSWORD, user=User(username="bientapvien"))
