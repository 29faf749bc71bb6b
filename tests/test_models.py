import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from articles import lists
from articles.models import Article, Category, Figure, Photo, RelatedLink, RichText

from .factories import make_article, make_category, png_upload

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_published_shows_only_published_articles_whose_time_has_come():
    visible = make_article("Đã đăng")
    make_article("Bản nháp", status=Article.Status.DRAFT)
    make_article("Chờ duyệt", status=Article.Status.REVIEW)
    make_article("Hẹn giờ", published_at=timezone.now() + timedelta(hours=2))
    make_article("Chưa có giờ", published_at=None)
    assert list(Article.objects.published()) == [visible]


def test_a_scheduled_article_appears_at_its_minute_without_any_job():
    at = timezone.now() + timedelta(minutes=30)
    scheduled = make_article("Hẹn giờ", published_at=at)
    assert scheduled not in Article.objects.published()
    assert scheduled in Article.objects.published(at=at)
    assert scheduled not in Article.objects.published(at=at - timedelta(seconds=1))


def test_is_visible_follows_the_same_rule_as_published():
    articles = [
        make_article(),
        make_article(status=Article.Status.DRAFT),
        make_article(published_at=timezone.now() + timedelta(days=1)),
    ]
    visible = set(Article.objects.published())
    assert (
        [a.is_visible for a in articles]
        == [a in visible for a in articles]
        == [
            True,
            False,
            False,
        ]
    )


def test_the_slug_comes_from_the_vietnamese_headline():
    article = make_article("Đề xuất mở rộng đường Nguyễn Trãi")
    assert article.slug == "de-xuat-mo-rong-duong-nguyen-trai"


def test_two_articles_with_one_headline_get_distinct_slugs():
    first = make_article("Hà Nội đón Tết")
    second = make_article("Hà Nội đón Tết")
    third = make_article("Hà Nội đón Tết")
    assert [first.slug, second.slug, third.slug] == [
        "ha-noi-don-tet",
        "ha-noi-don-tet-2",
        "ha-noi-don-tet-3",
    ]


def test_a_headline_with_no_letters_still_gets_a_slug():
    assert make_article("?!").slug == "bai-viet"


def test_an_edited_headline_keeps_its_slug():
    article = make_article("Tiêu đề cũ")
    article.title = "Tiêu đề mới"
    article.save()
    assert article.slug == "tieu-de-cu"


def test_the_canonical_url_carries_section_slug_and_id():
    section = make_category("Nhịp sống Thủ đô")
    article = make_article("Phố Hàng Mã vào Tết", category=section)
    assert section.slug == "nhip-song-thu-do"
    assert section.get_absolute_url() == "/nhip-song-thu-do/"
    assert article.get_absolute_url() == f"/nhip-song-thu-do/pho-hang-ma-vao-tet-{article.pk}.html"


def test_an_article_without_a_section_lives_under_tin_tuc():
    article = make_article("Không chuyên mục")
    assert article.get_absolute_url() == f"/tin-tuc/khong-chuyen-muc-{article.pk}.html"


def test_the_summary_is_the_sapo_cut_at_fifty_words_or_else_the_headline():
    long_sapo = " ".join(f"từ{n}" for n in range(60))
    assert make_article(sapo=long_sapo).summary == " ".join(f"từ{n}" for n in range(50)) + " …"
    assert make_article(sapo="Hồ Tây lộng gió.").summary == "Hồ Tây lộng gió."
    assert make_article("Đêm hội Hồ Tây", sapo="").summary == "Đêm hội Hồ Tây"


def test_a_section_cannot_take_a_reserved_path():
    with pytest.raises(ValidationError) as error:
        Category(name="Quản trị", slug="admin").full_clean()
    assert "slug" in error.value.message_dict


def test_sections_are_ordered_by_position():
    make_category("B", position=2)
    make_category("A", position=3)
    make_category("C", position=1)
    assert [c.name for c in Category.objects.all()] == ["C", "B", "A"]


def test_body_interleaves_text_and_figures_by_position():
    article = make_article(blocks=["Đoạn một.", {"caption": "Ảnh một"}, "Đoạn hai."])
    assert [(b.kind, b.ordering) for b in article.body()] == [
        ("text", 10),
        ("figure", 20),
        ("text", 30),
    ]


def test_the_body_is_read_in_one_query_with_every_field_of_each_block(
    django_assert_num_queries,
):
    photo = png_upload(size=(900, 600))
    article = make_article(
        blocks=[{"image": photo, "alt_text": "Hồ Tây", "caption": "Sen", "credit": "Ảnh: An"}]
    )
    beside = RichText.objects.create(article=article, ordering=1, text="Cùng chỗ với ảnh.")
    with django_assert_num_queries(1):
        text, figure = article.body()  # where two share a position, text comes first
    assert (text.kind, text.text, text.pk) == ("text", "Cùng chỗ với ảnh.", beside.pk)
    assert (figure.caption, figure.credit, figure.alt_text) == ("Sen", "Ảnh: An", "Hồ Tây")
    assert (figure.image_width, figure.image_height) == (900, 600)
    assert figure.image.url.endswith(".png") and figure.article is article
    assert figure == Figure.objects.get(article=article) and not figure._state.adding


def test_the_body_makes_its_blocks_only_when_they_are_read():
    article = make_article(blocks=["Đoạn một.", {"caption": "Ảnh một"}])
    body = article.body()
    assert len(body) == 2 and "blocks" not in body.__dict__
    assert [row[0] for row in body.rows] == [0, 1]  # text, then figure, as read
    assert body[1].caption == "Ảnh một" and "blocks" in body.__dict__


def fields_of(instance):
    return {k: v for k, v in instance.__dict__.items() if k != "_state"}


