"""The readers' pages are linked by addresses reversed once per process, the same as
Django's own, kept apart for each argument, URLconf, script prefix and language."""

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import include, path, reverse, set_script_prefix
from django.utils import translation

from articles.paths import path_to

FIXED = ["articles:home", "articles:news", "articles:feed", "articles:search"]

# A URLconf of another site: its home page elsewhere.
urlpatterns = [
    path("", include(([path("trang-nha/", HttpResponse, name="home")], "articles"))),
]


@pytest.mark.parametrize("viewname", FIXED)
def test_a_fixed_address_is_djangos_own(viewname):
    assert path_to(viewname) == reverse(viewname)


def test_an_address_with_arguments_is_djangos_own_for_each_of_them():
    address = {"section": "van-hoa", "slug": "le-hoi-den-voi-phuc", "pk": 7}
    assert path_to("articles:article", **address) == reverse("articles:article", kwargs=address)
    assert path_to("articles:article", **{**address, "slug": "le-hoi"}) == reverse(
        "articles:article", kwargs={**address, "slug": "le-hoi"}
    )
    assert path_to("articles:category", "van-hoa") == reverse("articles:category", args=["van-hoa"])
    assert path_to("articles:category", "the-thao") == reverse(
        "articles:category", args=["the-thao"]
    )


def test_the_template_tag_writes_what_the_url_tag_writes():
    tags = "".join(f"{{% path_to '{name}' %}}|" for name in FIXED)
    tags += "{% path_to 'articles:category' 'van-hoa' %}|{% path_to 'articles:count-read' 7 %}"
    written = Template("{% load news %}" + tags).render(Context())
    assert written == "".join(f"{reverse(name)}|" for name in FIXED) + "|".join(
        [reverse("articles:category", args=["van-hoa"]), reverse("articles:count-read", args=[7])]
    )


def test_an_address_follows_where_the_site_is_mounted():
    assert path_to("articles:news") == reverse("articles:news")
    set_script_prefix("/bao/")
    try:
        assert path_to("articles:news").startswith("/bao/")
        assert path_to("articles:news") == reverse("articles:news")
    finally:
        set_script_prefix("/")
    assert not path_to("articles:news").startswith("/bao/")


def test_an_address_follows_the_urlconf(settings):
    home = path_to("articles:home")
    settings.ROOT_URLCONF = __name__
    assert path_to("articles:home") == "/trang-nha/"
    settings.ROOT_URLCONF = "newsroom.urls"
    assert path_to("articles:home") == home


def test_an_address_is_reversed_once_for_each_language():
    from articles import paths

    paths._reversed.cache_clear()
    path_to("articles:feed"), path_to("articles:feed")
    with translation.override("en"):
        path_to("articles:feed")
    assert paths._reversed.cache_info().misses == 2
    assert paths._reversed.cache_info().hits == 1
