"""Nothing unpublished is ever served: drafts, articles in review and scheduled ones."""

from datetime import timedelta
from html import escape
from urllib.parse import urlencode

from django.utils import timezone

from articles.models import Article, Author, FrontPage, Topic

from .crawl import API_ENTRY_POINTS, crawl, entry_points
from .factories import make_article, make_category, png_upload

# Words no published page contains, so that finding one anywhere is a leak. Times are
# counted from when the article is made: the suite may have run for minutes by then.
HIDDEN_KINDS = {
    "draft": {"status": Article.Status.DRAFT},
    "dated-draft": {"status": Article.Status.DRAFT, "published_at": timedelta(0)},
    "review": {"status": Article.Status.REVIEW},
    "dated-review": {"status": Article.Status.REVIEW, "published_at": timedelta(0)},
    "scheduled": {"published_at": timedelta(hours=2)},
    "scheduled-soon": {"published_at": timedelta(minutes=1)},
}


def make_hidden(section, kind, fields, number):
    token = f"Cấm lộ {kind} {number} Zyxwvq"
    if "published_at" in fields:
        fields = {**fields, "published_at": timezone.now() + fields["published_at"]}
    return make_article(
        f"Tin mật {token} về dự án Hồ Tây",
        category=section,
        sapo=f"Sapo bí mật {token}.",
        byline=f"Phóng viên {token}",
        is_pick=True,
        blocks=[
            f"Đoạn văn bí mật {token}.",
            {"caption": f"Chú thích bí mật {token}", "credit": f"Ảnh: {token}"},
            {"caption": "Ảnh", "alt_text": f"Ảnh {token}", "image": png_upload()},
        ],
        **fields,
    )


def traces(article):
    """What of a hidden article must appear nowhere: its words, slug and address."""
    words = [article.title, article.sapo, article.byline, article.slug, f"-{article.pk}.html"]
    figures = article.figures.all()
    words += [figure.caption for figure in figures if figure.caption != "Ảnh"]
    words += [figure.image.name.rsplit("/", 1)[-1] for figure in figures if figure.image]
    return {w for word in words for w in (word, escape(word))}


def test_no_draft_review_or_scheduled_article_appears_anywhere_on_the_public_site(client, seed):
    sections = [make_category("Chỉ đạo - Điều hành mật"), make_category("Chuyên mục chỉ có nháp")]
    hidden = [
        make_hidden(sections[n % 2], kind, fields, n)
        for n, (kind, fields) in enumerate(list(HIDDEN_KINDS.items()) * 2)
    ]
    # Published articles that link to the hidden ones, in the section they share.
    for n in range(3):
        make_article(
            f"Bài đã đăng số {n}",
            category=sections[0],
            is_pick=True,
            related=hidden[n::3],
            blocks=[f"Nội dung công khai {n}."],
        )
    # A topic and an author that hidden and published stories share, and a front page
    # whose editors chose hidden stories for its slots.
    topic, author = Topic.objects.create(name="Hồ Tây"), Author.objects.create(name="Minh Anh")
    for article in Article.objects.all():
        article.topics.add(topic)
        article.authors.add(author)
    front = FrontPage.edition_of(FrontPage.Edition.LIVE)
    front.lead, front.secondary_1, front.secondary_2 = hidden[:3]
    front.section_1, front.section_1_story = sections[0], hidden[3]
    front.save()
    people = [topic.get_absolute_url(), author.get_absolute_url()]
    people += [f"{url}rss/" for url in people]
    # Words of the hidden headlines, with and without accents (a query is echoed on
    # its page, so it is never a whole headline).
    queries = ["Zyxwvq", "bí mật", "tin mat ho tay", *(f"Cấm lộ {kind}" for kind in HIDDEN_KINDS)]
    searches = [f"/tim-kiem/?{urlencode({'q': q})}" for q in queries]
    # The API: its lists, its search, and the lists of the shared section, topic and author.
    searches += [f"/api/v1/search?{urlencode({'q': q})}" for q in queries]
    filters = {"section": sections[0].slug, "topic": topic.slug, "author": author.slug}
    searches += [f"/api/v1/stories?{urlencode({k: v})}" for k, v in filters.items()]
    searches += [f"/api/v1/stories/{article.pk}" for article in hidden]

    pages = crawl(client, entry_points(*searches, *people, *API_ENTRY_POINTS), limit=400)

    assert len(pages) < 400, "the crawl ended before the bound, so it saw the whole site"
    reached = {url for url, page in pages.items() if page.status == 200}
    assert {"/", "/rss/", "/sitemap.xml", seed.get_absolute_url(), *people} <= reached
    assert any(url.startswith("/chi-dao-dieu-hanh-mat/bai-da-dang-so-") for url in reached)
    # The API was walked to the stories it gives, and it names none of the hidden ones.
    assert f"/api/v1/stories/{seed.pk}" in reached
    assert sum(url.startswith("/api/v1/stories/") for url in reached) >= 10
    for article in hidden:
        for trace in traces(article):
            leaks = [url for url, page in pages.items() if trace in page.text]
            assert not leaks, f"{article.status} article leaked {trace!r} on {leaks}"
    for url in (a.get_absolute_url() for a in hidden):
        assert client.get(url).status_code == 404
    for article in hidden:
        assert pages[f"/api/v1/stories/{article.pk}"].status == 404
