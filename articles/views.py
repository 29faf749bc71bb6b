"""Readers' pages. Visibility is decided by ``Article.objects.published()`` alone."""

import functools

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_POST, require_safe

from . import lists, most_read
from .cache import version
from .models import MAX_SEARCH_QUERY, Article, Author, Category, Topic
from .search import highlight, ranked, snippet, suggestions, words_key
from .search_form import SearchForm

PAGE_SIZE = 20
PICKS_SHOWN = 5
RELATED_SHOWN = 6


def paginate(request, items, counted_as=None):
    """The requested page of ``items``; a missing or bad ``?page=`` is a 404.

    Items that a query finds are counted once per change of the site, under the
    name ``counted_as``; a list knows its length.
    """
    if counted_as is None:
        paginator = Paginator(items, PAGE_SIZE)
    else:
        paginator = version.SharedCountPaginator(items, PAGE_SIZE, counted_as)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error


def site_last_modified(request, *args, **kwargs):
    return version.of_request(request)


def public(view=None, *, reads=()):
    """A readers' page: GET/HEAD only, 304 when unchanged, cacheable by a CDN.

    ``reads`` names the query parameters the page reads (a page number each): the page
    cache keeps a copy for each of their values, and one for any other query string.
    """
    if view is None:
        return functools.partial(public, reads=reads)
    view = condition(last_modified_func=site_last_modified)(view)

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, **settings.PUBLIC_CACHE_CONTROL)
        return response

    page = require_safe(functools.wraps(view)(wrapped))
    page.query_parameters = reads
    return page


@public
def home(request):
    return render_home(request, lists.front_page())


def render_home(request, layout, preview=False):
    """The front page as laid out (``FrontPage.layout``); the admin's preview renders it too."""
    return render(request, "articles/home.html", {**layout, "preview": preview})


@public(reads=("page",))
def news_index(request):
    """Every visible article, newest first: "Tin tức"."""
    articles = Article.objects.published().latest_first().listing()
    page = paginate(request, articles, "all-news")
    return render(request, "articles/news_index.html", {"page": page})


def stories_of(model, counted_as):
    """The readers' page of one section, topic or author (a ``model`` found by its slug):
    it, and its visible stories, newest first; their number is counted as
    ``counted_as``-id. The template is ``articles/<model>_detail.html``."""
    name = model._meta.model_name

    def view(request, slug):
        holder = get_object_or_404(model, slug=slug)
        articles = holder.articles.published().latest_first().listing()
        page = paginate(request, articles, f"{counted_as}-{holder.pk}")
        return render(request, f"articles/{name}_detail.html", {name: holder, "page": page})

    view.__name__ = view.__qualname__ = f"{name}_detail"
    return public(view, reads=("page",))


category_detail = stories_of(Category, "section")
topic_detail = stories_of(Topic, "topic")  # "Chủ đề"
author_detail = stories_of(Author, "author")  # who they are, and their stories


@public
def article_detail(request, section, slug, pk):
    article = Article.objects.for_page(pk)
    if article is None or not article.is_visible:
        raise Http404("No visible article has this id.")
    if article.address() != {"section": section, "slug": slug, "pk": pk}:
        # An old headline or section in the link: send readers and crawlers on.
        return redirect(article.get_absolute_url(), permanent=True)
    return render_article(request, article)


def render_article(request, article, preview=False):
    """The article page as readers see it; the admin's preview renders it too."""
    version.of_request(request)
    if preview or article.pk is None:  # a draft's changes do not move the site's version
        authors, topics = (
            (list(article.authors.all()), list(article.topics.all())) if article.pk else ([], [])
        )
    else:
        authors, topics = lists.authors_and_topics(article)
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "body": article.body(),
            "authors": authors,
            "topics": topics,
            # Other articles' headlines, kept per article until the site next changes.
            # The template calls these only to render the lists, not when it has them.
            "related": functools.partial(lists.related, article, RELATED_SHOWN),
            "picks": functools.partial(lists.picks_besides, article, PICKS_SHOWN),
            "other_news": functools.partial(lists.other_news, article),
            "preview": preview,
        },
    )


def ranked_matches(query, form=None):
    """What a readers' search for ``query`` finds (ids, best first, and whether more may
    match), with the section, period and order of ``form``."""
    articles = Article.objects.published()
    since = until = None
    by_date = False
    if form is not None:
        since, until = form.period()
        if section := form.cleaned_data.get("section"):
            articles = articles.filter(category=section)
        by_date = form.cleaned_data.get("sort") == "date"
    found = ranked(articles, query, since=since, until=until, by_date=by_date)
    return found.ids, found.capped


@require_safe
def search(request):
    form = SearchForm(request.GET)
    context = {"form": form, "query": "", "page": None}
    if form.is_valid() and (query := form.cleaned_data["q"].strip()):
        # Readers repeat the searches of the day: each is ranked once per change of the
        # site, and each page then reads its articles by id.
        ids, capped = version.shared(
            words_key(query, *form.key()), lambda: ranked_matches(query, form)
        )
        page = paginate(request, ids)
        page.object_list = Article.objects.published().listing().in_order_of(page.object_list)
        for article in page.object_list:
            article.marked_title = highlight(article.title, query)
            article.snippet = snippet(article.sapo, query) or article.summary
        context.update(
            query=query,
            page=page,
            count=len(ids),
            capped=capped,
            filtered=form.has_filters(),
            suggestions=[] if ids else suggestions(query),
        )
    elif form.is_bound and not form.is_valid():
        context["query"] = request.GET.get("q", "")[:MAX_SEARCH_QUERY].strip()
    return render(request, "articles/search.html", context)


@csrf_exempt  # a count with no reader's session behind it: nothing to forge
@require_POST
def count_read(request, pk):
    """The beacon of an article page (``static/articles/js/most-read.js``): one view of
    story ``pk`` counted for "Đọc nhiều". Answers 204 with no cookie; stores nothing of the
    reader (``most_read.count``)."""
    if pk <= lists.highest_article_id():
        most_read.count(pk, get_client_ip_address(request), request.headers.get("User-Agent"))
    response = HttpResponse(status=204)
    add_never_cache_headers(response)
    return response


@require_safe
def favicon(request):
    return redirect(static("articles/favicon.svg"), permanent=True)


def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")
