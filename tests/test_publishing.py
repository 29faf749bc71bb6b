from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article, Category
from articles.publishing import file_name

from .admin_forms import post_form
from .factories import make_article, make_category

HOST = "tin.example.vn"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PUBLICATION = "articles.tasks.publish_static_changes"


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
    settings.ALLOWED_HOSTS = [HOST, "testserver"]
    settings.STATIC_PUBLISH_LIST_PAGES = 2
    return root


def run_worker():
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def publication_tasks():
    return list(DBTaskResult.objects.filter(task_path=PUBLICATION).order_by("enqueued_at"))


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
    block = article.richtexts.get()
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


def test_nothing_is_written_or_queued_when_publication_is_off(transactional_db, settings, tmp_path):
    settings.STATIC_PUBLISH = False
    settings.TASKS = DATABASE_QUEUE
    settings.STATIC_PUBLISH_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "off"},
    }
    article = make_article("Không xuất bản tĩnh", blocks=["Đoạn đầu."])
    article.title = "Không xuất bản tĩnh, sửa lại"
    with CaptureQueriesContext(connection) as queries:
        article.save()
    assert not (tmp_path / "off").exists()
    assert publication_tasks() == []
    # With it on, a save first reads the stored article and its section (its old address).
    assert not [query for query in queries if "articles_category" in query["sql"]]


def test_a_rolled_back_edit_does_not_stop_later_edits_being_published(transactional_db, published):
    article = make_article("Tin đầu ngày")
    with pytest.raises(RuntimeError), transaction.atomic():
        article.title = "Bản sửa bị hủy"
        article.save()
        raise RuntimeError("the editor's request failed after the save")
    article.refresh_from_db()
    assert "Bản sửa bị hủy".encode() not in read(published, article.get_absolute_url())

    article.title = "Tin đầu ngày, bản sửa sau"
    article.save()

    page = read(published, article.get_absolute_url())
    assert "Tin đầu ngày, bản sửa sau".encode() in page
    assert "Tin đầu ngày, bản sửa sau".encode() in read(published, "/")


def test_an_edit_in_a_savepoint_that_rolls_back_leaves_the_rest_of_the_transaction_published(
    transactional_db, published
):
    kept = make_article("Bài giữ lại")
    dropped = make_article("Bài không đổi")
    with transaction.atomic():
        # The transaction's first edit is in a savepoint that rolls back, the next is not.
        with pytest.raises(RuntimeError), transaction.atomic():
            dropped.title = "Bản sửa trong savepoint"
            dropped.save()
            raise RuntimeError
        kept.title = "Bài giữ lại, đã sửa"
        kept.save()
    assert "Bài giữ lại, đã sửa".encode() in read(published, kept.get_absolute_url())
    assert "Bản sửa trong savepoint".encode() not in read(published, "/")


@pytest.mark.django_db(transaction=True)
def test_an_admin_save_queues_one_publication_that_the_worker_writes(client, published, settings):
    settings.TASKS = DATABASE_QUEUE
    article = make_article("Phố cổ về đêm", blocks=["Đoạn một.", "Đoạn hai."])
    run_worker()
    before = read(published, article.get_absolute_url())
    assert "Phố cổ về đêm".encode() in before
    client.force_login(User.objects.create_superuser("tongbientap", password="x"))

    response = post_form(
        client,
        article,
        title="Phố cổ về đêm, đông vui",
        **{"richtexts-0-text": "Đoạn một, viết lại.", "richtexts-1-text": "Đoạn hai, viết lại."},
    )

    # The article and both its blocks changed in one save: one task, and no file yet.
    assert response.status_code == 302
    queued = [task for task in publication_tasks() if task.status == "READY"]
    assert len(queued) == 1
    assert set(queued[0].args_kwargs["kwargs"]["articles"]) == {article.pk}
    assert read(published, article.get_absolute_url()) == before

    run_worker()

    assert DBTaskResult.objects.get(pk=queued[0].pk).status == "SUCCESSFUL"
    page = read(published, article.get_absolute_url())
    assert page == live(article.get_absolute_url()).content
    assert "Đoạn hai, viết lại.".encode() in page
    assert "Phố cổ về đêm, đông vui".encode() in read(published, "/")


def test_edits_in_savepoints_released_into_a_transaction_are_published_by_its_one_task(
    transactional_db, published, settings
):
    first = make_article("Bài thứ nhất", blocks=["Đoạn đầu."])
    second = make_article("Bài thứ hai")
    settings.TASKS = DATABASE_QUEUE
    with transaction.atomic():
        block = first.richtexts.get()
        block.text = "Đoạn đầu, đã sửa."
        block.save()
        with transaction.atomic():
            second.title = "Bài thứ hai, đã sửa"
            second.save()

    [task] = publication_tasks()
    assert set(task.args_kwargs["kwargs"]["articles"]) == {first.pk, second.pk}
    run_worker()
    assert "Đoạn đầu, đã sửa.".encode() in read(published, first.get_absolute_url())
    assert "Bài thứ hai, đã sửa".encode() in read(published, second.get_absolute_url())


@pytest.mark.django_db(transaction=True)
def test_with_the_immediate_queue_the_files_are_written_when_the_admin_save_returns(
    client, published
):
    article = make_article("Cầu Long Biên", blocks=["Đoạn đầu."])
    client.force_login(User.objects.create_superuser("tongbientap", password="x"))

    response = post_form(client, article, **{"richtexts-0-text": "Cây cầu hơn trăm tuổi."})

    assert response.status_code == 302
    page = read(published, article.get_absolute_url())
    assert "Cây cầu hơn trăm tuổi.".encode() in page
    assert page == live(article.get_absolute_url()).content


def test_a_renamed_section_loses_its_old_folder_when_the_task_runs(
    transactional_db, published, settings
):
    section = make_category("Giao thông")
    article = make_article("Đường vành đai", category=section)
    old_folder = published / section.slug
    assert (old_folder / "index.html").exists()
    settings.TASKS = DATABASE_QUEUE

    section.slug = "giao-thong-do-thi"
    section.save()

    assert (old_folder / "index.html").exists(), "nothing is deleted in the editor's request"
    run_worker()
    assert not old_folder.exists() or not any(old_folder.rglob("*.html"))
    article.refresh_from_db()
    assert read(published, article.get_absolute_url()) == live(article.get_absolute_url()).content


def test_due_also_runs_the_publication_waiting_in_the_queue(transactional_db, published, settings):
    article = make_article("Tin tuần trước", published_at=timezone.now() - timedelta(days=7))
    settings.TASKS = DATABASE_QUEUE
    article.title = "Tin tuần trước, đính chính"
    article.save()
    assert "đính chính".encode() not in read(published, article.get_absolute_url())

    call_command("publish_static", due=True, verbosity=0)

    assert read(published, article.get_absolute_url()) == live(article.get_absolute_url()).content
    assert [task.status for task in publication_tasks()] == ["SUCCESSFUL"]
