"""The front page the editors lay out: slots, fallbacks, preview and putting it live."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, FrontPage

from .factories import make_article, make_category, png_upload


def photo_block(name="Ảnh"):
    return {"image": png_upload(size=(900, 600)), "alt_text": name, "caption": name}


def live(**slots):
    page = FrontPage.edition_of(FrontPage.Edition.LIVE)
    for name, value in slots.items():
        setattr(page, name, value)
    page.save()
    return page


def part(html, start, end):
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def lead_of(html):
    return part(html, 'class="lead-story"', "</article>")


@pytest.fixture
def stories(db):
    section = make_category("Nhịp sống Thủ đô")
    now = timezone.now()
    return [
        make_article(
            f"Tin số {n}",
            category=section,
            published_at=now - timedelta(hours=n + 1),
            blocks=[photo_block(f"Ảnh tin {n}")] if n % 2 == 0 else [],
        )
        for n in range(8)
    ]


def test_the_editors_lead_and_secondary_stories_appear_where_they_chose(client, stories):
    live(lead=stories[5], secondary_1=stories[7], secondary_2=stories[6])
    html = client.get("/").content.decode()
    assert "Tin số 5" in lead_of(html)
    secondary = part(html, 'class="secondary-stories"', "</section>")
    assert secondary.index("Tin số 7") < secondary.index("Tin số 6")
    # Slots left empty take the newest stories not already shown, never a blank.
    assert secondary.count('class="story-tile"') == 5
    assert "Tin số 0" in secondary and "Tin số 5" not in secondary


def test_an_unpublished_story_leaves_its_slot_at_once(client, stories):
    live(lead=stories[3], secondary_1=stories[5])
    assert "Tin số 3" in lead_of(client.get("/").content.decode())
    stories[3].status = Article.Status.DRAFT
    stories[3].save()
    stories[5].published_at = timezone.now() + timedelta(days=1)  # scheduled: not yet
    stories[5].save()
    html = client.get("/").content.decode()
    assert "Tin số 3" not in html and "Tin số 5" not in html
    assert "Tin số 0" in lead_of(html), "the newest story with a photo takes the lead"


def test_with_no_choice_the_lead_is_a_photo_story_before_a_newer_photo_less_pick(client, db):
    now = timezone.now()
    make_article("Tin ảnh cũ hơn", published_at=now - timedelta(hours=5), blocks=[photo_block()])
    make_article("Tin chọn không ảnh", is_pick=True, published_at=now - timedelta(minutes=5))
    lead = lead_of(client.get("/").content.decode())
    assert "Tin ảnh cũ hơn" in lead and "<img" in lead and 'loading="eager"' in lead


def test_without_any_photo_story_the_newest_story_leads(client, db):
    make_article("Tin cũ", published_at=timezone.now() - timedelta(hours=3))
    make_article("Tin mới", published_at=timezone.now() - timedelta(minutes=3))
    assert "Tin mới" in lead_of(client.get("/").content.decode())


def test_section_blocks_follow_the_editors_order_and_top_story(client, db):
    first, second, third = (make_category(name, position=n) for n, name in enumerate("ABC"))
    now = timezone.now()
    for n in range(4):
        for i, section in enumerate((first, second, third)):
            make_article(
                f"{section.name} {n}",
                category=section,
                published_at=now - timedelta(minutes=10 * n + i),
            )
    top = make_article(
        "Bài đầu khối C", category=third, published_at=timezone.now() - timedelta(days=3)
    )
    live(section_1=third, section_1_story=top, section_2=first)
    html = client.get("/").content.decode()
    assert (
        html.index('id="section-c"') < html.index('id="section-a"') < html.index('id="section-b"')
    )
    block = part(html, 'id="section-c"', "</section>")
    top_story = part(block, 'class="section-top"', "</article>")
    assert "Bài đầu khối C" in top_story
    assert "C 3" in block, "the block's other stories are the section's newest not shown above"


def test_every_story_shown_with_a_photo_has_a_thumbnail(client, stories):
    html = client.get("/").content.decode()
    secondary = part(html, 'class="secondary-stories"', "</section>")
    with_photo = [s for s in stories[1:6] if s.figures.exists()]
    assert secondary.count('class="thumb"') == len(with_photo) > 0
    latest = part(html, 'class="latest"', "</section>")
    assert latest.count('class="thumb"') == sum(1 for s in stories[1:] if s.figures.exists())
    # Only the lead's photo is loaded at once: it is the largest paint.
    assert html.count('loading="eager"') == 1


def test_the_home_page_runs_the_same_queries_for_few_or_many_stories(
    client, db, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    sections = [make_category() for _ in range(3)]

    def add(count):
        for n in range(count):
            make_article(category=sections[n % 3], is_pick=n % 3 == 0, blocks=[photo_block()])

    add(3)
    live(lead=Article.objects.first(), section_1=sections[2])
    # The layout, the lists, the breaking banner, and one short query per section.
    with django_assert_max_num_queries(9 + len(sections)) as few:
        client.get("/")
    add(40)
    with django_assert_max_num_queries(9 + len(sections)) as many:
        assert client.get("/").content.decode().count('class="story-tile"') == 5
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(1):  # then the layout is kept until the site changes
        client.get("/")


def test_the_front_pages_stories_are_rendered_once_until_the_site_changes(
    client, stories, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders the page
    stories_part = "articles/includes/front_page.html"

    def rendered(response):
        return stories_part in {template.name for template in response.templates}

    first = client.get("/")
    assert rendered(first) and "Tin số 0" in lead_of(first.content.decode())
    again = client.get("/")
    assert not rendered(again)
    assert lead_of(again.content.decode()) == lead_of(first.content.decode())
    live(lead=stories[4])  # putting a layout live changes the site
    changed = client.get("/")
    assert rendered(changed) and "Tin số 4" in lead_of(changed.content.decode())


# The editors' admin -------------------------------------------------------------------


@pytest.fixture
def editor_client(client, db):
    from .admin_forms import member

    client.force_login(member("bientap", "Biên tập viên"))
    return client


def test_a_draft_layout_is_previewed_and_reaches_readers_only_once_put_live(
    editor_client, client, stories
):
    change = "/admin/articles/frontpage/"
    form = editor_client.get(change, follow=True)
    draft_url = form.redirect_chain[-1][0]
    saved = editor_client.post(draft_url, {"lead": stories[7].pk, "_preview": "1"})
    assert saved.status_code == 302 and saved["Location"].endswith("/frontpage/preview/")
    preview = editor_client.get(saved["Location"])
    html = preview.content.decode()
    assert "Tin số 7" in lead_of(html) and 'class="preview-banner"' in html
    assert "no-store" in preview["Cache-Control"]
    # Readers still see the layout as it was.
    assert "Tin số 7" not in lead_of(client.get("/").content.decode())
    editor_client.post(draft_url, {"lead": stories[7].pk, "_put_live": "1"})
    assert FrontPage.objects.get(edition="live").lead == stories[7]
    assert "Tin số 7" in lead_of(client.get("/").content.decode())


def test_the_lead_slot_offers_only_published_stories(editor_client, stories):
    draft = stories[0]
    draft.status = Article.Status.DRAFT
    draft.save()
    response = editor_client.get(
        "/admin/autocomplete/",
        {
            "term": "Tin số",
            "app_label": "articles",
            "model_name": "frontpage",
            "field_name": "lead",
        },
    )
    offered = {row["text"] for row in response.json()["results"]}
    assert "Tin số 0" not in offered and "Tin số 1" in offered


def test_a_reporter_cannot_lay_out_the_front_page(client, db):
    from .admin_forms import member

    client.force_login(member("phongvien", "Phóng viên"))
    assert client.get("/admin/articles/frontpage/").status_code == 403
    assert client.get("/admin/articles/frontpage/preview/").status_code == 403
