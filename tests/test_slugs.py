"""Slugs stay unique when saves race: the later one takes the next suffix, never a 500."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test import Client

from articles.admin import ArticleAdmin
from articles.models import Article, Category
from articles.models import articles as models

from .admin_forms import ADD_URL, errors_of, new_article_data
from .factories import make_article, make_category

TAKEN = (
    "Đường dẫn “ho-tay-mua-sen” vừa được một bài khác dùng: "
    "bài này được lưu với đường dẫn “ho-tay-mua-sen-2”."
)


@pytest.fixture
def competitor_saves_first(monkeypatch):
    """Another add of "Hồ Tây mùa sen" commits after the form found its slug free and
    before this save's INSERT."""
    save_model = ArticleAdmin.save_model

    def racing(self, request, obj, form, change):
        make_article("Hồ Tây mùa sen", sapo="Bài của người khác.")
        save_model(self, request, obj, form, change)

    monkeypatch.setattr(ArticleAdmin, "save_model", racing)


def test_an_add_whose_slug_was_taken_meanwhile_is_saved_with_the_next_suffix(
    client, editor, competitor_saves_first
):
    client.force_login(editor)
    # The admin's script fills the slug from the headline, so the form posts one.
    data = new_article_data(slug="ho-tay-mua-sen", sapo="Bài của tôi.")
    response = client.post(ADD_URL, data, follow=True)
    assert response.redirect_chain, errors_of(response)
    assert dict(Article.objects.values_list("sapo", "slug")) == {
        "Bài của người khác.": "ho-tay-mua-sen",
        "Bài của tôi.": "ho-tay-mua-sen-2",
    }
    assert TAKEN in response.content.decode()
    mine = Article.objects.get(slug="ho-tay-mua-sen-2")
    assert mine.created_by == editor
    assert mine.get_absolute_url().endswith(f"/ho-tay-mua-sen-2-{mine.pk}.html")


def test_a_slug_made_from_the_headline_and_taken_before_the_insert_gets_the_next_suffix(
    db, monkeypatch
):
    chosen = models.unique_slug
    raced = []

    def taken_right_after_choosing(model, title, **kwargs):
        slug = chosen(model, title, **kwargs)
        if not raced:
            raced.append(model.objects.create(title="Người khác", slug=slug))
        return slug

    monkeypatch.setattr(models, "unique_slug", taken_right_after_choosing)
    article = make_article("Hà Nội đón Tết")
    assert (raced[0].slug, article.slug) == ("ha-noi-don-tet", "ha-noi-don-tet-2")
    assert article.slug_taken == "ha-noi-don-tet"
    assert Article.objects.get(pk=article.pk).title == "Hà Nội đón Tết"


def test_a_section_whose_slug_was_taken_before_the_insert_gets_the_next_suffix(db, monkeypatch):
    chosen = models.unique_slug
    raced = []

    def taken_right_after_choosing(model, title, **kwargs):
        slug = chosen(model, title, **kwargs)
        if not raced:
            raced.append(Category.objects.create(name="Hà Nội", slug=slug))
        return slug

    monkeypatch.setattr(models, "unique_slug", taken_right_after_choosing)
    section = make_category("Hà nội")  # another name, the same slug
    assert (raced[0].slug, section.slug) == ("ha-noi", "ha-noi-2")


def test_a_refusal_for_another_reason_than_the_slug_is_not_retried(db):
    make_category("Quốc tế", slug="quoc-te")
    with pytest.raises(IntegrityError), transaction.atomic():
        Category(name="Quốc tế", slug="the-gioi").save()  # the name is taken, not the slug
    assert list(Category.objects.values_list("slug", flat=True)) == ["quoc-te"]


def test_a_retried_save_leaves_the_surrounding_transaction_usable(db, monkeypatch):
    make_article("Hà Nội đón Tết")
    with transaction.atomic():
        late = Article(title="Hà Nội đón Tết", slug="ha-noi-don-tet")
        late.save()  # refused once, inside a savepoint
        make_article("Sau đó")
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "ha-noi-don-tet",
        "ha-noi-don-tet-2",
        "sau-do",
    ]


def test_a_slug_typed_that_is_already_taken_is_refused_with_the_typing_kept(client, editor):
    make_article("Hồ Tây mùa sen")
    client.force_login(editor)
    response = client.post(ADD_URL, new_article_data(slug="ho-tay-mua-sen", sapo="Bài của tôi."))
    assert response.status_code == 200
    assert "Bài viết có Đường dẫn đã tồn tại." in errors_of(response)
    assert "Bài của tôi." in response.content.decode()
    assert Article.objects.count() == 1


# SQLite's IMMEDIATE transactions serialise writers: adds cannot race there.
@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_six_simultaneous_adds_with_one_headline_are_all_saved(monkeypatch):
    # The staff groups come with a migration, which an earlier emptying of the
    # database may have taken away: an administrator needs none.
    admin = User.objects.create_superuser("quantri", password="mật-khẩu-dài-2025")
    authors = 6
    # Every add has passed the form's checks, its slug free, before any of them saves.
    all_checked = threading.Barrier(authors, timeout=30)
    save_model = ArticleAdmin.save_model

    def after_all_checked(self, request, obj, form, change):
        all_checked.wait()
        save_model(self, request, obj, form, change)

    monkeypatch.setattr(ArticleAdmin, "save_model", after_all_checked)
    clients = []
    for _ in range(authors):
        clients.append(Client())
        clients[-1].force_login(admin)
    statuses = [None] * authors

    def add(n):
        try:
            data = new_article_data("Hà Nội đón Tết", slug="ha-noi-don-tet", sapo=f"Bài số {n}.")
            statuses[n] = clients[n].post(ADD_URL, data).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(authors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * authors
    saved = dict(Article.objects.values_list("sapo", "slug"))
    assert set(saved) == {f"Bài số {n}." for n in range(authors)}
    assert sorted(saved.values()) == sorted(
        ["ha-noi-don-tet"] + [f"ha-noi-don-tet-{n}" for n in range(2, authors + 1)]
    )
