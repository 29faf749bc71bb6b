"""Every publication time an editor can type has a range, and the admin list answers any date."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from articles.admin import _period
from articles.models import Article

from .admin_forms import ADD_URL, LIST_URL, change_url, empty_inlines, form_data, new_article_data
from .factories import make_article

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
OUT_OF_RANGE = "Thời gian xuất bản phải từ 01/01/1912 00:00 đến 31/12/2099 23:59 (giờ Hà Nội)."


def typed(day, time, **fields):
    """A new article as an editor types it: headline, sapo, a paragraph and its time."""
    return new_article_data(
        status="published",
        published_at_0=day,
        published_at_1=time,
        **empty_inlines(richtexts=1),
        **{"richtexts-0-ordering": "1", "richtexts-0-text": "Đoạn văn đã gõ."},
        **fields,
    )


# Typing a time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "time"),
    [
        ("01/01/0001", "00:00"),  # once stored in UTC, a day before the year 1
        ("31/12/9999", "23:59"),
        ("01/01/1899", "00:00"),
        ("31/12/1911", "23:59"),  # Hanoi was 7:06:30 ahead of UTC then
        ("01/01/2100", "00:00"),
    ],
)
def test_the_admin_refuses_a_time_out_of_range_and_keeps_what_was_typed(client, editor, day, time):
    client.force_login(editor)
    response = client.post(ADD_URL, typed(day, time))
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()
    kept = form_data(response)
    assert (kept["title"], kept["sapo"], kept["richtexts-0-text"]) == (
        "Hồ Tây mùa sen",
        "Sen nở kín mặt hồ.",
        "Đoạn văn đã gõ.",
    )
    assert (kept["published_at_0"], kept["published_at_1"]) == (day, time)
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("day", "time", "stored"),
    [
        ("01/01/1912", "00:00", datetime(1912, 1, 1, tzinfo=HANOI)),
        ("31/12/2099", "23:59", datetime(2099, 12, 31, 23, 59, tzinfo=HANOI)),
    ],
)
def test_the_admin_accepts_the_first_and_the_last_minute_of_the_range(
    client, editor, day, time, stored
):
    client.force_login(editor)
    response = client.post(ADD_URL, typed(day, time))
    assert response.status_code == 302
    assert Article.objects.get().published_at == stored
    listed = client.get(LIST_URL, {"published_at__year": stored.year})
    assert "Hồ Tây mùa sen" in listed.content.decode()


def test_an_edit_to_a_time_out_of_range_is_refused_and_the_stored_time_kept(client, editor):
    article = make_article("Phố đi bộ Hồ Gươm")
    before = article.published_at
    client.force_login(editor)
    data = form_data(client.get(change_url(article)))
    data.update(published_at_0="01/01/0001", published_at_1="00:00", sapo="Sapo mới gõ.")
    response = client.post(change_url(article), data)
    assert OUT_OF_RANGE in response.content.decode()
    assert form_data(response)["sapo"] == "Sapo mới gõ."
    article.refresh_from_db()
    assert (article.published_at, article.sapo) == (before, "Tóm tắt bài viết.")


def test_a_reporter_saves_a_draft_whose_stored_time_is_out_of_range(client, reporter):
    # The time is not on a reporter's form, so it is not theirs to correct.
    article = make_article("Bản nháp cũ", status=Article.Status.DRAFT, created_by=reporter)
    Article.objects.filter(pk=article.pk).update(published_at=datetime(9999, 12, 30, tzinfo=UTC))
    client.force_login(reporter)
    data = form_data(client.get(change_url(article)))
    response = client.post(change_url(article), {**data, "sapo": "Sapo của phóng viên."})
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).sapo == "Sapo của phóng viên."


def test_the_model_checks_the_same_range_as_the_form(db):
    for moment in (datetime(1911, 12, 31, 23, 59, tzinfo=HANOI), datetime(2100, 1, 1)):
        with pytest.raises(ValidationError) as refused:
            Article(title="Giờ lạ", published_at=moment).full_clean()
        assert refused.value.message_dict == {"published_at": [OUT_OF_RANGE]}
    Article(title="Giờ đầu", published_at=datetime(1912, 1, 1, tzinfo=HANOI)).full_clean()
    Article(title="Chưa có giờ", published_at=None).full_clean()


# The admin list ------------------------------------------------------------------------


def hierarchy_choices(page):
    nav = re.search(r'<nav class="toplinks">(.*?)</nav>', page, re.S)[1]
    return re.findall(r'<a href="[^"]*">([^<]*)</a>', nav)


@pytest.mark.parametrize("kind", ["year", "month", "day"])
def test_the_last_period_a_date_holds_ends_at_the_last_moment(kind):
    assert _period(datetime(9999, 12, 31, 23), kind)[1] == datetime.max
    assert _period(datetime(2024, 12, 31, 23), kind)[1] == datetime(2025, 1, 1)


def test_rows_of_the_first_and_last_years_leave_the_list_and_its_date_hierarchy_working(
    client, editor
):
    # As a form without a range stored 31/12/9999, or a fixture might load them.
    last, first, usual = (make_article(title) for title in ("Năm 9999", "Năm 1", "Năm 2023"))
    for article, moment in (
        (last, datetime(9999, 12, 30, 17, tzinfo=UTC)),
        (first, datetime(1, 1, 1, 12, tzinfo=UTC)),
        (usual, datetime(2023, 5, 1, tzinfo=UTC)),
    ):
        Article.objects.filter(pk=article.pk).update(published_at=moment)
    client.force_login(editor)
    assert hierarchy_choices(client.get(LIST_URL).content.decode()) == ["1", "2023", "9999"]
    for params, choices in (
        ({"published_at__year": 9999}, ["Tháng 12 9999"]),
        ({"published_at__year": 9999, "published_at__month": 12}, ["31 Tháng 12"]),
        ({"published_at__year": 9999, "published_at__month": 12, "published_at__day": 31}, []),
        ({"published_at__year": 1}, ["Tháng 1 0001"]),
        ({"published_at__year": 1, "published_at__month": 1, "published_at__day": 1}, []),
    ):
        response = client.get(LIST_URL, params)
        page = response.content.decode()
        assert response.status_code == 200
        assert hierarchy_choices(page) == choices
        shown = {title for title in ("Năm 9999", "Năm 1", "Năm 2023") if f">{title}<" in page}
        assert shown == {"Năm 9999" if params["published_at__year"] == 9999 else "Năm 1"}


@pytest.mark.parametrize(
    "query",
    [
        "published_at__year=0",
        "published_at__year=99999",
        "published_at__year=abc",
        "published_at__year=-5",
        "published_at__year=2023&published_at__month=13",
        "published_at__year=2023&published_at__month=2&published_at__day=30",
        "published_at__month=13",
        "published_at__day=abc",
        "published_at__gte=abc",
        "published_at__gte=0001-01-01+00:00:00%2B07:00",
        "published_at__lt=9999-12-31+23:00:00-07:00",
        "published_at__gte=0001-01-01+00:00:00%2B00:00",
        "published_at__range=1,2",
        "published_at__date=0001-01-01",
    ],
)
def test_junk_dates_in_the_list_address_lead_to_a_list_never_an_error(client, editor, query):
    make_article("Bài năm 2023", published_at=datetime(2023, 5, 1, tzinfo=UTC))
    client.force_login(editor)
    response = client.get(f"{LIST_URL}?{query}")
    if response.status_code == 302:  # refused as Django refuses any bad filter
        assert response["Location"] == f"{LIST_URL}?e=1"
        response = client.get(response["Location"])
        assert "Bài năm 2023" in response.content.decode()
    assert response.status_code == 200
    assert 'id="changelist"' in response.content.decode()
