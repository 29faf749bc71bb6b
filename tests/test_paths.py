"""The readers' fixed pages (home, all news, the feed, search) are linked by addresses
reversed once per process, and the same as Django's own."""

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import include, path, reverse, set_script_prefix
from django.utils import translation

from articles.paths import fixed_path

FIXED = ["articles:home", "articles:news", "articles:feed", "articles:search"]

# A URLconf of another site: its home page elsewhere.
urlpatterns = [
    path("", include(([path("trang-nha/", HttpResponse, name="home")], "articles"))),
]


@pytest.mark.parametrize("viewname", FIXED)
def test_a_fixed_address_is_djangos_own(viewname):
    assert fixed_path(viewname) == reverse(viewname)


def test_the_template_tag_writes_what_the_url_tag_writes():
    written = Template(
        "{% load news %}" + "".join(f"{{% fixed_url '{name}' %}}|" for name in FIXED)
    ).render(Context())
    assert written == "".join(f"{reverse(name)}|" for name in FIXED)


def test_an_address_follows_where_the_site_is_mounted():
    assert fixed_path("articles:news") == reverse("articles:news")
    set_script_prefix("/bao/")
    try:
        assert fixed_path("articles:news").startswith("/bao/")
        assert fixed_path("articles:news") == reverse("articles:news")
    finally:
        set_script_prefix("/")
    assert not fixed_path("articles:news").startswith("/bao/")


def test_an_address_follows_the_urlconf(settings):
    home = fixed_path("articles:home")
    settings.ROOT_URLCONF = __name__
    assert fixed_path("articles:home") == "/trang-nha/"
    settings.ROOT_URLCONF = "newsroom.urls"
    assert fixed_path("articles:home") == home


def test_an_address_is_reversed_once_for_each_language():
    from articles import paths

    paths._reversed.cache_clear()
    fixed_path("articles:feed"), fixed_path("articles:feed")
    with translation.override("en"):
        fixed_path("articles:feed")
    assert paths._reversed.cache_info().misses == 2
    assert paths._reversed.cache_info().hits == 1
