"""Template pieces of the readers' pages: photos and structured data."""

import json

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .. import renditions

register = template.Library()

# What json_script escapes, so that a "</script>" in a headline stays inside the JSON.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def figure_image(figure, sizes="(max-width: 46rem) 100vw, 46rem"):
    """The figure's <img>: renditions in srcset, its size set, loaded lazily."""
    widths = renditions.widths_for(figure)
    srcset = format_html_join(
        ", ", "{} {}w", ((renditions.rendition_url(figure, w), w) for w in widths)
    )
    if widths:
        srcset = format_html("{}, {} {}w", srcset, figure.image.url, figure.image_width)
        src = renditions.rendition_url(figure, widths[-1])
    else:
        src = figure.image.url
    return format_html(
        '<img src="{}"{} sizes="{}" width="{}" height="{}" alt="{}" loading="lazy"'
        ' decoding="async">',
        src,
        format_html(' srcset="{}"', srcset) if widths else "",
        sizes,
        figure.image_width,
        figure.image_height,
        figure.alt_text,
    )


@register.simple_tag(takes_context=True)
def json_ld(context, *objects):
    """<script type="application/ld+json"> blocks for ``objects`` (dicts)."""
    blocks = (
        json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
        for data in objects
        if data
    )
    return mark_safe(
        "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)
    )


@register.simple_tag(takes_context=True)
def article_structured_data(context, article):
    """The NewsArticle and BreadcrumbList of an article page, as JSON-LD."""
    request = context["request"]
    absolute = request.build_absolute_uri
    images = [absolute(f.image.url) for f in article.figures.all() if f.image]
    news_article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.sapo,
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat(),
        "author": (
            {"@type": "Person", "name": article.byline}
            if article.byline
            else {"@type": "Organization", "name": settings.SITE_NAME}
        ),
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.SITE_NAME,
            "url": absolute("/"),
        },
        "inLanguage": "vi",
    }
    if images:
        news_article["image"] = images
    if article.category_id:
        news_article["articleSection"] = article.category.name
    return json_ld(context, news_article, breadcrumb_list(context, article))


def breadcrumb_list(context, article):
    absolute = context["request"].build_absolute_uri
    trail = [(settings.SITE_NAME, "/")]
    if article.category_id:
        trail.append((article.category.name, article.category.get_absolute_url()))
    trail.append((article.title, article.get_absolute_url()))
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": absolute(url)}
            for n, (name, url) in enumerate(trail, start=1)
        ],
    }
