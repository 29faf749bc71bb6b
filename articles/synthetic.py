"""Synthetic newsroom data for benchmarks: many plausible articles, clearly marked.

Every row made here has a slug starting with ``SYNTHETIC_PREFIX`` (articles and
sections alike), so ``delete_synthetic()`` can remove them and nothing else. The
seed fixture never holds such rows.
"""

import random
from datetime import timedelta
from io import BytesIO
from itertools import chain
from operator import itemgetter

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image

from . import richtext, search, text
from .models import Article, Category, Figure, Photo, RelatedLink, RichText

SYNTHETIC_PREFIX = "synthetic-"
SECTION_NAMES = ["Thời sự", "Kinh tế", "Văn hóa", "Giáo dục", "Y tế", "Giao thông"]
SECTION_LABEL = "[Thử nghiệm]"
IMAGE_COUNT = 36
BATCH = 2000

_SUBJECTS = [
    "Hà Nội", "Quận Tây Hồ", "Quận Hoàn Kiếm", "Huyện Sóc Sơn", "Thành phố", "Sở Y tế",
    "Sở Giáo dục", "Người dân Thủ đô", "Phường Nhật Tân", "Công an thành phố", "Đoàn thanh niên",
    "Hội phụ nữ", "Ủy ban nhân dân",
]  # fmt: skip
_VERBS = [
    "triển khai", "hoàn thành", "đẩy mạnh", "kiểm tra", "phát động", "tổng kết", "khánh thành",
    "chuẩn bị", "đón nhận", "rà soát", "tăng cường", "khởi công",
]  # fmt: skip
_OBJECTS = [
    "phong trào thi đua", "dự án cải tạo hồ", "tuyến đường mới", "chương trình chuyển đổi số",
    "lễ hội đường phố", "kế hoạch phòng chống dịch", "công trình trường học",
    "đợt tiêm chủng", "mô hình an toàn giao thông", "chợ hoa Tết", "ứng dụng iHanoi",
    "không gian văn hóa", "cây cầu vượt sông Hồng",
]  # fmt: skip
_TAILS = [
    "năm 2025", "dịp cuối năm", "trước mùa mưa", "đón Tết Nguyên đán", "với nhiều kết quả",
    "vượt kế hoạch", "an toàn, tiết kiệm", "theo đúng tiến độ", "", "",
]  # fmt: skip
_SENTENCES = [
    "Theo báo cáo, kết quả đạt được vượt chỉ tiêu đề ra từ đầu năm.",
    "Lãnh đạo địa phương đánh giá cao tinh thần trách nhiệm của cán bộ, nhân dân.",
    "Người dân phấn khởi trước những đổi thay rõ rệt của khu phố.",
    "Công việc được tiến hành khẩn trương, bảo đảm an toàn và vệ sinh môi trường.",
    "Đơn vị thi công cam kết hoàn thành đúng hạn, đáp ứng yêu cầu kỹ thuật.",
    "Nhiều hộ gia đình đã chủ động tham gia, góp công, góp sức cùng chính quyền.",
    "Dự kiến, chương trình sẽ được nhân rộng ra các quận, huyện khác trong thời gian tới.",
    "Ông Nguyễn Văn Đức, tổ trưởng dân phố, cho biết đường làng nay sạch đẹp hơn.",
    "Đến nay, gần 90% hồ sơ đã được tiếp nhận và xử lý trực tuyến.",
    "Buổi lễ diễn ra trang trọng với sự tham dự của đông đảo đại biểu.",
]


def headline(rng):
    words = [rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS), rng.choice(_TAILS)]
    return " ".join(filter(None, words))


def paragraph(rng, sentences):
    return " ".join(rng.sample(_SENTENCES, sentences))


def search_text(title, sapo, blocks):
    """What ``Article.fold_search_text`` computes, for blocks not yet in the database."""
    ordered = sorted(blocks, key=lambda block: block.ordering)
    return search.document(title, sapo, [block.searchable_text() for block in ordered])


def make_images(rng, count=IMAGE_COUNT):
    """Tiny distinct JPEGs in the media storage and the library, made once and shared by
    every figure; the library photos."""
    images = []
    for number in range(1, count + 1):
        name = f"{SYNTHETIC_PREFIX}figures/{number:02}.jpg"
        size = (48 + number % 5 * 8, 32 + number % 3 * 8)
        if not default_storage.exists(name):
            colour = tuple(rng.randrange(256) for _ in range(3))
            buffer = BytesIO()
            Image.new("RGB", size, colour).save(buffer, "JPEG", quality=70)
            name = default_storage.save(name, ContentFile(buffer.getvalue()))
        photo = Photo.objects.filter(image=name).first()
        if photo is None:
            photo = Photo(image=name, alt_text="Ảnh minh họa", credit="Ảnh: Thử nghiệm")
            photo.save()
        images.append(photo)
    return images


