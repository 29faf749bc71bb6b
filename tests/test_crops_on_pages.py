"""The focal-point crops on readers' pages: the front page's lead and the story cards show
the 16:9 crop, the small thumbnails of lists the square one, shared links the 16:9 crop;
the whole photo's renditions until the crops are made. Moving the focal point changes
what they show."""

import re
from html import unescape
from io import BytesIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles import renditions
from articles.models import Photo

from .factories import make_article, make_category
from .page_parts import parts

RED, BLUE = (200, 20, 20), (20, 20, 200)


def two_tone(size=(1200, 1200)):
    """A photo red above and blue below: a 16:9 crop is red or blue by its focal point."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (0, size[1] // 2, size[0], size[1]))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return SimpleUploadedFile("hai-mau.jpg", buffer.getvalue(), content_type="image/jpeg")


def img_of(html, within):
    """The attributes of the first <img> inside the element whose class is ``within``."""
    start = html.index(f'class="{within}')
    tag = re.search(r"<img [^>]+>", html[start:]).group(0)
    return {name: unescape(value) for name, value in re.findall(r'([\w-]+)="([^"]*)"', tag)}


def middle_colour(url):
    """The colour in the middle of the stored image at ``url``."""
    with default_storage.open(url.removeprefix(settings.MEDIA_URL)) as file:
        image = Image.open(file).convert("RGB")
        return image.getpixel((image.width // 2, image.height // 2))


def near(colour, wanted):
    return all(abs(a - b) < 40 for a, b in zip(colour, wanted, strict=True))


def story_with_photo(capture, focal_y):
    section = make_category("Nhịp sống Thủ đô")
    with capture(execute=True):  # the crops are made once the photo is committed
        photo = Photo(image=two_tone(), alt_text="Hai màu", focal_y=focal_y)
        photo.save()
        make_article("Hồ Tây hai màu", category=section, blocks=["Đoạn.", {"photo": photo}])
    return photo, section


def test_moving_the_focal_point_changes_the_crop_on_the_home_and_section_pages(
    client, db, django_capture_on_commit_callbacks
):
    photo, section = story_with_photo(django_capture_on_commit_callbacks, focal_y=0.1)
    home = client.get("/").content.decode()
    lead = img_of(home, "lead-photo")
    assert "-16x9-0500-0100.webp" in lead["src"]
    assert lead["srcset"] == f"{lead['src']} 1200w"
    assert (lead["width"], lead["height"], lead["alt"]) == ("1200", "675", "Hai màu")
    assert lead["loading"] == "eager" and lead["fetchpriority"] == "high"
    card = img_of(client.get(section.get_absolute_url()).content.decode(), "thumb")
    assert card["src"] == lead["src"]
    assert near(middle_colour(lead["src"]), RED)

    with django_capture_on_commit_callbacks(execute=True):
        photo.focal_y = 0.9
        photo.save()
    moved = img_of(client.get("/").content.decode(), "lead-photo")
    assert "-16x9-0500-0900.webp" in moved["src"] and moved["src"] != lead["src"]
    assert (moved["width"], moved["height"]) == ("1200", "675")
    assert near(middle_colour(moved["src"]), BLUE)
    card = img_of(client.get(section.get_absolute_url()).content.decode(), "thumb")
    assert card["src"] == moved["src"]


def test_the_lists_small_thumbnails_show_the_square_crop(
    client, db, django_capture_on_commit_callbacks
):
    _photo, section = story_with_photo(django_capture_on_commit_callbacks, focal_y=0.5)
    page = client.get(section.get_absolute_url()).content.decode()
    thumb = img_of(page, "article-item with-thumb")  # the sidebar's latest news
    assert "-1x1-0500-0500.webp" in thumb["src"]
    assert (thumb["width"], thumb["height"], thumb["sizes"]) == ("600", "600", "6rem")
    assert thumb["srcset"] == f"{thumb['src']} 600w"


def test_until_the_crops_are_made_pages_show_the_photos_renditions(client, db):
    section = make_category("Nhịp sống Thủ đô")
    photo = Photo(image=two_tone((1600, 900)), alt_text="Hai màu")
    photo.save()  # never committed here: neither renditions nor crops are made
    story = make_article("Hồ Tây hai màu", category=section, blocks=[{"photo": photo}])
    assert renditions.crop_url(photo, "16x9") is None
    lead = img_of(client.get("/").content.decode(), "lead-photo")
    assert lead["src"] == photo.image.url and "srcset" not in lead
    assert (lead["width"], lead["height"]) == ("1600", "900")
    card = img_of(client.get(section.get_absolute_url()).content.decode(), "thumb")
    assert card["src"] == photo.image.url
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="http://testserver{photo.image.url}">' in page
    assert '<meta property="og:image:width" content="1600">' in page


def test_shared_links_show_the_16_9_crop_with_its_size_and_alt_text(
    client, db, django_capture_on_commit_callbacks
):
    photo, _section = story_with_photo(django_capture_on_commit_callbacks, focal_y=0.1)
    photo.refresh_from_db()
    story = photo.figures.get().article
    page = client.get(story.get_absolute_url()).content.decode()
    crop = renditions.crop_url(photo, "16x9")
    assert crop and "-16x9-" in crop
    assert f'<meta property="og:image" content="http://testserver{crop}">' in page
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="675">' in page
    assert '<meta property="og:image:alt" content="Hai màu">' in page
    assert f'<meta name="twitter:image" content="http://testserver{crop}">' in page
    assert '<meta name="twitter:image:alt" content="Hai màu">' in page
    structured = parts(client.get(story.get_absolute_url())).structured("NewsArticle")
    square = renditions.crop_url(photo, "1x1")
    assert structured["image"] == [
        f"http://testserver{crop}",
        f"http://testserver{square}",
        f"http://testserver{photo.image.url}",
    ]
