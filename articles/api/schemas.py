"""The API's shapes: every field named, described and exemplified in the OpenAPI schema."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

HANOI_TIME = "2024-01-18T08:30:00+07:00"


def described(description, example, **options):
    return Field(..., description=description, examples=[example], **options)


class Error(Schema):
    detail: str = described("What went wrong, in Vietnamese.", "Không tìm thấy bài viết.")


class SectionRef(Schema):
    id: int = described("The section's id.", 3)
    slug: str = described("The section's slug.", "chi-dao-dieu-hanh")
    name: str = described("The section's name.", "Chỉ đạo - Điều hành")
    url: str = described("The section's page.", "https://example.vn/chi-dao-dieu-hanh/")


class Section(SectionRef):
    description: str = described("What the section covers.", "Tin chỉ đạo của quận.")
    position: int = described("Sections are listed in this order.", 1)


class PersonRef(Schema):
    id: int = described("The author's or topic's id.", 5)
    slug: str = described("The slug of its page.", "minh-anh")
    name: str = described("The name readers see.", "Minh Anh")
    url: str = described("Its page on the site.", "https://example.vn/tac-gia/minh-anh/")


class Author(PersonRef):
    role: str = described("What the author does.", "Phóng viên")
    bio: str = described("A short biography.", "Phóng viên mảng đô thị.")


class Rendition(Schema):
    width: int = described("Width in pixels.", 800)
    url: str = described(
        "A WebP copy of the photo at this width.", "https://example.vn/media/a-800.webp"
    )


class Photo(Schema):
    url: str = described("The photo itself.", "https://example.vn/media/figures/2024/01/a.jpg")
    width: int | None = described("Width in pixels.", 1600)
    height: int | None = described("Height in pixels.", 900)
    alt_text: str = described("What the photo shows, for readers who cannot see it.", "Hồ Tây")
    credit: str = described("Who took it.", "Ảnh: Minh Anh")
    renditions: list[Rendition] = described(
        "Smaller copies made so far, narrowest first; empty until they are made.", []
    )
    crop_16x9: str | None = described("A 16:9 crop around the focal point, once made.", None)
    crop_1x1: str | None = described("A square crop around the focal point, once made.", None)


class StoryLink(Schema):
    id: int = described("The story's id.", 42)
    headline: str = described("The headline.", "Quận Tây Hồ chủ động vượt khó")
    url: str = described("The story's page.", "https://example.vn/tin-tuc/quan-tay-ho-42.html")
    api_url: str = described("The story in this API.", "https://example.vn/api/v1/stories/42")
    published_at: datetime = described("When it was published, Hanoi time.", HANOI_TIME)


class StorySummary(StoryLink):
    slug: str = described("The story's slug.", "quan-tay-ho-chu-dong-vuot-kho")
    sapo: str = described("The lead paragraph.", "Năm 2023, quận Tây Hồ…")
    time_is_known: bool = described(
        "False when the publication time is an estimate: the site then shows no time.", True
    )
    updated_at: datetime = described("When the story last changed, Hanoi time.", HANOI_TIME)
    section: SectionRef | None = described("Its section; null for general news.", None)
    byline: str = described("The authors' names, or the byline as written.", "Minh Anh")
    authors: list[PersonRef] = described("Its authors.", [])
    topics: list[PersonRef] = described("Its topics.", [])
    photo: Photo | None = described("Its first photo, if any.", None)


class TextBlock(Schema):
    type: Literal["text"] = described("A block of rich text.", "text")
    html: str = described(
        "Sanitized HTML: p, h2, h3, strong, b, em, i, a, ul, ol, li, blockquote, br.",
        "<p>Năm 2023…</p>",
    )


class PhotoBlock(Schema):
    type: Literal["photo"] = described("A photo with this story's caption.", "photo")
    caption: str = described("This story's caption.", "Lãnh đạo quận trao khen thưởng.")
    photo: Photo | None = described("The photo; null for a caption whose photo was lost.", None)


class QuoteBlock(Schema):
    type: Literal["quote"] = described("A quotation.", "quote")
    text: str = described("What was said.", "Chúng tôi sẽ hoàn thành.")
    attribution: str = described("Who said it.", "Chủ tịch UBND quận")


class EmbedBlock(Schema):
    type: Literal["embed"] = described("A video or post of another site.", "embed")
    url: str = described("Its address.", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    provider: str | None = described("youtube or facebook.", "youtube")


class StoryBlock(Schema):
    type: Literal["story"] = described("A card linking to another story.", "story")
    story: StoryLink = Field(..., description="The story linked to.")


Block = Annotated[
    TextBlock | PhotoBlock | QuoteBlock | EmbedBlock | StoryBlock, Field(discriminator="type")
]


class Correction(Schema):
    kind: Literal["correction", "update"] = described("A correction or an update.", "correction")
    text: str = described("The note.", "Bài viết đã sửa tên phường.")
    created_at: datetime = described("When it was added, Hanoi time.", HANOI_TIME)


class Story(StorySummary):
    body: list[Block] = described("The body's blocks in reading order.", [])
    body_html: str = described("The whole body as sanitized HTML.", "<p>Năm 2023…</p>")
    related: list[StoryLink] = described("Related stories, as the page lists them.", [])
    corrections: list[Correction] = described("Dated corrections and updates, oldest first.", [])


class StoryPage(Schema):
    items: list[StorySummary] = described("Stories, newest first.", [])
    next: str | None = described(
        "The next page's address (same filters, a cursor), or null on the last page.",
        "https://example.vn/api/v1/stories?cursor=MTcwNTU0MTQwMDo0Mg",
    )


class SearchPage(Schema):
    items: list[StorySummary] = described("Stories found, best match first.", [])
    count: int = described("How many stories were found.", 12)
    next: str | None = described("The next page's address, or null.", None)


class MostRead(Schema):
    items: list[StorySummary] = described("The most read stories of 24 hours.", [])
    refreshed_in: int = described("Seconds until the list is computed again.", 60)
