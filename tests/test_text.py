import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from articles.text import fold, paragraphs, slugify

SLUG_JS = Path(__file__).resolve().parent.parent / "articles/static/articles/js/slug.js"

CASES = {
    "Quận Tây Hồ chủ động vượt khó, hoàn thành xuất sắc các phong trào thi đua": (
        "quan-tay-ho-chu-dong-vuot-kho-hoan-thanh-xuat-sac-cac-phong-trao-thi-dua"
    ),
    "Đường Đại Cồ Việt đông đúc": "duong-dai-co-viet-dong-duc",
    "đi đâu đó": "di-dau-do",
    "Người dân ưu tiên ơn nghĩa": "nguoi-dan-uu-tien-on-nghia",
    "HÀ NỘI: ĐÊM GIAO THỪA!": "ha-noi-dem-giao-thua",
    "Khởi tố Tiktoker Nam Birthday về tội “Chống người thi hành công vụ”": (
        "khoi-to-tiktoker-nam-birthday-ve-toi-chong-nguoi-thi-hanh-cong-vu"
    ),
    "  --Giá vàng   tăng 5%?? -- ": "gia-vang-tang-5",
    "Tại sao năm nay phố Hàng Mã ít đồ cúng ông Công ông Táo?": (
        "tai-sao-nam-nay-pho-hang-ma-it-do-cung-ong-cong-ong-tao"
    ),
}


@pytest.mark.parametrize(("title", "slug"), CASES.items())
def test_slug_of_a_vietnamese_title_keeps_every_letter_without_its_marks(title, slug):
    assert slugify(title) == slug


@pytest.mark.parametrize("title", CASES)
def test_decomposed_and_composed_titles_get_the_same_slug(title):
    assert slugify(unicodedata.normalize("NFD", title)) == slugify(title)


def test_fold_drops_tone_marks_and_case_in_both_normal_forms():
    assert fold("TÂY HỒ") == fold("Tây Hồ") == fold(unicodedata.normalize("NFD", "Tây Hồ"))
    assert fold("Tây Hồ") == "tay ho"
    assert fold("Đống Đa") == "dong da"


def test_a_long_slug_is_cut_at_a_word_boundary():
    slug = slugify("Hội nghị " * 40, max_length=30)
    assert slug == "hoi-nghi-hoi-nghi-hoi-nghi-hoi"
    assert slugify("abc-defgh", max_length=3) == "abc"
    assert slugify("abcdefgh", max_length=3) == "abc"


def test_a_title_of_only_punctuation_has_an_empty_slug():
    assert slugify("!!! ... ???") == ""


def test_paragraphs_are_the_non_empty_lines():
    assert paragraphs("Một.\r\n\r\n  Hai. \nBa.") == ["Một.", "Hai.", "Ba."]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_admin_slug_script_agrees_with_the_server():
    titles = [*CASES, *(unicodedata.normalize("NFD", t) for t in CASES), "Hội nghị " * 40]
    script = (
        f"const s = require({json.dumps(str(SLUG_JS))});"
        "const titles = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(titles.map(t => s.slugify(t, 30))));"
    )
    out = subprocess.run(
        ["node", "-e", script], input=json.dumps(titles), capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [slugify(t, max_length=30) for t in titles]
