"""Template pieces of the readers' pages: photos and structured data."""

import json
from urllib.parse import urljoin
from xml.sax.saxutils import escape as xml_escape

from django import template
from django.conf import settings
from django.core.cache.utils import make_template_fragment_key
from django.template.loader_tags import BlockNode
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import lists, paths, renditions
from ..cache import fragments, version
from ..models import Figure

register = template.Library()

LOGO = "articles/logo.png"
"""The publisher's logo in structured data."""


class SharedNode(template.Node):
    # What is kept is not searched: ``{% extends %}`` looks for blocks in the whole parent
    # template on every render, and a kept piece holds none (``kept_fragment``).
    child_nodelists = ()

    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        values = [translation.get_language(), *(v.resolve(context) for v in self.vary_on)]
        key = make_template_fragment_key(self.name, values)
        request = getattr(context, "request", None)
        site_version = version.of_request(request) if request else None
        return version.shared(key, lambda: self.nodelist.render(context), site_version)


class FragmentNode(SharedNode):
    def render(self, context):
        return fragments.rendered(
            self.name,
            getattr(context, "request", None),
            [v.resolve(context) for v in self.vary_on],
            lambda: self.nodelist.render(context),
        )


def kept_fragment(parser, token, node_class):
    tag, *bits = token.split_contents()
    if not bits:
        raise template.TemplateSyntaxError(f"{{% {tag} %}} needs a name: {{% {tag} name a b %}}")
    nodelist = parser.parse((f"end{tag}",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError(
            f"{{% {tag} %}} cannot hold a {{% block %}}: put the {tag} inside the block."
        )
    name, *vary_on = bits
    return node_class(nodelist, name, [parser.compile_filter(bit) for bit in vary_on])


@register.tag
def shared(parser, token):
    """``{% shared name a b %}...{% endshared %}``: HTML rendered once per change of the site.

    Like Django's ``{% cache %}``, but kept until readers' pages next change (the site's
    version, ``articles.cache.version``), for each language and each value of ``a b``,
    the things the fragment is made of: the lists of headlines most pages share.
    """
    return kept_fragment(parser, token, SharedNode)


@register.tag
def fragment(parser, token):
    """``{% fragment name a b %}...{% endfragment %}``: HTML rendered once for each content
    of ``a b``, whatever else changes on the site (see ``articles.cache.fragments``).

    ``a b`` must be everything the fragment shows: the rows themselves, not their
    numbers. Those of an article's own page outlive the changes of every other.
    """
    return kept_fragment(parser, token, FragmentNode)


@register.simple_tag
def path_to(viewname, *args):
    """``{% url %}`` for the readers' pages, each address reversed once (``paths``)."""
    return paths.path_to(viewname, *args)


@register.filter
def pks(articles):
    """ "3,1,2": which articles, in which order (a ``{% shared %}`` key)."""
    return ",".join(str(article.pk) for article in articles)


@register.simple_tag
def figure_image(figure, sizes="(max-width: 46rem) 100vw, 46rem", loading="lazy", crop=None):
    """The figure's <img>: renditions in srcset, its size set, loaded lazily. With ``crop``
    (``"16x9"``, ``"1x1"``), the photo's crop of that shape around its focal point once it
    is made, the whole photo's renditions until then."""
    if crop and (url := renditions.crop_url(figure, crop)):
        width, height = renditions.crop_size(figure, crop)
        # A crop cut from a small photo, narrower than crops are made, is shown no wider
        # than it is: a srcset would let the browser stretch it to the slot ``sizes`` gives.
        full = width >= renditions.CROPS[crop][2]
        return format_html(
            '<img src="{}"{} width="{}" height="{}" alt="{}" loading="{}"{} decoding="async">',
            url,
            format_html(' srcset="{} {}w" sizes="{}"', url, width, sizes) if full else "",
            width,
            height,
            figure.alt_text,
            loading,
            mark_safe(' fetchpriority="high"') if loading == "eager" else "",
        )
    widths = renditions.widths_for(figure)
    if widths:
        urls = [renditions.rendition_url(figure, w) for w in widths]
        # Escaped once, whole, by format_html below.
        srcset = ", ".join(
            [f"{url} {w}w" for url, w in zip(urls, widths, strict=True)]
            + [f"{figure.image.url} {figure.image_width}w"]
        )
        src = urls[-1]
    else:
        src = figure.image.url
    return format_html(
        '<img src="{}"{} width="{}" height="{}" alt="{}" loading="{}"{} decoding="async">',
        src,
        # HTML allows sizes only beside a srcset.
        format_html(' srcset="{}" sizes="{}"', srcset, sizes) if widths else "",
        figure.image_width,
        figure.image_height,
        figure.alt_text,
        loading,
        # A photo loaded at once is the page's largest paint: fetched before the others.
        mark_safe(' fetchpriority="high"') if loading == "eager" else "",
    )


@register.filter
def photo_loading(figure, body):
    """ "eager" for the first photo of an article's ``body`` (the page's largest paint),
    else "lazy"."""
    first = next(iter(body.photos), None)
    return "eager" if first is not None and first is figure else "lazy"


@register.filter
def iso_time(moment):
    """``2025-01-23T20:53:00+07:00``: Hanoi time to the second, as HTML's <time> accepts."""
    if not moment:
        return ""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


@register.filter
def with_first_photos(articles):
    """Listed articles, each with its ``first_photo`` (one query for the list, none when
    every one has it already)."""
    if all(hasattr(article, "first_photo") for article in articles):
        return articles
    return Figure.objects.with_first_photos(articles)


@register.simple_tag
def thumbnail(article, sizes="8rem", crop="16x9"):
    """The <img> of a listed article's first photo (``with_first_photos``), or nothing: its
    ``crop`` (16:9, or "1x1" for a square), as the list's CSS shows it."""
    if not article.first_photo:
        return ""
    return figure_image(article.first_photo, sizes=sizes, crop=crop)


def to_json(data):
    """JSON that is safe inside <script>, as json_script writes it: <, > and & become \\u
    escapes, so that a "</script>" in a headline stays inside the JSON."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")


@register.simple_tag
def json_ld(*objects):
    """<script type="application/ld+json"> blocks for ``objects`` (dicts)."""
    return mark_safe(
        "".join(
            f'<script type="application/ld+json">{to_json(data)}</script>'
            for data in objects
            if data
        )
    )


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def article_structured_data(context, article, body, authors=()):
    """The NewsArticle and BreadcrumbList of an article page, as JSON-LD."""
    request = context["request"]
    absolute = request.build_absolute_uri
    shown = body.photos
    # Search engines' cards take an image of their shape: the first photo's crops, then
    # every photo whole.
    crops = [renditions.crop_url(shown[0], crop) for crop in renditions.CROPS] if shown else []
    images = [absolute(url) for url in crops if url]
    images += [absolute(photo.image.url) for photo in shown]
    news_article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.sapo,
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        # Hanoi time to the second, as the page's <time> and Open Graph tags write it.
        "datePublished": iso_time(article.published_at) or None,
        "dateModified": iso_time(article.updated_at),
        "author": (
            [
                {"@type": "Person", "name": a.name, "url": absolute(a.get_absolute_url())}
                for a in authors
            ]
            or (
                {"@type": "Person", "name": article.byline}
                if article.byline
                else {"@type": "Organization", "name": settings.SITE_NAME}
            )
        ),
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.SITE_NAME,
            "url": absolute("/"),
            "logo": {"@type": "ImageObject", "url": absolute(static(LOGO))},
        },
        "inLanguage": "vi",
    }
    if images:
        news_article["image"] = images
    if body_text := article_body_text(body):
        news_article["articleBody"] = body_text
    if article.category_id:
        news_article["articleSection"] = article.category.name
    return json_ld(news_article, breadcrumb_list(request, article))


def article_body_text(body):
    """The story's text as schema.org's ``articleBody`` wants it: plain, block by block."""
    kinds = ("text", "quote")
    return "\n".join(filter(None, (b.searchable_text() for b in body if b.kind in kinds)))


def breadcrumb_list(request, article):
    absolute = request.build_absolute_uri
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": str(name), "item": absolute(url)}
            for n, (name, url) in enumerate(article.breadcrumb, start=1)
        ],
    }


@register.filter
def absolute_on(url, base):
    """``url`` made absolute on the address ``base`` (a media URL in a sitemap)."""
    return urljoin(base, url)


@register.simple_tag(takes_context=True)
def share_image(context, photo):
    """The image of a story's shared links (Open Graph, Twitter): the 16:9 crop of its first
    photo once made, else the photo itself; ``url`` (absolute), ``width``, ``height`` and
    ``alt``, or None without a photo."""
    if photo is None or not photo.image:
        return None
    if url := renditions.crop_url(photo, "16x9"):
        width, height = renditions.crop_size(photo, "16x9")
    else:
        url, width, height = photo.image.url, photo.image_width, photo.image_height
    absolute = context["request"].build_absolute_uri(url)
    return {"url": absolute, "width": width, "height": height, "alt": photo.alt_text}


@register.simple_tag
def first_photo(article, body=None):
    """The article's first photo, or None: the image of its shared links and of its
    structured data's cards. Taken from its ``body`` where the page has read it, else
    read (``Figure.objects.with_first_photos``)."""
    if body is not None:
        return next(iter(body.photos), None)
    if not hasattr(article, "first_photo"):
        Figure.objects.with_first_photos([article])
    return article.first_photo


@register.simple_tag
def sitemap_index_entries(entries):
    """The sitemap index's <sitemap> entries, one per page of each sitemap.

    Written in one pass rather than a template loop, which cost more than the rest
    of the index once a newsroom needs tens of sitemap pages. The pages of one
    sitemap share their date, so each date is formatted once.
    """
    lastmods = {None: ""}

    def lastmod(moment):
        if moment not in lastmods:
            lastmods[moment] = f"<lastmod>{timezone.localtime(moment).isoformat()}</lastmod>"
        return lastmods[moment]

    return mark_safe(
        "\n".join(
            f"<sitemap><loc>{xml_escape(entry.location)}</loc>{lastmod(entry.last_mod)}</sitemap>"
            for entry in entries
        )
    )


LATEST_IN_SIDEBAR = 8


@register.simple_tag
def latest_headlines(count=LATEST_IN_SIDEBAR):
    """The newest visible stories, for a sidebar's "Tin mới nhất"."""
    return lists.newest(count)
