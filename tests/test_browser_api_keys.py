"""A real browser: an editor makes a partner's API key in the admin, sees it once, the
partner reads the API with it, the list shows its last use, and the editor revokes it. The
API's documentation page runs under the site's Content-Security-Policy.

Set ``SAVE_SCREENSHOTS=1`` to keep screenshots of the keys' admin and the documentation page
at 390 and 1280 px (docs/screenshots/ holds the ones made so).
"""

import re

from articles.models import ApiKey

from .test_desk_browser import ROLES, newsroom_member, pytestmark, screenshot, signed_in

__all__ = ["pytestmark"]  # the marks, shared with the desk's test


def test_an_editor_makes_a_partners_key_and_revokes_it(live_server, browser, transactional_db):
    base = live_server.url
    newsroom_member("bientap", ROLES.EDITORS)
    editor = signed_in(browser, base, "bientap")

    editor.goto(f"{base}/admin/")
    editor.get_by_role("link", name="Khóa API của đối tác").first.click()
    editor.get_by_role("link", name=re.compile("Thêm")).first.click()
    editor.fill("#id_name", "Cổng thông tin quận Tây Hồ")
    editor.click("input[name=_save]")
    shown = editor.locator(".messagelist .warning").inner_text()
    key = re.search(r"(nr_\S+)\. ", shown).group(1)
    assert shown.startswith("Khóa của Cổng thông tin quận Tây Hồ là nr_")
    screenshot(editor, "api-key-made")

    answer = editor.request.get(f"{base}/api/v1/sections", headers={"X-API-Key": key})
    assert answer.status == 200
    editor.reload()
    page = editor.content()
    assert key not in page  # shown once: the list never shows it again
    row = editor.locator("#result_list tbody tr").first
    assert "Cổng thông tin quận Tây Hồ" in row.inner_text() and key[:10] in row.inner_text()
    assert ApiKey.objects.get().last_used_at is not None
    assert "-" not in row.locator(".field-last_used_at").inner_text()

    row.locator("input.action-select").check()
    editor.select_option("select[name=action]", "revoke")
    editor.click("button[name=index]")
    assert "Đã thu hồi 1 khóa." in editor.locator(".messagelist").inner_text()
    screenshot(editor, "api-keys")
    refused = editor.request.get(f"{base}/api/v1/sections", headers={"X-API-Key": key})
    assert refused.status == 401
    assert not editor.errors  # no script refused, no failed request in the admin's pages


def test_the_documentation_page_runs_under_the_sites_policy(live_server, browser, transactional_db):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .info .title", has_text="Newsroom API").wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/stories").first.wait_for()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    screenshot(page, "api-docs")
