from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles.models import Article, Category
from articles.publishing import file_name

from .factories import make_article, make_category

HOST = "tin.example.vn"


@pytest.fixture
def published(settings, tmp_path):
    """Static publication switched on, into a folder of the test's own."""
    root = tmp_path / "published"
    settings.STATIC_PUBLISH = True
    settings.STATIC_PUBLISH_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": root},
    }
    settings.STATIC_PUBLISH_HOST = HOST
    settings.ALLOWED_HOSTS = [HOST]
    settings.STATIC_PUBLISH_LIST_PAGES = 2
    return root


def live(path):
    return Client(HTTP_HOST=HOST).get(path, secure=True)


def read(root, path):
    file = root / file_name(path)
    return file.read_bytes() if file.exists() else None


def test_file_names_follow_the_nginx_layout():
    assert file_name("/chi-dao/bai-viet-1.html") == "chi-dao/bai-viet-1.html"
    assert file_name("/chi-dao/") == "chi-dao/index.html"
    assert file_name("/chi-dao/?page=3") == "chi-dao/index-3.html"
    assert file_name("/") == "index.html"
    assert file_name("/rss/", "application/rss+xml; charset=utf-8") == "rss/index.xml"
    assert file_name("/sitemap-articles.xml?p=2", "application/xml") == "sitemap-articles-2.xml"
    assert file_name("/robots.txt", "text/plain") == "robots.txt"


def test_a_full_run_writes_exactly_what_the_site_sends(seed, published):
    call_command("publish_static", verbosity=0)
    section = Category.objects.filter(articles__isnull=False).first()
    for path in ["/", seed.get_absolute_url(), section.get_absolute_url()]:
        assert read(published, path) == live(path).content
    assert HOST.encode() in read(published, seed.get_absolute_url())


def test_publishing_an_article_writes_its_page_and_updates_home_and_section(
    transactional_db, published
):
    section = make_category("Nhịp sống Thủ đô")
    article = make_article("Hồ Tây mùa sen", category=section, status=Article.Status.DRAFT)
    assert read(published, article.get_absolute_url()) is None

    article.status = Article.Status.PUBLISHED
    article.save()

    page = read(published, article.get_absolute_url())
    assert page == live(article.get_absolute_url()).content
    assert "Hồ Tây mùa sen".encode() in page
    assert "Hồ Tây mùa sen".encode() in read(published, "/")
    assert "Hồ Tây mùa sen".encode() in read(published, section.get_absolute_url())


def test_editing_a_block_rewrites_the_article_page(transactional_db, published):
    article = make_article("Cầu Nhật Tân", blocks=["Đoạn đầu."])
    block = article.textblocks.get()
    block.text = "Đoạn văn đã sửa lại."
    block.save()
    assert "Đoạn văn đã sửa lại.".encode() in read(published, article.get_absolute_url())


def test_unpublishing_deletes_the_file_and_takes_it_off_home(transactional_db, published):
    article = make_article("Tin sẽ gỡ", category=make_category())
    assert read(published, article.get_absolute_url()) is not None

    article.status = Article.Status.DRAFT
    article.save()

    assert read(published, article.get_absolute_url()) is None
    assert "Tin sẽ gỡ".encode() not in read(published, "/")
    assert "Tin sẽ gỡ".encode() not in read(published, article.category.get_absolute_url())


def test_a_draft_never_gets_a_file(transactional_db, published):
    draft = make_article("Bản nháp", status=Article.Status.DRAFT)
    draft.title = "Bản nháp sửa"
    draft.save()
    call_command("publish_static", verbosity=0)
    assert read(published, draft.get_absolute_url()) is None
    assert "Bản nháp".encode() not in read(published, "/")


def test_a_new_slug_removes_the_old_file_so_django_can_redirect(transactional_db, published):
    article = make_article("Tên cũ")
    old = article.get_absolute_url()
    article.slug = "ten-moi"
    article.save()
    assert read(published, old) is None
    assert read(published, article.get_absolute_url()) == live(article.get_absolute_url()).content


def test_pages_linking_to_an_edited_article_are_rewritten(transactional_db, published):
    target = make_article("Bài được dẫn")
    source = make_article("Bài dẫn", related=[target])
    target.title = "Bài được dẫn, tên mới"
    target.save()
    assert "Bài được dẫn, tên mới".encode() in read(published, source.get_absolute_url())


def test_a_new_story_refreshes_tin_khac_on_the_latest_article_pages(
    transactional_db, published, settings
):
    settings.STATIC_PUBLISH_FRESH_ARTICLES = 1
    older = make_article("Bài cũ hơn", published_at=timezone.now() - timedelta(days=3))
    oldest = make_article("Bài cũ nhất", published_at=timezone.now() - timedelta(days=4))
    make_article("Tin mới nhất")
    # The latest page is rewritten; an older one waits for the next full run.
    newest = Article.objects.get(title="Tin mới nhất")
    assert read(published, newest.get_absolute_url()) == live(newest.get_absolute_url()).content
    assert "Tin mới nhất".encode() not in read(published, oldest.get_absolute_url())
    assert read(published, older.get_absolute_url()) is not None


def test_due_publishes_scheduled_articles_whose_time_has_come(
    transactional_db, published, monkeypatch
):
    due = timezone.now() + timedelta(minutes=5)
    scheduled = make_article("Tin hẹn giờ", published_at=due)
    assert read(published, scheduled.get_absolute_url()) is None
    # Its time comes without any save: nothing rewrites the files by itself.
    monkeypatch.setattr(timezone, "now", lambda: due + timedelta(seconds=1))
    assert read(published, scheduled.get_absolute_url()) is None

    call_command("publish_static", due=True, verbosity=0)

    assert (
        read(published, scheduled.get_absolute_url()) == live(scheduled.get_absolute_url()).content
    )
    assert "Tin hẹn giờ".encode() in read(published, "/")


def test_nothing_is_written_when_publication_is_off(transactional_db, settings, tmp_path):
    settings.STATIC_PUBLISH = False
    settings.STATIC_PUBLISH_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "off"},
    }
    make_article("Không xuất bản tĩnh")
    assert not (tmp_path / "off").exists()
