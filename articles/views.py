"""Readers' pages. Visibility is decided by ``Article.objects.published()`` alone."""

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from .models import Article, Category

PAGE_SIZE = 20


def paginate(request, queryset, per_page=PAGE_SIZE):
    """The requested page of ``queryset``; a missing or bad ``?page=`` is a 404."""
    try:
        return Paginator(queryset, per_page).page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error


def home(request):
    latest = Article.objects.published().listing().latest_first()
    return render(request, "articles/home.html", {"page": paginate(request, latest)})


def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    articles = category.articles.published().listing().latest_first()
    return render(
        request,
        "articles/category_detail.html",
        {"category": category, "page": paginate(request, articles)},
    )


def article_detail(request, section, slug, pk):
    article = get_object_or_404(
        Article.objects.published()
        .select_related("category")
        .prefetch_related("textblocks", "figures"),
        pk=pk,
    )
    canonical = article.get_absolute_url()
    if request.path != canonical:
        # An old headline or section in the link: send readers and crawlers on.
        return redirect(canonical, permanent=True)
    return render_article(request, article)


def render_article(request, article, **context):
    """The article page as readers see it; the admin's preview renders it too."""
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "related": article.related_articles(),
            "other_news": article.other_news(),
            **context,
        },
    )