def make_sections():
    sections = []
    for position, name in enumerate(SECTION_NAMES, start=100):
        section, _ = Category.objects.get_or_create(
            slug=SYNTHETIC_PREFIX + text.slugify(name),
            defaults={"name": f"{SECTION_LABEL} {name}", "position": position},
        )
        sections.append(section)
    return sections


def pick_status(rng, now):
    """About 95% visible; the rest split between drafts, review and scheduled."""
    roll = rng.random()
    if roll < 0.02:
        return Article.Status.DRAFT, None
    if roll < 0.035:
        return Article.Status.REVIEW, None
    if roll < 0.05:
        return Article.Status.PUBLISHED, now + timedelta(minutes=rng.randrange(5, 60 * 24 * 14))
    return Article.Status.PUBLISHED, now - timedelta(seconds=rng.randrange(2 * 365 * 86400))


def make_synthetic_news(count, seed=0, progress=None):
    """Add ``count`` synthetic articles with blocks, figures and links; return how many."""
    rng = random.Random(seed)
    now = timezone.now()
    sections = make_sections()
    images = make_images(rng)
    start = Article.objects.filter(slug__startswith=SYNTHETIC_PREFIX).count()
    earlier = list(
        Article.objects.filter(slug__startswith=SYNTHETIC_PREFIX).values_list("pk", flat=True)
    )
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        with transaction.atomic():
            earlier += _make_batch(rng, now, sections, images, start + made, size, earlier)
        made += size
        if progress:
            progress(made)
    return made


def _make_batch(rng, now, sections, images, first_number, size, earlier):
    plans = []
    for number in range(first_number, first_number + size):
        title = headline(rng)
        sapo = paragraph(rng, 2)
        status, published_at = pick_status(rng, now)
        kinds = ["text"] * rng.randint(2, 6) + ["figure"] * rng.randint(0, 3)
        rng.shuffle(kinds)
        blocks = []
        for position, kind in enumerate(kinds, start=1):
            if kind == "text":
                paragraphs = (paragraph(rng, 3) for _ in range(rng.randint(1, 3)))
                html = richtext.from_plain_text("\n".join(paragraphs))
                blocks.append(RichText(ordering=position * 10, text=html))
            else:
                photo = rng.choice(images)
                blocks.append(
                    Figure(ordering=position * 10, photo=photo, caption=paragraph(rng, 1))
                )
        article = Article(
            title=title,
            slug=f"{SYNTHETIC_PREFIX}{text.slugify(title, max_length=150)}-{number}",
            sapo=sapo,
            category=rng.choice(sections),
            byline="Phóng viên thử nghiệm",
            status=status,
            published_at=published_at,
            is_pick=rng.random() < 0.01,
            search_text=search_text(title, sapo, blocks),
        )
        plans.append((article, blocks))

    articles = Article.objects.bulk_create(map(itemgetter(0), plans), batch_size=500)
    textblocks, figures, links = [], [], []
    pool = earlier + [article.pk for article in articles]
    for article, blocks in plans:
        for block in blocks:
            block.article = article
            block.region = "body"
            (figures if block.kind == "figure" else textblocks).append(block)
        candidates = [pk for pk in rng.sample(pool, min(len(pool), 8)) if pk != article.pk]
        for position, target in enumerate(candidates[: rng.randint(0, 5)], start=1):
            links.append(RelatedLink(article=article, target_id=target, position=position))
    RichText.objects.bulk_create(textblocks, batch_size=1000)
    Figure.objects.bulk_create(figures, batch_size=1000)
    RelatedLink.objects.bulk_create(links, batch_size=1000)
    return [article.pk for article in articles]


def delete_synthetic():
    """Remove every synthetic row and image; return how many articles went.

    The rows go by plain SQL deletes: a cascade through Django's collector would
    load every block and fire the search-text signal once per block.
    """
    articles = Article.objects.filter(slug__startswith=SYNTHETIC_PREFIX)
    ids = articles.values("pk")
    with transaction.atomic():
        count = articles.count()
        for queryset in chain(
            [
                RelatedLink.objects.filter(article__in=ids),
                RelatedLink.objects.filter(target__in=ids),
            ],
            [RichText.objects.filter(article__in=ids), Figure.objects.filter(article__in=ids)],
        ):
            queryset._raw_delete(queryset.db)
        articles._raw_delete(articles.db)
        # A real article filed under a synthetic section keeps that section.
        Category.objects.filter(slug__startswith=SYNTHETIC_PREFIX, articles=None).delete()
        Photo.objects.filter(image__startswith=SYNTHETIC_PREFIX, figures=None).delete()
    folder = f"{SYNTHETIC_PREFIX}figures"
    if default_storage.exists(folder):
        for name in default_storage.listdir(folder)[1]:
            default_storage.delete(f"{folder}/{name}")
    return count
