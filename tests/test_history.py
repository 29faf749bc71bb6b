"""History that loses nothing: revisions, what changed, restoring, and no lost updates."""

from reversion.models import Version

from articles.models import RelatedLink

from .admin_forms import LIST_URL, change_url, errors_of, form_data, member, post_form
from .factories import make_article


def test_the_second_of_two_open_forms_is_refused_and_both_edits_survive(client, editor, db):
    article = make_article("Tiêu đề gốc", blocks=["Đoạn gốc."])
    other = member("bientap2", "Biên tập viên")
    first_form = form_data(client.__class__().get(change_url(article)))  # anonymous: empty
    assert not first_form

    client.force_login(editor)
    second = client.__class__()
    second.force_login(other)
    mine = form_data(client.get(change_url(article)))
    theirs = form_data(second.get(change_url(article)))

    mine["title"] = "Tiêu đề của biên tập 1"
    assert client.post(change_url(article), mine).status_code == 302
    theirs["title"] = "Tiêu đề của biên tập 2"
    response = second.post(change_url(article), theirs)

    assert response.status_code == 200
    page = response.content.decode()
    assert "sau khi bạn mở" in page or "after you opened it" in page
    assert 'value="Tiêu đề của biên tập 2"' in page, "the refused edit is still in the form"
    assert f"/admin/articles/article/{article.pk}/history/" in page
    article.refresh_from_db()
    assert article.title == "Tiêu đề của biên tập 1"
    titles = [v.field_dict["title"] for v in Version.objects.get_for_object(article)]
    assert "Tiêu đề của biên tập 1" in titles


def test_a_restored_revision_brings_back_the_blocks_and_links(client, editor):
    one, two = make_article("Liên quan một"), make_article("Liên quan hai")
    client.force_login(editor)
    article = make_article("Bài gốc", blocks=["Đoạn A.", {"caption": "Ảnh A"}], related=[one])
    assert post_form(client, article).status_code == 302  # the first revision
    first = Version.objects.get_for_object(article).first()

    data = form_data(client.get(change_url(article)))
    data["title"] = "Bài đã sửa"
    data["textblocks-0-text"] = "Đoạn B."
    data["figures-0-DELETE"] = "on"
    data["related_links-0-target"] = str(two.pk)
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.figures.count()) == ("Bài đã sửa", 0)

    changes = client.get(f"{LIST_URL}{article.pk}/history/{first.pk}/changes/").content.decode()
    assert "Bài gốc" in changes
    newest = Version.objects.get_for_object(article).first()
    changes = client.get(f"{LIST_URL}{article.pk}/history/{newest.pk}/changes/").content.decode()
    assert "<del>-  Đoạn A.</del>" in changes and "<ins>+  Đoạn B.</ins>" in changes

    revision_url = f"{LIST_URL}{article.pk}/history/{first.pk}/"
    response = client.post(revision_url, form_data(client.get(revision_url)))
    assert response.status_code == 302, errors_of(response)
    article.refresh_from_db()
    assert article.title == "Bài gốc"
    assert [(b.kind, getattr(b, "text", None) or b.caption) for b in article.body()] == [
        ("text", "Đoạn A."),
        ("figure", "Ảnh A"),
    ]
    assert list(RelatedLink.objects.filter(article=article).values_list("target", flat=True)) == [
        one.pk
    ]


def test_history_lists_who_saved_each_version(client, editor):
    article = make_article("Có lịch sử")
    client.force_login(editor)
    post_form(client, article, title="Có lịch sử, bản hai")
    page = client.get(f"{LIST_URL}{article.pk}/history/").content.decode()
    assert "bientap" in page and "/changes/" in page
