"""A backup made with ``dumpdata`` gives back everything when loaded into an empty database."""

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from articles.models import (
    Article,
    Category,
    Embed,
    Figure,
    Photo,
    Quote,
    RelatedLink,
    RichText,
    StoryCard,
)

from .factories import make_article, png_upload

HAS_REVISIONS = apps.is_installed("reversion")


def snapshot():
    """Every row the newsroom keeps, by natural keys, so that two databases compare."""
    state = {
        "sections": sorted(Category.objects.values_list("slug", "name", "description", "position")),
        "articles": sorted(
            Article.objects.values_list(
                "pk", "slug", "title", "sapo", "category__slug", "byline", "status",
                "published_at", "is_pick", "version", "search_text", "created_by__username",
            )
        ),
        "text": sorted(RichText.objects.values_list("article__slug", "ordering", "text")),
        "figures": sorted(
            Figure.objects.values_list(
                "article__slug", "ordering", "photo__image", "photo__image_width",
                "photo__image_height", "caption", "photo__credit", "photo__alt_text",
                "photo__focal_x", "photo__focal_y",
            ),
            key=repr,
        ),
        "photos": sorted(
            Photo.objects.values_list(
                "pk", "image", "credit", "alt_text", "caption", "focal_x", "focal_y",
                "uploaded_at", "uploaded_by__username", "search_text",
            )
        ),
        "other blocks": sorted(
            [*Quote.objects.values_list("article__slug", "ordering", "text", "attribution"),
             *Embed.objects.values_list("article__slug", "ordering", "url", "url"),
             *StoryCard.objects.values_list("article__slug", "ordering", "target__slug",
                                            "target__slug")]
        ),
        "links": sorted(
            RelatedLink.objects.values_list("article__slug", "target__slug", "position")
        ),
    }  # fmt: skip
    if HAS_REVISIONS:
        from reversion.models import Version

        state["revisions"] = sorted(
            Version.objects.values_list(
                "revision__user__username", "revision__comment", "content_type__model",
                "object_id", "serialized_data",
            )
        )  # fmt: skip
    return state


@pytest.fixture(autouse=True)
def forget_content_type_ids():
    """``flush`` makes content types anew with new ids; the test's rollback brings back
    the old ones, so the cache of ids must go too, or later tests look up wrong ones."""
    yield
    ContentType.objects.clear_cache()


def empty_the_database():
    if connection.vendor == "postgresql":
        # The test's transaction defers foreign key checks, and TRUNCATE refuses to run
        # with checks pending: do them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


def test_a_dump_of_the_articles_loaded_into_an_empty_database_gives_everything_back(
    seed, tmp_path, media_root
):
    editor = User.objects.create_user("bientap", password="Hồ-Tây-mùa-thu-2025")
    photographed = make_article(
        "Phố đi bộ Hồ Gươm đón khách dịp Tết",
        category=Category.objects.first(),
        created_by=editor,
        blocks=[
            "Đoạn mở đầu.",
            {"caption": "Phố đi bộ", "alt_text": "Phố", "image": png_upload()},
            {"kind": "quote", "text": "Phố vui lắm.", "attribution": "Một du khách"},
            {"kind": "embed", "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
            {"kind": "card", "target": seed},
        ],
        related=[seed],
    )
    if HAS_REVISIONS:
        import reversion

        with reversion.create_revision():
            photographed.sapo = "Tóm tắt đã sửa."
            photographed.save()
            reversion.add_to_revision(photographed)
            for block in photographed.body():
                reversion.add_to_revision(block)
            reversion.set_user(editor)
            reversion.set_comment("Sửa tóm tắt")
    image = photographed.figures.get().image
    image_bytes = image.read()
    before = snapshot()
    assert len(before["articles"]) == 18 and len(before["figures"]) == 5
    assert len(before["photos"]) == 1 and len(before["other blocks"]) == 3
    # The article, its five blocks and the related link that reversion follows.
    assert not HAS_REVISIONS or len(before["revisions"]) == 7

    backup = tmp_path / "backup.json"
    apps_to_dump = ["auth.user", "articles", *(["reversion"] if HAS_REVISIONS else [])]
    call_command("dumpdata", *apps_to_dump, natural_foreign=True, output=backup, verbosity=0)
    empty_the_database()
    assert not Article.objects.exists() and not User.objects.exists()
    call_command("loaddata", backup, verbosity=0)

    assert snapshot() == before
    restored = Figure.objects.get(article__slug=photographed.slug).image
    assert restored.name == image.name
    assert restored.storage.exists(restored.name)
    assert restored.read() == image_bytes
    assert (media_root / restored.name).is_file()
