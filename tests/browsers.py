"""The browser of the end-to-end tests: Playwright driving Debian's Chromium (Playwright's own
browser download cannot run here, so the system executable is launched).

``browser`` skips, saying why, where Playwright or Chromium is missing; `.ci/run` installs both.
"""

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

needs_chromium = [
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None, reason="Playwright is not installed"
    ),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]
"""The marks of a Playwright module: its tests skip, saying why, before any fixture runs."""


def save_screenshot(page, name, **options):
    """Keep the page as docs/screenshots/``name``.png when ``SAVE_SCREENSHOTS`` is set; a plain
    test run leaves the project's files as they are."""
    if os.environ.get("SAVE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", **options)


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium, closed after the test."""
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("Playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's driver runs an event loop in this thread; the tests still use the ORM.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
