"""A small newsroom that looks like a day's paper, for the layout's screenshots and checks:
sections, authors, topics, and stories with real-size photos (painted here, 1600 × 1067),
one of them breaking news, and readers' views for the most-read box."""

import random
from datetime import timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from articles import most_read
from articles.models import Article, Author, Category, Figure, Photo, Topic

SECTIONS = ["Chỉ đạo - Điều hành", "Nhịp sống Thủ đô", "Kinh tế", "Văn hóa"]
STORIES = [
    ("Hà Nội khởi công cầu Trần Hưng Đạo bắc qua sông Hồng", 0, True),
    ("Phố đi bộ Hồ Gươm đón hàng vạn lượt khách dịp cuối tuần", 1, True),
    ("Quận Tây Hồ hoàn thành cải tạo đường ven hồ", 0, True),
    ("Chợ hoa Quảng Bá nhộn nhịp những ngày giáp Tết", 1, True),
    ("Xuất khẩu nông sản của Thủ đô tăng mạnh trong năm", 2, True),
    ("Lễ hội áo dài Hà Nội thu hút đông đảo người dân", 3, True),
    ("Thành phố đẩy mạnh chuyển đổi số trong thủ tục hành chính", 0, False),
    ("Làng đào Nhật Tân vào vụ Tết", 1, True),
    ("Doanh nghiệp nhỏ được hỗ trợ vay vốn ưu đãi", 2, False),
    ("Triển lãm tranh phố cổ tại Văn Miếu", 3, True),
    ("Tuyến buýt điện mới nối trung tâm với Sóc Sơn", 1, True),
    ("Hà Nội rà soát an toàn phòng cháy khu dân cư", 0, True),
]
SAPO = (
    "Sáng nay, thành phố tổ chức lễ ra quân với sự tham gia của hàng nghìn người dân; "
    "công trình dự kiến hoàn thành trong năm tới, góp phần giảm ùn tắc giao thông."
)


def painted_photo(seed, size=(1600, 1067)):
    """A photo-like JPEG: sky, water, buildings and trees, with grain."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top = (rng.randint(90, 160), rng.randint(140, 190), rng.randint(200, 240))
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(c * (1 - 0.4 * t)) for c in top))
    horizon = int(height * rng.uniform(0.5, 0.65))
    draw.rectangle(
        [0, horizon, width, height], fill=(rng.randint(40, 80), 90, rng.randint(90, 130))
    )
    x = 0
    while x < width:
        w = rng.randint(60, 200)
        h = rng.randint(80, horizon - 60)
        shade = rng.randint(120, 230)
        draw.rectangle([x, horizon - h, x + w, horizon], fill=(shade, shade - 20, shade - 40))
        for wy in range(horizon - h + 15, horizon - 10, 28):
            for wx in range(x + 10, x + w - 10, 24):
                draw.rectangle([wx, wy, wx + 10, wy + 14], fill=(60, 70, 90))
        x += w + rng.randint(0, 30)
    for _ in range(25):
        cx, cy, r = rng.randint(0, width), horizon + rng.randint(-20, 40), rng.randint(25, 70)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(30, rng.randint(90, 140), 40))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.effect_noise(size, 18).convert("RGB")
    image = Image.blend(image, noise, 0.06)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(f"photo-{seed}.jpg", buffer.getvalue(), content_type="image/jpeg")


def make_demo_newsroom():
    """The sections, authors, topics and stories above; returns the stories, newest first."""
    sections = [
        Category.objects.get_or_create(name=name, defaults={"position": n})[0]
        for n, name in enumerate(SECTIONS)
    ]
    reporters = [
        Author.objects.create(
            name="Minh Anh", role="Phóng viên", bio="Viết về đô thị và giao thông Hà Nội."
        ),
        Author.objects.create(name="Lan Hương", role="Phóng viên ảnh"),
    ]
    topics = [
        Topic.objects.create(name=name) for name in ("Giao thông", "Tết Nguyên đán", "Đô thị")
    ]
    now = timezone.now()
    stories = []
    for n, (title, section, with_photo) in enumerate(STORIES):
        story = Article.objects.create(
            title=title,
            sapo=SAPO,
            category=sections[section],
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(hours=n * 3 + 1),
            is_pick=n in (3, 5, 9),
            # One breaking story, for the banner on every page.
            breaking_until=now + timedelta(hours=2) if n == 2 else None,
        )
        story.authors.set([reporters[n % 2]] + ([reporters[1]] if n == 0 else []))
        story.topics.set([topics[n % 3]])
        if with_photo:
            photo = Photo(alt_text=title, caption=title, credit="Ảnh: Lan Hương")
            photo.image = painted_photo(n)
            photo.save()
            Figure.objects.create(article=story, ordering=10, photo=photo, caption=title)
        stories.append(story)
    # A morning's readers for "Đọc nhiều".
    for n, story in enumerate(stories[:6]):
        for reader in range(8 - n):
            most_read.count(story.pk, f"203.0.113.{reader + 1}", "Trình duyệt")
    return stories
