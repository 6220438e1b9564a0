"""The API docs as a newcomer opens them: rendered from the installed package, with nothing from elsewhere."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, DESKTOP, PHONE, browser_marks, in_browser

pytestmark = [*browser_marks, pytest.mark.django_db]


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_swagger_ui_renders_the_operations_offline(live_server, size, viewport):
    def script(page):
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".opblock", state="visible")
        page.screenshot(path=str(ARTIFACTS / f"api-docs-{size}.png"), full_page=False)
        return page.locator(".opblock").count(), page.locator(".opblock-summary-path").all_inner_texts()

    (operations, paths), outside = in_browser(script, viewport=viewport)

    assert outside == []
    assert operations > 20
    assert "/api/v1/screenings" in [p.replace("\u200b", "") for p in paths]


def test_redoc_renders_offline(live_server):
    def script(page):
        page.goto(f"{live_server.url}/api/redoc/")
        page.wait_for_selector("[data-section-id*='/operation/']", state="attached")
        return page.locator("[data-section-id*='/operation/']").count()

    operations, outside = in_browser(script, viewport=DESKTOP)

    assert outside == []
    assert operations > 20
