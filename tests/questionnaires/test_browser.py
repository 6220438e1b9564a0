"""A client on a phone, in headless Chromium: conditional questions appear, answers go, the right message shows."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from service.models import QuestionnaireResponse
from tests.questionnaires.support import open_link

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("CI", "").lower() != "true",
        reason="needs /usr/bin/chromium (CI installs it and never skips)",
    ),
]


def _in_phone(script: Callable[[Any], Any]) -> Any:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            page = context.new_page()
            page.set_default_timeout(15_000)
            return script(page)
        finally:
            browser.close()


@pytest.fixture
def on_phone(live_server) -> Callable[[Callable[[Any], Any]], Any]:
    """Run a script against a phone-sized page on its own thread.

    Playwright's sync API runs an event loop (in greenlets) on its thread; keeping it off the test's
    thread leaves the test's database connection, and Django's async-safety checks, untouched.
    """

    def run(script: Callable[[Any], Any]) -> Any:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(script_with_artifacts, script).result(timeout=120)

    def script_with_artifacts(script):
        ARTIFACTS.mkdir(exist_ok=True)
        return _in_phone(script)

    return run


def question(page, key):
    return page.locator(f"#item-{key}")


def test_a_client_on_a_phone_answers_and_sees_the_right_message(
    on_phone, live_server, clinic, therapist, client_person
):
    appointment, token = open_link(
        clinic=clinic,
        client=client_person,
        therapist=therapist,
        kind="pre_session",
        answers={"has_sciatica": False, "leg_pain_now": 2, "back_pain_now": 1},
    )

    def script(page):
        page.goto(f"{live_server.url}/q/{token}")
        assert page.locator("h1").inner_text() == "Before your session"
        # The page fits the phone: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # Conditional questions stay hidden until the answer they depend on is given.
        assert question(page, "pain_below_knee").is_hidden()
        assert question(page, "pregnancy_weeks").is_hidden()
        question(page, "has_sciatica").get_by_label("Yes").check()
        assert question(page, "pain_below_knee").is_visible()
        assert question(page, "numbness_or_tingling").is_visible()
        question(page, "pain_below_knee").get_by_label("Yes").check()

        # Keyboard: focus a radio and press Space.
        page.focus("#id_pregnant_1")
        page.keyboard.press("Space")
        assert page.locator("#id_pregnant_1").is_checked()
        assert question(page, "pregnancy_weeks").is_hidden()

        # A pain score is a row of large buttons: the whole button is the touch target.
        page.locator("label[for=id_leg_pain_now_6]").tap()
        assert page.locator("#id_leg_pain_now_6").is_checked()
        box = question(page, "leg_pain_now").locator("label.option").first.bounding_box()
        assert box["height"] >= 44

        page.screenshot(path=str(ARTIFACTS / "questionnaire-phone.png"), full_page=True)
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url(f"**/q/{token}/sent")
        page.screenshot(path=str(ARTIFACTS / "questionnaire-phone-result.png"), full_page=True)
        return page.locator("main").inner_text(), page.locator(".emergency").count()

    body, emergencies = on_phone(script)

    assert "Your pain is higher than when you booked" in body
    assert "This is a screening, not a diagnosis." in body
    assert emergencies == 0
    answers = QuestionnaireResponse.objects.get(appointment=appointment).answers
    assert answers == {"has_sciatica": True, "pain_below_knee": True, "leg_pain_now": 6, "pregnant": False}


def test_a_warning_sign_shows_the_emergency_wording_on_the_phone(
    on_phone, live_server, clinic, therapist, client_person
):
    _, token = open_link(clinic=clinic, client=client_person, therapist=therapist, kind="pre_session")

    def script(page):
        page.goto(f"{live_server.url}/q/{token}")
        question(page, "bladder_change").get_by_label("Yes").check()
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_url(f"**/q/{token}/sent")
        page.screenshot(path=str(ARTIFACTS / "questionnaire-phone-emergency.png"), full_page=True)
        return page.get_by_role("alert").inner_text(), page.locator("main").inner_text()

    alert, body = on_phone(script)

    assert "Please go to A&E or call 999 now." in alert
    assert "This is a screening, not a diagnosis." in body
