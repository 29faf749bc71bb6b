import re
from html import unescape

import pytest
from django.core.files.storage import default_storage
from django.template import Context, Template
from PIL import Image

from articles import renditions

from .factories import make_article, png_upload


def figure_with(size, **fields):
    article = make_article(blocks=[{"image": png_upload(size=size), "alt_text": "Ảnh", **fields}])
    return article.figures.get()


def test_an_uploaded_photo_gets_webp_renditions_of_each_smaller_width(db):
    figure = figure_with((1600, 900))
    for width in (480, 800, 1200):
        name = renditions.rendition_name(figure.image.name, width)
        with default_storage.open(name) as file, Image.open(file) as image:
            assert image.format == "WEBP"
            assert image.size == (width, round(900 * width / 1600))


def test_a_photo_is_never_enlarged(db):
    figure = figure_with((600, 400))
    assert renditions.widths_for(figure) == [480]
    assert not default_storage.exists(renditions.rendition_name(figure.image.name, 800))


def test_a_small_photo_is_served_as_it_is(db):
    figure = figure_with((300, 200))
    html = render_image(figure)
    assert "srcset" not in html
    assert f'src="{figure.image.url}"' in html


def test_rendition_names_derive_from_the_original_and_stay_apart_from_uploads():
    assert (
        renditions.rendition_name("figures/2025/01/abc.png", 800)
        == "renditions/figures/2025/01/abc-800.webp"
    )


def render_image(figure):
    return Template("{% load news %}{% figure_image figure %}").render(Context({"figure": figure}))


def test_the_image_tag_has_srcset_sizes_dimensions_lazy_loading_and_alt(db):
    figure = figure_with((1600, 900), alt_text='Hội nghị "thi đua" <2025>')
    html = render_image(figure)
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', html))
    stem = figure.image.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    assert attributes["src"].endswith(f"{stem}-1200.webp")
    assert [c.rsplit(" ", 1)[1] for c in attributes["srcset"].split(", ")] == [
        "480w",
        "800w",
        "1200w",
        "1600w",
    ]
    assert attributes["sizes"] == "(max-width: 46rem) 100vw, 46rem"
    assert (attributes["width"], attributes["height"]) == ("1600", "900")
    assert attributes["loading"] == "lazy"
    assert unescape(attributes["alt"]) == 'Hội nghị "thi đua" <2025>'
    assert "<2025>" not in html


@pytest.mark.parametrize("mode", ["P", "L", "RGBA"])
def test_renditions_are_made_from_palette_grey_and_transparent_photos(db, mode, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = tmp_path / "photo.png"
    Image.new(mode, (900, 600)).save(path)
    article = make_article(
        blocks=[
            {
                "image": SimpleUploadedFile("photo.png", path.read_bytes()),
                "alt_text": "Ảnh",
            }
        ]
    )
    figure = article.figures.get()
    assert default_storage.exists(renditions.rendition_name(figure.image.name, 800))


def test_the_article_page_shows_the_photo_with_its_renditions(client, db):
    article = make_article(
        blocks=[
            "Đoạn đầu.",
            {"image": png_upload(size=(1000, 500)), "alt_text": "Ảnh", "caption": "Chú thích"},
        ]
    )
    html = client.get(article.get_absolute_url()).content.decode()
    figure = html[html.index("<figure") : html.index("</figure>")]
    assert 'srcset="' in figure and "-480.webp 480w" in figure and "-800.webp 800w" in figure
    assert 'width="1000" height="500"' in figure
    assert "<figcaption>Chú thích</figcaption>" in figure