@pytest.mark.parametrize("section", [True, False])
def test_an_article_for_its_page_is_what_the_orm_reads_for_reading(
    section, django_assert_num_queries
):
    category = make_category("Nhịp sống Thủ đô") if section else None
    article = make_article("Phố đi bộ Hồ Gươm", category=category, byline="Minh Anh")
    expected = Article.objects.for_reading().get(pk=article.pk)
    with django_assert_num_queries(1):
        read = Article.objects.for_page(article.pk)
        read_fields = fields_of(read)
        read_fields.pop("body_rows", None)  # PostgreSQL reads the body in the same statement
        assert read_fields == fields_of(expected)
        assert "search_text" not in read.__dict__
        if section:
            assert fields_of(read.category) == fields_of(expected.category)
        else:
            assert read.category is None
    assert read.published_at.tzinfo is not None and not read._state.adding


@pytest.mark.parametrize("blocks", [["Đoạn một.", {"caption": "Ảnh một"}, "Đoạn hai."], []])
def test_an_article_for_its_page_gives_the_body_its_own_query_reads(
    blocks, django_assert_num_queries
):
    article = make_article(blocks=blocks)
    if blocks:
        RichText.objects.create(article=article, ordering=2, text="Cùng chỗ với ảnh.")
    alone = [fields_of(block) for block in article.body()]
    one_statement = connection.vendor == "postgresql"
    with django_assert_num_queries(1 if one_statement else 2):
        read = Article.objects.for_page(article.pk)
        body = read.body()
    assert [fields_of(block) for block in body] == alone
    assert all(block.article is read for block in body)
    with django_assert_num_queries(1):  # read once with the page; after that, afresh
        assert [fields_of(block) for block in read.body()] == alone


def test_an_article_for_its_page_is_read_whatever_its_status_and_is_none_when_missing():
    draft = make_article(status=Article.Status.DRAFT)
    assert Article.objects.for_page(draft.pk).status == "draft"
    assert not Article.objects.for_page(draft.pk).is_visible
    assert Article.objects.for_page(draft.pk + 1000) is None
    assert Article.objects.for_page(10**30) is None  # more digits than the column holds
    assert Article.objects.for_page(-(10**30)) is None


def test_a_photo_of_the_library_needs_alt_text():
    photo = Photo(image=png_upload(), caption="Ảnh")
    with pytest.raises(ValidationError) as error:
        photo.full_clean()
    assert "alt_text" in error.value.message_dict


def test_related_articles_keep_the_editors_order_and_hide_unpublished_ones():
    first, hidden, second = (
        make_article("Một"),
        make_article("Nháp", status=Article.Status.DRAFT),
        make_article("Hai"),
    )
    article = make_article(related=[second, hidden, first])
    assert list(article.related_articles()) == [second, first]


def test_an_article_cannot_be_related_to_itself():
    article = make_article()
    with pytest.raises(ValidationError):
        RelatedLink(article=article, target=article).clean()
    with pytest.raises(IntegrityError):
        RelatedLink.objects.create(article=article, target=article)


def test_other_news_is_the_latest_visible_articles_except_this_one():
    now = timezone.now()
    reading = make_article("Đang đọc", published_at=now - timedelta(minutes=1))
    older = [make_article(f"Cũ {n}", published_at=now - timedelta(hours=n)) for n in range(1, 13)]
    make_article("Nháp", status=Article.Status.DRAFT)
    assert lists.other_news(reading) == older[:10]


def test_search_text_follows_headline_sapo_and_body_edits():
    article = make_article("Tây Hồ", sapo="Hồ Tây lộng gió", blocks=["Đường Thanh Niên"])
    assert article.search_text == "tay ho tayˍho\x1fho tay long gio\x1fduong thanh nien"
    Figure.objects.create(article=article, ordering=20, caption="Ảnh Đống Đa")
    article.refresh_from_db()
    assert article.search_text.endswith("anh dong da")
    article.richtexts.get().delete()
    article.refresh_from_db()
    assert "thanh nien" not in article.search_text


def test_a_section_in_use_cannot_be_deleted():
    section = make_category()
    make_article(category=section)
    with pytest.raises(Exception, match="protected"):
        section.delete()
    assert Category.objects.filter(pk=section.pk).exists()


def test_the_manager_keeps_djangos_own_latest_and_the_newest_list_agrees():
    older = make_article("Cũ hơn", published_at=timezone.now() - timedelta(days=2))
    newer = make_article("Mới hơn", published_at=timezone.now() - timedelta(days=1))
    assert Article.objects.latest("published_at") == newer
    assert Article.objects.earliest("published_at") == older
    assert lists.newest(1) == [newer]


def test_articles_read_by_id_come_in_the_order_asked_without_those_the_queryset_excludes(db):
    older, newer = make_article("Cũ"), make_article("Mới")
    draft = make_article("Nháp", status=Article.Status.DRAFT)
    asked = [older.pk, draft.pk, newer.pk, 10**9]
    assert Article.objects.published().in_order_of(asked) == [older, newer]
    assert Article.objects.in_order_of(asked[::-1]) == [newer, draft, older]


def imported_modules(path):
    """The modules a Python file imports, relative imports resolved against its package."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            names += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return names


CACHING = (
    "articles.cache",
    "articles.lists",
    "articles.views",
    "django.core.cache",
)


def test_the_content_model_imports_nothing_of_caching_nor_the_modules_that_use_it():
    modules = sorted((ROOT / "articles" / "models").glob("*.py"))
    imported = {path.name: imported_modules(path) for path in modules}
    assert "articles.page_sql" in imported["articles.py"]  # relative imports are resolved
    assert {
        name: [m for m in found if m.startswith(CACHING)] for name, found in imported.items()
    } == {path.name: [] for path in modules}
