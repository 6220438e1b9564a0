"""Headless Chromium for the page tests: Debian's browser, driven by Playwright, at phone and desktop size."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# axe-core from npm (package.json; `make test` installs it).
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


axe_marks = [
    pytest.mark.skipif(
        not AXE.exists() and os.environ.get("CI", "").lower() != "true",
        reason="needs axe-core from npm (`make test` installs it when npm is there; CI never skips)",
    ),
]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now (WCAG 2.2 A and AA rules); its violations, briefly.

    The script goes in through the DevTools protocol, which the page's Content-Security-Policy does
    not govern, so the page is checked as users get it.
    """
    page.evaluate(AXE.read_text())
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                 nodes: v.nodes.map(n => n.target.join(" "))}));
        }""",
        WCAG_TAGS,
    )


browser_marks = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("CI", "").lower() != "true",
        reason="needs /usr/bin/chromium (CI installs it and never skips)",
    ),
]
_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def in_browser(script: Callable[[Any], Any], *, viewport: dict[str, int] = PHONE) -> tuple[Any, list[str]]:
    """Run ``script(page)`` in a fresh page; return its result and every request that left loopback.

    Requests to anywhere but this machine are aborted, so a page that needs another origin shows it.
    Playwright's sync API runs its own event loop, so it runs on a thread of its own, away from the
    test's database connection.
    """

    def run() -> tuple[Any, list[str]]:
        from playwright.sync_api import sync_playwright

        ARTIFACTS.mkdir(exist_ok=True)
        outside: list[str] = []

        def guard(route: Any) -> None:
            host = urlsplit(route.request.url).hostname or ""
            if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost", "::1"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
            try:
                phone = viewport["width"] < 600
                context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
                context.route("**/*", guard)
                page = context.new_page()
                page.set_default_timeout(15_000)
                return script(page), outside
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=120)
